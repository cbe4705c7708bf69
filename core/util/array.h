/*
 * array.h — growing an array kept as a (pointer, capacity) pair, for the
 * lists the code appends to: ARRAY_RESERVE(a, cap, n) makes room for n
 * elements, doubling the capacity (from ARRAY_MIN) so that appends cost
 * amortised O(1), and fails rather than let the size in bytes overflow.
 * ARRAY_RESERVE_ZERO does the same for tables indexed by a code, zeroing
 * the elements it adds.
 *
 * Uses: the C library only.
 */
#ifndef SEGRT_ARRAY_H
#define SEGRT_ARRAY_H

#include <stddef.h>

/* The capacity an empty array grows to first. */
#define ARRAY_MIN 16

/*
 * The capacity an array of cap elements of elem bytes grows to for n > cap:
 * doubled (from ARRAY_MIN) until it holds n, at most what a size_t counts
 * in bytes; 0 when n elements would not fit.
 */
size_t array_next_cap(size_t cap, size_t n, size_t elem);

/*
 * Room for n elements of elem bytes in the array whose pointer is at pp
 * (a T **, any object type: POSIX gives object pointers one representation),
 * holding *cap. Elements from *cap on are zeroed when zero is set.
 * 0, or -1 when out of memory or n * elem would overflow (then the array
 * and *cap are unchanged).
 */
int array_grow(void *pp, size_t *cap, size_t n, size_t elem, int zero);

/* The inline part: nothing to do while there is room. */
static inline int array_reserve(void *pp, size_t *cap, size_t n, size_t elem, int zero)
{
    return n <= *cap ? 0 : array_grow(pp, cap, n, elem, zero);
}

/* Room for n elements in array a (a pointer lvalue) of capacity cap (a size_t lvalue). */
#define ARRAY_RESERVE(a, cap, n) array_reserve(&(a), &(cap), (n), sizeof *(a), 0)
/* The same, the added elements zeroed (a table indexed by code: n is the highest code + 1). */
#define ARRAY_RESERVE_ZERO(a, cap, n) array_reserve(&(a), &(cap), (n), sizeof *(a), 1)

#endif
