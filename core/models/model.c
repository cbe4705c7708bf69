/*
 * model.c — dispatching model outputs to the C model kinds (model.h), and
 * what the kinds share: settings, features, the fit record.
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

static const model_kind *const kinds[] = { &model_bgnbd, &model_kmeans, &model_logreg };

/* Push the model table named by the part of name before its last dot; its kind, or NULL. */
static const model_kind *push_model(segrt_script *sc, const char *name, const char **output)
{
    lua_State *L = sc->L;
    const char *dot = strrchr(name, '.');
    script_push_registry(sc, "models");
    if (dot == NULL) {
        lua_pushnil(L);
    } else {
        lua_pushlstring(L, name, (size_t)(dot - name));
        lua_gettable(L, -2);
    }
    lua_remove(L, -2);
    if (!lua_istable(L, -1))
        return NULL;
    lua_getfield(L, -1, "kind");
    const char *kind = lua_tostring(L, -1);
    lua_pop(L, 1);
    for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(kinds[i]->kind, kind) != 0)
            continue;
        for (const char *const *o = kinds[i]->outputs; *o; o++) {
            if (strcmp(*o, dot + 1) == 0) {
                if (output)
                    *output = *o;
                return kinds[i];
            }
        }
    }
    return NULL;
}

int model_catalog_outputs(catalog *cat)
{
    const tree *models = cat->models;
    for (size_t i = 0; models && i < models->nfields; i++) {
        const char *kind = tree_get_string(models->fields[i].value, "kind");
        for (size_t j = 0; kind && j < sizeof kinds / sizeof kinds[0]; j++) {
            if (strcmp(kinds[j]->kind, kind) != 0)
                continue;
            for (const char *const *o = kinds[j]->outputs; *o; o++) {
                char name[512];
                snprintf(name, sizeof name, "%s.%s", models->fields[i].key, *o);
                if (catalog_add_output(cat, name) != 0)
                    return SEGRT_ENOMEM;
            }
        }
    }
    return SEGRT_OK;
}

/* Compute every output of the model at stack index model into the score memos. */
static int compute_model(plan_ctx *cx, const model_kind *kind, int model, const char *name)
{
    size_t n = 0;
    while (kind->outputs[n])
        n++;
    vec *outs = calloc(n, sizeof *outs);
    if (outs == NULL)
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    lua_State *L = script_of(cx)->L;
    lua_newtable(L); /* a fresh fit record */
    lua_setfield(L, model, "fit");
    int rc = kind->compute(cx, model, outs);
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; i < n; i++) {
        char full[256];
        snprintf(full, sizeof full, "%.*s.%s", (int)(dot - name), name, kind->outputs[i]);
        plan_memo_entry *m = rc == SEGRT_OK ? plan_memo_get(cx->memo, full) : NULL;
        if (rc == SEGRT_OK && m == NULL)
            rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
        if (m) {
            vec_free(&m->score);
            m->score = outs[i];
            m->done = 1;
        } else {
            vec_free(&outs[i]);
        }
    }
    free(outs);
    return rc;
}

int model_eval_output(plan_ctx *cx, const pnode *p, vec *out)
{
    segrt_script *sc = script_of(cx);
    plan_memo_entry *m = plan_memo_get(cx->memo, p->str);
    if (m == NULL)
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    if (!m->done) {
        int top = lua_gettop(sc->L);
        const model_kind *kind = push_model(sc, p->str, NULL);
        int rc = kind ? compute_model(cx, kind, lua_gettop(sc->L), p->str)
                      : plan_fail(cx, p->loc, "unknown model output '%s'", p->str);
        lua_settop(sc->L, top);
        if (rc != SEGRT_OK)
            return rc;
        if ((m = plan_memo_get(cx->memo, p->str)) == NULL)
            return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    }
    return plan_memo_copy(cx, &m->score, out);
}

/* ------------------------------------------------------------ shared by the kinds */

double model_number(lua_State *L, int model, const char *key, double dflt)
{
    lua_getfield(L, model, key);
    double v = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : dflt;
    lua_pop(L, 1);
    return v;
}

void model_fit_number(lua_State *L, int model, const char *key, double v)
{
    lua_getfield(L, model, "fit");
    lua_pushnumber(L, v);
    lua_setfield(L, -2, key);
    lua_pop(L, 1);
}

void model_fit_array(lua_State *L, int model, const char *key, const double *v, size_t n)
{
    lua_getfield(L, model, "fit");
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushnumber(L, v[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, key);
    lua_pop(L, 1);
}

int model_event_type(plan_ctx *cx, int model, uint32_t *type)
{
    lua_State *L = script_of(cx)->L;
    lua_getfield(L, model, "event");
    const char *name = lua_isstring(L, -1) ? lua_tostring(L, -1) : "purchase";
    int rc = dict_find(cx->s, cx->txn, FIELD_EV_TYPE, name, strlen(name), type);
    if (rc == SEGRT_OK && *type == 0) {
        lua_getfield(L, model, "loc");
        rc = plan_fail(cx, lua_tostring(L, -1), "the store has no '%s' events for the model", name);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
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

/* The model at stack index model, as the catalog has it. */
const tree *model_tree(plan_ctx *cx, int model)
{
    lua_State *L = script_of(cx)->L;
    lua_getfield(L, model, "name");
    const tree *t = catalog_model(cx->cat, lua_tostring(L, -1));
    lua_pop(L, 1);
    return t;
}

int model_features(plan_ctx *cx, int model, const char *key, double **x, size_t *d)
{
    const tree *list = tree_get(model_tree(cx, model), key);
    *x = NULL;
    *d = tree_count(list);
    int rc = SEGRT_OK;
    if (*d == 0)
        return plan_fail(cx, tree_get_string(model_tree(cx, model), "loc"),
                         "model needs %s = { value, ... }", key);
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

static void print_fit(lua_State *L, int model, FILE *f)
{
    lua_getfield(L, model, "fit");
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    /* keys in order, so summaries are stable */
    const char *keys[128];
    size_t n = 0;
    for (lua_pushnil(L); lua_next(L, -2) && n < 128; lua_pop(L, 1)) {
        if (lua_type(L, -2) == LUA_TSTRING)
            keys[n++] = lua_tostring(L, -2);
    }
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
            const char *t = keys[j];
            keys[j] = keys[j - 1];
            keys[j - 1] = t;
        }
    }
    fprintf(f, "\n");
    for (size_t i = 0; i < n; i++) {
        lua_getfield(L, -1, keys[i]);
        fprintf(f, "  %-24s", keys[i]);
        if (lua_istable(L, -1)) {
            for (lua_Integer j = 1; lua_rawgeti(L, -1, j) != LUA_TNIL; j++) {
                fprintf(f, " %12.6g", lua_tonumber(L, -1));
                lua_pop(L, 1);
            }
            lua_pop(L, 1);
        } else {
            fprintf(f, " %.6g", lua_tonumber(L, -1));
        }
        fprintf(f, "\n");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

int model_kind_summary(plan_ctx *cx, int model, FILE *f)
{
    lua_State *L = script_of(cx)->L;
    lua_getfield(L, model, "kind");
    lua_getfield(L, model, "name");
    const char *kind = lua_tostring(L, -2), *name = lua_tostring(L, -1);
    const model_kind *k = NULL;
    for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(kinds[i]->kind, kind) == 0)
            k = kinds[i];
    }
    int rc = SEGRT_OK;
    if (k) { /* evaluating one output fits the model and fills its fit record */
        char first[256];
        snprintf(first, sizeof first, "%s.%s", name, k->outputs[0]);
        value_summary sum;
        rc = script_score_summary(cx, first, &sum, NULL);
        if (rc == SEGRT_OK)
            print_fit(L, model, f);
    }
    lua_pop(L, 2);
    return rc;
}
