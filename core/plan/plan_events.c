/*
 * plan_events.c — event aggregates (count sum avg min max first last, and the
 * attribute of the first or last event) and exists/none, computed in one
 * pass over the projection of one event type: the :where predicate is
 * evaluated vectorised over the events frame, the window is a bound on ts,
 * and values fold into per-contact slots, one step as plan_one.c's
 * (plan_agg.h).
 *
 * Uses: plan.h, plan_agg.h, projection.h.
 */
#include "plan/plan.h"
#include "plan/plan_agg.h"
#include "util/hugepage.h"
#include "util/value.h"

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

/* The attribute of event i as a plan value: ts, amount, or a category/channel code (0: missing). */
static inline int64_t attr_value(const projection *ev, int attr, size_t i)
{
    if (attr == EVA_TS)
        return ev->ts[i];
    if (attr == EVA_AMOUNT)
        return ev->amount[i];
    uint32_t code = attr == EVA_CATEGORY ? ev->category[i] : ev->channel[i];
    return code ? (int64_t)code : MISSING;
}

/*
 * Fold the selected events into the contacts' slots v (cnt: the counts op
 * keeps, plan_agg.h). The projection is in (contact, ts) order, so each
 * contact's events come in time order. Always inlined with op a constant:
 * one loop per operator, the step reduced to that operator's code.
 */
static inline __attribute__((always_inline)) void fold(const plan_ctx *cx, const pnode *p, int op,
                                                       const selection *sel, int64_t *v,
                                                       uint32_t *cnt)
{
    const int64_t now = cx->now, half_life = p->k;
    const int attr = p->ev.attr;
    const size_t n = cx->ncontacts;
    for (size_t i = 0; i < sel->ev.n; i++) {
        uint32_t o = sel->ev.ord[i];
        if (o >= n || !selected(sel, i))
            continue;
        plan_agg_step(op, half_life, now, &v[o], plan_agg_counts(op) ? &cnt[o] : NULL,
                      sel->ev.ts[i], attr_value(&sel->ev, attr, i));
    }
}

int plan_eval_agg(plan_ctx *cx, const pnode *p, vec *out)
{
    selection sel;
    int rc = select_events(cx, p, &sel);
    if (rc != SEGRT_OK)
        return rc;
    size_t n = cx->ncontacts;
    int64_t *v = hugepage_malloc((n ? n : 1) * sizeof *v);
    uint32_t *cnt = plan_agg_counts(p->op) ? hugepage_calloc(n ? n : 1, sizeof *cnt) : NULL;
    if (v == NULL || (plan_agg_counts(p->op) && cnt == NULL)) {
        free(v);
        free(cnt);
        selection_free(&sel);
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory evaluating an aggregate");
    }
    int64_t start = plan_agg_start(p->op);
    for (size_t i = 0; i < n; i++)
        v[i] = start;
    switch (p->op) {
#define FOLD(op)                                                                                   \
    case op:                                                                                       \
        fold(cx, p, op, &sel, v, cnt);                                                             \
        break
    FOLD(AGG_COUNT);
    FOLD(AGG_SUM);
    FOLD(AGG_AVG);
    FOLD(AGG_MIN);
    FOLD(AGG_MAX);
    FOLD(AGG_DECAYED);
    FOLD(AGG_FIRST_OF);
    FOLD(AGG_LAST_OF);
#undef FOLD
    }
    if (p->op == AGG_AVG) {
        for (size_t i = 0; i < n; i++)
            v[i] = plan_agg_end(AGG_AVG, v[i], cnt[i]);
    }
    free(cnt);
    selection_free(&sel);
    *out = (vec){ .v = v };
    return SEGRT_OK;
}
