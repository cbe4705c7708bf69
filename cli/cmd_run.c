/*
 * cmd_run.c — segrt run: evaluate every segment a script defines at NOW,
 * store the memberships and a history row per segment in one transaction
 * (segrt_run_record), and print a table: segment, size, share of the
 * contacts, entered, exited, evaluation time.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void print_table(size_t n, const char *const names[], const segrt_run rows[],
                        const double ms[], uint64_t contacts)
{
    int wn = (int)strlen("segment"), wz = (int)strlen("size"), we = (int)strlen("entered"),
        wx = (int)strlen("exited");
    for (size_t i = 0; i < n; i++) {
        wn = cli_max(wn, (int)strlen(names[i]));
        wz = cli_max(wz, cli_digits(rows[i].size));
        we = cli_max(we, cli_digits(rows[i].entered));
        wx = cli_max(wx, cli_digits(rows[i].exited));
    }
    printf("%-*s  %*s  %7s  %*s  %*s  %8s\n", wn, "segment", wz, "size", "share", we, "entered",
           wx, "exited", "ms");
    for (size_t i = 0; i < n; i++) {
        char share[16];
        snprintf(share, sizeof share, "%.2f%%",
                 contacts ? 100.0 * (double)rows[i].size / (double)contacts : 0.0);
        printf("%-*s  %*llu  %7s  %*llu  %*llu  %8.2f\n", wn, names[i], wz,
               (unsigned long long)rows[i].size, share, we, (unsigned long long)rows[i].entered,
               wx, (unsigned long long)rows[i].exited, ms[i]);
    }
}

/* Evaluate the n segments of sc into sets[] (timing each), then record them as one run. */
static int run_all(segrt_store *s, segrt_script *sc, size_t n, const char **names,
                   const char **purposes, segrt_set **sets, double *ms, segrt_run *rows)
{
    int rc = SEGRT_OK;
    for (size_t i = 0; i < n && rc == SEGRT_OK; i++) {
        names[i] = segrt_script_segment_name(sc, i);
        purposes[i] = segrt_script_segment_purpose(sc, i);
        double t0 = cli_now_ms();
        rc = segrt_segment_eval(sc, names[i], &sets[i]);
        ms[i] = cli_now_ms() - t0;
    }
    return rc == SEGRT_OK
               ? segrt_run_record(s, n, names, purposes, (const segrt_set *const *)sets, rows)
               : rc;
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = { CLI_COMMON_OPTIONS, { 0 } };
    cli c;
    cli_init(&c, "run",
             "segrt run [--db DIR] [--now T] SCRIPT\n"
             "  Evaluate every segment SCRIPT defines at NOW (a Lua file or a bundled pack),\n"
             "  store each segment's members and a history row (NOW, size, entered, exited)\n"
             "  in one transaction, and print a table: segment, size, share of the\n"
             "  contacts, how many entered and exited since the segment's previous run,\n"
             "  and the evaluation time in milliseconds. On a first run everyone entered.\n"
             "  See also: segrt history, segrt overlap.",
             argv);
    int rc;
    segrt_store *s = cli_begin(&c, argc, argv, opts, NULL, NULL, 1,
                               "which script? give SCRIPT (a Lua file or a pack name)", 0, &rc);
    if (s == NULL)
        return rc;
    const char *path = argv[optind];
    segrt_script *sc = NULL;
    segrt_stats st;
    rc = segrt_store_stats(s, &st);
    if (rc == SEGRT_OK)
        rc = segrt_script_load(s, path, &sc);
    if (rc != SEGRT_OK)
        return cli_end(&c, s, rc);
    size_t n = segrt_script_segment_count(sc);
    if (n == 0) {
        cli_error(&c, "%s defines no segments (seg.segment \"name\" { where = ... })", path);
        segrt_script_free(sc);
        segrt_store_close(s);
        return EXIT_FAIL;
    }
    const char **names = calloc(n, sizeof *names), **purposes = calloc(n, sizeof *purposes);
    segrt_set **sets = calloc(n, sizeof *sets);
    double *ms = calloc(n, sizeof *ms);
    segrt_run *rows = calloc(n, sizeof *rows);
    int oom = !(names && purposes && sets && ms && rows);
    if (!oom) {
        double t0 = cli_now_ms();
        rc = run_all(s, sc, n, names, purposes, sets, ms, rows);
        if (rc == SEGRT_OK) {
            char when[21];
            segrt_time_format(segrt_store_now(s), when);
            print_table(n, names, rows, ms, st.contacts);
            fprintf(stderr, "segrt: run: run %llu at %s: %zu segment%s of %llu contacts stored "
                            "in %.1f ms\n", (unsigned long long)rows[0].run, when, n,
                    n == 1 ? "" : "s", (unsigned long long)st.contacts, cli_now_ms() - t0);
        }
    }
    for (size_t i = 0; sets && i < n; i++)
        segrt_set_free(sets[i]);
    free(names);
    free(purposes);
    free(sets);
    free(ms);
    free(rows);
    segrt_script_free(sc);
    if (oom) {
        cli_error(&c, "out of memory");
        segrt_store_close(s);
        return EXIT_FAIL;
    }
    return cli_end(&c, s, rc);
}
