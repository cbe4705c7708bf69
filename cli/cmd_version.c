/*
 * cmd_version.c — segrt version (and segrt --version): print "segrt x.y.z",
 * the version of the library the command runs with.
 */
#include "cli.h"

#include <stdio.h>

int cmd_version(int argc, char **argv)
{
    static const struct option opts[] = { { "help", no_argument, NULL, OPT_HELP }, { 0 } };
    cli c;
    cli_init(&c, "version", "segrt version\n"
                            "  Print the version of segrt (also: segrt --version).", argv);
    int rc = cli_parse(&c, argc, argv, opts, NULL, NULL);
    if (rc != CLI_GO_ON)
        return rc;
    if (optind < argc)
        return cli_usage_error(&c, "unexpected argument '%s'", argv[optind]);
    printf("segrt %s\n", segrt_version());
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}
