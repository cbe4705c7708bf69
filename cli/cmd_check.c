/*
 * cmd_check.c — segrt check: the store's internal consistency.
 */
#include "cli.h"

#include <stdio.h>

static const char usage_text[] =
    "segrt check [--db DIR]\n"
    "  Verify the id index, counters, columns and timelines; exit 1 when\n"
    "  anything is inconsistent. A store found corrupt is flagged (DIR/corrupt.flag):\n"
    "  every other command refuses it until it is restored, or repaired and checked\n"
    "  again (a store that passes loses the flag); segrt compact copies it out when\n"
    "  LMDB can still read every table (damage in the derived data, not the pages),\n"
    "  and --open-flagged opens it anyway with any command.";

static int check_run(cli *c, void *ud)
{
    (void)ud;
    int rc = segrt_store_check(c->s);
    if (rc == SEGRT_OK)
        printf("ok\n");
    return rc;
}

int cmd_check(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "check", .usage = usage_text, .run = check_run, .flags = CLI_READ | CLI_FLAGGED,
    };
    return cli_main(&cmd, argc, argv, NULL);
}
