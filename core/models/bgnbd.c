/*
 * bgnbd.c — the BG/NBD model: log-likelihood, maximum-likelihood fit,
 * P(alive) and conditional expected purchases (see bgnbd.h).
 *
 * The fit is Newton's method on the log-parameters with the exact gradient
 * and Hessian (four parameters: a 4x4 Cholesky a step), which converges in
 * a handful of evaluations where Nelder-Mead needed hundreds. Each
 * evaluation works on grouped rows: the terms that depend on x alone are
 * summed once per distinct x; the rows with x = 0 contribute
 * -r log(alpha + T), summed once per distinct T; the rows with x > 0 are
 * collapsed to distinct (x, t_x, T) triples with a count, and
 * log(alpha + v) and 1/(alpha + v) are computed once per distinct duration
 * v. With durations in whole days that leaves one exp and one log per
 * distinct repeat buyer per evaluation. The grouping itself is one pass
 * through hash sets of the distinct durations and frequencies and a radix
 * sort of the triples (1M contacts: some 300k triples over ~1100 durations).
 *
 * Uses: cba.h, segrt.h, libm.
 */
#include "models/bgnbd.h"

#include "segrt.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NPARAM 4
#define THETA_BOX 30.0           /* |log parameter| the search stays within */
#define THETA_MAX 25.0           /* |log parameter| beyond which the fit gives up */
#define FIT_XTOL 1e-9            /* Newton step in log-parameters that counts as converged */
#define FIT_RTOL 1e-10           /* predicted decrease, relative, that counts as converged */
#define FIT_MAX_ITERS 500        /* Newton iterations */
#define FIT_STEP_MAX 2.0         /* largest Newton step per log-parameter */
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
    double *v;        /* ascending; the block of the four [nv] arrays */
    double *lv;       /* scratch: log(alpha + v[k]) */
    double *iv;       /* scratch: 1 / (alpha + v[k]) */
    double *w0;       /* [nv]: rows with x = 0 and T = v[k] */
    size_t nx;        /* distinct x (0 included) */
    double *x, *xw;   /* ascending, and how many rows have each; x is the block of the three */
    double *cx;       /* scratch: log(a) - log(b + x - 1) */
    size_t nt;        /* distinct triples */
    triple *t;
} groups;

static void groups_free(groups *g)
{
    free(g->v);
    free(g->x);
    free(g->t);
    memset(g, 0, sizeof *g);
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/*
 * A set of distinct doubles, each numbered: open addressing with linear
 * probing on the bit pattern, at most half full. idx is EMPTY for a free
 * slot, then the insertion order, then (dset_rank) the rank in ascending
 * order.
 */
#define EMPTY UINT32_MAX

typedef struct dset {
    size_t cap, n; /* cap a power of two, 2^(64 - shift) */
    int shift;
    double *key;
    uint32_t *idx;
} dset;

static void dset_free(dset *s)
{
    free(s->key);
    free(s->idx);
    memset(s, 0, sizeof *s);
}

/* The slot of v: where it is, or the free slot where it would go. */
static size_t dset_slot(const dset *s, double v)
{
    uint64_t bits;
    v += 0.0; /* -0 as +0 */
    memcpy(&bits, &v, sizeof bits);
    size_t i = (size_t)((bits * UINT64_C(0x9E3779B97F4A7C15)) >> s->shift);
    while (s->idx[i] != EMPTY && s->key[i] != v)
        i = (i + 1) & (s->cap - 1);
    return i;
}

static int dset_init(dset *s, size_t cap, int shift)
{
    s->cap = cap;
    s->shift = shift;
    s->n = 0;
    s->key = malloc(cap * sizeof *s->key);
    s->idx = malloc(cap * sizeof *s->idx);
    if (s->key == NULL || s->idx == NULL) {
        dset_free(s);
        return SEGRT_ENOMEM;
    }
    memset(s->idx, 0xff, cap * sizeof *s->idx);
    return SEGRT_OK;
}

/* Add v if it is new, doubling the table when half full. */
static int dset_add(dset *s, double v)
{
    size_t i = dset_slot(s, v);
    if (s->idx[i] != EMPTY)
        return SEGRT_OK;
    if (2 * (s->n + 1) > s->cap) {
        dset old = *s;
        if (dset_init(s, old.cap * 2, old.shift - 1) != SEGRT_OK) {
            dset_free(&old);
            return SEGRT_ENOMEM;
        }
        for (size_t j = 0; j < old.cap; j++)
            if (old.idx[j] != EMPTY) {
                size_t k = dset_slot(s, old.key[j]);
                s->key[k] = old.key[j];
                s->idx[k] = old.idx[j];
            }
        s->n = old.n;
        dset_free(&old);
        i = dset_slot(s, v);
    }
    s->key[i] = v + 0.0;
    s->idx[i] = (uint32_t)s->n++;
    return SEGRT_OK;
}

/* The values into sorted[0 .. s->n), ascending, and each one's idx its rank. */
static void dset_rank(dset *s, double *sorted)
{
    for (size_t j = 0; j < s->cap; j++)
        if (s->idx[j] != EMPTY)
            sorted[s->idx[j]] = s->key[j];
    qsort(sorted, s->n, sizeof *sorted, cmp_double);
    for (size_t k = 0; k < s->n; k++)
        s->idx[dset_slot(s, sorted[k])] = (uint32_t)k;
}

/* The number of v, which is in s. */
static uint32_t dset_index(const dset *s, double v)
{
    return s->idx[dset_slot(s, v)];
}

/*
 * One stable counting-sort pass of the triples from src to dst on bits
 * [shift, shift + 11) of one field (0: itx, 1: iT, 2: ix).
 */
#define RADIX_BITS 11

static uint32_t triple_field(const triple *t, int field)
{
    return field == 0 ? t->itx : field == 1 ? t->iT : t->ix;
}

static void radix_pass(const triple *src, triple *dst, size_t n, int field, int shift)
{
    size_t count[1u << RADIX_BITS] = { 0 };
    uint32_t mask = (1u << RADIX_BITS) - 1;
    for (size_t i = 0; i < n; i++)
        count[(triple_field(&src[i], field) >> shift) & mask]++;
    size_t pos = 0;
    for (size_t d = 0; d <= mask; d++) {
        size_t c = count[d];
        count[d] = pos;
        pos += c;
    }
    for (size_t i = 0; i < n; i++)
        dst[count[(triple_field(&src[i], field) >> shift) & mask]++] = src[i];
}

/*
 * Sort the triples by (ix, iT, itx): least significant field and digit
 * first, each field's values below its limit. The result is in *t, which
 * may have been swapped with *tmp.
 */
static void sort_triples(triple **t, triple **tmp, size_t n, const uint32_t limit[3])
{
    for (int field = 0; field < 3; field++)
        for (int shift = 0; shift < 32 && (limit[field] - 1) >> shift > 0; shift += RADIX_BITS) {
            radix_pass(*t, *tmp, n, field, shift);
            triple *swap = *t;
            *t = *tmp;
            *tmp = swap;
        }
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
    if (m == 0 || m + nrep > UINT32_MAX - 1)
        return SEGRT_EINVAL;
    dset vs, xs;
    int rc = dset_init(&vs, 64, 64 - 6);
    if (rc != SEGRT_OK)
        return rc;
    if ((rc = dset_init(&xs, 64, 64 - 6)) != SEGRT_OK) {
        dset_free(&vs);
        return rc;
    }
    triple *tmp = NULL;
    rc = SEGRT_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const cba_row *w = &rows[i];
        if (!w->has_purchase)
            continue;
        if (dset_add(&vs, w->T) != SEGRT_OK || dset_add(&xs, w->frequency) != SEGRT_OK ||
            (w->frequency > 0 && dset_add(&vs, w->recency) != SEGRT_OK))
            goto fail;
    }
    g->nv = vs.n;
    g->nx = xs.n;
    /* One zeroed block per length (the weights start at 0); t moves in the sort. */
    g->v = calloc(4 * g->nv, sizeof *g->v);
    g->x = calloc(3 * g->nx, sizeof *g->x);
    g->t = malloc((nrep ? nrep : 1) * sizeof *g->t);
    tmp = malloc((nrep ? nrep : 1) * sizeof *tmp);
    if (g->v == NULL || g->x == NULL || g->t == NULL || tmp == NULL)
        goto fail;
    g->lv = g->v + g->nv;
    g->iv = g->lv + g->nv;
    g->w0 = g->iv + g->nv;
    g->xw = g->x + g->nx;
    g->cx = g->xw + g->nx;
    dset_rank(&vs, g->v);
    dset_rank(&xs, g->x);
    size_t nt = 0;
    for (size_t i = 0; i < n; i++) {
        const cba_row *w = &rows[i];
        if (!w->has_purchase)
            continue;
        uint32_t ix = dset_index(&xs, w->frequency), iT = dset_index(&vs, w->T);
        g->xw[ix] += 1;
        if (w->frequency == 0)
            g->w0[iT] += 1;
        else
            g->t[nt++] = (triple){ ix, dset_index(&vs, w->recency), iT, 1 };
    }
    const uint32_t limit[3] = { (uint32_t)g->nv, (uint32_t)g->nv, (uint32_t)g->nx };
    sort_triples(&g->t, &tmp, nt, limit);
    size_t k = 0;
    for (size_t i = 0; i < nt; i++) {
        const triple *a = &g->t[i];
        if (k > 0 && g->t[k - 1].ix == a->ix && g->t[k - 1].iT == a->iT &&
            g->t[k - 1].itx == a->itx)
            g->t[k - 1].w += 1;
        else
            g->t[k++] = *a;
    }
    g->nt = k;
    rc = SEGRT_OK;
fail:
    free(tmp);
    dset_free(&vs);
    dset_free(&xs);
    if (rc != SEGRT_OK)
        groups_free(g);
    return rc;
}

/* ------------------------------------------------------------ derivatives */

/*
 * The digamma function psi = (log Gamma)' for x > 0: the recurrence
 * psi(x) = psi(x + 1) - 1/x up to x >= 10, then the asymptotic series
 * (Abramowitz & Stegun 6.3.18), whose first omitted term is below 1e-16.
 */
static double digamma(double x)
{
    double acc = 0;
    for (; x < 10; x += 1)
        acc -= 1 / x;
    double z = 1 / (x * x);
    return acc + log(x) - 0.5 / x -
           z * (1.0 / 12 -
                z * (1.0 / 120 -
                     z * (1.0 / 252 -
                          z * (1.0 / 240 - z * (1.0 / 132 - z * (691.0 / 32760 - z / 12))))));
}

/* The trigamma function psi' for x > 0, the same way (A&S 6.4.12). */
static double trigamma(double x)
{
    double acc = 0;
    for (; x < 10; x += 1)
        acc += 1 / (x * x);
    double y = 1 / x, z = y * y;
    return acc + y + 0.5 * z +
           y * z *
               (1.0 / 6 -
                z * (1.0 / 30 -
                     z * (1.0 / 42 -
                          z * (1.0 / 30 - z * (5.0 / 66 - z * (691.0 / 2730 - z * 7.0 / 6))))));
}

/* ------------------------------------------------------------ grouped log-likelihood */

/*
 * The log-likelihood of the grouped rows at p (the sum of row_loglik over
 * them), and its gradient and Hessian with respect to (r, alpha, a, b) into
 * grad[4] and hess[4][4].
 *
 * Per row with x > 0, writing lT = log(alpha+T), lt = log(alpha+t_x),
 * u = lT - lt, d = log(a) - log(b+x-1) + (r+x) u and s = 1/(1 + e^-d):
 *   LL_row = A1 + A2 - (r+x) lT + log(1 + e^d)
 *   d/dr = dA1/dr + s u - lT,  d/dalpha = dA1/dalpha + (r+x)(s (iT - it) - iT),
 *   d/da = dA2/da + s/a,      d/db = dA2/db - s/(b+x-1)
 * with iT = 1/(alpha+T), it = 1/(alpha+t_x); the second derivatives of
 * log(1 + e^d) are s(1-s) dd_i dd_j + s d2d_ij. A1 and A2's are digammas and
 * trigammas once per distinct x. The d-dependent a and b terms depend on
 * the row only through s, so they are summed per x (the triples are sorted
 * by x) and scaled once.
 *
 * log(1 + e^d) is computed as max(d, 0) + log(1 + e^-|d|) rather than with
 * log1p: the absolute error is below 3e-16 per row, which is nothing against
 * the sum, and log is several times cheaper than log1p.
 */
static double groups_eval(groups *g, const bgnbd_params *p, double grad[NPARAM],
                          double hess[NPARAM][NPARAM])
{
    double r = p->r, alpha = p->alpha, a = p->a, b = p->b;
    double ll = 0, log_alpha = log(alpha), lg_r = lgamma(r), lg_b = lgamma(b);
    double lg_ab = lgamma(a + b), log_a = log(a);
    double G[NPARAM] = { 0 }, H[NPARAM][NPARAM] = { { 0 } };
    double dg_r = digamma(r), dg_b = digamma(b), dg_ab = digamma(a + b);
    double tg_r = trigamma(r), tg_b = trigamma(b), tg_ab = trigamma(a + b);
    for (size_t i = 0; i < g->nx; i++) {
        double x = g->x[i], W = g->xw[i];
        if (x > 0) {
            ll += W * (lgamma(r + x) - lg_r + lgamma(b + x) - lg_b + lg_ab - lgamma(a + b + x));
            g->cx[i] = log_a - log(b + x - 1);
            double d_abx = digamma(a + b + x), t_abx = trigamma(a + b + x);
            G[0] += W * (digamma(r + x) - dg_r);
            G[2] += W * (dg_ab - d_abx);
            G[3] += W * (dg_ab + digamma(b + x) - dg_b - d_abx);
            H[0][0] += W * (trigamma(r + x) - tg_r);
            H[2][2] += W * (tg_ab - t_abx);
            H[2][3] += W * (tg_ab - t_abx);
            H[3][3] += W * (tg_ab + trigamma(b + x) - tg_b - t_abx);
        }
    }
    /* r log(alpha), over every row. */
    double m = 0;
    for (size_t i = 0; i < g->nx; i++)
        m += g->xw[i];
    ll += m * r * log_alpha;
    G[0] += m * log_alpha;
    G[1] += m * r / alpha;
    H[0][1] += m / alpha;
    H[1][1] -= m * r / (alpha * alpha);
    /* -r log(alpha + T) over the rows with x = 0. */
    for (size_t k = 0; k < g->nv; k++) {
        double lv = log(alpha + g->v[k]), iv = 1 / (alpha + g->v[k]), w0 = g->w0[k];
        g->lv[k] = lv;
        g->iv[k] = iv;
        ll -= w0 * r * lv;
        G[0] -= w0 * lv;
        G[1] -= w0 * r * iv;
        H[0][1] -= w0 * iv;
        H[1][1] += w0 * r * iv * iv;
    }
    /* The rows with x > 0, by triple, in runs of one x. */
    size_t i = 0;
    while (i < g->nt) {
        uint32_t ix = g->t[i].ix;
        double x = g->x[ix], rx = r + x, cx = g->cx[ix];
        double S = 0, Q = 0, QU = 0, QD = 0;
        double gr = 0, ga = 0, hrr = 0, hra = 0, haa = 0, sp = 0;
        for (; i < g->nt && g->t[i].ix == ix; i++) {
            const triple *t = &g->t[i];
            double lT = g->lv[t->iT], u = lT - g->lv[t->itx], w = t->w;
            double d = cx + rx * u, e = exp(-fabs(d));
            sp += w * ((d > 0 ? d : 0) + log(1 + e) - rx * lT);
            double one_e = 1 / (1 + e);
            double s = d > 0 ? one_e : e * one_e, q = e * one_e * one_e;
            double iT = g->iv[t->iT], it = g->iv[t->itx], dl = iT - it;
            double ws = w * s, wq = w * q;
            S += ws;
            Q += wq;
            QU += wq * u;
            QD += wq * dl;
            gr += ws * u - w * lT;
            ga += ws * dl - w * iT;
            hrr += wq * u * u;
            hra += wq * u * rx * dl + ws * dl - w * iT;
            haa += rx * wq * dl * dl + ws * (it * it - iT * iT) + w * iT * iT;
        }
        ll += sp;
        double bx = b + x - 1;
        G[0] += gr;
        G[1] += rx * ga;
        G[2] += S / a;
        G[3] -= S / bx;
        H[0][0] += hrr;
        H[0][1] += hra;
        H[1][1] += rx * haa;
        H[0][2] += QU / a;
        H[0][3] -= QU / bx;
        H[1][2] += rx * QD / a;
        H[1][3] -= rx * QD / bx;
        H[2][2] += (Q - S) / (a * a);
        H[3][3] += (Q + S) / (bx * bx);
        H[2][3] -= Q / (a * bx);
    }
    for (int j = 0; j < NPARAM; j++) {
        grad[j] = G[j];
        for (int k = j; k < NPARAM; k++)
            hess[j][k] = hess[k][j] = H[j][k];
    }
    return ll;
}

/* ------------------------------------------------------------ Newton's method */

/*
 * The objective at theta, the log-parameters: f = -LL at exp(theta), its
 * gradient and Hessian in theta; +inf when theta is off the box or anything
 * is not a number. With p_j = exp(theta_j), df/dtheta_j = -p_j dLL/dp_j and
 * d2f/dtheta_j dtheta_k = -(p_j p_k d2LL/dp_j dp_k + [j = k] p_j dLL/dp_j).
 */
static double objective(groups *g, const double theta[NPARAM], double grad[NPARAM],
                        double hess[NPARAM][NPARAM])
{
    for (int j = 0; j < NPARAM; j++)
        if (!(fabs(theta[j]) <= THETA_BOX))
            return HUGE_VAL;
    double e[NPARAM];
    for (int j = 0; j < NPARAM; j++)
        e[j] = exp(theta[j]);
    bgnbd_params p = { e[0], e[1], e[2], e[3] };
    double G[NPARAM], H[NPARAM][NPARAM];
    double f = -groups_eval(g, &p, G, H);
    if (!isfinite(f))
        return HUGE_VAL;
    for (int j = 0; j < NPARAM; j++) {
        grad[j] = -e[j] * G[j];
        for (int k = 0; k < NPARAM; k++)
            hess[j][k] = -(e[j] * e[k] * H[j][k] + (j == k ? e[j] * G[j] : 0));
        if (!isfinite(grad[j]))
            return HUGE_VAL;
    }
    for (int j = 0; j < NPARAM; j++)
        for (int k = 0; k < NPARAM; k++)
            if (!isfinite(hess[j][k]))
                return HUGE_VAL;
    return f;
}

/* Solve (A + mu I) x = -b by Cholesky; 0 when A + mu I is not positive definite. */
static int newton_step(const double A[NPARAM][NPARAM], double mu, const double b[NPARAM],
                       double x[NPARAM])
{
    double L[NPARAM][NPARAM] = { { 0 } };
    for (int j = 0; j < NPARAM; j++) {
        for (int k = 0; k <= j; k++) {
            double s = A[j][k] + (j == k ? mu : 0);
            for (int m = 0; m < k; m++)
                s -= L[j][m] * L[k][m];
            if (j == k) {
                if (!(s > 0))
                    return 0;
                L[j][j] = sqrt(s);
            } else {
                L[j][k] = s / L[k][k];
            }
        }
    }
    double y[NPARAM];
    for (int j = 0; j < NPARAM; j++) {
        double s = -b[j];
        for (int m = 0; m < j; m++)
            s -= L[j][m] * y[m];
        y[j] = s / L[j][j];
    }
    for (int j = NPARAM - 1; j >= 0; j--) {
        double s = y[j];
        for (int m = j + 1; m < NPARAM; m++)
            s -= L[m][j] * x[m];
        x[j] = s / L[j][j];
    }
    return 1;
}

/*
 * Minimise the objective from theta by damped Newton: the Hessian, shifted
 * by mu I until positive definite (Cholesky), a step of at most
 * FIT_STEP_MAX per coordinate, halved until the objective falls by the
 * Armijo fraction of the predicted decrease. theta and *f get the last
 * point. 1 when it stopped: the undamped step is below FIT_XTOL in every
 * coordinate (a minimum: the Hessian is positive definite), the predicted
 * decrease is below FIT_RTOL of the objective, or no step down the descent
 * direction lowers it (rounding, or the edge of the box, which the caller
 * then refuses); 0 when the objective is not a number at the start or
 * FIT_MAX_ITERS ran out.
 */
static int newton(groups *g, double theta[NPARAM], double *f)
{
    double grad[NPARAM], hess[NPARAM][NPARAM];
    double fx = objective(g, theta, grad, hess);
    *f = fx;
    if (!isfinite(fx))
        return 0;
    for (int iter = 0; iter < FIT_MAX_ITERS; iter++) {
        double scale = 0, step[NPARAM];
        for (int j = 0; j < NPARAM; j++)
            scale = fmax(scale, fabs(hess[j][j]));
        double mu = 0;
        while (!newton_step(hess, mu, grad, step)) {
            mu = mu == 0 ? 1e-10 * fmax(scale, 1e-300) : mu * 10;
            if (!isfinite(mu))
                return 0;
        }
        double size = 0, slope = 0;
        for (int j = 0; j < NPARAM; j++) {
            size = fmax(size, fabs(step[j]));
            slope += grad[j] * step[j];
        }
        if (mu == 0 && size <= FIT_XTOL)
            return 1;
        if (size > FIT_STEP_MAX) {
            for (int j = 0; j < NPARAM; j++)
                step[j] *= FIT_STEP_MAX / size;
            slope *= FIT_STEP_MAX / size;
            size = FIT_STEP_MAX;
        }
        /*
         * Where the predicted decrease is lost against the objective (the
         * optimum, or a ridge the data do not resolve, as at a -> 0 with
         * few repeat buyers) take the full step if it is lower, and stop.
         */
        int flat = -slope <= FIT_RTOL * fabs(fx);
        /* The step down, halved until it decreases the objective enough. */
        int moved = 0;
        for (double t = 1; t * size > 1e-12; t *= 0.5) {
            double trial[NPARAM], tg[NPARAM], th[NPARAM][NPARAM];
            for (int j = 0; j < NPARAM; j++)
                trial[j] = theta[j] + t * step[j];
            double ft = objective(g, trial, tg, th);
            if (ft < fx && (flat || ft <= fx + 1e-4 * t * slope)) {
                memcpy(theta, trial, sizeof trial);
                memcpy(grad, tg, sizeof tg);
                memcpy(hess, th, sizeof th);
                *f = fx = ft;
                moved = 1;
            }
            if (moved || flat)
                break;
        }
        /*
         * No step along a descent direction helps: the objective resolves
         * nothing finer here (its rounding, or the box's edge: a parameter
         * running off is refused by the caller).
         */
        if (flat || !moved)
            return 1;
    }
    return 0;
}

int bgnbd_fit(const cba_row *rows, size_t n, bgnbd_params *out, double *loglik)
{
    groups g;
    double theta[NPARAM] = { 0, 0, 0, 0 }, f = HUGE_VAL; /* r = alpha = a = b = 1 */
    int rc = n > 0 && rows == NULL ? SEGRT_EINVAL : groups_build(rows, n, &g);
    if (rc != SEGRT_OK)
        goto done;
    rc = newton(&g, theta, &f) ? SEGRT_OK : SEGRT_EINVAL;
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
     * monotonically onto z). Four terms a step, their ratios from one
     * division, and the tail tested after the fourth: the loop is bound by
     * the divider, and the CLV scoring sums tens of millions of terms.
     */
    double term = 1, sum = 1, dk = 0;
    for (long k = 0; k < HYP2F1_MAX_TERMS; k += 4, dk += 4) {
        double n0 = (a + dk) * (b + dk), d0 = (c + dk) * (dk + 1);
        double n1 = (a + dk + 1) * (b + dk + 1), d1 = (c + dk + 1) * (dk + 2);
        double n2 = (a + dk + 2) * (b + dk + 2), d2 = (c + dk + 2) * (dk + 3);
        double n3 = (a + dk + 3) * (b + dk + 3), d3 = (c + dk + 3) * (dk + 4);
        double d01 = d0 * d1, d23 = d2 * d3, zinv = z / (d01 * d23);
        double t0 = term * (n0 * d1 * d23 * zinv);
        double t1 = t0 * (n1 * d0 * d23 * zinv);
        double t2 = t1 * (n2 * d3 * d01 * zinv);
        double q = n3 * d2 * d01 * zinv;
        term = t2 * q;
        sum += (t0 + t1) + (t2 + term);
        double bound = q > z ? q : z;
        if (bound < 1 && term * bound <= 1e-15 * sum * (1 - bound))
            return isfinite(sum) ? sum : NAN;
        /* An overflow to inf is for good (inf, or NaN once inf - inf). */
        if ((k & 63) == 60 && !isfinite(sum))
            return NAN;
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
