/*
 * model_summary.c — segrt_model_summary(): what a model (seg.model, the
 * shipped models) computed at NOW, as text: its scores' ranges and its
 * segments' sizes, plus what its kind adds (fitted parameters, centroids).
 */
#include "models/model.h"
#include "lua/script.h"
#include "util/suggest.h"
#include "util/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A value of a score in its domain, as text. */
static void format_value(vtype t, double v, char *out, size_t n)
{
    if (t == VT_TIME) {
        char ts[24];
        value_format_timestamp((int64_t)v, ts);
        snprintf(out, n, "%s", ts);
    } else if (t == VT_DUR) {
        snprintf(out, n, "%.2fd", v / 86400.0);
    } else {
        snprintf(out, n, "%.4g", v / VALUE_NUMBER_SCALE);
    }
}

static int summarise_scores(plan_ctx *cx, int model, FILE *f)
{
    lua_State *L = script_of(cx)->L;
    lua_getfield(L, model, "scores");
    int list = lua_gettop(L), rc = SEGRT_OK;
    size_t n = lua_rawlen(L, list);
    if (n)
        fprintf(f, "\n%-28s %10s %12s %12s %12s\n", "score", "contacts", "min", "mean", "max");
    for (size_t i = 1; i <= n && rc == SEGRT_OK; i++) {
        lua_rawgeti(L, list, (lua_Integer)i);
        const char *name = lua_tostring(L, -1);
        value_summary sum;
        rc = name ? script_score_summary(cx, name, &sum, NULL)
                  : store_fail(cx->s, SEGRT_ELUA, "a model's scores must be names");
        if (rc == SEGRT_OK && sum.present == 0) {
            fprintf(f, "%-28s %10d %12s %12s %12s\n", name, 0, "-", "-", "-");
        } else if (rc == SEGRT_OK) {
            char lo[32], mid[32], hi[32];
            format_value(sum.type, (double)sum.min, lo, sizeof lo);
            format_value(sum.type, sum.mean, mid, sizeof mid);
            format_value(sum.type, (double)sum.max, hi, sizeof hi);
            fprintf(f, "%-28s %10llu %12s %12s %12s\n", name, (unsigned long long)sum.present, lo,
                    mid, hi);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return rc;
}

static int summarise_segments(plan_ctx *cx, int model, FILE *f)
{
    lua_State *L = script_of(cx)->L;
    uint64_t contacts = bitset_count(cx->live);
    lua_getfield(L, model, "segments");
    int list = lua_gettop(L), rc = SEGRT_OK;
    size_t n = lua_rawlen(L, list);
    if (n)
        fprintf(f, "\n%-28s %10s %8s\n", "segment", "size", "share");
    for (size_t i = 1; i <= n && rc == SEGRT_OK; i++) {
        lua_rawgeti(L, list, (lua_Integer)i);
        const char *name = lua_tostring(L, -1);
        uint64_t size;
        rc = name ? script_segment_size(cx, name, &size)
                  : store_fail(cx->s, SEGRT_ELUA, "a model's segments must be names");
        if (rc == SEGRT_OK)
            fprintf(f, "%-28s %10llu %7.2f%%\n", name, (unsigned long long)size,
                    contacts ? 100.0 * (double)size / (double)contacts : 0.0);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return rc;
}

typedef struct summary_job {
    int model;
    FILE *f;
} summary_job;

/* The whole summary in one session, so the model is computed once. */
static int summarise(plan_ctx *cx, void *ud)
{
    summary_job *job = ud;
    int rc = model_kind_summary(cx, job->model, job->f);
    if (rc == SEGRT_OK)
        rc = summarise_scores(cx, job->model, job->f);
    if (rc == SEGRT_OK)
        rc = summarise_segments(cx, job->model, job->f);
    return rc;
}

static int unknown_model(segrt_script *sc, const char *name)
{
    lua_State *L = sc->L;
    const char *names[64];
    size_t n = 0;
    script_push_registry(sc, "models");
    for (lua_pushnil(L); lua_next(L, -2) && n < 64; lua_pop(L, 1))
        names[n++] = lua_tostring(L, -2); /* keys stay alive in the registry */
    lua_pop(L, 1);
    const char *near = suggest_closest(name, names, n);
    if (near)
        return store_fail(sc->s, SEGRT_ENOTFOUND, "unknown model '%s' (did you mean '%s'?)", name,
                          near);
    return store_fail(sc->s, SEGRT_ENOTFOUND, "unknown model '%s'%s", name,
                      n ? "" : ": the script defines no model (e.g. require \"models.rfm\")");
}

int segrt_model_summary(segrt_script *sc, const char *name, char **text)
{
    if (text)
        *text = NULL;
    if (sc == NULL || name == NULL || text == NULL)
        return SEGRT_EINVAL;
    lua_State *L = sc->L;
    int top = lua_gettop(L);
    script_push_registry(sc, "models");
    lua_getfield(L, -1, name);
    if (!lua_istable(L, -1)) {
        lua_settop(L, top);
        return unknown_model(sc, name);
    }
    int model = lua_gettop(L);
    size_t len;
    FILE *f = open_memstream(text, &len);
    if (f == NULL) {
        lua_settop(L, top);
        return store_fail(sc->s, SEGRT_ENOMEM, "out of memory");
    }
    lua_getfield(L, model, "kind");
    lua_getfield(L, model, "loc");
    char now[21];
    segrt_time_format(segrt_store_now(sc->s), now);
    fprintf(f, "model %s (%s), defined at %s, at NOW %s\n", name, lua_tostring(L, -2),
            lua_tostring(L, -1), now);
    lua_pop(L, 2);
    summary_job job = { model, f };
    int rc = script_session(sc, summarise, &job);
    fclose(f);
    lua_settop(L, top);
    if (rc != SEGRT_OK) {
        free(*text);
        *text = NULL;
    }
    return rc;
}
