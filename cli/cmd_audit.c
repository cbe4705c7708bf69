/*
 * cmd_audit.c — segrt audit: the audit log, oldest first, or its hash chain checked.
 */
#include "cli.h"

#include <stdio.h>

static const char usage_text[] =
    "segrt audit [--db DIR] [--since T] [--verify]\n"
    "  Print the audit log: sequence, time, actor, action, contact ordinal\n"
    "  (never personal data; 'store' for the whole store) and detail,\n"
    "  tab-separated.\n"
    "  --verify  check the log's hash chain instead: exit 0 with the number of\n"
    "            entries and the head hash (note it elsewhere: a rewritten chain\n"
    "            then shows), or exit 1 naming the first entry changed, removed\n"
    "            or reordered";

enum { O_SINCE = OPT_FIRST_CMD, O_VERIFY };

typedef struct audit_args {
    int64_t since;
    int verify;
} audit_args;

static int audit_option(cli *c, int opt, const char *arg, void *ud)
{
    audit_args *a = ud;
    if (opt == O_VERIFY) {
        a->verify = 1;
        return EXIT_OK;
    }
    if (opt == O_SINCE && segrt_time_parse(arg, &a->since) == SEGRT_OK)
        return EXIT_OK;
    return cli_usage_error(c, "--since '%s' is not a time (YYYY-MM-DDTHH:MM:SSZ)", arg);
}

static int verify(cli *c)
{
    segrt_audit_check chk;
    int rc = segrt_audit_verify(c->s, &chk);
    if (rc == SEGRT_ECORRUPT) {
        printf("audit log: the chain breaks: %s (%llu entries before it check out)\n",
               chk.reason, (unsigned long long)chk.entries);
        return EXIT_FAIL;
    }
    if (rc != SEGRT_OK)
        return cli_fail(c, c->s, rc);
    printf("audit log: %llu entries, the chain holds", (unsigned long long)chk.entries);
    if (chk.legacy)
        printf(" (the first %llu were written before it and are covered from the next one)",
               (unsigned long long)chk.legacy);
    printf("\nhead %s\n", chk.head);
    return EXIT_OK;
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
    const audit_args *a = ud;
    if (a->verify)
        return verify(c);
    return segrt_audit_foreach(c->s, a->since, print_entry, NULL);
}

int cmd_audit(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "audit", .usage = usage_text, .run = audit_run, .flags = CLI_READ,
        .option = audit_option,
        .options = (const struct option[]){ CLI_OPTION("since", O_SINCE),
                                            CLI_FLAG("verify", O_VERIFY), { 0 } },
    };
    audit_args a = { .since = INT64_MIN };
    return cli_main(&cmd, argc, argv, &a);
}
