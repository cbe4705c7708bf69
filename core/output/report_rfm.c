/*
 * report_rfm.c — the RFM grids of a segment report (report.h): for each
 * model of kind "rfm" (scripts/models/rfm.lua), the contacts per (R, F)
 * cell and the sum of their monetary values, inside the report's session.
 *
 * A model's first two scores are its R and F (seg.model { scores = { R, F,
 * M } }); its optional `monetary` value expression is the money a cell
 * averages. A contact is in the grid when both scores are whole numbers 1..5.
 * Its `segments` (the named groups, e.g. rfm.champions) label the cells: a
 * cell is named after the group most of its contacts are in, which is all of
 * them when the groups are drawn along cell borders as rfm.lua's are.
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

/* The model's segments, their names without the "model." prefix in g->groups, their members in sets. */
static int load_groups(plan_ctx *cx, report_rfm *g, const bitset ***sets)
{
    const tree *list = tree_get(catalog_model(cx->cat, g->model), "segments");
    size_t n = list && list->kind == TREE_TABLE ? tree_count(list) : 0, plen = strlen(g->model);
    g->groups = calloc(n ? n : 1, sizeof *g->groups);
    *sets = calloc(n ? n : 1, sizeof **sets);
    if (g->groups == NULL || *sets == NULL)
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    int rc = SEGRT_OK;
    for (size_t k = 0; k < n && rc == SEGRT_OK; k++) {
        const char *name = tree_tostring(tree_item(list, k));
        if (name == NULL)
            return store_fail(cx->s, SEGRT_ELUA, "RFM model '%s': segments lists a non-name", g->model);
        int prefixed = strncmp(name, g->model, plen) == 0 && name[plen] == '.';
        if ((g->groups[k] = strdup(prefixed ? name + plen + 1 : name)) == NULL)
            return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
        g->ngroups++;
        rc = script_segment_bits(cx, name, &(*sets)[k]);
    }
    return rc;
}

/* Each cell's group: the one holding most of the cell's contacts (ties: the first listed). */
static void label_cells(report_rfm *g, uint64_t (*in)[REPORT_RFM_N][REPORT_RFM_N])
{
    for (int ri = 0; ri < REPORT_RFM_N; ri++) {
        for (int fi = 0; fi < REPORT_RFM_N; fi++) {
            g->group[ri][fi] = -1;
            uint64_t best = 0;
            for (size_t k = 0; k < g->ngroups; k++) {
                if (in[k][ri][fi] > best) {
                    best = in[k][ri][fi];
                    g->group[ri][fi] = (int)k;
                }
            }
        }
    }
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
    const bitset **sets = NULL;
    uint64_t (*in)[REPORT_RFM_N][REPORT_RFM_N] = NULL; /* per group, its contacts per cell */
    int rc = load_groups(cx, g, &sets);
    if (rc == SEGRT_OK && (in = calloc(g->ngroups ? g->ngroups : 1, sizeof *in)) == NULL)
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK)
        rc = script_score_summary(cx, g->r_score, &sum, &R);
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
        for (size_t k = 0; k < g->ngroups; k++)
            in[k][r][f] += sets[k]->nbits > i && bitset_test(sets[k], i);
        int64_t money = g->has_money ? vec_at(&M, i) : VALUE_MISSING;
        if (money != VALUE_MISSING && __builtin_add_overflow(g->money[r][f], money, &g->money[r][f]))
            rc = store_fail(cx->s, SEGRT_EINVAL, "RFM model '%s': monetary values add up to "
                            "more than can be summed exactly", g->model);
    }
    if (rc == SEGRT_OK)
        label_cells(g, in);
    vec_free(&R);
    vec_free(&F);
    vec_free(&M);
    free(sets);
    free(in);
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
        for (size_t k = 0; k < r->rfm[i].ngroups; k++)
            free(r->rfm[i].groups[k]);
        free(r->rfm[i].groups);
    }
    free(r->rfm);
}
