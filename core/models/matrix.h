/*
 * matrix.h — what the numeric models share about a dense n×d matrix of
 * doubles (row-major, one row per contact, one column per feature): whether
 * a row is usable, and each column's mean and standard deviation.
 *
 * A non-finite value (NAN, an infinity) stands for a missing feature.
 *
 * Uses: libm; segrt.h for the error codes.
 */
#ifndef SEGRT_MATRIX_H
#define SEGRT_MATRIX_H

#include <math.h>
#include <stddef.h>

/* Whether every one of the d values of row is finite (inline: models test every row). */
static inline int matrix_row_finite(const double *row, size_t d)
{
    for (size_t j = 0; j < d; j++)
        if (!isfinite(row[j]))
            return 0;
    return 1;
}

/* Which values matrix_col_stats() counts. */
typedef enum matrix_rows {
    MATRIX_FINITE_VALUES, /* each finite value, whatever the rest of its row holds */
    MATRIX_FINITE_ROWS    /* the values of rows whose every value is finite */
} matrix_rows;

/*
 * The mean and population standard deviation (divisor: the values counted)
 * of each column of x (n×d) into mean and sd (d each), over the values
 * which says. Two passes: the sum of squared deviations from the mean is
 * accurate where a running sum of squares is not. A column whose counted
 * values are all equal is constant by definition: its mean is that value
 * (rounding must not turn it into noise) and its sd 0; a column with no
 * value counted gets 0 and 0. SEGRT_OK, or SEGRT_ENOMEM (mean and sd then
 * unspecified).
 */
int matrix_col_stats(const double *x, size_t n, size_t d, matrix_rows which, double *mean,
                     double *sd);

#endif
