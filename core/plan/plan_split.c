/*
 * plan_split.c — the buckets of A/B splits (plan_split.h). The hash is
 * XXH64 of name ":" id with seed 0 so that a split compiled to SQL
 * (ClickHouse: xxHash64(concat(name, ':', id)) % 100) puts every contact in
 * the same arm; the state after name ":" is hashed once and copied per id.
 * All contacts: one walk of the id index (id -> ordinal), buckets kept in
 * the evaluation's memo under "split NAME" (a space: no score has it), so
 * every arm of a split costs one walk.
 *
 * Uses: plan.h, plan_memo.h, row.h (the id of one contact), libxxhash.
 */
#define XXH_STATIC_LINKING_ONLY /* XXH64_state_t on the stack */
#include "plan/plan_split.h"

#include "plan/plan_memo.h"
#include "store/row.h"
#include "util/hugepage.h"
#include "util/value.h"

#include <stdio.h>
#include <string.h>
#include <xxhash.h>

/* The hash state after name ":" (the prefix every id of the split shares). */
static void prefix_state(XXH64_state_t *st, const char *name, size_t namelen)
{
    XXH64_reset(st, 0);
    XXH64_update(st, name, namelen);
    XXH64_update(st, ":", 1);
}

static uint64_t hash_after(const XXH64_state_t *prefix, const void *id, size_t idlen)
{
    XXH64_state_t st = *prefix;
    XXH64_update(&st, id, idlen);
    return XXH64_digest(&st);
}

static uint32_t bucket_after(const XXH64_state_t *prefix, const void *id, size_t idlen)
{
    return (uint32_t)(hash_after(prefix, id, idlen) % PLAN_SPLIT_BUCKETS);
}

uint64_t plan_split_hash(const char *name, size_t namelen, const char *id, size_t idlen)
{
    XXH64_state_t st;
    prefix_state(&st, name, namelen);
    return hash_after(&st, id, idlen);
}

uint32_t plan_split_bucket(const char *name, size_t namelen, const char *id, size_t idlen)
{
    return (uint32_t)(plan_split_hash(name, namelen, id, idlen) % PLAN_SPLIT_BUCKETS);
}

typedef struct walk {
    XXH64_state_t prefix;
    int64_t *bucket; /* per ordinal; VALUE_MISSING when not in the index */
    uint32_t n;
} walk;

static int walk_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    (void)txn;
    walk *w = ud;
    uint32_t ord;
    int rc = store_ord_decode(s, v, "the id index", &ord);
    if (rc == SEGRT_OK && ord < w->n) /* a contact added after the evaluation began */
        w->bucket[ord] = bucket_after(&w->prefix, k->mv_data, k->mv_size);
    return rc;
}

/* The buckets of split p->str for every ordinal, memoised for the evaluation. */
static int buckets(plan_ctx *cx, const pnode *p, const int64_t **out)
{
    char key[300];
    snprintf(key, sizeof key, "split %s", p->str);
    plan_memo_entry *m = plan_memo_get(cx->memo, key);
    if (m == NULL)
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    if (!m->done) {
        walk w = { .n = cx->ncontacts };
        w.bucket = hugepage_malloc((w.n ? w.n : 1) * sizeof *w.bucket);
        if (w.bucket == NULL)
            return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
        for (uint32_t i = 0; i < w.n; i++)
            w.bucket[i] = VALUE_MISSING;
        prefix_state(&w.prefix, p->str, strlen(p->str));
        int rc = store_scan(cx->s, cx->txn, DB_IDS, NULL, 0, "reading the id index", walk_one,
                            &w);
        vec v = { .v = w.bucket };
        if (rc != SEGRT_OK) {
            vec_free(&v);
            return rc;
        }
        if ((m = plan_memo_set(cx->memo, key, &v)) == NULL)
            return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    }
    *out = m->score.v;
    return SEGRT_OK;
}

int plan_split_eval(plan_ctx *cx, const pnode *p, bitset *out)
{
    const int64_t *b;
    int rc = buckets(cx, p, &b);
    for (uint32_t i = 0; rc == SEGRT_OK && i < cx->ncontacts; i++) {
        if (b[i] >= p->op && b[i] < p->k) /* VALUE_MISSING is below every bucket */
            bitset_set(out, i);
    }
    return rc;
}

int plan_split_one(plan_ctx *cx, const pnode *p, uint32_t ord, int *holds)
{
    *holds = 0;
    MDB_val k = store_ord_key(&ord), v;
    int mrc = mdb_get(cx->txn, cx->s->dbi[DB_CONTACTS], &k, &v);
    if (mrc == MDB_NOTFOUND)
        return SEGRT_OK; /* no such contact: in no arm */
    if (mrc != 0)
        return store_mdb_fail(cx->s, mrc, "reading a contact's id");
    const char *id;
    size_t idlen;
    if (row_id(v.mv_data, v.mv_size, &id, &idlen) != 0)
        return store_fail(cx->s, SEGRT_ECORRUPT, "contact %u: a corrupt row record", ord);
    uint32_t bucket = plan_split_bucket(p->str, strlen(p->str), id, idlen);
    *holds = bucket >= (uint32_t)p->op && bucket < (uint32_t)p->k;
    return SEGRT_OK;
}
