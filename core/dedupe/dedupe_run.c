/*
 * dedupe_run.c — segrt_dedupe(): find the groups of duplicates in a read
 * snapshot and report them, or find and merge them all in one write
 * transaction (the projections of the contacts it changed and the id order
 * brought up to date at the end) and report them after the commit.
 *
 * Uses: dedupe.h, merge.h, proj_update.h, id_order.h.
 */
#include "store/column.h"
#include "dedupe/dedupe.h"
#include "store/id_order.h"
#include "dedupe/merge.h"
#include "store/proj_update.h"

#include <stdlib.h>

typedef struct run {
    const segrt_dedupe_opts *o;
    int rule;
    dedupe_groups groups;
    uint64_t *merge_ids; /* per group, when merging */
    int reported;        /* unreadable values were reported (a retried txn stays quiet) */
} run;

static int report(run *r)
{
    int rc = SEGRT_OK;
    for (size_t i = 0; i < r->groups.n && rc == SEGRT_OK && r->o->on_group; i++) {
        const dedupe_group *g = &r->groups.g[i];
        segrt_dup_group out = { i + 1, g->key, g->n, g->ids, r->merge_ids ? r->merge_ids[i] : 0 };
        rc = r->o->on_group(r->o->ud, &out);
    }
    return rc;
}

/* The groups of duplicates as of txn into the run ud (a store_txn_fn). */
static int find(segrt_store *s, MDB_txn *txn, void *ud)
{
    run *r = ud;
    dedupe_groups_free(&r->groups);
    dup_unreadable_fn fn = r->reported ? NULL : r->o->on_unreadable;
    int rc = dedupe_find(s, txn, r->o->by, r->rule, fn, r->o->ud, &r->groups);
    r->reported = 1;
    return rc;
}

/* Bytes of column chunks a merge transaction buffers before writing them. */
#define MERGE_CACHE_BYTES ((size_t)256 << 20)

static int merge_all(segrt_store *s, MDB_txn *txn, run *r, column_cache *cc)
{
    contact_remove_strings strings = { 0 };
    int rc = SEGRT_OK;
    for (size_t i = 0; i < r->groups.n && rc == SEGRT_OK; i++) {
        rc = merge_group(s, txn, cc, &strings, &r->groups.g[i], r->o->by, r->o->actor,
                         &r->merge_ids[i]);
        if (rc == SEGRT_OK && column_cache_bytes(cc) > MERGE_CACHE_BYTES)
            rc = column_cache_flush(s, txn, cc);
    }
    if (rc == SEGRT_OK)
        rc = contact_remove_sweep(s, txn, cc, &strings);
    contact_remove_strings_free(&strings);
    return rc == SEGRT_OK ? column_cache_flush(s, txn, cc) : rc;
}

static int merge_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    run *r = ud;
    int rc = find(s, txn, r);
    free(r->merge_ids);
    r->merge_ids = rc == SEGRT_OK ? calloc(r->groups.n + 1, sizeof *r->merge_ids) : NULL;
    column_cache *cc = rc == SEGRT_OK ? column_cache_new() : NULL;
    if (rc == SEGRT_OK && (r->merge_ids == NULL || cc == NULL))
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory merging contacts");
    if (rc == SEGRT_OK)
        rc = merge_all(s, txn, r, cc);
    column_cache_free(cc);
    if (rc == SEGRT_OK && r->groups.n)
        rc = proj_update_flush(s, txn, 0);
    if (rc == SEGRT_OK && r->groups.n)
        rc = id_order_refresh(s, txn);
    return rc;
}

int segrt_dedupe(segrt_store *s, const segrt_dedupe_opts *o)
{
    if (s == NULL || o == NULL)
        return SEGRT_EINVAL;
    run r = { .o = o, .rule = o->survivor ? (int)o->survivor : SEGRT_SURVIVOR_OLDEST };
    int rc;
    if (o->merge) {
        rc = store_write(s, merge_txn, &r);
        if (rc == SEGRT_OK)
            rc = store_sync(s);
    } else {
        rc = store_read(s, find, &r);
    }
    if (rc == SEGRT_OK)
        rc = report(&r);
    dedupe_groups_free(&r.groups);
    free(r.merge_ids);
    return rc;
}
