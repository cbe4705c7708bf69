/*
 * cmd_overlap.c — segrt overlap: the matrix of pairwise intersection sizes of
 * segments evaluated at NOW, each with its share of the row segment's size.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

/* Print the matrix of the n sets; -1 when out of memory. */
static int print_matrix(size_t n, const char *const names[], segrt_set *const sets[])
{
    char *table = NULL;
    if (segrt_overlap_table(n, names, (const segrt_set *const *)sets, &table) != SEGRT_OK)
        return -1;
    fputs(table, stdout);
    segrt_free(table);
    return 0;
}

int cmd_overlap(int argc, char **argv)
{
    static const struct option opts[] = { CLI_COMMON_OPTIONS, { 0 } };
    cli c;
    cli_init(&c, "overlap",
             "segrt overlap [--db DIR] [--now T] SCRIPT [SEGMENT...]\n"
             "  Evaluate the named segments of SCRIPT at NOW (all of them when none is\n"
             "  named) and print the matrix of pairwise overlaps: the cell in row A,\n"
             "  column B is the number of contacts in both A and B, and its share of A's\n"
             "  size. The diagonal holds each segment's size.",
             argv);
    int rc = cli_parse(&c, argc, argv, opts, NULL, NULL);
    if (rc != CLI_GO_ON)
        return rc;
    if (optind >= argc)
        return cli_usage_error(&c, "which script? give SCRIPT and the segments to compare");
    const char *script = argv[optind];
    segrt_store *s = cli_open(&c, SEGRT_OPEN_READONLY);
    if (s == NULL)
        return EXIT_FAIL;
    segrt_script *sc = NULL;
    rc = segrt_script_load(s, script, &sc);
    if (rc != SEGRT_OK)
        return cli_end(&c, s, rc);
    int given = argc - optind - 1;
    size_t n = given > 0 ? (size_t)given : segrt_script_segment_count(sc);
    const char **names = calloc(n ? n : 1, sizeof *names);
    segrt_set **sets = calloc(n ? n : 1, sizeof *sets);
    int oom = names == NULL || sets == NULL, empty = 0;
    for (size_t i = 0; !oom && rc == SEGRT_OK && i < n; i++) {
        names[i] = given > 0 ? argv[optind + 1 + (int)i] : segrt_script_segment_name(sc, i);
        rc = segrt_segment_eval(sc, names[i], &sets[i]);
    }
    if (!oom && rc == SEGRT_OK && n == 0) {
        cli_error(&c, "%s defines no segments", script);
        empty = 1;
    } else if (!oom && rc == SEGRT_OK) {
        oom = print_matrix(n, (const char *const *)names, sets) != 0;
    }
    for (size_t i = 0; sets && i < n; i++)
        segrt_set_free(sets[i]);
    free(names);
    free(sets);
    segrt_script_free(sc);
    if (oom || empty) {
        if (oom)
            cli_error(&c, "out of memory");
        segrt_store_close(s);
        return EXIT_FAIL;
    }
    return cli_end(&c, s, rc);
}
