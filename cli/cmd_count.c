/*
 * cmd_count.c — segrt count (SPEC §3): evaluate one segment of a script at
 * NOW and print its size. segrt members is cmd_members.c.
 */
#include "cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char count_usage[] =
    "segrt count [--db DIR] [--now T] [--time] SCRIPT SEGMENT\n"
    "  Print the number of members of SEGMENT defined in SCRIPT.\n"
    "  --time: also print the evaluation time to stderr.";

enum { O_TIME = OPT_FIRST_CMD };

static int count_option(cli *c, int opt, const char *arg, void *ud)
{
    (void)c;
    (void)arg;
    *(int *)ud = opt == O_TIME;
    return EXIT_OK;
}

static int count_run(cli *c, void *ud)
{
    cli_segments e;
    int rc = cli_segments_eval(c, &e, 1, c->args + 1);
    if (rc == SEGRT_OK && *(const int *)ud)
        fprintf(stderr, "evaluated %s in %.2f ms\n", e.names[0], e.ms[0]);
    if (rc == SEGRT_OK)
        printf("%llu\n", (unsigned long long)segrt_set_count(e.sets[0]));
    cli_segments_free(&e);
    return rc;
}

int cmd_count(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "count", .usage = count_usage, .run = count_run, .flags = CLI_READ | CLI_SCRIPT,
        .arity = { 2, 2, "give a SCRIPT and a SEGMENT" }, .option = count_option,
        .options = (const struct option[]){ CLI_FLAG("time", O_TIME), { 0 } },
    };
    int timing = 0;
    return cli_main(&cmd, argc, argv, &timing);
}
