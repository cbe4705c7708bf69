/*
 * report_rfm.c — the RFM grids of a segment report (report.h): for each
 * model of kind "rfm" (scripts/models/rfm.lua), the contacts per (R, F)
 * cell and the sum of their monetary values, inside the report's session.
 *
 * A model's first two scores are its R and F (seg.model { scores = { R, F,
 * M } }); its optional `monetary` value expression is the money a cell
 * averages. A contact is in the grid when both scores are whole numbers 1..5.
 */
#include "output/report.h"

#include "lua/script.h"
#include "plan/catalog.h"
#include "util/array.h"
#include "util/value.h"

#include <stdlib.h>
#include <string.h>

static int add_model(segrt_report *r, const char *model, const char *rs, const char *fs)
{
    if (ARRAY_RESERVE(r->rfm, r->rfm_cap, r->nrfm + 1) != 0)
        return -1;
    report_rfm *g = &r->rfm[r->nrfm];
    *g = (report_rfm){ .model = strdup(model), .r_score = strdup(rs), .f_score = strdup(fs) };
    r->nrfm++; /* counted before the check, so report_rfm_free releases what was copied */
    return g->model && g->r_score && g->f_score ? 0 : -1;
}

/* The models of kind "rfm", in name order (the catalog keeps names in byte order). */
static int find_models(plan_ctx *cx, segrt_report *r)
{
    const tree *models = cx->cat->models;
    int rc = SEGRT_OK;
    for (size_t i = 0; models && i < models->nfields && rc == SEGRT_OK; i++) {
        const char *name = models->fields[i].key;
        const tree *model = models->fields[i].value, *scores = tree_get(model, "scores");
        const char *kind = tree_get_string(model, "kind");
        if (model->kind != TREE_TABLE || kind == NULL || strcmp(kind, "rfm") != 0 ||
            scores == NULL || scores->kind != TREE_TABLE)
            continue;
        const char *rs = tree_tostring(tree_item(scores, 0)), *fs = tree_tostring(tree_item(scores, 1));
        if (rs == NULL || fs == NULL)
            rc = store_fail(cx->s, SEGRT_ELUA, "RFM model '%s' must list its R and F scores "
                            "first in scores", name);
        else if (add_model(r, name, rs, fs))
            rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    }
    return rc;
}

/* The values of the model's `monetary` expression into m; g->has_money when it has one. */
static int monetary(plan_ctx *cx, report_rfm *g, vec *m)
{
    const tree *money = tree_get(catalog_model(cx->cat, g->model), "monetary");
    if (money == NULL)
        return SEGRT_OK;
    pnode *plan = plan_compile_value(cx, money);
    int rc = plan ? plan_eval_value(cx, plan, m) : SEGRT_ELUA;
    plan_free(plan);
    g->has_money = rc == SEGRT_OK;
    return rc;
}

/* A score's value as a grid index 0..4, or -1 outside the grid. */
static int cell(int64_t v)
{
    if (v == VALUE_MISSING || v % VALUE_NUMBER_SCALE != 0)
        return -1;
    int64_t k = v / VALUE_NUMBER_SCALE;
    return k >= 1 && k <= REPORT_RFM_N ? (int)k - 1 : -1;
}

static int fill_grid(plan_ctx *cx, report_rfm *g)
{
    value_summary sum;
    vec R = { 0 }, F = { 0 }, M = { 0 };
    int rc = script_score_summary(cx, g->r_score, &sum, &R);
    if (rc == SEGRT_OK)
        rc = script_score_summary(cx, g->f_score, &sum, &F);
    if (rc == SEGRT_OK)
        rc = monetary(cx, g, &M);
    for (uint32_t i = 0; rc == SEGRT_OK && i < cx->ncontacts; i++) {
        int r = cell(vec_at(&R, i)), f = cell(vec_at(&F, i));
        if (r < 0 || f < 0 || !bitset_test(cx->live, i))
            continue;
        g->n[r][f]++;
        g->scored++;
        int64_t money = g->has_money ? vec_at(&M, i) : VALUE_MISSING;
        if (money != VALUE_MISSING && __builtin_add_overflow(g->money[r][f], money, &g->money[r][f]))
            rc = store_fail(cx->s, SEGRT_EINVAL, "RFM model '%s': monetary values add up to "
                            "more than can be summed exactly", g->model);
    }
    vec_free(&R);
    vec_free(&F);
    vec_free(&M);
    return rc;
}

int report_rfm_build(plan_ctx *cx, segrt_report *r)
{
    int rc = find_models(cx, r);
    for (size_t i = 0; rc == SEGRT_OK && i < r->nrfm; i++)
        rc = fill_grid(cx, &r->rfm[i]);
    return rc;
}

void report_rfm_free(segrt_report *r)
{
    for (size_t i = 0; i < r->nrfm; i++) {
        free(r->rfm[i].model);
        free(r->rfm[i].r_score);
        free(r->rfm[i].f_score);
    }
    free(r->rfm);
}
