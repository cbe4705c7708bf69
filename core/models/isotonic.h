/*
 * isotonic.h — calibrating a score into a probability by isotonic
 * regression (issue 19, part 3: a propensity is a calibrated probability).
 *
 * isotonic_fit() pools adjacent values (pool adjacent violators) into
 * blocks over the rows sorted by score, rows with equal scores always in
 * one block, until the blocks' rates of positives strictly increase with
 * the score: the non-decreasing step function closest to the labels in
 * squared error. Each block becomes two knots, its lowest and its highest
 * score with its rate (one knot when they are equal). isotonic_apply()
 * interpolates linearly between the knots and holds the end rates beyond
 * them (as scikit-learn's IsotonicRegression predicts): a score inside a
 * block gets the block's rate, so every row fitted gets the rate of its
 * block and the map is calibrated on them; a score between two blocks gets
 * a rate between theirs. The map never decreases; scores in one block
 * share a probability (the rows cannot tell them apart).
 *
 * Uses: libm, qsort; segrt.h for the error codes.
 */
#ifndef SEGRT_ISOTONIC_H
#define SEGRT_ISOTONIC_H

#include <stddef.h>
#include <stdint.h>

typedef struct isotonic {
    size_t blocks; /* the steps */
    size_t n;      /* knots: blocks to 2 * blocks */
    double *x;     /* n scores, strictly increasing (one allocation with y) */
    double *y;     /* n rates, non-decreasing */
} isotonic;

/*
 * Fit the map from score (n values; a non-finite one leaves its row out)
 * to labels y (n; nonzero counts as 1) into *out. SEGRT_OK; SEGRT_EINVAL
 * for a NULL argument (score and y may be NULL when n is 0) or when no row
 * has a finite score; SEGRT_ENOMEM. On failure *out is zeroed, so
 * isotonic_free() is always safe.
 */
int isotonic_fit(const double *score, const uint8_t *y, size_t n, isotonic *out);

/* The calibrated probability of score s; NAN when s is not finite. */
double isotonic_apply(const isotonic *m, double s);

/* Free the knots and zero the map; accepts NULL and a zeroed map. */
void isotonic_free(isotonic *m);

#endif
