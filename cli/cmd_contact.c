/*
 * cmd_contact.c — the commands about one contact: show (a card), export
 * (GDPR access, JSON) and erase (GDPR erasure).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

typedef enum { SHOW, EXPORT, ERASE } contact_cmd;

static int run(int argc, char **argv, contact_cmd what, const char *name, const char *usage)
{
    static const struct option opts[] = { CLI_COMMON_OPTIONS, { 0 } };
    cli c;
    cli_init(&c, name, usage, argv);
    int rc;
    segrt_store *s = cli_begin(&c, argc, argv, opts, NULL, NULL, 1, "which contact? give its ID",
                               what == SHOW ? SEGRT_OPEN_READONLY : 0, &rc);
    if (s == NULL)
        return rc;
    const char *id = argv[optind];
    char *text = NULL;
    if (what == SHOW)
        rc = segrt_contact_card(s, id, &text);
    else if (what == EXPORT)
        rc = segrt_contact_export(s, id, c.actor, &text);
    else
        rc = segrt_contact_erase(s, id, c.actor);
    if (rc == SEGRT_OK && text)
        printf("%s%s", text, what == EXPORT ? "\n" : "");
    if (rc == SEGRT_OK && what == ERASE)
        fprintf(stderr, "segrt: erase: contact %s erased; an audit entry without personal data "
                        "was kept\n", id);
    segrt_free(text);
    return cli_end(&c, s, rc);
}

int cmd_show(int argc, char **argv)
{
    return run(argc, argv, SHOW, "show",
               "segrt show [--db DIR] [--now T] ID\n"
               "  Print the contact card: fields, consent in force at NOW, recent events,\n"
               "  segments.");
}

int cmd_export(int argc, char **argv)
{
    return run(argc, argv, EXPORT, "export",
               "segrt export [--db DIR] [--now T] [--actor NAME] ID\n"
               "  Print everything held about the contact as one JSON object with the keys\n"
               "  contact, events, consents (full history) and segments (GDPR Art. 15).\n"
               "  The export is recorded in the audit log.");
}

int cmd_erase(int argc, char **argv)
{
    return run(argc, argv, ERASE, "erase",
               "segrt erase [--db DIR] [--actor NAME] ID\n"
               "  Delete the contact, its events, consents and memberships (GDPR Art. 17).\n"
               "  Only an audit entry without personal data is kept.");
}
