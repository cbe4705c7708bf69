/*
 * cmd_consent.c — segrt consent: record a grant, withdrawal or denial for a
 * contact (each change audited), print a contact's consent history, print
 * per-purpose counts of the records in force.
 *
 * Uses: segrt_consent_append, segrt_consent_history_foreach, segrt_consent_report_foreach.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_BASIS = OPT_FIRST_CMD, O_EXPIRES, O_SOURCE, O_MAX_AGE };

static const char usage_text[] =
    "segrt consent grant|withdraw|deny [--db DIR] [--now T] [--actor NAME]\n"
    "                     [--basis B] [--expires T] [--source S] ID PURPOSE\n"
    "       segrt consent show [--db DIR] [--now T] ID\n"
    "       segrt consent report [--db DIR] [--now T] [--max-age-days N]\n"
    "  grant, withdraw, deny: append a consent record for contact ID and PURPOSE at\n"
    "    NOW (status granted, withdrawn or denied). The full history is kept; the\n"
    "    change is recorded in the audit log with the actor (--actor, else $USER).\n"
    "    --basis B     legal basis: consent (default), legitimate_interest,\n"
    "                  contract, legal_obligation, vital_interest, public_task\n"
    "    --expires T   when the record lapses (YYYY-MM-DDTHH:MM:SSZ), after NOW\n"
    "    --source S    where it comes from (default: segrt)\n"
    "  show: the contact's consent history in recorded order, tab-separated:\n"
    "    ts, purpose, status, legal basis, expires_at, source, and in_force (yes/no)\n"
    "    for the record in force at NOW.\n"
    "  report: per purpose, the records in force at NOW by status and legal basis,\n"
    "    grants that expired, stale grants (older than --max-age-days, default 365)\n"
    "    and grants expiring within 30 days.";

typedef struct consent_opts {
    const char *status; /* grant, withdraw, deny: the status it records; else NULL */
    const char *basis, *source;
    int64_t expires;
    int64_t max_age_days;
    int is_write, is_report;
} consent_opts;

static int consent_option(cli *c, int opt, const char *arg, void *ud)
{
    consent_opts *o = ud;
    switch (opt) {
    case O_BASIS:
    case O_EXPIRES:
    case O_SOURCE:
        if (!o->is_write)
            return cli_usage_error(c, "option '%s' is only for grant, withdraw and deny",
                                   c->argv[optind - 1]);
        if (opt == O_BASIS)
            o->basis = arg;
        else if (opt == O_SOURCE)
            o->source = arg;
        else if (segrt_time_parse(arg, &o->expires) != SEGRT_OK)
            return cli_usage_error(c, "--expires '%s' is not a time (YYYY-MM-DDTHH:MM:SSZ)",
                                   arg);
        return EXIT_OK;
    case O_MAX_AGE: {
        char *end;
        errno = 0;
        long long n = strtoll(arg, &end, 10);
        if (!o->is_report)
            return cli_usage_error(c, "option '--max-age-days' is only for report");
        if (errno || end == arg || *end || n < 0 || n > 100000)
            return cli_usage_error(c, "--max-age-days '%s' is not a number of days (0: none)",
                                   arg);
        o->max_age_days = n;
        return EXIT_OK;
    }
    }
    return EXIT_USAGE;
}

/* ------------------------------------------------------------ show */

static int print_record(void *ud, const segrt_consent_record *r)
{
    char ts[21], exp[21] = "-";
    (void)ud;
    segrt_time_format(r->ts, ts);
    if (r->expires != INT64_MIN)
        segrt_time_format(r->expires, exp);
    printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", ts, r->purpose, r->status,
           r->basis ? r->basis : "-", exp, r->source ? r->source : "-",
           r->in_force ? "yes" : "no");
    return 0;
}

/* ------------------------------------------------------------ report */

/* The tallies, kept to size the columns before printing; names holds their purposes. */
typedef struct report_out {
    segrt_consent_tally *t;
    size_t n, cap;
    cli_strings names;
    int oom;
} report_out;

static int keep_tally(void *ud, const segrt_consent_tally *t)
{
    report_out *o = ud;
    if (CLI_ARRAY_RESERVE(o->t, o->cap, o->n + 1) != 0 ||
        cli_strings_add(&o->names, t->purpose) != SEGRT_OK) {
        o->oom = 1;
        return SEGRT_ENOMEM;
    }
    o->t[o->n] = *t;
    o->t[o->n].purpose = o->names.v[o->n];
    o->n++;
    return 0;
}

static void print_report(const report_out *o, int64_t now, int64_t max_age_days)
{
    static const char *const heads[] = { "purpose", "contacts", "granted", "withdrawn",
                                         "denied", "expired", "stale", "expiring" };
    int w[8];
    char t[21];
    segrt_time_format(now, t);
    printf("consent in force at %s; stale: granted ", t);
    if (max_age_days > 0)
        printf("more than %lld days before; ", (long long)max_age_days);
    else
        printf("(no max age); ");
    printf("expiring: within %d days\n", SEGRT_CONSENT_EXPIRING_DAYS);
    for (int c = 0; c < 8; c++)
        w[c] = (int)strlen(heads[c]);
    for (size_t i = 0; i < o->n; i++) {
        const segrt_consent_tally *r = &o->t[i];
        uint64_t v[8] = { 0, r->contacts, r->status[SEGRT_CONSENT_GRANTED],
                          r->status[SEGRT_CONSENT_WITHDRAWN], r->status[SEGRT_CONSENT_DENIED],
                          r->expired, r->stale, r->expiring };
        w[0] = cli_max(w[0], (int)strlen(r->purpose));
        for (int c = 1; c < 8; c++)
            w[c] = cli_max(w[c], cli_digits(v[c]));
    }
    printf("%-*s", w[0], heads[0]);
    for (int c = 1; c < 8; c++)
        printf("  %*s", w[c], heads[c]);
    printf("\n");
    for (size_t i = 0; i < o->n; i++) {
        const segrt_consent_tally *r = &o->t[i];
        uint64_t v[8] = { 0, r->contacts, r->status[SEGRT_CONSENT_GRANTED],
                          r->status[SEGRT_CONSENT_WITHDRAWN], r->status[SEGRT_CONSENT_DENIED],
                          r->expired, r->stale, r->expiring };
        printf("%-*s", w[0], r->purpose);
        for (int c = 1; c < 8; c++)
            printf("  %*llu", w[c], (unsigned long long)v[c]);
        printf("\n");
    }
    if (o->n == 0)
        return;
    printf("\nlegal basis of the record in force:\n");
    for (size_t i = 0; i < o->n; i++) {
        const segrt_consent_tally *r = &o->t[i];
        printf("%-*s ", w[0], r->purpose);
        for (int b = 1; b <= SEGRT_BASIS_COUNT; b++) {
            int k = b % SEGRT_BASIS_COUNT; /* the named bases first, none last */
            if (r->basis[k] == 0)
                continue;
            printf(" %s=%llu", k ? segrt_legal_basis_name(k) : "none",
                   (unsigned long long)r->basis[k]);
        }
        printf("\n");
    }
}

static void report_free(report_out *o)
{
    cli_strings_free(&o->names);
    free(o->t);
}

/* Print the per-purpose counts of the records in force. */
static int consent_report(cli *c, const consent_opts *o)
{
    report_out out = { 0 };
    int rc = segrt_consent_report_foreach(c->s, o->max_age_days * 86400, keep_tally, &out);
    if (rc == SEGRT_OK)
        print_report(&out, segrt_store_now(c->s), o->max_age_days);
    report_free(&out);
    return out.oom ? cli_oom(c) : rc;
}

/* ------------------------------------------------------------ the command */

static int consent_run(cli *c, void *ud)
{
    const consent_opts *o = ud;
    if (o->is_report)
        return consent_report(c, o);
    if (!o->is_write)
        return segrt_consent_history_foreach(c->s, c->args[0], print_record, NULL);
    const char *id = c->args[0], *purpose = c->args[1];
    int rc = segrt_consent_append(c->s, id, purpose, o->status, o->basis, o->expires, o->source,
                                  cli_actor(c));
    if (rc == SEGRT_OK) {
        char t[21];
        segrt_time_format(segrt_store_now(c->s), t);
        fprintf(stderr, "segrt: consent: %s %s for %s at %s (audited as %s)\n", purpose,
                o->status, id, t, cli_actor(c));
    }
    return rc;
}

static const struct {
    const char *name, *status;
} actions[] = {
    { "grant", "granted" }, { "withdraw", "withdrawn" }, { "deny", "denied" },
    { "show", NULL },       { "report", NULL },
};

int cmd_consent(int argc, char **argv)
{
    /* The action decides the positional arguments and whether the store is written. */
    cli_command cmd = {
        .name = "consent", .usage = usage_text, .run = consent_run, .option = consent_option,
        .options = (const struct option[]){ CLI_OPTION("basis", O_BASIS),
                                            CLI_OPTION("expires", O_EXPIRES),
                                            CLI_OPTION("source", O_SOURCE),
                                            CLI_OPTION("max-age-days", O_MAX_AGE), { 0 } },
    };
    cli c;
    cli_init(&c, &cmd, argv + 1); /* options follow the action */
    if (argc < 2 || argv[1][0] == '-') {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            printf("usage: %s\n", usage_text);
            return EXIT_OK;
        }
        return cli_usage_error(&c, "what to do? grant, withdraw, deny, show or report");
    }
    size_t a = 0;
    while (a < sizeof actions / sizeof actions[0] && strcmp(argv[1], actions[a].name) != 0)
        a++;
    if (a == sizeof actions / sizeof actions[0])
        return cli_usage_error(&c, "unknown action '%s' (grant, withdraw, deny, show, report)",
                               argv[1]);
    consent_opts o = { .status = actions[a].status, .source = "segrt", .expires = INT64_MIN,
                       .max_age_days = 365, .is_write = actions[a].status != NULL,
                       .is_report = strcmp(actions[a].name, "report") == 0 };
    cmd.arity.min = cmd.arity.max = o.is_write ? 2 : o.is_report ? 0 : 1;
    cmd.arity.missing = o.is_write ? "which contact and purpose? give ID PURPOSE"
                                   : "which contact? give its ID";
    cmd.flags = o.is_write ? CLI_WRITE : CLI_READ;
    /* Options follow the action: parse argv[1..] with the action in argv[0]'s place. */
    return cli_main(&cmd, argc - 1, argv + 1, &o);
}
