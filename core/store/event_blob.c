/*
 * event_blob.c — a stored timeline's records, in either form (event_blob.h).
 *
 * Uses: event.h (event_rec), buf.h (varints), value.h (VALUE_MISSING).
 */
#include "store/event_blob.h"

#include "util/value.h"

#include <string.h>

#define COMPACT_BIT 0x80000000u
#define FIXED_SIZE 32 /* a fixed record: the event_rec image of format 4 */

enum {
    F_AMOUNT = 1u,   /* an amount follows */
    F_CENTS = 2u,    /* ... in units of CENT micro-units */
    F_CATEGORY = 4u, /* a category code follows (absent: 0) */
    F_CHANNEL = 8u,  /* a channel code follows (absent: 0) */
    F_VAR = 16u,     /* a var follows (absent: 0) */
    F_ALL = 31u
};
#define CENT 10000 /* micro-units: amounts are mostly whole cents */
#define MIN_COMPACT 3 /* flags, ts and type take a byte each at least */

_Static_assert(sizeof(event_rec) == FIXED_SIZE, "the fixed form is event_rec's image");

void event_blob_header(unsigned char out[8], uint32_t n, uint32_t heaplen)
{
    uint32_t flagged = n | COMPACT_BIT;
    memcpy(out, &flagged, 4);
    memcpy(out + 4, &heaplen, 4);
}

int event_blob_open(event_blob *b, const void *data, size_t size)
{
    const unsigned char *p = data;
    uint32_t n, heaplen;
    if (size < 8)
        return -1;
    memcpy(&n, p, 4);
    memcpy(&heaplen, p + 4, 4);
    if (heaplen > size - 8)
        return -1;
    size_t recs = size - 8 - heaplen;
    *b = (event_blob){ .p = p + 8, .end = p + 8 + recs, .heap = p + 8 + recs, .heaplen = heaplen,
                       .compact = (n & COMPACT_BIT) != 0 };
    b->n = b->left = n & ~COMPACT_BIT;
    /* bounds n by the bytes, so that a reader may size for it */
    if (b->compact)
        return b->n > recs / MIN_COMPACT ? -1 : 0;
    return (uint64_t)n * FIXED_SIZE != recs ? -1 : 0;
}

/* Whether the variable part at heap offset var - 1 lies wholly inside the heap. */
static int var_fits(const event_blob *b, uint32_t var)
{
    if (var == 0)
        return 1;
    if (var > b->heaplen)
        return 0;
    const unsigned char *p = b->heap + var - 1, *end = b->heap + b->heaplen;
    buf_view part;
    return get_blob(&p, end, &part) == 0 && get_blob(&p, end, &part) == 0;
}

static int read_amount(event_blob *b, unsigned flags, int64_t *amount)
{
    uint64_t z;
    *amount = VALUE_MISSING;
    if (!(flags & F_AMOUNT))
        return flags & F_CENTS ? -1 : 0;
    if (get_varint(&b->p, b->end, &z) != 0)
        return -1;
    int64_t v = unzigzag(z);
    if (flags & F_CENTS) {
        if (v > INT64_MAX / CENT || v < INT64_MIN / CENT)
            return -1;
        v *= CENT;
    }
    if (v == VALUE_MISSING) /* a missing amount has no F_AMOUNT */
        return -1;
    *amount = v;
    return 0;
}

/* A code present under flag, or 0 when absent. */
static int read_code(event_blob *b, unsigned flags, unsigned flag, uint32_t *code)
{
    *code = 0;
    return flags & flag ? get_u32(&b->p, b->end, code) : 0;
}

static int next_compact(event_blob *b, event_rec *r)
{
    uint64_t dt;
    if (b->p >= b->end)
        return -1;
    unsigned flags = *b->p++;
    if (flags & ~F_ALL || get_varint(&b->p, b->end, &dt) != 0 ||
        get_u32(&b->p, b->end, &r->type) != 0 || read_amount(b, flags, &r->amount) != 0 ||
        read_code(b, flags, F_CATEGORY, &r->category) != 0 ||
        read_code(b, flags, F_CHANNEL, &r->channel) != 0 ||
        read_code(b, flags, F_VAR, &r->var) != 0)
        return -1;
    r->ts = unzigzag_delta(dt, b->ts);
    return 0;
}

int event_blob_next(event_blob *b, event_rec *r)
{
    if (b->left == 0)
        return b->p == b->end ? 0 : -1;
    if (b->compact) {
        if (next_compact(b, r) != 0)
            return -1;
    } else {
        memcpy(r, b->p, FIXED_SIZE);
        b->p += FIXED_SIZE;
    }
    b->left--;
    b->ts = r->ts;
    return var_fits(b, r->var) ? 1 : -1;
}

int event_blob_put(buf *out, const event_rec *r, int64_t *prev_ts)
{
    int cents = r->amount != VALUE_MISSING && r->amount % CENT == 0;
    unsigned flags = (r->amount != VALUE_MISSING ? F_AMOUNT : 0) | (cents ? F_CENTS : 0) |
                     (r->category ? F_CATEGORY : 0) | (r->channel ? F_CHANNEL : 0) |
                     (r->var ? F_VAR : 0);
    unsigned char f = (unsigned char)flags;
    int rc = buf_put(out, &f, 1) |
             buf_put_varint(out, zigzag_delta(r->ts, *prev_ts)) |
             buf_put_varint(out, r->type);
    if (flags & F_AMOUNT)
        rc |= buf_put_varint(out, zigzag(cents ? r->amount / CENT : r->amount));
    if (r->category)
        rc |= buf_put_varint(out, r->category);
    if (r->channel)
        rc |= buf_put_varint(out, r->channel);
    if (r->var)
        rc |= buf_put_varint(out, r->var);
    *prev_ts = r->ts;
    return rc ? -1 : 0;
}
