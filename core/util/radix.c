/*
 * radix.c — the stable LSD radix sort of radix.h, its spare block on huge
 * pages (hugepage.h): a sort of millions of items writes it all.
 *
 * How often each byte value occurs at each of the key's 8 places is counted
 * in one read of the items: a pass does not change those counts, so every
 * pass can use them, and a place whose byte is the same in every item costs
 * nothing (it used to cost a read of all the items to find that out).
 */
#include "util/radix.h"

#include "util/hugepage.h"

#include <stdlib.h>
#include <string.h>

#define PLACES 8 /* bytes of a key */

/* The items' keys counted by byte value at each place. */
static void count_bytes(const radix_item *items, size_t n, size_t count[PLACES][256])
{
    memset(count, 0, sizeof(size_t[PLACES][256]));
    for (size_t i = 0; i < n; i++) {
        uint64_t key = items[i].key;
        for (int place = 0; place < PLACES; place++)
            count[place][(key >> (8 * place)) & 0xff]++;
    }
}

/* Whether every item has the same byte at this place (nothing to sort by). */
static int same_byte(const size_t count[256], size_t n)
{
    for (int b = 0; b < 256; b++) {
        if (count[b] != 0)
            return count[b] == n;
    }
    return 1;
}

int radix_sort(radix_item *items, size_t n)
{
    if (n <= 1)
        return 0;
    size_t count[PLACES][256]; /* 16 KiB */
    count_bytes(items, n, count);
    radix_item *spare = NULL, *src = items, *dst = NULL;
    for (int place = 0; place < PLACES; place++) {
        if (same_byte(count[place], n))
            continue;
        if (spare == NULL && (spare = dst = hugepage_malloc(n * sizeof *spare)) == NULL)
            return -1;
        size_t at[256], sum = 0; /* where the next item of each byte value goes */
        for (int b = 0; b < 256; b++) {
            at[b] = sum;
            sum += count[place][b];
        }
        int shift = 8 * place;
        for (size_t i = 0; i < n; i++)
            dst[at[(src[i].key >> shift) & 0xff]++] = src[i];
        radix_item *t = src;
        src = dst;
        dst = t;
    }
    if (src != items)
        memcpy(items, src, n * sizeof *items);
    free(spare);
    return 0;
}
