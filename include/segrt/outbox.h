/**
 * @file segrt/outbox.h
 * @brief The durable outbox of actions: a contact entering or leaving a
 * segment becomes one entry per webhook, delivered at least once, in order
 * per contact and webhook, retried with exponential backoff and jitter.
 *
 * The store keeps, per segment and contact id, whether the contact was last
 * notified as a member. segrt_outbox_note() compares each change with that
 * state: a change already notified adds nothing (a replay is harmless), any
 * other flips the state and appends an entry per webhook URL, in the same
 * write transaction. Each entry has a key, stored with it, that stays the
 * same across retries and restarts (the receiver's idempotency key).
 *
 * A deliverer takes what is due (segrt_outbox_due()), sends it without
 * holding anything of the store, then records how each attempt went
 * (segrt_outbox_settle()). A delivered entry is deleted at once: the outbox
 * holds only what is pending and what was given up ("failed"), so it stays
 * as small as the backlog. Erasing a contact (segrt_contact_erase()) removes
 * its entries and its notified state.
 *
 * After a restart a host reconciles each segment that has actions: members
 * now that segrt_outbox_notified_foreach() does not list entered; listed
 * contacts that are no members now left.
 */
#ifndef SEGRT_PUBLIC_OUTBOX_H
#define SEGRT_PUBLIC_OUTBOX_H

#include "segrt/common.h"
#include "segrt/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One contact entering or leaving a segment, and the webhooks to tell. */
typedef struct segrt_outbox_change {
    const char *segment;     /**< the segment's name (1 to 255 bytes) */
    const char *contact;     /**< the contact's external id */
    int entered;             /**< 1: entered the segment; 0: left it */
    int64_t at;              /**< when (unix seconds) */
    const char *const *urls; /**< the webhooks of this change (may be NULL when nurls is 0) */
    size_t nurls;            /**< how many there are; 0 still records the state */
} segrt_outbox_change;

/** Where an entry stands. */
enum {
    SEGRT_OUTBOX_PENDING = 0, /**< waiting for its next attempt */
    SEGRT_OUTBOX_FAILED = 1   /**< given up after the policy's last attempt */
};

/** One outbox entry; its strings are borrowed for the duration of a callback. */
typedef struct segrt_outbox_entry {
    uint64_t seq;            /**< its place in the outbox, from 1, increasing */
    const char *key;         /**< its idempotency key, the same on every attempt */
    const char *segment;     /**< the segment */
    const char *contact;     /**< the contact's external id */
    int entered;             /**< 1: "entered"; 0: "left" */
    int64_t at;              /**< when the change happened (unix seconds) */
    const char *url;         /**< the webhook */
    uint32_t attempts;       /**< failed attempts so far */
    int64_t next_ms;         /**< earliest next attempt (unix milliseconds) */
    const char *last_error;  /**< what the last attempt met ("" before any) */
    int state;               /**< SEGRT_OUTBOX_PENDING or SEGRT_OUTBOX_FAILED */
} segrt_outbox_entry;

/**
 * Told about one outbox entry.
 * @param ud the ud given with the callback
 * @param e the entry (borrowed for the call)
 * @return 0 to go on; non-zero stops the iteration, which returns it
 */
typedef int (*segrt_outbox_fn)(void *ud, const segrt_outbox_entry *e);

/**
 * Note changes in one write transaction: each change whose contact is not
 * already notified as @p entered flips the notified state and appends one
 * pending entry per URL, due at once, with a new key; a change already
 * notified adds nothing. The transaction is durable when it commits, as any
 * write, except while a live session is open on the store: then only after
 * the session's next sync, and a deliverer must not send its entries before
 * (else a crash could lose an entry already sent, and the change be noted
 * again under another key).
 * @param s the store, open for writing
 * @param n how many changes there are
 * @param changes the changes, applied in order (a later one sees an earlier one)
 * @param queued when non-NULL, receives how many entries were appended
 * @return SEGRT_OK; SEGRT_EINVAL (with a message in segrt_errmsg()) for an
 *         empty or too long segment name, an empty contact id, an empty URL,
 *         or a segment name and contact id longer than 509 bytes together;
 *         then nothing is noted; or another error code
 */
SEGRT_API int segrt_outbox_note(segrt_store *s, size_t n, const segrt_outbox_change changes[],
                                size_t *queued);

/**
 * Call @p fn with the id of each contact last notified as a member of a
 * segment, in byte order of the ids.
 * @param s the store
 * @param segment the segment's name
 * @param fn called for each contact
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, or an error code
 */
SEGRT_API int segrt_outbox_notified_foreach(segrt_store *s, const char *segment,
                                            segrt_id_fn fn, void *ud);

/**
 * Call @p fn for each pending entry that is due at @p now_ms, in outbox
 * order, skipping every entry whose contact has an earlier pending entry for
 * the same URL (so a receiver sees a contact's changes in order, and the
 * entries of one call can be sent concurrently); at most @p max entries.
 * Entries given up do not hold later ones back.
 * @param s the store
 * @param now_ms the time (unix milliseconds)
 * @param max the most entries to take (0: none, only @p wake_ms)
 * @param fn called for each entry to send (may be NULL when max is 0)
 * @param ud passed to fn
 * @param wake_ms when non-NULL, receives when to call again: @p now_ms when
 *        max (not 0) entries were taken, else the earliest next attempt of a
 *        pending entry neither taken nor held back (with max 0: at or before
 *        now_ms when one is due), or INT64_MAX when there is none
 * @return SEGRT_OK, fn's non-zero return, or an error code
 */
SEGRT_API int segrt_outbox_due(segrt_store *s, int64_t now_ms, size_t max, segrt_outbox_fn fn,
                               void *ud, int64_t *wake_ms);

/** How one attempt to deliver an entry went. */
typedef struct segrt_outbox_result {
    uint64_t seq;      /**< the entry */
    int delivered;     /**< 1: the receiver took it (2xx); 0: the attempt failed */
    const char *error; /**< when it failed: what it met ("HTTP 500"), or NULL */
} segrt_outbox_result;

/** When to try again after a failed attempt; a 0 field takes its default. */
typedef struct segrt_outbox_policy {
    uint32_t base_ms;      /**< the delay after the first failure (default 1,000) */
    uint32_t cap_ms;       /**< the longest delay (default 600,000: 10 minutes) */
    uint32_t max_attempts; /**< give up after this many failures (default 0: never) */
} segrt_outbox_policy;

/**
 * Record attempts in one write transaction. A delivered entry is deleted. A
 * failed one counts the attempt, keeps @p error and is due again after
 * base_ms * 2^(attempts - 1), at most cap_ms, times a jitter between 0.8 and
 * 1.2 drawn from its key and attempt; after max_attempts failures (when not
 * 0) it is given up (SEGRT_OUTBOX_FAILED): listed, never sent again. An
 * entry no longer there (its contact erased meanwhile) is skipped.
 * @param s the store, open for writing
 * @param n how many results there are
 * @param results the results
 * @param now_ms the time of the attempts (unix milliseconds)
 * @param policy the retry policy (NULL: the defaults)
 * @return SEGRT_OK or an error code
 */
SEGRT_API int segrt_outbox_settle(segrt_store *s, size_t n, const segrt_outbox_result results[],
                                  int64_t now_ms, const segrt_outbox_policy *policy);

/**
 * Call @p fn for each entry of the outbox, pending and given up, in outbox order.
 * @param s the store
 * @param fn called for each entry
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, or an error code
 */
SEGRT_API int segrt_outbox_foreach(segrt_store *s, segrt_outbox_fn fn, void *ud);

/**
 * How many entries the outbox holds (two counters: cheap, for metrics).
 * @param s the store
 * @param pending receives how many wait for an attempt
 * @param failed receives how many were given up
 * @return SEGRT_OK or an error code
 */
SEGRT_API int segrt_outbox_depth(segrt_store *s, uint64_t *pending, uint64_t *failed);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_OUTBOX_H */
