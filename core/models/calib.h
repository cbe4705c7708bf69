/*
 * calib.h — how good a probability score is on labelled rows (a model's
 * holdout): the Brier score, the lift of the top decile, and a reliability
 * table by deciles of the score (issue 19: propensity per offer).
 *
 * Definitions, over the m rows whose score is finite (others are ignored),
 * with labels y_i in {0, 1} (any nonzero counting as 1):
 *
 *   base rate  = (positives) / m.
 *   Brier      = (1/m) * sum_i (p_i - y_i)^2: 0 is perfect, a constant
 *                score at the base rate b gets b (1 - b).
 *   top-decile lift = (observed rate in the top 10% of rows by score) /
 *                base rate. The top 10% is exactly 0.1 m rows (a real
 *                number): rows strictly above the score where the count
 *                reaches 0.1 m count fully, and the rows tied at that
 *                score count with the weight (0.1 m - rows above) / (rows
 *                tied), so each of them counts equally — the average over
 *                every order of the tied rows. 1 means the score ranks no
 *                better than chance.
 *   reliability table: 10 bins by rank. A row goes to bin
 *                floor(10 * r / m), r = the number of rows with a strictly
 *                smaller score, so tied rows share a bin (the one their
 *                first rank falls in) and a bin may hold more or fewer than
 *                m / 10 rows, or none. Per bin: the row count, the mean
 *                score and the observed rate of positives. A calibrated
 *                score has mean score close to the observed rate in every
 *                bin.
 *
 * Uses: libm, libc qsort; segrt.h for the error codes.
 */
#ifndef SEGRT_CALIB_H
#define SEGRT_CALIB_H

#include <stddef.h>
#include <stdint.h>

#define CALIB_BINS 10

typedef struct calib_report {
    size_t n;                       /* rows with a finite score */
    size_t n_pos;                   /* ... and a positive label */
    double base_rate;               /* NAN when n is 0 */
    double brier;                   /* NAN when n is 0 */
    double lift_top;                /* NAN when n is 0 or there is no positive */
    size_t count[CALIB_BINS];       /* the reliability table */
    double mean_score[CALIB_BINS];  /* NAN for an empty bin */
    double observed[CALIB_BINS];    /* NAN for an empty bin */
} calib_report;

/*
 * Evaluate score (n values; NAN for a row to ignore) against labels y (n)
 * into *out, as defined above. SEGRT_OK (also when no row has a finite
 * score: the numbers are then NAN and the counts 0); SEGRT_EINVAL for a
 * NULL argument with n > 0 or a NULL out; SEGRT_ENOMEM.
 */
int calib_evaluate(const double *score, const uint8_t *y, size_t n, calib_report *out);

#endif
