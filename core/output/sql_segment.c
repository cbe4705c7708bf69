/*
 * sql_segment.c — a script's segment as one SQL query (segrt_sql_segment):
 * inside a session (lua/script.h), as script_eval.c evaluates it, each
 * segment becomes a common table expression of its members' ids: its where
 * compiled to a plan and rendered (sql_render.c), its purpose's consent
 * (sql_consent.c); a member of an exclusive group is its entry minus the
 * entries before it; seg.member reads the other segment's expression.
 * A Lua filter is refused, as is a cycle.
 *
 * Uses: sql.h, script.h (sessions), catalog.h, suggest.h.
 */
#include "output/sql.h"

#include "lua/script.h"
#include "plan/catalog.h"
#include "util/suggest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The CTE of the live contacts matching where (NULL: all), passing purpose (NULL: no check). */
static void where_cte(sql_ctx *r, const tree *where, const char *purpose, char name[16])
{
    sql_scope s = { 0 };
    buf pred = { 0 }, body = { 0 };
    if (where) {
        pnode *plan = plan_compile(r->cx, where, FRAME_CONTACTS);
        if (plan == NULL && r->rc == SEGRT_OK)
            r->rc = SEGRT_ELUA; /* the message is on the store */
        if (plan)
            sql_render_pred(r, &s, plan, &pred);
        plan_free(plan);
    } else {
        sql_put(r, &pred, "%s", r->d->t);
    }
    buf from = { 0 };
    sql_from(r, &s, &from);
    sql_put(r, &body, "SELECT c.id FROM %s WHERE %s", sql_text(r, &from), sql_text(r, &pred));
    buf_free(&from);
    if (purpose) {
        char pass[16];
        sql_consent_passes(r, purpose, pass);
        sql_put(r, &body, " AND c.id %sIN (SELECT id FROM %s)", r->d->global,
                sql_table(r, pass));
    }
    sql_cte(r, &body, name);
    buf_free(&s.joins);
    buf_free(&pred);
    buf_free(&body);
}

/* The CTE of an exclusive group's entry: a named segment, or an inline { name, where }. */
static void entry_cte(sql_ctx *r, const tree *def, const char *group, const tree *entry,
                      char name[16])
{
    if (entry && entry->kind == TREE_TABLE) {
        where_cte(r, tree_get(entry, "where"), NULL, name);
        return;
    }
    const char *base = tree_tostring(entry);
    if (base && catalog_segment_index(r->cx->cat, base) >= 0) {
        sql_segment_cte(r, base, name);
        return;
    }
    sql_fail(r, SEGRT_ELUA, "%s: exclusive group '%s' names unknown segment '%s'",
             tree_get_string(def, "loc") ? tree_get_string(def, "loc") : "?", group,
             base ? base : "(null)");
}

/* group.m: the members of entry m (its rank) but of none listed before it. */
static void group_cte(sql_ctx *r, const tree *def, char name[16])
{
    const char *group = tree_get_string(def, "group");
    int64_t rank = 0;
    tree_tointeger(tree_get(def, "rank"), &rank);
    const tree *list = tree_get(r->cx->cat->groups, group);
    buf body = { 0 };
    char entry[16] = "";
    if (rank >= 1)
        entry_cte(r, def, group, tree_item(list, (size_t)rank - 1), entry);
    const char *g = r->d->global;
    sql_put(r, &body, "SELECT c.id FROM contacts AS c WHERE c.id %sIN (SELECT id FROM %s)", g,
            sql_table(r, entry));
    for (int64_t i = 1; i < rank && r->rc == SEGRT_OK; i++) {
        entry_cte(r, def, group, tree_item(list, (size_t)i - 1), entry);
        sql_put(r, &body, " AND c.id %sNOT IN (SELECT id FROM %s)", g, sql_table(r, entry));
    }
    sql_cte(r, &body, name);
    buf_free(&body);
}

void sql_segment_cte(sql_ctx *r, const char *segment, char name[16])
{
    name[0] = '\0';
    const tree *def = catalog_segment(r->cx->cat, segment);
    for (int i = 0; i < r->depth; i++) {
        if (strcmp(r->stack[i], segment) == 0) {
            sql_fail(r, SEGRT_ELUA, "%s: segment '%s' depends on itself (a cycle through "
                     "seg.member or an exclusive group)", tree_get_string(def, "loc"), segment);
            return;
        }
    }
    if (r->depth == (int)(sizeof r->stack / sizeof r->stack[0])) {
        sql_fail(r, SEGRT_ELUA, "segment '%s': seg.member nested too deeply", segment);
        return;
    }
    const char *outer = r->segment;
    r->stack[r->depth++] = segment;
    r->segment = segment;
    const tree *filter = tree_get(def, "filter");
    if (tree_get(def, "group"))
        group_cte(r, def, name);
    else if (filter && filter->kind == TREE_FUNCTION)
        sql_refuse(r, tree_get_string(def, "loc"), "a Lua filter");
    else
        where_cte(r, tree_get(def, "where"), tree_get_string(def, "purpose"), name);
    r->segment = outer;
    r->depth--;
}

typedef struct segment_job {
    const sql_dialect *d;
    const char *segment;
    char *sql;
} segment_job;

/* An unknown segment: an error with the closest name, when there is one. */
static int unknown_segment(plan_ctx *cx, const char *name)
{
    const char *near = suggest_closest(name, cx->cat->names, cx->cat->nseg);
    return store_fail(cx->s, SEGRT_ENOTFOUND, "unknown segment '%s'%s%s%s", name,
                      near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

static int render_segment(plan_ctx *cx, void *ud)
{
    segment_job *job = ud;
    if (catalog_segment_index(cx->cat, job->segment) < 0)
        return unknown_segment(cx, job->segment);
    sql_ctx r = { .cx = cx, .d = job->d, .segment = job->segment };
    char name[16];
    sql_segment_cte(&r, job->segment, name);
    buf out = { 0 };
    if (r.d->no_windows) /* no WITH: the CTEs are inlined where they are read */
        sql_put(&r, &out, "SELECT id FROM %s", sql_table(&r, name));
    else
        sql_put(&r, &out, "WITH %s\nSELECT id FROM %s", sql_text(&r, &r.ctes), name);
    if (r.rc == SEGRT_OK && (job->sql = strdup(sql_text(&r, &out))) == NULL)
        r.rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    buf_free(&out);
    sql_ctx_free(&r);
    return r.rc;
}

int segrt_sql_segment(segrt_script *sc, segrt_sql_dialect d, const char *segment, char **sql)
{
    if (sql)
        *sql = NULL;
    segment_job job = { sql_dialect_of((int)d), segment, NULL };
    if (sc == NULL || segment == NULL || sql == NULL || job.d == NULL)
        return SEGRT_EINVAL;
    int rc = script_session(sc, render_segment, &job);
    if (rc == SEGRT_OK)
        *sql = job.sql;
    else
        free(job.sql);
    return rc;
}
