/*
 * contact_remove.h — removing a contact and everything stored about it, in
 * the caller's write transaction (contact_remove.c): what both an erasure
 * (GDPR Art. 17, privacy/erase.c) and a merge (dedupe/merge.c) do to the
 * contacts that go.
 */
#ifndef SEGRT_CONTACT_REMOVE_H
#define SEGRT_CONTACT_REMOVE_H

#include "store/column.h"
#include "store/row.h"
#include "store/store.h"

/* What contact_remove removed. */
typedef struct contact_remove_counts {
    size_t fields;
    uint64_t events, consents, segments;
} contact_remove_counts;

/*
 * Remove contact ord (external id[0..idlen), row record r) and everything
 * stored about it in txn: the row, the id index entry, its column values
 * (written through cc: the caller flushes it, and its earlier writes count
 * when deciding which strings are still used), the dictionary strings no
 * other contact uses, its timeline and consent history, its stored
 * memberships; the counters follow. Its timeline is noted for the event
 * projections (proj_update_touch); no audit entry, no proj_update_flush and
 * no rebuild of the id order: the caller does them.
 */
int contact_remove(segrt_store *s, MDB_txn *txn, column_cache *cc, uint32_t ord, const char *id,
                   size_t idlen, const row *r, contact_remove_counts *n);

#endif
