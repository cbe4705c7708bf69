/*
 * cmd_run.c — segrt run: evaluate every segment a script defines at NOW,
 * store the memberships and a history row per segment in one transaction
 * (segrt_run_record), write the tags of its seg.tag rules right after
 * (segrt_script_tags_write), and print a table: segment, size, share of the
 * contacts, entered, exited, evaluation time.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "segrt run [--db DIR] [--now T] SCRIPT\n"
    "  Evaluate every segment SCRIPT defines at NOW (a Lua file or a bundled pack),\n"
    "  store each segment's members and a history row (NOW, size, entered, exited)\n"
    "  in one transaction, and print a table: segment, size, share of the\n"
    "  contacts, how many entered and exited since the segment's previous run,\n"
    "  and the evaluation time in milliseconds. On a first run everyone entered.\n"
    "  Tags of seg.tag rules are then written into the contacts' tags field.\n"
    "  See also: segrt history, segrt overlap.";

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

/* Store the evaluated segments as one run, then print the table and a summary. */
static int record(cli *c, const cli_segments *e, uint64_t contacts, double t0)
{
    const char **purposes = calloc(e->n, sizeof *purposes);
    segrt_run *rows = calloc(e->n, sizeof *rows);
    if (purposes == NULL || rows == NULL) {
        free(purposes);
        free(rows);
        return cli_oom(c);
    }
    for (size_t i = 0; i < e->n; i++)
        purposes[i] = segrt_script_segment_purpose(c->sc, i);
    int rc = segrt_run_record(c->s, e->n, e->names, purposes, (const segrt_set *const *)e->sets,
                              rows);
    uint64_t tagged = 0; /* the script's seg.tag rules, written right after the run */
    if (rc == SEGRT_OK)
        rc = segrt_script_tags_write(c->sc, e->n, e->names, (const segrt_set *const *)e->sets,
                                     &tagged);
    if (rc == SEGRT_OK) {
        char when[21];
        segrt_time_format(segrt_store_now(c->s), when);
        print_table(e->n, e->names, rows, e->ms, contacts);
        fprintf(stderr, "segrt: run: run %llu at %s: %zu segment%s of %llu contacts stored "
                        "in %.1f ms\n", (unsigned long long)rows[0].run, when, e->n,
                e->n == 1 ? "" : "s", (unsigned long long)contacts, cli_now_ms() - t0);
        if (tagged)
            fprintf(stderr, "segrt: run: %llu tag%s added or removed\n",
                    (unsigned long long)tagged, tagged == 1 ? "" : "s");
    }
    free(purposes);
    free(rows);
    return rc;
}

/* The store's size first, then the script (cli_main would load it before). */
static int run_run(cli *c, void *ud)
{
    (void)ud;
    segrt_stats st;
    int rc = segrt_store_stats(c->s, &st);
    if (rc == SEGRT_OK)
        rc = segrt_script_load(c->s, c->args[0], &c->sc);
    if (rc != SEGRT_OK)
        return rc;
    if (cli_segments_defined(c) != EXIT_OK)
        return EXIT_FAIL;
    double t0 = cli_now_ms();
    cli_segments e;
    rc = cli_segments_eval(c, &e, segrt_script_segment_count(c->sc), NULL);
    if (rc == SEGRT_OK)
        rc = record(c, &e, st.contacts, t0);
    cli_segments_free(&e);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "run", .usage = usage_text, .run = run_run, .flags = CLI_WRITE,
        .arity = { 1, 1, "which script? give SCRIPT (a Lua file or a pack name)" },
    };
    return cli_main(&cmd, argc, argv, NULL);
}
