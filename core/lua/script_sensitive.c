/*
 * script_sensitive.c — what a script says about special categories of
 * personal data (GDPR Art. 9) for hosts that print values: which category a
 * field is (seg.sensitive; consent/sensitive.lua ships the usual names), and
 * whether a purpose rests on explicit consent alone (its seg.consent bases).
 *
 * Uses: script_lua.h (the registry), catalog.h (consent definitions).
 */
#include "lua/script_lua.h"

#include "plan/catalog.h"

#include <string.h>

const char *segrt_script_sensitive(segrt_script *sc, const char *field)
{
    if (sc == NULL || field == NULL)
        return NULL;
    lua_State *L = sc->L;
    int top = lua_gettop(L);
    const char *category = NULL;
    script_push_registry(sc, "sensitive");
    if (lua_istable(L, -1)) {
        lua_pushstring(L, field);
        if (lua_rawget(L, -2) == LUA_TSTRING)
            category = lua_tostring(L, -1); /* the registry's table keeps it alive */
    }
    lua_settop(L, top);
    return category;
}

int segrt_script_purpose_explicit(segrt_script *sc, const char *purpose)
{
    const catalog *cat;
    if (sc == NULL || purpose == NULL || script_catalog(sc, &cat) != SEGRT_OK)
        return 0;
    const tree *bases = tree_get(catalog_consent(cat, purpose), "bases");
    if (tree_count(bases) == 0)
        return 0; /* the defaults: consent or legitimate interest */
    for (size_t i = 0; i < tree_count(bases); i++) {
        const char *b = tree_tostring(tree_item(bases, i));
        if (b == NULL || strcmp(b, "consent") != 0)
            return 0;
    }
    return 1;
}
