/*
 * model.h — models computed in C (seg.model with kind "bgnbd", "kmeans",
 * "logreg"): each kind reads its settings from the model's Lua table,
 * computes all its outputs for every contact at once, and records what it
 * fitted in the table's `fit` field for `segrt score`.
 *
 * An output is addressed as the score "model.output" (seg.S.clv.p_alive);
 * the outputs of one evaluation are memoised with the scores.
 */
#ifndef SEGRT_MODEL_H
#define SEGRT_MODEL_H

#include "lua/script.h"

#include <stdio.h>

typedef struct model_kind {
    const char *kind;
    const char *const *outputs; /* NULL-terminated */
    /* Fill outs[i] (one vector per output, owned by the caller) for the model at stack index model. */
    int (*compute)(plan_ctx *cx, int model, vec *outs);
} model_kind;

extern const model_kind model_bgnbd, model_kmeans, model_logreg;

struct catalog;
/* Record in cat the outputs ("model.output") of the C models it defines. */
int model_catalog_outputs(struct catalog *cat);
/* The model at stack index model, as the session's catalog has it. */
const tree *model_tree(plan_ctx *cx, int model);
/* The values of output p->str over all contacts (computing the model once per evaluation). */
int model_eval_output(plan_ctx *cx, const pnode *p, vec *out);
/* Inside a session: print what the model at stack index model fitted (fitting it if
 * needed); nothing for models written in Lua. */
int model_kind_summary(plan_ctx *cx, int model, FILE *f);

/* For the kinds: the model table's number field key (or dflt when absent). */
double model_number(lua_State *L, int model, const char *key, double dflt);
/* Evaluate the value nodes of the model's list field key as doubles, n = contacts, row-major. */
int model_features(plan_ctx *cx, int model, const char *key, double **x, size_t *d);
/* Record a fitted number, or an array of n numbers, in the model's fit table. */
void model_fit_number(lua_State *L, int model, const char *key, double v);
void model_fit_array(lua_State *L, int model, const char *key, const double *v, size_t n);
/* The FIELD_EV_TYPE code of the model's `event` setting (default "purchase"). */
int model_event_type(plan_ctx *cx, int model, uint32_t *type);

#endif
