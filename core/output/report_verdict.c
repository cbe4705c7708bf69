/*
 * report_verdict.c — whether each segment of a report is measurable,
 * accessible and substantial (report.h), by thresholds the report states:
 *  - measurable: every contact field its rule reads has a value for at least
 *    min_filled of the live contacts, so that its size measures what the rule
 *    means rather than which data happens to be there (a rule reading only
 *    events is measurable);
 *  - accessible: at least min_reach of its members pass the consent check of
 *    its purpose or, without one, of its best channel (report_reach.c);
 *  - substantial: at least min_size members.
 *
 * The fields a rule reads come from segrt_script_segment_deps (before the
 * session); their filled counts from a present() predicate each, in it.
 *
 * Uses: script.h (deps), plan.h, tree.h.
 */
#include "output/report.h"

#include "lua/script.h"
#include "plan/plan.h"
#include "util/array.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_field(void *ud, const char *kind, const char *name)
{
    report_segment *g = ud;
    if (strcmp(kind, "field") != 0)
        return 0;
    if (ARRAY_RESERVE(g->fields, g->fields_cap, g->nfields + 1) != 0 ||
        (g->fields[g->nfields] = strdup(name)) == NULL)
        return SEGRT_ENOMEM;
    g->nfields++;
    return 0;
}

int report_verdict_fields(segrt_script *sc, segrt_report *r)
{
    int rc = SEGRT_OK;
    for (size_t i = 0; rc == SEGRT_OK && i < r->nseg; i++)
        rc = segrt_script_segment_deps(sc, r->seg[i].name, add_field, &r->seg[i]);
    return rc == SEGRT_ENOMEM ? store_fail(script_store(sc), rc, "out of memory") : rc;
}

/* The tree { k = "present", a = { k = "field", name = name, loc = "report" } }. */
static tree *present_tree(tree_doc *doc, const char *name)
{
    tree *t = tree_new(doc, TREE_TABLE), *a = tree_new(doc, TREE_TABLE);
    const char *keys[] = { "k", "name", "loc" }, *values[] = { "field", name, "report" };
    tree *k = tree_new(doc, TREE_STRING);
    if (t == NULL || a == NULL || k == NULL || tree_set_text(doc, k, "present", 7) != 0 ||
        tree_put(doc, t, "k", 1, k) != 0 || tree_put(doc, t, "a", 1, a) != 0)
        return NULL;
    for (int i = 0; i < 3; i++) {
        tree *v = tree_new(doc, TREE_STRING);
        if (v == NULL || tree_set_text(doc, v, values[i], strlen(values[i])) != 0 ||
            tree_put(doc, a, keys[i], strlen(keys[i]), v) != 0)
            return NULL;
    }
    return t;
}

/* How many live contacts have a value of field name. */
static int filled(plan_ctx *cx, const char *name, uint64_t *n)
{
    tree_doc *doc = tree_doc_new();
    tree *t = doc ? present_tree(doc, name) : NULL;
    if (t == NULL) {
        tree_doc_free(doc);
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    }
    bitset b = { 0 };
    pnode *p = plan_compile(cx, t, FRAME_CONTACTS);
    int rc = p ? plan_eval_pred(cx, p, &b) : SEGRT_ELUA;
    if (rc == SEGRT_OK)
        *n = bitset_count_and(&b, cx->live);
    bitset_free(&b);
    plan_free(p);
    tree_doc_free(doc);
    return rc;
}

/* Fields counted once for all segments: a field many rules read is scanned once. */
typedef struct filled_cache {
    struct { const char *name; uint64_t n; } *v; /* names borrowed from the segments' fields */
    size_t len, cap;
} filled_cache;

static int filled_once(plan_ctx *cx, filled_cache *fc, const char *name, uint64_t *n)
{
    for (size_t i = 0; i < fc->len; i++) {
        if (strcmp(fc->v[i].name, name) == 0) {
            *n = fc->v[i].n;
            return SEGRT_OK;
        }
    }
    int rc = filled(cx, name, n);
    if (rc == SEGRT_OK && ARRAY_RESERVE(fc->v, fc->cap, fc->len + 1) != 0)
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK) {
        fc->v[fc->len].name = name;
        fc->v[fc->len++].n = *n;
    }
    return rc;
}

/* g's least filled field, into g->weak_field and g->weak_filled. */
static int weakest_field(plan_ctx *cx, filled_cache *fc, report_segment *g)
{
    int rc = SEGRT_OK;
    for (size_t k = 0; rc == SEGRT_OK && k < g->nfields; k++) {
        uint64_t n = 0;
        rc = filled_once(cx, fc, g->fields[k], &n);
        if (rc == SEGRT_OK && (g->weak_field == NULL || n < g->weak_filled)) {
            g->weak_field = g->fields[k];
            g->weak_filled = n;
        }
    }
    return rc;
}

/* The channel g is reached through: its purpose's, else the one most members pass. */
static void best_channel(const segrt_report *r, report_segment *g)
{
    g->channel = channels_index(&r->channels, g->purpose);
    for (size_t c = 0; g->purpose == NULL && c < r->channels.n; c++) {
        if (g->channel < 0 || g->why[c][CW_PASS] > g->why[g->channel][CW_PASS])
            g->channel = (long)c;
    }
    g->reachable = g->channel >= 0 ? g->why[g->channel][CW_PASS] : 0;
}

int report_verdict_build(plan_ctx *cx, segrt_report *r)
{
    const segrt_report_opts *o = &r->opts;
    filled_cache fc = { 0 };
    int rc = SEGRT_OK;
    for (size_t i = 0; rc == SEGRT_OK && i < r->nseg; i++) {
        report_segment *g = &r->seg[i];
        rc = weakest_field(cx, &fc, g);
        best_channel(r, g);
        if (g->weak_field == NULL || (double)g->weak_filled >= o->min_filled * (double)r->contacts)
            g->flags |= REPORT_MEASURABLE;
        if (g->size && (double)g->reachable >= o->min_reach * (double)g->size)
            g->flags |= REPORT_ACCESSIBLE;
        if (g->size >= o->min_size)
            g->flags |= REPORT_SUBSTANTIAL;
    }
    free(fc.v);
    return rc;
}

void report_verdict_text(const segrt_report *r, const report_segment *g, unsigned which,
                         char *out, size_t n)
{
    char pct[16];
    if (which == REPORT_MEASURABLE && g->weak_field == NULL) {
        snprintf(out, n, "reads no contact field");
    } else if (which == REPORT_MEASURABLE) {
        report_percent(g->weak_filled, r->contacts, pct);
        snprintf(out, n, "least filled field %s: %s of the contacts", g->weak_field, pct);
    } else if (which == REPORT_ACCESSIBLE && g->channel < 0) {
        snprintf(out, n, g->purpose ? "its purpose %s is no channel" : "no channel to reach it by",
                 g->purpose);
    } else if (which == REPORT_ACCESSIBLE) {
        report_percent(g->reachable, g->size, pct);
        snprintf(out, n, "%s pass %s%s", pct, r->channels.v[g->channel],
                 g->purpose ? " (its purpose)" : " (its best channel)");
    } else {
        snprintf(out, n, "%" PRIu64 " members%s", g->size,
                 g->size < r->opts.min_size ? ", fewer than the threshold" : "");
    }
}

void report_verdict_free(segrt_report *r)
{
    for (size_t i = 0; r->seg && i < r->nseg; i++) {
        for (size_t k = 0; k < r->seg[i].nfields; k++)
            free(r->seg[i].fields[k]);
        free(r->seg[i].fields);
    }
}
