/*
 * contact_json.h — everything held about one contact as a JSON object
 * {contact, events, consents, segments} (SPEC §3 export), plus "merged"
 * when merges into it can be undone (what the store keeps of the merged
 * contacts: merge, merged_at, by, contacts [{contact, events, consents}]),
 * shared by segrt_contact_export() and the contact card.
 */
#ifndef SEGRT_CONTACT_JSON_H
#define SEGRT_CONTACT_JSON_H

#include "store/store.h"

#include <jansson.h>

/* Build the object for ord in txn; consents carry "in_force" at s->now. */
int contact_json(segrt_store *s, MDB_txn *txn, uint32_t ord, json_t **out);
/* The contact's fields ("id" first, then declaration order) into obj. */
int contact_json_fields(segrt_store *s, MDB_txn *txn, uint32_t ord, json_t *obj);
/* Flags for json_dumps of contact objects: exact decimals up to 15 digits. */
#define CONTACT_JSON_FLAGS (JSON_REAL_PRECISION(15) | JSON_PRESERVE_ORDER)

#endif
