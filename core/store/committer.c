/*
 * committer.c — a writer's transactions begun and ended on one thread beside
 * it (committer.h).
 *
 * One job at a time: the writer waits for the job before it to finish, hands
 * the next over, and for a begin or an abort waits for it too. Everything a
 * job touches (the transaction, the store's handle) is handed over under the
 * lock, so each side sees the other's writes.
 *
 * Uses: store.h, pthreads.
 */
#include "store/committer.h"

#include <pthread.h>
#include <stdlib.h>

typedef enum job { JOB_NONE, JOB_BEGIN, JOB_COMMIT, JOB_ABORT, JOB_STOP } job;

struct committer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* a job was handed over, or finished */
    job job;             /* the job handed over and not yet finished, or JOB_NONE */
    segrt_store *s;      /* JOB_BEGIN's store */
    MDB_txn *txn;        /* the job's transaction; JOB_BEGIN's result */
    int begin_rc;        /* JOB_BEGIN's SEGRT code */
    int commit_rc;       /* JOB_COMMIT's LMDB code */
    int unwaited;        /* a commit was handed over and committer_wait not yet called */
};

static void run(committer *cm)
{
    switch (cm->job) {
    case JOB_BEGIN: cm->begin_rc = store_txn_begin(cm->s, 0, &cm->txn); break;
    case JOB_COMMIT: cm->commit_rc = mdb_txn_commit(cm->txn); break;
    case JOB_ABORT: mdb_txn_abort(cm->txn); break;
    case JOB_NONE:
    case JOB_STOP: break;
    }
}

static void *committer_main(void *arg)
{
    committer *cm = arg;
    pthread_mutex_lock(&cm->lock);
    for (;;) {
        while (cm->job == JOB_NONE)
            pthread_cond_wait(&cm->wake, &cm->lock);
        if (cm->job == JOB_STOP)
            break;
        pthread_mutex_unlock(&cm->lock);
        run(cm); /* the writer waits for JOB_NONE before it reads or hands over anything */
        pthread_mutex_lock(&cm->lock);
        cm->job = JOB_NONE;
        pthread_cond_broadcast(&cm->wake);
    }
    pthread_mutex_unlock(&cm->lock);
    return NULL;
}

void committer_start(segrt_store *s, committer **out)
{
    committer *cm = calloc(1, sizeof *cm);
    *out = NULL;
    if (cm == NULL)
        return;
    cm->s = s;
    if (pthread_mutex_init(&cm->lock, NULL) != 0) {
        free(cm);
        return;
    }
    if (pthread_cond_init(&cm->wake, NULL) != 0) {
        pthread_mutex_destroy(&cm->lock);
        free(cm);
        return;
    }
    if (pthread_create(&cm->thread, NULL, committer_main, cm) != 0) {
        pthread_cond_destroy(&cm->wake);
        pthread_mutex_destroy(&cm->lock);
        free(cm);
        return;
    }
    *out = cm;
}

/* Wait (lock held) until no job is in flight. */
static void idle(committer *cm)
{
    while (cm->job != JOB_NONE)
        pthread_cond_wait(&cm->wake, &cm->lock);
}

/* Hand job j over on txn; wait for it to finish when wait is set. */
static void hand_over(committer *cm, job j, MDB_txn *txn, int wait)
{
    pthread_mutex_lock(&cm->lock);
    idle(cm);
    cm->job = j;
    cm->txn = txn;
    cm->unwaited |= j == JOB_COMMIT;
    pthread_cond_broadcast(&cm->wake);
    if (wait)
        idle(cm);
    pthread_mutex_unlock(&cm->lock);
}

void committer_stop(committer *cm)
{
    if (cm == NULL)
        return;
    hand_over(cm, JOB_STOP, NULL, 0);
    pthread_join(cm->thread, NULL);
    pthread_cond_destroy(&cm->wake);
    pthread_mutex_destroy(&cm->lock);
    free(cm);
}

int committer_begin(committer *cm, segrt_store *s, MDB_txn **txn)
{
    if (cm == NULL)
        return store_txn_begin(s, 0, txn);
    hand_over(cm, JOB_BEGIN, NULL, 1);
    *txn = cm->txn;
    return cm->begin_rc;
}

void committer_abort(committer *cm, MDB_txn *txn)
{
    if (cm == NULL)
        mdb_txn_abort(txn);
    else
        hand_over(cm, JOB_ABORT, txn, 1);
}

int committer_commit(committer *cm, MDB_txn *txn)
{
    if (cm == NULL)
        return mdb_txn_commit(txn);
    hand_over(cm, JOB_COMMIT, txn, 0);
    return 0;
}

int committer_wait(committer *cm)
{
    if (cm == NULL)
        return 0;
    pthread_mutex_lock(&cm->lock);
    idle(cm);
    int rc = cm->unwaited ? cm->commit_rc : 0;
    cm->unwaited = 0;
    pthread_mutex_unlock(&cm->lock);
    return rc;
}
