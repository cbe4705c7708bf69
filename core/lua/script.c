/*
 * script.c — loading segment scripts (script.h, script_lua.h): the Lua
 * state, the embedded seg module, the list of segments a script defines,
 * and the checks of its definitions (sensitive fields, packs, templates).
 */
#include "lua/script_lua.h"

#include "lua/embedded.h"
#include "lua/sandbox.h"
#include "lua/script_template.h"
#include "plan/catalog.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>

/* load: text chunks only, never precompiled bytecode. */
static int l_load(lua_State *L)
{
    size_t n;
    const char *code = luaL_checklstring(L, 1, &n);
    const char *name = luaL_optstring(L, 2, code);
    if (luaL_loadbufferx(L, code, n, name, "t") != LUA_OK) {
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    if (!lua_isnoneornil(L, 4)) {
        lua_pushvalue(L, 4);
        if (!lua_setupvalue(L, -2, 1))
            lua_pop(L, 1);
    }
    return 1;
}

void script_safe_libs(lua_State *L)
{
    static const luaL_Reg libs[] = {
        { LUA_GNAME, luaopen_base },       { LUA_TABLIBNAME, luaopen_table },
        { LUA_STRLIBNAME, luaopen_string }, { LUA_MATHLIBNAME, luaopen_math },
        { LUA_UTF8LIBNAME, luaopen_utf8 },  { NULL, NULL },
    };
    for (const luaL_Reg *l = libs; l->func; l++) {
        luaL_requiref(L, l->name, l->func, 1);
        lua_pop(L, 1);
    }
    static const char *const removed[] = { "dofile", "loadfile", NULL };
    for (const char *const *r = removed; *r; r++) {
        lua_pushnil(L);
        lua_setglobal(L, *r);
    }
    lua_pushcfunction(L, l_load);
    lua_setglobal(L, "load");
    lua_pushcfunction(L, script_l_require);
    lua_setglobal(L, "require");
    /* undefined globals are errors, and scripts keep their state in locals */
    static const char strict[] =
        "setmetatable(_G, {\n"
        "  __index = function(_, k) error(\"undefined global '\" .. tostring(k) .. \"'\", 2) end,\n"
        "  __newindex = function(_, k) error(\"assignment to undeclared global '\" .. tostring(k)\n"
        "    .. \"' (declare it with local)\", 2) end })\n";
    if (luaL_loadbufferx(L, strict, sizeof strict - 1, "=sandbox", "t") != LUA_OK)
        lua_error(L);
    lua_call(L, 0, 0);
}

int script_open(lua_State *L)
{
    script_safe_libs(L);
    const embedded_script *e = embedded_find("segrt");
    if (e == NULL)
        return luaL_error(L, "the seg module is not built in");
    if (embedded_load(L, e) != LUA_OK)
        return lua_error(L);
    lua_pushcfunction(L, script_l_where);
    lua_call(L, 1, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, SCRIPT_MODULE_KEY);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, SCRIPT_LOADED_KEY);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, SCRIPT_LOADING_KEY);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, SCRIPT_ROOTS_KEY);
    /* the shipped consent checks and sensitive fields come first; scripts may redefine them */
    for (size_t i = 0; i < embedded_script_count; i++) {
        const embedded_script *c = &embedded_scripts[i];
        if (strncmp(c->name, "consent.", 8) != 0)
            continue;
        lua_pushcfunction(L, script_l_require);
        lua_pushstring(L, c->name);
        lua_call(L, 1, 0);
    }
    return 0;
}

int script_rawfield(lua_State *L, int idx, const char *key)
{
    idx = lua_absindex(L, idx);
    lua_pushstring(L, key);
    return lua_rawget(L, idx);
}

void script_push_registry(segrt_script *sc, const char *key)
{
    lua_rawgeti(sc->L, LUA_REGISTRYINDEX, sc->registry_ref);
    lua_getfield(sc->L, -1, key);
    lua_remove(sc->L, -2);
}

static char *dup_field(const tree *def, const char *key)
{
    const char *v = tree_get_string(def, key);
    return strdup(v ? v : "");
}

static void free_segments(segrt_script *sc)
{
    for (size_t i = 0; i < sc->nseg; i++) {
        free(sc->names[i]);
        free(sc->descs[i]);
        free(sc->purposes[i]);
    }
    free(sc->names);
    free(sc->descs);
    free(sc->purposes);
    sc->names = sc->descs = sc->purposes = NULL;
    sc->nseg = 0;
}

static int script_fail_lua(segrt_script *sc, const char *what)
{
    char why[256];
    const char *msg = sandbox_why(&sc->sb, why, sizeof why); /* the memory cap, if it was that */
    if (msg == NULL)
        msg = lua_tostring(sc->L, -1);
    int rc = store_fail(sc->s, SEGRT_ELUA, "%s%s", what, msg ? msg : "error object is not a string");
    lua_pop(sc->L, 1);
    return rc;
}

/* seg._check_sensitive(): refuse segments and scores reading Art. 9 data without explicit consent. */
static int check_sensitive(segrt_script *sc)
{
    lua_State *L = sc->L;
    lua_getfield(L, LUA_REGISTRYINDEX, SCRIPT_MODULE_KEY);
    lua_getfield(L, -1, "_check_sensitive");
    lua_remove(L, -2);
    if (script_pcall(L, 0, 0) == LUA_OK)
        return SEGRT_OK;
    return script_fail_lua(sc, "");
}

/* Copy the names and descriptions of the registered segments. */
static int collect_segments(segrt_script *sc)
{
    int rc = check_sensitive(sc);
    if (rc == SEGRT_OK)
        rc = pack_check_requirements(sc);
    sc->cat_stale = 1;
    const catalog *cat = NULL;
    if (rc == SEGRT_OK)
        rc = script_catalog(sc, &cat);
    if (rc != SEGRT_OK)
        return rc;
    free_segments(sc);
    size_t n = cat->nseg;
    sc->names = calloc(n ? n : 1, sizeof *sc->names);
    sc->descs = calloc(n ? n : 1, sizeof *sc->descs);
    sc->purposes = calloc(n ? n : 1, sizeof *sc->purposes);
    if (sc->names == NULL || sc->descs == NULL || sc->purposes == NULL)
        return store_fail(sc->s, SEGRT_ENOMEM, "out of memory loading a script");
    for (size_t i = 0; i < n; i++) {
        const tree *def = tree_item(cat->segments, i);
        sc->names[i] = dup_field(def, "name");
        sc->descs[i] = dup_field(def, "description");
        sc->purposes[i] = dup_field(def, "purpose");
        sc->nseg = i + 1;
        if (sc->names[i] == NULL || sc->descs[i] == NULL || sc->purposes[i] == NULL)
            return store_fail(sc->s, SEGRT_ENOMEM, "out of memory loading a script");
    }
    rc = script_actions_collect(sc, cat); /* their segments may be defined after them */
    if (rc == SEGRT_OK)
        rc = script_template_check_all(sc); /* after the segments: a template may read seg.member */
    return rc;
}

segrt_limits script_store_limits(const segrt_store *s)
{
    segrt_limits l = sandbox_default_limits();
    if (s->limits.memory_bytes)
        l.memory_bytes = s->limits.memory_bytes;
    if (s->limits.instructions)
        l.instructions = s->limits.instructions;
    if (s->limits.milliseconds)
        l.milliseconds = s->limits.milliseconds;
    return l;
}

static int script_new(segrt_store *s, const char *name, segrt_script **out)
{
    *out = NULL;
    segrt_script *sc = calloc(1, sizeof *sc);
    if (sc == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory creating a Lua state");
    sc->sb.limits = script_store_limits(s);
    snprintf(sc->sb.name, sizeof sc->sb.name, "%s", name);
    if ((sc->L = sandbox_state(&sc->sb)) == NULL) {
        free(sc);
        return store_fail(s, SEGRT_ENOMEM, "out of memory creating a Lua state");
    }
    sc->s = s;
    sc->registry_ref = LUA_NOREF;
    sandbox_begin(&sc->sb); /* loading is one call */
    lua_pushcfunction(sc->L, script_open);
    if (script_pcall(sc->L, 0, 0) != LUA_OK) {
        int rc = script_fail_lua(sc, "loading the seg module: ");
        segrt_script_free(sc);
        return rc;
    }
    lua_getfield(sc->L, LUA_REGISTRYINDEX, SCRIPT_MODULE_KEY);
    lua_getfield(sc->L, -1, "_registry");
    sc->registry_ref = luaL_ref(sc->L, LUA_REGISTRYINDEX);
    lua_pop(sc->L, 1);
    *out = sc;
    return SEGRT_OK;
}

/* Run the chunk on top of the stack (or the load error there) and collect segments. */
static int script_run(segrt_script *sc, int load_status)
{
    if (load_status != LUA_OK)
        return script_fail_lua(sc, "");
    if (script_pcall(sc->L, 0, 0) != LUA_OK)
        return script_fail_lua(sc, "");
    int rc = collect_segments(sc);
    return rc == SEGRT_OK ? script_check_segments(sc) : rc;
}

int segrt_script_load(segrt_store *s, const char *path, segrt_script **out)
{
    return segrt_script_load_many(s, 1, &path, out);
}

int segrt_script_load_many(segrt_store *s, size_t n, const char *const paths[],
                           segrt_script **out)
{
    if (out)
        *out = NULL;
    if (s == NULL || n == 0 || paths == NULL || out == NULL)
        return SEGRT_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (paths[i] == NULL)
            return SEGRT_EINVAL;
    }
    int rc = script_new(s, paths[0], out);
    if (rc != SEGRT_OK)
        return rc;
    script_push_scripts((*out)->L, n, paths);
    rc = script_run(*out, LUA_OK);
    if (rc != SEGRT_OK) {
        segrt_script_free(*out);
        *out = NULL;
    }
    return rc;
}

int segrt_script_load_string(segrt_store *s, const char *chunkname, const char *code, size_t len,
                             segrt_script **out)
{
    if (s == NULL || code == NULL || out == NULL)
        return SEGRT_EINVAL;
    int rc = script_new(s, chunkname ? chunkname : "script", out);
    if (rc != SEGRT_OK)
        return rc;
    char name[256];
    snprintf(name, sizeof name, "=%s", chunkname ? chunkname : "script");
    rc = script_run(*out, luaL_loadbufferx((*out)->L, code, len, name, "t"));
    if (rc != SEGRT_OK) {
        segrt_script_free(*out);
        *out = NULL;
    }
    return rc;
}

void segrt_script_set_limits(segrt_script *sc, const segrt_limits *limits)
{
    if (sc == NULL || limits == NULL)
        return;
    if (limits->memory_bytes)
        sc->sb.limits.memory_bytes = limits->memory_bytes;
    if (limits->instructions)
        sc->sb.limits.instructions = limits->instructions;
    if (limits->milliseconds)
        sc->sb.limits.milliseconds = limits->milliseconds;
}

void segrt_script_begin_call(segrt_script *sc)
{
    sandbox_begin(&sc->sb);
    sc->cat_stale = 1; /* the call may change what the script defines */
}

void segrt_script_free(segrt_script *sc)
{
    if (sc == NULL)
        return;
    free_segments(sc);
    script_actions_free(sc);
    catalog_free(sc->cat);
    if (sc->L)
        lua_close(sc->L);
    free(sc);
}

segrt_store *script_store(const segrt_script *sc)
{
    return sc->s;
}

segrt_script *script_of(const plan_ctx *cx)
{
    return cx->ud;
}

size_t segrt_script_segment_count(const segrt_script *sc)
{
    return sc ? sc->nseg : 0;
}

const char *segrt_script_segment_name(const segrt_script *sc, size_t i)
{
    return sc && i < sc->nseg ? sc->names[i] : NULL;
}

const char *segrt_script_segment_purpose(const segrt_script *sc, size_t i)
{
    return sc && i < sc->nseg && sc->purposes[i][0] ? sc->purposes[i] : NULL;
}

const char *segrt_script_segment_description(const segrt_script *sc, size_t i)
{
    return sc && i < sc->nseg ? sc->descs[i] : NULL;
}

int script_refresh_segments(segrt_script *sc)
{
    return collect_segments(sc);
}
