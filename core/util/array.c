/*
 * array.c — the growing part of array.h: the next capacity, overflow
 * checks, realloc, zeroing.
 *
 * Uses: the C library only.
 */
#include "util/array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t array_next_cap(size_t cap, size_t n, size_t elem)
{
    size_t max = SIZE_MAX / elem; /* the most elements whose size fits a size_t */
    if (n > max)
        return 0;
    size_t next = cap >= ARRAY_MIN ? cap : ARRAY_MIN;
    while (next < n)
        next = next <= max / 2 ? next * 2 : max;
    return next <= max ? next : n; /* ARRAY_MIN of very large elements: just n */
}

int array_grow(void *pp, size_t *cap, size_t n, size_t elem, int zero)
{
    size_t next = array_next_cap(*cap, n, elem);
    if (next == 0)
        return -1;
    void *p;
    memcpy(&p, pp, sizeof p);
    void *grown = realloc(p, next * elem);
    if (grown == NULL)
        return -1;
    if (zero)
        memset((unsigned char *)grown + *cap * elem, 0, (next - *cap) * elem);
    memcpy(pp, &grown, sizeof grown);
    *cap = next;
    return 0;
}
