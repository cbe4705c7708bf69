/*
 * scored.c — a score's finite rows with their labels, sorted by score (see
 * scored.h).
 *
 * Uses: scored.h, libm, qsort; segrt.h for the error codes.
 */
#include "models/scored.h"

#include "segrt.h"

#include <math.h>
#include <stdlib.h>

static int by_score(const void *a, const void *b)
{
    double x = ((const scored_row *)a)->s, z = ((const scored_row *)b)->s;
    return (x > z) - (x < z);
}

int scored_sort(const double *score, const uint8_t *y, size_t n, scored_row **rows, size_t *m)
{
    if (rows == NULL || m == NULL)
        return SEGRT_EINVAL;
    *rows = NULL;
    *m = 0;
    if (n && (score == NULL || y == NULL))
        return SEGRT_EINVAL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += isfinite(score[i]) != 0;
    if (k == 0)
        return SEGRT_OK;
    scored_row *r = malloc(k * sizeof *r);
    if (r == NULL)
        return SEGRT_ENOMEM;
    for (size_t i = 0, j = 0; i < n; i++) {
        if (isfinite(score[i]))
            r[j++] = (scored_row){ score[i], y[i] != 0 };
    }
    qsort(r, k, sizeof *r, by_score);
    *rows = r;
    *m = k;
    return SEGRT_OK;
}
