/*
 * segrt.h — public API of libsegrt, the Lua-scriptable customer-segmentation
 * runtime.
 *
 * Conventions (borrowed from LMDB and SQLite):
 *  - Handles are opaque. Every _open/_new has a _close/_free that accepts NULL.
 *  - Fallible calls return int: SEGRT_OK (0) or a negative SEGRT_E... code;
 *    outputs come last and are set to NULL/0 on failure.
 *  - segrt_errmsg(store) gives a human-readable detail of the last failure on
 *    that handle (file:line, LMDB context). It is owned by the handle and valid
 *    until the next call on it.
 *  - Strings returned through char ** are malloc'd; release them with
 *    segrt_free().
 *  - Times are unix seconds (UTC). Dates are days since 1970-01-01.
 */
#ifndef SEGRT_H
#define SEGRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(SEGRT_BUILDING)
#define SEGRT_API __attribute__((visibility("default")))
#else
#define SEGRT_API
#endif

/* One table generates the error codes, their names and their messages. */
#define SEGRT_ERRORS(X)                                                        \
    X(OK, 0, "success")                                                        \
    X(EINVAL, -1, "invalid argument")                                          \
    X(ENOMEM, -2, "out of memory")                                             \
    X(EIO, -3, "input/output error")                                           \
    X(ENOTFOUND, -4, "not found")                                              \
    X(ESTORE, -5, "store error")                                               \
    X(ECORRUPT, -6, "store is corrupt or of an unknown format")                \
    X(EBADROW, -7, "input row rejected")                                       \
    X(ESCHEMA, -8, "schema conflict")                                          \
    X(EBUSY, -9, "store is busy")                                              \
    X(ELUA, -10, "script error")

enum {
#define SEGRT_ENUM_(name, code, msg) SEGRT_##name = (code),
    SEGRT_ERRORS(SEGRT_ENUM_)
#undef SEGRT_ENUM_
};

/** The message of an error code ("not found"). Never NULL. */
SEGRT_API const char *segrt_strerror(int code);
/** The symbolic name of an error code ("SEGRT_ENOTFOUND"). Never NULL. */
SEGRT_API const char *segrt_errname(int code);
/** Release memory returned by libsegrt through a char ** out-parameter. */
SEGRT_API void segrt_free(void *p);

/* ------------------------------------------------------------------ store */

/** A store: one LMDB environment in a directory. Not shared between threads. */
typedef struct segrt_store segrt_store;

/** Flags for segrt_store_open(). */
enum {
    SEGRT_OPEN_CREATE = 1 << 0,   /**< create the directory and store if missing */
    SEGRT_OPEN_READONLY = 1 << 1  /**< open for reading only */
};

/**
 * Open the store in directory @p dir. On failure *out is NULL and, when the
 * error concerns the store, a message is written to errbuf (if non-NULL).
 */
SEGRT_API int segrt_store_open(const char *dir, unsigned flags, segrt_store **out,
                               char *errbuf, size_t errlen);
/** Close a store handle. Accepts NULL. */
SEGRT_API void segrt_store_close(segrt_store *s);
/** Detail of the last failure on @p s; owned by the handle. Never NULL. */
SEGRT_API const char *segrt_errmsg(const segrt_store *s);
/**
 * Set NOW, the reference time of every relative rule (unix seconds). The
 * default is the wall clock at open.
 */
SEGRT_API void segrt_store_set_now(segrt_store *s, int64_t now);
/** The store's NOW (unix seconds). */
SEGRT_API int64_t segrt_store_now(const segrt_store *s);
/**
 * Set the LMDB map size in bytes (for tests of map growth; the store grows
 * the map by itself when it fills). Call before any other operation.
 */
SEGRT_API int segrt_store_set_mapsize(segrt_store *s, size_t bytes);

/** Counts of what a store holds. */
typedef struct segrt_stats {
    uint64_t contacts;    /**< live contacts */
    uint64_t events;      /**< events of live contacts */
    uint64_t consents;    /**< consent records (full history) */
    uint64_t audit;       /**< audit log entries */
    uint64_t store_bytes; /**< size of the data file on disk */
} segrt_stats;

/** Fill @p out with the store's counts (one consistent snapshot). */
SEGRT_API int segrt_store_stats(segrt_store *s, segrt_stats *out);

/**
 * Call @p fn once per event type with its name and count, in name order.
 * A non-zero return from fn stops the iteration and is returned.
 */
SEGRT_API int segrt_event_type_counts(segrt_store *s,
                                      int (*fn)(void *ud, const char *type, uint64_t n),
                                      void *ud);

/**
 * Check the store's internal consistency (id index, columns, counters).
 * SEGRT_OK when sound, SEGRT_ECORRUPT with a detail in segrt_errmsg().
 */
SEGRT_API int segrt_store_check(segrt_store *s);

/* ----------------------------------------------------------------- schema */

/** Field types (SPEC §2). */
typedef enum segrt_type {
    SEGRT_T_INTEGER = 1,
    SEGRT_T_NUMBER,    /**< exact decimal, up to 6 fractional digits */
    SEGRT_T_STRING,    /**< categorical string */
    SEGRT_T_BOOLEAN,
    SEGRT_T_DATE,      /**< YYYY-MM-DD */
    SEGRT_T_TIMESTAMP, /**< YYYY-MM-DDTHH:MM:SSZ */
    SEGRT_T_SET        /**< string set: a;b;c in CSV, an array in JSONL */
} segrt_type;

/** The name of a type ("integer"), or NULL for an unknown value. */
SEGRT_API const char *segrt_type_name(segrt_type t);
/** Parse a type name; SEGRT_EINVAL when unknown. */
SEGRT_API int segrt_type_parse(const char *name, segrt_type *out);

/**
 * Declare a contact field with a type before importing it. Declaring an
 * existing field with the same type is a no-op; with another type it fails
 * with SEGRT_ESCHEMA.
 */
SEGRT_API int segrt_field_declare(segrt_store *s, const char *name, segrt_type type);

/**
 * Call @p fn for each contact field in declaration order with its name, type
 * and the number of contacts that have a value. Stops on non-zero.
 */
SEGRT_API int segrt_fields(segrt_store *s,
                           int (*fn)(void *ud, const char *name, segrt_type type,
                                     uint64_t present),
                           void *ud);

/**
 * Call @p fn for each distinct value of string field @p name with the number
 * of contacts that have it, most frequent first. Stops on non-zero.
 */
SEGRT_API int segrt_field_value_counts(segrt_store *s, const char *name,
                                       int (*fn)(void *ud, const char *value, uint64_t n),
                                       void *ud);

/**
 * Call @p fn for each consent purpose with the number of contacts that have a
 * record for it and the number whose record in force at NOW is a grant that
 * has not expired. Stops on non-zero.
 */
SEGRT_API int segrt_consent_summary(segrt_store *s,
                                    int (*fn)(void *ud, const char *purpose,
                                              uint64_t with_record, uint64_t granted),
                                    void *ud);

/* ----------------------------------------------------------------- import */

/** What a file holds. */
typedef enum segrt_kind {
    SEGRT_CONTACTS = 1,
    SEGRT_EVENTS,
    SEGRT_CONSENTS
} segrt_kind;

/** Called for each rejected row: file (as given), physical line, reason. */
typedef void (*segrt_reject_fn)(void *ud, const char *file, uint64_t line,
                                const char *reason);
/** Called after each committed batch with bytes done, total bytes, rows done. */
typedef void (*segrt_progress_fn)(void *ud, uint64_t bytes_done, uint64_t bytes_total,
                                  uint64_t rows);

/** Options of segrt_import_file(); zero-initialise, then set what you need. */
typedef struct segrt_import_opts {
    int strict;                 /**< first bad row aborts; nothing of the file commits */
    uint32_t batch_rows;        /**< rows per committed batch (0 = default) */
    segrt_reject_fn on_reject;  /**< NULL: rejects are only counted */
    /** Called, like on_reject, for each row kept with a notice: a contact whose
     *  e-mail another contact already has (both are kept; segrt dedupe finds them). */
    segrt_reject_fn on_notice;
    segrt_progress_fn on_progress;
    void *ud;                   /**< passed to the callbacks */
} segrt_import_opts;

/** What an import did. */
typedef struct segrt_import_report {
    uint64_t rows;      /**< data rows read */
    uint64_t accepted;  /**< rows kept (inserted, updated or already present) */
    uint64_t rejected;  /**< rows rejected */
    uint64_t inserted;  /**< new contacts / events / consent records */
    uint64_t noticed;   /**< rows kept with a notice (see on_notice) */
    uint64_t batches;   /**< committed batches */
} segrt_import_report;

/**
 * Import a CSV (header row) or JSONL file (by the extension .jsonl) of
 * @p kind. Contacts are upserted by id; events and consent records are
 * idempotent (SPEC §2). Returns SEGRT_OK when the import ran, even with
 * rejected rows; SEGRT_EBADROW when strict mode stopped at a bad row.
 */
SEGRT_API int segrt_import_file(segrt_store *s, segrt_kind kind, const char *path,
                                const segrt_import_opts *opts, segrt_import_report *out);

/**
 * Import rows held in memory: CSV with a header row, or JSONL when @p jsonl
 * is non-zero; @p name names the input in rejects and messages. Otherwise as
 * segrt_import_file(): one JSONL line upserts one contact or adds one event.
 */
SEGRT_API int segrt_import_buffer(segrt_store *s, segrt_kind kind, const char *name,
                                  const char *data, size_t len, int jsonl,
                                  const segrt_import_opts *opts, segrt_import_report *out);

/* -------------------------------------------------------------- contacts */

/**
 * Everything held about contact @p id as one JSON object with the keys
 * contact, events, consents, segments (SPEC §3). *json is malloc'd.
 * SEGRT_ENOTFOUND when the id is unknown. Appends an audit entry "export".
 */
SEGRT_API int segrt_contact_export(segrt_store *s, const char *id, const char *actor,
                                   char **json);

/**
 * A readable contact card of @p id (fields, consent in force at NOW, recent
 * events, segments) as text. *text is malloc'd.
 */
SEGRT_API int segrt_contact_card(segrt_store *s, const char *id, char **text);

/**
 * Erase contact @p id: its fields, events, consent records and memberships
 * (GDPR Art. 17). Only an audit entry without personal data remains.
 */
SEGRT_API int segrt_contact_erase(segrt_store *s, const char *id, const char *actor);

/* ---------------------------------------------------------------- consent */

/** Consent statuses (SPEC §2); indexes of segrt_consent_tally.status. */
enum {
    SEGRT_CONSENT_GRANTED = 1,
    SEGRT_CONSENT_WITHDRAWN,
    SEGRT_CONSENT_DENIED,
    SEGRT_CONSENT_STATUS_COUNT
};

/** Legal bases (GDPR Art. 6(1)); indexes of segrt_consent_tally.basis. */
enum {
    SEGRT_BASIS_NONE = 0, /**< no basis recorded (an imported record without one) */
    SEGRT_BASIS_CONSENT,
    SEGRT_BASIS_LEGITIMATE_INTEREST,
    SEGRT_BASIS_CONTRACT,
    SEGRT_BASIS_LEGAL_OBLIGATION,
    SEGRT_BASIS_VITAL_INTEREST,
    SEGRT_BASIS_PUBLIC_TASK,
    SEGRT_BASIS_COUNT
};

/** The name of a status ("granted"), or NULL for an unknown value. */
SEGRT_API const char *segrt_consent_status_name(int status);
/** The name of a legal basis ("legitimate_interest"), or NULL for none or unknown. */
SEGRT_API const char *segrt_legal_basis_name(int basis);

/**
 * Append a consent record for contact @p id at ts = the store's NOW, with an
 * audit entry "consent" (detail: purpose and status, never personal data) in
 * the same write transaction.
 *
 * @p status is "granted", "withdrawn" or "denied"; @p basis one of the legal
 * basis names (NULL: "consent"); @p expires the expiry in unix seconds, or
 * INT64_MIN when the record never expires (else it must lie after NOW);
 * @p source where the record comes from (NULL or "": none); @p actor who
 * made the change (NULL: "unknown"). A record identical to one already held
 * (same ts, purpose, status, basis, expiry and source) adds nothing and is
 * not audited. Which record is in force follows SPEC §2: appending a grant
 * in the same second as a withdrawal does not override it.
 *
 * SEGRT_ENOTFOUND when the id is unknown; SEGRT_EINVAL, with a message in
 * segrt_errmsg(), for a bad purpose name, status, basis or expiry.
 */
SEGRT_API int segrt_consent_append(segrt_store *s, const char *id, const char *purpose,
                                   const char *status, const char *basis, int64_t expires,
                                   const char *source, const char *actor);

/** One consent record. Strings are borrowed for the duration of the callback. */
typedef struct segrt_consent_record {
    const char *purpose;
    const char *status;   /**< "granted", "withdrawn" or "denied" */
    const char *basis;    /**< a legal basis name, or NULL when none was recorded */
    int64_t ts;
    int64_t expires;      /**< INT64_MIN when it never expires */
    const char *source;   /**< NULL when none was recorded */
    int in_force;         /**< 1 when it is the record in force for its purpose at NOW */
} segrt_consent_record;

/**
 * Call @p fn for each consent record of contact @p id in the order they were
 * recorded (the full history, GDPR Art. 7(1)). A non-zero return from fn
 * stops the iteration and is returned. SEGRT_ENOTFOUND when the id is unknown.
 */
SEGRT_API int segrt_consent_history(segrt_store *s, const char *id,
                                    int (*fn)(void *ud, const segrt_consent_record *r),
                                    void *ud);

/** Days ahead of NOW within which segrt_consent_report() counts a grant as expiring. */
#define SEGRT_CONSENT_EXPIRING_DAYS 30

/** What segrt_consent_report() counts for one purpose, over the records in force at NOW. */
typedef struct segrt_consent_tally {
    const char *purpose;
    uint64_t contacts;  /**< contacts with a record in force (records after NOW wait) */
    uint64_t status[SEGRT_CONSENT_STATUS_COUNT]; /**< by status ([0] unused) */
    uint64_t basis[SEGRT_BASIS_COUNT];           /**< by legal basis ([0]: none) */
    uint64_t expired;   /**< granted, but expires_at <= NOW */
    uint64_t stale;     /**< granted, not expired, ts older than NOW - max_age */
    uint64_t expiring;  /**< granted, not expired, expires_at <= NOW + 30 days */
} segrt_consent_tally;

/**
 * Call @p fn once per consent purpose, in name order, with the counts of the
 * records in force at NOW. @p max_age (seconds; 0 or less: none) makes a
 * grant older than NOW - max_age stale. The tally is borrowed for the call.
 * A non-zero return from fn stops the iteration and is returned.
 */
SEGRT_API int segrt_consent_report(segrt_store *s, int64_t max_age,
                                   int (*fn)(void *ud, const segrt_consent_tally *t),
                                   void *ud);

/**
 * Data retention: the contacts with no activity for @p inactive_days days
 * before NOW. A contact is inactive when its newest event and its newest
 * consent record are both older than NOW - inactive_days days; a contact
 * with neither is inactive when its created_at field is absent or older.
 *
 * With @p dry_run, only calls @p fn(ud, id) for each inactive contact, in
 * byte order of the ids. Otherwise erases each as segrt_contact_erase() does
 * (one audited erasure per contact, by @p actor) and calls fn after each.
 * A non-zero return from fn stops and is returned. SEGRT_EINVAL when
 * inactive_days is 0.
 */
SEGRT_API int segrt_retention(segrt_store *s, uint32_t inactive_days, int dry_run,
                              const char *actor, int (*fn)(void *ud, const char *id),
                              void *ud);

/* ------------------------------------------------------------- duplicates */

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

/** Options of segrt_dedupe(); zero-initialise, then set what you need. */
typedef struct segrt_dedupe_opts {
    segrt_dedupe_by by;
    segrt_survivor survivor;  /**< 0: SEGRT_SURVIVOR_OLDEST */
    int merge;                /**< merge each group into its survivor */
    const char *actor;        /**< who merges, for the audit log (NULL: "unknown") */
    /** Each group, in number order (after the merges were committed). */
    int (*on_group)(void *ud, const segrt_dup_group *g);
    /** A value that gives no key: contact id, the value, why (a phone number
     *  that cannot be read). NULL: they are only left out. */
    int (*on_unreadable)(void *ud, const char *id, const char *value, const char *why);
    void *ud;
} segrt_dedupe_opts;

/**
 * Find the groups of contacts that share a key (SEGRT_DEDUPE_*), and with
 * @p o->merge merge each group into its survivor, all groups in one write
 * transaction. A merge gives the survivor the others' events (an event it
 * already has is kept once) and consent records, fills the survivor's
 * missing fields from the others in the rule's order, keeps for every
 * purpose the most protective state in force at NOW (when a merged contact's
 * record in force withdraws, denies or objects and the survivor's would
 * grant, a copy of that record is added at NOW with the source "dedupe"),
 * removes the others as an erasure does (not audited as one), and appends
 * an audit entry "merge" (no personal data) whose sequence number is the
 * merge id. What undoing needs is kept in the store until the merge is
 * undone or the survivor is erased. A non-zero return from a callback stops
 * the reporting and is returned. SEGRT_EINVAL when the store lacks a field
 * the key needs.
 */
SEGRT_API int segrt_dedupe(segrt_store *s, const segrt_dedupe_opts *o);

/**
 * Undo merge @p merge: the merged contacts come back with their own fields,
 * events, consent records and stored memberships (for segments not run
 * since), and the survivor loses what the merge gave it (events, consent
 * records, filled fields it still has unchanged). Audited as "unmerge".
 * @p fn (may be NULL) gets each restored id. SEGRT_ENOTFOUND when no merge
 * with that id can be undone (with the reason: no such audit entry, not a
 * merge, undone already or erased); SEGRT_EINVAL when the survivor is gone
 * or a merged id exists again.
 */
SEGRT_API int segrt_dedupe_undo(segrt_store *s, uint64_t merge, const char *actor,
                                int (*fn)(void *ud, const char *id), void *ud);

/** A merge that can be undone. Borrowed for the duration of the callback. */
typedef struct segrt_merge_info {
    uint64_t merge;         /**< the merge id */
    int64_t now;            /**< NOW of the merge */
    const char *by;         /**< "email", "phone" or "name_city" */
    const char *survivor;   /**< the survivor's id, or NULL when it is gone */
    size_t n;               /**< merged contacts */
    const char *const *ids; /**< their ids */
} segrt_merge_info;

/** Call @p fn for each merge that can be undone, oldest first; stops on non-zero. */
SEGRT_API int segrt_merges_each(segrt_store *s,
                                int (*fn)(void *ud, const segrt_merge_info *m), void *ud);

/* ------------------------------------------------------------------ audit */

/** One audit entry. Strings are borrowed for the duration of the callback. */
typedef struct segrt_audit_entry {
    uint64_t seq;        /**< position in the log, from 1 */
    int64_t ts;          /**< wall-clock time of the action */
    const char *actor;
    const char *action;  /**< "erase", "export", "consent", ... */
    uint32_t ordinal;    /**< the contact's ordinal (never its id) */
    const char *detail;  /**< free text without personal data */
} segrt_audit_entry;

/** Call @p fn for each audit entry with ts >= since, oldest first. */
SEGRT_API int segrt_audit_each(segrt_store *s, int64_t since,
                               int (*fn)(void *ud, const segrt_audit_entry *e), void *ud);

/* ------------------------------------------------------- scripts, segments */

/**
 * What a script may use (its sandbox): memory of its Lua state, and per call
 * (loading, or one evaluation) Lua instructions and wall-clock time. A call
 * that reaches a limit fails with SEGRT_ELUA naming the script and the limit;
 * the script and the store stay usable. 0 in a field keeps that limit.
 */
typedef struct segrt_limits {
    size_t memory_bytes;   /**< default 512 MiB */
    uint64_t instructions; /**< default 10^9 */
    uint32_t milliseconds; /**< default 30 000 */
} segrt_limits;

/** The limits of scripts loaded from now on with @p s (per store). */
SEGRT_API void segrt_store_set_limits(segrt_store *s, const segrt_limits *limits);

/**
 * A loaded segment script (SPEC §4): its segments, scores and exclusive
 * groups, compiled against one store. Script errors are reported through
 * segrt_errmsg() of the store, with the script's file and line.
 */
typedef struct segrt_script segrt_script;

/** A set of contacts, e.g. the members of a segment at NOW. */
typedef struct segrt_set segrt_set;

/**
 * Load and run the Lua segment script at @p path (a file, or a folder pack:
 * its init.lua), or, when no such file exists, the pack of that name:
 * installed on the search path (segrt_packs_path()), else bundled
 * ("ecommerce_coffee"). A pack whose required fields or event types the
 * store lacks fails with one message naming all of them; so does a missing
 * dependency or a dependency cycle. SEGRT_ELUA on a script error.
 */
SEGRT_API int segrt_script_load(segrt_store *s, const char *path, segrt_script **out);

/** Load a script from memory; @p chunkname names it in error messages. */
SEGRT_API int segrt_script_load_string(segrt_store *s, const char *chunkname, const char *code,
                                       size_t len, segrt_script **out);

/**
 * Call @p fn with the name and one-line summary of every bundled pack, in
 * name order. A non-zero return from fn stops and is returned.
 */
SEGRT_API int segrt_packs_each(int (*fn)(void *ud, const char *name, const char *summary),
                               void *ud);

/** A pack as segrt_packs_list() reports it; the strings are borrowed for the call of fn. */
typedef struct segrt_pack_info {
    const char *name;
    const char *version;     /**< as its seg.pack declares it; "" when it failed to load */
    const char *description; /**< as its seg.pack declares it; "" when it failed to load */
    const char *origin;      /**< "bundled", or the installed file (NAME.lua) or folder (NAME/) */
    const char *shadowed_by; /**< for a bundled pack hidden by an installed one: where that is */
    const char *error;       /**< why loading it failed (a missing dependency, a cycle, ...) */
} segrt_pack_info;

/**
 * Call @p fn for every pack a SCRIPT name can refer to: the packs installed
 * on the search path (segrt_packs_path()) and the bundled ones, in name
 * order, an installed pack before the bundled pack of the same name, which
 * it shadows (shadowed_by is then set and the name loads the installed
 * one). Each pack runs in a sandbox without a store, so that its seg.pack
 * declaration can be read; shadowed_by and error are NULL when they do not
 * apply. A non-zero return from fn stops and is returned; SEGRT_ENOMEM when
 * out of memory.
 */
SEGRT_API int segrt_packs_list(int (*fn)(void *ud, const segrt_pack_info *p), void *ud);

/**
 * The pack search path, where installed packs are found: $SEGRT_PACKS
 * (directories separated by ':'), else $XDG_DATA_HOME/segrt/packs, else
 * ~/.local/share/segrt/packs. A pack there is a file NAME.lua or a folder
 * NAME/ with init.lua (whose modules it requires as "NAME.module"); the
 * first directory that has NAME wins. Written into @p buf as snprintf does
 * ("" when there is no path); returns the length it needs.
 */
SEGRT_API size_t segrt_packs_path(char *buf, size_t n);

/** Release a script. Accepts NULL. */
SEGRT_API void segrt_script_free(segrt_script *sc);

/** Change the limits of this script (per call; 0 fields keep the current ones). */
SEGRT_API void segrt_script_set_limits(segrt_script *sc, const segrt_limits *limits);

/** Number of segments the script defines (exclusive group members included). */
SEGRT_API size_t segrt_script_segment_count(const segrt_script *sc);

/** Name of segment @p i in definition order ("group.member" for group members). */
SEGRT_API const char *segrt_script_segment_name(const segrt_script *sc, size_t i);

/** Purpose of segment @p i (its consent purpose), or NULL when it has none. */
SEGRT_API const char *segrt_script_segment_purpose(const segrt_script *sc, size_t i);

/** Description of segment @p i, or "" when none was given. */
SEGRT_API const char *segrt_script_segment_description(const segrt_script *sc, size_t i);

/**
 * Evaluate segment @p name at the store's NOW over one snapshot of the store.
 * SEGRT_ENOTFOUND (with a "did you mean" hint) when the script has no such
 * segment; SEGRT_ELUA when the definition is wrong or a filter raises.
 */
SEGRT_API int segrt_segment_eval(segrt_script *sc, const char *name, segrt_set **out);

/**
 * Keep in @p m only the contacts that pass the consent check of @p purpose
 * at NOW (the script's seg.consent, else the shipped one; objections to
 * direct marketing apply to marketing purposes). For exporting a segment
 * without a purpose to a channel.
 */
SEGRT_API int segrt_set_keep_purpose(segrt_script *sc, segrt_set *m, const char *purpose);

/** Release a set. Accepts NULL. */
SEGRT_API void segrt_set_free(segrt_set *m);

/**
 * Whether contact @p id is in @p m: 1 or 0 in *in. SEGRT_ENOTFOUND when the
 * store has no such contact.
 */
SEGRT_API int segrt_set_contains(segrt_store *s, const segrt_set *m, const char *id, int *in);

/** Number of contacts in a set. */
SEGRT_API uint64_t segrt_set_count(const segrt_set *m);

/**
 * Call @p fn with the external id of every contact in @p m, in byte order of
 * the ids. A non-zero return from fn stops the iteration and is returned.
 */
SEGRT_API int segrt_set_ids(segrt_store *s, const segrt_set *m,
                            int (*fn)(void *ud, const char *id), void *ud);

/**
 * Call @p fn for every contact of @p m, in byte order of the ids, with a
 * compact JSON object: "id" and the named @p fields in that order (missing
 * values are null), or every field when @p nfields is 0. SEGRT_EINVAL names
 * an unknown field in segrt_errmsg().
 */
SEGRT_API int segrt_set_rows_json(segrt_store *s, const segrt_set *m, const char *const *fields,
                                  size_t nfields, int (*fn)(void *ud, const char *json),
                                  void *ud);

/**
 * As segrt_set_rows_json(), where @p fields may also name scores and model
 * outputs of the script (e.g. "rfm.R"), evaluated at the store's NOW.
 */
SEGRT_API int segrt_script_rows_json(segrt_script *sc, const segrt_set *m,
                                     const char *const *fields, size_t nfields,
                                     int (*fn)(void *ud, const char *json), void *ud);

/**
 * What model @p name of the script (seg.model; the shipped models.rfm,
 * models.bgnbd, models.kmeans, models.churn, models.engagement) computes at
 * NOW, as text: fitted parameters, its scores' ranges, its segments' sizes.
 * *text is malloc'd. SEGRT_ENOTFOUND (with a hint) when there is no such model.
 */
SEGRT_API int segrt_model_summary(segrt_script *sc, const char *name, char **text);

/* ------------------------------------------------------------------- live */

/**
 * A script's segments kept up to date as rows arrive (the real-time path).
 * Opening evaluates every segment once; each segrt_live_apply() then
 * imports a batch of rows and evaluates again only the contacts the rows
 * touched, reporting who entered or left which segment. Values that rank a
 * contact against everybody (seg.ntile/rank/percentile, fitted models such
 * as RFM quintiles or BG/NBD) are kept as they were at open: they are batch
 * values, refreshed by opening a new session. Evaluation is at the store's
 * NOW when the session opened.
 */
typedef struct segrt_live segrt_live;

/**
 * Told that contact @p id entered (@p entered 1) or left (0) @p segment.
 * Both strings are borrowed for the call. A non-zero return stops the update
 * with an error.
 */
typedef int (*segrt_live_fn)(void *ud, const char *id, const char *segment, int entered);

/**
 * Start a live session of @p sc (which must outlive it). While it is open the
 * store commits without syncing to disk; segrt_live_flush() syncs. One
 * session per store at a time: a second is SEGRT_EINVAL.
 */
SEGRT_API int segrt_live_open(segrt_script *sc, segrt_live **out);

/**
 * Import @p len bytes of JSON lines of @p kind (contacts, events or consent
 * records, one object a line, as segrt_import_buffer() accepts them), then
 * evaluate every segment again for each contact the rows touched and call
 * @p fn (may be NULL) for each change. Rows are committed, in batches, but not
 * synced; rejected rows are counted in @p report (may be NULL) and do not stop
 * the call. Returns the import's error, else the evaluation's.
 */
SEGRT_API int segrt_live_apply(segrt_live *lv, segrt_kind kind, const char *jsonl, size_t len,
                               segrt_live_fn fn, void *ud, segrt_import_report *report);

/** Whether contact @p id is in @p segment now (a bit test). SEGRT_ENOTFOUND for an unknown id or segment. */
SEGRT_API int segrt_live_contains(segrt_live *lv, const char *segment, const char *id, int *in);

/** The number of members of @p segment now. */
SEGRT_API int segrt_live_count(segrt_live *lv, const char *segment, uint64_t *count);

/**
 * Make everything applied so far durable (sync to disk) and rebuild the
 * derived data the session left stale (event projections, the id order), so
 * other readers of the store are fast again. Costs about one second per ten
 * million events; call it every few seconds, not per row.
 */
SEGRT_API int segrt_live_flush(segrt_live *lv);

/** Flush what is pending and end the session; accepts NULL. Returns the flush's result. */
SEGRT_API int segrt_live_close(segrt_live *lv);

/* ----------------------------------------------------------------- report */

/** What segrt_report_build() measures; segrt_report_defaults() fills it. */
typedef struct segrt_report_opts {
    const char *conversion_event; /**< event type that counts as a conversion (NULL:
                                       purchase, when the store has any) */
    uint32_t within_days;  /**< conversion window after a segment's last run (30 days) */
    uint32_t email_days;   /**< email opens and clicks counted in the days up to NOW (90) */
    uint64_t min_size;     /**< a segment with fewer members is flagged small (100) */
    double max_share;      /**< one with more than this share of the contacts is flagged
                                broad (0.5; 0 < max_share <= 1) */
} segrt_report_opts;

/** The defaults of every option of segrt_report_build(). */
SEGRT_API void segrt_report_defaults(segrt_report_opts *opts);

/** A segment report: numbers computed once, rendered as text or HTML. */
typedef struct segrt_report segrt_report;

/**
 * Measure every segment of @p sc at the store's NOW, over one snapshot:
 *  - size, and share of the live contacts;
 *  - size history: the stored runs of the segment (segrt run), and the
 *    entered and exited of the last run;
 *  - value: the sum of the amounts of the members' purchase events with
 *    ts <= NOW (exact, micro-units), and that sum per member rounded half
 *    away from zero to the cent;
 *  - conversion: of the members stored by the segment's last run (NOW0), the
 *    share with at least one conversion event with NOW0 < ts <=
 *    min(NOW0 + within_days, NOW); the window is open while NOW0 +
 *    within_days is after NOW;
 *  - email: the share of members with at least one email_open, and with at
 *    least one email_click, with NOW - email_days <= ts <= NOW; when the
 *    store has email_sent events, of the members sent an email in that
 *    window instead of all members;
 *  - flags: small (size < min_size) and broad (share > max_share);
 *  - the overlap matrix of the segments;
 *  - per RFM model of the script (require "models.rfm"): the count of
 *    contacts per (R, F) cell and the average monetary value of each cell.
 * @p opts NULL means the defaults; @p title names what the report is of (the
 * script's path or pack name; NULL: "script"). SEGRT_ENOTFOUND (with a
 * hint) when conversion_event is given and the store has no such events
 * (without it and without purchase events, there is no conversion to
 * report); SEGRT_EINVAL for bad options. *out is NULL on failure.
 */
SEGRT_API int segrt_report_build(segrt_script *sc, const segrt_report_opts *opts,
                                 const char *title, segrt_report **out);

/** The report as aligned text tables with sparklines (UTF-8). *text is malloc'd. */
SEGRT_API int segrt_report_text(const segrt_report *r, char **text);

/**
 * The report as one self-contained HTML page (inline CSS and SVG charts, no
 * script, nothing fetched). Each segment's size is in an element
 * <td class="size" data-segment="NAME">. *html is malloc'd.
 */
SEGRT_API int segrt_report_html(const segrt_report *r, char **html);

/** Release a report. Accepts NULL. */
SEGRT_API void segrt_report_free(segrt_report *r);

/* ------------------------------------------------------------ stored runs */

/** One contact whose membership changed (segrt_segment_changes); strings borrowed for the call. */
typedef struct segrt_change {
    const char *change; /**< "entered" or "left" */
    const char *id;     /**< the contact's external id */
    const char *email;  /**< its email field, or NULL when it has none */
} segrt_change;

/**
 * The stored run of segment @p name (recorded by `segrt run`) to sync from
 * at time @p t: of its runs whose NOW is at or before t, the one with the
 * latest NOW (the higher run number on a tie). SEGRT_ENOTFOUND, with a
 * message, when the segment has no stored run or none at or before t.
 */
SEGRT_API int segrt_segment_run_at(segrt_store *s, const char *name, int64_t t, uint64_t *run);

/**
 * Who entered and who left segment @p name between its stored run @p since
 * and its last stored run: @p fn once per contact, in byte order of the ids.
 * The members at run since are rebuilt from the last run's members through
 * the entered and exited sets each later run stored; erased contacts appear
 * nowhere. A non-zero return from fn stops and is returned. SEGRT_ENOTFOUND,
 * with a message, when the segment has no stored run, since is not one of
 * its runs, or a later run was stored before runs kept their changes.
 */
SEGRT_API int segrt_segment_changes(segrt_store *s, const char *name, uint64_t since,
                                    int (*fn)(void *ud, const segrt_change *c), void *ud);

/* --------------------------------------------------------------- messages */

/** One rendered message (segrt_template_render). Strings are borrowed for the callback. */
typedef struct segrt_message {
    const char *id;      /**< the contact's external id */
    const char *email;   /**< its email field, or NULL when it has none */
    const char *subject; /**< one line: control characters in values become spaces */
    const char *body;    /**< values HTML-escaped when the template's format is "html" */
} segrt_message;

/**
 * Render message template @p template_text_name of the script (seg.template) for every
 * member of segment @p segment who passes the consent check of the
 * template's purpose at NOW: @p fn is called once per member, in byte order
 * of the ids. The placeholders were checked when the script loaded (a name
 * that is no field, score or value of the template fails the load); here a
 * missing or empty value gives the placeholder's fallback, else nothing. A
 * non-zero return from fn stops and is returned. SEGRT_ENOTFOUND (with a
 * "did you mean" hint) for an unknown segment or template.
 */
SEGRT_API int segrt_template_render(segrt_script *sc, const char *segment, const char *template_text_name,
                                    int (*fn)(void *ud, const segrt_message *m), void *ud);

/* ------------------------------------------------------------------- time */

/** Parse YYYY-MM-DDTHH:MM:SSZ (or YYYY-MM-DD, midnight) to unix seconds. */
SEGRT_API int segrt_time_parse(const char *text, int64_t *out);
/** Format unix seconds as YYYY-MM-DDTHH:MM:SSZ into out (at least 21 bytes). */
SEGRT_API void segrt_time_format(int64_t t, char out[21]);

/* ------------------------------------------------------------------- demo */

/**
 * Write a demo data set (contacts.csv, events.csv, consents.csv) of
 * @p contacts synthetic contacts into directory @p dir, with timestamps in
 * the three years before @p now. Deterministic for a given seed.
 */
SEGRT_API int segrt_demo_write(const char *dir, uint32_t contacts, uint64_t seed,
                               int64_t now, char *errbuf, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_H */
