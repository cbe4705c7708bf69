/**
 * @file segrt/contact.h
 * @brief One contact: everything held about it (GDPR access), a readable
 * card, erasure (GDPR erasure), and the retention rule that erases
 * inactive contacts.
 */
#ifndef SEGRT_PUBLIC_CONTACT_H
#define SEGRT_PUBLIC_CONTACT_H

#include "segrt/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Everything held about a contact, as one JSON object with the keys contact
 * (its fields), events (an array), consents (an array, the full history) and
 * segments (an array). Appends an audit entry "export".
 * @param s the store
 * @param id the contact's external id
 * @param actor who asked, for the audit log
 * @param json receives the object as text, malloc'd (segrt_free()); NULL on failure
 * @return SEGRT_OK, SEGRT_ENOTFOUND when the id is unknown, or another error code
 */
SEGRT_API int segrt_contact_export(segrt_store *s, const char *id, const char *actor,
                                   char **json);

/**
 * A readable contact card: fields, consent in force at NOW, recent events,
 * segments.
 * @param s the store
 * @param id the contact's external id
 * @param text receives the card, malloc'd (segrt_free()); NULL on failure
 * @return SEGRT_OK, SEGRT_ENOTFOUND when the id is unknown, or another error code
 */
SEGRT_API int segrt_contact_card(segrt_store *s, const char *id, char **text);

/**
 * Which fields a card leaves out (segrt_contact_card_hiding()).
 * @param ud the ud given with the callback
 * @param field a field's name
 * @return its special category (GDPR Art. 9) when its value is to be left
 *         out, or NULL to show it
 */
typedef const char *(*segrt_hide_fn)(void *ud, const char *field);

/**
 * segrt_contact_card(), with the value of each field @p hide names a
 * special category of replaced by that category (segrt show: Art. 9 values
 * only under a purpose resting on explicit consent).
 * @param s the store
 * @param id the contact's external id
 * @param hide which fields to leave out (NULL: none)
 * @param ud passed to hide
 * @param text receives the card, malloc'd (segrt_free()); NULL on failure
 * @return SEGRT_OK, SEGRT_ENOTFOUND when the id is unknown, or another error code
 */
SEGRT_API int segrt_contact_card_hiding(segrt_store *s, const char *id, segrt_hide_fn hide,
                                        void *ud, char **text);

/**
 * The contact card of segrt_contact_card() as one compact JSON object:
 * contact (its fields), consent (the records in force at NOW),
 * consent_records (how many the history holds), recent_events (the newest
 * ten, newest first), events (how many it has) and segments (the stored
 * segments it is a member of). Not an export: nothing is audited.
 * @param s the store
 * @param id the contact's external id
 * @param json receives the object as text, malloc'd (segrt_free()); NULL on failure
 * @return SEGRT_OK, SEGRT_ENOTFOUND when the id is unknown, or another error code
 */
SEGRT_API int segrt_contact_card_json(segrt_store *s, const char *id, char **json);

/**
 * segrt_contact_card_json(), with the value of each field @p hide names a
 * special category of replaced by {"special_category": "..."}.
 * @param s the store
 * @param id the contact's external id
 * @param hide which fields to leave out (NULL: none)
 * @param ud passed to hide
 * @param json receives the object as text, malloc'd (segrt_free()); NULL on failure
 * @return SEGRT_OK, SEGRT_ENOTFOUND when the id is unknown, or another error code
 */
SEGRT_API int segrt_contact_card_json_hiding(segrt_store *s, const char *id, segrt_hide_fn hide,
                                             void *ud, char **json);

/**
 * Erase a contact: its fields, events, consent records and memberships
 * (GDPR Art. 17). Only an audit entry without personal data remains.
 * @param s the store
 * @param id the contact's external id
 * @param actor who erases, for the audit log
 * @return SEGRT_OK, SEGRT_ENOTFOUND when the id is unknown, or another error code
 */
SEGRT_API int segrt_contact_erase(segrt_store *s, const char *id, const char *actor);

/**
 * Erase many contacts, each as segrt_contact_erase() erases one (an audit
 * entry per contact), in batches of 512 ids: one write transaction and one
 * update of the derived data per batch, not one per id. An id that names
 * no contact (unknown, erased already, listed twice, or merged into
 * another) is skipped, not an error: @p erased says which were erased. A
 * failing batch erases none of its ids; the batches before it stay erased.
 * The erased contacts' bytes stay in the data file's free pages until
 * segrt_store_compact() (segrt_stats.erased_awaiting_compaction counts them).
 * @param s the store, open for writing
 * @param ids the contacts' external ids
 * @param n how many ids
 * @param actor who erases, for the audit log
 * @param erased receives n flags: erased[i] is 1 when ids[i] was erased, else 0
 * @return SEGRT_OK (whether or not every id was found), or the error code of
 *         the first batch that failed
 */
SEGRT_API int segrt_contact_erase_many(segrt_store *s, const char *const *ids, size_t n,
                                       const char *actor, unsigned char *erased);

/**
 * Data retention: the contacts with no activity for @p inactive_days days
 * before NOW. A contact is inactive when its newest event and its newest
 * consent record are both older than NOW - inactive_days days; a contact
 * with neither is inactive when its created_at field is absent or older.
 * With @p dry_run only calls @p fn for each inactive contact, in byte order
 * of the ids; otherwise erases each as segrt_contact_erase() does (one
 * audited erasure per contact) and calls fn after each.
 * @param s the store
 * @param inactive_days days without activity, at least 1
 * @param dry_run non-zero: erase nothing
 * @param actor who erases, for the audit log
 * @param fn called with each inactive contact; a non-zero return stops
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, SEGRT_EINVAL when inactive_days is
 *         0, or another error code
 */
SEGRT_API int segrt_retention(segrt_store *s, uint32_t inactive_days, int dry_run,
                              const char *actor, segrt_id_fn fn, void *ud);

/**
 * Rectify a contact (GDPR Art. 16): set or clear some of its fields. Each
 * value is read as an import reads text for the field's type (a date as
 * YYYY-MM-DD, a set as "a;b"), all changes in one transaction with an audit
 * entry "rectify" that names the fields, never the values.
 * @param s the store
 * @param id the contact's id (it must exist: nothing is created)
 * @param n how many fields change
 * @param fields the fields' names (existing fields; not "id")
 * @param values the new values as text, or NULL to clear that field
 * @param actor who rectifies, for the audit log
 * @return SEGRT_OK; SEGRT_EINVAL for an unknown contact or field, an empty
 *         value or one that does not read as its type (the message says
 *         which); or another error code
 */
SEGRT_API int segrt_contact_set(segrt_store *s, const char *id, size_t n,
                                const char *const *fields, const char *const *values,
                                const char *actor);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_CONTACT_H */
