/*
 * deliver.h — sending the outbox's webhooks (segrt/outbox.h) with libcurl:
 * a worker thread that `segrt serve` runs beside its others, and one pass
 * over what is due now for `segrt outbox --deliver`.
 *
 * Each entry is a POST of {"id":KEY,"event":"entered"|"left","segment":S,
 * "contact":ID,"at":"YYYY-MM-DDTHH:MM:SSZ"} with Content-Type
 * application/json and Idempotency-Key: KEY. A 2xx answer delivers it;
 * any other answer, a timeout or a connection error is a failed attempt,
 * retried after the outbox's backoff. Redirects are not followed. The
 * entries of one round belong to distinct (contact, webhook) pairs
 * (segrt_outbox_due), so they are sent concurrently.
 *
 * The store is shared: every store call holds store_lock (when not NULL);
 * no request is made while holding it.
 */
#ifndef SEGRT_DELIVER_H
#define SEGRT_DELIVER_H

#include "segrt.h"
#include "serve/serve_lock.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Make everything committed so far durable (the server: a sync of its live
 * session); 0, or non-zero when that failed (the round then waits).
 */
typedef int (*deliver_durable_fn)(void *ud);

typedef struct deliver_opts {
    segrt_outbox_policy policy; /* backoff and giving up */
    long timeout_ms;            /* per request, connecting included; 0: 5000 */
    size_t batch;               /* entries per round, sent concurrently; 0: 32 */
    /*
     * Called before a round's requests, without store_lock, so that no entry
     * is sent that a crash could still lose (segrt_outbox_note under a live
     * session); NULL when every commit is durable (no live session).
     */
    deliver_durable_fn durable;
    void *durable_ud;
} deliver_opts;

/*
 * The defaults, then the environment: SEGRT_OUTBOX_BACKOFF_MS=BASE[,CAP]
 * (milliseconds: the first delay and the longest; tests use short ones) and
 * SEGRT_OUTBOX_MAX_ATTEMPTS=N (give up after N failed attempts; 0: never,
 * the default). 0, or -1 with a message naming the variable in err.
 */
int deliver_opts_init(deliver_opts *o, char *err, size_t errlen);

/* What a deliverer did so far. */
typedef struct deliver_counts {
    uint64_t delivered; /* entries the receivers took */
    uint64_t failed;    /* failed attempts (each retried later, or given up) */
    uint64_t errors;    /* rounds that met a store error (logged on stderr) */
} deliver_counts;

/*
 * Deliver once what is due now, round after round, until nothing due now
 * is left (an entry that fails waits for its backoff: it is not retried
 * here). Single-threaded: store_lock may be NULL. counts receives what was
 * done. SEGRT_OK, or the store's error code (segrt_errmsg()), or
 * SEGRT_ENOMEM.
 */
int deliver_due(segrt_store *s, serve_lock *store_lock, const deliver_opts *o,
                deliver_counts *counts);

/* A worker thread delivering the outbox as entries become due. */
typedef struct deliver deliver;

/*
 * Start the worker on s (which must outlive it; opened for writing). It
 * sleeps until the earliest next attempt or deliver_wake(). 0, or -1 with
 * a message in err.
 */
int deliver_start(segrt_store *s, serve_lock *store_lock, const deliver_opts *o,
                  deliver **out, char *err, size_t errlen);
/* Tell the worker that entries were noted (cheap; call after segrt_outbox_note). */
void deliver_wake(deliver *d);
/* What the worker did so far (for metrics); all zero for NULL (no worker). */
void deliver_counts_get(deliver *d, deliver_counts *out);
/*
 * Stop the worker and free it (NULL accepted): requests under way are
 * abandoned, and their entries stay pending for the next start.
 */
void deliver_stop(deliver *d);

#endif
