/*
 * repl_complete.c — Tab completion in the REPL (repl.h), bound on libedit:
 *   :wor        the :commands (at the start of a line)
 *   F.reg       contact fields (seg.F. too), E.pur event types, S. scores
 *   seg.seg     any table reachable from a global: its keys
 *   x:wh        the methods of x (of seg values and selections after "):")
 *   vi          globals, Lua keywords and segment names
 * One candidate is inserted whole; several insert their common prefix, or
 * are listed when there is none to add.
 *
 * Uses: the public stats API for fields and event types (read once), the
 * Lua state for globals, tables and methods.
 */
#include "repl.h"

#include <ctype.h>
#include <histedit.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.';
}

/* ------------------------------------------------------------ names from the store */

static int add_field(void *ud, const char *name, segrt_type type, uint64_t present)
{
    (void)type;
    (void)present;
    return cli_strings_add(ud, name);
}

static int add_type(void *ud, const char *type, uint64_t n)
{
    (void)n;
    return cli_strings_add(ud, type);
}

/* Fields and event types do not change while the REPL runs (it only reads). */
static void load_names(repl *r)
{
    if (r->names_loaded)
        return;
    r->names_loaded = 1;
    if (segrt_fields_foreach(r->s, add_field, &r->fields) != SEGRT_OK ||
        cli_strings_add(&r->fields, "age") != 0 ||
        segrt_event_types_foreach(r->s, add_type, &r->types) != SEGRT_OK)
        r->names_loaded = 0; /* try again at the next Tab */
}

/* ------------------------------------------------------------ candidates */

typedef struct cands {
    cli_strings list;
    const char *word;   /* what the candidates must start with */
    const char *prefix; /* put before each name ("F." for fields) */
} cands;

static void offer(cands *c, const char *name)
{
    char full[512];
    snprintf(full, sizeof full, "%s%s", c->prefix, name);
    if (strncmp(full, c->word, strlen(c->word)) == 0)
        cli_strings_add(&c->list, full); /* short of memory, a candidate is only not offered */
}

static void offer_all(cands *c, const cli_strings *l)
{
    for (size_t i = 0; i < l->n; i++)
        offer(c, l->v[i]);
}

/* The string keys of the table on top (raw: no metamethod runs); only functions if asked. */
static void offer_keys(repl *r, cands *c, int only_functions)
{
    lua_State *L = r->L;
    if (!lua_istable(L, -1))
        return;
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {                     /* t, k, v */
        if (lua_type(L, -2) == LUA_TSTRING && (!only_functions || lua_isfunction(L, -1))) {
            const char *k = lua_tostring(L, -2);
            if (k[0] != '_')
                offer(c, k);
        }
        lua_pop(L, 1);
    }
}

/*
 * The methods given by the metatable on top: its __index table's functions,
 * or, when __index is a function (as for seg values), the metatable's own.
 */
static void offer_metatable(repl *r, cands *c)
{
    lua_State *L = r->L;
    lua_pushliteral(L, "__index");
    lua_rawget(L, -2);                                 /* mt, index */
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);                          /* mt, mt */
    }
    offer_keys(r, c, 1);
    lua_pop(L, 1);
}

/* Runs protected: push the value of a dotted path of globals ("seg", "string"). */
static int l_resolve(lua_State *L)
{
    const char *path = lua_tostring(L, 1);
    lua_pushglobaltable(L);                            /* _G */
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ".");
        if (!lua_istable(L, -1))
            return 0;
        lua_pushlstring(L, p, n);
        lua_gettable(L, -2);                           /* parent, child */
        lua_remove(L, -2);
        p += n + (p[n] == '.');
    }
    return 1;
}

/* Push the value of path (nil when it does not resolve or resolving raised). */
static void push_path(repl *r, const char *path)
{
    lua_State *L = r->L;
    lua_pushcfunction(L, l_resolve);
    lua_pushstring(L, path);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        lua_pop(L, 1);
        lua_pushnil(L);
    }
}

static void complete_dotted(repl *r, cands *c, const char *word)
{
    char base[256];
    size_t dot = (size_t)(strrchr(word, '.') - word);
    snprintf(base, sizeof base, "%.*s", (int)dot, word);
    char prefix[260];
    snprintf(prefix, sizeof prefix, "%s.", base);
    c->prefix = prefix;
    if (strcmp(base, "F") == 0 || strcmp(base, "seg.F") == 0) {
        load_names(r);
        offer_all(c, &r->fields);
    } else if (strcmp(base, "E") == 0 || strcmp(base, "seg.E") == 0) {
        load_names(r);
        offer_all(c, &r->types);
    } else if (strcmp(base, "S") == 0 || strcmp(base, "seg.S") == 0) {
        segrt_lua_push_registry(r->sc, "scores");
        offer_keys(r, c, 0);
        lua_pop(r->L, 1);
    } else {
        push_path(r, base);
        offer_keys(r, c, 0);
        lua_pop(r->L, 1);
    }
    c->prefix = "";
    for (size_t i = 0; i < segrt_script_segment_count(r->sc); i++) /* group.member */
        offer(c, segrt_script_segment_name(r->sc, i));
}

static void complete_method(repl *r, cands *c, const char *path)
{
    if (*path) {
        push_path(r, path);                            /* x */
        if (lua_getmetatable(r->L, -1)) {              /* x, mt */
            offer_metatable(r, c);
            lua_pop(r->L, 1);
        }
        lua_pop(r->L, 1);
        return;
    }
    for (int i = NODE_VALUE; i <= NODE_EVENTS; i++) { /* after "):" — a value or a selection */
        lua_rawgeti(r->L, LUA_REGISTRYINDEX, r->mt_ref[i]);
        offer_metatable(r, c);
        lua_pop(r->L, 1);
    }
}

static void complete_bare(repl *r, cands *c)
{
    static const char *const keywords[] = {
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
        "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
    };
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        offer(c, keywords[i]);
    lua_pushglobaltable(r->L);
    offer_keys(r, c, 0);
    lua_pop(r->L, 1);
    for (size_t i = 0; i < segrt_script_segment_count(r->sc); i++)
        offer(c, segrt_script_segment_name(r->sc, i));
}

/* ------------------------------------------------------------ libedit */

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_candidates(const cli_strings *l)
{
    size_t width = 1;
    for (size_t i = 0; i < l->n; i++)
        width = strlen(l->v[i]) > width ? strlen(l->v[i]) : width;
    size_t cols = 78 / (width + 2);
    cols = cols ? cols : 1;
    putchar('\n');
    for (size_t i = 0; i < l->n; i++)
        printf("%-*s%s", (int)width + 2, l->v[i], (i + 1) % cols == 0 || i + 1 == l->n ? "\n" : "");
}

static unsigned char complete(EditLine *el, int ch)
{
    (void)ch;
    repl *r = NULL;
    el_get(el, EL_CLIENTDATA, &r);
    const LineInfo *li = el_line(el);
    char pre[1024];
    size_t n = (size_t)(li->cursor - li->buffer);
    if (r == NULL || n >= sizeof pre)
        return CC_ERROR;
    memcpy(pre, li->buffer, n);
    pre[n] = '\0';
    size_t ws = n;
    while (ws > 0 && word_char(pre[ws - 1]))
        ws--;
    const char *word = pre + ws;
    cands c = { .word = word, .prefix = "" };
    if (ws > 0 && pre[ws - 1] == ':') {
        size_t ps = ws - 1;
        while (ps > 0 && word_char(pre[ps - 1]))
            ps--;
        if (strspn(pre, " \t") >= ws - 1) {
            for (const char *const *m = repl_meta_names; *m; m++)
                offer(&c, *m);
        } else {
            pre[ws - 1] = '\0';
            complete_method(r, &c, pre + ps);
        }
    } else if (strchr(word, '.')) {
        complete_dotted(r, &c, word);
    } else {
        complete_bare(r, &c);
    }
    cli_strings *l = &c.list;
    if (l->n == 0)
        return CC_ERROR;
    qsort(l->v, l->n, sizeof *l->v, by_text);
    size_t u = 1;
    for (size_t i = 1; i < l->n; i++) { /* drop duplicates */
        if (strcmp(l->v[i], l->v[u - 1]) == 0)
            free(l->v[i]);
        else
            l->v[u++] = l->v[i];
    }
    l->n = u;
    size_t wl = strlen(word), common = strlen(l->v[0]);
    for (size_t i = 1; i < l->n; i++) {
        size_t k = 0;
        while (k < common && l->v[i][k] == l->v[0][k])
            k++;
        common = k;
    }
    unsigned char result = CC_REFRESH;
    if (common > wl) {
        l->v[0][common] = '\0';
        if (el_insertstr(el, l->v[0] + wl) != 0)
            result = CC_ERROR;
    } else if (l->n > 1) {
        list_candidates(l);
        result = CC_REDISPLAY;
    }
    cli_strings_free(l);
    return result;
}

int repl_complete_install(repl *r)
{
    /* el_wset: the narrow el_set copies the name and help and never frees the copies */
    if (el_wset(r->el, EL_ADDFN, L"segrt-complete", L"complete seg names", complete) != 0 ||
        el_set(r->el, EL_BIND, "^I", "segrt-complete", NULL) != 0)
        return SEGRT_EINVAL;
    return SEGRT_OK;
}
