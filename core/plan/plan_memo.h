/*
 * plan_memo.h — the values one evaluation computes once and reuses, by
 * name: scores defined by an expression (P_SCORE), Lua score functions and
 * the outputs of C models (with what the model fitted). A session (the Lua
 * layer's script_eval.c) owns one; plan_ctx.memo points at it.
 *
 * Uses: plan.h, strmap.h, tree.h.
 */
#ifndef SEGRT_PLAN_MEMO_H
#define SEGRT_PLAN_MEMO_H

#include "plan/plan.h"
#include "util/strmap.h"
#include "util/tree.h"

typedef struct plan_memo_entry {
    int done;       /* score holds the values (one per contact ordinal) */
    vec score;
    tree_doc *fit;  /* a model's first output: what the model fitted (its root is fit_root) */
    const tree *fit_root;
} plan_memo_entry;

typedef struct plan_memo {
    strmap *index;  /* name -> index into v */
    plan_memo_entry *v;
    size_t n, cap;
} plan_memo;

/* The entry of name, added (empty) on first use; valid until the next call. NULL: no memory. */
plan_memo_entry *plan_memo_get(plan_memo *m, const char *name);
/* Record *v (taken) as the values of name; its entry, or NULL (v freed) when out of memory. */
plan_memo_entry *plan_memo_set(plan_memo *m, const char *name, vec *v);
void plan_memo_free(plan_memo *m);
/* A copy of a memoised vector (owned by the caller: vec_free). */
int plan_memo_copy(plan_ctx *cx, const vec *v, vec *out);

/* What plan_memo_value calls for values not yet memoised: plan_memo_set them (and any others). */
typedef int (*plan_memo_fill_fn)(plan_ctx *cx, const pnode *p);
/*
 * A copy (out, the caller's) of the values memoised as name, which fill(cx,
 * p) computes on first use in the evaluation; SEGRT_OK, or what fill failed
 * with.
 */
int plan_memo_value(plan_ctx *cx, const char *name, plan_memo_fill_fn fill, const pnode *p,
                    vec *out);
/* Score p (P_SCORE): its expression p->a, evaluated once per evaluation at its NOW. */
int plan_memo_score(plan_ctx *cx, const pnode *p, vec *out);

#endif
