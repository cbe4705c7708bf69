/*
 * radix.c — the stable LSD radix sort of radix.h, its spare block on huge
 * pages (hugepage.h): a sort of millions of items writes it all.
 */
#include "util/radix.h"

#include "util/hugepage.h"

#include <stdlib.h>
#include <string.h>

int radix_sort(radix_item *items, size_t n)
{
    radix_item *spare = hugepage_malloc((n ? n : 1) * sizeof *spare), *src = items, *dst = spare;
    if (spare == NULL)
        return -1;
    for (int shift = 0; shift < 64; shift += 8) {
        size_t count[257] = { 0 };
        for (size_t i = 0; i < n; i++)
            count[((src[i].key >> shift) & 0xff) + 1]++;
        int trivial = 0;
        for (int b = 1; b <= 256; b++)
            trivial |= count[b] == n;
        if (trivial)
            continue;
        for (int b = 1; b <= 256; b++)
            count[b] += count[b - 1];
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i].key >> shift) & 0xff]++] = src[i];
        radix_item *t = src;
        src = dst;
        dst = t;
    }
    if (src != items)
        memcpy(items, src, n * sizeof *items);
    free(spare);
    return 0;
}
