/*
 * plan_one.h — evaluating a plan for one contact at a time (plan_one.c), for
 * the live path (live.c): the same results as the vectorised evaluator gives
 * for that contact's row. Whole-store values (NTILE, model outputs) and
 * score functions come from global, other segments from member, whether
 * profiling may score the contact from profiling.
 *
 * Uses: plan.h, event.h.
 */
#ifndef SEGRT_PLAN_ONE_H
#define SEGRT_PLAN_ONE_H

#include "store/event.h"
#include "plan/plan.h"

/*
 * P_NTILE, P_MODEL, P_SCORE_FN and P_SCORE for contact ord: 0 with *v, or
 * (P_SCORE only) 1 to evaluate its expression for the contact, or an error.
 */
typedef int (*plan_one_global_fn)(void *ud, const pnode *p, uint32_t ord, int64_t *v);
/* P_MEMBER for contact ord: whether it is in the segment, into *in. */
typedef int (*plan_one_member_fn)(void *ud, const pnode *p, uint32_t ord, int *in);

#define PLAN_ONE_SLOTS 32
typedef struct plan_one_ctx {
    plan_ctx *cx;
    uint32_t ord;         /* the contact */
    const event_rec *ev;    /* the event, in the events frame */
    plan_one_global_fn global; /* whole-store values and score fns */
    plan_one_member_fn member; /* other segments */
    /* whether profiling may score contact ord (a profiling P_SCORE): 1, 0, or an error */
    int (*profiling)(void *ud, uint32_t ord);
    void *ud;
    /* borrowed from cx->txn: forget them when it changes */
    struct plan_one_slot {
        uint16_t field;
        uint32_t code, chunk;
        const void *data;
        size_t size;
    } slots[PLAN_ONE_SLOTS];
    uint32_t evs_ord;     /* whose timeline evs holds (UINT32_MAX: none) */
    event_list evs;
    uint32_t profiled_ord; /* whose state profiled holds */
    int profiled;          /* profiling may score the contact */
    uint32_t restricted_ord; /* whose restriction (Art. 18) restricted holds */
    int restricted;
    struct plan_one_table *tables; /* per string or set predicate: code table, contained code */
    size_t ntables, tables_cap;
} plan_one_ctx;
void plan_one_ctx_init(plan_one_ctx *o, plan_ctx *cx);
/* cx->txn changed: drop what was borrowed from the old one. */
void plan_one_ctx_forget(plan_one_ctx *o);
void plan_one_ctx_free(plan_one_ctx *o);
/* Whether the contact (o->ord) is live (not erased). */
int plan_one_live(plan_one_ctx *o, int *live);
int plan_one_pred(plan_one_ctx *o, const pnode *p, int *holds);
int plan_one_value(plan_one_ctx *o, const pnode *p, int64_t *v);

#endif
