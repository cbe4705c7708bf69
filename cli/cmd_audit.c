/*
 * cmd_audit.c — segrt audit: the audit log, oldest first.
 */
#include "cli.h"

#include <stdio.h>

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
    char t[21];
    segrt_time_format(e->ts, t);
    printf("%llu\t%s\t%s\t%s\tcontact#%u\t%s\n", (unsigned long long)e->seq, t, e->actor,
           e->action, e->ordinal, e->detail);
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = { CLI_COMMON_OPTIONS,
                                          { "since", required_argument, NULL, O_SINCE },
                                          { 0 } };
    cli c;
    int64_t since = INT64_MIN;
    cli_init(&c, "audit", "segrt audit [--db DIR] [--since T]\n"
                          "  Print the audit log: sequence, time, actor, action, contact ordinal\n"
                          "  (never personal data) and detail, tab-separated.", argv);
    int rc;
    segrt_store *s = cli_begin(&c, argc, argv, opts, audit_option, &since, 0, "",
                               SEGRT_OPEN_READONLY, &rc);
    if (s == NULL)
        return rc;
    return cli_end(&c, s, segrt_audit_foreach(s, since, print_entry, NULL));
}
