/*
 * repl_eval.c — running REPL statements in the script's Lua state (repl.h).
 *
 * Like lua.c: a statement is first compiled as "return <text>" so that an
 * expression prints its value, then as written; a syntax error at <eof>
 * means "read another line". Statements run with an _ENV whose writes go to
 * the globals and are noticed, so :save keeps the assignments a segment may
 * use. Errors print with a traceback trimmed to the user's frames. Ctrl-C
 * sets a flag that a count hook turns into a Lua error ("interrupted").
 *
 * Uses: segrt/lua.h (the state, the seg registry, refreshing the segments,
 * protected calls with the user's traceback).
 */
#include "repl.h"

#include <lauxlib.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EOFMARK "<eof>"

static volatile sig_atomic_t interrupt_flag;

static void on_sigint(int sig)
{
    (void)sig;
    interrupt_flag = 1;
}

int repl_interrupted(void)
{
    return interrupt_flag != 0;
}

void repl_interrupt_clear(void)
{
    interrupt_flag = 0;
}

void repl_error(repl *r, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    if (r->colour)
        fputs("\033[31m", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (r->colour)
        fputs("\033[0m", stderr);
    fputc('\n', stderr);
    r->errors++;
}

void repl_fail(repl *r, int rc)
{
    const char *msg = segrt_errmsg(r->s);
    repl_error(r, "%s", msg && *msg ? msg : segrt_strerror(rc));
}

/*
 * Print the error text on top of the stack: the message, with the user's
 * frames when a function of theirs was running (segrt_lua_pcall's handler).
 */
static void report_lua_error(repl *r)
{
    const char *text = lua_tostring(r->L, -1);
    repl_error(r, "%s", text ? text : "(error object is not a string)");
    lua_pop(r->L, 1);
}

int repl_pcall(repl *r, int nargs, int nresults)
{
    repl_interrupt_clear();
    segrt_lua_begin_call(r->sc); /* each line has its own budget and deadline */
    int status = segrt_lua_pcall(r->sc, nargs, nresults);
    if (status != LUA_OK && r->tty && repl_interrupted())
        putchar('\n'); /* after the ^C the terminal echoed */
    if (status != LUA_OK)
        report_lua_error(r);
    repl_interrupt_clear();
    return status;
}

/* ------------------------------------------------------------ setup */

static const char prelude[] =
    "local seg = require \"segrt\"\n"
    "for k, v in pairs { seg = seg, F = seg.F, E = seg.E, S = seg.S, days = seg.days,\n"
    "                    hours = seg.hours } do rawset(_G, k, v) end\n";

/*
 * The statements' _ENV, a function that tells (once) whether a global was
 * written through it, and the metatables of the three kinds of seg node.
 */
static const char session_code[] =
    "local seg = require \"segrt\"\n"
    "local G, written, assigned = _G, false, {}\n"
    "seg._registry.repl_globals = assigned -- :save declares them as locals\n"
    "local env = setmetatable({}, { __index = G,\n"
    "  __newindex = function(_, k, v)\n"
    "    rawset(G, k, v); written = true\n"
    "    if type(k) == \"string\" then assigned[k] = true end\n"
    "  end })\n"
    "local function was_written() local w = written; written = false; return w end\n"
    "seg._registry.redefine = true -- refining a segment at the prompt replaces it\n"
    "return env, was_written, seg, getmetatable(seg.all {}), getmetatable(seg.F.x),\n"
    "       getmetatable(seg.E.x)\n";

int repl_setup(repl *r)
{
    int rc = segrt_script_load_string(r->s, "repl", prelude, strlen(prelude), &r->sc);
    if (rc != SEGRT_OK)
        return rc;
    r->L = segrt_lua_state(r->sc);
    lua_State *L = r->L;
    if (luaL_loadbufferx(L, session_code, strlen(session_code), "=repl", "t") != LUA_OK ||
        lua_pcall(L, 0, 6, 0) != LUA_OK) {
        repl_error(r, "setting up the session: %s", lua_tostring(L, -1));
        lua_pop(L, 1);
        return SEGRT_ELUA;
    }
    for (int i = 2; i >= 0; i--)
        r->mt_ref[i] = luaL_ref(L, LUA_REGISTRYINDEX);  /* pops the metatables */
    r->module_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    r->written_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    r->env_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    segrt_lua_set_interrupt(r->sc, &interrupt_flag); /* the sandbox's hook stops the Lua code */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint; /* no SA_RESTART: a wait for piped input returns EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) != 0) {
        repl_error(r, "cannot handle Ctrl-C");
        return SEGRT_EIO;
    }
    return SEGRT_OK;
}

int repl_node_kind(repl *r, int idx)
{
    lua_State *L = r->L;
    if (!lua_getmetatable(L, idx))
        return NODE_NONE;
    int kind = NODE_NONE;
    for (int i = 0; i < 3 && kind == NODE_NONE; i++) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, r->mt_ref[i]);
        if (lua_rawequal(L, -1, -2))
            kind = i;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return kind;
}

/* ------------------------------------------------------------ definitions */

/*
 * Entries in the seg module's registry: segments, scores, exclusive groups,
 * consent checks and whatever else the module registers. A statement that
 * changes the total defined something.
 */
static size_t definitions(repl *r)
{
    lua_State *L = r->L;
    size_t n = 0;
    segrt_lua_push_registry(r->sc, NULL);              /* reg */
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {                     /* reg, key, kind */
        if (lua_istable(L, -1)) {
            lua_pushnil(L);
            while (lua_next(L, -2) != 0) {             /* reg, key, kind, k, v */
                lua_pop(L, 1);
                n++;
            }
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return n;
}

static int global_written(repl *r)
{
    lua_rawgeti(r->L, LUA_REGISTRYINDEX, r->written_ref);
    int w = lua_pcall(r->L, 0, 1, 0) == LUA_OK && lua_toboolean(r->L, -1);
    lua_pop(r->L, 1);
    return w;
}

/* Re-read the segment list; print a line for each segment from index first on. */
static void segments_changed(repl *r, size_t first)
{
    int rc = segrt_lua_refresh_segments(r->sc);
    if (rc != SEGRT_OK) {
        repl_fail(r, rc);
        return;
    }
    for (size_t i = first; i < segrt_script_segment_count(r->sc); i++)
        repl_print_defined(r, segrt_script_segment_name(r->sc, i));
}

/* ------------------------------------------------------------ statements */

static int incomplete(lua_State *L, int status)
{
    if (status != LUA_ERRSYNTAX)
        return 0;
    size_t n;
    const char *msg = lua_tolstring(L, -1, &n);
    return msg && n >= strlen(EOFMARK) && strcmp(msg + n - strlen(EOFMARK), EOFMARK) == 0;
}

/* A bare name of a segment that is not a global ("vip", "tier.gold"), or NULL. */
static const char *bare_segment(repl *r, const char *text, char *buf, size_t n)
{
    while (*text == ' ' || *text == '\t')
        text++;
    size_t len = strcspn(text, " \t\r\n");
    if (len == 0 || len >= n || text[len + strspn(text + len, " \t\r\n")] != '\0')
        return NULL;
    memcpy(buf, text, len);
    buf[len] = '\0';
    if (cli_segment_index(r->sc, buf) < 0)
        return NULL;
    char head[256];
    snprintf(head, sizeof head, "%.*s", (int)strcspn(buf, "."), buf);
    lua_pushglobaltable(r->L);                         /* _G */
    lua_pushstring(r->L, head);
    int is_global = lua_rawget(r->L, -2) != LUA_TNIL;  /* _G, value */
    lua_pop(r->L, 2);
    return is_global ? NULL : buf;
}

/*
 * Compile text as an expression, else as a statement; the function or the
 * error on top. The expression is passed through a function rather than
 * returned directly: "return f(x)" would be a tail call, and the nodes the
 * seg module builds in it would not know their line (nor would tracebacks).
 */
static int compile(repl *r, const char *text, const char *chunk)
{
    lua_State *L = r->L;
    int is_expr = text[0] == '=';
    const char *body = is_expr ? text + 1 : text;
    /* ")" on a line of its own only after a comment: lines stay as typed */
    lua_pushfstring(L, "return (function(...) return ... end)(%s%s)", body,
                    strstr(body, "--") ? "\n" : "");
    int status = luaL_loadbufferx(L, lua_tostring(L, -1), lua_rawlen(L, -1), chunk, "t");
    lua_remove(L, -2);
    if (status == LUA_OK || is_expr)
        return status;
    lua_pop(L, 1);
    return luaL_loadbufferx(L, text, strlen(text), chunk, "t");
}

int repl_eval(repl *r, const char *text, int final)
{
    lua_State *L = r->L;
    char name[512];
    const char *seg_name = bare_segment(r, text, name, sizeof name);
    if (seg_name) {
        repl_print_segment(r, seg_name);
        return REPL_DONE;
    }
    int top = lua_gettop(L);
    char chunk[64];
    snprintf(chunk, sizeof chunk, "=input#%lu", r->n);
    int status = compile(r, text, chunk);
    if (!final && incomplete(L, status)) {
        lua_settop(L, top);
        return REPL_MORE;
    }
    if (status != LUA_OK) {
        report_lua_error(r);
        lua_settop(L, top);
        return REPL_DONE;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->env_ref);
    if (lua_setupvalue(L, -2, 1) == NULL)              /* fn._ENV = env */
        lua_pop(L, 1);
    size_t defs = definitions(r), nseg = segrt_script_segment_count(r->sc);
    double t0 = cli_now_ms();
    status = repl_pcall(r, 0, LUA_MULTRET);
    double ms = cli_now_ms() - t0;
    int wrote = global_written(r);
    int defined = definitions(r) != defs;
    if (status == LUA_OK && (defined || wrote) && cli_strings_add(&r->saved, text) != 0)
        repl_error(r, "out of memory: this statement will not be saved");
    if (defined)
        segments_changed(r, nseg);
    if (status == LUA_OK) {
        repl_print_results(r, top + 1, lua_gettop(L));
        if (r->timing && lua_gettop(L) == top && !defined)
            printf("(%.1f ms)\n", ms);
    }
    lua_settop(L, top);
    return REPL_DONE;
}

int repl_load_file(repl *r, const char *path)
{
    size_t nseg = segrt_script_segment_count(r->sc);
    segrt_lua_push_script(r->sc, path); /* a file, a folder pack or a pack's name */
    int status = repl_pcall(r, 0, 0);
    if (segrt_lua_refresh_segments(r->sc) != SEGRT_OK) {
        repl_fail(r, SEGRT_ENOMEM);
        return SEGRT_ENOMEM;
    }
    if (status != LUA_OK)
        return SEGRT_ELUA;
    if (cli_strings_add(&r->loaded, path) != 0) {
        repl_error(r, "out of memory");
        return SEGRT_ENOMEM;
    }
    size_t added = segrt_script_segment_count(r->sc) - nseg;
    printf("loaded %s: %zu segment%s", path, added, added == 1 ? "" : "s");
    for (size_t i = nseg; i < nseg + added && i < nseg + 8; i++)
        printf("%s%s", i == nseg ? " (" : ", ", segrt_script_segment_name(r->sc, i));
    printf("%s\n", added > 8 ? ", ...)" : added ? ")" : "");
    return SEGRT_OK;
}
