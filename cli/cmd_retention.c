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

int cmd_retention(int argc, char **argv)
{
    static const struct option opts[] = { CLI_COMMON_OPTIONS,
                                          { "inactive-days", required_argument, NULL, O_DAYS },
                                          { "dry-run", no_argument, NULL, O_DRY_RUN },
                                          { 0 } };
    cli c;
    retention_opts o = { .days = -1 };
    cli_init(&c, "retention",
             "segrt retention [--db DIR] [--now T] [--actor NAME] --inactive-days N [--dry-run]\n"
             "  Erase the contacts with no activity in the N days before NOW: no event and\n"
             "  no consent record since then (a contact with neither counts from its\n"
             "  created_at, when it has one). Each erasure is the same as segrt erase and\n"
             "  is recorded in the audit log. Prints the ids, one per line, in byte order.\n"
             "  --dry-run  only list the contacts that would be erased",
             argv);
    int code = cli_parse(&c, argc, argv, opts, retention_option, &o);
    if (code != CLI_GO_ON)
        return code;
    if (optind < argc)
        return cli_usage_error(&c, "unexpected argument '%s'", argv[optind]);
    if (o.days < 0)
        return cli_usage_error(&c, "how long? give --inactive-days N");
    segrt_store *s = cli_open(&c, o.dry_run ? SEGRT_OPEN_READONLY : 0);
    if (s == NULL)
        return EXIT_FAIL;
    uint64_t n = 0;
    int rc = segrt_retention(s, (uint32_t)o.days, o.dry_run, c.actor, print_id, &n);
    if (rc == SEGRT_OK || n > 0)
        fprintf(stderr, "segrt: retention: %llu contacts inactive for %lld days %s\n",
                (unsigned long long)n, o.days,
                o.dry_run ? "(dry run: nothing erased)" : "erased; an audit entry was kept for each");
    return cli_end(&c, s, rc);
}
