/*
 * model_summary.c — segrt_model_summary(): what a model (seg.model, the
 * shipped models) computed at NOW, as text: its scores' ranges and its
 * segments' sizes, plus what its kind adds (fitted parameters, centroids).
 *
 * Uses: script.h (one evaluation session), catalog.h (the model's
 * definition), model.h (what a C kind fitted).
 */
#include "lua/script.h"
#include "models/model.h"
#include "plan/catalog.h"
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

static int summarise_scores(plan_ctx *cx, const tree *model, FILE *f)
{
    const tree *list = tree_get(model, "scores");
    int rc = SEGRT_OK;
    size_t n = tree_count(list);
    if (n)
        fprintf(f, "\n%-28s %10s %12s %12s %12s\n", "score", "contacts", "min", "mean", "max");
    for (size_t i = 0; i < n && rc == SEGRT_OK; i++) {
        const char *name = tree_tostring(tree_item(list, i));
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
    }
    return rc;
}

static int summarise_segments(plan_ctx *cx, const tree *model, FILE *f)
{
    uint64_t contacts = bitset_count(cx->live);
    const tree *list = tree_get(model, "segments");
    int rc = SEGRT_OK;
    size_t n = tree_count(list);
    if (n)
        fprintf(f, "\n%-28s %10s %8s\n", "segment", "size", "share");
    for (size_t i = 0; i < n && rc == SEGRT_OK; i++) {
        const char *name = tree_tostring(tree_item(list, i));
        uint64_t size;
        rc = name ? script_segment_size(cx, name, &size)
                  : store_fail(cx->s, SEGRT_ELUA, "a model's segments must be names");
        if (rc == SEGRT_OK)
            fprintf(f, "%-28s %10llu %7.2f%%\n", name, (unsigned long long)size,
                    contacts ? 100.0 * (double)size / (double)contacts : 0.0);
    }
    return rc;
}

/* A profiling model: how many contacts it may score, and why the others are left out. */
static int summarise_profiling(plan_ctx *cx, const tree *model, FILE *f)
{
    if (!tree_toboolean(tree_get(model, "profiling")))
        return SEGRT_OK;
    uint64_t refused, no_consent, all = bitset_count(cx->live);
    int rc = script_profiling_counts(cx, &refused, &no_consent);
    if (rc != SEGRT_OK)
        return rc;
    if (refused + no_consent == 0) {
        fprintf(f, "profiling: all %llu contacts may be scored\n", (unsigned long long)all);
        return SEGRT_OK;
    }
    fprintf(f, "profiling: %llu of %llu contacts scored; left out (missing scores, not in the "
               "fit): %llu who object to direct marketing or refused profiling (GDPR Art. 21, "
               "22)", (unsigned long long)(all - refused - no_consent), (unsigned long long)all,
            (unsigned long long)refused);
    if (no_consent)
        fprintf(f, ", %llu without consent for profiling (the purpose accepts only consent)",
                (unsigned long long)no_consent);
    fputs("\n", f);
    return SEGRT_OK;
}

typedef struct summary_job {
    const char *name;
    FILE *f;
} summary_job;

/* The whole summary in one session, so the model is computed once. */
static int summarise(plan_ctx *cx, void *ud)
{
    summary_job *job = ud;
    const tree *model = catalog_model(cx->cat, job->name);
    const bitset *outer = cx->live;
    int rc = summarise_profiling(cx, model, job->f);
    if (rc == SEGRT_OK && tree_toboolean(tree_get(model, "profiling"))) /* fitted without them */
        rc = plan_profiling_live(cx, &cx->live);
    if (rc == SEGRT_OK)
        rc = model_kind_summary(cx, model, job->f);
    cx->live = outer;
    if (rc == SEGRT_OK)
        rc = summarise_scores(cx, model, job->f);
    if (rc == SEGRT_OK)
        rc = summarise_segments(cx, model, job->f);
    return rc;
}

static int unknown_model(segrt_store *s, const catalog *cat, const char *name)
{
    const char *names[64];
    size_t n = 0;
    for (size_t i = 0; cat->models && i < cat->models->nfields && n < 64; i++)
        names[n++] = cat->models->fields[i].key;
    const char *near = suggest_closest(name, names, n);
    if (near)
        return store_fail(s, SEGRT_ENOTFOUND, "unknown model '%s' (did you mean '%s'?)", name,
                          near);
    return store_fail(s, SEGRT_ENOTFOUND, "unknown model '%s'%s", name,
                      n ? "" : ": the script defines no model (e.g. require \"models.rfm\")");
}

int segrt_model_summary(segrt_script *sc, const char *name, char **text)
{
    if (text)
        *text = NULL;
    if (sc == NULL || name == NULL || text == NULL)
        return SEGRT_EINVAL;
    segrt_store *s = script_store(sc);
    const catalog *cat;
    int rc = script_catalog(sc, &cat);
    if (rc != SEGRT_OK)
        return rc;
    const tree *model = catalog_model(cat, name);
    if (model == NULL || model->kind != TREE_TABLE)
        return unknown_model(s, cat, name);
    size_t len;
    FILE *f = open_memstream(text, &len);
    if (f == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    char now[21];
    segrt_time_format(segrt_store_now(s), now);
    fprintf(f, "model %s (%s), defined at %s, at NOW %s\n", name, tree_get_string(model, "kind"),
            tree_get_string(model, "loc"), now);
    summary_job job = { name, f };
    rc = script_session(sc, summarise, &job);
    fclose(f);
    if (rc != SEGRT_OK) {
        free(*text);
        *text = NULL;
    }
    return rc;
}
