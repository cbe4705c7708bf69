/*
 * cli_strings.c — a growing list of strings that owns copies of them (cli.h):
 * segment names for suggestions, the REPL's statements and completion
 * candidates, consent purposes.
 *
 * Uses: cli_array.c.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

int cli_strings_add(cli_strings *l, const char *s)
{
    if (CLI_ARRAY_RESERVE(l->v, l->cap, l->n + 1) != 0)
        return SEGRT_ENOMEM;
    if ((l->v[l->n] = strdup(s)) == NULL)
        return SEGRT_ENOMEM;
    l->n++;
    return SEGRT_OK;
}

void cli_strings_free(cli_strings *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    *l = (cli_strings){ 0 };
}
