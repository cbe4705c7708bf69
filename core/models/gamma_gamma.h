/*
 * gamma_gamma.h — the Gamma-Gamma model of spend per transaction (Fader,
 * Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves for Customer Base
 * Analysis", Journal of Marketing Research 42(4); the note "The Gamma-Gamma
 * Model of Monetary Value", brucehardie.com/notes/025): a customer's
 * transactions are worth z ~ Gamma(p, nu) on average 1/nu-scaled, with
 * nu ~ Gamma(q, gamma) across customers, independent of when they buy.
 *
 * Input rows are cba_row summaries (cba.h): x = frequency (repeat
 * transactions), m = monetary (their mean value); only rows with x > 0 take
 * part. Pure computation. Uses: cba.h, segrt.h (error codes), libm.
 */
#ifndef SEGRT_GAMMA_GAMMA_H
#define SEGRT_GAMMA_GAMMA_H

#include "models/cba.h"

#include <stddef.h>

typedef struct gamma_gamma_params {
    double p, q, gamma;
} gamma_gamma_params;

/* The log-likelihood of the parameters over the rows with x > 0 and m > 0; NaN when invalid. */
double gamma_gamma_loglik(const gamma_gamma_params *g, const cba_row *rows, size_t n);
/*
 * Maximum-likelihood fit over the rows with a purchase, x > 0 and m > 0: a
 * Nelder-Mead search on the log-parameters from p = q = gamma = 1 until the
 * simplex's log-likelihoods agree to 1e-12 (at most 20000 steps). SEGRT_OK;
 * SEGRT_EINVAL when no row takes part or the optimum runs off below e^-25 or
 * above e^25 (data that do not identify the model).
 */
int gamma_gamma_fit(const cba_row *rows, size_t n, gamma_gamma_params *out, double *loglik);
/*
 * The expected value of a customer's transactions given x of them with mean
 * m (FHL 2005, eq. 5): a weighted mean of the population mean
 * p gamma / (q - 1) and m; for x = 0, the population mean; NaN when q <= 1.
 */
double gamma_gamma_expected(const gamma_gamma_params *g, double x, double m);

#endif
