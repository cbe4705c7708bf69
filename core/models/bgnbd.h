/*
 * bgnbd.h — the BG/NBD model of repeat buying (Fader, Hardie & Lee 2005,
 * "Counting Your Customers the Easy Way: An Alternative to the Pareto/NBD
 * Model", Marketing Science 24(2); "FHL 2005" below): while alive a
 * customer buys at Poisson rate lambda ~ Gamma(r, alpha); after each repeat
 * purchase they drop out with probability p ~ Beta(a, b).
 *
 * Input rows are cba_row summaries (cba.h): x = frequency, t_x = recency,
 * T = age, all durations in one unit (weeks for CDNOW); the parameters are
 * in that unit too (alpha scales time). Pure computation.
 * Uses: cba.h, segrt.h (error codes), libm.
 */
#ifndef SEGRT_BGNBD_H
#define SEGRT_BGNBD_H

#include "models/cba.h"

#include <stddef.h>

typedef struct bgnbd_params {
    double r, alpha; /* purchase rate lambda ~ Gamma(shape r, rate alpha) */
    double a, b;     /* drop-out probability p ~ Beta(a, b) */
} bgnbd_params;

/*
 * The log-likelihood of p over the rows that have a purchase (FHL 2005,
 * eq. 6; rows without one are skipped). NaN when a parameter is not a
 * positive finite number or a row is not valid (see bgnbd_fit).
 */
double bgnbd_loglik(const bgnbd_params *p, const cba_row *rows, size_t n);

/*
 * Maximum-likelihood fit over rows[0 .. n) with has_purchase set (the others
 * are left out, as lifetimes fits only customers with a first purchase):
 * Newton's method on the log-parameters with the exact gradient and Hessian
 * (damped where the Hessian is not positive definite, with a backtracking
 * line search) from r = alpha = a = b = 1, until the Newton step is below
 * 1e-9 in every log-parameter, or it would gain less than 1e-10 of the
 * log-likelihood, or no step gains at all (a ridge the data do not
 * resolve: the point where the search stopped is the fit, as long as it is
 * within the bounds below). *out and *loglik (either may be NULL) get the
 * optimum.
 *
 * A valid row has finite x >= 0 a whole number, 0 <= t_x <= T, and t_x > 0
 * when x > 0. SEGRT_OK; SEGRT_EINVAL (outputs zeroed) when a row is not
 * valid, no row has a purchase, or the optimum runs off to a parameter
 * below e^-25 or above e^25 (data that do not identify the model, e.g.
 * nobody came back) or does not settle in 500 Newton steps; SEGRT_ENOMEM.
 */
int bgnbd_fit(const cba_row *rows, size_t n, bgnbd_params *out, double *loglik);

/*
 * P(alive at T | x, t_x, T) (Fader, Hardie & Lee, "Computing P(alive)
 * Using the BG/NBD Model", brucehardie.com/notes/021, 2008): 1 when x = 0
 * (the model lets customers drop out only after a repeat purchase), else
 * 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x)).
 */
double bgnbd_p_alive(const bgnbd_params *p, double x, double t_x, double T);

/*
 * E[purchases in (T, T + t] | x, t_x, T] (FHL 2005, eq. 10):
 *   (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x)
 *                          * 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
 *   / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))
 * 2F1 is summed as its power series, which converges since
 * z = t/(alpha+T+t) < 1; the terms needed grow like 1/(1-z), about
 * 35 (alpha+T+t)/(alpha+T), and past 1e6 terms the result is NaN.
 * Domain: t >= 0, a != 1 (the formula is 0/0 there; precision falls off
 * near it), a + b + x - 1 > 0; NaN outside it.
 */
double bgnbd_expected(const bgnbd_params *p, double t, double x, double t_x, double T);

/*
 * The Gaussian hypergeometric function 2F1(a, b; c; z) by its power series,
 * for a, b, c > 0 and 0 <= z < 1, summed until the tail bound is below
 * 1e-15 of the sum; NaN outside that domain or past 1e6 terms.
 */
double bgnbd_hyp2f1(double a, double b, double c, double z);

#endif
