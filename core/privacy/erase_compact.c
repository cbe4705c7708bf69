/*
 * erase_compact.c — segrt_store_compact(): the store's compaction
 * (store/compact.c) as erasure needs it, with the event and consent
 * strings kept that the undo records of merges still use (they hold the
 * timelines and consent histories of merged contacts, and the events a
 * merge added or replaced): the others, an erased contact's, are left out.
 *
 * Uses: compact.h, merge_record.h (dedupe/).
 */
#include "dedupe/merge_record.h"
#include "store/compact.h"

#include <string.h>

static int mark_blobs(compact_used *u, const merge_record *r)
{
    int rc = compact_used_events(u, r->added.p, r->added.n);
    if (rc == 0)
        rc = compact_used_events(u, r->replaced.p, r->replaced.n);
    for (size_t i = 0; i < r->ngone && rc == 0; i++) {
        rc = compact_used_events(u, r->gone[i].events.p, r->gone[i].events.n);
        if (rc == 0)
            rc = compact_used_consents(u, r->gone[i].consents.p, r->gone[i].consents.n);
    }
    return rc;
}

static int mark_record(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                       const MDB_val *v)
{
    (void)txn;
    uint64_t id = 0;
    merge_record r = { 0 };
    if (k->mv_size == sizeof id)
        memcpy(&id, k->mv_data, sizeof id);
    int rc = merge_record_decode(v->mv_data, v->mv_size, &r);
    if (rc == 0)
        rc = mark_blobs(ud, &r);
    merge_record_free(&r);
    if (rc == -2)
        return store_fail(s, SEGRT_ENOMEM, "out of memory compacting");
    if (rc != 0)
        return store_fail(s, SEGRT_ECORRUPT, "the undo record of merge %llu is corrupt",
                          (unsigned long long)id);
    return SEGRT_OK;
}

static int mark_merges(segrt_store *s, MDB_txn *txn, compact_used *u)
{
    return store_scan(s, txn, DB_MERGES, NULL, 0, "reading merges", mark_record, u);
}

int segrt_store_compact(segrt_store *s, const char *actor, uint64_t *before, uint64_t *after)
{
    return store_compact(s, actor, mark_merges, before, after);
}
