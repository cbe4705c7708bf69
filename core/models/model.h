/*
 * model.h — models computed in C (seg.model with kind "bgnbd", "kmeans",
 * "logreg"): each kind reads its settings from the model's definition (a
 * tree of the script's catalog), computes all its outputs for every contact
 * at once, and records what it fitted (for `segrt score`) with the outputs
 * in the evaluation's memo.
 *
 * An output is addressed as the score "model.output" (seg.S.clv.p_alive);
 * the outputs of one evaluation are memoised with the scores (plan_memo.h).
 *
 * Uses: plan.h, tree.h.
 */
#ifndef SEGRT_MODEL_H
#define SEGRT_MODEL_H

#include "plan/plan.h"
#include "util/tree.h"

#include <stdio.h>

/* What a model fitted: a table of numbers and lists of numbers. */
typedef struct model_fit {
    tree_doc *doc;
    tree *root;
    int failed; /* out of memory while recording */
} model_fit;

/* Fill outs[i] (one vector per output, owned by the caller) for the model defined by model. */
typedef int (*model_compute_fn)(plan_ctx *cx, const tree *model, vec *outs, model_fit *fit);
/* Print a fit record for `segrt score` (fit: what the kind recorded). */
typedef void (*model_print_fn)(const tree *fit, FILE *f);

typedef struct model_kind {
    const char *kind;
    const char *const *outputs; /* NULL-terminated */
    model_compute_fn compute;
    model_print_fn print; /* NULL: model_fit_print() of every key */
} model_kind;

extern const model_kind model_bgnbd, model_clv, model_gamma_gamma, model_hclust, model_kmeans,
    model_logreg;

struct catalog;
/* Record in cat the outputs ("model.output") of the C models it defines. */
int model_catalog_outputs(struct catalog *cat);
/* The values of output p->str over all contacts (computing the model once per evaluation). */
int model_eval_output(plan_ctx *cx, const pnode *p, vec *out);
/* Inside a session: print what the model fitted (fitting it if needed); nothing for models
 * written in Lua. */
int model_kind_summary(plan_ctx *cx, const tree *model, FILE *f);

/* A double as a plan number (micro-units); a NaN or infinity is missing. */
int64_t model_micro(double v);
/* For the kinds: the model's number setting key (or dflt when it has none). */
double model_number(const tree *model, const char *key, double dflt);
/* Evaluate the value nodes of the model's list setting key as doubles, n = contacts, row-major. */
int model_features(plan_ctx *cx, const tree *model, const char *key, double **x, size_t *d);
/* Print a fit record, a "  key value ..." line per key in byte order, but
 * the keys in skip (NULL-terminated, or NULL); a blank line first. */
void model_fit_print(const tree *fit, const char *const *skip, FILE *f);
/* Record a fitted number, or an array of n numbers. */
void model_fit_number(model_fit *fit, const char *key, double v);
void model_fit_array(model_fit *fit, const char *key, const double *v, size_t n);
struct cba_row;
/*
 * The customer-base summary rows (cba.h) of the model's event type over the
 * live contacts, one per contact ordinal (malloc'd into *rows), and the
 * unit_days setting (model_cba.c); kind names the model in messages.
 */
int model_cba_rows(plan_ctx *cx, const tree *model, const char *kind, struct cba_row **rows,
                   double *unit_days);
/* The FIELD_EV_TYPE code of the model's `event` setting (default "purchase"). */
int model_event_type(plan_ctx *cx, const tree *model, uint32_t *type);

#endif
