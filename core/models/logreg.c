/*
 * logreg.c — penalised logistic regression by Newton-Raphson, AUC, holdout
 * splits (see logreg.h).
 *
 * The features are standardised on the fly (x - mean) / sd as each pass
 * reads a row, so the caller's matrix is neither copied nor changed. One
 * pass over the rows gives the objective, its gradient and its Hessian at
 * once; a Newton step is accepted when it decreases the objective enough
 * (Armijo), else halved, and the pass that tests a step also gives the
 * derivatives for the next one. With p = d + 1
 * parameters a pass costs about n·p²/2 multiply-adds and one exp and one
 * log1p per row; a fit takes a handful of passes.
 *
 * Uses: matrix.h (the standardisation, usable rows), rng.h, libm; segrt.h for
 * the error codes.
 */
#include "models/logreg.h"

#include "models/matrix.h"
#include "util/rng.h"
#include "segrt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define STEP_TOL 1e-9        /* converged: no parameter moves more than this (relative) */
#define MAX_HALVINGS 40
#define ARMIJO 1e-4

/* ------------------------------------------------------------ the objective */

/* What a fit needs across passes. Parameters: beta[0] the intercept,
 * beta[1..d] the standardised coefficients. */
typedef struct problem {
    const double *x;
    const uint8_t *y;
    size_t n, d, p;     /* p = d + 1 */
    size_t n_used;
    const double *mean; /* d */
    const double *isd;  /* d: 1 / sd, 0 for a constant feature */
    double lambda;
    double *v;          /* p: scratch, one standardised row with a leading 1 */
} problem;

/*
 * The objective at beta; with grad (p) and hess (p×p, lower triangle
 * filled) when they are not NULL. A constant feature's row and column of
 * the Hessian are set to the identity: its standardised values are all 0,
 * so its coefficient stays 0 and the system stays solvable even when
 * lambda is 0.
 */
static double evaluate(const problem *pr, const double *beta, double *grad, double *hess)
{
    const size_t d = pr->d, p = pr->p;
    double *v = pr->v;
    double loss = 0.0;

    if (grad)
        memset(grad, 0, p * sizeof *grad);
    if (hess)
        memset(hess, 0, p * p * sizeof *hess);
    v[0] = 1.0;
    for (size_t i = 0; i < pr->n; i++) {
        const double *row = pr->x + i * d;
        if (!matrix_row_finite(row, d))
            continue;
        double eta = beta[0];
        for (size_t j = 0; j < d; j++) {
            v[j + 1] = (row[j] - pr->mean[j]) * pr->isd[j];
            eta += beta[j + 1] * v[j + 1];
        }
        /* log(1 + e^eta) and 1 / (1 + e^-eta) without overflow */
        double e = exp(-fabs(eta));
        double yi = pr->y[i] ? 1.0 : 0.0;
        loss += (eta > 0.0 ? eta : 0.0) + log1p(e) - yi * eta;
        if (grad == NULL)
            continue;
        double prob = eta >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
        double r = prob - yi, w = prob * (1.0 - prob);
        for (size_t a = 0; a < p; a++) {
            grad[a] += r * v[a];
            if (hess) {
                double wa = w * v[a];
                double *h = hess + a * p;
                for (size_t b = 0; b <= a; b++)
                    h[b] += wa * v[b];
            }
        }
    }

    const double inv_n = 1.0 / (double)pr->n_used;
    double pen = 0.0;
    for (size_t j = 1; j < p; j++)
        pen += beta[j] * beta[j];
    if (grad) {
        for (size_t a = 0; a < p; a++)
            grad[a] = grad[a] * inv_n + (a ? pr->lambda * beta[a] : 0.0);
    }
    if (hess) {
        for (size_t a = 0; a < p; a++) {
            for (size_t b = 0; b <= a; b++)
                hess[a * p + b] *= inv_n;
            if (a)
                hess[a * p + a] += pr->lambda;
        }
        for (size_t j = 0; j < d; j++) {
            if (pr->isd[j] == 0.0) {
                size_t a = j + 1;
                for (size_t b = 0; b < p; b++)
                    hess[(a > b ? a : b) * p + (a > b ? b : a)] = a == b ? 1.0 : 0.0;
            }
        }
    }
    return loss * inv_n + 0.5 * pr->lambda * pen;
}

/*
 * Solve H x = g for symmetric H (p×p, lower triangle used) by Cholesky
 * into x; chol (p×p) is scratch. -1, with x untouched, when H is not
 * (numerically) positive definite.
 */
static int cholesky_solve(const double *h, const double *g, size_t p, double *chol, double *x)
{
    double maxdiag = 0.0;
    for (size_t a = 0; a < p; a++)
        maxdiag = h[a * p + a] > maxdiag ? h[a * p + a] : maxdiag;
    if (!(maxdiag > 0.0) || !isfinite(maxdiag))
        return -1;
    for (size_t a = 0; a < p; a++) {
        for (size_t b = 0; b <= a; b++) {
            double s = h[a * p + b];
            for (size_t c = 0; c < b; c++)
                s -= chol[a * p + c] * chol[b * p + c];
            if (a == b) {
                if (!(s > 1e-13 * maxdiag))
                    return -1;
                chol[a * p + a] = sqrt(s);
            } else {
                chol[a * p + b] = s / chol[b * p + b];
            }
        }
    }
    /* L z = g, then L' x = z (z kept in x) */
    for (size_t a = 0; a < p; a++) {
        double s = g[a];
        for (size_t c = 0; c < a; c++)
            s -= chol[a * p + c] * x[c];
        x[a] = s / chol[a * p + a];
    }
    for (size_t a = p; a-- > 0;) {
        double s = x[a];
        for (size_t c = a + 1; c < p; c++)
            s -= chol[c * p + a] * x[c];
        x[a] = s / chol[a * p + a];
    }
    return 0;
}

/* ------------------------------------------------------------ the fit */

void logreg_model_free(logreg_model *m)
{
    if (m == NULL)
        return;
    free(m->coef); /* the block of all four arrays */
    memset(m, 0, sizeof *m);
}

int logreg_fit(const double *x, const uint8_t *y, size_t n, size_t d, double lambda,
               logreg_model *out)
{
    if (out == NULL)
        return SEGRT_EINVAL;
    memset(out, 0, sizeof *out);
    if (d == 0 || !(lambda >= 0.0) || !isfinite(lambda) || (n && (x == NULL || y == NULL)))
        return SEGRT_EINVAL;
    if (d > SIZE_MAX / sizeof(double) / (d + 2) || n > SIZE_MAX / sizeof(double) / d)
        return SEGRT_ENOMEM;

    const size_t p = d + 1;
    int rc = SEGRT_EINVAL;
    size_t n_used = 0, n_pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (y[i] > 1)
            goto done;
        if (matrix_row_finite(x + i * d, d)) {
            n_used++;
            n_pos += y[i];
        }
    }
    if (n_pos == 0 || n_pos == n_used)
        goto done;

    /* scratch: isd (d); v, beta, trial, grad, tgrad, step (p each);
     * hess, thess, chol (p×p each) */
    double *scratch = malloc((d + 6 * p + 3 * p * p) * sizeof *scratch);
    out->coef = malloc(4 * d * sizeof *out->coef); /* coef, coef_std, mean, sd */
    if (scratch == NULL || out->coef == NULL) {
        free(scratch);
        rc = SEGRT_ENOMEM;
        goto done;
    }
    out->coef_std = out->coef + d;
    out->mean = out->coef_std + d;
    out->sd = out->mean + d;
    /* Mean and sd over the usable rows: a feature whose used values are all
     * equal gets its value as mean and sd 0. */
    rc = matrix_col_stats(x, n, d, MATRIX_FINITE_ROWS, out->mean, out->sd);
    if (rc != SEGRT_OK) {
        free(scratch);
        goto done;
    }
    double *isd = scratch, *v = isd + d;
    double *beta = v + p, *trial = beta + p, *grad = trial + p, *tgrad = grad + p;
    double *step = tgrad + p, *hess = step + p, *thess = hess + p * p, *chol = thess + p * p;

    for (size_t j = 0; j < d; j++)
        isd[j] = out->sd[j] > 0.0 ? 1.0 / out->sd[j] : 0.0;
    problem pr = { .x = x, .y = y, .n = n, .d = d, .p = p, .n_used = n_used,
                   .mean = out->mean, .isd = isd, .lambda = lambda, .v = v };

    /* Start from the intercept-only optimum: log-odds of the base rate. */
    memset(beta, 0, p * sizeof *beta);
    beta[0] = log((double)n_pos / (double)(n_used - n_pos));
    double f = evaluate(&pr, beta, grad, hess);
    /* A gradient step of 1/L cannot overshoot: with standardised columns the
     * Hessian is at most (1 + d)/4 + lambda. */
    const double inv_lip = 1.0 / (0.25 * (double)p + lambda);
    int it = 0, converged = 0, gsteps = 0;
    while (it < LOGREG_MAX_ITER) {
        if (cholesky_solve(hess, grad, p, chol, step) != 0) {
            for (size_t a = 0; a < p; a++)
                step[a] = grad[a] * inv_lip;
            gsteps++;
        }
        double slope = 0.0; /* g . step: the decrease the full step promises */
        for (size_t a = 0; a < p; a++)
            slope += grad[a] * step[a];
        if (!(slope > 0.0)) { /* at the optimum to rounding */
            converged = 1;
            break;
        }
        it++;
        double t = 1.0, ft = f;
        int accepted = 0;
        for (int h = 0; h <= MAX_HALVINGS; h++, t *= 0.5) {
            for (size_t a = 0; a < p; a++)
                trial[a] = beta[a] - t * step[a];
            ft = evaluate(&pr, trial, tgrad, thess);
            if (ft <= f - ARMIJO * t * slope) {
                accepted = 1;
                break;
            }
        }
        if (!accepted) { /* no decrease left to find: rounding rules */
            converged = 1;
            break;
        }
        double moved = 0.0, size = 1.0;
        for (size_t a = 0; a < p; a++) {
            double m = fabs(trial[a] - beta[a]);
            moved = m > moved ? m : moved;
            size = fabs(trial[a]) > size ? fabs(trial[a]) : size;
        }
        /* The trial's derivatives are the next step's. */
        double *tmp = beta;
        beta = trial;
        trial = tmp;
        tmp = grad;
        grad = tgrad;
        tgrad = tmp;
        tmp = hess;
        hess = thess;
        thess = tmp;
        f = ft;
        if (moved <= STEP_TOL * size) {
            converged = 1;
            break;
        }
    }

    out->d = d;
    out->intercept_std = beta[0];
    out->intercept = beta[0];
    for (size_t j = 0; j < d; j++) {
        out->coef_std[j] = beta[j + 1];
        out->coef[j] = beta[j + 1] * isd[j];
        out->intercept -= out->coef[j] * out->mean[j];
    }
    out->lambda = lambda;
    out->loss = f;
    out->n_used = n_used;
    out->n_skipped = n - n_used;
    out->n_pos = n_pos;
    out->iterations = it;
    out->converged = converged;
    out->gradient_steps = gsteps;
    free(scratch);
    rc = SEGRT_OK;

done:
    if (rc != SEGRT_OK)
        logreg_model_free(out);
    return rc;
}

double logreg_predict(const logreg_model *m, const double *row)
{
    double eta = m->intercept_std;
    for (size_t j = 0; j < m->d; j++) {
        if (!isfinite(row[j]))
            return NAN;
        if (m->sd[j] > 0.0)
            eta += m->coef_std[j] * ((row[j] - m->mean[j]) / m->sd[j]);
    }
    double e = exp(-fabs(eta));
    return eta >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

/* ------------------------------------------------------------ AUC */

typedef struct scored {
    double s;
    int pos;
} scored;

static int cmp_scored(const void *a, const void *b)
{
    double x = ((const scored *)a)->s, y = ((const scored *)b)->s;
    return (x > y) - (x < y);
}

/*
 * Sorted by score, each run of equal scores adds, for each positive in it,
 * the negatives below the run plus half those in it: the Mann-Whitney U
 * with average ranks for ties. Counts are exact in doubles up to 2^53.
 */
double logreg_auc(const double *score, const uint8_t *y, size_t n)
{
    if (n == 0 || score == NULL || y == NULL)
        return NAN;
    scored *v = malloc(n * sizeof *v);
    if (v == NULL)
        return NAN;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(score[i]))
            v[m++] = (scored){ score[i], y[i] != 0 };
    qsort(v, m, sizeof *v, cmp_scored);

    double u = 0.0, neg_below = 0.0, npos = 0.0;
    for (size_t i = 0; i < m;) {
        size_t j = i;
        double pos = 0.0, neg = 0.0;
        for (; j < m && v[j].s == v[i].s; j++) {
            pos += v[j].pos;
            neg += !v[j].pos;
        }
        u += pos * (neg_below + 0.5 * neg);
        neg_below += neg;
        npos += pos;
        i = j;
    }
    free(v);
    if (npos == 0.0 || neg_below == 0.0)
        return NAN;
    return u / (npos * neg_below);
}

/* ------------------------------------------------------------ holdout */

/* Selection sampling (Knuth's algorithm S): row i joins with probability
 * (still wanted) / (rows left), which picks exactly `want` rows, each set
 * of that size equally likely. */
int logreg_holdout_split(size_t n, double frac, uint64_t seed, uint8_t *holdout)
{
    if (!(frac >= 0.0 && frac <= 1.0) || (n && holdout == NULL))
        return SEGRT_EINVAL;
    size_t want = (size_t)floor((double)n * frac + 0.5);
    if (want > n)
        want = n;
    rng r;
    rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        int pick = want > 0 && rng_below(&r, n - i) < want;
        holdout[i] = (uint8_t)pick;
        want -= (size_t)pick;
    }
    return SEGRT_OK;
}

/* FNV-1a over the bytes, then splitmix64's finaliser, which FNV's weak
 * mixing of the last bytes needs before the top bits make a fraction. */
int logreg_holdout_id(const char *id, size_t len, double frac, uint64_t seed)
{
    if (!(frac > 0.0))
        return 0;
    if (frac >= 1.0)
        return 1;
    uint64_t h = UINT64_C(0xcbf29ce484222325) ^ seed;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)id[i];
        h *= UINT64_C(0x100000001b3);
    }
    h ^= (uint64_t)len;
    uint64_t u = rng_splitmix64(&h);
    return (double)(u >> 11) * 0x1.0p-53 < frac;
}
