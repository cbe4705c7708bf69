/*
 * plan_rank.c — NTILE over contacts (queries.md S11): order by a value, ties
 * by external id in byte order, then cut into n buckets the SQL way (the
 * first N mod n buckets get one row more).
 */
#include "plan/plan.h"
#include "util/hugepage.h"
#include "util/radix.h"
#include "util/value.h"

#include <stdlib.h>
#include <string.h>

int plan_eval_ntile(plan_ctx *cx, const pnode *p, vec *out)
{
    vec a;
    bitset among = { 0 };
    int rc = cx->ids.ord ? SEGRT_OK : id_order_get(cx->s, cx->txn, &cx->ids);
    if (rc == SEGRT_OK)
        rc = plan_eval_value(cx, p->a, &a);
    if (rc != SEGRT_OK)
        return rc;
    if (p->b && (rc = plan_eval_pred(cx, p->b, &among)) != SEGRT_OK) {
        vec_free(&a);
        return rc;
    }
    size_t n = cx->ncontacts, m = 0;
    radix_item *r = hugepage_malloc((n ? n : 1) * sizeof *r);
    int64_t *v = hugepage_malloc((n ? n : 1) * sizeof *v);
    if (r == NULL || v == NULL) {
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory in seg.ntile");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = VALUE_MISSING;
    /* the population in id order, so the stable sort breaks ties by id */
    for (uint32_t j = 0; j < cx->ids.n; j++) {
        uint32_t i = cx->ids.ord[j];
        if (i >= n)
            continue;
        int64_t x = vec_at(&a, i);
        if (x == VALUE_MISSING || !bitset_test(cx->live, i) || (p->b && !bitset_test(&among, i)))
            continue;
        uint64_t key = (uint64_t)x ^ (UINT64_C(1) << 63);
        r[m++] = (radix_item){ .key = p->desc ? ~key : key, .val = i }; /* key: unsigned order is the wanted one */
    }
    if (radix_sort(r, m) != 0) {
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory in seg.ntile");
        goto done;
    }
    size_t nt = p->op == ORDER_NTILE ? (size_t)p->ntiles : 1;
    size_t q = m / nt, rem = m % nt, big = rem * (q + 1);
    for (size_t j = 0; j < m; j++) {
        int64_t out_v;
        if (p->op == ORDER_RANK)
            out_v = (int64_t)(j + 1) * VALUE_NUMBER_SCALE;
        else if (p->op == ORDER_PERCENTILE) /* exact to the micro-unit */
            out_v = m > 1 ? (int64_t)((__int128)j * 100 * VALUE_NUMBER_SCALE / (__int128)(m - 1)) : 0;
        else
            out_v = (int64_t)((j < big ? j / (q + 1) : rem + (j - big) / q) + 1) * VALUE_NUMBER_SCALE;
        v[r[j].val] = out_v;
    }
    *out = (vec){ .v = v };
    v = NULL;
done:
    free(r);
    free(v);
    vec_free(&a);
    bitset_free(&among);
    return rc;
}
