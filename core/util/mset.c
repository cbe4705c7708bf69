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

/* Encoded size of the gaps between the members (or, inverted, the non-members). */
static size_t gaps_size(const bitset *b, int inverted)
{
    size_t n = 0;
    int64_t prev = -1;
    for (uint32_t i = inverted ? next_zero(b, 0) : bitset_next(b, 0); i < b->nbits;
         i = inverted ? next_zero(b, i + 1) : bitset_next(b, i + 1)) {
        n += varint_len((uint64_t)((int64_t)i - prev - 1));
        prev = i;
    }
    return n;
}

static int put_gaps(const bitset *b, int inverted, buf *out)
{
    int64_t prev = -1;
    for (uint32_t i = inverted ? next_zero(b, 0) : bitset_next(b, 0); i < b->nbits;
         i = inverted ? next_zero(b, i + 1) : bitset_next(b, i + 1)) {
        if (buf_put_varint(out, (uint64_t)((int64_t)i - prev - 1)) != 0)
            return -1;
        prev = i;
    }
    return 0;
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
    size_t list = count < bits ? gaps_size(b, 0) : SIZE_MAX;
    size_t comp = absent < bits && absent < list ? gaps_size(b, 1) : SIZE_MAX;
    char form = list <= bits && list <= comp ? MSET_LIST : comp <= bits ? MSET_COMPLEMENT
                                                                        : MSET_BITS;
    unsigned char f = (unsigned char)form;
    if (buf_put(out, &f, 1) != 0 || buf_put_varint(out, b->nbits) != 0 ||
        buf_put_varint(out, count) != 0)
        return -1;
    if (form != MSET_BITS)
        return put_gaps(b, form == MSET_COMPLEMENT, out);
    if (buf_put_varint(out, first) != 0 || buf_put_varint(out, last - first) != 0 ||
        buf_reserve(out, 8 * (last - first)) != 0)
        return -1;
    for (size_t i = first; i < last; i++, out->len += 8)
        store_le64(out->p + out->len, b->w[i]);
    return 0;
}

/* The common header of an mset; -1 when malformed. */
static int mset_header(const unsigned char **p, const unsigned char *end, int *form,
                       uint32_t *nbits, uint64_t *count)
{
    uint64_t nb;
    if (*p >= end)
        return -1;
    *form = *(*p)++;
    if (*form != MSET_LIST && *form != MSET_COMPLEMENT && *form != MSET_BITS)
        return -1;
    if (get_varint(p, end, &nb) != 0 || nb > UINT32_MAX || get_varint(p, end, count) != 0 ||
        *count > nb)
        return -1;
    *nbits = (uint32_t)nb;
    return 0;
}

/* Read the word range of a 'B' mset; -1 when malformed. */
static int mset_words(const unsigned char **p, const unsigned char *end, uint32_t nbits,
                      uint64_t *first, uint64_t *nwords)
{
    if (get_varint(p, end, first) != 0 || get_varint(p, end, nwords) != 0 ||
        *first > bitset_words(nbits) || *nwords > bitset_words(nbits) - *first ||
        (size_t)(end - *p) != 8 * *nwords)
        return -1;
    return 0;
}

int mset_decode(const void *data, size_t n, bitset *out)
{
    const unsigned char *p = data, *end = p + n;
    int form;
    uint32_t nbits;
    uint64_t count, first, nwords;
    *out = (bitset){ 0 };
    if (mset_header(&p, end, &form, &nbits, &count) != 0)
        return -1;
    if (form == MSET_BITS && mset_words(&p, end, nbits, &first, &nwords) != 0)
        return -1;
    if (bitset_init(out, nbits) != 0)
        return -2;
    if (form == MSET_BITS) {
        for (uint64_t i = 0; i < nwords; i++, p += 8)
            out->w[first + i] = load_le64(p);
        /* Bits past nbits must be clear, and the count must match. */
        if ((nbits & 63) && nwords && first + nwords == bitset_words(nbits) &&
            out->w[first + nwords - 1] >> (nbits & 63))
            goto corrupt;
        if (bitset_count(out) != count)
            goto corrupt;
        return 0;
    }
    uint64_t entries = form == MSET_LIST ? count : nbits - count;
    if (form == MSET_COMPLEMENT)
        bitset_not(out);
    int64_t prev = -1;
    for (uint64_t i = 0; i < entries; i++) {
        uint64_t gap;
        if (get_varint(&p, end, &gap) != 0 || gap >= (uint64_t)nbits)
            goto corrupt;
        uint64_t ord = (uint64_t)(prev + 1) + gap;
        if (ord >= nbits)
            goto corrupt;
        if (form == MSET_LIST)
            bitset_set(out, (uint32_t)ord);
        else
            bitset_clear_bit(out, (uint32_t)ord);
        prev = (int64_t)ord;
    }
    if (p != end)
        goto corrupt;
    return 0;
corrupt:
    bitset_free(out);
    return -1;
}

int mset_contains(const void *data, size_t n, uint32_t ord)
{
    const unsigned char *p = data, *end = p + n;
    int form;
    uint32_t nbits;
    uint64_t count, first, nwords;
    if (mset_header(&p, end, &form, &nbits, &count) != 0)
        return -1;
    if (form == MSET_BITS) {
        if (mset_words(&p, end, nbits, &first, &nwords) != 0)
            return -1;
        uint64_t wi = ord >> 6;
        if (ord >= nbits || wi < first || wi >= first + nwords)
            return 0;
        return (int)((load_le64(p + 8 * (wi - first)) >> (ord & 63)) & 1);
    }
    uint64_t entries = form == MSET_LIST ? count : nbits - count;
    int64_t prev = -1;
    if (ord >= nbits)
        return 0;
    for (uint64_t i = 0; i < entries; i++) {
        uint64_t gap;
        if (get_varint(&p, end, &gap) != 0 || gap >= (uint64_t)nbits)
            return -1;
        uint64_t at = (uint64_t)(prev + 1) + gap;
        if (at >= ord) {
            int hit = at == ord;
            return form == MSET_LIST ? hit : !hit;
        }
        prev = (int64_t)at;
    }
    return form == MSET_LIST ? 0 : 1;
}
