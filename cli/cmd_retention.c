/*
 * cmd_retention.c — segrt retention: list (--dry-run) or erase the contacts
 * with no event and no consent activity for N days before NOW (data
 * minimisation; Mautic's GDPR clean-up does this with 1,095 days).
 *
 * Uses: segrt_retention.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static const char usage_text[] =
    "segrt retention [--db DIR] [--now T] [--actor NAME] --inactive-days N [--dry-run]\n"
    "  Erase the contacts with no activity in the N days before NOW: no event and\n"
    "  no consent record since then (a contact with neither counts from its\n"
    "  created_at, when it has one). Each erasure is the same as segrt erase and\n"
    "  is recorded in the audit log. Prints the ids, one per line, in byte order.\n"
    "  --dry-run  only list the contacts that would be erased";

enum { O_DAYS = OPT_FIRST_CMD, O_DRY_RUN };

typedef struct retention_opts {
    long long days; /* -1 until given */
    int dry_run;
} retention_opts;

static int retention_option(cli *c, int opt, const char *arg, void *ud)
{
    retention_opts *o = ud;
    if (opt == O_DRY_RUN) {
        o->dry_run = 1;
        return EXIT_OK;
    }
    if (opt != O_DAYS)
        return EXIT_USAGE;
    char *end;
    errno = 0;
    long long n = strtoll(arg, &end, 10);
    if (errno || end == arg || *end || n < 1 || n > 1000000)
        return cli_usage_error(c, "--inactive-days '%s' is not a number of days (1 or more)",
                               arg);
    o->days = n;
    return EXIT_OK;
}

static int print_id(void *ud, const char *id)
{
    uint64_t *n = ud;
    (*n)++;
    printf("%s\n", id);
    return 0;
}

/* --inactive-days is checked before the store opens, for writing unless --dry-run. */
static int retention_run(cli *c, void *ud)
{
    const retention_opts *o = ud;
    if (o->days < 0)
        return cli_usage_error(c, "how long? give --inactive-days N");
    if ((c->s = cli_open(c, o->dry_run ? SEGRT_OPEN_READONLY : 0)) == NULL)
        return EXIT_FAIL;
    uint64_t n = 0;
    int rc = segrt_retention(c->s, (uint32_t)o->days, o->dry_run, cli_actor(c), print_id, &n);
    if (rc == SEGRT_OK || n > 0)
        fprintf(stderr, "segrt: retention: %llu contacts inactive for %lld days %s\n",
                (unsigned long long)n, o->days,
                o->dry_run ? "(dry run: nothing erased)" : "erased; an audit entry was kept for each");
    return rc;
}

int cmd_retention(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "retention", .usage = usage_text, .run = retention_run, .option = retention_option,
        .options = (const struct option[]){ CLI_OPTION("inactive-days", O_DAYS),
                                            CLI_FLAG("dry-run", O_DRY_RUN), { 0 } },
    };
    retention_opts o = { .days = -1 };
    return cli_main(&cmd, argc, argv, &o);
}
