/*
 * compact.h — the guard that keeps a store's data file from being swapped
 * (segrt_store_compact) under a handle that has it open.
 *
 * Every handle holds the guard shared from before LMDB opens the store until
 * it is closed; segrt_store_compact takes it exclusively, which fails while
 * any other handle holds it and makes opens wait until the swap is done.
 */
#ifndef SEGRT_COMPACT_H
#define SEGRT_COMPACT_H

#include "store/store.h"

/*
 * Counters in meta: erasures (privacy/erase.c) add the contacts they
 * erased, whose bytes stay in free pages until a compact; the compact sets
 * it to 0 and the time it ran (Unix seconds; none: never).
 */
#define COMPACT_ERASED_AWAITING "erased_awaiting_compaction"
#define COMPACT_LAST "last_compaction"

/*
 * The strings of the event and consent dictionaries still in use
 * (compact_used.c): per pruned dictionary (event categories, channels,
 * consent sources), a flag per code. { 0 } is empty.
 */
typedef struct compact_used {
    unsigned char *used[3];
    size_t cap[3];
    int scanning; /* the table compact_used_scan reads */
} compact_used;
/* Mark what an event.h timeline encoding (n 0: none) uses: 0, -1 corrupt, -2 out of memory. */
int compact_used_events(compact_used *u, const void *data, size_t n);
/* Mark what a consent.h history encoding (n 0: none) uses: 0, -1 corrupt, -2 out of memory. */
int compact_used_consents(compact_used *u, const void *data, size_t n);
/* Mark what every stored timeline and consent history uses; errors recorded on s. */
int compact_used_scan(segrt_store *s, MDB_txn *txn, compact_used *u);
/* Whether the compacting copy keeps the dictionary record of key k. */
int compact_used_keeps(const compact_used *u, const MDB_val *k);
void compact_used_free(compact_used *u);
/* Mark what other records of txn use (merge undo records); SEGRT_OK or an error on s. */
typedef int (*compact_mark_fn)(segrt_store *s, MDB_txn *txn, compact_used *u);

/*
 * Write into path (a new file) the compacting copy of s: every record of
 * every table, in pages that hold nothing else (no free page, no deleted
 * key or value), synced; of the event and consent dictionaries only the
 * strings still used, as compact_used_scan and mark (NULL: none) find
 * them. scratch (a new directory) holds an intermediate copy, which the
 * caller removes. SEGRT_OK, or the error recorded on s. (compact_copy.c)
 */
int compact_copy(segrt_store *s, const char *scratch, const char *path, compact_mark_fn mark);

/*
 * segrt_store_compact, with mark telling which event and consent strings
 * records other than the timelines and histories use (NULL: none): what
 * the layers above the store keep (privacy/erase_compact.c passes the
 * merge undo records'). (compact.c)
 */
int store_compact(segrt_store *s, const char *actor, compact_mark_fn mark, uint64_t *before,
                  uint64_t *after);

/*
 * Take the guard of s->dir's store shared into s->guard, waiting while a
 * compact holds it. Without a lock file to lock (a read-only medium) the
 * handle goes unguarded (s->guard -1): LMDB opens it or says why not.
 * SEGRT_OK, or SEGRT_EIO recorded on s.
 */
int compact_guard_enter(segrt_store *s);
/* Release the guard (after the environment is closed); none held is fine. */
void compact_guard_leave(segrt_store *s);

#endif
