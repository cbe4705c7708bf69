/*
 * plan_events.c — event aggregates (count sum avg min max first last, and the
 * attribute of the first or last event) and exists/none, computed in one
 * pass over the projection of one event type: the :where predicate is
 * evaluated vectorised over the events frame, the window is a bound on ts,
 * and values fold into per-contact slots.
 */
#include "plan/plan.h"
#include "util/value.h"

#include <math.h>
#include <stdlib.h>

#define MISSING VALUE_MISSING

/* The events of the selection: its projection and, with :where, a mask over it. */
typedef struct selection {
    projection ev;
    bitset mask;
    int masked;
    int64_t lo, hi; /* lo <= ts <= hi */
} selection;

static void selection_free(selection *sel)
{
    projection_release(&sel->ev);
    bitset_free(&sel->mask);
}

static int select_events(plan_ctx *cx, const pnode *p, selection *sel)
{
    *sel = (selection){ .lo = INT64_MIN, .hi = cx->now };
    int rc = projection_get(cx->s, cx->txn, p->ev.type, &sel->ev);
    if (rc != SEGRT_OK)
        return rc;
    if (p->ev.window)
        sel->lo = cx->now - p->ev.window->k;
    if (p->ev.where) {
        const projection *outer = cx->ev;
        cx->ev = &sel->ev;
        rc = plan_eval_pred(cx, p->ev.where, &sel->mask);
        cx->ev = outer;
        sel->masked = 1;
    }
    if (rc != SEGRT_OK)
        selection_free(sel);
    return rc;
}

/* In the window and the :where, and not after NOW: plans see the store as of NOW. */
static inline int selected(const selection *sel, size_t i)
{
    int64_t ts = sel->ev.ts[i];
    return ts >= sel->lo && ts <= sel->hi && (!sel->masked || bitset_test(&sel->mask, (uint32_t)i));
}

int plan_eval_exists(plan_ctx *cx, const pnode *p, bitset *out)
{
    selection sel;
    int rc = select_events(cx, p, &sel);
    if (rc != SEGRT_OK)
        return rc;
    for (size_t i = 0; i < sel.ev.n; i++) {
        uint32_t o = sel.ev.ord[i];
        if (o < cx->ncontacts && selected(&sel, i))
            bitset_set(out, o);
    }
    if (!p->op) {
        bitset_not(out);
        bitset_and(out, cx->live);
    }
    selection_free(&sel);
    return SEGRT_OK;
}

/* The attribute of event i as a plan value: amount, or a category/channel code (0: missing). */
static inline int64_t attr_value(const projection *ev, int attr, size_t i)
{
    if (attr == EVA_AMOUNT)
        return ev->amount[i];
    uint32_t code = attr == EVA_CATEGORY ? ev->category[i] : ev->channel[i];
    return code ? (int64_t)code : MISSING;
}

/*
 * :first/:last "attr": the attribute of the earliest or latest selected event
 * per contact. The projection is in (contact, ts) order, so the last event
 * seen wins for :last and the first seen for :first (seen marks it, since
 * the attribute itself may be missing).
 */
static int first_last_of(plan_ctx *cx, const pnode *p, const selection *sel, int64_t *v)
{
    size_t n = cx->ncontacts;
    bitset seen = { 0 };
    if (p->op == AGG_FIRST_OF && bitset_init(&seen, (uint32_t)n) != 0)
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory evaluating an aggregate");
    for (size_t i = 0; i < sel->ev.n; i++) {
        uint32_t o = sel->ev.ord[i];
        if (o >= n || !selected(sel, i))
            continue;
        if (p->op == AGG_FIRST_OF) {
            if (bitset_test(&seen, o))
                continue;
            bitset_set(&seen, o);
        }
        v[o] = attr_value(&sel->ev, p->ev.attr, i);
    }
    bitset_free(&seen);
    return SEGRT_OK;
}

int plan_eval_agg(plan_ctx *cx, const pnode *p, vec *out)
{
    selection sel;
    int rc = select_events(cx, p, &sel);
    if (rc != SEGRT_OK)
        return rc;
    size_t n = cx->ncontacts;
    int64_t *v = malloc((n ? n : 1) * sizeof *v);
    uint32_t *cnt = p->op == AGG_AVG ? calloc(n ? n : 1, sizeof *cnt) : NULL;
    if (v == NULL || (p->op == AGG_AVG && cnt == NULL)) {
        free(v);
        free(cnt);
        selection_free(&sel);
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory evaluating an aggregate");
    }
    int64_t init = p->op == AGG_COUNT || p->op == AGG_DECAYED ? 0 : MISSING;
    for (size_t i = 0; i < n; i++)
        v[i] = init;
    if (p->op == AGG_FIRST_OF || p->op == AGG_LAST_OF) {
        rc = first_last_of(cx, p, &sel, v);
        selection_free(&sel);
        if (rc != SEGRT_OK)
            free(v);
        else
            *out = (vec){ .v = v };
        return rc;
    }
    const int64_t *attr = p->ev.attr == EVA_TS ? sel.ev.ts : sel.ev.amount;
    for (size_t i = 0; i < sel.ev.n; i++) {
        uint32_t o = sel.ev.ord[i];
        if (o >= n || !selected(&sel, i))
            continue;
        if (p->op == AGG_COUNT) {
            v[o] += VALUE_NUMBER_SCALE;
            continue;
        }
        if (p->op == AGG_DECAYED) { /* 2^(-age / half-life); events after NOW weigh 1 */
            double age = sel.ev.ts[i] < cx->now ? (double)(cx->now - sel.ev.ts[i]) : 0.0;
            v[o] += (int64_t)llround(exp2(-age / (double)p->k) * VALUE_NUMBER_SCALE);
            continue;
        }
        int64_t x = attr[i];
        if (x == MISSING)
            continue;
        int64_t *slot = &v[o];
        switch (p->op) {
        case AGG_SUM:
        case AGG_AVG:
            *slot = *slot == MISSING ? x : *slot + x;
            if (cnt)
                cnt[o]++;
            break;
        case AGG_MIN:
            if (*slot == MISSING || x < *slot)
                *slot = x;
            break;
        default:
            if (*slot == MISSING || x > *slot)
                *slot = x;
            break;
        }
    }
    if (cnt) {
        for (size_t i = 0; i < n; i++) {
            if (cnt[i])
                v[i] /= cnt[i];
        }
        free(cnt);
    }
    selection_free(&sel);
    *out = (vec){ .v = v };
    return SEGRT_OK;
}
