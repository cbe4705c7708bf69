/*
 * mset.c — a set of contact ordinals in the smallest of three byte forms
 * (mset.h): a gap list of the members, a gap list of the non-members, or the
 * bitset words with their zero ends cut off.
 *
 * Uses: bitset.h, buf.h.
 */
#include "util/mset.h"

#include <string.h>

#define MSET_LIST 'L'
#define MSET_COMPLEMENT 'C'
#define MSET_BITS 'B'

static size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* The next ordinal >= from that is not in b (b->nbits when none). */
static uint32_t next_zero(const bitset *b, uint32_t from)
{
    if (from >= b->nbits)
        return b->nbits;
    size_t wi = from >> 6, nw = bitset_words(b->nbits);
    uint64_t w = ~b->w[wi] & (~UINT64_C(0) << (from & 63));
    while (w == 0) {
        if (++wi == nw)
            return b->nbits;
        w = ~b->w[wi];
    }
    uint32_t i = (uint32_t)(wi * 64 + (size_t)__builtin_ctzll(w));
    return i < b->nbits ? i : b->nbits;
}

/*
 * The gaps between the members (or, inverted, the non-members) appended to
 * out, or only measured when out is NULL: their encoded size, or SIZE_MAX
 * when out of memory.
 */
static size_t put_gaps(const bitset *b, int inverted, buf *out)
{
    size_t n = 0;
    int64_t prev = -1;
    for (uint32_t i = inverted ? next_zero(b, 0) : bitset_next(b, 0); i < b->nbits;
         i = inverted ? next_zero(b, i + 1) : bitset_next(b, i + 1)) {
        uint64_t gap = (uint64_t)((int64_t)i - prev - 1);
        if (out && buf_put_varint(out, gap) != 0)
            return SIZE_MAX;
        n += varint_len(gap);
        prev = i;
    }
    return n;
}

static void store_le64(unsigned char *p, uint64_t w)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(w >> (8 * i));
}

static uint64_t load_le64(const unsigned char *p)
{
    uint64_t w = 0;
    for (int i = 0; i < 8; i++)
        w |= (uint64_t)p[i] << (8 * i);
    return w;
}

int mset_encode(const bitset *b, buf *out)
{
    size_t nw = bitset_words(b->nbits), first = 0, last = nw;
    uint64_t count = bitset_count(b), absent = b->nbits - count;
    while (first < nw && b->w[first] == 0)
        first++;
    while (last > first && b->w[last - 1] == 0)
        last--;
    size_t bits = varint_len(first) + varint_len(last - first) + 8 * (last - first);
    /* A gap list costs at least a byte an entry: measure it only when it can win. */
    size_t list = count < bits ? put_gaps(b, 0, NULL) : SIZE_MAX;
    size_t comp = absent < bits && absent < list ? put_gaps(b, 1, NULL) : SIZE_MAX;
    char form = list <= bits && list <= comp ? MSET_LIST : comp <= bits ? MSET_COMPLEMENT
                                                                        : MSET_BITS;
    unsigned char f = (unsigned char)form;
    if (buf_put(out, &f, 1) != 0 || buf_put_varint(out, b->nbits) != 0 ||
        buf_put_varint(out, count) != 0)
        return -1;
    if (form != MSET_BITS)
        return put_gaps(b, form == MSET_COMPLEMENT, out) == SIZE_MAX ? -1 : 0;
    if (buf_put_varint(out, first) != 0 || buf_put_varint(out, last - first) != 0 ||
        buf_reserve(out, 8 * (last - first)) != 0)
        return -1;
    for (size_t i = first; i < last; i++, out->len += 8)
        store_le64(out->p + out->len, b->w[i]);
    return 0;
}

/* An encoded set as read: its header, and the body still to read. */
typedef struct mset_view {
    const unsigned char *p, *end; /* the gaps, or the words of a 'B' set */
    int form;
    uint32_t nbits;
    uint64_t count;
    uint64_t first, nwords;       /* 'B': the words stored */
} mset_view;

/* Read the header of the n bytes at data (and the word range of a 'B' set); -1 when malformed. */
static int view_open(mset_view *v, const void *data, size_t n)
{
    uint64_t nb;
    v->p = data;
    v->end = v->p + n;
    if (v->p >= v->end)
        return -1;
    v->form = *v->p++;
    if (v->form != MSET_LIST && v->form != MSET_COMPLEMENT && v->form != MSET_BITS)
        return -1;
    if (get_varint(&v->p, v->end, &nb) != 0 || nb > UINT32_MAX ||
        get_varint(&v->p, v->end, &v->count) != 0 || v->count > nb)
        return -1;
    v->nbits = (uint32_t)nb;
    if (v->form != MSET_BITS)
        return 0;
    if (get_varint(&v->p, v->end, &v->first) != 0 || get_varint(&v->p, v->end, &v->nwords) != 0 ||
        v->first > bitset_words(v->nbits) || v->nwords > bitset_words(v->nbits) - v->first ||
        (size_t)(v->end - v->p) != 8 * v->nwords)
        return -1;
    return 0;
}

/* The entries a gap list holds: the members, or the non-members of a 'C' set. */
static uint64_t view_entries(const mset_view *v)
{
    return v->form == MSET_LIST ? v->count : v->nbits - v->count;
}

/* The next entry of a gap list into *ord (after *prev, which it becomes); -1 when malformed. */
static int view_next(mset_view *v, int64_t *prev, uint64_t *ord)
{
    uint64_t gap;
    if (get_varint(&v->p, v->end, &gap) != 0 || gap >= (uint64_t)v->nbits)
        return -1;
    *ord = (uint64_t)(*prev + 1) + gap;
    *prev = (int64_t)*ord;
    return 0;
}

int mset_decode(const void *data, size_t n, bitset *out)
{
    mset_view v;
    *out = (bitset){ 0 };
    if (view_open(&v, data, n) != 0)
        return -1;
    if (bitset_init(out, v.nbits) != 0)
        return -2;
    if (v.form == MSET_BITS) {
        for (uint64_t i = 0; i < v.nwords; i++, v.p += 8)
            out->w[v.first + i] = load_le64(v.p);
        /* Bits past nbits must be clear, and the count must match. */
        if ((v.nbits & 63) && v.nwords && v.first + v.nwords == bitset_words(v.nbits) &&
            out->w[v.first + v.nwords - 1] >> (v.nbits & 63))
            goto corrupt;
        if (bitset_count(out) != v.count)
            goto corrupt;
        return 0;
    }
    if (v.form == MSET_COMPLEMENT)
        bitset_not(out);
    int64_t prev = -1;
    for (uint64_t i = 0, entries = view_entries(&v); i < entries; i++) {
        uint64_t ord;
        if (view_next(&v, &prev, &ord) != 0 || ord >= v.nbits)
            goto corrupt;
        if (v.form == MSET_LIST)
            bitset_set(out, (uint32_t)ord);
        else
            bitset_clear_bit(out, (uint32_t)ord);
    }
    if (v.p != v.end)
        goto corrupt;
    return 0;
corrupt:
    bitset_free(out);
    return -1;
}

int mset_contains(const void *data, size_t n, uint32_t ord)
{
    mset_view v;
    if (view_open(&v, data, n) != 0)
        return -1;
    if (v.form == MSET_BITS) {
        uint64_t wi = ord >> 6;
        if (ord >= v.nbits || wi < v.first || wi >= v.first + v.nwords)
            return 0;
        return (int)((load_le64(v.p + 8 * (wi - v.first)) >> (ord & 63)) & 1);
    }
    if (ord >= v.nbits)
        return 0;
    int64_t prev = -1;
    for (uint64_t i = 0, entries = view_entries(&v); i < entries; i++) {
        uint64_t at;
        if (view_next(&v, &prev, &at) != 0)
            return -1;
        if (at >= ord) {
            int hit = at == ord;
            return v.form == MSET_LIST ? hit : !hit;
        }
    }
    return v.form == MSET_LIST ? 0 : 1;
}
