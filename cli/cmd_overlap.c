/*
 * cmd_overlap.c — segrt overlap: the matrix of pairwise intersection sizes of
 * segments evaluated at NOW, each with its share of the row segment's size.
 */
#include "cli.h"

#include <stdio.h>

static const char usage_text[] =
    "segrt overlap [--db DIR] [--now T] SCRIPT [SEGMENT...]\n"
    "  Evaluate the named segments of SCRIPT at NOW (all of them when none is\n"
    "  named) and print the matrix of pairwise overlaps: the cell in row A,\n"
    "  column B is the number of contacts in both A and B, and its share of A's\n"
    "  size. The diagonal holds each segment's size.";

static int overlap_run(cli *c, void *ud)
{
    (void)ud;
    size_t given = (size_t)c->nargs - 1;
    size_t n = given ? given : segrt_script_segment_count(c->sc);
    if (n == 0) {
        cli_error(c, "%s defines no segments", c->args[0]);
        return EXIT_FAIL;
    }
    cli_segments e;
    char *table = NULL;
    int rc = cli_segments_eval(c, &e, n, given ? c->args + 1 : NULL);
    if (rc == SEGRT_OK &&
        segrt_overlap_table(n, e.names, (const segrt_set *const *)e.sets, &table) != SEGRT_OK)
        rc = cli_oom(c);
    if (rc == SEGRT_OK)
        fputs(table, stdout);
    segrt_free(table);
    cli_segments_free(&e);
    return rc;
}

int cmd_overlap(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "overlap", .usage = usage_text, .run = overlap_run, .flags = CLI_READ | CLI_SCRIPT,
        .arity = { 1, CLI_ANY_ARGS, "which script? give SCRIPT and the segments to compare" },
    };
    return cli_main(&cmd, argc, argv, NULL);
}
