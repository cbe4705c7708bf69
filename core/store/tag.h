/*
 * tag.h — tags kept by rules (seg.tag): one string of a contact's set field
 * (`tags`) added or removed in the contact's row record and in the field's
 * bitset column together, as an import of that field would leave them.
 * Other strings of the field are never touched.
 *
 * Uses: store.h, column.h, row.h, dict.h, schema.h, bitset.h.
 */
#ifndef SEGRT_TAG_H
#define SEGRT_TAG_H

#include "store/column.h"
#include "util/bitset.h"

#define TAG_FIELD "tags"

/* Where a tag lives: its set field and its code there. */
typedef struct tag_ref {
    uint16_t field;
    uint32_t code;
} tag_ref;

/*
 * The set field TAG_FIELD (declared as a set when the store has none; an
 * error naming its type when it is not a set) and tag's code in it (added
 * to its dictionary when new), in write transaction txn, which it marks as
 * a write of contact data (the write_gen counter: what import streams keep
 * loaded is read again).
 */
int tag_ref_get(segrt_store *s, MDB_txn *txn, const char *tag, tag_ref *out);
/* Add (on) or remove the tag of contact ord; nothing when it already is so or is not stored. */
int tag_set(segrt_store *s, MDB_txn *txn, column_cache *cc, const tag_ref *t, uint32_t ord,
            int on);
/*
 * Make the tag held by exactly the contacts of want among ordinals below
 * want->nbits (contacts added since want was computed are left alone);
 * *changed counts the contacts that gained or lost it.
 */
int tag_sync(segrt_store *s, MDB_txn *txn, column_cache *cc, const tag_ref *t,
             const bitset *want, uint64_t *changed);

#endif
