/*
 * plan_memo.c — values reused within one evaluation (plan_memo.h).
 * Uses: plan.h, strmap.h, array.h.
 */
#include "plan/plan_memo.h"

#include "util/array.h"
#include "util/hugepage.h"

#include <stdlib.h>
#include <string.h>

plan_memo_entry *plan_memo_get(plan_memo *m, const char *name)
{
    uint32_t i;
    if (m->index == NULL && (m->index = strmap_new()) == NULL)
        return NULL;
    if (strmap_get(m->index, name, strlen(name), &i))
        return &m->v[i];
    if (ARRAY_RESERVE(m->v, m->cap, m->n + 1) != 0 ||
        strmap_put(m->index, name, strlen(name), (uint32_t)m->n) != 0)
        return NULL;
    m->v[m->n] = (plan_memo_entry){ 0 };
    return &m->v[m->n++];
}

plan_memo_entry *plan_memo_set(plan_memo *m, const char *name, vec *v)
{
    plan_memo_entry *e = plan_memo_get(m, name);
    if (e == NULL) {
        vec_free(v);
        return NULL;
    }
    vec_free(&e->score);
    e->score = *v;
    e->done = 1;
    return e;
}

void plan_memo_free(plan_memo *m)
{
    for (size_t i = 0; i < m->n; i++) {
        vec_free(&m->v[i].score);
        tree_doc_free(m->v[i].fit);
    }
    free(m->v);
    strmap_free(m->index);
    *m = (plan_memo){ 0 };
}

int plan_memo_copy(plan_ctx *cx, const vec *v, vec *out)
{
    if (v->is_const) {
        *out = *v;
        return SEGRT_OK;
    }
    int64_t *copy = hugepage_malloc((cx->ncontacts ? cx->ncontacts : 1) * sizeof *copy);
    if (copy == NULL)
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    memcpy(copy, v->v, cx->ncontacts * sizeof *copy);
    *out = (vec){ .v = copy };
    return SEGRT_OK;
}

int plan_memo_value(plan_ctx *cx, const char *name, plan_memo_fill_fn fill, const pnode *p,
                    vec *out)
{
    plan_memo_entry *m = plan_memo_get(cx->memo, name);
    if (m == NULL)
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    if (!m->done) {
        int rc = fill(cx, p);
        if (rc != SEGRT_OK)
            return rc;
        m = plan_memo_get(cx->memo, name); /* filling may have moved the memos */
        if (m == NULL)
            return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    }
    return plan_memo_copy(cx, &m->score, out);
}

/* plan_memo_fill_fn of a score: its expression. */
static int fill_score(plan_ctx *cx, const pnode *p)
{
    vec v;
    int rc = plan_eval_value(cx, p->a, &v);
    if (rc == SEGRT_OK && plan_memo_set(cx->memo, p->str, &v) == NULL)
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    return rc;
}

int plan_memo_score(plan_ctx *cx, const pnode *p, vec *out)
{
    if (cx->now != cx->session_now) /* e.g. features at a model's cut-off: no reuse */
        return plan_eval_value(cx, p->a, out);
    return plan_memo_value(cx, p->str, fill_score, p, out);
}
