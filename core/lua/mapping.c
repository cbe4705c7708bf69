/*
 * mapping.c — import mappings (segrt import --mapping FILE.lua): a Lua file
 * returning function(row) that turns one CSV row (column name -> text, blank
 * cells absent) into the row segrt reads (field -> value: a string, number,
 * boolean, list for a set, table for a nested event attribute), e.g.
 * splitting a full name or building an id. It runs sandboxed as segment
 * scripts do (the safe libraries, strict globals, the store's memory,
 * instruction and time limits per row) with one helper, id_from_email(s),
 * the id --id-from email would make. A Lua error rejects the row with its
 * file:line; returning nil rejects it as skipped.
 *
 * Uses: script_lua.h (the sandbox and libraries), email.h, jansson (the row
 * handed to the importer as JSON text, import.c).
 */
#include "lua/script_lua.h"

#include "util/buf.h"
#include "util/email.h"

#include <jansson.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 16 /* nesting of the returned row's tables */

struct segrt_mapping {
    segrt_store *s;
    lua_State *L;
    sandbox sb;
    int fn;      /* registry reference of the row function */
    buf scratch; /* id_from_email's normalised address */
};

/* id_from_email(s): "e:" + hex XXH64 of the normalised address, or nil when blank. */
static int l_id_from_email(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    segrt_mapping *m = lua_touserdata(L, lua_upvalueindex(1));
    char id[EMAIL_ID_BYTES];
    int len = email_id(s, n, &m->scratch, id);
    if (len < 0)
        return luaL_error(L, "out of memory");
    if (len == 0)
        lua_pushnil(L);
    else
        lua_pushlstring(L, id, (size_t)len);
    return 1;
}

/* Protected: the libraries, the helper, then the file's chunk, which must return a function. */
static int open_mapping(lua_State *L)
{
    segrt_mapping *m = lua_touserdata(L, 1);
    const char *path = lua_tostring(L, 2);
    script_safe_libs(L);
    lua_pushglobaltable(L); /* raw: the globals are strict now */
    lua_pushnil(L);
    lua_setfield(L, -2, "require"); /* a mapping stands alone (an existing key: no metamethod) */
    lua_pushlightuserdata(L, m);
    lua_pushcclosure(L, l_id_from_email, 1);
    lua_pushstring(L, "id_from_email");
    lua_insert(L, -2);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    if (luaL_loadfilex(L, path, "t") != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, 1);
    if (!lua_isfunction(L, -1))
        return luaL_error(L, "%s: a mapping returns function(row), which returns the row's "
                          "fields; this returns a %s", path, luaL_typename(L, -1));
    return 1;
}

int segrt_mapping_load(segrt_store *s, const char *path, segrt_mapping **out)
{
    if (out)
        *out = NULL;
    if (s == NULL || path == NULL || out == NULL)
        return s ? store_fail(s, SEGRT_EINVAL, "segrt_mapping_load: bad arguments") : SEGRT_EINVAL;
    segrt_mapping *m = calloc(1, sizeof *m);
    if (m == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory loading a mapping");
    m->s = s;
    m->sb.limits = script_store_limits(s);
    snprintf(m->sb.name, sizeof m->sb.name, "%s", path);
    if ((m->L = sandbox_state(&m->sb)) == NULL) {
        free(m);
        return store_fail(s, SEGRT_ENOMEM, "out of memory creating a Lua state");
    }
    lua_pushcfunction(m->L, open_mapping);
    lua_pushlightuserdata(m->L, m);
    lua_pushstring(m->L, path);
    sandbox_begin(&m->sb);
    if (script_pcall(m->L, 2, 1) != LUA_OK) {
        char why[256];
        const char *msg = sandbox_why(&m->sb, why, sizeof why);
        store_fail(s, SEGRT_ELUA, "%s", msg ? msg : lua_tostring(m->L, -1));
        segrt_mapping_free(m);
        return SEGRT_ELUA;
    }
    m->fn = luaL_ref(m->L, LUA_REGISTRYINDEX);
    *out = m;
    return SEGRT_OK;
}

void segrt_mapping_free(segrt_mapping *m)
{
    if (m == NULL)
        return;
    if (m->L)
        lua_close(m->L);
    buf_free(&m->scratch);
    free(m);
}

/* Protected: the row table from the cells, then the mapping's answer. */
static int call_row(lua_State *L)
{
    size_t n = (size_t)lua_tointeger(L, 2);
    const char *const *names = lua_touserdata(L, 3);
    const char *const *values = lua_touserdata(L, 4);
    const size_t *lens = lua_touserdata(L, 5);
    lua_settop(L, 1);
    lua_createtable(L, 0, (int)n);
    for (size_t i = 0; i < n; i++) {
        if (values[i] == NULL)
            continue; /* a blank cell is no value */
        lua_pushlstring(L, values[i], lens[i]);
        lua_setfield(L, -2, names[i]);
    }
    lua_call(L, 1, 1);
    return 1;
}

/* A JSON value of the Lua value at idx; NULL with why (a row the importer cannot take). */
static json_t *to_json(lua_State *L, int idx, int depth, char *why, size_t n);

/* Whether the table at idx is a list: keys 1..#t only (an empty table is an empty list). */
static int is_list(lua_State *L, int idx)
{
    lua_Unsigned len = lua_rawlen(L, idx), count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        count++;
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 ||
            (lua_Unsigned)lua_tointeger(L, -1) > len) {
            lua_pop(L, 1);
            return 0;
        }
    }
    return count == len;
}

static json_t *table_json(lua_State *L, int idx, int depth, char *why, size_t n)
{
    if (depth > MAX_DEPTH) {
        snprintf(why, n, "the mapping's row nests tables more than %d deep", MAX_DEPTH);
        return NULL;
    }
    int list = is_list(L, idx);
    json_t *out = list ? json_array() : json_object();
    if (out == NULL) {
        snprintf(why, n, "out of memory");
        return NULL;
    }
    if (list) {
        for (lua_Unsigned i = 1; i <= lua_rawlen(L, idx); i++) {
            lua_rawgeti(L, idx, (lua_Integer)i);
            json_t *v = to_json(L, lua_gettop(L), depth + 1, why, n);
            lua_pop(L, 1);
            if (v == NULL || json_array_append_new(out, v) != 0) {
                json_decref(out);
                return NULL;
            }
        }
        return out;
    }
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        json_t *v = NULL;
        if (lua_type(L, -2) != LUA_TSTRING)
            snprintf(why, n, "the mapping's row has a %s key; keys are field names",
                     luaL_typename(L, -2));
        else
            v = to_json(L, lua_gettop(L), depth + 1, why, n);
        lua_pop(L, 1);
        if (v == NULL || json_object_set_new(out, lua_tostring(L, -1), v) != 0) {
            if (v && !why[0])
                snprintf(why, n, "the mapping's row has a key that is not UTF-8");
            lua_pop(L, 1);
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

static json_t *to_json(lua_State *L, int idx, int depth, char *why, size_t n)
{
    switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        json_t *v = json_stringn(s, len);
        if (v == NULL)
            snprintf(why, n, "the mapping returned a value that is not UTF-8");
        return v;
    }
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx))
            return json_integer((json_int_t)lua_tointeger(L, idx));
        return json_real(lua_tonumber(L, idx));
    case LUA_TBOOLEAN: return json_boolean(lua_toboolean(L, idx));
    case LUA_TTABLE: return table_json(L, idx, depth, why, n);
    default:
        snprintf(why, n, "the mapping's row holds a %s; values are strings, numbers, booleans "
                 "and tables", luaL_typename(L, idx));
        return NULL;
    }
}

/* The importer's row function (segrt_row_map_fn) of a loaded mapping. */
static int map_row(void *ud, size_t n, const char *const *names, const char *const *values,
                   const size_t *lens, char **json, char *err, size_t err_size)
{
    segrt_mapping *m = ud;
    lua_State *L = m->L;
    *json = NULL;
    err[0] = '\0';
    int top = lua_gettop(L);
    lua_pushcfunction(L, call_row);
    lua_rawgeti(L, LUA_REGISTRYINDEX, m->fn);
    lua_pushinteger(L, (lua_Integer)n);
    lua_pushlightuserdata(L, (void *)names);
    lua_pushlightuserdata(L, (void *)values);
    lua_pushlightuserdata(L, (void *)lens);
    sandbox_begin(&m->sb);
    if (script_pcall(L, 5, 1) != LUA_OK) {
        char why[256];
        const char *msg = sandbox_why(&m->sb, why, sizeof why);
        if (msg == NULL)
            msg = lua_tostring(L, -1);
        /* the first line: a reject's reason is one line (the traceback is for scripts) */
        snprintf(err, err_size, "%.*s", (int)strcspn(msg ? msg : "error", "\n"),
                 msg ? msg : "error");
        lua_settop(L, top);
        return SEGRT_OK;
    }
    json_t *row = NULL;
    if (lua_isnil(L, -1))
        snprintf(err, err_size, "skipped by the mapping (it returned nil)");
    else if (!lua_istable(L, -1))
        snprintf(err, err_size, "the mapping returned a %s, not a table of fields",
                 luaL_typename(L, -1));
    else if ((row = to_json(L, lua_gettop(L), 0, err, err_size)) != NULL && !json_is_object(row))
        snprintf(err, err_size, "the mapping returned a list, not a table of fields");
    lua_settop(L, top);
    /* sorted keys: new fields are declared in the same order on every run */
    if (row && json_is_object(row) &&
        (*json = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
        json_decref(row);
        snprintf(err, err_size, "out of memory");
        return SEGRT_ENOMEM;
    }
    json_decref(row);
    lua_gc(L, LUA_GCSTEP, 0);
    return SEGRT_OK;
}

void segrt_mapping_use(segrt_mapping *m, segrt_import_opts *o)
{
    if (o == NULL)
        return;
    o->map_row = m ? map_row : NULL;
    o->map_ud = m;
}
