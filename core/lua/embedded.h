/*
 * embedded.h — the Lua scripts that ship inside the library (scripts/, made
 * into C by cmake/embed.cmake): the seg module and the models and packs that
 * scripts load with require. Each is there as its text and as bytecode
 * compiled at build time (cmake/embed_luac.c), which is what runs: only
 * these chunks are ever loaded in binary mode, scripts from users are text.
 */
#ifndef SEGRT_EMBEDDED_H
#define SEGRT_EMBEDDED_H

#include <stddef.h>

struct lua_State;

typedef struct embedded_script {
    const char *name;  /* module name: "segrt", "models.rfm" */
    const char *source;
    size_t len;
    const char *chunk; /* its chunk name: "=segrt", "@packs/x.lua", "@scripts/models/rfm.lua" */
    const char *code;  /* its bytecode, debug information kept */
    size_t code_len;
} embedded_script;

extern const embedded_script embedded_scripts[];
extern const size_t embedded_script_count;

/* The shipped script called name, or NULL. */
const embedded_script *embedded_find(const char *name);
/* Push e's chunk, as luaL_loadbufferx does: LUA_OK, or an error code with the message pushed. */
int embedded_load(struct lua_State *L, const embedded_script *e);

#endif
