/*
 * cmd_audit.c — segrt audit: the audit log, oldest first.
 */
#include "cli.h"

#include <stdio.h>

static const char usage_text[] =
    "segrt audit [--db DIR] [--since T]\n"
    "  Print the audit log: sequence, time, actor, action, contact ordinal\n"
    "  (never personal data; 'store' for the whole store) and detail,\n"
    "  tab-separated.";

enum { O_SINCE = OPT_FIRST_CMD };

static int audit_option(cli *c, int opt, const char *arg, void *ud)
{
    int64_t *since = ud;
    if (opt == O_SINCE && segrt_time_parse(arg, since) == SEGRT_OK)
        return EXIT_OK;
    return cli_usage_error(c, "--since '%s' is not a time (YYYY-MM-DDTHH:MM:SSZ)", arg);
}

static int print_entry(void *ud, const segrt_audit_entry *e)
{
    (void)ud;
    char t[21], who[24] = "store";
    segrt_time_format(e->ts, t);
    if (e->ordinal != SEGRT_AUDIT_STORE)
        snprintf(who, sizeof who, "contact#%u", e->ordinal);
    printf("%llu\t%s\t%s\t%s\t%s\t%s\n", (unsigned long long)e->seq, t, e->actor, e->action,
           who, e->detail);
    return 0;
}

static int audit_run(cli *c, void *ud)
{
    return segrt_audit_foreach(c->s, *(const int64_t *)ud, print_entry, NULL);
}

int cmd_audit(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "audit", .usage = usage_text, .run = audit_run, .flags = CLI_READ,
        .option = audit_option,
        .options = (const struct option[]){ CLI_OPTION("since", O_SINCE), { 0 } },
    };
    int64_t since = INT64_MIN;
    return cli_main(&cmd, argc, argv, &since);
}
