/*
 * serve_lock.c — the lock on the store, the script and the live session
 * (serve.h), with a way to the front: a short request (a single row, a
 * read) waits only for the holder, never behind a queue of 1,000-row
 * batches, so its latency stays that of one batch at most. Bulk holders go
 * in turn among themselves; they wait while any short one is waiting.
 */
#include "serve/serve_lock.h"

void serve_lock_init(serve_lock *l)
{
    *l = (serve_lock){ .busy = 0 };
    pthread_mutex_init(&l->m, NULL);
    pthread_cond_init(&l->free, NULL);
}

void serve_lock_free(serve_lock *l)
{
    pthread_cond_destroy(&l->free);
    pthread_mutex_destroy(&l->m);
}

void serve_lock_take(serve_lock *l, int urgent)
{
    pthread_mutex_lock(&l->m);
    l->urgent_waiting += urgent;
    while (l->busy || (!urgent && l->urgent_waiting))
        pthread_cond_wait(&l->free, &l->m);
    l->urgent_waiting -= urgent;
    l->busy = 1;
    pthread_mutex_unlock(&l->m);
}

void serve_lock_give(serve_lock *l)
{
    pthread_mutex_lock(&l->m);
    l->busy = 0;
    pthread_cond_broadcast(&l->free);
    pthread_mutex_unlock(&l->m);
}
