/*
 * model_bgnbd.c — the "bgnbd" model kind: the customer-base summary of one
 * event type (cba.h), the BG/NBD fit (bgnbd.h) and, per contact, P(alive)
 * and the expected purchases in the next `horizon` units.
 *
 * Settings: those of the summary (model_cba.c: event, unit_days, obs_end),
 * horizon (units, default 52).
 * Outputs (missing for contacts without a purchase): frequency, recency, T,
 * monetary, p_alive, expected.
 */
#include "models/bgnbd.h"
#include "models/model.h"
#include "util/value.h"

#include <math.h>
#include <stdlib.h>

static const char *const outputs[] = { "frequency", "recency", "T", "monetary", "p_alive",
                                       "expected", NULL };
enum { O_FREQUENCY, O_RECENCY, O_T, O_MONETARY, O_P_ALIVE, O_EXPECTED, O_COUNT };

static int compute(plan_ctx *cx, const tree *model, vec *outs, model_fit *fit)
{
    double horizon = model_number(model, "horizon", 52), unit_days;
    cba_row *rows;
    int rc = model_cba_rows(cx, model, "bgnbd", &rows, &unit_days);
    if (rc != SEGRT_OK)
        return rc;
    size_t n = cx->ncontacts;
    for (int o = 0; o < O_COUNT; o++)
        outs[o].v = malloc((n ? n : 1) * sizeof *outs[o].v);
    for (int o = 0; o < O_COUNT && rc == SEGRT_OK; o++)
        rc = outs[o].v ? SEGRT_OK : SEGRT_ENOMEM;
    bgnbd_params p;
    double loglik = 0;
    if (rc == SEGRT_OK && (rc = bgnbd_fit(rows, n, &p, &loglik)) != SEGRT_OK)
        rc = plan_fail(cx, "bgnbd", "the BG/NBD model cannot be fitted to these purchases "
                       "(too few repeat buyers?)");
    size_t buyers = 0;
    for (size_t i = 0; i < n && rc == SEGRT_OK; i++) {
        const cba_row *r = &rows[i];
        int has = r->has_purchase;
        buyers += (size_t)has;
        outs[O_FREQUENCY].v[i] = has ? model_micro(r->frequency) : VALUE_MISSING;
        outs[O_RECENCY].v[i] = has ? model_micro(r->recency) : VALUE_MISSING;
        outs[O_T].v[i] = has ? model_micro(r->T) : VALUE_MISSING;
        outs[O_MONETARY].v[i] = has ? model_micro(r->monetary) : VALUE_MISSING;
        outs[O_P_ALIVE].v[i] = has ? model_micro(bgnbd_p_alive(&p, r->frequency, r->recency, r->T))
                                   : VALUE_MISSING;
        outs[O_EXPECTED].v[i] =
            has ? model_micro(bgnbd_expected(&p, horizon, r->frequency, r->recency, r->T)) : VALUE_MISSING;
    }
    free(rows);
    if (rc == SEGRT_ENOMEM)
        return store_fail(cx->s, rc, "out of memory fitting BG/NBD");
    if (rc == SEGRT_OK) {
        model_fit_number(fit, "r", p.r);
        model_fit_number(fit, "alpha", p.alpha);
        model_fit_number(fit, "a", p.a);
        model_fit_number(fit, "b", p.b);
        model_fit_number(fit, "log_likelihood", loglik);
        model_fit_number(fit, "customers", (double)buyers);
        model_fit_number(fit, "unit_days", unit_days);
        model_fit_number(fit, "horizon_units", horizon);
    }
    return rc;
}

const model_kind model_bgnbd = { "bgnbd", outputs, compute, NULL };
