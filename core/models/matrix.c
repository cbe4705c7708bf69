/*
 * matrix.c — column statistics of a dense matrix (matrix.h), for the
 * standardising of k-means and logistic regression.
 *
 * Uses: matrix.h, libm; segrt.h for the error codes.
 */
#include "models/matrix.h"

#include "segrt.h"

#include <stdint.h>
#include <stdlib.h>

int matrix_col_stats(const double *x, size_t n, size_t d, matrix_rows which, double *mean,
                     double *sd)
{
    if (d > SIZE_MAX / (2 * sizeof(double)))
        return SEGRT_ENOMEM;
    double *lo = malloc((d ? 2 * d : 1) * sizeof *lo), *hi = lo + d;
    size_t *cnt = calloc(d ? d : 1, sizeof *cnt);
    if (lo == NULL || cnt == NULL) {
        free(lo);
        free(cnt);
        return SEGRT_ENOMEM;
    }
    for (size_t j = 0; j < d; j++) {
        mean[j] = sd[j] = 0.0;
        lo[j] = INFINITY;
        hi[j] = -INFINITY;
    }
    for (size_t i = 0; i < n; i++) {
        const double *row = x + i * d;
        if (which == MATRIX_FINITE_ROWS && !matrix_row_finite(row, d))
            continue;
        for (size_t j = 0; j < d; j++) {
            double v = row[j];
            if (isfinite(v)) {
                mean[j] += v;
                cnt[j]++;
                lo[j] = v < lo[j] ? v : lo[j];
                hi[j] = v > hi[j] ? v : hi[j];
            }
        }
    }
    for (size_t j = 0; j < d; j++) /* the sums become the means */
        mean[j] = cnt[j] == 0 ? 0.0 : lo[j] == hi[j] ? lo[j] : mean[j] / (double)cnt[j];
    for (size_t i = 0; i < n; i++) {
        const double *row = x + i * d;
        if (which == MATRIX_FINITE_ROWS && !matrix_row_finite(row, d))
            continue;
        for (size_t j = 0; j < d; j++)
            if (isfinite(row[j]))
                sd[j] += (row[j] - mean[j]) * (row[j] - mean[j]);
    }
    for (size_t j = 0; j < d; j++) /* the sums of squares become the sds */
        sd[j] = cnt[j] && lo[j] < hi[j] ? sqrt(sd[j] / (double)cnt[j]) : 0.0;
    free(lo);
    free(cnt);
    return SEGRT_OK;
}
