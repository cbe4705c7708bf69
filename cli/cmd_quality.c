/*
 * cmd_quality.c — segrt quality: how current and plausible the store's data
 * is (segrt_quality_report).
 */
#include "cli.h"

#include <stdio.h>

static const char usage_text[] =
    "segrt quality [--db DIR] [--now T]\n"
    "  Report per contact field how many contacts have a value, how old the\n"
    "  values are (median and 90th percentile since each was last written),\n"
    "  and how many stored values break the built-in rules (birth date after\n"
    "  NOW or before 1900, negative income, e-mail that is no address, phone\n"
    "  that is no number of its RO/PL/BG contact's country); then the likely\n"
    "  duplicates (a shared e-mail or phone number) and the stale (over 730\n"
    "  days) or expired consents in force, per purpose.";

static int quality_run(cli *c, void *ud)
{
    (void)ud;
    char *text = NULL;
    int rc = segrt_quality_report(c->s, &text);
    if (rc == SEGRT_OK)
        fputs(text, stdout);
    segrt_free(text);
    return rc;
}

int cmd_quality(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "quality", .usage = usage_text, .run = quality_run, .flags = CLI_READ,
    };
    return cli_main(&cmd, argc, argv, NULL);
}
