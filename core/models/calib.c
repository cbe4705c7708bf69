/*
 * calib.c — Brier score, top-decile lift and reliability table of a
 * probability score (see calib.h for the definitions).
 *
 * The finite rows are sorted by score once (scored.h); the lift walks the
 * tied groups from the top, the table from the bottom.
 *
 * Uses: calib.h, scored.h, libm; segrt.h for the error codes.
 */
#include "models/calib.h"

#include "models/scored.h"
#include "segrt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The end of the tied group starting at r[lo]. */
static size_t tie_end(const scored_row *r, size_t m, size_t lo)
{
    size_t hi = lo + 1;
    while (hi < m && r[hi].s == r[lo].s)
        hi++;
    return hi;
}

/* Rows ascending by score: the observed rate in the top 10% (tied rows at
 * the boundary weighted equally) over the base rate. */
static double top_lift(const scored_row *r, size_t m, size_t n_pos)
{
    const double k = 0.1 * (double)m;
    double pos = 0.0;
    size_t taken = 0;
    for (size_t hi = m; hi > 0;) {
        size_t lo = hi - 1, tp = 0;
        while (lo > 0 && r[lo - 1].s == r[hi - 1].s)
            lo--;
        for (size_t i = lo; i < hi; i++)
            tp += r[i].y;
        size_t t = hi - lo;
        if ((double)(taken + t) >= k) { /* the boundary group: each row counts a share */
            pos += (k - (double)taken) / (double)t * (double)tp;
            break;
        }
        taken += t;
        pos += (double)tp;
        hi = lo;
    }
    return (pos / k) / ((double)n_pos / (double)m);
}

int calib_evaluate(const double *score, const uint8_t *y, size_t n, calib_report *out)
{
    if (out == NULL || (n && (score == NULL || y == NULL)))
        return SEGRT_EINVAL;
    memset(out, 0, sizeof *out);
    out->base_rate = out->brier = out->lift_top = NAN;
    for (size_t b = 0; b < CALIB_BINS; b++)
        out->mean_score[b] = out->observed[b] = NAN;
    scored_row *r;
    size_t m;
    int rc = scored_sort(score, y, n, &r, &m);
    if (rc != SEGRT_OK || m == 0)
        return rc;
    double sq = 0.0;
    for (size_t i = 0; i < m; i++) {
        out->n_pos += r[i].y;
        sq += (r[i].s - r[i].y) * (r[i].s - r[i].y);
    }
    out->n = m;
    out->base_rate = (double)out->n_pos / (double)m;
    out->brier = sq / (double)m;
    if (out->n_pos)
        out->lift_top = top_lift(r, m, out->n_pos);

    double sum_p[CALIB_BINS] = { 0 };
    size_t pos[CALIB_BINS] = { 0 };
    for (size_t lo = 0; lo < m;) {
        size_t hi = tie_end(r, m, lo);
        size_t b = CALIB_BINS * lo / m; /* lo < m: below CALIB_BINS */
        for (size_t i = lo; i < hi; i++) {
            out->count[b]++;
            sum_p[b] += r[i].s;
            pos[b] += r[i].y;
        }
        lo = hi;
    }
    for (size_t b = 0; b < CALIB_BINS; b++) {
        if (out->count[b]) {
            out->mean_score[b] = sum_p[b] / (double)out->count[b];
            out->observed[b] = (double)pos[b] / (double)out->count[b];
        }
    }
    free(r);
    return SEGRT_OK;
}
