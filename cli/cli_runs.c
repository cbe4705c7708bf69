/*
 * cli_runs.c — what the commands that read stored runs (history, changes)
 * share: whether the script defines a segment, and the message when a
 * segment has no stored run (cli.h).
 *
 * Uses: segrt_stored_segments_foreach, segrt_suggest_closest, cli_strings.c.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

long cli_segment_index(const segrt_script *sc, const char *segment)
{
    for (size_t i = 0, n = segrt_script_segment_count(sc); i < n; i++) {
        if (strcmp(segrt_script_segment_name(sc, i), segment) == 0)
            return (long)i;
    }
    return -1;
}

/* A segrt_stored_segments_foreach callback: one more name for the suggestions. */
static int add_name(void *ud, const char *name)
{
    return cli_strings_add(ud, name);
}

int cli_no_stored_runs(const cli *c, const char *segment)
{
    const char *script = c->args[0];
    const segrt_script *sc = c->sc;
    if (cli_segment_index(sc, segment) >= 0) {
        cli_error(c, "segment '%s' has no stored runs yet (segrt run --db %s %s stores one)",
                  segment, c->db, script);
        return EXIT_FAIL;
    }
    cli_strings l = { 0 };
    size_t n = segrt_script_segment_count(sc);
    for (size_t i = 0; i < n; i++)
        cli_strings_add(&l, segrt_script_segment_name(sc, i)); /* short of memory: fewer hints */
    segrt_stored_segments_foreach(c->s, add_name, &l);
    const char *hint = segrt_suggest_closest(segment, (const char *const *)l.v, l.n);
    cli_error(c, "unknown segment '%s': %s defines no such segment and no run of it is stored%s%s%s",
              segment, script, hint ? " (did you mean '" : "", hint ? hint : "",
              hint ? "'?)" : "");
    cli_strings_free(&l);
    return EXIT_FAIL;
}
