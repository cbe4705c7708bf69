/*
 * scored.h — the rows of a probability score with their labels, sorted by
 * score: what calib.c (measures by rank) and isotonic.c (pooling in score
 * order) both start from.
 *
 * Uses: qsort; segrt.h for the error codes.
 */
#ifndef SEGRT_SCORED_H
#define SEGRT_SCORED_H

#include <stddef.h>
#include <stdint.h>

typedef struct scored_row {
    double s;  /* the score, finite */
    uint8_t y; /* the label, 0 or 1 */
} scored_row;

/*
 * The rows of score (n values) whose score is finite, with their labels y
 * (nonzero counts as 1), ascending by score (equal scores in no particular
 * order), malloc'd into *rows (NULL when there is none), their number in
 * *m. SEGRT_OK, SEGRT_EINVAL for a NULL argument (score and y may be NULL
 * when n is 0), SEGRT_ENOMEM.
 */
int scored_sort(const double *score, const uint8_t *y, size_t n, scored_row **rows, size_t *m);

#endif
