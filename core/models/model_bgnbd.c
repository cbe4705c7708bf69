/*
 * model_bgnbd.c — the "bgnbd" model kind: the customer-base summary of one
 * event type (cba.h), the BG/NBD fit (bgnbd.h) and, per contact, P(alive)
 * and the expected purchases in the next `horizon` units.
 *
 * Settings: event (default "purchase"), unit_days (default 7), obs_end
 * ("YYYY-MM-DDTHH:MM:SSZ", default NOW), horizon (units, default 52).
 * Outputs (missing for contacts without a purchase): frequency, recency, T,
 * monetary, p_alive, expected.
 */
#include "models/bgnbd.h"
#include "models/model.h"
#include "store/projection.h"
#include "util/value.h"

#include <math.h>
#include <stdlib.h>

static const char *const outputs[] = { "frequency", "recency", "T", "monetary", "p_alive",
                                       "expected", NULL };
enum { O_FREQUENCY, O_RECENCY, O_T, O_MONETARY, O_P_ALIVE, O_EXPECTED, O_COUNT };

static int64_t micro(double v)
{
    return isfinite(v) ? (int64_t)llround(v * VALUE_NUMBER_SCALE) : VALUE_MISSING;
}

static int obs_end_of(plan_ctx *cx, const tree *model, int64_t *end)
{
    const char *text = tree_get_string(model, "obs_end");
    *end = cx->now;
    if (text && segrt_time_parse(text, end) != SEGRT_OK)
        return plan_fail(cx, tree_get_string(model, "loc"), "obs_end '%s' is not "
                         "YYYY-MM-DDTHH:MM:SSZ", text);
    return SEGRT_OK;
}

static int compute(plan_ctx *cx, const tree *model, vec *outs, model_fit *fit)
{
    double unit_days = model_number(model, "unit_days", 7);
    double horizon = model_number(model, "horizon", 52);
    uint32_t type;
    int64_t end;
    int rc = model_event_type(cx, model, &type);
    if (rc == SEGRT_OK)
        rc = obs_end_of(cx, model, &end);
    if (rc != SEGRT_OK)
        return rc;
    if (!(unit_days > 0))
        return plan_fail(cx, "bgnbd", "unit_days must be positive");
    projection_set ev;
    if ((rc = projection_get(cx->s, cx->txn, type, &ev)) != SEGRT_OK)
        return rc;
    size_t n = cx->ncontacts;
    cba_row *rows = calloc(n ? n : 1, sizeof *rows);
    for (int o = 0; o < O_COUNT; o++)
        outs[o].v = malloc((n ? n : 1) * sizeof *outs[o].v);
    rc = rows ? SEGRT_OK : SEGRT_ENOMEM;
    for (size_t k = 0; k < ev.nparts && rc == SEGRT_OK; k++) {
        const projection *part = &ev.part[k];
        for (size_t j = 0; j < part->nspan && rc == SEGRT_OK; j++) {
            size_t lo = part->span[j].lo, m = part->span[j].hi - lo;
            rc = cba_summary_add(part->ord + lo, part->ts + lo, part->amount + lo, m, (uint32_t)n, end,
                                 (int64_t)llround(unit_days * 86400), rows);
        }
    }
    projection_release(&ev);
    for (size_t i = 0; i < n && rc == SEGRT_OK; i++) /* fitted over the live contacts only */
        rows[i].has_purchase &= bitset_test(cx->live, (uint32_t)i);
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
        outs[O_FREQUENCY].v[i] = has ? micro(r->frequency) : VALUE_MISSING;
        outs[O_RECENCY].v[i] = has ? micro(r->recency) : VALUE_MISSING;
        outs[O_T].v[i] = has ? micro(r->T) : VALUE_MISSING;
        outs[O_MONETARY].v[i] = has ? micro(r->monetary) : VALUE_MISSING;
        outs[O_P_ALIVE].v[i] = has ? micro(bgnbd_p_alive(&p, r->frequency, r->recency, r->T))
                                   : VALUE_MISSING;
        outs[O_EXPECTED].v[i] =
            has ? micro(bgnbd_expected(&p, horizon, r->frequency, r->recency, r->T)) : VALUE_MISSING;
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

const model_kind model_bgnbd = { "bgnbd", outputs, compute };
