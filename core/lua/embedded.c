/*
 * embedded.c — looking up the shipped Lua scripts (embedded.h).
 */
#include "lua/embedded.h"

#include <string.h>

const embedded_script *embedded_find(const char *name)
{
    for (size_t i = 0; i < embedded_script_count; i++) {
        if (strcmp(embedded_scripts[i].name, name) == 0)
            return &embedded_scripts[i];
    }
    return NULL;
}
