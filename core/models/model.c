/*
 * model.c — dispatching model outputs to the C model kinds (model.h), and
 * what the kinds share: settings, features, the fit record.
 *
 * Uses: model.h, catalog.h (the models a script defines), plan_memo.h (the
 * outputs and fits of an evaluation), dict.h.
 */
#include "models/model.h"

#include "plan/catalog.h"
#include "plan/plan_memo.h"
#include "store/dict.h"
#include "store/schema.h"
#include "util/value.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const model_kind *const kinds[] = { &model_bgnbd,  &model_clv,    &model_gamma_gamma,
                                           &model_hclust, &model_kmeans, &model_logreg };

static const model_kind *find_kind(const char *kind)
{
    for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(kinds[i]->kind, kind) == 0)
            return kinds[i];
    }
    return NULL;
}

int model_catalog_outputs(catalog *cat)
{
    const tree *models = cat->models;
    for (size_t i = 0; models && i < models->nfields; i++) {
        const model_kind *k = find_kind(tree_get_string(models->fields[i].value, "kind"));
        for (const char *const *o = k ? k->outputs : NULL; o && *o; o++) {
            char name[512];
            snprintf(name, sizeof name, "%s.%s", models->fields[i].key, *o);
            if (catalog_add_output(cat, name) != 0)
                return SEGRT_ENOMEM;
        }
    }
    return SEGRT_OK;
}

/* The kind computing output name ("model.output"), and the model's definition; NULL: none. */
static const model_kind *kind_of_output(const catalog *cat, const char *name, const tree **model)
{
    const char *dot = strrchr(name, '.');
    *model = dot ? tree_get_len(cat->models, name, (size_t)(dot - name)) : NULL;
    const model_kind *k = *model && (*model)->kind == TREE_TABLE
                              ? find_kind(tree_get_string(*model, "kind"))
                              : NULL;
    for (const char *const *o = k ? k->outputs : NULL; o && *o; o++) {
        if (strcmp(*o, dot + 1) == 0)
            return k;
    }
    return NULL;
}

/* Compute every output of the model (name: "model.output") into the memos; the fit with the first. */
static int compute_model(plan_ctx *cx, const model_kind *kind, const tree *model, const char *name)
{
    size_t n = 0;
    while (kind->outputs[n])
        n++;
    vec *outs = calloc(n, sizeof *outs);
    model_fit fit = { tree_doc_new(), NULL, 0 };
    if (fit.doc)
        fit.root = tree_new(fit.doc, TREE_TABLE);
    int rc = outs && fit.root ? SEGRT_OK : store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK)
        rc = kind->compute(cx, model, outs, &fit);
    if (rc == SEGRT_OK && fit.failed)
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory recording a model's fit");
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; outs && i < n; i++) {
        if (rc != SEGRT_OK) {
            vec_free(&outs[i]);
            continue;
        }
        char full[256];
        snprintf(full, sizeof full, "%.*s.%s", (int)(dot - name), name, kind->outputs[i]);
        plan_memo_entry *m = plan_memo_set(cx->memo, full, &outs[i]);
        if (m == NULL)
            rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
        else if (i == 0) { /* the fit goes with the first output */
            tree_doc_free(m->fit);
            m->fit = fit.doc;
            m->fit_root = fit.root;
            fit.doc = NULL;
        }
    }
    tree_doc_free(fit.doc);
    free(outs);
    return rc;
}

/* plan_memo_fill_fn of a model output: the model, all its outputs at once. */
static int fill_output(plan_ctx *cx, const pnode *p)
{
    const tree *model;
    const model_kind *kind = kind_of_output(cx->cat, p->str, &model);
    return kind ? compute_model(cx, kind, model, p->str)
                : plan_fail(cx, p->loc, "unknown model output '%s'", p->str);
}

int model_eval_output(plan_ctx *cx, const pnode *p, vec *out)
{
    return plan_memo_value(cx, p->str, fill_output, p, out);
}

/* ------------------------------------------------------------ shared by the kinds */

double model_number(const tree *model, const char *key, double dflt)
{
    double v;
    return tree_tonumber(tree_get(model, key), &v) ? v : dflt;
}

/* Set the fit record's key to v (a failure is remembered in fit->failed). */
static void fit_put(model_fit *fit, const char *key, const tree *v)
{
    if (v == NULL || tree_put(fit->doc, fit->root, key, strlen(key), v) != 0)
        fit->failed = 1;
}

void model_fit_number(model_fit *fit, const char *key, double v)
{
    fit_put(fit, key, tree_new_number(fit->doc, v));
}

void model_fit_array(model_fit *fit, const char *key, const double *v, size_t n)
{
    tree *list = tree_new(fit->doc, TREE_TABLE);
    for (size_t i = 0; list && i < n; i++) {
        tree *x = tree_new_number(fit->doc, v[i]);
        if (x == NULL || tree_push(fit->doc, list, x) != 0)
            list = NULL;
    }
    fit_put(fit, key, list);
}

int model_event_type(plan_ctx *cx, const tree *model, uint32_t *type)
{
    const char *name = tree_get_string(model, "event");
    if (name == NULL)
        name = "purchase";
    int rc = dict_find(cx->s, cx->txn, FIELD_EV_TYPE, name, strlen(name), type);
    if (rc == SEGRT_OK && *type == 0)
        rc = plan_fail(cx, tree_get_string(model, "loc"), "the store has no '%s' events for the model",
                       name);
    return rc;
}

/* A value in the plan's domain as a plain double: numbers in units, times and durations in days. */
static double as_double(vtype t, int64_t v)
{
    if (v == VALUE_MISSING)
        return NAN;
    if (t == VT_TIME || t == VT_DUR)
        return (double)v / 86400.0;
    if (t == VT_BOOL)
        return (double)v;
    return (double)v / VALUE_NUMBER_SCALE;
}

int model_features(plan_ctx *cx, const tree *model, const char *key, double **x, size_t *d)
{
    const tree *list = tree_get(model, key);
    *x = NULL;
    *d = tree_count(list);
    int rc = SEGRT_OK;
    if (*d == 0)
        return plan_fail(cx, tree_get_string(model, "loc"), "model needs %s = { value, ... }", key);
    size_t n = cx->ncontacts;
    *x = malloc((n ? n : 1) * *d * sizeof **x);
    if (*x == NULL)
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    for (size_t j = 0; j < *d && rc == SEGRT_OK; j++) {
        pnode *plan = plan_compile_value(cx, tree_item(list, j));
        vec v = { 0 };
        rc = plan ? plan_eval_value(cx, plan, &v) : SEGRT_ELUA;
        for (size_t i = 0; i < n && rc == SEGRT_OK; i++)
            (*x)[i * *d + j] = bitset_test(cx->live, (uint32_t)i) ? as_double(plan->type, vec_at(&v, i))
                                                                  : NAN;
        vec_free(&v);
        plan_free(plan);
    }
    if (rc != SEGRT_OK) {
        free(*x);
        *x = NULL;
    }
    return rc;
}

/* ------------------------------------------------------------ summary */

static int skipped(const char *key, const char *const *skip)
{
    for (; skip && *skip; skip++) {
        if (strcmp(*skip, key) == 0)
            return 1;
    }
    return 0;
}

/* What the model fitted, keys in byte order, so summaries are stable. */
void model_fit_print(const tree *fit, const char *const *skip, FILE *f)
{
    fprintf(f, "\n");
    for (size_t i = 0; i < fit->nfields; i++) {
        const tree *v = fit->fields[i].value;
        double x = 0;
        if (skipped(fit->fields[i].key, skip))
            continue;
        fprintf(f, "  %-24s", fit->fields[i].key);
        if (v->kind == TREE_TABLE) {
            for (size_t j = 0; j < tree_count(v); j++) {
                x = 0;
                tree_tonumber(tree_item(v, j), &x);
                fprintf(f, " %12.6g", x);
            }
        } else {
            tree_tonumber(v, &x);
            fprintf(f, " %.6g", x);
        }
        fprintf(f, "\n");
    }
}

int model_kind_summary(plan_ctx *cx, const tree *model, FILE *f)
{
    const model_kind *k = find_kind(tree_get_string(model, "kind"));
    if (k == NULL) /* a model written in Lua */
        return SEGRT_OK;
    char first[256];
    snprintf(first, sizeof first, "%s.%s", tree_get_string(model, "name"), k->outputs[0]);
    plan_memo_entry *m = plan_memo_get(cx->memo, first);
    int rc = m ? SEGRT_OK : store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK && !m->done) /* fitting it fills its fit record */
        rc = compute_model(cx, k, model, first);
    if (rc == SEGRT_OK && (m = plan_memo_get(cx->memo, first)) != NULL && m->fit_root) {
        if (k->print)
            k->print(m->fit_root, f);
        else
            model_fit_print(m->fit_root, NULL, f);
    }
    return rc;
}

int64_t model_micro(double v)
{
    return isfinite(v) ? (int64_t)llround(v * VALUE_NUMBER_SCALE) : VALUE_MISSING;
}
