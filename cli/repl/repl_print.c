/*
 * repl_print.c — how the REPL shows a statement's results (repl.h):
 *   a predicate   its member count, share of the contacts, evaluation time
 *                 and the first members (id and the contact fields it reads,
 *                 repl_rows.c)
 *   a value       how many contacts have one, min / max / mean in its type
 *   an event selection   as :exists()
 *   a segment     its definition (description, purpose, where), size, members
 *   anything else as Lua's tostring
 *
 * Uses: segrt/lua.h (segrt_lua_eval_predicate, segrt_lua_eval_value),
 * segrt_value_format, repl_rows.c for the members.
 */
#include "repl.h"

#include <jansson.h>
#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SAMPLE_FIELDS = 8 }; /* fields shown with the members, at most */

const char *repl_share(const repl *r, uint64_t n, char buf[16])
{
    snprintf(buf, 16, "%.2f%%", r->contacts ? 100.0 * (double)n / (double)r->contacts : 0.0);
    return buf;
}

/* ------------------------------------------------------------ fields read */

static void add_field(cli_strings *out, const char *name)
{
    if (strcmp(name, "age") == 0) /* derived from birth_date */
        name = "birth_date";
    for (size_t i = 0; i < out->n; i++) {
        if (strcmp(out->v[i], name) == 0)
            return;
    }
    if (out->n < SAMPLE_FIELDS)
        cli_strings_add(out, name); /* a field short of memory is only not shown */
}

static void rawget_key(lua_State *L, int idx, const char *key)
{
    lua_pushstring(L, key);
    lua_rawget(L, idx);
}

/*
 * The contact fields a node tree reads, in the order they appear. Inside an
 * event selection's :where the names are event attributes, so its pred is
 * not walked.
 */
static void fields_read(lua_State *L, int idx, cli_strings *out, int depth)
{
    static const char *const children[] = { "a", "b", "lo", "hi", "ev", "window", "among" };
    if (lua_type(L, idx) != LUA_TTABLE || depth > 100 || !lua_checkstack(L, 4))
        return;
    idx = lua_absindex(L, idx);
    rawget_key(L, idx, "k");                           /* k */
    const char *k = lua_tostring(L, -1);
    if (k && strcmp(k, "field") == 0) {
        rawget_key(L, idx, "name");                    /* k, name */
        if (lua_type(L, -1) == LUA_TSTRING)
            add_field(out, lua_tostring(L, -1));
        lua_pop(L, 2);
        return;
    }
    lua_pop(L, 1);
    for (size_t i = 0; i < sizeof children / sizeof children[0]; i++) {
        rawget_key(L, idx, children[i]);               /* child */
        fields_read(L, -1, out, depth + 1);
        lua_pop(L, 1);
    }
    rawget_key(L, idx, "list");                        /* list */
    if (lua_type(L, -1) == LUA_TTABLE) {
        for (lua_Integer i = 1; lua_rawgeti(L, -1, i) != LUA_TNIL; i++) { /* list, item */
            fields_read(L, -1, out, depth + 1);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);                                 /* the nil */
    }
    lua_pop(L, 1);
}

/* ------------------------------------------------------------ sample members */

/* The first members by id, with the fields the node at idx reads (idx 0: none). */
static void print_sample(repl *r, const segrt_set *set, int idx)
{
    if (segrt_set_count(set) == 0)
        return;
    cli_strings fields = { 0 };
    if (idx != 0)
        fields_read(r->L, idx, &fields, 0);
    repl_print_rows(r, set, &fields);
    cli_strings_free(&fields);
}

/* ------------------------------------------------------------ predicates */

/* The count line; on stderr when the members are data (CSV, JSON lines) for a file. */
static void print_count(repl *r, uint64_t n, double ms)
{
    char share[16];
    FILE *out = r->mode == REPL_MODE_CSV || r->mode == REPL_MODE_JSONL ? stderr : stdout;
    fprintf(out, "%llu contact%s (%s of %llu)", (unsigned long long)n, n == 1 ? "" : "s",
            repl_share(r, n, share), (unsigned long long)r->contacts);
    if (r->timing)
        fprintf(out, "  %.1f ms", ms);
    fputc('\n', out);
}

/* The members of the predicate at idx; label (may be "") starts the count line. */
static void print_predicate(repl *r, int idx, const char *label)
{
    segrt_set *set = NULL;
    double t0 = cli_now_ms();
    int rc = segrt_lua_eval_predicate(r->sc, idx, &set);
    if (rc != SEGRT_OK) {
        repl_fail(r, rc);
        return;
    }
    fputs(label, stdout);
    print_count(r, segrt_set_count(set), cli_now_ms() - t0);
    print_sample(r, set, idx);
    segrt_set_free(set);
}

/* Runs protected: sel:exists(), at the line that made sel (C has none). */
static int l_exists(lua_State *L)
{
    lua_getfield(L, 1, "exists");                      /* sel, exists */
    lua_pushvalue(L, 1);                               /* sel, exists, sel */
    lua_call(L, 1, 1);                                 /* sel, pred */
    lua_pushliteral(L, "loc");
    lua_pushliteral(L, "loc");
    lua_rawget(L, 1);                                  /* sel, pred, "loc", sel.loc */
    lua_rawset(L, 2);
    return 1;
}

/* E.type: the contacts with such an event (sel:exists()). */
static void print_events(repl *r, int idx)
{
    lua_State *L = r->L;
    lua_pushcfunction(L, l_exists);
    lua_pushvalue(L, idx);                             /* l_exists, sel */
    if (repl_pcall(r, 1, 1) != LUA_OK)
        return;
    print_predicate(r, lua_gettop(L), "with such an event (:exists()): ");
    lua_pop(L, 1);
}

/* ------------------------------------------------------------ values */

static const char *type_word(segrt_value_kind t)
{
    switch (t) {
    case SEGRT_VALUE_NUMBER: return "number";
    case SEGRT_VALUE_TIME: return "time";
    case SEGRT_VALUE_DURATION: return "duration";
    case SEGRT_VALUE_STRING: return "string";
    case SEGRT_VALUE_BOOLEAN: return "boolean";
    case SEGRT_VALUE_SET: return "set";
    case SEGRT_VALUE_PREDICATE: return "predicate";
    }
    return "value";
}

static void format_duration(double secs, char *out, size_t n)
{
    static const struct { double secs; const char *unit; } units[] = {
        { 86400, "days" }, { 3600, "hours" }, { 60, "minutes" }, { 1, "seconds" },
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        double v = secs / units[i].secs;
        if (v >= 1 || v <= -1 || i + 1 == sizeof units / sizeof units[0]) {
            snprintf(out, n, v == (double)(int64_t)v ? "%.0f %s" : "%.1f %s", v, units[i].unit);
            return;
        }
    }
}

/* v (in the plan's domain of t) as text. */
static void format_value(segrt_value_kind t, int64_t v, char *out, size_t n)
{
    char buf[SEGRT_VALUE_TEXT_MAX];
    switch (t) {
    case SEGRT_VALUE_NUMBER:
        segrt_value_format(SEGRT_T_NUMBER, v, buf);
        snprintf(out, n, "%s", buf);
        return;
    case SEGRT_VALUE_TIME:
        if (v % 86400 == 0)
            segrt_value_format(SEGRT_T_DATE, v / 86400, buf);
        else
            segrt_value_format(SEGRT_T_TIMESTAMP, v, buf);
        snprintf(out, n, "%s", buf);
        return;
    case SEGRT_VALUE_DURATION: format_duration((double)v, out, n); return;
    case SEGRT_VALUE_BOOLEAN: snprintf(out, n, "%s", v ? "true" : "false"); return;
    default: snprintf(out, n, "%lld", (long long)v); return;
    }
}

/*
 * The mean of sum: numbers to two decimals, durations in their unit, times
 * to the second, or to the day when min and max are dates.
 */
static void format_mean(const segrt_value_summary *sum, char *out, size_t n)
{
    if (sum->kind == SEGRT_VALUE_NUMBER)
        snprintf(out, n, "%.2f", sum->mean / SEGRT_NUMBER_SCALE);
    else if (sum->kind == SEGRT_VALUE_DURATION)
        format_duration(sum->mean, out, n);
    else if (sum->kind == SEGRT_VALUE_TIME && sum->min % 86400 == 0 && sum->max % 86400 == 0)
        format_value(SEGRT_VALUE_TIME, (int64_t)floor(sum->mean / 86400 + 0.5) * 86400, out, n);
    else
        format_value(sum->kind, (int64_t)sum->mean, out, n);
}

/* A string field: how many distinct values, the most frequent ones. */
static void print_top_values(repl *r, int idx)
{
    rawget_key(r->L, idx, "name");
    const char *name = lua_tostring(r->L, -1);
    repl_values t = { .limit = 5 };
    const char *category = name ? repl_hidden(r, name) : NULL;
    if (category)
        printf("  special category: %s (:purpose shows its values)\n", category);
    else if (name && segrt_field_values_foreach(r->s, name, repl_add_value, &t) == SEGRT_OK)
        printf("  %u distinct: %s%s\n", t.distinct, t.text, t.distinct > t.shown ? ", ..." : "");
    lua_pop(r->L, 1);
}

static int is_constant(lua_State *L, int idx)
{
    static const char *const kinds[] = { "const", "dur", "time", "now", "ago" };
    rawget_key(L, idx, "k");
    const char *k = lua_tostring(L, -1);
    int yes = 0;
    for (size_t i = 0; k && i < sizeof kinds / sizeof kinds[0]; i++)
        yes |= strcmp(k, kinds[i]) == 0;
    int field = k && strcmp(k, "field") == 0;
    lua_pop(L, 1);
    return yes ? 1 : field ? 2 : 0;
}

static void print_value(repl *r, int idx)
{
    segrt_value_summary sum;
    segrt_set *present = NULL;
    double t0 = cli_now_ms();
    int rc = segrt_lua_eval_value(r->sc, idx, &sum, &present);
    double ms = cli_now_ms() - t0;
    segrt_set_free(present);
    if (rc != SEGRT_OK) {
        repl_fail(r, rc);
        return;
    }
    char lo[64], hi[64], mean[64];
    format_value(sum.kind, sum.min, lo, sizeof lo);
    int kind = is_constant(r->L, idx);
    if (kind == 1 && sum.present) {
        printf("%s %s\n", type_word(sum.kind), lo);
        return;
    }
    char share[16];
    printf("%s: %llu contact%s with a value (%s of %llu)", type_word(sum.kind),
           (unsigned long long)sum.present, sum.present == 1 ? "" : "s",
           repl_share(r, sum.present, share), (unsigned long long)r->contacts);
    if (r->timing)
        printf("  %.1f ms", ms);
    putchar('\n');
    if (sum.present == 0)
        return;
    if (sum.kind == SEGRT_VALUE_BOOLEAN) {
        printf("  true for %.2f%%\n", 100.0 * sum.mean);
    } else if (sum.kind == SEGRT_VALUE_NUMBER || sum.kind == SEGRT_VALUE_TIME || sum.kind == SEGRT_VALUE_DURATION) {
        format_value(sum.kind, sum.max, hi, sizeof hi);
        format_mean(&sum, mean, sizeof mean);
        printf("  min %s  max %s  mean %s\n", lo, hi, mean);
    } else if (sum.kind == SEGRT_VALUE_STRING && kind == 2) {
        print_top_values(r, idx);
    }
}

/* ------------------------------------------------------------ results */

/* Runs protected (a __tostring may raise): the value as text. */
static int l_tostring(lua_State *L)
{
    luaL_tolstring(L, 1, NULL);
    return 1;
}

void repl_print_results(repl *r, int first, int last)
{
    lua_State *L = r->L;
    for (int i = first; i <= last; i++) {
        switch (repl_node_kind(r, i)) {
        case NODE_PRED: print_predicate(r, i, ""); break;
        case NODE_VALUE: print_value(r, i); break;
        case NODE_EVENTS: print_events(r, i); break;
        default:
            lua_pushcfunction(L, l_tostring);
            lua_pushvalue(L, i);
            if (repl_pcall(r, 1, 1) == LUA_OK) {       /* text */
                printf("%s\n", lua_tostring(L, -1));
                lua_pop(L, 1);
            }
        }
    }
}

/* ------------------------------------------------------------ segments */

static void print_def_line(lua_State *L, int def, const char *key, const char *label)
{
    lua_getfield(L, def, key);
    const char *v = lua_tostring(L, -1);
    if (v && *v)
        printf("  %-8s %s\n", label, v);
    lua_pop(L, 1);
}

/* Push the where node a segment's members are selected by (a group member: its base's). */
static void push_where(repl *r, int def)
{
    lua_State *L = r->L;
    lua_getfield(L, def, "base");
    if (lua_isstring(L, -1)) {
        segrt_lua_push_registry(r->sc, "by_name");       /* base, by_name */
        lua_getfield(L, -1, lua_tostring(L, -2));     /* base, by_name, basedef */
        lua_replace(L, -3);
        lua_pop(L, 1);
        if (lua_istable(L, -1))
            lua_getfield(L, -1, "where");
        else
            lua_pushnil(L);
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    lua_getfield(L, def, "where");
}

void repl_print_segment(repl *r, const char *name)
{
    lua_State *L = r->L;
    segrt_lua_push_registry(r->sc, "by_name");
    lua_getfield(L, -1, name);                         /* by_name, def */
    int def = lua_gettop(L);
    lua_getfield(L, def, "description");
    const char *desc = lua_tostring(L, -1);
    printf("segment %s%s%s\n", name, desc && *desc ? ": " : "", desc ? desc : "");
    lua_pop(L, 1);
    print_def_line(L, def, "loc", "defined");
    print_def_line(L, def, "purpose", "purpose");
    print_def_line(L, def, "group", "group");
    lua_getfield(L, def, "filter");
    if (lua_isfunction(L, -1))
        printf("  %-8s a Lua function run per selected contact\n", "filter");
    lua_pop(L, 1);
    segrt_set *set = NULL;
    double t0 = cli_now_ms();
    int rc = segrt_segment_eval(r->sc, name, &set);
    double ms = cli_now_ms() - t0;
    if (rc == SEGRT_OK) {
        printf("  %-8s ", "size");
        print_count(r, segrt_set_count(set), ms);
        push_where(r, def);
        print_sample(r, set, lua_istable(L, -1) ? lua_gettop(L) : 0);
        lua_pop(L, 1);
    } else {
        repl_fail(r, rc);
    }
    segrt_set_free(set);
    lua_pop(L, 2);
}

void repl_print_defined(repl *r, const char *name)
{
    segrt_set *set = NULL;
    double t0 = cli_now_ms();
    int rc = segrt_segment_eval(r->sc, name, &set);
    if (rc == SEGRT_OK) {
        printf("segment %s: ", name);
        print_count(r, segrt_set_count(set), cli_now_ms() - t0);
    } else {
        repl_fail(r, rc);
    }
    segrt_set_free(set);
}
