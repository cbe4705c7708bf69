/*
 * cmd_check.c — segrt check: the store's internal consistency.
 */
#include "cli.h"

#include <stdio.h>

int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = { CLI_COMMON_OPTIONS, { 0 } };
    cli c;
    cli_init(&c, "check", "segrt check [--db DIR]\n"
                          "  Verify the id index, counters, columns and timelines; exit 1 when\n"
                          "  anything is inconsistent.", argv);
    int rc = cli_parse(&c, argc, argv, opts, NULL, NULL);
    if (rc != CLI_GO_ON)
        return rc;
    if (optind < argc)
        return cli_usage_error(&c, "unexpected argument '%s'", argv[optind]);
    segrt_store *s = cli_open(&c, SEGRT_OPEN_READONLY);
    if (s == NULL)
        return EXIT_FAIL;
    rc = segrt_store_check(s);
    if (rc == SEGRT_OK)
        printf("ok\n");
    rc = rc == SEGRT_OK ? EXIT_OK : cli_fail(&c, s, rc);
    segrt_store_close(s);
    return rc;
}
