/*
 * bgnbd.c — the BG/NBD model: log-likelihood, maximum-likelihood fit,
 * P(alive) and conditional expected purchases (see bgnbd.h).
 *
 * The fit evaluates the likelihood a few hundred times, so it first groups
 * the rows: the terms that depend on x alone are summed once per distinct x;
 * the rows with x = 0 contribute -r log(alpha + T), summed once per distinct
 * T; the rows with x > 0 are collapsed to distinct (x, t_x, T) triples with
 * a count, and log(alpha + v) is computed once per distinct duration v.
 * With durations in whole days that leaves one exp and one log1p per
 * distinct repeat buyer per evaluation.
 *
 * Uses: cba.h, segrt.h, libm.
 */
#include "bgnbd.h"

#include "segrt.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NPARAM 4
#define THETA_BOX 30.0           /* |log parameter| the search stays within */
#define THETA_MAX 25.0           /* |log parameter| beyond which the fit gives up */
#define FIT_RTOL 1e-10           /* relative tolerance on the negative log-likelihood */
#define FIT_XTOL 1e-7            /* simplex size in log-parameters */
#define FIT_MAX_RUNS 50          /* Nelder-Mead runs (the first and its restarts) */
#define FIT_MAX_EVALS 20000      /* evaluations per run */
#define HYP2F1_MAX_TERMS 1000000 /* series terms before 2F1 gives up */

/* log(1 + e^d) without overflow. */
static double softplus(double d)
{
    return d > 0 ? d + log1p(exp(-d)) : log1p(exp(d));
}

static int params_ok(const bgnbd_params *p)
{
    return isfinite(p->r) && isfinite(p->alpha) && isfinite(p->a) && isfinite(p->b) &&
           p->r > 0 && p->alpha > 0 && p->a > 0 && p->b > 0;
}

/* A row the likelihood accepts: whole x >= 0, 0 <= t_x <= T, all finite. */
static int row_ok(const cba_row *w)
{
    return isfinite(w->frequency) && isfinite(w->recency) && isfinite(w->T) &&
           w->frequency >= 0 && floor(w->frequency) == w->frequency && w->recency >= 0 &&
           w->recency <= w->T;
}

/* ------------------------------------------------------------ log-likelihood */

/*
 * One customer's log-likelihood (FHL 2005, eq. 6, in logs as lifetimes'
 * BetaGeoFitter writes it):
 *   A1 = lgamma(r+x) - lgamma(r) + r log(alpha)
 *   A2 = lgamma(a+b) + lgamma(b+x) - lgamma(b) - lgamma(a+b+x)
 *   A3 = -(r+x) log(alpha+T)
 *   A4 = log(a) - log(b+x-1) - (r+x) log(alpha+t_x)     (only when x > 0)
 *   LL = A1 + A2 + log(e^A3 + [x > 0] e^A4)
 */
static double row_loglik(const bgnbd_params *p, double x, double t_x, double T)
{
    double r = p->r, alpha = p->alpha, a = p->a, b = p->b;
    double ll = lgamma(r + x) - lgamma(r) + r * log(alpha) + lgamma(a + b) + lgamma(b + x) -
                lgamma(b) - lgamma(a + b + x);
    double a3 = -(r + x) * log(alpha + T);
    if (x > 0) {
        double a4 = log(a) - log(b + x - 1) - (r + x) * log(alpha + t_x);
        return ll + a3 + softplus(a4 - a3);
    }
    return ll + a3;
}

double bgnbd_loglik(const bgnbd_params *p, const cba_row *rows, size_t n)
{
    if (!params_ok(p) || (n > 0 && rows == NULL))
        return NAN;
    double ll = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rows[i].has_purchase)
            continue;
        if (!row_ok(&rows[i]))
            return NAN;
        ll += row_loglik(p, rows[i].frequency, rows[i].recency, rows[i].T);
    }
    return ll;
}

/* ------------------------------------------------------------ grouped rows */

/* Distinct (x > 0, t_x, T) with how many rows have it; indexes into the tables. */
typedef struct triple {
    uint32_t ix, itx, iT;
    double w;
} triple;

typedef struct groups {
    size_t nv;        /* distinct durations: T of every row, t_x of rows with x > 0 */
    double *v;        /* ascending */
    double *lv;       /* scratch: log(alpha + v[k]) */
    double *w0;       /* [nv]: rows with x = 0 and T = v[k] */
    size_t nx;        /* distinct x (0 included) */
    double *x, *xw;   /* ascending, and how many rows have each */
    double *cx;       /* scratch: log(a) - log(b + x - 1) */
    size_t nt;        /* distinct triples */
    triple *t;
} groups;

static void groups_free(groups *g)
{
    free(g->v);
    free(g->lv);
    free(g->w0);
    free(g->x);
    free(g->xw);
    free(g->cx);
    free(g->t);
    memset(g, 0, sizeof *g);
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

static int cmp_triple(const void *pa, const void *pb)
{
    const triple *a = pa, *b = pb;
    if (a->ix != b->ix)
        return a->ix < b->ix ? -1 : 1;
    if (a->iT != b->iT)
        return a->iT < b->iT ? -1 : 1;
    if (a->itx != b->itx)
        return a->itx < b->itx ? -1 : 1;
    return 0;
}

/* Sort and drop duplicates in place; the new count. */
static size_t sort_unique(double *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    size_t m = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[m - 1])
            v[m++] = v[i];
    return m;
}

/* The index of value in v[0 .. n), which holds it. */
static uint32_t index_of(const double *v, size_t n, double value)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] <= value)
            lo = mid;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

/*
 * Group the rows with a purchase. SEGRT_EINVAL for an invalid row or none
 * with a purchase, SEGRT_ENOMEM; *g is zeroed on failure.
 */
static int groups_build(const cba_row *rows, size_t n, groups *g)
{
    memset(g, 0, sizeof *g);
    size_t m = 0, nrep = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rows[i].has_purchase)
            continue;
        if (!row_ok(&rows[i]))
            return SEGRT_EINVAL;
        m++;
        nrep += rows[i].frequency > 0;
    }
    if (m == 0 || m + nrep > UINT32_MAX)
        return SEGRT_EINVAL;
    int rc = SEGRT_ENOMEM;
    g->v = malloc((m + nrep) * sizeof *g->v);
    g->x = malloc(m * sizeof *g->x);
    g->t = malloc((nrep ? nrep : 1) * sizeof *g->t);
    if (g->v == NULL || g->x == NULL || g->t == NULL)
        goto fail;
    size_t nv = 0, nx = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rows[i].has_purchase)
            continue;
        g->v[nv++] = rows[i].T;
        if (rows[i].frequency > 0)
            g->v[nv++] = rows[i].recency;
        g->x[nx++] = rows[i].frequency;
    }
    g->nv = sort_unique(g->v, nv);
    g->nx = sort_unique(g->x, nx);
    g->lv = malloc(g->nv * sizeof *g->lv);
    g->w0 = calloc(g->nv, sizeof *g->w0);
    g->xw = calloc(g->nx, sizeof *g->xw);
    g->cx = malloc(g->nx * sizeof *g->cx);
    if (g->lv == NULL || g->w0 == NULL || g->xw == NULL || g->cx == NULL)
        goto fail;
    size_t nt = 0;
    for (size_t i = 0; i < n; i++) {
        const cba_row *w = &rows[i];
        if (!w->has_purchase)
            continue;
        uint32_t ix = index_of(g->x, g->nx, w->frequency), iT = index_of(g->v, g->nv, w->T);
        g->xw[ix] += 1;
        if (w->frequency == 0)
            g->w0[iT] += 1;
        else
            g->t[nt++] = (triple){ ix, index_of(g->v, g->nv, w->recency), iT, 1 };
    }
    qsort(g->t, nt, sizeof *g->t, cmp_triple);
    size_t k = 0;
    for (size_t i = 0; i < nt; i++) {
        if (k > 0 && cmp_triple(&g->t[k - 1], &g->t[i]) == 0)
            g->t[k - 1].w += 1;
        else
            g->t[k++] = g->t[i];
    }
    g->nt = k;
    return SEGRT_OK;
fail:
    groups_free(g);
    return rc;
}

/* The log-likelihood of the grouped rows: the sum of row_loglik over them. */
static double groups_loglik(groups *g, const bgnbd_params *p)
{
    double r = p->r, alpha = p->alpha, a = p->a, b = p->b;
    double ll = 0, log_alpha = log(alpha), lg_r = lgamma(r), lg_b = lgamma(b);
    double lg_ab = lgamma(a + b), log_a = log(a);
    for (size_t i = 0; i < g->nx; i++) {
        double x = g->x[i];
        if (x > 0) {
            ll += g->xw[i] * (lgamma(r + x) - lg_r + lgamma(b + x) - lg_b + lg_ab -
                              lgamma(a + b + x));
            g->cx[i] = log_a - log(b + x - 1);
        }
        ll += g->xw[i] * r * log_alpha;
    }
    for (size_t k = 0; k < g->nv; k++) {
        g->lv[k] = log(alpha + g->v[k]);
        ll -= g->w0[k] * r * g->lv[k];
    }
    for (size_t i = 0; i < g->nt; i++) {
        const triple *t = &g->t[i];
        double rx = r + g->x[t->ix], lT = g->lv[t->iT];
        double d = g->cx[t->ix] + rx * (lT - g->lv[t->itx]);
        ll += t->w * (softplus(d) - rx * lT);
    }
    return ll;
}

/* ------------------------------------------------------------ Nelder-Mead */

/* The objective: -LL at exp(theta); +inf off the box or where LL is not a number. */
static double objective(groups *g, const double theta[NPARAM])
{
    for (int j = 0; j < NPARAM; j++)
        if (!(fabs(theta[j]) <= THETA_BOX))
            return HUGE_VAL;
    bgnbd_params p = { exp(theta[0]), exp(theta[1]), exp(theta[2]), exp(theta[3]) };
    double f = -groups_loglik(g, &p);
    return isnan(f) ? HUGE_VAL : f;
}

/* c + k (x - c) into out. */
static void along(const double c[NPARAM], const double x[NPARAM], double k, double out[NPARAM])
{
    for (int j = 0; j < NPARAM; j++)
        out[j] = c[j] + k * (x[j] - c[j]);
}

/*
 * One Nelder-Mead run (Lagarias et al. 1998 coefficients: reflect 1,
 * expand 2, contract 1/2, shrink 1/2) from a simplex around theta with the
 * given step; theta and *f get the best vertex. 1 when it converged (the
 * function values within FIT_RTOL relative and the simplex within FIT_XTOL),
 * 0 when FIT_MAX_EVALS ran out.
 */
static int nelder_mead(groups *g, double theta[NPARAM], double step, double *f)
{
    double x[NPARAM + 1][NPARAM], fx[NPARAM + 1];
    for (int i = 0; i <= NPARAM; i++) {
        memcpy(x[i], theta, sizeof x[i]);
        if (i > 0)
            x[i][i - 1] += step;
        fx[i] = objective(g, x[i]);
    }
    int evals = NPARAM + 1, converged = 0;
    while (evals < FIT_MAX_EVALS) {
        /* Order the vertices by value (insertion sort: five of them). */
        for (int i = 1; i <= NPARAM; i++)
            for (int k = i; k > 0 && fx[k] < fx[k - 1]; k--) {
                double tf = fx[k], tx[NPARAM];
                fx[k] = fx[k - 1];
                fx[k - 1] = tf;
                memcpy(tx, x[k], sizeof tx);
                memcpy(x[k], x[k - 1], sizeof tx);
                memcpy(x[k - 1], tx, sizeof tx);
            }
        double size = 0;
        for (int i = 1; i <= NPARAM; i++)
            for (int j = 0; j < NPARAM; j++)
                size = fmax(size, fabs(x[i][j] - x[0][j]));
        if (fx[NPARAM] - fx[0] <= FIT_RTOL * fabs(fx[0]) && size <= FIT_XTOL) {
            converged = 1;
            break;
        }
        double c[NPARAM] = { 0 }, xr[NPARAM], xn[NPARAM];
        for (int i = 0; i < NPARAM; i++)
            for (int j = 0; j < NPARAM; j++)
                c[j] += x[i][j] / NPARAM;
        along(c, x[NPARAM], -1, xr);
        double fr = objective(g, xr), fn;
        evals++;
        if (fr < fx[0]) {
            along(c, x[NPARAM], -2, xn);
            fn = objective(g, xn);
            evals++;
            if (fn >= fr) {
                memcpy(xn, xr, sizeof xn);
                fn = fr;
            }
        } else if (fr < fx[NPARAM - 1]) {
            memcpy(xn, xr, sizeof xn);
            fn = fr;
        } else {
            /* Contract outside (towards xr) or inside (towards the worst vertex). */
            int outside = fr < fx[NPARAM];
            along(c, outside ? xr : x[NPARAM], 0.5, xn);
            fn = objective(g, xn);
            evals++;
            if (!(outside ? fn <= fr : fn < fx[NPARAM])) {
                for (int i = 1; i <= NPARAM; i++) {
                    along(x[0], x[i], 0.5, x[i]);
                    fx[i] = objective(g, x[i]);
                }
                evals += NPARAM;
                continue;
            }
        }
        memcpy(x[NPARAM], xn, sizeof xn);
        fx[NPARAM] = fn;
    }
    int best = 0;
    for (int i = 1; i <= NPARAM; i++)
        if (fx[i] < fx[best])
            best = i;
    memcpy(theta, x[best], sizeof x[best]);
    *f = fx[best];
    return converged;
}

int bgnbd_fit(const cba_row *rows, size_t n, bgnbd_params *out, double *loglik)
{
    groups g;
    double theta[NPARAM] = { 0, 0, 0, 0 }, f = HUGE_VAL; /* r = alpha = a = b = 1 */
    int rc = n > 0 && rows == NULL ? SEGRT_EINVAL : groups_build(rows, n, &g);
    if (rc != SEGRT_OK)
        goto done;
    /*
     * Restart from the best vertex until a run ends where it began (a fresh
     * simplex guards against Nelder-Mead's collapse onto a non-optimum).
     */
    rc = SEGRT_EINVAL;
    for (int run = 0; run < FIT_MAX_RUNS; run++) {
        double before = f;
        int converged = nelder_mead(&g, theta, run == 0 ? 1.0 : 0.25, &f);
        if (!isfinite(f))
            break;
        if (converged && before - f <= FIT_RTOL * fabs(f)) {
            rc = SEGRT_OK;
            break;
        }
    }
    for (int j = 0; j < NPARAM; j++)
        if (!(fabs(theta[j]) < THETA_MAX))
            rc = SEGRT_EINVAL;
    groups_free(&g);
done:
    if (out)
        *out = rc == SEGRT_OK ? (bgnbd_params){ exp(theta[0]), exp(theta[1]), exp(theta[2]),
                                                exp(theta[3]) }
                              : (bgnbd_params){ 0, 0, 0, 0 };
    if (loglik)
        *loglik = rc == SEGRT_OK ? -f : 0;
    return rc;
}

/* ------------------------------------------------------------ scoring */

/*
 * log(a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)), the odds of "dropped out
 * after the last purchase" against "alive" (FHL 2005, eq. 6's two terms).
 */
static double log_dead_odds(const bgnbd_params *p, double x, double t_x, double T)
{
    return log(p->a) - log(p->b + x - 1) + (p->r + x) * log1p((T - t_x) / (p->alpha + t_x));
}

double bgnbd_p_alive(const bgnbd_params *p, double x, double t_x, double T)
{
    cba_row w = { x, t_x, T, 0, 1 };
    if (!params_ok(p) || !row_ok(&w))
        return NAN;
    return x == 0 ? 1.0 : 1.0 / (1.0 + exp(log_dead_odds(p, x, t_x, T)));
}

double bgnbd_hyp2f1(double a, double b, double c, double z)
{
    if (!(a > 0 && b > 0 && c > 0 && z >= 0 && z < 1) || !isfinite(a) || !isfinite(b) ||
        !isfinite(c))
        return NAN;
    /*
     * sum_k (a)_k (b)_k / ((c)_k k!) z^k; term k+1 is term k times
     * q_k = (a+k)(b+k)/((c+k)(k+1)) z, which tends to z < 1. Once q < 1 the
     * tail is below term * q/(1 - q) for q = max(q_k, z) (the ratios settle
     * monotonically onto z).
     */
    double term = 1, sum = 1;
    for (long k = 0; k < HYP2F1_MAX_TERMS; k++) {
        double dk = (double)k, q = (a + dk) * (b + dk) / ((c + dk) * (dk + 1)) * z;
        term *= q;
        sum += term;
        double bound = fmax(q, z);
        if (!isfinite(sum))
            return NAN;
        if (bound < 1 && term * bound <= 1e-15 * sum * (1 - bound))
            return sum;
    }
    return NAN;
}

double bgnbd_expected(const bgnbd_params *p, double t, double x, double t_x, double T)
{
    cba_row w = { x, t_x, T, 0, 1 };
    if (!params_ok(p) || !row_ok(&w) || !(t >= 0) || !isfinite(t) || p->a == 1)
        return NAN;
    double r = p->r, alpha = p->alpha, a = p->a, b = p->b;
    double c = a + b + x - 1;
    double f = bgnbd_hyp2f1(r + x, b + x, c, t / (alpha + T + t));
    if (isnan(f))
        return NAN;
    /* ((alpha+T)/(alpha+T+t))^(r+x) = exp(-(r+x) log1p(t/(alpha+T))) */
    double e = c / (a - 1) * (1 - exp(-(r + x) * log1p(t / (alpha + T))) * f);
    return x == 0 ? e : e / (1 + exp(log_dead_odds(p, x, t_x, T)));
}
