/*
 * radix.h — a stable LSD radix sort of (64-bit key, 32-bit value) pairs,
 * one byte per pass; a pass whose byte is the same for every item is
 * skipped (small counts and days use few bytes). Used to rank contacts by a
 * value (plan_rank.c) and to count identical events by fingerprint
 * (import_occ.c).
 */
#ifndef SEGRT_RADIX_H
#define SEGRT_RADIX_H

#include <stddef.h>
#include <stdint.h>

typedef struct radix_item {
    uint64_t key;
    uint32_t val;
} radix_item;

/* Sort items[0, n) by key, keeping the order of equal keys. 0, or -1 out of memory. */
int radix_sort(radix_item *items, size_t n);

#endif
