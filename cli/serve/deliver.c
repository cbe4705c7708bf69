/*
 * deliver.c — sending the outbox's webhooks (deliver.h): a round takes what
 * is due (segrt_outbox_due, under the store lock), makes it durable, POSTs
 * it concurrently with a libcurl multi handle (no lock held), then records
 * the results (segrt_outbox_settle, under the lock). deliver_due runs rounds
 * until nothing due now is left; the worker thread runs them forever,
 * sleeping until the next attempt is due or deliver_wake().
 *
 * Uses: segrt.h (the outbox), libcurl, jansson (the JSON body), pthreads.
 */
#include "deliver.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TIMEOUT_MS 5000L
#define BATCH 32
#define IDLE_MS 60000 /* the longest sleep: a deliverer looks again at least this often */
#define STORE_RETRY_MS 1000 /* after a store error */
#define SCAN_SHARE 10 /* a round waits this many times as long as its look at the outbox */

/* ------------------------------------------------------------ options */

/* The unsigned decimal at *p (to a ',' or the end) into *v, > 0; 0, or -1. */
static int parse_ms(const char **p, uint32_t *v)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(*p, &end, 10);
    if (end == *p || errno || n == 0 || n > UINT32_MAX || (*end != '\0' && *end != ',') ||
        **p == '-' || **p == '+' || **p == ' ')
        return -1;
    *v = (uint32_t)n;
    *p = end;
    return 0;
}

int deliver_opts_init(deliver_opts *o, char *err, size_t errlen)
{
    *o = (deliver_opts){ .timeout_ms = TIMEOUT_MS, .batch = BATCH };
    const char *b = getenv("SEGRT_OUTBOX_BACKOFF_MS"), *m = getenv("SEGRT_OUTBOX_MAX_ATTEMPTS");
    if (b && *b) {
        const char *p = b;
        if (parse_ms(&p, &o->policy.base_ms) != 0 ||
            (*p == ',' && (p++, parse_ms(&p, &o->policy.cap_ms) != 0)) || *p != '\0') {
            snprintf(err, errlen, "SEGRT_OUTBOX_BACKOFF_MS '%s' is not BASE[,CAP] (milliseconds "
                     "greater than 0)", b);
            return -1;
        }
    }
    if (m && *m) {
        char *end;
        errno = 0;
        unsigned long n = strtoul(m, &end, 10);
        if (end == m || *end != '\0' || errno || n > UINT32_MAX || *m == '-') {
            snprintf(err, errlen, "SEGRT_OUTBOX_MAX_ATTEMPTS '%s' is not a count (0: never give "
                     "up)", m);
            return -1;
        }
        o->policy.max_attempts = (uint32_t)n;
    }
    return 0;
}

/* ------------------------------------------------------------ one round */

/* One entry to send: what the request needs, copied out of the store. */
typedef struct job {
    uint64_t seq;
    char *url, *body;
    struct curl_slist *headers;
    CURL *h;
    int done, ok;
    char why[CURL_ERROR_SIZE + 32]; /* why the attempt failed */
} job;

typedef struct round {
    job *v;
    size_t n, cap;
} round;

static void round_clear(round *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].url);
        free(r->v[i].body);
        curl_slist_free_all(r->v[i].headers);
    }
    r->n = 0;
}

/* segrt_outbox_due's callback: copy the entry into a job with its body and headers. */
static int take(void *ud, const segrt_outbox_entry *e)
{
    round *r = ud;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : BATCH;
        job *v = realloc(r->v, cap * sizeof *v);
        if (v == NULL)
            return SEGRT_ENOMEM;
        r->v = v;
        r->cap = cap;
    }
    char at[21], key[300];
    segrt_time_format(e->at, at);
    snprintf(key, sizeof key, "Idempotency-Key: %s", e->key);
    json_t *o = json_pack("{ss ss ss ss ss}", "id", e->key, "event",
                          e->entered ? "entered" : "left", "segment", e->segment, "contact",
                          e->contact, "at", at);
    job *j = &r->v[r->n];
    *j = (job){ .seq = e->seq, .url = strdup(e->url) };
    r->n++; /* round_clear frees what was made */
    if (o == NULL) { /* not UTF-8: a failed attempt, so that it holds up nothing else */
        j->done = 1;
        snprintf(j->why, sizeof j->why, "the change is not valid UTF-8 text");
        return j->url ? SEGRT_OK : SEGRT_ENOMEM;
    }
    j->body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    j->headers = h;
    h = h ? curl_slist_append(h, key) : NULL;
    h = h ? curl_slist_append(h, "Expect:") : NULL; /* no 100-continue round trip */
    return j->url && j->body && h ? SEGRT_OK : SEGRT_ENOMEM;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p, (void)ud;
    return size * n;
}

/* An easy handle for j, added to m; 0, or -1 with j->why set. */
static int job_start(CURLM *m, job *j, long timeout_ms)
{
    CURLcode c;
    j->h = curl_easy_init();
    if (j->h == NULL) {
        snprintf(j->why, sizeof j->why, "cannot make a request (out of memory)");
        return -1;
    }
    c = curl_easy_setopt(j->h, CURLOPT_URL, j->url);
    if (c == CURLE_OK)
        c = curl_easy_setopt(j->h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (c == CURLE_OK)
        c = curl_easy_setopt(j->h, CURLOPT_POSTFIELDS, j->body);
    if (c == CURLE_OK)
        c = curl_easy_setopt(j->h, CURLOPT_HTTPHEADER, j->headers);
    if (c == CURLE_OK)
        c = curl_easy_setopt(j->h, CURLOPT_TIMEOUT_MS, timeout_ms);
    if (c == CURLE_OK)
        c = curl_easy_setopt(j->h, CURLOPT_NOSIGNAL, 1L);
    if (c == CURLE_OK)
        c = curl_easy_setopt(j->h, CURLOPT_USERAGENT, "segrt/" SEGRT_VERSION);
    if (c == CURLE_OK)
        c = curl_easy_setopt(j->h, CURLOPT_WRITEFUNCTION, discard);
    if (c == CURLE_OK) /* curl writes the detail of a failure there */
        c = curl_easy_setopt(j->h, CURLOPT_ERRORBUFFER, j->why);
    if (c == CURLE_OK)
        c = curl_easy_setopt(j->h, CURLOPT_PRIVATE, (void *)j);
    if (c == CURLE_OK && curl_multi_add_handle(m, j->h) != CURLM_OK)
        c = CURLE_OUT_OF_MEMORY;
    if (c != CURLE_OK) {
        snprintf(j->why, sizeof j->why, "cannot make a request: %s", curl_easy_strerror(c));
        curl_easy_cleanup(j->h);
        j->h = NULL;
        return -1;
    }
    return 0;
}

/* A finished transfer: delivered on a 2xx answer, else why it failed. */
static void job_finish(job *j, CURLcode res)
{
    long status = 0;
    j->done = 1;
    if (res != CURLE_OK) {
        if (j->why[0] == '\0')
            snprintf(j->why, sizeof j->why, "%s", curl_easy_strerror(res));
        return;
    }
    curl_easy_getinfo(j->h, CURLINFO_RESPONSE_CODE, &status);
    j->ok = status >= 200 && status < 300;
    if (!j->ok)
        snprintf(j->why, sizeof j->why, "HTTP %ld", status);
}

/* Send every job of r at once; stop early (jobs not done) when *stop is set. */
static void send_round(CURLM *m, round *r, long timeout_ms, const atomic_int *stop)
{
    int running = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (!r->v[i].done && job_start(m, &r->v[i], timeout_ms) != 0)
            r->v[i].done = 1;
    }
    do {
        if (curl_multi_perform(m, &running) != CURLM_OK)
            break;
        int left;
        for (CURLMsg *msg = curl_multi_info_read(m, &left); msg;
             msg = curl_multi_info_read(m, &left)) {
            job *j = NULL;
            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
            job_finish(j, msg->data.result);
        }
        if (running && curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK)
            break;
    } while (running && !(stop && atomic_load(stop)));
    for (size_t i = 0; i < r->n; i++) {
        if (r->v[i].h) {
            curl_multi_remove_handle(m, r->v[i].h);
            curl_easy_cleanup(r->v[i].h);
            r->v[i].h = NULL;
        }
    }
}

/* What a round works with. */
typedef struct ctx {
    segrt_store *s;
    serve_lock *lock;
    deliver_opts o;
    CURLM *m;
    round r;
    const atomic_int *stop;
} ctx;

/* Unix milliseconds: the outbox's times, and the condition variable's clock. */
static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void lock(const ctx *c)
{
    if (c->lock)
        serve_lock_take(c->lock, 0);
}

static void unlock(const ctx *c)
{
    if (c->lock)
        serve_lock_give(c->lock);
}

/* Log a store failure (under the lock: the message lives on the handle). */
static int store_error(const ctx *c, int rc, const char *what)
{
    fprintf(stderr, "segrt: deliver: %s: %s\n", what,
            rc == SEGRT_ENOMEM ? "out of memory" : segrt_errmsg(c->s));
    return rc;
}

/*
 * One round at now_ms: take, make durable, send, settle. *taken receives
 * how many were taken, *wake when to look again (segrt_outbox_due),
 * *scan_ms how long taking them held the store.
 */
static int round_run(ctx *c, int64_t now_ms, deliver_counts *counts, size_t *taken,
                     int64_t *wake, double *scan_ms)
{
    lock(c);
    double t0 = mono_ms();
    int rc = segrt_outbox_due(c->s, now_ms, c->o.batch, take, &c->r, wake);
    *scan_ms = mono_ms() - t0;
    if (rc != SEGRT_OK)
        store_error(c, rc, "reading the outbox");
    unlock(c);
    *taken = c->r.n;
    if (rc == SEGRT_OK && c->r.n && c->o.durable && c->o.durable(c->o.durable_ud) != 0) {
        fprintf(stderr, "segrt: deliver: the store could not be synced; sending later\n");
        rc = SEGRT_EIO;
    }
    if (rc != SEGRT_OK || c->r.n == 0) {
        round_clear(&c->r);
        return rc;
    }
    send_round(c->m, &c->r, c->o.timeout_ms, c->stop);
    segrt_outbox_result *res = malloc(c->r.n * sizeof *res);
    size_t n = 0;
    for (size_t i = 0; res && i < c->r.n; i++) {
        const job *j = &c->r.v[i];
        if (j->done)
            res[n++] = (segrt_outbox_result){ j->seq, j->ok, j->ok ? NULL : j->why };
    }
    lock(c);
    rc = res ? segrt_outbox_settle(c->s, n, res, wall_ms(), &c->o.policy) : SEGRT_ENOMEM;
    if (rc != SEGRT_OK)
        store_error(c, rc, "recording deliveries");
    unlock(c);
    for (size_t i = 0; rc == SEGRT_OK && i < n; i++)
        *(res[i].delivered ? &counts->delivered : &counts->failed) += 1;
    free(res);
    round_clear(&c->r);
    return rc;
}

static int ctx_init(ctx *c, segrt_store *s, serve_lock *store_lock, const deliver_opts *o,
                    const atomic_int *stop)
{
    *c = (ctx){ .s = s, .lock = store_lock, .o = *o, .stop = stop };
    if (c->o.batch == 0)
        c->o.batch = BATCH;
    if (c->o.timeout_ms <= 0)
        c->o.timeout_ms = TIMEOUT_MS;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    c->m = curl_multi_init();
    if (c->m == NULL) {
        curl_global_cleanup();
        return -1;
    }
    return 0;
}

static void ctx_free(ctx *c)
{
    round_clear(&c->r);
    free(c->r.v);
    curl_multi_cleanup(c->m);
    curl_global_cleanup();
}

int deliver_due(segrt_store *s, serve_lock *store_lock, const deliver_opts *o,
                deliver_counts *counts)
{
    ctx c;
    *counts = (deliver_counts){ 0 };
    if (ctx_init(&c, s, store_lock, o, NULL) != 0)
        return SEGRT_ENOMEM;
    /* Due at the start: what fails now waits for its backoff, so this ends. */
    int64_t now = wall_ms(), wake;
    double scan_ms;
    size_t taken;
    int rc;
    do
        rc = round_run(&c, now, counts, &taken, &wake, &scan_ms);
    while (rc == SEGRT_OK && taken > 0);
    ctx_free(&c);
    return rc;
}

/* ------------------------------------------------------------ the worker */

struct deliver {
    ctx c;
    pthread_t thread;
    pthread_mutex_t mu; /* woken, and the counts */
    pthread_cond_t cv;
    int woken;
    atomic_int stop;
    deliver_counts counts;
};

static struct timespec timespec_of(int64_t ms)
{
    return (struct timespec){ (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };
}

/*
 * Sleep until wake_ms (at most IDLE_MS away), deliver_wake() or
 * deliver_stop(), but at least min_ms unless stopping.
 */
static void sleep_until(deliver *d, int64_t wake_ms, int64_t min_ms)
{
    int64_t now = wall_ms(), earliest = now + min_ms;
    if (wake_ms > now + IDLE_MS)
        wake_ms = now + IDLE_MS;
    if (wake_ms < earliest)
        wake_ms = earliest;
    pthread_mutex_lock(&d->mu);
    for (;;) {
        now = wall_ms();
        if (atomic_load(&d->stop) || now >= wake_ms || (d->woken && now >= earliest))
            break;
        struct timespec until = timespec_of(d->woken ? earliest : wake_ms);
        pthread_cond_timedwait(&d->cv, &d->mu, &until);
    }
    d->woken = 0;
    pthread_mutex_unlock(&d->mu);
}

static void *worker(void *arg)
{
    deliver *d = arg;
    while (!atomic_load(&d->stop)) {
        deliver_counts round_counts = { 0 };
        size_t taken = 0;
        int64_t now = wall_ms(), wake = 0;
        double scan_ms = 0;
        int rc = round_run(&d->c, now, &round_counts, &taken, &wake, &scan_ms);
        pthread_mutex_lock(&d->mu);
        d->counts.delivered += round_counts.delivered;
        d->counts.failed += round_counts.failed;
        d->counts.errors += rc != SEGRT_OK;
        pthread_mutex_unlock(&d->mu);
        /*
         * A large backlog (a receiver down for a while) makes each look at
         * the outbox cost milliseconds under the store lock: rounds keep
         * their distance so that looking takes at most a tenth of the lock.
         */
        int64_t gap = (int64_t)(SCAN_SHARE * scan_ms);
        if (rc != SEGRT_OK)
            sleep_until(d, now + STORE_RETRY_MS, STORE_RETRY_MS);
        else if (taken == 0)
            sleep_until(d, wake, gap);
        else if (gap > 0) /* what the round delivered may have let later entries go */
            sleep_until(d, 0, gap);
    }
    return NULL;
}

int deliver_start(segrt_store *s, serve_lock *store_lock, const deliver_opts *o,
                  deliver **out, char *err, size_t errlen)
{
    *out = NULL;
    deliver *d = calloc(1, sizeof *d);
    if (d == NULL || ctx_init(&d->c, s, store_lock, o, &d->stop) != 0) {
        free(d);
        snprintf(err, errlen, "cannot start the webhook deliverer: libcurl failed to start");
        return -1;
    }
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    int prc = pthread_create(&d->thread, NULL, worker, d);
    if (prc != 0) {
        snprintf(err, errlen, "cannot start the webhook deliverer: %s", strerror(prc));
        pthread_cond_destroy(&d->cv);
        pthread_mutex_destroy(&d->mu);
        ctx_free(&d->c);
        free(d);
        return -1;
    }
    *out = d;
    return 0;
}

void deliver_wake(deliver *d)
{
    pthread_mutex_lock(&d->mu);
    d->woken = 1;
    pthread_cond_signal(&d->cv);
    pthread_mutex_unlock(&d->mu);
}

void deliver_counts_get(deliver *d, deliver_counts *out)
{
    if (d == NULL) { /* a server without a deliverer: tests/fuzz/fuzz_serve.c */
        *out = (deliver_counts){ 0 };
        return;
    }
    pthread_mutex_lock(&d->mu);
    *out = d->counts;
    pthread_mutex_unlock(&d->mu);
}

void deliver_stop(deliver *d)
{
    if (d == NULL)
        return;
    atomic_store(&d->stop, 1);
    deliver_wake(d);
    curl_multi_wakeup(d->c.m); /* out of a poll on requests under way */
    pthread_join(d->thread, NULL);
    pthread_cond_destroy(&d->cv);
    pthread_mutex_destroy(&d->mu);
    ctx_free(&d->c);
    free(d);
}
