/*
 * cmd_version.c — segrt version (and segrt --version): print "segrt x.y.z",
 * the version of the library the command runs with.
 */
#include "cli.h"

#include <stdio.h>

static const char usage_text[] =
    "segrt version\n"
    "  Print the version of segrt (also: segrt --version).";

static int version_run(cli *c, void *ud)
{
    (void)c;
    (void)ud;
    printf("segrt %s\n", segrt_version());
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}

int cmd_version(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "version", .usage = usage_text, .run = version_run, .flags = CLI_HELP_ONLY,
    };
    return cli_main(&cmd, argc, argv, NULL);
}
