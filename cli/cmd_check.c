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
    int rc;
    segrt_store *s = cli_begin(&c, argc, argv, opts, NULL, NULL, 0, "", SEGRT_OPEN_READONLY, &rc);
    if (s == NULL)
        return rc;
    rc = segrt_store_check(s);
    if (rc == SEGRT_OK)
        printf("ok\n");
    return cli_end(&c, s, rc);
}
