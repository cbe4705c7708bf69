/*
 * logreg.h — L2-penalised logistic regression with an intercept, for scoring
 * contacts on a handful of numeric features (issue 5: scoring models); the
 * AUC to judge a score, and deterministic holdout splits.
 *
 * The fit standardises each feature (mean 0, sd 1 over the rows used) and
 * minimises, over the standardised coefficients b and the intercept b0,
 *
 *     (1/n) * sum_i [log(1 + exp(z_i)) - y_i z_i] + (lambda/2) * |b|^2,
 *     z_i = b0 + sum_j b_j (x_ij - mean_j) / sd_j,
 *
 * by Newton-Raphson (IRLS) with a Cholesky solve of the (d+1)×(d+1) system
 * and step halving; gradient steps stand in when the system is not positive
 * definite. The intercept is not penalised, and lambda is per row, so its
 * effect does not grow or shrink with n. Even with perfectly separable
 * data a lambda > 0 keeps the coefficients finite.
 *
 * A row with a NAN (or an infinity) in any feature is skipped.
 *
 * Uses: rng.h, libm; segrt.h for the error codes.
 */
#ifndef SEGRT_LOGREG_H
#define SEGRT_LOGREG_H

#include <stddef.h>
#include <stdint.h>

/* A lambda for when the caller has no opinion: enough to keep separable
 * data finite, too little to bias coefficients noticeably. */
#define LOGREG_DEFAULT_LAMBDA 1e-4
/* Newton steps before logreg_fit() gives up converging (converged = 0). */
#define LOGREG_MAX_ITER 100

/* A fitted model. The arrays (one allocation) are owned by the model and
 * live until logreg_model_free(). */
typedef struct logreg_model {
    size_t d;            /* features */
    double intercept;    /* in the original units of x: */
    double *coef;        /*   p = 1 / (1 + exp(-(intercept + coef . x))) */
    double intercept_std; /* on the standardised features */
    double *coef_std;    /* d */
    double *mean;        /* d: the standardisation, over the rows used */
    double *sd;          /* d: 0 for a constant feature (its coefficients are 0) */
    double lambda;
    double loss;         /* the penalised objective at the solution */
    size_t n_used;       /* rows fitted */
    size_t n_skipped;    /* rows with a non-finite feature */
    size_t n_pos;        /* rows used with y = 1 */
    int iterations;      /* Newton (or gradient) steps taken */
    int converged;       /* 1 when the step size fell below tolerance */
    int gradient_steps;  /* steps taken as gradient steps (Hessian not PD) */
} logreg_model;

/*
 * Fit the model to x (n×d, row-major) and y (n labels, 0 or 1). lambda >= 0
 * (LOGREG_DEFAULT_LAMBDA is a fair default). Rows with a non-finite feature
 * are skipped. Not converging within LOGREG_MAX_ITER steps is no error: the
 * model is the best found and converged is 0.
 *
 * SEGRT_OK and *out filled; SEGRT_EINVAL when d is 0, lambda is negative or
 * not finite, a label is neither 0 nor 1, or the rows used do not hold
 * both classes (the intercept alone would run to infinity); SEGRT_ENOMEM.
 * On failure *out is zeroed, so logreg_model_free() is always safe.
 */
int logreg_fit(const double *x, const uint8_t *y, size_t n, size_t d, double lambda,
               logreg_model *out);

/* The predicted probability that y = 1 for row (d features); NAN when a
 * feature is not finite. */
double logreg_predict(const logreg_model *m, const double *row);

/* Free the arrays of a model and zero it; accepts NULL and a zeroed model. */
void logreg_model_free(logreg_model *m);

/*
 * The area under the ROC curve of score for labels y (0 or 1, any nonzero
 * counting as 1): the probability that a random positive scores above a
 * random negative, ties counting one half (the Mann-Whitney U statistic
 * over n_pos * n_neg, with average ranks for ties). Rows with a NAN score
 * are ignored. NAN when either class is absent or memory runs out.
 */
double logreg_auc(const double *score, const uint8_t *y, size_t n);

/*
 * Deterministic holdout splits.
 *
 * logreg_holdout_split() marks exactly round(n * frac) of n rows as holdout
 * (holdout[i] = 1, else 0), chosen uniformly by a PRNG seeded with seed:
 * the same n, frac and seed always mark the same rows. SEGRT_EINVAL unless
 * 0 <= frac <= 1.
 *
 * logreg_holdout_id() decides for one row by a hash of its id (len bytes)
 * and the seed: 1 (holdout) for a fraction frac of ids, else 0; frac is
 * clamped to [0, 1] (NAN counts as 0). A contact stays on the same side
 * however the data around it changes; the count is frac * n on average,
 * not exactly.
 */
int logreg_holdout_split(size_t n, double frac, uint64_t seed, uint8_t *holdout);
int logreg_holdout_id(const char *id, size_t len, double frac, uint64_t seed);

#endif
