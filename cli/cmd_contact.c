/*
 * cmd_contact.c — segrt export: everything held about one contact (GDPR
 * access, JSON), audited. The card is cmd_show.c, erasure cmd_erase.c.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

static const char usage_text[] =
    "segrt export [--db DIR] [--now T] [--actor NAME] ID\n"
    "  Print everything held about the contact as one JSON object with the keys\n"
    "  contact, events, consents (full history) and segments (GDPR Art. 15).\n"
    "  The export is recorded in the audit log.";

static int export_run(cli *c, void *ud)
{
    (void)ud;
    char *text = NULL;
    int rc = segrt_contact_export(c->s, c->args[0], cli_actor(c), &text);
    if (rc == SEGRT_OK && text)
        printf("%s\n", text);
    segrt_free(text);
    return rc;
}

int cmd_export(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "export", .usage = usage_text, .run = export_run, .flags = CLI_WRITE,
        .arity = { 1, 1, "which contact? give its ID" },
    };
    return cli_main(&cmd, argc, argv, NULL);
}
