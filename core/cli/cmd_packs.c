/*
 * cmd_packs.c — segrt packs: the bundled segment packs.
 */
#include "cli.h"

#include <stdio.h>

static int print_pack(void *ud, const char *name, const char *summary)
{
    (void)ud;
    printf("%-20s %s\n", name, summary);
    return 0;
}

int cmd_packs(int argc, char **argv)
{
    static const struct option opts[] = { CLI_COMMON_OPTIONS, { 0 } };
    cli c;
    cli_init(&c, "packs", "segrt packs\n"
                          "  List the bundled segment packs. Give a pack's name wherever a SCRIPT\n"
                          "  is accepted: segrt run --db DIR ecommerce_coffee", argv);
    int rc = cli_parse(&c, argc, argv, opts, NULL, NULL);
    if (rc != CLI_GO_ON)
        return rc;
    if (optind < argc)
        return cli_usage_error(&c, "unexpected argument '%s'", argv[optind]);
    segrt_packs_each(print_pack, NULL);
    return EXIT_OK;
}
