/*
 * cli_segments.c — segments of a script evaluated at NOW for the commands
 * that print or store them (count, members, overlap, run), each timed, and
 * the message for a script that defines none (cli.h).
 *
 * Uses: segrt_segment_eval, segrt_script_segment_name.
 */
#include "cli.h"

#include <stdlib.h>

int cli_segments_eval(const cli *c, cli_segments *e, size_t n, char *const *names)
{
    *e = (cli_segments){ .n = n };
    e->names = calloc(n ? n : 1, sizeof *e->names);
    e->sets = calloc(n ? n : 1, sizeof *e->sets);
    e->ms = calloc(n ? n : 1, sizeof *e->ms);
    if (e->names == NULL || e->sets == NULL || e->ms == NULL)
        return cli_oom(c);
    int rc = SEGRT_OK;
    for (size_t i = 0; i < n && rc == SEGRT_OK; i++) {
        e->names[i] = names ? names[i] : segrt_script_segment_name(c->sc, i);
        double t0 = cli_now_ms();
        rc = segrt_segment_eval(c->sc, e->names[i], &e->sets[i]);
        e->ms[i] = cli_now_ms() - t0;
    }
    return rc;
}

void cli_segments_free(cli_segments *e)
{
    for (size_t i = 0; e->sets && i < e->n; i++)
        segrt_set_free(e->sets[i]);
    free(e->names);
    free(e->sets);
    free(e->ms);
    *e = (cli_segments){ 0 };
}

int cli_segments_defined(const cli *c)
{
    if (segrt_script_segment_count(c->sc) > 0)
        return EXIT_OK;
    cli_error(c, "%s defines no segments (seg.segment \"name\" { where = ... })", c->args[0]);
    return EXIT_FAIL;
}
