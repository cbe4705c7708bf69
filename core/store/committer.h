/*
 * committer.h — a thread that begins and commits a writer's transactions, so
 * that one batch's commit (LMDB copying its pages into the page cache, then
 * the device sync) runs beside the writer's work on the next batch.
 *
 * LMDB's write lock is a mutex held by the thread that began the transaction,
 * so that thread must also end it: the committer's thread begins, commits and
 * aborts; the writer uses the transaction in between, and never while a call
 * here is running on it. A writer without a committer (NULL) gets the same
 * calls done on its own thread.
 *
 * Uses: store.h, pthreads.
 */
#ifndef SEGRT_COMMITTER_H
#define SEGRT_COMMITTER_H

#include "store/store.h"

typedef struct committer committer;

/*
 * Start a committer for s's write transactions. *out is NULL when no thread
 * could be started: the calls below then run on the caller's thread.
 */
void committer_start(segrt_store *s, committer **out);
/* Wait for the commit in flight, end the thread and free cm (NULL: nothing). */
void committer_stop(committer *cm);
/*
 * Begin a write transaction on s, the store cm was started for
 * (store_txn_begin). Only after committer_wait: a commit in flight holds the
 * write lock.
 */
int committer_begin(committer *cm, segrt_store *s, MDB_txn **txn);
/* Abort txn, which cm began. */
void committer_abort(committer *cm, MDB_txn *txn);
/*
 * Commit txn, which cm began: with a thread, hand it over and return 0 at
 * once, the outcome told by committer_wait; without, LMDB's return code.
 */
int committer_commit(committer *cm, MDB_txn *txn);
/* Wait for the commit handed over last: LMDB's return code, 0 when none is in flight. */
int committer_wait(committer *cm);

#endif
