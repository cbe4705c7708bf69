/*
 * consent.c — consent histories and the record in force, and reading a
 * contact's history (consent.h).
 *
 * Uses: store.h (store_get), array.h, buf.h (varints), value.h.
 */
#include "store/consent.h"

#include "util/array.h"
#include "util/value.h"

#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = { NULL, "granted", "withdrawn", "denied" };
static const char *const basis_names[] = { NULL, "consent", "legitimate_interest", "contract",
                                           "legal_obligation", "vital_interest", "public_task" };

static int parse_name(const char *const *names, int count, const char *s, size_t n)
{
    for (int i = 1; i < count; i++) {
        if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
            return i;
    }
    return 0;
}

int consent_status_parse(const char *s, size_t n)
{
    return parse_name(status_names, 4, s, n);
}

const char *consent_status_name(int status)
{
    return status >= CS_GRANTED && status <= CS_DENIED ? status_names[status] : "unknown";
}

int consent_basis_parse(const char *s, size_t n)
{
    return parse_name(basis_names, 7, s, n);
}

const char *consent_basis_name(int basis)
{
    return basis >= CS_CONSENT && basis <= CS_PUBLIC_TASK ? basis_names[basis] : NULL;
}

void consent_list_free(consent_list *l)
{
    free(l->recs);
    *l = (consent_list){ 0 };
}

/*
 * A stored history being read. Its records are in either form (consent.h):
 * compact, or the fixed 32-byte images format 4 wrote.
 */
typedef struct history {
    const unsigned char *p, *end; /* the records not yet read */
    uint32_t n, left;
    int compact;
    int64_t ts;   /* of the record read last (0 before the first) */
    uint32_t seq; /* of the record read last (0 before the first) */
} history;

#define COMPACT_BIT 0x80000000u
#define FIXED_SIZE 32
#define MIN_COMPACT 5 /* flags, status, basis, ts and purpose take a byte each at least */
enum {
    C_EXPIRES = 1u, /* an expiry follows, as a delta from ts */
    C_SOURCE = 2u,  /* a source code follows (absent: 0) */
    C_SEQ = 4u,     /* a seq follows (absent: the previous record's + 1) */
    C_ALL = 7u
};

_Static_assert(sizeof(consent_rec) == FIXED_SIZE, "the fixed form is consent_rec's image");

/* Start reading a stored history; -1 when its count cannot be what its size holds. */
static int history_open(history *h, const void *data, size_t size)
{
    uint32_t n;
    if (size < 4)
        return -1;
    memcpy(&n, data, 4);
    *h = (history){ .p = (const unsigned char *)data + 4, .end = (const unsigned char *)data + size,
                    .compact = (n & COMPACT_BIT) != 0 };
    h->n = h->left = n & ~COMPACT_BIT;
    if (h->compact) /* bounds n by the bytes, so that a reader may size for it */
        return h->n > (size - 4) / MIN_COMPACT ? -1 : 0;
    return (uint64_t)n * FIXED_SIZE == size - 4 ? 0 : -1;
}

static int next_compact(history *h, consent_rec *r)
{
    uint64_t dt, de = 0;
    if (h->end - h->p < 3)
        return -1;
    unsigned flags = h->p[0];
    *r = (consent_rec){ .status = h->p[1], .basis = h->p[2], .seq = h->seq + 1 };
    h->p += 3;
    if (flags & ~C_ALL || get_varint(&h->p, h->end, &dt) != 0 ||
        get_u32(&h->p, h->end, &r->purpose) != 0 ||
        (flags & C_SOURCE && get_u32(&h->p, h->end, &r->source) != 0) ||
        (flags & C_EXPIRES && get_varint(&h->p, h->end, &de) != 0) ||
        (flags & C_SEQ && get_u32(&h->p, h->end, &r->seq) != 0))
        return -1;
    r->ts = unzigzag_delta(dt, h->ts);
    r->expires = flags & C_EXPIRES ? unzigzag_delta(de, r->ts) : VALUE_MISSING;
    /* a record that never expires has no C_EXPIRES */
    return flags & C_EXPIRES && r->expires == VALUE_MISSING ? -1 : 0;
}

/* Read the next record: 1, or 0 when all were read (and the bytes end there), -1 corrupt. */
static int history_next(history *h, consent_rec *r)
{
    if (h->left == 0)
        return h->p == h->end ? 0 : -1;
    if (!h->compact) {
        memcpy(r, h->p, FIXED_SIZE);
        h->p += FIXED_SIZE;
    } else if (next_compact(h, r) != 0) {
        return -1;
    }
    h->left--;
    h->ts = r->ts;
    h->seq = r->seq;
    return 1;
}

/* Append r in the compact form after a record of ts *prev_ts and seq *prev_seq (0, 0: none). */
static int put_compact(buf *out, const consent_rec *r, int64_t *prev_ts, uint32_t *prev_seq)
{
    unsigned flags = (r->expires != VALUE_MISSING ? C_EXPIRES : 0) | (r->source ? C_SOURCE : 0) |
                     (r->seq != *prev_seq + 1 ? C_SEQ : 0);
    const unsigned char head[3] = { (unsigned char)flags, r->status, r->basis };
    int rc = buf_put(out, head, 3) | buf_put_varint(out, zigzag_delta(r->ts, *prev_ts)) |
             buf_put_varint(out, r->purpose);
    if (flags & C_SOURCE)
        rc |= buf_put_varint(out, r->source);
    if (flags & C_EXPIRES)
        rc |= buf_put_varint(out, zigzag_delta(r->expires, r->ts));
    if (flags & C_SEQ)
        rc |= buf_put_varint(out, r->seq);
    *prev_ts = r->ts;
    *prev_seq = r->seq;
    return rc ? -1 : 0;
}

int consent_list_decode(consent_list *l, const void *data, size_t size)
{
    history h;
    if (history_open(&h, data, size) != 0)
        return -1;
    if (ARRAY_RESERVE(l->recs, l->cap, l->n + h.n) != 0)
        return -2;
    /* records land past l->n and count only once the whole value has read well */
    consent_rec *to = l->recs + l->n;
    int got;
    while ((got = history_next(&h, to)) == 1)
        to++;
    if (got != 0)
        return -1;
    l->n += h.n;
    return 0;
}

int consent_list_read(segrt_store *s, MDB_txn *txn, uint32_t ord, consent_list *l)
{
    MDB_val k = store_ord_key(&ord), v;
    int rc = store_get(s, txn, DB_CONSENTS, &k, &v, "reading consents");
    if (rc == SEGRT_OK)
        rc = store_decoded(s, consent_list_decode(l, v.mv_data, v.mv_size), "consents", ord);
    return rc == SEGRT_ENOTFOUND ? SEGRT_OK : rc;
}

int consent_list_newest(const void *data, size_t size, int64_t *ts)
{
    history h;
    consent_rec r;
    int got;
    *ts = VALUE_MISSING;
    if (history_open(&h, data, size) != 0)
        return -1;
    while ((got = history_next(&h, &r)) == 1) { /* in import order: any may be the newest */
        if (*ts == VALUE_MISSING || r.ts > *ts)
            *ts = r.ts;
    }
    return got;
}

static int same_record(const consent_rec *a, const consent_rec *b)
{
    return a->ts == b->ts && a->expires == b->expires && a->purpose == b->purpose &&
           a->source == b->source && a->status == b->status && a->basis == b->basis;
}

int consent_list_push(consent_list *l, const consent_rec *r)
{
    if (ARRAY_RESERVE(l->recs, l->cap, l->n + 1) != 0)
        return -1;
    l->recs[l->n++] = *r;
    return 0;
}

int consent_list_add(consent_list *l, const consent_rec *r, int *added)
{
    *added = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (same_record(&l->recs[i], r))
            return 0;
    }
    consent_rec rec = *r;
    rec.seq = l->n ? l->recs[l->n - 1].seq + 1 : 1;
    rec.pad = 0;
    if (consent_list_push(l, &rec) != 0)
        return -1;
    *added = 1;
    return 0;
}

int consent_list_encode(const consent_list *l, buf *out)
{
    int64_t prev_ts = 0;
    uint32_t prev_seq = 0, n = (uint32_t)l->n | COMPACT_BIT;
    out->len = 0;
    int rc = buf_put(out, &n, 4);
    for (size_t i = 0; i < l->n && rc == 0; i++)
        rc = put_compact(out, &l->recs[i], &prev_ts, &prev_seq);
    return rc;
}

/* Whether b beats a as the record in force when both have the same ts. */
static int wins_tie(const consent_rec *a, const consent_rec *b)
{
    int ga = a->status == CS_GRANTED, gb = b->status == CS_GRANTED;
    if (ga != gb)
        return !gb;
    if (ga && a->expires != b->expires) {
        /* VALUE_MISSING (never expires) is the most permissive: it loses. */
        if (a->expires == VALUE_MISSING)
            return 1;
        if (b->expires == VALUE_MISSING)
            return 0;
        return b->expires < a->expires;
    }
    return b->seq > a->seq;
}

const consent_rec *consent_in_force(const consent_list *l, uint32_t purpose, int64_t now)
{
    const consent_rec *best = NULL;
    for (size_t i = 0; i < l->n; i++) {
        const consent_rec *r = &l->recs[i];
        if (r->purpose != purpose || r->ts > now)
            continue;
        if (best == NULL || r->ts > best->ts || (r->ts == best->ts && wins_tie(best, r)))
            best = r;
    }
    return best;
}
