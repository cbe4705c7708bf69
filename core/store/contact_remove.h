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
 * The dictionary strings removed contacts used. Whether another contact
 * still uses them is decided for all of them at once, by
 * contact_remove_sweep: one pass over each string column per transaction,
 * not one per removed contact.
 */
typedef struct contact_remove_strings {
    struct contact_remove_code *code;
    size_t n, cap;
} contact_remove_strings;

/*
 * Remove contact ord (external id[0..idlen), row record r) and everything
 * stored about it in txn: the row, the id index entry, its column values
 * (written through cc: the caller flushes it), its timeline and consent
 * history, its stored memberships; the counters follow. Its dictionary
 * strings are noted in *strings, for contact_remove_sweep before the
 * transaction commits. Its timeline is noted for the event projections
 * (proj_update_touch); no audit entry and no proj_update_flush: the caller
 * does them.
 */
int contact_remove(segrt_store *s, MDB_txn *txn, column_cache *cc, uint32_t ord, const char *id,
                   size_t idlen, const row *r, contact_remove_strings *strings,
                   contact_remove_counts *n);

/*
 * Drop from the dictionaries the strings of *strings that no contact uses
 * any more, as txn and cc's writes leave the columns (personal data: an
 * e-mail, a name); *strings is emptied.
 */
int contact_remove_sweep(segrt_store *s, MDB_txn *txn, const column_cache *cc,
                         contact_remove_strings *strings);
void contact_remove_strings_free(contact_remove_strings *strings);

#endif
