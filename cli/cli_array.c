/*
 * cli_array.c — growing an array kept as a (pointer, capacity) pair, for the
 * lists the commands collect from the library's foreach calls (cli.h). The
 * library has its own (core/util/array.h); the command sees only the public
 * headers, so it keeps this small one.
 *
 * Uses: the C library only.
 */
#include "cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int cli_array_reserve(void *pp, size_t *cap, size_t n, size_t elem)
{
    if (n <= *cap)
        return 0;
    size_t next = *cap ? *cap : CLI_ARRAY_MIN;
    while (next < n)
        next = next <= SIZE_MAX / 2 ? 2 * next : n;
    void *p;
    memcpy(&p, pp, sizeof p); /* pp is a T **: object pointers share one representation */
    void *grown = reallocarray(p, next, elem); /* NULL also when next * elem overflows */
    if (grown == NULL)
        return -1;
    memcpy(pp, &grown, sizeof grown);
    *cap = next;
    return 0;
}
