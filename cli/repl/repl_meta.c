/*
 * repl_meta.c — the REPL's :commands (repl.h): :help, :fields, :events,
 * :segments, :show ID, :load FILE, :save FILE, :now [T], :time, :quit.
 *
 * Uses: the public stats API (segrt_fields_foreach, segrt_field_values_foreach,
 * segrt_event_types_foreach), the contact card, and the seg language itself
 * for the date range of each event type (E.type:first() / :last()).
 */
#include "repl.h"

#include <errno.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct meta_cmd {
    const char *name;
    const char *args;
    const char *help;
    void (*run)(repl *r, const char *arg);
} meta_cmd;

/* ------------------------------------------------------------ :help */

static void meta_help(repl *r, const char *arg);

/* ------------------------------------------------------------ :fields */

typedef struct field_row {
    char *name;
    segrt_type type;
    uint64_t present;
} field_row;

typedef struct field_rows {
    field_row *v;
    size_t n, cap;
    int oom;
} field_rows;

static int collect_field(void *ud, const char *name, segrt_type type, uint64_t present)
{
    field_rows *rows = ud;
    char *copy = CLI_ARRAY_RESERVE(rows->v, rows->cap, rows->n + 1) == 0 ? strdup(name) : NULL;
    if (copy == NULL) {
        rows->oom = 1;
        return SEGRT_ENOMEM;
    }
    rows->v[rows->n++] = (field_row){ copy, type, present };
    return 0;
}

/* A foreach that collected rows failed: out of memory collecting them, or what the store says. */
static void collect_failed(repl *r, int rc, int oom)
{
    if (oom)
        repl_error(r, "out of memory");
    else
        repl_fail(r, rc);
}

static void meta_fields(repl *r, const char *arg)
{
    (void)arg;
    field_rows rows = { 0 };
    int rc = segrt_fields_foreach(r->s, collect_field, &rows);
    if (rc != SEGRT_OK) {
        collect_failed(r, rc, rows.oom);
    } else {
        static const char *const header[] = { "field", "type", "contacts", "share", "values" };
        repl_table t;
        repl_table_init(&t, 5, header, 1u << 2 | 1u << 3);
        for (size_t i = 0; i < rows.n && rc == SEGRT_OK; i++) {
            char present[24], share[16], values[256] = "";
            repl_values l = { .limit = 3 };
            snprintf(present, sizeof present, "%llu", (unsigned long long)rows.v[i].present);
            const char *category = repl_hidden(r, rows.v[i].name);
            if (category)
                snprintf(values, sizeof values, "special category: %s (:purpose shows them)",
                         category);
            else if (rows.v[i].type == SEGRT_T_STRING) {
                rc = segrt_field_values_foreach(r->s, rows.v[i].name, repl_add_value, &l);
                snprintf(values, sizeof values, "%u distinct: %s%s", l.distinct, l.text,
                         l.distinct > l.shown ? ", ..." : "");
            }
            const char *row[] = { rows.v[i].name, segrt_type_name(rows.v[i].type), present,
                                  repl_share(r, rows.v[i].present, share), values };
            repl_table_add(&t, row);
        }
        if (rc == SEGRT_OK)
            repl_table_print(&t, 0);
        else {
            repl_table_free(&t);
            repl_fail(r, rc);
        }
    }
    for (size_t i = 0; i < rows.n; i++)
        free(rows.v[i].name);
    free(rows.v);
}

/* ------------------------------------------------------------ :events */

typedef struct type_rows {
    cli_strings names;
    uint64_t *counts; /* counts[i]: events of type names.v[i] */
    size_t cap;
    int oom;
} type_rows;

static int collect_type(void *ud, const char *type, uint64_t n)
{
    type_rows *t = ud;
    if (CLI_ARRAY_RESERVE(t->counts, t->cap, t->names.n + 1) != 0 ||
        cli_strings_add(&t->names, type) != SEGRT_OK) {
        t->oom = 1;
        return SEGRT_ENOMEM;
    }
    t->counts[t->names.n - 1] = n;
    return 0;
}

/*
 * The earliest (first = 1) or latest event of a type over the live contacts,
 * as YYYY-MM-DD: the min of E.type:first() or the max of E.type:last().
 */
static int event_date(repl *r, const char *type, int first, char out[24])
{
    lua_State *L = r->L;
    strcpy(out, "-");
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->module_ref);  /* seg */
    lua_getfield(L, -1, "events");                     /* seg, events */
    lua_pushstring(L, type);
    if (repl_pcall(r, 1, 1) != LUA_OK) {               /* seg, sel */
        lua_pop(L, 1);
        return SEGRT_ELUA;
    }
    lua_getfield(L, -1, first ? "first" : "last");     /* seg, sel, fn */
    lua_insert(L, -2);                                 /* seg, fn, sel */
    if (repl_pcall(r, 1, 1) != LUA_OK) {               /* seg, value */
        lua_pop(L, 1);
        return SEGRT_ELUA;
    }
    segrt_value_summary sum;
    segrt_set *present = NULL;
    int rc = segrt_lua_eval_value(r->sc, -1, &sum, &present);
    segrt_set_free(present);
    lua_pop(L, 2);
    if (rc != SEGRT_OK) {
        repl_fail(r, rc);
        return rc;
    }
    if (sum.present) {
        char ts[21];
        segrt_time_format(first ? sum.min : sum.max, ts);
        snprintf(out, 24, "%.10s", ts);
    }
    return SEGRT_OK;
}

static void meta_events(repl *r, const char *arg)
{
    (void)arg;
    type_rows rows = { .oom = 0 };
    int rc = segrt_event_types_foreach(r->s, collect_type, &rows);
    if (rc != SEGRT_OK) {
        collect_failed(r, rc, rows.oom);
    } else {
        static const char *const header[] = { "type", "events", "first", "last" };
        repl_table t;
        repl_table_init(&t, 4, header, 1u << 1);
        for (size_t i = 0; i < rows.names.n && rc == SEGRT_OK; i++) {
            char n[24], from[24], to[24];
            snprintf(n, sizeof n, "%llu", (unsigned long long)rows.counts[i]);
            rc = event_date(r, rows.names.v[i], 1, from);
            if (rc == SEGRT_OK)
                rc = event_date(r, rows.names.v[i], 0, to);
            const char *row[] = { rows.names.v[i], n, from, to };
            repl_table_add(&t, row);
        }
        if (rc == SEGRT_OK)
            repl_table_print(&t, 0);
        else
            repl_table_free(&t);
    }
    cli_strings_free(&rows.names);
    free(rows.counts);
}

/* ------------------------------------------------------------ :segments */

static void meta_segments(repl *r, const char *arg)
{
    (void)arg;
    size_t n = segrt_script_segment_count(r->sc);
    if (n == 0) {
        printf("no segments yet: seg.segment \"name\" { where = ... }, or :load FILE\n");
        return;
    }
    static const char *const header[] = { "segment", "size", "share", "defined", "description" };
    repl_table t;
    repl_table_init(&t, 5, header, 1u << 1 | 1u << 2);
    lua_State *L = r->L;
    segrt_lua_push_registry(r->sc, "by_name");            /* by_name */
    repl_interrupt_clear();
    for (size_t i = 0; i < n && !repl_interrupted(); i++) {
        const char *name = segrt_script_segment_name(r->sc, i);
        segrt_set *set = NULL;
        char size[24] = "error", share[16] = "";
        int rc = segrt_segment_eval(r->sc, name, &set);
        if (rc == SEGRT_OK) {
            snprintf(size, sizeof size, "%llu", (unsigned long long)segrt_set_count(set));
            repl_share(r, segrt_set_count(set), share);
        }
        segrt_set_free(set);
        lua_getfield(L, -1, name);                     /* by_name, def */
        lua_getfield(L, -1, "loc");                    /* by_name, def, loc */
        lua_getfield(L, -2, "description");            /* by_name, def, loc, desc */
        const char *row[] = { name, size, share, lua_tostring(L, -2), lua_tostring(L, -1) };
        repl_table_add(&t, row);
        lua_pop(L, 3);
    }
    lua_pop(L, 1);
    repl_table_print(&t, 0);
    if (repl_interrupted())
        repl_error(r, "interrupted");
    repl_interrupt_clear();
}

/* ------------------------------------------------------------ :show, :load, :save */

static void meta_show(repl *r, const char *id)
{
    char *text = NULL;
    int rc = cli_special_card(r->s, r->sc, id, r->purpose[0] ? r->purpose : NULL, &text, NULL);
    if (rc == SEGRT_OK)
        fputs(text, stdout);
    else
        repl_fail(r, rc);
    segrt_free(text);
}

static void meta_load(repl *r, const char *path)
{
    repl_load_file(r, path);
}

/* Scripts may not assign globals: what the session assigned becomes locals of the file. */
static void declare_globals(repl *r, FILE *f)
{
    lua_State *L = r->L;
    int top = lua_gettop(L);
    segrt_lua_push_registry(r->sc, "repl_globals");
    const char *sep = "local ";
    for (lua_pushnil(L); lua_istable(L, top + 1) && lua_next(L, top + 1); lua_pop(L, 1)) {
        fprintf(f, "%s%s", sep, lua_tostring(L, -2));
        sep = ", ";
    }
    if (sep[0] == ',')
        fputc('\n', f);
    lua_settop(L, top);
}

static void meta_save(repl *r, const char *path)
{
    if (r->saved.n == 0) {
        repl_error(r, "nothing to save: this session defined no segment, score or group");
        return;
    }
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        repl_error(r, "cannot write %s: %m", path);
        return;
    }
    char now[21];
    segrt_time_format(segrt_store_now(r->s), now);
    fprintf(f, "-- Saved from a segrt repl session (NOW was %s).\n"
               "-- Evaluate with: segrt run --db DIR %s\n", now, path);
    for (size_t i = 0; i < r->loaded.n; i++)
        fprintf(f, "-- The session had also loaded %s (not included).\n", r->loaded.v[i]);
    fputs("local seg = require \"segrt\"\n"
          "local F, E, S, days, hours = seg.F, seg.E, seg.S, seg.days, seg.hours\n", f);
    declare_globals(r, f);
    for (size_t i = 0; i < r->saved.n; i++)
        fprintf(f, "\n%s\n", r->saved.v[i]);
    if (ferror(f) | (fclose(f) != 0)) {
        repl_error(r, "cannot write %s: %m", path);
        return;
    }
    printf("saved %zu statement%s to %s\n", r->saved.n, r->saved.n == 1 ? "" : "s", path);
}

/* ------------------------------------------------------------ :now, :time, :quit */

static void meta_now(repl *r, const char *arg)
{
    int64_t t;
    if (*arg && segrt_time_parse(arg, &t) != SEGRT_OK) {
        repl_error(r, ":now '%s' is not a time (YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD)", arg);
        return;
    }
    if (*arg)
        segrt_store_set_now(r->s, t);
    char text[21];
    segrt_time_format(segrt_store_now(r->s), text);
    printf("NOW = %s\n", text);
}

static void meta_time(repl *r, const char *arg)
{
    (void)arg;
    r->timing = !r->timing;
    printf("timing %s\n", r->timing ? "on" : "off");
}

static void meta_mode(repl *r, const char *arg)
{
    static const char *const modes[] = { "table", "csv", "jsonl", "line" };
    for (int i = 0; i < 4; i++) {
        if (*arg == '\0' || strcmp(arg, modes[i]) == 0) {
            r->mode = *arg ? i : r->mode;
            printf("mode %s\n", modes[r->mode]);
            return;
        }
    }
    repl_error(r, ":mode '%s' is not table, csv, jsonl or line", arg);
}

static void meta_limit(repl *r, const char *arg)
{
    char *end;
    errno = 0;
    long long n = *arg ? strtoll(arg, &end, 10) : (long long)r->limit;
    if (*arg && (errno || *end || n < 0)) {
        repl_error(r, ":limit '%s' is not a whole number (0: every member)", arg);
        return;
    }
    r->limit = (size_t)n;
    if (r->limit)
        printf("limit %zu members\n", r->limit);
    else
        printf("limit none: every member\n");
}

static void meta_once(repl *r, const char *arg)
{
    int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        repl_error(r, ":once %s: %s", arg, strerror(errno));
        return;
    }
    repl_once_end(r); /* an earlier :once not used yet */
    fflush(stdout);
    r->once_saved = dup(STDOUT_FILENO);
    if (r->once_saved < 0 || dup2(fd, STDOUT_FILENO) < 0) {
        repl_error(r, ":once %s: %s", arg, strerror(errno));
        if (r->once_saved >= 0)
            close(r->once_saved);
        r->once_saved = -1;
    } else {
        r->once_armed = 1;
    }
    close(fd);
}

void repl_once_end(repl *r)
{
    if (r->once_armed) { /* the command was :once: the next result goes to the file */
        r->once_armed = 0;
        return;
    }
    if (r->once_saved < 0)
        return;
    fflush(stdout);
    dup2(r->once_saved, STDOUT_FILENO);
    close(r->once_saved);
    r->once_saved = -1;
}

const char *repl_hidden(const repl *r, const char *field)
{
    return r->purpose[0] ? NULL : segrt_script_sensitive(r->sc, field);
}

/* :purpose [P|none]: special-category values shown under a purpose resting on explicit consent. */
static void meta_purpose(repl *r, const char *arg)
{
    if (strcmp(arg, "none") == 0)
        r->purpose[0] = '\0';
    else if (*arg && (!segrt_script_purpose_explicit(r->sc, arg) || strlen(arg) >= sizeof r->purpose)) {
        repl_error(r, ":purpose %s does not rest on explicit consent (its seg.consent must accept "
                      "the legal basis consent only)", arg);
        return;
    } else if (*arg) {
        snprintf(r->purpose, sizeof r->purpose, "%s", arg);
    }
    if (r->purpose[0])
        printf("purpose %s: special-category values shown (a card: when the contact granted "
               "it)\n", r->purpose);
    else
        printf("purpose none: special-category values hidden\n");
}

static void meta_quit(repl *r, const char *arg)
{
    (void)arg;
    r->quit = 1;
}

/* ------------------------------------------------------------ dispatch */

static const meta_cmd commands[] = {
    { "help", "", "this list", meta_help },
    { "fields", "", "contact fields: type, how many contacts have one, common values",
      meta_fields },
    { "events", "", "event types: how many, first and last date", meta_events },
    { "segments", "", "the segments defined so far, with their sizes", meta_segments },
    { "show", "ID", "the card of contact ID", meta_show },
    { "load", "FILE", "run a segment script; its segments join the session", meta_load },
    { "save", "FILE", "write this session's definitions as a script for segrt run", meta_save },
    { "now", "[T]", "print or set NOW (YYYY-MM-DDTHH:MM:SSZ)", meta_now },
    { "time", "", "toggle printing evaluation times", meta_time },
    { "mode", "[table|csv|jsonl|line]", "how members are shown", meta_mode },
    { "limit", "[N]", "how many members are shown (0: all; default 5)", meta_limit },
    { "once", "FILE", "the next result goes to FILE (e.g. :mode csv first)", meta_once },
    { "purpose", "[P|none]", "show special-category values under P (explicit consent)",
      meta_purpose },
    { "quit", "", "leave (also Ctrl-D)", meta_quit },
};

const char *const repl_meta_names[] = { "help", "fields", "events", "segments", "show", "load",
                                        "save", "now", "time", "mode", "limit", "once",
                                        "purpose", "quit", NULL };

static void meta_help(repl *r, const char *arg)
{
    (void)r;
    (void)arg;
    printf("Type Lua with the seg language: seg, F (contact fields), E (event types),\n"
           "S (scores), days and hours are ready.\n"
           "  F.region:eq \"mazowieckie\" & E.purchase:within(days(30)):exists()\n"
           "      a predicate: its count, share, time and first members\n"
           "  E.purchase:sum \"amount\"     a value: who has one, min, max, mean\n"
           "  seg.segment \"vip\" { where = E.purchase:sum \"amount\" :gt(5000) }\n"
           "      defines a segment (an unfinished statement continues on the next line)\n"
           "  vip                          a segment by name: definition, size, members\n"
           "  =expr                        print the value of expr\n"
           "Tab completes seg., F., E., S., segment names and :commands; Ctrl-C cancels\n"
           "the line or a running evaluation; Ctrl-D leaves.\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        char head[32];
        snprintf(head, sizeof head, ":%s%s%s", commands[i].name, *commands[i].args ? " " : "",
                 commands[i].args);
        printf("  %-14s %s\n", head, commands[i].help);
    }
}

void repl_meta(repl *r, const char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    line++; /* the ':' */
    size_t n = strcspn(line, " \t");
    const char *arg = line + n + strspn(line + n, " \t");
    char argbuf[4096];
    snprintf(argbuf, sizeof argbuf, "%s", arg);
    for (size_t len = strlen(argbuf); len && (argbuf[len - 1] == ' ' || argbuf[len - 1] == '\t');)
        argbuf[--len] = '\0';
    if (n == 1 && line[0] == 'q')
        n = 4, line = "quit";
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strlen(commands[i].name) != n || strncmp(commands[i].name, line, n) != 0)
            continue;
        if (*commands[i].args == '\0' || *commands[i].args == '[' || *argbuf)
            commands[i].run(r, argbuf);
        else
            repl_error(r, "usage: :%s %s", commands[i].name, commands[i].args);
        return;
    }
    repl_error(r, "unknown command ':%.*s' (:help lists them)", (int)n, line);
}
