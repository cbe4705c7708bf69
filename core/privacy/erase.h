/*
 * erase.h — removing a contact and everything about it (the erasure of
 * segrt_contact_erase, GDPR Art. 17, and the merged-away side of a merge),
 * and erasing many contacts at once, for retention: one write transaction
 * and one rebuild of the derived data per batch, an audit entry per contact,
 * as segrt_contact_erase() writes for one.
 */
#ifndef SEGRT_ERASE_H
#define SEGRT_ERASE_H

#include "store/column.h"
#include "store/row.h"
#include "store/store.h"

/* What erase_contact removed. */
typedef struct erase_counts {
    size_t fields;
    uint64_t events, consents, segments;
} erase_counts;

/*
 * Remove contact ord (external id[0..idlen), row record r) and everything
 * stored about it in txn: the row, the id index entry, its column values
 * (written through cc: the caller flushes it, and its earlier writes count
 * when deciding which strings are still used), the dictionary strings no
 * other contact uses, its timeline and consent history, its stored
 * memberships; the counters follow (ev_gen when it had events). No audit
 * entry and no rebuild of the projections or the id order: the caller does
 * both (a merge removes contacts this way too).
 */
int erase_contact(segrt_store *s, MDB_txn *txn, column_cache *cc, uint32_t ord, const char *id,
                  size_t idlen, const row *r, erase_counts *n);

/*
 * Erase the contacts ids[0 .. n) in one transaction; erased[i] tells which
 * were there (an id erased meanwhile is skipped, not an error). With erased
 * NULL, an unknown id fails (SEGRT_ENOTFOUND) and nothing is erased.
 */
int erase_batch(segrt_store *s, const char *const *ids, size_t n, const char *actor,
                unsigned char *erased);

#endif
