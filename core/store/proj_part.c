/*
 * proj_part.c — the stored form of one part of an event projection
 * (proj_part.h): keys, decoding a value in place (or from an aligned copy),
 * and writing one from growable columns.
 *
 * Uses: proj_part.h, store.h, value.h (VALUE_MISSING), LMDB.
 */
#include "store/proj_part.h"

#include "util/value.h"

#include <stdlib.h>
#include <string.h>

#define HEADER 16
#define EVENT_BYTES 32 /* ts 8, amount 8, ord 4, category 4, channel 4, seq 4 */
#define VERSION 2      /* 1: every column stored (still read) */
/* The columns a version 2 part may leave out (header word 3), when no event has one. */
enum { NO_AMOUNT = 1u, NO_CATEGORY = 2u, NO_CHANNEL = 4u, NO_ANY = 7u };

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

/* The bytes an event takes in a part that leaves out the columns of mask. */
static size_t event_bytes(unsigned mask)
{
    return EVENT_BYTES - (mask & NO_AMOUNT ? 8 : 0) - (mask & NO_CATEGORY ? 4 : 0) -
           (mask & NO_CHANNEL ? 4 : 0);
}

/* Point the arrays of ev at the n events laid out from base; a column left out is NULL. */
static void layout(const unsigned char *base, size_t n, unsigned mask, projection *ev)
{
    const unsigned char *p = base + HEADER;
    ev->n = n;
    ev->ts = (const int64_t *)(const void *)p;
    p += n * 8;
    ev->amount = mask & NO_AMOUNT ? NULL : (const int64_t *)(const void *)p;
    p += mask & NO_AMOUNT ? 0 : n * 8;
    ev->ord = (const uint32_t *)(const void *)p;
    p += n * 4;
    ev->category = mask & NO_CATEGORY ? NULL : (const uint32_t *)(const void *)p;
    p += mask & NO_CATEGORY ? 0 : n * 4;
    ev->channel = mask & NO_CHANNEL ? NULL : (const uint32_t *)(const void *)p;
    p += mask & NO_CHANNEL ? 0 : n * 4;
    ev->seq = (const uint32_t *)(const void *)p;
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
    unsigned mask = hdr[3];
    size_t each = event_bytes(mask);
    if (!(hdr[2] == VERSION || (hdr[2] == 1 && mask == 0)) || mask & ~NO_ANY ||
        HEADER + n * each + nent * sizeof(proj_entry) != v->mv_size ||
        (k->part == 0 && nent != 0))
        return corrupt(s, k, "bad header or size");
    const unsigned char *base = v->mv_data;
    if ((uintptr_t)base % 8 != 0) {
        if ((out->copy = malloc(v->mv_size)) == NULL)
            return store_fail(s, SEGRT_ENOMEM, "out of memory reading an event projection");
        memcpy(out->copy, base, v->mv_size);
        base = out->copy;
    }
    layout(base, (size_t)n, mask, &out->ev);
    out->ent = (const proj_entry *)(const void *)(base + HEADER + n * each);
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

/* Codes [lo, lo + k) of from into to, or zeros (absent) when from was left out. */
static void copy_codes(uint32_t *to, const uint32_t *from, size_t lo, size_t k)
{
    if (from)
        memcpy(to, from + lo, k * sizeof *to);
    else
        memset(to, 0, k * sizeof *to);
}

int proj_cols_append(proj_cols *c, const projection *src, size_t lo, size_t hi)
{
    size_t k = hi - lo;
    if (k == 0)
        return 0;
    if (proj_cols_reserve(c, c->n + k) != 0)
        return -1;
    memcpy(c->ts + c->n, src->ts + lo, k * sizeof *c->ts);
    memcpy(c->ord + c->n, src->ord + lo, k * sizeof *c->ord);
    memcpy(c->seq + c->n, src->seq + lo, k * sizeof *c->seq);
    /* a column src left out holds no value: the missing amount, code 0 */
    if (src->amount)
        memcpy(c->amount + c->n, src->amount + lo, k * sizeof *c->amount);
    else
        for (size_t i = 0; i < k; i++)
            c->amount[c->n + i] = VALUE_MISSING;
    copy_codes(c->category + c->n, src->category, lo, k);
    copy_codes(c->channel + c->n, src->channel, lo, k);
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

/* The columns of c no event has a value in (the missing amount, code 0), as NO_* bits. */
static unsigned empty_columns(const proj_cols *c)
{
    unsigned mask = NO_ANY;
    for (size_t i = 0; i < c->n && mask; i++) {
        if (c->amount[i] != VALUE_MISSING)
            mask &= ~(unsigned)NO_AMOUNT;
        if (c->category[i])
            mask &= ~(unsigned)NO_CATEGORY;
        if (c->channel[i])
            mask &= ~(unsigned)NO_CHANNEL;
    }
    return mask;
}

/* Append the n values of width bytes at from to *p, unless the column is left out. */
static void put_column(unsigned char **p, const void *from, size_t n, size_t width, int left_out)
{
    if (left_out || n == 0) /* (an empty part's columns may never have been allocated) */
        return;
    memcpy(*p, from, n * width);
    *p += n * width;
}

int proj_part_put(segrt_store *s, MDB_txn *txn, const proj_key *k, const proj_cols *c,
                  const proj_entry *ent, size_t nent)
{
    unsigned mask = empty_columns(c);
    uint64_t size = HEADER + (uint64_t)c->n * event_bytes(mask) + (uint64_t)nent * sizeof *ent;
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
    uint32_t hdr[4] = { (uint32_t)c->n, (uint32_t)nent, VERSION, mask };
    size_t n = c->n;
    memcpy(p, hdr, sizeof hdr);
    p += HEADER;
    put_column(&p, c->ts, n, 8, 0);
    put_column(&p, c->amount, n, 8, mask & NO_AMOUNT);
    put_column(&p, c->ord, n, 4, 0);
    put_column(&p, c->category, n, 4, mask & NO_CATEGORY);
    put_column(&p, c->channel, n, 4, mask & NO_CHANNEL);
    put_column(&p, c->seq, n, 4, 0);
    if (nent)
        memcpy(p, ent, nent * sizeof *ent);
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
