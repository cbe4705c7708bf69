/*
 * serve.h — what the files of `segrt serve` share: the running server.
 *
 *   cmd_serve.c      the command: options, opening the store, the script and
 *                    the live session, signals, draining, closing
 *   serve_tokens.c   the token file: names, secrets, scopes; lookups in
 *                    constant time
 *   serve_http.c     libmicrohttpd: requests in (bodies bounded), responses
 *                    out, the request metrics
 *   serve_request.c  one request answered: routing, authorisation, the route
 *   serve_read.c     GET routes: segments, members, contact cards; GDPR
 *                    export and erasure
 *   serve_ingest.c   POST routes: rows in through the live session, acknowledged
 *                    once durable
 *   serve_changes.c  what a change of membership sets off; --tick
 *   serve_lock.c     the lock on the store, short requests first
 *   serve_metrics.c  counters and latency histograms, Prometheus text
 *
 * Threads: libmicrohttpd runs a thread per connection. The store, the
 * script and the live session are not thread-safe: every use of them holds
 * serve.lock, where short requests pass waiting bulk writes. Segment sizes, read by the busiest GETs, are copied after each
 * write into serve.sizes under the short-held serve.sizes_lock, so those
 * GETs never wait behind a write. Durability (a sync of the data file) runs
 * outside serve.lock, shared by the writes that committed before it began
 * (group commit: serve.sync_lock, serve.synced).
 */
#ifndef SEGRT_SERVE_H
#define SEGRT_SERVE_H

#include "cli.h"
#include "serve/deliver.h"
#include "serve/serve_lock.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/* ------------------------------------------------------------ serve_tokens.c */

enum { SCOPE_READ = 1 << 0, SCOPE_WRITE = 1 << 1, SCOPE_GDPR = 1 << 2 };

typedef struct serve_token {
    char *name, *secret;
    size_t secret_len;
    unsigned scopes;
} serve_token;

typedef struct serve_tokens {
    serve_token *v;
    size_t n;
} serve_tokens;

/*
 * Read the token file: lines "NAME TOKEN SCOPE[,SCOPE...]" (scopes read,
 * write, gdpr), blank lines and # comments allowed. The file must not be
 * readable or writable by others. 0, or -1 after a message naming the file
 * (and line) into err.
 */
int serve_tokens_load(serve_tokens *t, const char *path, char *err, size_t errlen);
/* The token whose secret is the n bytes at secret, or NULL; in time that tells nothing. */
const serve_token *serve_tokens_find(const serve_tokens *t, const char *secret, size_t n);
void serve_tokens_free(serve_tokens *t);

/* ------------------------------------------------------------ serve_metrics.c */

/* The routes, for metrics and dispatch. */
typedef enum serve_route {
    R_HEALTH, R_METRICS, R_EVENTS, R_CONTACTS_POST, R_CONSENTS, R_SEGMENTS, R_SEGMENT,
    R_MEMBERS, R_CONTACT, R_EXPORT, R_ERASE, R_UNKNOWN, R_COUNT
} serve_route;

#define SERVE_BUCKETS 12 /* latency histogram buckets, +Inf included */

typedef struct serve_counts {
    /* requests by route and status class (index status / 100 - 1, 1xx..5xx) */
    uint64_t requests[R_COUNT][5];
    uint64_t latency[R_COUNT][SERVE_BUCKETS]; /* per bucket; made cumulative in the text */
    double latency_sum[R_COUNT];
    uint64_t rows[SEGRT_CONSENTS + 1], rejected[SEGRT_CONSENTS + 1];
    uint64_t entered, left;
} serve_counts;

typedef struct serve_metrics {
    pthread_mutex_t lock;
    serve_counts c;
} serve_metrics;

const char *serve_route_name(serve_route r);
void serve_metrics_init(serve_metrics *m);
void serve_metrics_free(serve_metrics *m);
void serve_metrics_request(serve_metrics *m, serve_route r, unsigned status, double seconds);
void serve_metrics_rows(serve_metrics *m, segrt_kind kind, uint64_t rows, uint64_t rejected,
                        uint64_t entered, uint64_t left);

/* Rows in a write up to which it is a short request (serve_lock_take's urgent). */
#define SERVE_SHORT_ROWS 16

/* ------------------------------------------------------------ the server */

typedef struct serve_req serve_req;
typedef struct serve_reply serve_reply;
/* GET /metrics (serve_metrics.c). */
void serve_metrics_text(serve_req *q, serve_reply *r);

/* The webhooks of one segment with actions (borrowed from the script). */
typedef struct serve_action_seg {
    const char *segment;
    const char **enter, **exit; /* seg.on_enter's, seg.on_exit's */
    size_t nenter, nexit;
} serve_action_seg;

typedef struct serve {
    segrt_store *s;
    segrt_script *sc;
    segrt_live *lv;
    serve_tokens tokens;
    size_t max_body;
    serve_lock lock;            /* the store, the script, the live session */
    pthread_mutex_t sizes_lock; /* sizes */
    uint64_t *sizes;            /* per segment of sc, as of the last write */
    pthread_mutex_t sync_lock;  /* one sync at a time */
    _Atomic uint64_t committed; /* writes applied */
    uint64_t synced;            /* writes made durable (under sync_lock) */
    serve_action_seg *acts;     /* the segments with actions */
    size_t nacts;
    struct deliver *dl;         /* the webhook deliverer */
    int64_t now0;               /* NOW when the server started ... */
    double started;             /* ... at this monotonic time (seconds) */
    atomic_int draining;        /* shutting down: new requests get 503 */
    atomic_int active;          /* requests being handled */
    serve_metrics metrics;
} serve;

/* A response: status and a body (JSON unless type says otherwise), malloc'd. */
struct serve_reply {
    unsigned status;
    char *body;
    size_t len;
    const char *type;  /* NULL: application/json */
    const char *allow; /* a 405's Allow header; else NULL */
};

/* A request as the routes see it. */
struct serve_req {
    serve *sv;
    const serve_token *token;
    const char *arg;                  /* the route's NAME or ID, URL-decoded; else NULL */
    const char *body;
    size_t body_len;
    const char *(*query)(void *conn, const char *key); /* a query argument, or NULL */
    void *conn;
};

/* Set r to status with the JSON text json (taken); NULL json: out of memory, a 500. */
void serve_reply_json(serve_reply *r, unsigned status, char *json);
/* Set r to status with {"error": message}. */
void serve_reply_error(serve_reply *r, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Set r to the store's failure rc (404 for SEGRT_ENOTFOUND...) and message; under lock. */
void serve_reply_store(serve_reply *r, const serve *sv, int rc);

/* A request as it arrived, apart from the connection it came on. */
typedef struct serve_call {
    const char *method;        /* "GET", "POST", "DELETE", or any other */
    const char *url;           /* the path, URL-decoded, without the query */
    const char *authorization; /* the Authorization header, or NULL */
    const char *body;          /* body_len bytes then a NUL; NULL: no body */
    size_t body_len;
    int too_large;             /* the body was over --max-body (or could not be held) */
    const char *(*query)(void *conn, const char *key); /* a query argument, or NULL */
    void *conn;                                        /* query's first argument */
} serve_call;

/*
 * serve_request.c: answer one request: its route from method and path, the
 * bearer token checked against the route's scope, the route run; a 503 while
 * draining. The reply into r (its body malloc'd, the caller's). Returns the
 * route, for the metrics (R_UNKNOWN: no route was run).
 */
serve_route serve_request(serve *sv, const serve_call *in, serve_reply *r);

/* serve_http.c: start and stop listening. host NULL: 127.0.0.1. */
typedef struct serve_http serve_http;
int serve_http_start(serve *sv, const char *host, unsigned port, const char *tls_cert,
                     const char *tls_key, serve_http **out, char *err, size_t errlen);
/* The port listened on (the one the system chose for port 0). */
unsigned serve_http_port(const serve_http *h);
/* Stop accepting, wait up to wait_ms for requests under way, then stop. */
void serve_http_stop(serve_http *h, unsigned wait_ms);

/* serve_read.c */
void serve_segments(serve_req *q, serve_reply *r);
void serve_segment(serve_req *q, serve_reply *r);
void serve_members(serve_req *q, serve_reply *r);
void serve_contact(serve_req *q, serve_reply *r);
void serve_export(serve_req *q, serve_reply *r);
void serve_erase(serve_req *q, serve_reply *r);
/* Copy the live segment sizes into sv->sizes; call under sv->lock. */
void serve_sizes_refresh(serve *sv);

/* serve_changes.c: the changes of one write or tick (ud of serve_on_change, a segrt_live_fn). */
typedef struct serve_changes {
    serve *sv;
    uint64_t entered, left; /* every change, for the metrics */
    uint64_t held;          /* changes of segments with actions */
    int64_t at;             /* when they happened */
    segrt_outbox_change *v; /* held, not yet noted */
    size_t n, cap;
} serve_changes;
/* The segments with actions of sv->sc into sv->acts; SEGRT_OK or SEGRT_ENOMEM. */
int serve_actions_init(serve *sv);
void serve_actions_free(serve *sv);
/* NOW moved on by the time since the start: what changes are stamped with, and ticks go to. */
int64_t serve_now(const serve *sv);
/* Collect the changes of one write (under the lock) ... */
void serve_changes_begin(serve_changes *ch, serve *sv);
int serve_on_change(void *ud, const char *id, const char *segment, int entered);
/* ... then note them in the outbox and wake the deliverer. */
int serve_changes_end(serve_changes *ch);
/* Evaluate every segment again at now (--tick), taking the lock. */
int serve_tick(serve *sv, int64_t now);
/*
 * At the start, before serving: note, for each segment with actions, who
 * entered or left it since the outbox was last noted (the server was down,
 * killed between a write and its note, or the store imported meanwhile);
 * then sync. *noted receives how many changes were noted.
 */
int serve_reconcile(serve *sv, uint64_t *noted);

/*
 * Make every write up to seq (sv->committed's count) durable; one sync
 * serves all writes committed before it began (group commit).
 */
int serve_sync_upto(serve *sv, uint64_t seq);
/* serve_ingest.c: POST /v1/events, /v1/contacts, /v1/consents. */
void serve_ingest(serve_req *q, segrt_kind kind, serve_reply *r);

#endif
