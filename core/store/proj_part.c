/*
 * proj_part.c — the stored form of one part of an event projection
 * (proj_part.h): keys, decoding a value in place (or from an aligned copy),
 * and writing one from growable columns.
 *
 * Uses: proj_part.h, store.h, LMDB.
 */
#include "store/proj_part.h"

#include <stdlib.h>
#include <string.h>

#define HEADER 16
#define EVENT_BYTES 32 /* ts 8, amount 8, ord 4, category 4, channel 4, seq 4 */
#define VERSION 1

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

MDB_val proj_key_val(const proj_key *k, unsigned char buf[PROJ_KEY_BYTES])
{
    put_be32(buf, k->type);
    put_be32(buf + 4, k->chunk);
    put_be32(buf + 8, k->part);
    return (MDB_val){ PROJ_KEY_BYTES, buf };
}

int proj_key_decode(const MDB_val *v, proj_key *k)
{
    if (v->mv_size != PROJ_KEY_BYTES)
        return -1;
    const unsigned char *p = v->mv_data;
    *k = (proj_key){ get_be32(p), get_be32(p + 4), get_be32(p + 8) };
    return 0;
}

/* ------------------------------------------------------------ decoding */

static int corrupt(segrt_store *s, const proj_key *k, const char *what)
{
    return store_fail(s, SEGRT_ECORRUPT,
                      "the projection of event type %u is corrupt (chunk %u, part %u: %s)", k->type,
                      k->chunk, k->part, what);
}

/* Point the arrays of ev at the n events laid out from base. */
static void layout(const unsigned char *base, size_t n, projection *ev)
{
    const unsigned char *p = base + HEADER;
    ev->n = n;
    ev->ts = (const int64_t *)(const void *)p;
    ev->amount = ev->ts + n;
    ev->ord = (const uint32_t *)(const void *)(ev->amount + n);
    ev->category = ev->ord + n;
    ev->channel = ev->category + n;
    ev->seq = ev->channel + n;
    ev->span = NULL;
    ev->nspan = 0;
}

/* A run's entries: sorted by ord, in the chunk, covering [0, n) in order, each its contact's. */
static int check_entries(segrt_store *s, const proj_key *k, const proj_part *p)
{
    uint32_t at = 0;
    for (size_t e = 0; e < p->nent; e++) {
        const proj_entry *x = &p->ent[e];
        if ((e > 0 && x->ord <= p->ent[e - 1].ord) || x->ord >> PROJ_CHUNK_BITS != k->chunk)
            return corrupt(s, k, "entries out of order or outside the chunk");
        if (x->lo != at || x->hi < x->lo || x->hi > p->ev.n || x->base_hi < x->base_lo)
            return corrupt(s, k, "bad entry ranges");
        for (uint32_t i = x->lo; i < x->hi; i++) {
            if (p->ev.ord[i] != x->ord)
                return corrupt(s, k, "an entry holds another contact's events");
        }
        at = x->hi;
    }
    if (at != p->ev.n)
        return corrupt(s, k, "events outside the entries");
    return SEGRT_OK;
}

int proj_part_decode(segrt_store *s, const proj_key *k, const MDB_val *v, proj_part *out)
{
    *out = (proj_part){ .id = k->part };
    uint32_t hdr[4];
    if (v->mv_size < HEADER)
        return corrupt(s, k, "too short");
    memcpy(hdr, v->mv_data, sizeof hdr);
    uint64_t n = hdr[0], nent = hdr[1];
    if (hdr[2] != VERSION || hdr[3] != 0 ||
        HEADER + n * EVENT_BYTES + nent * sizeof(proj_entry) != v->mv_size ||
        (k->part == 0 && nent != 0))
        return corrupt(s, k, "bad header or size");
    const unsigned char *base = v->mv_data;
    if ((uintptr_t)base % 8 != 0) {
        if ((out->copy = malloc(v->mv_size)) == NULL)
            return store_fail(s, SEGRT_ENOMEM, "out of memory reading an event projection");
        memcpy(out->copy, base, v->mv_size);
        base = out->copy;
    }
    layout(base, (size_t)n, &out->ev);
    out->ent = (const proj_entry *)(const void *)(base + HEADER + n * EVENT_BYTES);
    out->nent = (size_t)nent;
    int rc = k->part ? check_entries(s, k, out) : SEGRT_OK;
    if (rc != SEGRT_OK)
        proj_part_free(out);
    return rc;
}

void proj_part_free(proj_part *p)
{
    free(p->copy);
    *p = (proj_part){ 0 };
}

/* ------------------------------------------------------------ columns */

/*
 * Not ARRAY_RESERVE: six arrays share one capacity, and growing by half
 * rather than doubling keeps the largest (a chunk rebuilt from its
 * timelines) near their size.
 */
int proj_cols_reserve(proj_cols *c, size_t want)
{
    if (want <= c->cap)
        return 0;
    size_t cap = c->cap ? c->cap : 16;
    while (cap < want)
        cap += cap / 2;
    if (cap > SIZE_MAX / 8)
        return -1;
    void **col[] = { (void **)&c->ts, (void **)&c->amount, (void **)&c->ord,
                     (void **)&c->category, (void **)&c->channel, (void **)&c->seq };
    static const size_t width[] = { 8, 8, 4, 4, 4, 4 };
    for (size_t i = 0; i < sizeof width / sizeof width[0]; i++) {
        void *p = realloc(*col[i], cap * width[i]);
        if (p == NULL)
            return -1;
        *col[i] = p;
    }
    c->cap = cap;
    return 0;
}

int proj_cols_append(proj_cols *c, const projection *src, size_t lo, size_t hi)
{
    size_t k = hi - lo;
    if (k == 0)
        return 0;
    if (proj_cols_reserve(c, c->n + k) != 0)
        return -1;
    memcpy(c->ts + c->n, src->ts + lo, k * sizeof *c->ts);
    memcpy(c->amount + c->n, src->amount + lo, k * sizeof *c->amount);
    memcpy(c->ord + c->n, src->ord + lo, k * sizeof *c->ord);
    memcpy(c->category + c->n, src->category + lo, k * sizeof *c->category);
    memcpy(c->channel + c->n, src->channel + lo, k * sizeof *c->channel);
    memcpy(c->seq + c->n, src->seq + lo, k * sizeof *c->seq);
    c->n += k;
    return 0;
}

int proj_cols_push(proj_cols *c, uint32_t ord, int64_t ts, int64_t amount, uint32_t category,
                   uint32_t channel, uint32_t seq)
{
    if (c->n == c->cap && proj_cols_reserve(c, c->n + 1) != 0)
        return -1;
    size_t k = c->n++;
    c->ord[k] = ord;
    c->ts[k] = ts;
    c->amount[k] = amount;
    c->category[k] = category;
    c->channel[k] = channel;
    c->seq[k] = seq;
    return 0;
}

void proj_cols_view(const proj_cols *c, projection *out)
{
    *out = (projection){ .n = c->n, .ord = c->ord, .ts = c->ts, .amount = c->amount,
                         .category = c->category, .channel = c->channel, .seq = c->seq };
}

void proj_cols_free(proj_cols *c)
{
    free(c->ts);
    free(c->amount);
    free(c->ord);
    free(c->category);
    free(c->channel);
    free(c->seq);
    *c = (proj_cols){ 0 };
}

/* ------------------------------------------------------------ writing */

int proj_part_put(segrt_store *s, MDB_txn *txn, const proj_key *k, const proj_cols *c,
                  const proj_entry *ent, size_t nent)
{
    uint64_t size = HEADER + (uint64_t)c->n * EVENT_BYTES + (uint64_t)nent * sizeof *ent;
    if (c->n > UINT32_MAX || nent > UINT32_MAX || size > UINT32_MAX)
        return store_fail(s, SEGRT_EINVAL,
                          "event type %u has too many events in contacts %u.. to project (%zu)",
                          k->type, k->chunk << PROJ_CHUNK_BITS, c->n);
    unsigned char kb[PROJ_KEY_BYTES];
    MDB_val key = proj_key_val(k, kb), v = { (size_t)size, NULL };
    int mrc = mdb_put(txn, s->dbi[DB_PROJ], &key, &v, MDB_RESERVE);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "writing an event projection");
    unsigned char *p = v.mv_data;
    uint32_t hdr[4] = { (uint32_t)c->n, (uint32_t)nent, VERSION, 0 };
    size_t n = c->n;
    memcpy(p, hdr, sizeof hdr);
    p += HEADER;
    if (n) {
        memcpy(p, c->ts, n * 8);
        memcpy(p + n * 8, c->amount, n * 8);
        memcpy(p + n * 16, c->ord, n * 4);
        memcpy(p + n * 20, c->category, n * 4);
        memcpy(p + n * 24, c->channel, n * 4);
        memcpy(p + n * 28, c->seq, n * 4);
    }
    if (nent)
        memcpy(p + n * EVENT_BYTES, ent, nent * sizeof *ent);
    return SEGRT_OK;
}

int proj_part_del(segrt_store *s, MDB_txn *txn, const proj_key *k)
{
    unsigned char kb[PROJ_KEY_BYTES];
    MDB_val key = proj_key_val(k, kb);
    int mrc = mdb_del(txn, s->dbi[DB_PROJ], &key, NULL);
    if (mrc != 0 && mrc != MDB_NOTFOUND)
        return store_mdb_fail(s, mrc, "deleting an event projection part");
    return SEGRT_OK;
}
