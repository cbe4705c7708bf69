/**
 * @file segrt/dedupe.h
 * @brief Duplicate contacts: finding the groups that share a key, merging
 * each into a survivor, and undoing a merge.
 */
#ifndef SEGRT_PUBLIC_DEDUPE_H
#define SEGRT_PUBLIC_DEDUPE_H

#include "segrt/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What segrt_dedupe() compares. */
typedef enum segrt_dedupe_by {
    SEGRT_DEDUPE_EMAIL = 1, /**< email, trimmed and lower-cased */
    SEGRT_DEDUPE_PHONE,     /**< phone in E.164; RO, PL and BG numbers checked, a number
                                 without +/00 is of the contact's country (RO, PL, BG) */
    SEGRT_DEDUPE_NAME_CITY  /**< first_name, last_name and city: Latin diacritics dropped
                                 (ș = s, ł = l), case-folded, white space collapsed */
} segrt_dedupe_by;

/** Which contact of a group survives a merge; ties go to the smaller id (byte order). */
typedef enum segrt_survivor {
    SEGRT_SURVIVOR_OLDEST = 1,  /**< earliest created_at (contacts without one come last) */
    SEGRT_SURVIVOR_NEWEST,      /**< latest created_at (contacts without one come last) */
    SEGRT_SURVIVOR_MOST_EVENTS  /**< most events */
} segrt_survivor;

/** One group of duplicates. Borrowed for the duration of the callback. */
typedef struct segrt_dup_group {
    uint64_t number;        /**< 1, 2, ... in byte order of the keys */
    const char *key;        /**< the normalised key the contacts share */
    size_t n;               /**< contacts in the group, 2 or more */
    const char *const *ids; /**< ids[0] survives; the others follow in the rule's order */
    uint64_t merge;         /**< merged: the merge id (the audit entry's sequence); else 0 */
} segrt_dup_group;

/**
 * Told about one group of duplicates.
 * @param ud the options' ud
 * @param g the group (borrowed for the call)
 * @return 0 to go on; non-zero stops the reporting, and segrt_dedupe() returns it
 */
typedef int (*segrt_dup_group_fn)(void *ud, const segrt_dup_group *g);

/**
 * Told about a value that gives no key (a phone number that cannot be read).
 * @param ud the options' ud
 * @param id the contact's external id (borrowed for the call)
 * @param value the value (borrowed for the call)
 * @param why why it gives no key (borrowed for the call)
 * @return 0 to go on; non-zero stops the reporting, and segrt_dedupe() returns it
 */
typedef int (*segrt_unreadable_fn)(void *ud, const char *id, const char *value, const char *why);

/** Options of segrt_dedupe(); zero-initialise, then set what you need. */
typedef struct segrt_dedupe_opts {
    segrt_dedupe_by by;       /**< the key */
    segrt_survivor survivor;  /**< 0: SEGRT_SURVIVOR_OLDEST */
    int merge;                /**< merge each group into its survivor */
    const char *actor;        /**< who merges, for the audit log (NULL: "unknown") */
    /** Each group, in number order (after the merges were committed). */
    segrt_dup_group_fn on_group;
    /** Each value that gives no key. NULL: they are only left out. */
    segrt_unreadable_fn on_unreadable;
    void *ud;                 /**< passed to the callbacks */
} segrt_dedupe_opts;

/**
 * Find the groups of contacts that share a key, and with @p o->merge merge
 * each group into its survivor, all groups in one write transaction. A merge
 * gives the survivor the others' events (an event it already has is kept
 * once) and consent records, fills the survivor's missing fields from the
 * others in the rule's order, keeps for every purpose the most protective
 * state in force at NOW (when a merged contact's record in force withdraws,
 * denies or objects and the survivor's would grant, a copy of that record is
 * added at NOW with the source "dedupe"), removes the others as an erasure
 * does (not audited as one), and appends an audit entry "merge" (no personal
 * data) whose sequence number is the merge id. What undoing needs is kept in
 * the store until the merge is undone or the survivor is erased.
 * @param s the store
 * @param o the options
 * @return SEGRT_OK, a callback's non-zero return (which stops the
 *         reporting), SEGRT_EINVAL when the store lacks a field the key
 *         needs, or another error code
 */
SEGRT_API int segrt_dedupe(segrt_store *s, const segrt_dedupe_opts *o);

/**
 * Undo a merge: the merged contacts come back with their own fields, events,
 * consent records and stored memberships (for segments not run since), and
 * the survivor loses what the merge gave it (events, consent records, filled
 * fields it still has unchanged). Audited as "unmerge".
 * @param s the store
 * @param merge the merge id
 * @param actor who undoes it, for the audit log
 * @param fn called with each restored contact (may be NULL); a non-zero
 *        return stops
 * @param ud passed to fn
 * @return SEGRT_OK; SEGRT_ENOTFOUND when no merge with that id can be undone
 *         (with the reason: no such audit entry, not a merge, undone already
 *         or erased); SEGRT_EINVAL when the survivor is gone or a merged id
 *         exists again; or another error code
 */
SEGRT_API int segrt_dedupe_undo(segrt_store *s, uint64_t merge, const char *actor,
                                segrt_id_fn fn, void *ud);

/** A merge that can be undone. Borrowed for the duration of the callback. */
typedef struct segrt_merge_info {
    uint64_t merge;         /**< the merge id */
    int64_t now;            /**< NOW of the merge */
    const char *by;         /**< "email", "phone" or "name_city" */
    const char *survivor;   /**< the survivor's id, or NULL when it is gone */
    size_t n;               /**< merged contacts */
    const char *const *ids; /**< their ids */
} segrt_merge_info;

/**
 * Told about one merge that can be undone.
 * @param ud the ud given with the callback
 * @param m the merge (borrowed for the call)
 * @return 0 to go on; non-zero stops the iteration, which returns it
 */
typedef int (*segrt_merge_fn)(void *ud, const segrt_merge_info *m);

/**
 * Call @p fn for each merge that can be undone, oldest first.
 * @param s the store
 * @param fn called for each merge
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, or an error code
 */
SEGRT_API int segrt_merges_foreach(segrt_store *s, segrt_merge_fn fn, void *ud);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_DEDUPE_H */
