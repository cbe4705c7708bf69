/*
 * overlap.h — pairwise overlaps of segments: the matrix of intersection
 * sizes and its text table (segrt overlap, segrt report).
 *
 * Uses: bitset.h.
 */
#ifndef SEGRT_OVERLAP_H
#define SEGRT_OVERLAP_H

#include "util/bitset.h"

#include <stdint.h>
#include <stdio.h>

/* m[i * n + j] = |sets[i] & sets[j]| for n sets; the diagonal holds their sizes. */
void overlap_matrix(size_t n, const bitset *const sets[], uint64_t *m);

/*
 * Print the matrix as a table: a header row of names, then per segment a row
 * whose cell in column B reads "N (P%)", N contacts in both and P their share
 * of the row's size ("N (-)" for an empty row). -1 when out of memory.
 */
int overlap_print(FILE *f, size_t n, const char *const names[], const uint64_t *m);

#endif
