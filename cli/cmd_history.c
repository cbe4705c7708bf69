/*
 * cmd_history.c — segrt history: the stored runs of one segment of a script
 * (segrt_segment_runs_foreach), oldest first: run, NOW, size, change,
 * entered, exited.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "segrt history [--db DIR] SCRIPT SEGMENT\n"
    "  Print the stored runs of SEGMENT (recorded by segrt run), oldest first: run\n"
    "  number, NOW of the run, size, change in size, how many entered and exited.\n"
    "  Run numbers are shared by all segments of one segrt run.";

typedef struct rows {
    size_t n, cap;
    segrt_run *r;
} rows;

static int add_row(void *ud, const segrt_run *row)
{
    rows *h = ud;
    if (CLI_ARRAY_RESERVE(h->r, h->cap, h->n + 1) != 0)
        return SEGRT_ENOMEM;
    h->r[h->n++] = *row;
    return SEGRT_OK;
}

static void print_rows(const rows *h)
{
    int wr = (int)strlen("run"), wz = (int)strlen("size"), wc = (int)strlen("change"),
        we = (int)strlen("entered"), wx = (int)strlen("exited");
    for (size_t i = 0; i < h->n; i++) {
        const segrt_run *r = &h->r[i];
        wr = cli_max(wr, cli_digits(r->run));
        wz = cli_max(wz, cli_digits(r->size));
        we = cli_max(we, cli_digits(r->entered));
        wx = cli_max(wx, cli_digits(r->exited));
        wc = cli_max(wc, 1 + cli_max(cli_digits(r->entered), cli_digits(r->exited)));
    }
    printf("%*s  %-20s  %*s  %*s  %*s  %*s\n", wr, "run", "now", wz, "size", wc, "change", we,
           "entered", wx, "exited");
    for (size_t i = 0; i < h->n; i++) {
        const segrt_run *r = &h->r[i];
        char when[21], change[24];
        segrt_time_format(r->now, when);
        /* size - previous size = entered - exited (erasure aside) */
        if (r->entered >= r->exited)
            snprintf(change, sizeof change, "+%" PRIu64, r->entered - r->exited);
        else
            snprintf(change, sizeof change, "-%" PRIu64, r->exited - r->entered);
        printf("%*" PRIu64 "  %-20s  %*" PRIu64 "  %*s  %*" PRIu64 "  %*" PRIu64 "\n", wr, r->run,
               when, wz, r->size, wc, change, we, r->entered, wx, r->exited);
    }
}

static int history_run(cli *c, void *ud)
{
    (void)ud;
    const char *script = c->args[0], *segment = c->args[1];
    rows h = { 0 };
    int rc = segrt_segment_runs_foreach(c->s, segment, add_row, &h);
    if (rc == SEGRT_OK) {
        if (cli_segment_index(c->sc, segment) < 0)
            cli_error(c, "note: %s no longer defines '%s'; its stored runs follow", script,
                      segment);
        print_rows(&h);
    } else if (rc == SEGRT_ENOTFOUND) {
        rc = cli_no_stored_runs(c, segment);
    }
    free(h.r);
    return rc;
}

int cmd_history(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "history", .usage = usage_text, .run = history_run, .flags = CLI_READ | CLI_SCRIPT,
        .arity = { 2, 2, "give SCRIPT and SEGMENT" },
    };
    return cli_main(&cmd, argc, argv, NULL);
}
