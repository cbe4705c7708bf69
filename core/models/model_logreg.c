/*
 * model_logreg.c — the "logreg" model kind: churn / propensity. A logistic
 * regression (logreg.h) learns, at a past cut-off NOW - horizon, which
 * feature values precede the label (a predicate evaluated at NOW, e.g. "no
 * purchase in the last 90 days"), then scores every contact on its features
 * at NOW.
 *
 * Settings: features = { value, ... }, label = predicate, horizon_days,
 * holdout (fraction kept out of training to measure the model, default
 * 0.2), seed (default 1), lambda (L2 penalty, default LOGREG_DEFAULT_LAMBDA).
 * Outputs: p, the probability of the label (missing when a feature is);
 * holdout, 1 for a contact kept out of training, 0 for one trained on.
 * Features see the store as of each NOW (events after it are ignored); they
 * must not read other scores or segments, which are evaluated at NOW only.
 *
 * The fit record holds, on the held-out contacts (features at the cut-off,
 * label at NOW), the AUC (logreg.h), and the base rate, Brier score,
 * top-decile lift and reliability table by deciles of p (calib.h). The
 * maximum-likelihood fit makes the mean of p over the training contacts
 * equal their rate of the label (the intercept is not penalised); the
 * table shows whether p is calibrated beyond that on contacts it did not
 * see. p at NOW assumes the next horizon behaves like the last one.
 */
#include "models/calib.h"
#include "models/logreg.h"
#include "models/model.h"
#include "util/value.h"

#include <math.h>
#include <stdlib.h>

static const char *const outputs[] = { "p", "holdout", NULL };

/* The label predicate over the live contacts at NOW, as 0/1 per ordinal. */
static int labels(plan_ctx *cx, const tree *model, uint8_t *y)
{
    pnode *plan = plan_compile(cx, tree_get(model, "label"), FRAME_CONTACTS);
    bitset bits;
    int rc = plan ? plan_eval_pred(cx, plan, &bits) : SEGRT_ELUA;
    plan_free(plan);
    for (uint32_t i = 0; rc == SEGRT_OK && i < cx->ncontacts; i++)
        y[i] = (uint8_t)bitset_test(&bits, i);
    if (rc == SEGRT_OK)
        bitset_free(&bits);
    return rc;
}

/* Features at a past NOW: the plans are compiled and evaluated as of then. */
static int features_at(plan_ctx *cx, const tree *model, int64_t when, double **x, size_t *d)
{
    int64_t now = cx->now;
    cx->now = when;
    int rc = model_features(cx, model, "features", x, d);
    cx->now = now;
    return rc;
}

static int compute(plan_ctx *cx, const tree *model, vec *outs, model_fit *fit)
{
    double horizon = model_number(model, "horizon_days", 90);
    double frac = model_number(model, "holdout", 0.2);
    uint64_t seed = (uint64_t)model_number(model, "seed", 1);
    double lambda = model_number(model, "lambda", LOGREG_DEFAULT_LAMBDA);
    if (!(horizon > 0 && horizon < 36500))
        return plan_fail(cx, "logreg", "horizon must be a duration such as seg.days(90)");
    if (!(frac > 0 && frac < 1))
        return plan_fail(cx, "logreg", "holdout must be a fraction between 0 and 1, such as 0.2");
    if (!(lambda >= 0 && isfinite(lambda)))
        return plan_fail(cx, "logreg", "lambda must be a number >= 0");
    size_t n = cx->ncontacts, d = 0, d_now = 0;
    double *train = NULL, *now_x = NULL;
    uint8_t *y = malloc(n ? n : 1), *holdout = malloc(n ? n : 1);
    logreg_model m = { 0 };
    int rc = y && holdout ? SEGRT_OK : SEGRT_ENOMEM;
    int64_t cutoff = cx->now - (int64_t)llround(horizon * 86400);
    if (rc == SEGRT_OK)
        rc = features_at(cx, model, cutoff, &train, &d);
    if (rc == SEGRT_OK)
        rc = labels(cx, model, y);
    if (rc == SEGRT_OK)
        rc = logreg_holdout_split(n, frac, seed, holdout);
    /* training rows: live, not held out; the others get NAN features */
    size_t n_hold = 0;
    for (size_t i = 0; rc == SEGRT_OK && i < n; i++) {
        int live = bitset_test(cx->live, (uint32_t)i);
        n_hold += (size_t)(live && holdout[i]);
        if (!live || holdout[i])
            train[i * d] = NAN; /* a NAN feature leaves the row out of the fit */
    }
    if (rc == SEGRT_OK && (rc = logreg_fit(train, y, n, d, lambda, &m)) != SEGRT_OK)
        rc = plan_fail(cx, "logreg", "the model cannot be trained: the label must hold for some "
                       "training contacts and not for others");
    double holdout_auc = NAN;
    calib_report cal = { 0 };
    if (rc == SEGRT_OK) { /* the held-out contacts, at the cut-off */
        double *hold_score = malloc((n ? n : 1) * sizeof *hold_score);
        rc = hold_score ? features_at(cx, model, cutoff, &now_x, &d_now) : SEGRT_ENOMEM;
        for (size_t i = 0; rc == SEGRT_OK && i < n; i++)
            hold_score[i] = holdout[i] && bitset_test(cx->live, (uint32_t)i)
                                ? logreg_predict(&m, now_x + i * d)
                                : NAN;
        if (rc == SEGRT_OK)
            holdout_auc = logreg_auc(hold_score, y, n);
        if (rc == SEGRT_OK)
            rc = calib_evaluate(hold_score, y, n, &cal);
        free(hold_score);
        free(now_x);
        now_x = NULL;
    }
    if (rc == SEGRT_OK) /* scores at NOW */
        rc = model_features(cx, model, "features", &now_x, &d_now);
    for (size_t o = 0; o < 2 && rc == SEGRT_OK; o++) {
        if ((outs[o].v = malloc((n ? n : 1) * sizeof *outs[o].v)) == NULL)
            rc = SEGRT_ENOMEM;
    }
    for (size_t i = 0; rc == SEGRT_OK && i < n; i++) {
        double p = logreg_predict(&m, now_x + i * d);
        outs[0].v[i] = isfinite(p) ? (int64_t)llround(p * VALUE_NUMBER_SCALE) : VALUE_MISSING;
        outs[1].v[i] = bitset_test(cx->live, (uint32_t)i) ? model_micro(holdout[i]) : VALUE_MISSING;
    }
    if (rc == SEGRT_OK) {
        model_fit_number(fit, "auc_holdout", holdout_auc);
        model_fit_number(fit, "base_rate_holdout", cal.base_rate);
        model_fit_number(fit, "brier_holdout", cal.brier);
        model_fit_number(fit, "lift_top_decile_holdout", cal.lift_top);
        double count[CALIB_BINS];
        for (size_t b = 0; b < CALIB_BINS; b++)
            count[b] = (double)cal.count[b];
        model_fit_array(fit, "reliability_contacts", count, CALIB_BINS);
        model_fit_array(fit, "reliability_mean_p", cal.mean_score, CALIB_BINS);
        model_fit_array(fit, "reliability_observed", cal.observed, CALIB_BINS);
        model_fit_number(fit, "intercept", m.intercept);
        model_fit_array(fit, "coefficients", m.coef, d);
        model_fit_array(fit, "coefficients_standardised", m.coef_std, d);
        model_fit_number(fit, "trained_contacts", (double)m.n_used);
        model_fit_number(fit, "trained_positives", (double)m.n_pos);
        model_fit_number(fit, "holdout_contacts", (double)n_hold);
        model_fit_number(fit, "horizon_days", horizon);
    }
    logreg_model_free(&m);
    free(train);
    free(now_x);
    free(y);
    free(holdout);
    if (rc == SEGRT_ENOMEM)
        return store_fail(cx->s, rc, "out of memory training the model");
    return rc;
}

const model_kind model_logreg = { "logreg", outputs, compute };
