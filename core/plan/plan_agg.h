/*
 * plan_agg.h — one step of an event aggregate (P_AGG, plan.h's agg_op),
 * shared by the evaluator over an event projection (plan_events.c, a slot
 * per contact) and the one over a contact's timeline (plan_one.c), so that
 * the two cannot give different values: the value before any event, one
 * selected event folded into it, and the value at the end (avg divides).
 *
 * Inline: the projection's loop is the hot path, built once per operator
 * with op a constant, so each step compiles to that operator's code alone.
 *
 * Uses: plan.h, value.h.
 */
#ifndef SEGRT_PLAN_AGG_H
#define SEGRT_PLAN_AGG_H

#include "plan/plan.h"
#include "util/value.h"

#include <math.h>

/* The value of aggregate op over no events: 0 for the counts, else missing. */
static inline int64_t plan_agg_start(int op)
{
    return op == AGG_COUNT || op == AGG_DECAYED ? 0 : VALUE_MISSING;
}

/* Whether op counts the events it folds in (avg: its divisor; first-of: whether any came). */
static inline int plan_agg_counts(int op)
{
    return op == AGG_AVG || op == AGG_FIRST_OF;
}

/*
 * sum + x for sum and avg, in two's complement: past the range of the
 * numbers (about ±9.2e12 at six decimals) a sum wraps around, as a defined
 * result rather than signed overflow. Not clamped: a check on this add
 * lengthens the chain of adds into one contact's sum, and made S1's whole
 * count 1.3 times slower.
 */
static inline int64_t plan_agg_add(int64_t sum, int64_t x)
{
    return (int64_t)((uint64_t)sum + (uint64_t)x);
}

/*
 * Fold one selected event into the value *v of aggregate op, the events
 * coming in time order: ts is the event's time, x its attribute (the
 * aggregate's ev.attr; VALUE_MISSING when it has none), half_life the
 * aggregate's k (decayed), now the evaluation's NOW. *n is the count
 * plan_agg_counts() says op keeps (not touched otherwise: it may be NULL).
 */
static inline void plan_agg_step(int op, int64_t half_life, int64_t now, int64_t *v, uint32_t *n,
                                 int64_t ts, int64_t x)
{
    switch (op) {
    case AGG_COUNT:
        *v += VALUE_NUMBER_SCALE;
        return;
    case AGG_DECAYED: { /* 2^(-age / half-life); events after NOW weigh 1 */
        double age = ts < now ? (double)(now - ts) : 0.0;
        *v += (int64_t)llround(exp2(-age / (double)half_life) * VALUE_NUMBER_SCALE);
        return;
    }
    case AGG_FIRST_OF: /* the attribute of the earliest event, even when it has none */
        if ((*n)++ == 0)
            *v = x;
        return;
    case AGG_LAST_OF:
        *v = x;
        return;
    default:
        break;
    }
    if (x == VALUE_MISSING) /* sum, avg, min, max: over the events that have the attribute */
        return;
    switch (op) {
    case AGG_SUM:
        *v = *v == VALUE_MISSING ? x : plan_agg_add(*v, x);
        return;
    case AGG_AVG:
        *v = *v == VALUE_MISSING ? x : plan_agg_add(*v, x);
        (*n)++;
        return;
    case AGG_MIN:
        if (*v == VALUE_MISSING || x < *v)
            *v = x;
        return;
    default: /* AGG_MAX */
        if (*v == VALUE_MISSING || x > *v)
            *v = x;
        return;
    }
}

/* The aggregate's value after its last event (v, with the count n it kept). */
static inline int64_t plan_agg_end(int op, int64_t v, uint32_t n)
{
    return op == AGG_AVG && n ? v / n : v;
}

#endif
