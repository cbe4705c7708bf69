/*
 * cmd_packs.c — segrt packs: the installed and the bundled segment packs,
 * with their versions, descriptions and where they come from, and the pack
 * search path.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "segrt packs\n"
    "  List the segment packs: installed ones (on the pack search path) and\n"
    "  bundled ones, with version, origin and description. Give a pack's\n"
    "  name wherever a SCRIPT is accepted: segrt run --db DIR ecommerce_coffee\n"
    "  The search path is $SEGRT_PACKS (directories separated by ':'), else\n"
    "  $XDG_DATA_HOME/segrt/packs, else ~/.local/share/segrt/packs; a pack\n"
    "  there is NAME.lua or a folder NAME/ with init.lua. An installed pack\n"
    "  shadows the bundled pack of the same name.";

#define INDENT "                                         " /* under the description */

static int print_pack(void *ud, const segrt_pack_info *p)
{
    (void)ud;
    int bundled = strcmp(p->origin, "bundled") == 0;
    const char *from = p->shadowed_by ? "shadowed" : bundled ? "bundled" : "installed";
    if (p->error)
        printf("%-20s %-8s %-10s error: %s\n", p->name, "-", from, p->error);
    else
        printf("%-20s %-8s %-10s %s\n", p->name, p->version[0] ? p->version : "-", from,
               p->description);
    if (p->shadowed_by)
        printf(INDENT "bundled; %s shadows it\n", p->shadowed_by);
    else if (!bundled)
        printf(INDENT "%s\n", p->origin);
    return 0;
}

static int packs_run(cli *c, void *ud)
{
    (void)c;
    (void)ud;
    printf("%-20s %-8s %-10s %s\n", "NAME", "VERSION", "FROM", "DESCRIPTION");
    int rc = segrt_packs_foreach(print_pack, NULL);
    if (rc != SEGRT_OK)
        return rc;
    char path[4096];
    segrt_packs_path(path, sizeof path);
    printf("\nsearch path: %s%s\n", path[0] ? path : "(none: set SEGRT_PACKS)",
           getenv("SEGRT_PACKS") && getenv("SEGRT_PACKS")[0] ? " (SEGRT_PACKS)" : "");
    return SEGRT_OK;
}

int cmd_packs(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "packs", .usage = usage_text, .run = packs_run,
    };
    return cli_main(&cmd, argc, argv, NULL);
}
