/*
 * embedded.h — the Lua scripts that ship inside the library (scripts/, made
 * into C by cmake/embed.cmake): the seg module and the models and packs that
 * scripts load with require.
 */
#ifndef SEGRT_EMBEDDED_H
#define SEGRT_EMBEDDED_H

#include <stddef.h>

typedef struct embedded_script {
    const char *name; /* module name: "segrt", "models.rfm" */
    const char *source;
    size_t len;
} embedded_script;

extern const embedded_script embedded_scripts[];
extern const size_t embedded_script_count;

/* The shipped script called name, or NULL. */
const embedded_script *embedded_find(const char *name);

#endif
