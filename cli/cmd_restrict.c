/*
 * cmd_restrict.c — segrt restrict: restriction of processing (GDPR Art.
 * 18). A restriction is a consent record of the purpose "restriction"
 * (granted: in force; --lift withdraws it), so it keeps its history, its
 * audit entry and its export like any consent record; while it is in force
 * the contact is left out of every evaluation (privacy/restrict_check.h).
 */
#include "cli.h"

#include <stdint.h>
#include <stdio.h>

static const char usage_text[] =
    "segrt restrict [--db DIR] [--now T] [--actor NAME] [--reason TEXT] ID\n"
    "segrt restrict --lift [--db DIR] [--now T] [--actor NAME] ID\n"
    "  Restrict processing of a contact (GDPR Art. 18): it stays stored and\n"
    "  exportable to the person (segrt export, show say since when), and is\n"
    "  left out of every segment, score, model fit, render and members list\n"
    "  until --lift. Recorded as a consent record of the purpose 'restriction'\n"
    "  (the reason as its source) with an audit entry.\n"
    "  --reason TEXT  why (kept with the record, exported to the person; erased\n"
    "                 with the contact)";

enum { O_REASON = OPT_FIRST_CMD, O_LIFT };

typedef struct restrict_args {
    const char *reason;
    int lift;
} restrict_args;

static int restrict_option(cli *c, int opt, const char *arg, void *ud)
{
    restrict_args *a = ud;
    (void)c;
    if (opt == O_LIFT)
        a->lift = 1;
    else
        a->reason = arg;
    return EXIT_OK;
}

static int restrict_run(cli *c, void *ud)
{
    const restrict_args *a = ud;
    if (a->lift && a->reason)
        return cli_usage_error(c, "--reason goes with a restriction, not with --lift");
    int rc = segrt_consent_append(c->s, c->args[0], "restriction",
                                  a->lift ? "withdrawn" : "granted", "legal_obligation", INT64_MIN,
                                  a->reason, cli_actor(c));
    if (rc == SEGRT_OK)
        fprintf(stderr, "segrt: restrict: contact %s %s\n", c->args[0],
                a->lift ? "is no longer restricted" : "is restricted: left out of every "
                                                       "segment, score and export until --lift");
    return rc;
}

int cmd_restrict(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "restrict", .usage = usage_text, .run = restrict_run,
        .option = restrict_option, .flags = CLI_WRITE,
        .arity = { 1, 1, "which contact? give its ID" },
        .options = (const struct option[]){ CLI_OPTION("reason", O_REASON),
                                            CLI_FLAG("lift", O_LIFT), { 0 } },
    };
    restrict_args a = { 0 };
    return cli_main(&cmd, argc, argv, &a);
}
