/*
 * model_clv.c — the "clv" model kind: customer lifetime value in money,
 * the discounted sum over the next `months` of the purchases a BG/NBD model
 * expects in each month times the spend a Gamma-Gamma model expects per
 * purchase (as lifetimes' customer_lifetime_value: a month is 30 days, month
 * i discounted by (1 + discount)^i), rounded to the cent.
 *
 * Settings: bgnbd and spend, the names of the two models (their summary
 * settings, model_cba.c, are the bgnbd model's); months (default 12);
 * discount (monthly, default 0.01). Output: value (missing for contacts
 * without a purchase). Fitted: months, discount, customers.
 */
#include "models/bgnbd.h"
#include "models/gamma_gamma.h"
#include "models/model.h"
#include "plan/catalog.h"
#include "util/value.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const outputs[] = { "value", NULL };

/* The model named by setting key, which must be of kind; NULL after an error. */
static const tree *model_of(plan_ctx *cx, const tree *model, const char *key, const char *kind)
{
    const char *name = tree_get_string(model, key);
    const tree *m = name ? catalog_model(cx->cat, name) : NULL;
    const char *k = m ? tree_get_string(m, "kind") : NULL;
    if (k == NULL || strcmp(k, kind) != 0) {
        plan_fail(cx, tree_get_string(model, "loc"), "clv: %s must name a %s model of the script "
                  "(%s)", key, kind, name ? name : "none given");
        return NULL;
    }
    return m;
}

/* One contact's value: months of expected purchases times the expected spend, discounted. */
static double value_of(const bgnbd_params *b, double spend, const cba_row *r, double unit_days,
                       int months, double discount)
{
    double units = 30.0 / unit_days, v = 0, before = 0;
    for (int i = 1; i <= months; i++) {
        double upto = bgnbd_expected(b, units * i, r->frequency, r->recency, r->T);
        v += spend * (upto - before) / pow(1 + discount, i);
        before = upto;
    }
    return round(v * 100) / 100; /* to the cent */
}

static int compute(plan_ctx *cx, const tree *model, vec *outs, model_fit *fit)
{
    const tree *bg = model_of(cx, model, "bgnbd", "bgnbd");
    if (bg == NULL || model_of(cx, model, "spend", "gammagamma") == NULL)
        return SEGRT_ELUA;
    int months = (int)model_number(model, "months", 12);
    double discount = model_number(model, "discount", 0.01), unit_days;
    if (months < 1 || months > 1200 || !(discount >= 0))
        return plan_fail(cx, tree_get_string(model, "loc"), "clv: months must be 1 to 1200 and "
                         "discount not negative");
    cba_row *rows;
    int rc = model_cba_rows(cx, bg, "clv", &rows, &unit_days);
    if (rc != SEGRT_OK)
        return rc;
    size_t n = cx->ncontacts, customers = 0;
    bgnbd_params b;
    gamma_gamma_params g;
    outs[0].v = malloc((n ? n : 1) * sizeof *outs[0].v);
    rc = outs[0].v ? SEGRT_OK : store_fail(cx->s, SEGRT_ENOMEM, "out of memory fitting clv");
    if (rc == SEGRT_OK && (bgnbd_fit(rows, n, &b, NULL) != SEGRT_OK ||
                           gamma_gamma_fit(rows, n, &g, NULL) != SEGRT_OK))
        rc = plan_fail(cx, tree_get_string(model, "loc"), "clv: BG/NBD and Gamma-Gamma cannot "
                       "be fitted to these purchases (too few repeat buyers?)");
    for (size_t i = 0; i < n && rc == SEGRT_OK; i++) {
        const cba_row *r = &rows[i];
        customers += (size_t)r->has_purchase;
        double spend = gamma_gamma_expected(&g, r->frequency, r->monetary);
        outs[0].v[i] = r->has_purchase
                           ? model_micro(value_of(&b, spend, r, unit_days, months, discount))
                           : VALUE_MISSING;
    }
    free(rows);
    if (rc == SEGRT_OK) {
        model_fit_number(fit, "months", months);
        model_fit_number(fit, "discount", discount);
        model_fit_number(fit, "customers", (double)customers);
    }
    return rc;
}

const model_kind model_clv = { "clv", outputs, compute, NULL };
