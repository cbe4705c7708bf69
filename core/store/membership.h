/*
 * membership.h — materialised segments (DESIGN "Plans": materialisation).
 * Per segment name the store keeps the members of its last run, the contacts
 * that entered and exited in that run (so a mail tool can be synced
 * incrementally), and an append-only history of runs: run, NOW, size,
 * entered, exited.
 *
 * Layout of the segments database (byte keys; a name never holds a NUL):
 *   'm' 0 name            -> run u64, now i64 (host order), then an mset:
 *                            the members of the last run
 *   'e' 0 name            -> mset: who entered in the last run
 *   'x' 0 name            -> mset: who exited in the last run
 *   'h' 0 name 0 run(BE)  -> history row: now i64, size, entered, exited u64 (host order)
 *   'E' 0 name 0 run(BE)  -> mset: who entered in that run
 *   'X' 0 name 0 run(BE)  -> mset: who exited in that run
 *   'p' 0 name            -> the segment's purpose at its last run (absent: none)
 * and in meta the counter "segment_runs": the sequence number of the last run.
 * A run number is shared by every segment recorded by one `segrt run`.
 *
 * Sets are stored as msets (mset.h): about one to three bytes a member for
 * sparse segments, at most the bitset (125 KiB for 1M contacts) for dense ones.
 * The per-run 'E' and 'X' sets give the members at any earlier run, going
 * back from the last: members before run k = (members after k \ E_k) ∪ X_k.
 * Stores from before they were kept have none for their older runs.
 *
 * Uses: store.h, mset.h, bitset.h.
 */
#ifndef SEGRT_MEMBERSHIP_H
#define SEGRT_MEMBERSHIP_H

#include "util/bitset.h"
#include "util/mset.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* The longest segment name accepted (bytes). */
#define MEMBERSHIP_NAME_MAX 255

/* One run of one segment, as the history keeps it. */
typedef struct membership_row {
    uint64_t run;     /* run sequence number, from 1 */
    int64_t now;      /* NOW of the run (unix seconds) */
    uint64_t size;    /* members after the run */
    uint64_t entered; /* members now that were not before */
    uint64_t exited;  /* members before that are not now */
} membership_row;

/* ------------------------------------------------------------ in a transaction */

/*
 * Record one segment's run in txn: compare members with the stored
 * membership, store members, the entered and exited sets and a history row
 * (run, now). *row (if non-NULL) receives the row.
 */
int membership_record(segrt_store *s, MDB_txn *txn, uint64_t run, int64_t now,
                      const char *name, const char *purpose, const bitset *members,
                      membership_row *row);

/* A stored segment holding a contact: name and purpose (NULL: none) borrowed for the call. */
typedef int (*membership_segment_fn)(void *ud, const char *name, const char *purpose,
                                     uint64_t run, int64_t now);
/*
 * Call fn for each stored segment whose last membership holds ord, in name
 * order, with the name and purpose and the run and NOW of that membership.
 * A non-zero return from fn stops and is returned.
 */
int membership_of_foreach(segrt_store *s, MDB_txn *txn, uint32_t ord, membership_segment_fn fn,
                          void *ud);

/*
 * Remove ord from every stored membership and entered/exited set, those of
 * every run included (erasure). *segments (if non-NULL) receives how many
 * memberships held it.
 */
int membership_erase(segrt_store *s, MDB_txn *txn, uint32_t ord, uint64_t *segments);

/*
 * Append to held what membership_restore needs to put ord back where it is
 * now: per stored set that holds ord, u16 key length, the key, and the run
 * of the segment's last membership (u64; UINT64_MAX for the sets of one
 * past run, 'E' and 'X', which are restored whatever ran since).
 */
int membership_held(segrt_store *s, MDB_txn *txn, uint32_t ord, buf *held);

/*
 * Put ord back into the sets listed by membership_held, for each segment
 * whose last run is still the one listed (a later run stands as it was
 * made). SEGRT_ECORRUPT when the list does not decode.
 */
int membership_restore(segrt_store *s, MDB_txn *txn, uint32_t ord, const void *held,
                       size_t n);

/* ------------------------------------------------------------ whole operations */

/*
 * Record a run of n segments at the store's NOW in one write transaction
 * (grown and retried when the map fills): a new run number, then
 * membership_record() for each. purposes (n entries, NULL or "" for none; or
 * purposes NULL) are the segments' purposes. rows (n entries, or NULL)
 * receive the rows. SEGRT_EINVAL for a bad or repeated name.
 */
int membership_record_run(segrt_store *s, size_t n, const char *const names[],
                          const char *const purposes[], const bitset *const sets[],
                          membership_row rows[]);

/* A history row of a segment; a non-zero return stops the walk and is returned. */
typedef int (*membership_row_fn)(void *ud, const membership_row *row);
/*
 * Call fn with each history row of segment name, oldest run first.
 * SEGRT_ENOTFOUND when the segment has never been recorded.
 */
int membership_history_foreach(segrt_store *s, const char *name, membership_row_fn fn, void *ud);

/* The name of a recorded segment (borrowed for the call); non-zero stops and is returned. */
typedef int (*membership_name_fn)(void *ud, const char *name);
/* Call fn with the name of each recorded segment, in byte order of the names. */
int membership_names_foreach(segrt_store *s, membership_name_fn fn, void *ud);

/*
 * The run of segment name to sync from at time t: of its runs whose NOW is
 * at or before t, the one with the latest NOW (the higher run on a tie),
 * into *row. SEGRT_ENOTFOUND with a message when it has no run, or none at
 * or before t.
 */
int membership_run_at(segrt_store *s, const char *name, int64_t t, membership_row *row);

/*
 * Who entered and who left segment name from its run `since` to its last
 * run (fresh bitsets, bitset_free them; empty on failure). SEGRT_ENOTFOUND
 * with a message when the segment has no run, since is not one of its runs,
 * or a later run kept no entered/exited sets.
 */
int membership_changes(segrt_store *s, const char *name, uint64_t since, bitset *entered,
                       bitset *left);

/*
 * The stored sets of segment name: its members after the last run, and who
 * entered and exited in it; any output may be NULL. Outputs are fresh
 * bitsets (bitset_free them), empty on failure. *last (if non-NULL) receives
 * the last history row. SEGRT_ENOTFOUND when never recorded.
 */
int membership_get(segrt_store *s, const char *name, bitset *members, bitset *entered,
                   bitset *exited, membership_row *last);

#endif
