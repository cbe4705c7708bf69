/*
 * rules_load.c — segrt_rules_load(): the checks of field values a schema
 * script (or a pack) declares with seg.field "NAME" { ... }, read from its
 * registry into field rules (util/field_rule.h) for the importer.
 *
 * Uses: script_lua.h (loading a script, its registry), field_rule.h.
 */
#include "lua/script_lua.h"

#include "util/field_rule.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ONE_OF 1024

/* The string at key of the table on top, or NULL (a number is read as its text). */
static const char *text_at(lua_State *L, const char *key)
{
    lua_getfield(L, -1, key);
    const char *s = lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER
                        ? lua_tostring(L, -1) : NULL;
    lua_pop(L, 1); /* the registry keeps the string alive */
    return s;
}

/* One declaration (the table on top, field name) into rs. */
static int add_rule(segrt_store *s, lua_State *L, const char *name, segrt_rules *rs)
{
    const char *one_of[MAX_ONE_OF];
    field_rule_spec r = { .name = name, .loc = text_at(L, "loc"), .min = text_at(L, "min"),
                          .max = text_at(L, "max"), .pattern = text_at(L, "pattern"),
                          .one_of = one_of };
    const char *type = text_at(L, "type");
    if (r.loc == NULL)
        r.loc = "?";
    if (type && (segrt_type_parse(type, &r.type) != SEGRT_OK || r.type == SEGRT_T_SET))
        return store_fail(s, SEGRT_ELUA, "%s: seg.field \"%s\": type '%s' is not integer, number, "
                          "string, boolean, date or timestamp", r.loc, name, type);
    lua_getfield(L, -1, "one_of");
    for (lua_Integer i = 1; lua_istable(L, -1) && r.n_one_of < MAX_ONE_OF; i++) {
        lua_rawgeti(L, -1, i);
        const char *v = lua_tostring(L, -1);
        lua_pop(L, 1);
        if (v == NULL)
            break;
        one_of[r.n_one_of++] = v;
    }
    lua_pop(L, 1);
    for (int k = 0; r.type && r.type != SEGRT_T_STRING && k < 2; k++) {
        const char *b = k ? r.max : r.min;
        int64_t v;
        if (b && field_rule_parse(r.type, b, strlen(b), &v) != 0)
            return store_fail(s, SEGRT_ELUA, "%s: seg.field \"%s\": %s '%s' is not a %s", r.loc,
                              name, k ? "max" : "min", b, type);
    }
    char why[320];
    if (field_rules_add(rs, &r, why, sizeof why) != 0)
        return store_fail(s, SEGRT_ELUA, "%s", why);
    return SEGRT_OK;
}

int segrt_rules_load(segrt_store *s, const char *script, segrt_rules **out)
{
    if (out)
        *out = NULL;
    if (s == NULL || script == NULL || out == NULL)
        return s ? store_fail(s, SEGRT_EINVAL, "segrt_rules_load: bad arguments") : SEGRT_EINVAL;
    segrt_script *sc = NULL;
    int rc = segrt_script_load(s, script, &sc);
    segrt_rules *rs = rc == SEGRT_OK ? calloc(1, sizeof *rs) : NULL;
    if (rc == SEGRT_OK && rs == NULL)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK) {
        lua_State *L = sc->L;
        int top = lua_gettop(L);
        script_push_registry(sc, "fields");
        lua_pushnil(L);
        while (rc == SEGRT_OK && lua_istable(L, -2) && lua_next(L, -2)) {
            if (lua_type(L, -2) == LUA_TSTRING && lua_istable(L, -1))
                rc = add_rule(s, L, lua_tostring(L, -2), rs);
            lua_pop(L, 1);
        }
        lua_settop(L, top);
    }
    segrt_script_free(sc);
    if (rc != SEGRT_OK) {
        segrt_rules_free(rs);
        return rc;
    }
    *out = rs;
    return SEGRT_OK;
}
