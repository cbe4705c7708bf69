/**
 * @file segrt/store.h
 * @brief The store: one LMDB environment in a directory holding contacts,
 * their events and consent records, stored segment runs and an audit log.
 * Opening, compacting and closing it, its NOW, what it holds, its
 * consistency check and its audit log.
 */
#ifndef SEGRT_PUBLIC_STORE_H
#define SEGRT_PUBLIC_STORE_H

#include "segrt/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A store: one LMDB environment in a directory. Not shared between threads. */
typedef struct segrt_store segrt_store;

/** Flags for segrt_store_open(). */
enum {
    SEGRT_OPEN_CREATE = 1 << 0,   /**< create the directory and store if missing */
    SEGRT_OPEN_READONLY = 1 << 1, /**< open for reading only */
    SEGRT_OPEN_FLAGGED = 1 << 2   /**< open a store segrt_store_check() flagged corrupt (to
                                       check it again, or copy out what is readable) */
};

/**
 * Open the store in a directory. While segrt_store_compact() swaps the
 * store's data file, this waits for it to finish. Opening walks the pages
 * that name the store's tables and refuses damaged ones. Where LMDB later
 * meets a damaged page it would abort the process on, segrt flags the store
 * (see segrt_store_check()) and ends the process with exit status 1 and a
 * message on stderr instead: an embedding host should check a store it
 * suspects with segrt_store_check() first, which walks every page.
 * @param dir the store's directory
 * @param flags SEGRT_OPEN_CREATE and/or SEGRT_OPEN_READONLY, or 0
 * @param out receives the handle (NULL on failure); close it with segrt_store_close()
 * @param errbuf when non-NULL, receives a message when the error concerns the store
 * @param errlen the size of errbuf
 * @return SEGRT_OK; SEGRT_ECORRUPT (naming what check found and what to do) for a
 *         store segrt_store_check() flagged corrupt, unless SEGRT_OPEN_FLAGGED;
 *         or another error code
 */
SEGRT_API int segrt_store_open(const char *dir, unsigned flags, segrt_store **out,
                               char *errbuf, size_t errlen);

/**
 * Rewrite the store's data file without its free pages, which keep deleted
 * bytes (an erased contact's) until later writes reuse them: a compacting
 * copy is written beside it (in DIR/compact.tmp), the audit entry "compact"
 * (the sizes before and after) is added to the copy, and the copy replaces
 * data.mdb in one rename. A crash leaves the old file or the new one, whole;
 * the next compact removes a leftover compact.tmp. The handle stays open,
 * on the compacted store.
 *
 * Every record is copied into fresh pages, so the copy holds no other byte
 * of an erased contact either (no deleted key kept as a separator in the
 * id index, no remainder in a page's unused middle), and of the event and
 * consent dictionaries only the categories, channels and sources that a
 * timeline, consent history or merge undo record still uses. It needs free
 * space for two copies of the used bytes meanwhile. The count of erasures
 * awaiting a compact goes to 0 and the time it ran is kept (segrt_stats).
 *
 * The store must be open nowhere else, in this process or another: while a
 * handle has it open (a REPL, a live session, a host) this fails with
 * SEGRT_EBUSY and changes nothing, since a process that kept the old file
 * open would go on reading and writing it. While it runs, segrt_store_open()
 * of the store waits, then opens the compacted file.
 * @param s the store, opened for writing
 * @param actor who compacts, for the audit log (NULL: "unknown")
 * @param before when non-NULL, receives the data file's size before, in bytes
 * @param after when non-NULL, receives its size after, in bytes
 * @return SEGRT_OK; SEGRT_EBUSY when the store is open elsewhere or a live
 *         session is open on s; SEGRT_EINVAL when s is read-only; SEGRT_EIO
 *         or another code when the copy cannot be made (the store is then
 *         unchanged) or, after the swap, reopened (then s can only be closed)
 */
SEGRT_API int segrt_store_compact(segrt_store *s, const char *actor, uint64_t *before,
                                  uint64_t *after);

/**
 * Close a store handle.
 * @param s the store; NULL is accepted
 */
SEGRT_API void segrt_store_close(segrt_store *s);

/**
 * The detail of the last failure on a store.
 * @param s the store
 * @return the message, owned by the handle and valid until the next call on
 *         it; never NULL
 */
SEGRT_API const char *segrt_errmsg(const segrt_store *s);

/**
 * Set NOW, the reference time of every relative rule. The default is the
 * wall clock at open.
 * @param s the store
 * @param now unix seconds
 */
SEGRT_API void segrt_store_set_now(segrt_store *s, int64_t now);

/**
 * The store's NOW.
 * @param s the store
 * @return NOW in unix seconds
 */
SEGRT_API int64_t segrt_store_now(const segrt_store *s);

/**
 * Set the LMDB map size (for tests of map growth: the store grows the map by
 * itself when it fills). Call before any other operation.
 * @param s the store
 * @param bytes the map size in bytes
 * @return SEGRT_OK or an error code
 */
SEGRT_API int segrt_store_set_mapsize(segrt_store *s, size_t bytes);

/** Counts of what a store holds. */
typedef struct segrt_stats {
    uint64_t contacts;    /**< live contacts */
    uint64_t events;      /**< events of live contacts */
    uint64_t consents;    /**< consent records (full history) */
    uint64_t audit;       /**< audit log entries */
    uint64_t store_bytes; /**< size of the data file on disk */
    /**
     * bytes of the data file in pages that hold the store (what
     * segrt_store_compact() shrinks the file to)
     */
    uint64_t used_bytes;
    /**
     * bytes of the data file in free pages: later writes reuse them; until
     * then they keep what was deleted (an erased contact's bytes), and
     * segrt_store_compact() drops them
     */
    uint64_t free_bytes;
    /**
     * chunks of 65,536 contacts whose event projections wait for a rebuild
     * (a bulk import or a live session under way, or stopped before its
     * end); readers build them from the timelines meanwhile, and the next
     * events import, live flush or write to the chunk rebuilds them
     */
    uint64_t projection_chunks_pending;
    /**
     * contacts erased since the last segrt_store_compact(): their bytes are
     * in free pages until it runs
     */
    uint64_t erased_awaiting_compaction;
    /** when segrt_store_compact() last ran (Unix seconds, wall clock); 0: never */
    int64_t last_compaction;
} segrt_stats;

/**
 * The store's counts and the use of its data file, from one consistent
 * snapshot (store_bytes is measured after it).
 * @param s the store
 * @param out receives the counts
 * @return SEGRT_OK or an error code
 */
SEGRT_API int segrt_store_stats(segrt_store *s, segrt_stats *out);

/**
 * Told about one event type.
 * @param ud the ud given with the callback
 * @param type the type's name (borrowed for the call)
 * @param n its number of events
 * @return 0 to go on; non-zero stops the iteration, which returns it
 */
typedef int (*segrt_event_type_fn)(void *ud, const char *type, uint64_t n);

/**
 * Call @p fn once per event type, in name order.
 * @param s the store
 * @param fn called for each type
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, or an error code
 */
SEGRT_API int segrt_event_types_foreach(segrt_store *s, segrt_event_type_fn fn, void *ud);

/**
 * Check the store's internal consistency (id index, columns, counters).
 * A store found corrupt is flagged (a file corrupt.flag in its directory,
 * naming when and what), and segrt_store_open() refuses it from then on
 * without SEGRT_OPEN_FLAGGED; a store that passes loses the flag.
 * @param s the store
 * @return SEGRT_OK when sound, SEGRT_ECORRUPT with a detail in
 *         segrt_errmsg(), or another error code
 */
SEGRT_API int segrt_store_check(segrt_store *s);

/** The ordinal of an audit entry about the whole store ("compact"), not one contact. */
#define SEGRT_AUDIT_STORE UINT32_MAX

/** One audit entry. Strings are borrowed for the duration of the callback. */
typedef struct segrt_audit_entry {
    uint64_t seq;        /**< position in the log, from 1 */
    int64_t ts;          /**< wall-clock time of the action */
    const char *actor;   /**< who acted */
    const char *action;  /**< "erase", "export", "consent", ... */
    uint32_t ordinal;    /**< the contact's ordinal (never its id), or
                              SEGRT_AUDIT_STORE */
    const char *detail;  /**< free text without personal data */
} segrt_audit_entry;

/**
 * Told about one audit entry.
 * @param ud the ud given with the callback
 * @param e the entry (borrowed for the call)
 * @return 0 to go on; non-zero stops the iteration, which returns it
 */
typedef int (*segrt_audit_fn)(void *ud, const segrt_audit_entry *e);

/**
 * Call @p fn for each entry of the audit log with ts >= @p since, oldest first.
 * @param s the store
 * @param since unix seconds
 * @param fn called for each entry
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, or an error code
 */
SEGRT_API int segrt_audit_foreach(segrt_store *s, int64_t since, segrt_audit_fn fn, void *ud);

/**
 * How current and plausible the store's data is, as text: per contact field,
 * how many contacts have a value, the median and 90th-percentile age of the
 * values (since each was last written), and how many stored values break
 * the built-in plausibility rules; the contacts sharing an e-mail address
 * or a phone number with another (likely duplicates); per consent purpose,
 * the grants in force that are stale (over 730 days old) or expired.
 * @param s the store
 * @param text receives the report, malloc'd (segrt_free()); NULL on failure
 * @return SEGRT_OK or an error code
 */
SEGRT_API int segrt_quality_report(segrt_store *s, char **text);

/** What segrt_audit_verify() found. */
typedef struct segrt_audit_check {
    uint64_t entries;   /**< entries that check out, from the first */
    uint64_t legacy;    /**< of those, written before the log was chained (no hash) */
    uint64_t first_bad; /**< the first entry changed, removed or moved; 0: none */
    char reason[160];   /**< what is wrong with it */
    char head[65];      /**< hex SHA-256 chain hash of the last entry that checks out:
                             kept outside the store, it makes a rewritten chain evident */
} segrt_audit_check;

/**
 * Check the audit log's hash chain: every entry carries a SHA-256 of its own
 * bytes, its sequence number and the previous entry's hash, so an entry that
 * was changed, removed or reordered, or a removed tail, breaks it.
 * @param s the store
 * @param out receives the counts, the first bad entry and the head
 * @return SEGRT_OK when the chain holds, SEGRT_ECORRUPT when it breaks
 *         (out says where), or another error code
 */
SEGRT_API int segrt_audit_verify(segrt_store *s, segrt_audit_check *out);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_STORE_H */
