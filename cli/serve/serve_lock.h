/*
 * serve_lock.h — the lock on the store, the script and the live session of
 * segrt serve, shared by its request threads and its webhook deliverer
 * (serve_lock.c): a short request passes the bulk ones waiting.
 */
#ifndef SEGRT_SERVE_LOCK_H
#define SEGRT_SERVE_LOCK_H

#include <pthread.h>

typedef struct serve_lock {
    pthread_mutex_t m;
    pthread_cond_t free;
    int busy;
    int urgent_waiting;
} serve_lock;

void serve_lock_init(serve_lock *l);
void serve_lock_free(serve_lock *l);
/* Take it: urgent (a short request) goes before every waiting bulk taker. */
void serve_lock_take(serve_lock *l, int urgent);
void serve_lock_give(serve_lock *l);

#endif
