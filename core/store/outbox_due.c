/*
 * outbox_due.c — what a deliverer does with the outbox (segrt/outbox.h):
 * take the entries due now, in order per contact and webhook
 * (segrt_outbox_due), and record how their attempts went, with exponential
 * backoff and jitter (segrt_outbox_settle).
 *
 * Uses: outbox.h (the record), store.h, strmap.h (the contacts held back
 * during a scan), rng.h (splitmix64 for the jitter), buf.h.
 */
#include "store/outbox.h"

#include "util/rng.h"
#include "util/strmap.h"

#include <string.h>

/* ------------------------------------------------------------ due */

typedef struct due_args {
    int64_t now_ms;
    size_t max, taken;
    segrt_outbox_fn fn;
    void *ud;
    int fn_rc;      /* what fn returned when it stopped the scan */
    int64_t wake;   /* the earliest next attempt neither taken nor held back */
    strmap *held;   /* url 0 contact of every pending entry seen */
    buf pair;
} due_args;

static int due_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    due_args *a = ud;
    segrt_outbox_entry e;
    uint32_t unused;
    (void)txn;
    if (outbox_decode(k, v, &e) != 0)
        return store_fail(s, SEGRT_ECORRUPT, "the outbox has a corrupt entry");
    if (e.state != SEGRT_OUTBOX_PENDING)
        return SEGRT_OK;
    a->pair.len = 0;
    if (buf_put(&a->pair, e.url, strlen(e.url) + 1) != 0 ||
        buf_put(&a->pair, e.contact, strlen(e.contact)) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory reading the outbox");
    if (strmap_get(a->held, (const char *)a->pair.p, a->pair.len, &unused))
        return SEGRT_OK; /* an earlier entry of the contact for this webhook goes first */
    if (strmap_put(a->held, (const char *)a->pair.p, a->pair.len, 1) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory reading the outbox");
    if (e.next_ms > a->now_ms || a->taken >= a->max) {
        if (e.next_ms < a->wake)
            a->wake = e.next_ms;
        return SEGRT_OK;
    }
    a->fn_rc = a->fn(a->ud, &e);
    if (a->fn_rc != 0)
        return STORE_STOP;
    return ++a->taken == a->max ? STORE_STOP : SEGRT_OK;
}

static int due_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    return store_scan_from(s, txn, DB_OUTBOX, NULL, "reading the outbox", due_one, ud);
}

int segrt_outbox_due(segrt_store *s, int64_t now_ms, size_t max, segrt_outbox_fn fn, void *ud,
                     int64_t *wake_ms)
{
    due_args a = { now_ms, max, 0, fn, ud, 0, INT64_MAX, strmap_new(), { 0 } };
    int rc = a.held ? SEGRT_OK : store_fail(s, SEGRT_ENOMEM, "out of memory reading the outbox");
    if (rc == SEGRT_OK)
        rc = store_read(s, due_txn, &a);
    strmap_free(a.held);
    buf_free(&a.pair);
    if (rc == SEGRT_OK && a.fn_rc != 0)
        rc = a.fn_rc;
    if (wake_ms)
        *wake_ms = rc != SEGRT_OK ? 0 : max > 0 && a.taken == max ? now_ms : a.wake;
    return rc;
}

/* ------------------------------------------------------------ settle */

#define BACKOFF_BASE_MS 1000u
#define BACKOFF_CAP_MS 600000u

/*
 * The delay before attempt attempts + 1 of the entry with this key:
 * base * 2^(attempts - 1), at most cap, times 0.8 to 1.2. The jitter comes
 * from the key and the attempt, so entries that failed together spread out,
 * and a given attempt's delay is reproducible.
 */
static int64_t backoff_ms(const segrt_outbox_policy *p, const char *key, uint32_t attempts)
{
    double base = p->base_ms ? p->base_ms : BACKOFF_BASE_MS;
    double cap = p->cap_ms ? p->cap_ms : BACKOFF_CAP_MS;
    double d = base;
    for (uint32_t i = 1; i < attempts && d < cap; i++)
        d *= 2;
    if (d > cap)
        d = cap;
    uint64_t x = attempts;
    for (const unsigned char *c = (const unsigned char *)key; *c; c++)
        x = (x ^ *c) * UINT64_C(0x100000001b3); /* FNV-1a */
    double u = (double)(rng_splitmix64(&x) >> 11) * 0x1.0p-53;
    return (int64_t)(d * (0.8 + 0.4 * u));
}

/* The meta counter of the entries in a state. */
static const char *state_counter(int state)
{
    return state == SEGRT_OUTBOX_FAILED ? "outbox_failed" : "outbox_pending";
}

typedef struct settle_args {
    size_t n;
    const segrt_outbox_result *results;
    int64_t now_ms;
    segrt_outbox_policy policy;
    buf b;
} settle_args;

static int settle_one(segrt_store *s, MDB_txn *txn, settle_args *a, const segrt_outbox_result *r)
{
    uint64_t seq = r->seq;
    MDB_val k = { sizeof seq, &seq }, v;
    segrt_outbox_entry e;
    int rc = store_get(s, txn, DB_OUTBOX, &k, &v, "reading the outbox");
    if (rc == SEGRT_ENOTFOUND)
        return SEGRT_OK; /* its contact was erased meanwhile */
    if (rc != SEGRT_OK)
        return rc;
    if (outbox_decode(&k, &v, &e) != 0)
        return store_fail(s, SEGRT_ECORRUPT, "the outbox has a corrupt entry");
    int was = e.state;
    if (r->delivered) {
        int mrc = mdb_del(txn, s->dbi[DB_OUTBOX], &k, NULL);
        if (mrc != 0)
            return store_mdb_fail(s, mrc, "writing the outbox");
        return store_counter_add(s, txn, state_counter(was), -1);
    }
    e.attempts++;
    e.last_error = r->error ? r->error : "";
    e.next_ms = a->now_ms + backoff_ms(&a->policy, e.key, e.attempts);
    if (a->policy.max_attempts && e.attempts >= a->policy.max_attempts)
        e.state = SEGRT_OUTBOX_FAILED;
    a->b.len = 0;
    if (outbox_encode(&a->b, &e) != 0) /* copies e's strings out of the map before the put */
        return store_fail(s, SEGRT_ENOMEM, "out of memory writing the outbox");
    MDB_val nv = { a->b.len, a->b.p };
    int mrc = mdb_put(txn, s->dbi[DB_OUTBOX], &k, &nv, 0);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "writing the outbox");
    if (e.state == was)
        return SEGRT_OK;
    rc = store_counter_add(s, txn, state_counter(was), -1);
    return rc == SEGRT_OK ? store_counter_add(s, txn, state_counter(e.state), 1) : rc;
}

static int settle_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    settle_args *a = ud;
    int rc = SEGRT_OK;
    for (size_t i = 0; i < a->n && rc == SEGRT_OK; i++)
        rc = settle_one(s, txn, a, &a->results[i]);
    return rc;
}

int segrt_outbox_settle(segrt_store *s, size_t n, const segrt_outbox_result results[],
                        int64_t now_ms, const segrt_outbox_policy *policy)
{
    settle_args a = { n, results, now_ms, policy ? *policy : (segrt_outbox_policy){ 0 }, { 0 } };
    int rc = n ? store_write(s, settle_txn, &a) : SEGRT_OK;
    buf_free(&a.b);
    return rc;
}
