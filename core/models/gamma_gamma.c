/*
 * gamma_gamma.c — the Gamma-Gamma model: log-likelihood, fit, expected
 * spend (gamma_gamma.h).
 */
#include "models/gamma_gamma.h"

#include "segrt.h"

#include <math.h>
#include <string.h>

#define BOUND 25.0     /* log-parameters stay within [-BOUND, BOUND] */
#define MAX_STEPS 20000
#define TOLERANCE 1e-12

static int takes_part(const cba_row *r)
{
    return r->has_purchase && r->frequency > 0 && r->monetary > 0;
}

double gamma_gamma_loglik(const gamma_gamma_params *g, const cba_row *rows, size_t n)
{
    double p = g->p, q = g->q, gm = g->gamma;
    if (!(p > 0 && q > 0 && gm > 0 && isfinite(p) && isfinite(q) && isfinite(gm)))
        return NAN;
    double ll = 0;
    for (size_t i = 0; i < n; i++) {
        if (!takes_part(&rows[i]))
            continue;
        double x = rows[i].frequency, m = rows[i].monetary, px = p * x;
        ll += lgamma(px + q) - lgamma(px) - lgamma(q) + q * log(gm) + (px - 1) * log(m) +
              px * log(x) - (px + q) * log(gm + m * x);
    }
    return ll;
}

/* The negative log-likelihood at log-parameters v (+inf outside the bounds). */
static double cost(const double v[3], const cba_row *rows, size_t n)
{
    for (int k = 0; k < 3; k++) {
        if (!(fabs(v[k]) <= BOUND))
            return INFINITY;
    }
    gamma_gamma_params g = { exp(v[0]), exp(v[1]), exp(v[2]) };
    double ll = gamma_gamma_loglik(&g, rows, n);
    return isnan(ll) ? INFINITY : -ll;
}

/* x = c + t (a - c), scored. */
static double toward(const double c[3], const double a[3], double t, double x[3],
                     const cba_row *rows, size_t n)
{
    for (int k = 0; k < 3; k++)
        x[k] = c[k] + t * (a[k] - c[k]);
    return cost(x, rows, n);
}

int gamma_gamma_fit(const cba_row *rows, size_t n, gamma_gamma_params *out, double *loglik)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += (size_t)takes_part(&rows[i]);
    if (m == 0)
        return SEGRT_EINVAL;
    double s[4][3] = { { 0, 0, 0 }, { 0.5, 0, 0 }, { 0, 0.5, 0 }, { 0, 0, 0.5 } }, f[4];
    for (int i = 0; i < 4; i++)
        f[i] = cost(s[i], rows, n);
    for (int step = 0; step < MAX_STEPS; step++) {
        for (int i = 1; i < 4; i++) { /* order the simplex by cost, best first */
            for (int j = i; j > 0 && f[j] < f[j - 1]; j--) {
                double t = f[j];
                f[j] = f[j - 1];
                f[j - 1] = t;
                double tv[3];
                memcpy(tv, s[j], sizeof tv);
                memcpy(s[j], s[j - 1], sizeof tv);
                memcpy(s[j - 1], tv, sizeof tv);
            }
        }
        if (fabs(f[3] - f[0]) <= TOLERANCE * (1 + fabs(f[0])))
            break;
        double c[3] = { 0, 0, 0 }, r[3], e[3], k[3];
        for (int i = 0; i < 3; i++)
            for (int d = 0; d < 3; d++)
                c[d] += s[i][d] / 3;
        double fr = toward(c, s[3], -1, r, rows, n);
        if (fr < f[0]) {
            double fe = toward(c, s[3], -2, e, rows, n);
            memcpy(s[3], fe < fr ? e : r, sizeof r);
            f[3] = fe < fr ? fe : fr;
        } else if (fr < f[2]) {
            memcpy(s[3], r, sizeof r);
            f[3] = fr;
        } else {
            double fk = toward(c, fr < f[3] ? r : s[3], 0.5, k, rows, n);
            if (fk < (fr < f[3] ? fr : f[3])) {
                memcpy(s[3], k, sizeof k);
                f[3] = fk;
            } else { /* shrink toward the best */
                for (int i = 1; i < 4; i++)
                    f[i] = toward(s[0], s[i], 0.5, s[i], rows, n);
            }
        }
    }
    for (int d = 0; d < 3; d++) {
        if (!(fabs(s[0][d]) < BOUND - 1e-6) || !isfinite(f[0]))
            return SEGRT_EINVAL;
    }
    gamma_gamma_params g = { exp(s[0][0]), exp(s[0][1]), exp(s[0][2]) };
    if (out)
        *out = g;
    if (loglik)
        *loglik = -f[0];
    return SEGRT_OK;
}

double gamma_gamma_expected(const gamma_gamma_params *g, double x, double m)
{
    if (!(g->q > 1))
        return NAN;
    double w = g->p * x / (g->p * x + g->q - 1);
    return (1 - w) * g->p * g->gamma / (g->q - 1) + w * (x > 0 ? m : 0);
}
