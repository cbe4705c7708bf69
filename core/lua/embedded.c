/*
 * embedded.c — looking up and loading the shipped Lua scripts (embedded.h).
 */
#include "lua/embedded.h"

#include <lauxlib.h>
#include <string.h>

const embedded_script *embedded_find(const char *name)
{
    for (size_t i = 0; i < embedded_script_count; i++) {
        if (strcmp(embedded_scripts[i].name, name) == 0)
            return &embedded_scripts[i];
    }
    return NULL;
}

int embedded_load(lua_State *L, const embedded_script *e)
{
    return luaL_loadbufferx(L, e->code, e->code_len, e->chunk, "b");
}
