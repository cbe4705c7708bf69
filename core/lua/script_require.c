/*
 * script_require.c — what a script can require (script.h): the seg module,
 * the shipped scripts ("models.rfm"), packs ("packs.x": installed on the
 * pack search path, else bundled) and the modules inside a folder pack
 * ("x.util"), each run once per Lua state, with dependency cycles reported
 * as such; and running a SCRIPT argument, which names a file, a folder pack
 * or a pack.
 *
 * Uses: pack.h (finding packs and their modules), embedded.h (shipped scripts).
 */
#include "lua/script_lua.h"

#include "lua/embedded.h"
#include "lua/pack.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define SHIPPED_CHUNK "@scripts/"   /* chunk names of shipped modules */
#define PACKS_PREFIX "packs."

/*
 * Push "file:line" of the innermost Lua frame of the user's script (not the
 * seg module, nor a shipped model calling it on the user's behalf) and
 * return 1, or push nothing and return 0 when there is none.
 */
static int push_where(lua_State *L)
{
    lua_Debug ar;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar))
            break;
        if (ar.currentline < 0 || strcmp(ar.source, SCRIPT_MODULE_CHUNK) == 0 ||
            strncmp(ar.source, SHIPPED_CHUNK, strlen(SHIPPED_CHUNK)) == 0)
            continue;
        lua_pushfstring(L, "%s:%d", ar.short_src, ar.currentline);
        return 1;
    }
    return 0;
}

/* where(): "file:line" of the user's script line, for the seg module's nodes and errors. */
int script_l_where(lua_State *L)
{
    if (!push_where(L))
        lua_pushliteral(L, "?");
    return 1;
}

/* Raise "file:line: message" (the user's line, when there is one). */
static int where_error(lua_State *L, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int at = push_where(L);
    if (at)
        lua_pushliteral(L, ": ");
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    lua_concat(L, at ? 3 : 1);
    return lua_error(L);
}

/* Push the search path for messages: "search path DIRS", or how to set one. */
static const char *push_search_path(lua_State *L)
{
    char path[2048];
    size_t n = segrt_packs_path(path, sizeof path);
    if (n == 0)
        return lua_pushliteral(L, "no search path: set SEGRT_PACKS");
    return lua_pushfstring(L, "search path %s%s", path, n >= sizeof path ? "..." : "");
}

/* Raise: no pack called name (a dependency of pack by, when by is not NULL). */
static int pack_not_found(lua_State *L, const char *name, const char *by)
{
    const char *path = push_search_path(L);
    if (by)
        return where_error(L, "pack '%s' depends on '%s', which is neither installed (%s) nor "
                           "bundled (segrt packs lists the packs)", by, name, path);
    return where_error(L, "no pack '%s': neither installed (%s) nor bundled (segrt packs lists "
                       "the packs)", name, path);
}

/* Push name as a cycle shows it: a pack by its name ("packs.x" -> "x"). */
static void push_label(lua_State *L, const char *name)
{
    size_t n = strlen(PACKS_PREFIX);
    lua_pushstring(L, strncmp(name, PACKS_PREFIX, n) == 0 ? name + n : name);
}

/* Raise when name is being loaded already: the chain of requires that leads back to it. */
static void check_cycle(lua_State *L, const char *name)
{
    lua_getfield(L, LUA_REGISTRYINDEX, SCRIPT_LOADING_KEY); /* the chain, outermost first */
    int chain = lua_gettop(L);
    lua_Integer n = (lua_Integer)lua_rawlen(L, chain), from = 0;
    for (lua_Integer i = 1; i <= n && from == 0; i++) {
        lua_rawgeti(L, chain, i);
        if (strcmp(lua_tostring(L, -1), name) == 0)
            from = i;
        lua_pop(L, 1);
    }
    if (from == 0) {
        lua_pop(L, 1);
        return;
    }
    for (lua_Integer i = from; i <= n; i++) {
        lua_rawgeti(L, chain, i);
        push_label(L, lua_tostring(L, -1));
        lua_remove(L, -2);
        lua_pushliteral(L, " -> ");
    }
    push_label(L, name);
    lua_concat(L, (int)(2 * (n - from + 1) + 1));
    where_error(L, "dependency cycle: %s", lua_tostring(L, -1));
}

/* The file of module "a.b..." of a folder pack a (given by path, else installed): 1, or 0. */
static int folder_module_file(lua_State *L, const char *name, char *file, size_t n)
{
    const char *dot = strchr(name, '.');
    if (dot == NULL || (size_t)(dot - name) > PACK_NAME_MAX)
        return 0;
    char pack[PACK_NAME_MAX + 1];
    memcpy(pack, name, (size_t)(dot - name));
    pack[dot - name] = '\0';
    if (!pack_name_ok(pack))
        return 0;
    pack_source src;
    lua_getfield(L, LUA_REGISTRYINDEX, SCRIPT_ROOTS_KEY);
    if (lua_getfield(L, -1, pack) == LUA_TSTRING)
        snprintf(src.root, sizeof src.root, "%s", lua_tostring(L, -1));
    else if (!pack_locate_installed(pack, &src))
        src.root[0] = '\0';
    lua_pop(L, 2);
    return src.root[0] && pack_module_file(src.root, dot + 1, file, n);
}

/* Push the chunk of module name: a pack ("packs.x"), a shipped script, or a folder pack's module. */
static void push_module_chunk(lua_State *L, const char *name, const char *by)
{
    const embedded_script *e;
    char file[PACK_PATH_MAX];
    int st;
    if (strncmp(name, PACKS_PREFIX, strlen(PACKS_PREFIX)) == 0 &&
        pack_name_ok(name + strlen(PACKS_PREFIX))) {
        pack_source src;
        if (!pack_locate(name + strlen(PACKS_PREFIX), &src))
            pack_not_found(L, name + strlen(PACKS_PREFIX), by);
        st = script_load_pack(L, &src);
    } else if ((e = embedded_find(name)) != NULL) {
        st = embedded_load(L, e); /* chunk @scripts/models/rfm.lua (cmake/embed.cmake) */
    } else if (folder_module_file(L, name, file, sizeof file)) {
        st = luaL_loadfilex(L, file, "t");
    } else {
        where_error(L, "module '%s' not found (scripts can require \"segrt\", the shipped "
                    "models, e.g. \"models.rfm\", packs as \"packs.NAME\", and the modules of "
                    "an installed folder pack as \"NAME.module\")", name);
        return;
    }
    if (st != LUA_OK)
        lua_error(L);
}

/*
 * require(name [, by]): the seg module, a pack ("packs.x": installed, else
 * bundled), a shipped script ("models.rfm") or a module of a folder pack
 * ("x.util"), each run once. by names the pack whose depends asked for it.
 */
int script_l_require(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    const char *by = luaL_optstring(L, 2, NULL);
    if (strcmp(name, "segrt") == 0) {
        lua_getfield(L, LUA_REGISTRYINDEX, SCRIPT_MODULE_KEY);
        return 1;
    }
    lua_settop(L, 2);
    lua_getfield(L, LUA_REGISTRYINDEX, SCRIPT_LOADED_KEY); /* 3 */
    if (lua_getfield(L, 3, name) != LUA_TNIL)
        return 1;
    lua_pop(L, 1);
    check_cycle(L, name);
    push_module_chunk(L, name, by);                  /* 4 */
    lua_getfield(L, LUA_REGISTRYINDEX, SCRIPT_LOADING_KEY); /* 5 */
    lua_Integer depth = (lua_Integer)lua_rawlen(L, 5) + 1;
    lua_pushvalue(L, 1);
    lua_rawseti(L, 5, depth);
    lua_pushvalue(L, 4);
    lua_pushvalue(L, 1);
    int st = script_pcall(L, 1, 1);                  /* 6: its value or the error */
    lua_pushnil(L);
    lua_rawseti(L, 5, depth);
    if (st != LUA_OK)
        return lua_error(L);
    if (lua_isnil(L, 6)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, 6);
    lua_setfield(L, 3, name);
    return 1;
}

int script_load_pack(lua_State *L, const pack_source *src)
{
    if (src->bundled == NULL)
        return luaL_loadfilex(L, src->file, "t");
    return embedded_load(L, src->bundled); /* chunk @packs/NAME.lua (cmake/embed.cmake) */
}

/* Run a folder pack given by path: its init.lua, with its modules found inside it. */
static int run_folder(lua_State *L, const char *dir)
{
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    const char *base = dir + len;
    while (base > dir && base[-1] != '/')
        base--;
    char name[PACK_NAME_MAX + 1];
    size_t n = (size_t)(dir + len - base);
    if (n <= PACK_NAME_MAX) {
        memcpy(name, base, n);
        name[n] = '\0';
        if (pack_name_ok(name)) {
            lua_getfield(L, LUA_REGISTRYINDEX, SCRIPT_ROOTS_KEY);
            lua_pushlstring(L, dir, len);
            lua_setfield(L, -2, name);
            lua_pop(L, 1);
        }
    }
    lua_pushfstring(L, "%s/init.lua", lua_pushlstring(L, dir, len));
    if (luaL_loadfilex(L, lua_tostring(L, -1), "t") != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, 0);
    return 0;
}

/* Run one SCRIPT argument: a file, a folder pack, or else the name of a pack. */
static int run_script(lua_State *L, const char *script)
{
    struct stat st;
    int exists = stat(script, &st) == 0;
    if (exists && S_ISDIR(st.st_mode))
        return run_folder(L, script);
    if (!exists && pack_name_ok(script)) {
        pack_source src;
        if (!pack_locate(script, &src))
            return luaL_error(L, "%s: no such file, and no pack of that name is installed (%s) "
                              "or bundled (segrt packs lists the packs)", script,
                              push_search_path(L));
        lua_pushcfunction(L, script_l_require);
        lua_pushfstring(L, PACKS_PREFIX "%s", script);
        lua_call(L, 1, 0);
        return 0;
    }
    if (luaL_loadfilex(L, script, "t") != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, 0);
    return 0;
}

/* Run each SCRIPT of the list in upvalue 1, in order, in this one state. */
static int l_run_scripts(lua_State *L)
{
    lua_Integer n = luaL_len(L, lua_upvalueindex(1));
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, lua_upvalueindex(1), i);
        run_script(L, lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    return 0;
}

void script_push_scripts(lua_State *L, size_t n, const char *const scripts[])
{
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushstring(L, scripts[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_pushcclosure(L, l_run_scripts, 1);
}
