/*
 * plan_events.c — event aggregates (count sum avg min max first last, and the
 * attribute of the first or last event) and exists/none, computed in one
 * pass over the projection of one event type, part by part (projection.h):
 * the :where predicate is evaluated vectorised over a part's events (the
 * events frame), the window is a bound on ts, and values fold into
 * per-contact slots, one step as plan_one.c's (plan_agg.h).
 *
 * Uses: plan.h, plan_agg.h, plan_extra.h (extra attributes), projection.h.
 */
#include "plan/plan.h"
#include "plan/plan_agg.h"
#include "plan/plan_extra.h"
#include "util/hugepage.h"
#include "util/value.h"

#include <stdlib.h>

#define MISSING VALUE_MISSING

/* The events of the selection: its projection's parts, the window, and its :where. */
typedef struct selection {
    projection_set ev;
    const pnode *where; /* NULL: every event */
    int64_t lo, hi;     /* lo <= ts <= hi */
} selection;

static int select_events(plan_ctx *cx, const pnode *p, selection *sel)
{
    *sel = (selection){ .where = p->ev.where, .lo = INT64_MIN, .hi = cx->now };
    if (p->ev.window)
        sel->lo = cx->now - p->ev.window->k;
    return projection_get(cx->s, cx->txn, p->ev.type, &sel->ev);
}

/* The :where of the selection over the events of one part, into mask (when it has one). */
static int part_mask(plan_ctx *cx, const selection *sel, const projection *part, bitset *mask)
{
    if (sel->where == NULL)
        return SEGRT_OK;
    const projection *outer = cx->ev;
    cx->ev = part;
    int rc = plan_eval_pred(cx, sel->where, mask);
    cx->ev = outer;
    return rc;
}

/* In the window and the :where (mask), and not after NOW: plans see the store as of NOW. */
static inline int selected(const selection *sel, const projection *part, const bitset *mask,
                           size_t i)
{
    int64_t ts = part->ts[i];
    return ts >= sel->lo && ts <= sel->hi && (!sel->where || bitset_test(mask, (uint32_t)i));
}

int plan_eval_exists(plan_ctx *cx, const pnode *p, bitset *out)
{
    selection sel;
    int rc = select_events(cx, p, &sel);
    for (size_t k = 0; k < sel.ev.nparts && rc == SEGRT_OK; k++) {
        const projection *part = &sel.ev.part[k];
        bitset mask = { 0 };
        rc = part_mask(cx, &sel, part, &mask);
        for (size_t j = 0; j < part->nspan && rc == SEGRT_OK; j++) {
            for (size_t i = part->span[j].lo; i < part->span[j].hi; i++) {
                uint32_t o = part->ord[i];
                if (o < cx->ncontacts && selected(&sel, part, &mask, i))
                    bitset_set(out, o);
            }
        }
        bitset_free(&mask);
    }
    if (rc == SEGRT_OK && !p->op) {
        bitset_not(out);
        bitset_and(out, cx->live);
    }
    projection_release(&sel.ev);
    return rc;
}

/*
 * The attribute of event i as a plan value: ts, amount, a category/channel
 * code (0: missing), or an extra attribute's value read before (extra).
 */
static inline int64_t attr_value(const projection *ev, int attr, const int64_t *extra, size_t i)
{
    if (attr == EVA_EXTRA)
        return extra[i];
    if (attr == EVA_TS)
        return ev->ts[i];
    if (attr == EVA_AMOUNT)
        return projection_amount(ev, i);
    uint32_t code = attr == EVA_CATEGORY ? projection_category(ev, i) : projection_channel(ev, i);
    return code ? (int64_t)code : MISSING;
}

/*
 * Fold the selected events of one part into the contacts' slots v (cnt:
 * the counts op keeps, plan_agg.h). A part is in (contact, ts) order and
 * holds all of a contact's events, so each contact's events come in time
 * order. Always inlined with op a constant: one loop per operator, the
 * step reduced to that operator's code.
 */
static inline __attribute__((always_inline)) void fold(const plan_ctx *cx, const pnode *p, int op,
                                                       const selection *sel,
                                                       const projection *part,
                                                       const bitset *mask,
                                                       const int64_t *extra, int64_t *v,
                                                       uint32_t *cnt)
{
    const int64_t now = cx->now, half_life = p->k;
    const int attr = p->ev.attr;
    const size_t n = cx->ncontacts;
    for (size_t j = 0; j < part->nspan; j++) {
        for (size_t i = part->span[j].lo; i < part->span[j].hi; i++) {
            uint32_t o = part->ord[i];
            if (o >= n || !selected(sel, part, mask, i))
                continue;
            plan_agg_step(op, half_life, now, &v[o], plan_agg_counts(op) ? &cnt[o] : NULL,
                          part->ts[i], attr_value(part, attr, extra, i));
        }
    }
}

/* Fold every part of the selection, with the loop for p's operator. */
static int fold_parts(plan_ctx *cx, const pnode *p, const selection *sel, int64_t *v,
                      uint32_t *cnt)
{
    int rc = SEGRT_OK;
    for (size_t k = 0; k < sel->ev.nparts && rc == SEGRT_OK; k++) {
        const projection *part = &sel->ev.part[k];
        bitset mask = { 0 };
        int64_t *extra = NULL;
        rc = part_mask(cx, sel, part, &mask);
        if (rc == SEGRT_OK && p->ev.attr == EVA_EXTRA) {
            if ((extra = malloc((part->n ? part->n : 1) * sizeof *extra)) == NULL)
                rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory evaluating an aggregate");
            else
                rc = plan_extra_column(cx, part, p->str, p->ftype, extra);
        }
        if (rc != SEGRT_OK) {
            free(extra);
            bitset_free(&mask);
            break;
        }
        switch (p->op) {
#define FOLD(op)                                                                                   \
    case op:                                                                                       \
        fold(cx, p, op, sel, part, &mask, extra, v, cnt);                                          \
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
        free(extra);
        bitset_free(&mask);
    }
    return rc;
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
        projection_release(&sel.ev);
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory evaluating an aggregate");
    }
    int64_t start = plan_agg_start(p->op);
    for (size_t i = 0; i < n; i++)
        v[i] = start;
    rc = fold_parts(cx, p, &sel, v, cnt);
    if (rc == SEGRT_OK && p->op == AGG_AVG) {
        for (size_t i = 0; i < n; i++)
            v[i] = plan_agg_end(AGG_AVG, v[i], cnt[i]);
    }
    free(cnt);
    projection_release(&sel.ev);
    if (rc != SEGRT_OK) {
        free(v);
        return rc;
    }
    *out = (vec){ .v = v };
    return SEGRT_OK;
}
