/*
 * cmd_contact.c — the commands about one contact: show (a card) and export
 * (GDPR access, JSON). Erasure is cmd_erase.c.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

typedef enum { SHOW, EXPORT } contact_cmd;

static int contact_run(cli *c, void *ud)
{
    contact_cmd what = *(const contact_cmd *)ud;
    const char *id = c->args[0];
    char *text = NULL;
    int rc;
    if (what == SHOW)
        rc = segrt_contact_card(c->s, id, &text);
    else
        rc = segrt_contact_export(c->s, id, c->actor, &text);
    if (rc == SEGRT_OK && text)
        printf("%s%s", text, what == EXPORT ? "\n" : "");
    segrt_free(text);
    return rc;
}

/* The two commands differ in name, usage, and whether they write (an audit entry). */
static int contact_main(contact_cmd what, int argc, char **argv)
{
    static const struct {
        const char *name, *usage;
    } cmds[] = {
        [SHOW] = { "show",
                   "segrt show [--db DIR] [--now T] ID\n"
                   "  Print the contact card: fields, consent in force at NOW, recent events,\n"
                   "  segments." },
        [EXPORT] = { "export",
                     "segrt export [--db DIR] [--now T] [--actor NAME] ID\n"
                     "  Print everything held about the contact as one JSON object with the keys\n"
                     "  contact, events, consents (full history) and segments (GDPR Art. 15).\n"
                     "  The export is recorded in the audit log." },
    };
    const cli_command cmd = {
        .name = cmds[what].name, .usage = cmds[what].usage, .run = contact_run,
        .flags = what == SHOW ? CLI_READ : CLI_WRITE,
        .arity = { 1, 1, "which contact? give its ID" },
    };
    return cli_main(&cmd, argc, argv, &what);
}

int cmd_show(int argc, char **argv)
{
    return contact_main(SHOW, argc, argv);
}

int cmd_export(int argc, char **argv)
{
    return contact_main(EXPORT, argc, argv);
}
