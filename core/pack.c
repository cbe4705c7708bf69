/*
 * pack.c — packs: Lua modules that declare (seg.pack) a name, a version and
 * what they need from the store, and define segments, scores and groups.
 * Bundled packs ship in scripts/packs/, installed ones live on the pack
 * search path (pack.h); either is loaded by name wherever a script is
 * accepted. Here: the list of bundled packs, and the packs' requirements
 * checked against the store.
 */
#include "dict.h"
#include "embedded.h"
#include "schema.h"
#include "script.h"

#include <stdio.h>
#include <string.h>

/* The header line of a shipped pack: "-- packs/x.lua — summary" gives the summary. */
static void summary_of(const embedded_script *e, char *out, size_t n)
{
    const char *line_end = memchr(e->source, '\n', e->len);
    size_t len = line_end ? (size_t)(line_end - e->source) : e->len;
    const char *dash = strstr(e->source, " \xe2\x80\x94 "); /* " — " */
    if (dash && dash < e->source + len) {
        const char *from = dash + 5;
        snprintf(out, n, "%.*s", (int)(e->source + len - from), from);
    } else {
        snprintf(out, n, "%.*s", (int)len, e->source);
    }
}

int segrt_packs_each(int (*fn)(void *ud, const char *name, const char *summary), void *ud)
{
    for (size_t i = 0; i < embedded_script_count; i++) {
        const embedded_script *e = &embedded_scripts[i];
        if (strncmp(e->name, "packs.", 6) != 0)
            continue;
        char summary[256];
        summary_of(e, summary, sizeof summary);
        int rc = fn(ud, e->name + 6, summary);
        if (rc != 0)
            return rc;
    }
    return SEGRT_OK;
}

/* Append ", what 'name'" to the list of missing things. */
static void add_missing(char *list, size_t n, const char *what, const char *name)
{
    size_t used = strlen(list);
    snprintf(list + used, n - used, "%s%s '%s'", used ? ", " : "", what, name);
}

/* Every field and event type the script's packs require, checked against the store. */
int pack_check_requirements(segrt_script *sc)
{
    lua_State *L = sc->L;
    int top = lua_gettop(L), rc = SEGRT_OK;
    MDB_txn *txn = NULL;
    script_push_registry(sc, "packs");
    for (lua_pushnil(L); rc == SEGRT_OK && lua_next(L, top + 1); lua_pop(L, 1)) {
        char missing[768] = "";
        lua_getfield(L, -1, "fields");
        for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1)) {
            /* { "a", "b" } or { a = "integer" }: the name is the value or the key */
            const char *name = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2)
                                                               : lua_tostring(L, -1);
            if (name && schema_find(sc->s->schema, name, strlen(name)) == NULL)
                add_missing(missing, sizeof missing, "field", name);
        }
        lua_pop(L, 1);
        lua_getfield(L, -1, "events");
        for (lua_Integer i = 1; rc == SEGRT_OK && lua_rawgeti(L, -1, i) == LUA_TSTRING; i++) {
            const char *type = lua_tostring(L, -1);
            uint32_t code = 0;
            if (txn == NULL)
                rc = store_txn_begin(sc->s, MDB_RDONLY, &txn);
            if (rc == SEGRT_OK)
                rc = dict_find(sc->s, txn, FIELD_EV_TYPE, type, strlen(type), &code);
            if (rc == SEGRT_OK && code == 0)
                add_missing(missing, sizeof missing, "event type", type);
            lua_pop(L, 1);
        }
        lua_pop(L, 2); /* the nil that ended the list, events */
        if (rc == SEGRT_OK && missing[0]) {
            lua_getfield(L, -1, "loc");
            rc = store_fail(sc->s, SEGRT_ELUA, "%s: pack '%s' needs what the store does not have: "
                            "%s", lua_tostring(L, -1), lua_tostring(L, -3), missing);
        }
    }
    if (txn)
        mdb_txn_abort(txn);
    lua_settop(L, top);
    return rc;
}
