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
 * Take the guard of s->dir's store shared into s->guard, waiting while a
 * compact holds it. Without a lock file to lock (a read-only medium) the
 * handle goes unguarded (s->guard -1): LMDB opens it or says why not.
 * SEGRT_OK, or SEGRT_EIO recorded on s.
 */
int compact_guard_enter(segrt_store *s);
/* Release the guard (after the environment is closed); none held is fine. */
void compact_guard_leave(segrt_store *s);

#endif
