/*
 * model_gamma_gamma.c — the "gammagamma" model kind: the Gamma-Gamma fit
 * of spend per transaction (gamma_gamma.h) over the customer-base summary
 * of one event type (model_cba.c: event, unit_days, obs_end), and per
 * contact with a purchase the expected value of its transactions.
 *
 * Output: expected_spend (missing for contacts without a purchase).
 * Fitted: p, q, gamma, log_likelihood, customers (the repeat buyers fitted).
 */
#include "models/gamma_gamma.h"
#include "models/model.h"
#include "util/value.h"

#include <stdlib.h>

static const char *const outputs[] = { "expected_spend", NULL };

static int compute(plan_ctx *cx, const tree *model, vec *outs, model_fit *fit)
{
    double unit_days;
    cba_row *rows;
    int rc = model_cba_rows(cx, model, "gammagamma", &rows, &unit_days);
    if (rc != SEGRT_OK)
        return rc;
    size_t n = cx->ncontacts, repeaters = 0;
    outs[0].v = malloc((n ? n : 1) * sizeof *outs[0].v);
    rc = outs[0].v ? SEGRT_OK : store_fail(cx->s, SEGRT_ENOMEM, "out of memory fitting gammagamma");
    gamma_gamma_params g;
    double loglik = 0;
    if (rc == SEGRT_OK && gamma_gamma_fit(rows, n, &g, &loglik) != SEGRT_OK)
        rc = plan_fail(cx, tree_get_string(model, "loc"), "the Gamma-Gamma model cannot be "
                       "fitted to these purchases (no repeat buyers with an amount?)");
    for (size_t i = 0; i < n && rc == SEGRT_OK; i++) {
        const cba_row *r = &rows[i];
        repeaters += (size_t)(r->has_purchase && r->frequency > 0 && r->monetary > 0);
        outs[0].v[i] = r->has_purchase ? model_micro(gamma_gamma_expected(&g, r->frequency,
                                                                          r->monetary))
                                       : VALUE_MISSING;
    }
    free(rows);
    if (rc == SEGRT_OK) {
        model_fit_number(fit, "p", g.p);
        model_fit_number(fit, "q", g.q);
        model_fit_number(fit, "gamma", g.gamma);
        model_fit_number(fit, "log_likelihood", loglik);
        model_fit_number(fit, "customers", (double)repeaters);
    }
    return rc;
}

const model_kind model_gamma_gamma = { "gammagamma", outputs, compute, NULL };
