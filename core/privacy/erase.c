/*
 * erase.c — segrt_contact_erase(): GDPR Art. 17 erasure. The contact and
 * everything stored about it go (store/contact_remove.c: row, id, column
 * values, strings nobody else uses, timeline, consent history, stored
 * memberships), and so does what merges into the contact kept to undo them
 * (merge.h), and its actions not yet delivered and notified state
 * (outbox.h). The event projections follow in the same transaction.
 * Only an audit entry with the ordinal remains, and the count of erased
 * contacts whose bytes wait in free pages for segrt_store_compact (meta
 * "erased_awaiting_compaction", which compact resets). Many ids are erased
 * in batches of ERASE_BATCH, one transaction each (segrt_contact_erase_many).
 *
 * Uses: contact_remove.h, compact.h, audit.h, proj_update.h, id_order.h, merge.h, outbox.h,
 * store_map.h.
 */
#include "privacy/erase.h"

#include "store/audit.h"
#include "dedupe/merge.h"
#include "store/column.h"
#include "store/compact.h"
#include "store/contact_remove.h"
#include "store/id_order.h"
#include "store/outbox.h"
#include "store/proj_update.h"
#include "store/row.h"
#include "store/store_map.h"

#include <stdio.h>
#include <string.h>

static int erase_in(segrt_store *s, MDB_txn *txn, column_cache *cc,
                    contact_remove_strings *strings, const char *id, const char *actor, row *r)
{
    uint32_t ord;
    int rc = store_ord_of(s, txn, id, &ord);
    if (rc == SEGRT_ENOTFOUND)
        return merge_store_erase_hint(s, txn, id);
    if (rc != SEGRT_OK)
        return rc;
    rc = store_row_get(s, txn, ord, r);
    if (rc != SEGRT_OK)
        return rc;
    contact_remove_counts n;
    uint64_t nmerges;
    rc = contact_remove(s, txn, cc, ord, id, strlen(id), r, strings, &n);
    if (rc == SEGRT_OK) /* what merges into it kept to undo them is personal data too */
        rc = merge_store_forget(s, txn, ord, id, &nmerges);
    if (rc == SEGRT_OK) /* webhooks not yet sent and the notified state hold its id */
        rc = outbox_forget(s, txn, id, NULL);
    if (rc != SEGRT_OK)
        return rc;
    char detail[200];
    int len = snprintf(detail, sizeof detail,
                       "erased %zu fields, %llu events, %llu consent records, %llu segment "
                       "memberships", n.fields, (unsigned long long)n.events,
                       (unsigned long long)n.consents, (unsigned long long)n.segments);
    if (nmerges)
        snprintf(detail + len, sizeof detail - (size_t)len, ", the undo data of %llu merges",
                 (unsigned long long)nmerges);
    strncat(detail, " (Art. 17)", sizeof detail - strlen(detail) - 1);
    return audit_append(s, txn, actor, "erase", ord, detail);
}

typedef struct batch_args {
    const char *const *ids;
    size_t n;
    const char *actor;
    unsigned char *erased; /* per id: 1 when it was erased, 0 when unknown; NULL: unknown fails */
} batch_args;

static int erase_batch_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    const batch_args *a = ud;
    column_cache *cc = column_cache_new();
    contact_remove_strings strings = { 0 };
    int rc = cc ? SEGRT_OK : store_fail(s, SEGRT_ENOMEM, "out of memory");
    int64_t nerased = 0;
    for (size_t i = 0; i < a->n && rc == SEGRT_OK; i++) {
        row r = { 0 };
        rc = erase_in(s, txn, cc, &strings, a->ids[i], a->actor, &r);
        row_free(&r);
        nerased += rc == SEGRT_OK;
        if (a->erased) {
            a->erased[i] = rc == SEGRT_OK;
            if (rc == SEGRT_ENOTFOUND) /* erased meanwhile */
                rc = SEGRT_OK;
        }
    }
    if (rc == SEGRT_OK) /* their bytes stay in free pages until a compact */
        rc = store_counter_add(s, txn, COMPACT_ERASED_AWAITING, nerased);
    if (rc == SEGRT_OK)
        rc = contact_remove_sweep(s, txn, cc, &strings);
    if (rc == SEGRT_OK)
        rc = column_cache_flush(s, txn, cc);
    contact_remove_strings_free(&strings);
    column_cache_free(cc);
    /* In the same transaction: the erased events leave the projections with the timeline. */
    if (rc == SEGRT_OK)
        rc = proj_update_flush(s, txn, 0);
    return rc == SEGRT_OK ? id_order_refresh(s, txn) : rc;
}

int erase_batch(segrt_store *s, const char *const *ids, size_t n, const char *actor,
                unsigned char *erased)
{
    batch_args a = { ids, n, actor, erased };
    int rc = store_write(s, erase_batch_txn, &a);
    if (rc == SEGRT_OK)
        rc = store_sync(s);
    return rc;
}

int segrt_contact_erase(segrt_store *s, const char *id, const char *actor)
{
    return erase_batch(s, &id, 1, actor, NULL);
}

int segrt_contact_erase_many(segrt_store *s, const char *const *ids, size_t n, const char *actor,
                             unsigned char *erased)
{
    if (n > 0)
        memset(erased, 0, n);
    int rc = SEGRT_OK;
    for (size_t at = 0; at < n && rc == SEGRT_OK; at += ERASE_BATCH) {
        size_t k = n - at < ERASE_BATCH ? n - at : ERASE_BATCH;
        rc = erase_batch(s, ids + at, k, actor, erased + at);
        store_map_release(s); /* the columns a batch swept need not stay resident */
    }
    return rc;
}
