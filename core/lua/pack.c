/*
 * pack.c — packs: Lua modules that declare (seg.pack) a name, a version and
 * what they need from the store, and define segments, scores and groups.
 * Bundled packs ship in scripts/packs/, installed ones live on the pack
 * search path (pack.h); either is loaded by name wherever a script is
 * accepted. Here: the list of bundled packs, and the packs' requirements
 * checked against the store.
 *
 * Uses: script_lua.h, embedded.h, schema.h, dict.h (names looked up in one
 * snapshot, store_read).
 */
#include "store/dict.h"
#include "lua/embedded.h"
#include "store/schema.h"
#include "lua/script_lua.h"

#include <stdarg.h>
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

int segrt_bundled_packs_foreach(segrt_bundled_pack_fn fn, void *ud)
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

/* Append ", what 'name'" (and more) to the list of missing things. */
__attribute__((format(printf, 3, 4)))
static void add_missing(char *list, size_t n, const char *fmt, ...)
{
    size_t used = strlen(list);
    if (used + 2 >= n)
        return;
    if (used)
        used += (size_t)snprintf(list + used, n - used, ", ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(list + used, n - used, fmt, ap);
    va_end(ap);
}

/* A field of type have meets a requirement of type want: the same, or an integer for a number. */
static int type_meets(segrt_type have, segrt_type want)
{
    return have == want || (want == SEGRT_T_NUMBER && have == SEGRT_T_INTEGER);
}

/*
 * The fields of the pack at index pack: { "a", "b" } or { a = "integer" }
 * (the name is the value or the key; a key's value is the type). What the
 * store lacks goes to missing; an unknown type name is an error. The
 * registry is the script's to change (seg._registry), so only raw reads of
 * what has the expected type.
 */
static int check_fields(segrt_script *sc, int pack, const char *loc, const char *pack_name,
                        char *missing, size_t n)
{
    lua_State *L = sc->L;
    int rc = SEGRT_OK;
    if (script_rawfield(L, pack, "fields") != LUA_TTABLE) {
        lua_pop(L, 1);
        return SEGRT_OK;
    }
    for (lua_pushnil(L); rc == SEGRT_OK && lua_next(L, -2); lua_pop(L, 1)) {
        int typed = lua_type(L, -2) == LUA_TSTRING;
        const char *name = typed ? lua_tostring(L, -2) : lua_tostring(L, -1);
        const char *type_name = typed ? lua_tostring(L, -1) : NULL;
        segrt_type want = 0;
        if (name == NULL)
            continue;
        if (typed && (type_name == NULL || segrt_type_parse(type_name, &want) != SEGRT_OK)) {
            rc = store_fail(sc->s, SEGRT_ELUA, "%s: pack '%s': field '%s' has an unknown type '%s' "
                            "(integer, number, string, boolean, date, timestamp, set)", loc,
                            pack_name, name, type_name ? type_name : "?");
            lua_pop(L, 2); /* key, value */
            break;
        }
        const field_def *f = schema_find(sc->s->schema, name, strlen(name));
        if (f == NULL)
            add_missing(missing, n, "field '%s'", name);
        else if (want && !type_meets(f->type, want))
            add_missing(missing, n, "field '%s' of type %s (it is %s)", name, type_name,
                        segrt_type_name(f->type));
    }
    lua_pop(L, 1); /* fields */
    return rc;
}

/* The names listed under key of the pack at index pack, looked up in dictionary field. */
static int check_names(segrt_script *sc, int pack, MDB_txn *txn, const char *key, uint16_t field,
                       const char *what, char *missing, size_t n)
{
    lua_State *L = sc->L;
    int rc = SEGRT_OK;
    if (script_rawfield(L, pack, key) != LUA_TTABLE) {
        lua_pop(L, 1);
        return SEGRT_OK;
    }
    for (lua_Integer i = 1; rc == SEGRT_OK && lua_rawgeti(L, -1, i) == LUA_TSTRING; i++) {
        const char *name = lua_tostring(L, -1);
        uint32_t code = 0;
        rc = dict_find(sc->s, txn, field, name, strlen(name), &code);
        if (rc == SEGRT_OK && code == 0)
            add_missing(missing, n, "%s '%s'", what, name);
        lua_pop(L, 1);
    }
    lua_pop(L, 2); /* what ended the list, the list */
    return rc;
}

/* Each pack of the registry table on top of the stack, checked in txn (one snapshot). */
static int check_packs(segrt_store *s, MDB_txn *txn, void *ud)
{
    (void)s;
    segrt_script *sc = ud;
    lua_State *L = sc->L;
    int packs = lua_gettop(L), rc = SEGRT_OK;
    for (lua_pushnil(L); rc == SEGRT_OK && lua_next(L, packs); lua_pop(L, 1)) {
        if (lua_type(L, -2) != LUA_TSTRING || !lua_istable(L, -1))
            continue;
        int pack = lua_gettop(L);
        const char *name = lua_tostring(L, pack - 1);
        script_rawfield(L, pack, "loc");
        const char *loc = lua_isstring(L, -1) ? lua_tostring(L, -1) : "?";
        char missing[1024] = "";
        rc = check_fields(sc, pack, loc, name, missing, sizeof missing);
        if (rc == SEGRT_OK)
            rc = check_names(sc, pack, txn, "events", FIELD_EV_TYPE, "event type", missing,
                             sizeof missing);
        if (rc == SEGRT_OK)
            rc = check_names(sc, pack, txn, "purposes", FIELD_CS_PURPOSE, "consent purpose",
                             missing, sizeof missing);
        if (rc == SEGRT_OK && missing[0])
            rc = store_fail(sc->s, SEGRT_ELUA, "%s: pack '%s' needs what the store does not have: "
                            "%s", loc, name, missing);
        lua_settop(L, pack);
    }
    return rc;
}

/* Every field, event type and consent purpose the script's packs require, checked against the store. */
int pack_check_requirements(segrt_script *sc)
{
    lua_State *L = sc->L;
    int top = lua_gettop(L);
    script_push_registry(sc, "packs");
    int rc = lua_istable(L, top + 1) ? store_read(sc->s, check_packs, sc) : SEGRT_OK;
    lua_settop(L, top);
    return rc;
}
