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

static int by_model(const void *a, const void *b)
{
    return strcmp(((const report_rfm *)a)->model, ((const report_rfm *)b)->model);
}

/* The models of kind "rfm", in name order. */
static int find_models(plan_ctx *cx, segrt_report *r)
{
    lua_State *L = cx->sc->L;
    int top = lua_gettop(L), rc = SEGRT_OK;
    script_push_registry(cx->sc, "models");                      /* models */
    for (lua_pushnil(L); rc == SEGRT_OK && lua_next(L, top + 1); lua_settop(L, top + 2)) {
        if (!lua_istable(L, -1) || lua_type(L, -2) != LUA_TSTRING)
            continue;                                            /* models name model */
        lua_getfield(L, -1, "kind");                             /* ... model kind */
        lua_getfield(L, -2, "scores");                           /* ... model kind scores */
        if (!lua_isstring(L, -2) || strcmp(lua_tostring(L, -2), "rfm") != 0 || !lua_istable(L, -1))
            continue;
        lua_rawgeti(L, -1, 1);                                   /* ... scores R */
        lua_rawgeti(L, -2, 2);                                   /* ... scores R F */
        if (!lua_isstring(L, -2) || !lua_isstring(L, -1))
            rc = store_fail(cx->s, SEGRT_ELUA, "RFM model '%s' must list its R and F scores "
                            "first in scores", lua_tostring(L, top + 2));
        else if (add_model(r, lua_tostring(L, top + 2), lua_tostring(L, -2), lua_tostring(L, -1)))
            rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    }
    lua_settop(L, top);
    if (rc == SEGRT_OK && r->nrfm > 1)
        qsort(r->rfm, r->nrfm, sizeof *r->rfm, by_model);
    return rc;
}

/* The values of the model's `monetary` expression into m; g->has_money when it has one. */
static int monetary(plan_ctx *cx, report_rfm *g, vec *m)
{
    lua_State *L = cx->sc->L;
    int top = lua_gettop(L), rc = SEGRT_OK;
    script_push_registry(cx->sc, "models");                      /* models */
    lua_getfield(L, -1, g->model);                               /* models model */
    if (lua_getfield(L, -1, "monetary") != LUA_TNIL) {           /* models model monetary */
        pnode *plan = plan_compile_value(cx, L, -1);
        rc = plan ? plan_eval_value(cx, plan, m) : SEGRT_ELUA;
        plan_free(plan);
        g->has_money = rc == SEGRT_OK;
    }
    lua_settop(L, top);
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
