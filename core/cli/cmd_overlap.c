/*
 * cmd_overlap.c — segrt overlap: the matrix of pairwise intersection sizes of
 * segments evaluated at NOW, each with its share of the row segment's size.
 */
#include "cli.h"

#include "segset.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* |a & b|; sets from different snapshots may differ in length. */
static uint64_t overlap_count(const bitset *a, const bitset *b)
{
    size_t nw = bitset_words(a->nbits < b->nbits ? a->nbits : b->nbits);
    uint64_t n = 0;
    for (size_t i = 0; i < nw; i++)
        n += (uint64_t)__builtin_popcountll(a->w[i] & b->w[i]);
    return n;
}

/* "N (P%)" of the row's size, or "0 (-)" for an empty row. */
static void cell_text(char *out, size_t n, uint64_t inter, uint64_t row_size)
{
    if (row_size == 0)
        snprintf(out, n, "%" PRIu64 " (-)", inter);
    else
        snprintf(out, n, "%" PRIu64 " (%.1f%%)", inter, 100.0 * (double)inter / (double)row_size);
}

/* Print the matrix; -1 when out of memory. */
static int print_matrix(size_t n, const char *const names[], segrt_set *const sets[])
{
    uint64_t *m = calloc(n * n, sizeof *m);
    int *w = calloc(n + 1, sizeof *w);
    if (m == NULL || w == NULL) {
        free(m);
        free(w);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i; j < n; j++)
            m[i * n + j] = m[j * n + i] = overlap_count(&sets[i]->bits, &sets[j]->bits);
    }
    w[0] = (int)strlen("segment");
    for (size_t i = 0; i < n; i++) {
        int len = (int)strlen(names[i]);
        w[0] = len > w[0] ? len : w[0];
        w[i + 1] = len;
    }
    char cell[64];
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            cell_text(cell, sizeof cell, m[i * n + j], m[i * n + i]);
            int len = (int)strlen(cell);
            w[j + 1] = len > w[j + 1] ? len : w[j + 1];
        }
    }
    printf("%-*s", w[0], "segment");
    for (size_t j = 0; j < n; j++)
        printf("  %*s", w[j + 1], names[j]);
    printf("\n");
    for (size_t i = 0; i < n; i++) {
        printf("%-*s", w[0], names[i]);
        for (size_t j = 0; j < n; j++) {
            cell_text(cell, sizeof cell, m[i * n + j], m[i * n + i]);
            printf("  %*s", w[j + 1], cell);
        }
        printf("\n");
    }
    free(m);
    free(w);
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
