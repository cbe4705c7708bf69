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
 * calibrate (boolean, default false): map the regression's output to p by
 * isotonic regression (isotonic.h) on the training contacts. A label that
 * holds for none or all of the training contacts leaves the model
 * untrained: p is missing for everyone (see train()).
 *
 * The fit record holds, on the held-out contacts (features at the cut-off,
 * label at NOW), the AUC (logreg.h), and the base rate, Brier score,
 * top-decile lift and reliability table by deciles of p (calib.h); when
 * calibrating, also the AUC and Brier score of the uncalibrated output. The
 * maximum-likelihood fit makes the mean of its output over the training
 * contacts equal their rate of the label (the intercept is not penalised),
 * but a feature whose effect on the log-odds is not linear leaves the
 * extremes off (seen on the demo data: the contacts with no activity
 * predicted too high, the most active too low); the isotonic map corrects
 * that; it keeps the order of the contacts except that those in one of
 * its blocks tie (the AUC may drop a little, printed beside the old one).
 * p at NOW assumes the next horizon behaves like the last one.
 */
#include "models/calib.h"
#include "models/isotonic.h"
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

/* What a fit makes: the regression and, when calibrating, its map to probabilities. */
typedef struct fitted {
    logreg_model m;
    isotonic iso; /* n = 0: not calibrated */
} fitted;

/* The regression's output for row; NAN when the model was not trained (d = 0). */
static double raw_probability(const fitted *f, const double *row)
{
    return f->m.d ? logreg_predict(&f->m, row) : NAN;
}

static double probability(const fitted *f, const double *row)
{
    double raw = raw_probability(f, row);
    return f->iso.n ? isotonic_apply(&f->iso, raw) : raw;
}

/* The probabilities of the rows of x (n×d) where keep[i] is keep_value, else NAN. */
static double *probabilities(const fitted *f, const double *x, size_t n, size_t d, int raw,
                             const uint8_t *keep, uint8_t keep_value)
{
    double *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; p && i < n; i++) {
        const double *row = x + i * d;
        p[i] = keep[i] != keep_value ? NAN : raw ? raw_probability(f, row) : probability(f, row);
    }
    return p;
}

/*
 * Train on x (features at the cut-off; rows not to train on hold a NAN)
 * and y, then, when the model calibrates, fit the isotonic map from the
 * raw probabilities to the labels over the same rows: the regression has
 * d + 1 parameters, so its scores on the rows it was fitted to are as
 * honest as on others, and no contact is taken from training for it.
 *
 * When the label holds for none or all of the training contacts (a small
 * store, a rare label) there is nothing to learn: the model stays
 * untrained (f->m.d = 0), every p is missing, and that is no error, so a
 * pack with a propensity still runs on any store (segrt demo runs every
 * bundled pack, on as few as 30 contacts).
 */
static int train(const tree *model, const double *x, const uint8_t *y, size_t n, size_t d,
                 const uint8_t *in_fit, fitted *f)
{
    double lambda = model_number(model, "lambda", LOGREG_DEFAULT_LAMBDA);
    int rc = logreg_fit(x, y, n, d, lambda, &f->m);
    if (rc == SEGRT_EINVAL) /* the settings were checked: one class only */
        return SEGRT_OK;
    if (rc != SEGRT_OK || !tree_toboolean(tree_get(model, "calibrate")))
        return rc;
    double *raw = probabilities(f, x, n, d, 1, in_fit, 1);
    rc = raw ? isotonic_fit(raw, y, n, &f->iso) : SEGRT_ENOMEM;
    free(raw);
    return rc;
}

/* Measure the model on the held-out contacts: features at the cut-off (x), labels y. */
static int measure(const fitted *f, const double *x, const uint8_t *y, size_t n, size_t d,
                   const uint8_t *holdout, model_fit *fit)
{
    double *p = probabilities(f, x, n, d, 0, holdout, 1);
    double *raw = f->iso.n ? probabilities(f, x, n, d, 1, holdout, 1) : NULL; /* for comparison */
    calib_report cal, cal_raw;
    int rc = p && (raw || !f->iso.n) ? calib_evaluate(p, y, n, &cal) : SEGRT_ENOMEM;
    if (rc == SEGRT_OK && raw)
        rc = calib_evaluate(raw, y, n, &cal_raw);
    if (rc == SEGRT_OK) {
        model_fit_number(fit, "auc_holdout", logreg_auc(p, y, n));
        if (raw)
            model_fit_number(fit, "auc_holdout_uncalibrated", logreg_auc(raw, y, n));
        model_fit_number(fit, "base_rate_holdout", cal.base_rate);
        model_fit_number(fit, "brier_holdout", cal.brier);
        if (raw)
            model_fit_number(fit, "brier_holdout_uncalibrated", cal_raw.brier);
        model_fit_number(fit, "lift_top_decile_holdout", cal.lift_top);
        double count[CALIB_BINS];
        for (size_t b = 0; b < CALIB_BINS; b++)
            count[b] = (double)cal.count[b];
        model_fit_array(fit, "reliability_contacts", count, CALIB_BINS);
        model_fit_array(fit, "reliability_mean_p", cal.mean_score, CALIB_BINS);
        model_fit_array(fit, "reliability_observed", cal.observed, CALIB_BINS);
    }
    free(p);
    free(raw);
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
    double *x = NULL, *now_x = NULL;
    uint8_t *y = malloc(n ? n : 1), *holdout = malloc(n ? n : 1), *in_fit = malloc(n ? n : 1);
    fitted f = { 0 };
    int rc = y && holdout && in_fit ? SEGRT_OK : SEGRT_ENOMEM;
    int64_t cutoff = cx->now - (int64_t)llround(horizon * 86400);
    if (rc == SEGRT_OK)
        rc = features_at(cx, model, cutoff, &x, &d);
    if (rc == SEGRT_OK)
        rc = labels(cx, model, y);
    if (rc == SEGRT_OK)
        rc = logreg_holdout_split(n, frac, seed, holdout);
    /* training rows: live, not held out; while training, the others hold a
     * NAN first feature (it leaves a row out of the fit), its value kept in col0 */
    size_t n_hold = 0, n_fit = 0, n_fit_pos = 0;
    double *col0 = NULL;
    if (rc == SEGRT_OK && (col0 = malloc((n ? n : 1) * sizeof *col0)) == NULL)
        rc = SEGRT_ENOMEM;
    for (size_t i = 0; rc == SEGRT_OK && i < n; i++) {
        int live = bitset_test(cx->live, (uint32_t)i);
        n_hold += (size_t)(live && holdout[i]);
        in_fit[i] = live && !holdout[i];
        n_fit += in_fit[i];
        n_fit_pos += (size_t)(in_fit[i] && y[i]);
        holdout[i] = live && holdout[i];
        col0[i] = x[i * d];
        if (!in_fit[i])
            x[i * d] = NAN;
    }
    if (rc == SEGRT_OK)
        rc = train(model, x, y, n, d, in_fit, &f);
    for (size_t i = 0; col0 && i < n; i++)
        x[i * d] = col0[i];
    free(col0);
    if (rc == SEGRT_OK)
        rc = measure(&f, x, y, n, d, holdout, fit);
    if (rc == SEGRT_OK) /* scores at NOW */
        rc = model_features(cx, model, "features", &now_x, &d_now);
    for (size_t o = 0; o < 2 && rc == SEGRT_OK; o++) {
        if ((outs[o].v = malloc((n ? n : 1) * sizeof *outs[o].v)) == NULL)
            rc = SEGRT_ENOMEM;
    }
    for (size_t i = 0; rc == SEGRT_OK && i < n; i++) {
        outs[0].v[i] = model_micro(probability(&f, now_x + i * d));
        outs[1].v[i] = bitset_test(cx->live, (uint32_t)i) ? model_micro(holdout[i]) : VALUE_MISSING;
    }
    if (rc == SEGRT_OK) {
        if (f.m.d) { /* trained */
            model_fit_number(fit, "intercept", f.m.intercept);
            model_fit_array(fit, "coefficients", f.m.coef, d);
            model_fit_array(fit, "coefficients_standardised", f.m.coef_std, d);
        }
        model_fit_number(fit, "calibration_blocks", (double)f.iso.blocks);
        /* untrained: what there was to train on (the rows with every feature, when trained) */
        model_fit_number(fit, "trained_contacts", (double)(f.m.d ? f.m.n_used : n_fit));
        model_fit_number(fit, "trained_positives", (double)(f.m.d ? f.m.n_pos : n_fit_pos));
        model_fit_number(fit, "holdout_contacts", (double)n_hold);
        model_fit_number(fit, "horizon_days", horizon);
    }
    logreg_model_free(&f.m);
    isotonic_free(&f.iso);
    free(x);
    free(now_x);
    free(y);
    free(holdout);
    free(in_fit);
    if (rc == SEGRT_ENOMEM)
        return store_fail(cx->s, rc, "out of memory training the model");
    return rc;
}

/* The reliability table as a table: a row per decile of p. */
static const char *const table_keys[] = { "reliability_contacts", "reliability_mean_p",
                                          "reliability_observed", NULL };

static void print(const tree *fit, FILE *f)
{
    model_fit_print(fit, table_keys, f);
    const tree *col[3];
    for (size_t k = 0; k < 3; k++)
        col[k] = tree_get(fit, table_keys[k]);
    if (col[0] == NULL)
        return;
    fprintf(f, "\n  reliability on the held-out contacts, by decile of p:\n  %-8s %10s %10s %10s\n",
            "decile", "contacts", "mean_p", "observed");
    for (size_t b = 0; b < tree_count(col[0]); b++) {
        double v[3] = { 0, NAN, NAN };
        for (size_t k = 0; k < 3; k++)
            tree_tonumber(tree_item(col[k], b), &v[k]);
        if (v[0] > 0)
            fprintf(f, "  %-8zu %10.0f %10.6f %10.6f\n", b + 1, v[0], v[1], v[2]);
        else
            fprintf(f, "  %-8zu %10d %10s %10s\n", b + 1, 0, "-", "-");
    }
}

const model_kind model_logreg = { "logreg", outputs, compute, print };
