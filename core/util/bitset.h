/*
 * bitset.h — a set of contacts as one bit per ordinal, 64 per word.
 *
 * Every plan leaf yields a bitset; inner nodes combine them word by word.
 * Bits at or past nbits are always zero, so counts and complements stay exact.
 */
#ifndef SEGRT_BITSET_H
#define SEGRT_BITSET_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct bitset {
    uint64_t *w;
    uint32_t nbits;
} bitset;

static inline size_t bitset_words(uint32_t nbits)
{
    return ((size_t)nbits + 63) / 64;
}

/* An all-zero set of nbits; -1 when out of memory. */
static inline int bitset_init(bitset *b, uint32_t nbits)
{
    b->nbits = nbits;
    b->w = calloc(bitset_words(nbits) ? bitset_words(nbits) : 1, sizeof *b->w);
    return b->w ? 0 : -1;
}

static inline void bitset_free(bitset *b)
{
    free(b->w);
    b->w = NULL;
    b->nbits = 0;
}

static inline void bitset_set(bitset *b, uint32_t i)
{
    b->w[i >> 6] |= UINT64_C(1) << (i & 63);
}

static inline void bitset_clear_bit(bitset *b, uint32_t i)
{
    b->w[i >> 6] &= ~(UINT64_C(1) << (i & 63));
}

static inline int bitset_test(const bitset *b, uint32_t i)
{
    return i < b->nbits && (b->w[i >> 6] >> (i & 63)) & 1;
}

static inline uint64_t bitset_count(const bitset *b)
{
    uint64_t n = 0;
    for (size_t i = 0, nw = bitset_words(b->nbits); i < nw; i++)
        n += (uint64_t)__builtin_popcountll(b->w[i]);
    return n;
}

/* |a & b|; a and b may differ in length (sets from different snapshots). */
static inline uint64_t bitset_count_and(const bitset *a, const bitset *b)
{
    uint64_t n = 0;
    for (size_t i = 0, nw = bitset_words(a->nbits < b->nbits ? a->nbits : b->nbits); i < nw; i++)
        n += (uint64_t)__builtin_popcountll(a->w[i] & b->w[i]);
    return n;
}

static inline void bitset_and(bitset *dst, const bitset *src)
{
    for (size_t i = 0, nw = bitset_words(dst->nbits); i < nw; i++)
        dst->w[i] &= src->w[i];
}

static inline void bitset_or(bitset *dst, const bitset *src)
{
    for (size_t i = 0, nw = bitset_words(dst->nbits); i < nw; i++)
        dst->w[i] |= src->w[i];
}

static inline void bitset_andnot(bitset *dst, const bitset *src)
{
    for (size_t i = 0, nw = bitset_words(dst->nbits); i < nw; i++)
        dst->w[i] &= ~src->w[i];
}

/* Complement within [0, nbits). */
static inline void bitset_not(bitset *b)
{
    size_t nw = bitset_words(b->nbits);
    for (size_t i = 0; i < nw; i++)
        b->w[i] = ~b->w[i];
    if (b->nbits & 63)
        b->w[nw - 1] &= (UINT64_C(1) << (b->nbits & 63)) - 1;
}

/* Iterate set bits: for (i = bitset_next(b, 0); i < b->nbits; i = bitset_next(b, i + 1)). */
static inline uint32_t bitset_next(const bitset *b, uint32_t from)
{
    if (from >= b->nbits)
        return b->nbits;
    size_t wi = from >> 6;
    uint64_t w = b->w[wi] & (~UINT64_C(0) << (from & 63));
    size_t nw = bitset_words(b->nbits);
    while (w == 0) {
        if (++wi == nw)
            return b->nbits;
        w = b->w[wi];
    }
    return (uint32_t)(wi * 64 + (size_t)__builtin_ctzll(w));
}

#endif
