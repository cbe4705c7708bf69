/*
 * event.c — encoding and idempotent merging of event timelines, and reading
 * a contact's (event.h).
 *
 * Uses: event_blob.h (the stored bytes), store.h (store_get), array.h.
 */
#include "store/event.h"

#include "store/event_blob.h"

#include "util/array.h"
#include "util/value.h"

#include <stdlib.h>
#include <string.h>

void event_list_clear(event_list *l)
{
    l->n = 0;
    l->heap.len = 0;
}

void event_list_free(event_list *l)
{
    free(l->recs);
    buf_free(&l->heap);
    *l = (event_list){ 0 };
}

static int put_var(event_list *l, const char *eid, size_t eidlen, const char *extra,
                   size_t extralen, uint32_t *var)
{
    if (eidlen == 0 && extralen == 0) {
        *var = 0;
        return 0;
    }
    *var = (uint32_t)l->heap.len + 1;
    if (buf_put_varint(&l->heap, eidlen) || buf_put(&l->heap, eid, eidlen) ||
        buf_put_varint(&l->heap, extralen) || buf_put(&l->heap, extra, extralen))
        return -1;
    return 0;
}

void event_var(const event_list *l, const event_rec *r, const char **eid, size_t *eidlen,
            const char **extra, size_t *extralen)
{
    *eid = *extra = "";
    *eidlen = *extralen = 0;
    if (r->var == 0)
        return;
    const unsigned char *p = l->heap.p + r->var - 1, *end = l->heap.p + l->heap.len;
    uint64_t n;
    if (get_varint(&p, end, &n) != 0 || n > (uint64_t)(end - p))
        return;
    *eid = (const char *)p;
    *eidlen = (size_t)n;
    p += n;
    if (get_varint(&p, end, &n) != 0 || n > (uint64_t)(end - p))
        return;
    *extra = (const char *)p;
    *extralen = (size_t)n;
}

int event_list_add(event_list *l, const event_rec *r, const char *eid, size_t eidlen, const char *extra,
                size_t extralen)
{
    if (ARRAY_RESERVE(l->recs, l->cap, l->n + 1) != 0)
        return -1;
    event_rec rec = *r;
    if (put_var(l, eid, eidlen, extra, extralen, &rec.var) != 0)
        return -1;
    l->recs[l->n++] = rec;
    return 0;
}

int event_list_count(const void *data, size_t size, uint32_t *n)
{
    event_blob b;
    *n = 0;
    if (event_blob_open(&b, data, size) != 0)
        return -1;
    *n = b.n;
    return 0;
}

int event_list_decode(event_list *l, const void *data, size_t size)
{
    event_blob b;
    if (event_blob_open(&b, data, size) != 0)
        return -1;
    if (ARRAY_RESERVE(l->recs, l->cap, l->n + b.n) != 0)
        return -2;
    /* records land past l->n and count only once the whole value has read well */
    uint32_t base = (uint32_t)l->heap.len;
    event_rec *to = l->recs + l->n;
    int got;
    while ((got = event_blob_next(&b, to)) == 1) {
        if (to->var)
            to->var += base;
        to++;
    }
    if (got != 0)
        return -1;
    if (buf_put(&l->heap, b.heap, b.heaplen) != 0)
        return -2;
    l->n += b.n;
    return 0;
}

int event_list_read(segrt_store *s, MDB_txn *txn, uint32_t ord, event_list *l)
{
    MDB_val k = store_ord_key(&ord), v;
    int rc = store_get(s, txn, DB_EVENTS, &k, &v, "reading events");
    if (rc == SEGRT_OK)
        rc = store_decoded(s, event_list_decode(l, v.mv_data, v.mv_size), "events", ord);
    return rc == SEGRT_ENOTFOUND ? SEGRT_OK : rc;
}

int event_list_newest(const void *data, size_t size, int64_t *ts)
{
    event_blob b;
    event_rec r;
    int got;
    *ts = VALUE_MISSING;
    if (event_blob_open(&b, data, size) != 0)
        return -1;
    while ((got = event_blob_next(&b, &r)) == 1)
        *ts = r.ts; /* records are in time order: the last is the newest */
    return got;
}

/* Events are the same when their event_ids match, or, without ids, their content. */
static int same_event(const event_list *l, const event_rec *a, const event_rec *b)
{
    const char *ea, *eb, *xa, *xb;
    size_t nea, neb, nxa, nxb;
    event_var(l, a, &ea, &nea, &xa, &nxa);
    event_var(l, b, &eb, &neb, &xb, &nxb);
    if (nea || neb)
        return nea == neb && memcmp(ea, eb, nea) == 0;
    return a->ts == b->ts && a->type == b->type && a->amount == b->amount &&
           a->category == b->category && a->channel == b->channel && nxa == nxb &&
           memcmp(xa, xb, nxa) == 0;
}

typedef struct ord_rec {
    event_rec r;
    size_t at; /* original position, for a stable sort */
} ord_rec;

static int by_ts(const void *a, const void *b)
{
    const ord_rec *x = a, *y = b;
    if (x->r.ts != y->r.ts)
        return x->r.ts < y->r.ts ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* The records of l with their positions, sorted by ts, equal ts in list order; NULL: no memory. */
static ord_rec *sorted_by_ts(const event_list *l)
{
    ord_rec *tmp = malloc((l->n ? l->n : 1) * sizeof *tmp);
    if (tmp == NULL)
        return NULL;
    int sorted = 1;
    for (size_t i = 0; i < l->n; i++) {
        tmp[i] = (ord_rec){ l->recs[i], i };
        sorted &= i == 0 || l->recs[i].ts >= l->recs[i - 1].ts;
    }
    if (!sorted)
        qsort(tmp, l->n, sizeof *tmp, by_ts);
    return tmp;
}

#define EV_DROPPED UINT32_MAX /* type marker of a record removed by the merge */

/* How many new events of t[from, to) are the same event as r (dropped ones aside). */
static size_t new_same(const event_list *l, const ord_rec *t, size_t from, size_t to,
                       const event_rec *r, size_t nold)
{
    size_t k = 0;
    for (size_t j = from; j < to; j++)
        k += t[j].at >= nold && t[j].r.type != EV_DROPPED && same_event(l, &t[j].r, r);
    return k;
}

/* How many of the records [from, to) of l are the same event as r. */
static size_t held_same(const event_list *l, size_t from, size_t to, const event_rec *r)
{
    size_t k = 0;
    for (size_t j = from; j < to; j++)
        k += (size_t)same_event(l, &l->recs[j], r);
    return k;
}

int event_list_merge(event_list *l, size_t nold)
{
    return event_list_merge_prior(l, nold, NULL);
}

int event_list_merge_prior(event_list *l, size_t nold, const uint32_t *prior)
{
    /* An event_id seen again replaces the earlier event wherever it stands. */
    for (size_t i = nold; i < l->n; i++) {
        const char *eid, *x;
        size_t neid, nx;
        event_var(l, &l->recs[i], &eid, &neid, &x, &nx);
        if (neid == 0)
            continue;
        for (size_t j = 0; j < i; j++) {
            if (l->recs[j].type != EV_DROPPED && same_event(l, &l->recs[j], &l->recs[i]))
                l->recs[j].type = EV_DROPPED;
        }
    }
    ord_rec *t = sorted_by_ts(l);
    if (t == NULL)
        return -1;
    /*
     * l->recs[0, out) is the merged timeline so far, [run, out) its events
     * of the current ts (t[first, i) in input order). A new event without an
     * event_id that is the o-th of its kind in its input (o = its prior
     * count + 1 + the identical new events before it) is kept only while
     * fewer than o identical events are held: k held and m new copies end
     * as max(k, m).
     */
    size_t out = 0, run = 0, first = 0;
    for (size_t i = 0; i < l->n; i++) {
        const ord_rec *e = &t[i];
        if (i == 0 || e->r.ts != t[i - 1].r.ts) {
            run = out;
            first = i;
        }
        int keep = e->r.type != EV_DROPPED;
        const char *eid, *x;
        size_t neid, nx;
        event_var(l, &e->r, &eid, &neid, &x, &nx);
        if (keep && e->at >= nold && neid == 0) {
            size_t o = (prior ? prior[e->at - nold] : 0) + 1 + new_same(l, t, first, i, &e->r, nold);
            keep = held_same(l, run, out, &e->r) < o;
        }
        if (keep)
            l->recs[out++] = e->r;
    }
    l->n = out;
    free(t);
    return 0;
}

size_t event_list_count_same(const event_list *l, size_t n, const event_rec *r)
{
    size_t lo = 0, hi = n; /* the first of [0, n) not older than r */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->recs[mid].ts < r->ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t k = 0;
    for (size_t j = lo; j < n && l->recs[j].ts == r->ts; j++)
        k += l->recs[j].type != EV_DROPPED && same_event(l, &l->recs[j], r);
    return k;
}

int event_list_encode(const event_list *l, buf *out)
{
    /* The heap is rebuilt so that dropped and replaced events leave no bytes. */
    buf heap = { 0 };
    int64_t prev_ts = 0;
    out->len = 0;
    int rc = buf_reserve(out, 8);
    if (rc == 0)
        out->len = 8;
    for (size_t i = 0; i < l->n && rc == 0; i++) {
        event_rec r = l->recs[i];
        if (r.var) {
            const char *eid, *x;
            size_t neid, nx;
            event_var(l, &l->recs[i], &eid, &neid, &x, &nx);
            r.var = (uint32_t)heap.len + 1;
            rc |= buf_put_blob(&heap, eid, neid) | buf_put_blob(&heap, x, nx);
        }
        rc |= event_blob_put(out, &r, &prev_ts);
    }
    rc |= buf_put(out, heap.p, heap.len);
    if (rc == 0)
        event_blob_header(out->p, (uint32_t)l->n, (uint32_t)heap.len);
    buf_free(&heap);
    return rc ? -1 : 0;
}

/* Whether event x of lx and event y of ly are identical in every part. */
static int identical(const event_list *lx, const event_rec *x, const event_list *ly, const event_rec *y)
{
    const char *ex, *ey, *ax, *ay;
    size_t nex, ney, nax, nay;
    if (x->ts != y->ts || x->type != y->type || x->amount != y->amount ||
        x->category != y->category || x->channel != y->channel)
        return 0;
    event_var(lx, x, &ex, &nex, &ax, &nax);
    event_var(ly, y, &ey, &ney, &ay, &nay);
    return nex == ney && nax == nay && memcmp(ex, ey, nex) == 0 && memcmp(ax, ay, nax) == 0;
}

int event_list_minus(const event_list *a, const event_list *b, event_list *out)
{
    unsigned char *used = calloc(b->n + 1, 1);
    if (used == NULL)
        return -1;
    size_t from = 0; /* first event of b not older than the current one of a */
    int rc = 0;
    for (size_t i = 0; i < a->n && rc == 0; i++) {
        const event_rec *x = &a->recs[i];
        while (from < b->n && b->recs[from].ts < x->ts)
            from++;
        size_t j = from;
        while (j < b->n && b->recs[j].ts == x->ts && (used[j] || !identical(a, x, b, &b->recs[j])))
            j++;
        if (j < b->n && b->recs[j].ts == x->ts) {
            used[j] = 1;
            continue;
        }
        const char *eid, *extra;
        size_t neid, nextra;
        event_var(a, x, &eid, &neid, &extra, &nextra);
        rc = event_list_add(out, x, eid, neid, extra, nextra);
    }
    free(used);
    return rc;
}
