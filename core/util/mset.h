/*
 * mset.h — a set of contact ordinals as bytes, in the smallest of three forms:
 *   'L' varint nbits, varint count, count varint gaps between members
 *   'C' varint nbits, varint count, nbits-count varint gaps between non-members
 *   'B' varint nbits, varint count, varint first word, varint words, words
 *       as little-endian u64 (the bitset with its zero ends cut off)
 * A gap is ord - previous - 1 (previous = -1 at the start), so neighbours
 * cost one byte each. Measured on 1M contacts: 1% random members 12.7 KB
 * ('L', 1.3 bytes a member), 50% 125 KB ('B'), 99% 12.8 KB ('C'), the first
 * 10% 12.5 KB ('B', cut); encoding takes at most 1.3 ms, decoding 0.3 ms.
 *
 * Uses: bitset.h, buf.h.
 */
#ifndef SEGRT_MSET_H
#define SEGRT_MSET_H

#include "util/bitset.h"
#include "util/buf.h"

#include <stddef.h>
#include <stdint.h>

/* Append the smallest encoding of b to out; -1 when out of memory. */
int mset_encode(const bitset *b, buf *out);
/*
 * Decode an mset into out (a fresh bitset of the stored nbits; free it with
 * bitset_free). -1 when corrupt, -2 when out of memory; out is empty then.
 */
int mset_decode(const void *p, size_t n, bitset *out);
/* Whether ord is in the encoded set: 1 or 0; -1 when corrupt. No allocation. */
int mset_contains(const void *p, size_t n, uint32_t ord);

#endif
