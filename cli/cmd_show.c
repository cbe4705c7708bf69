/*
 * cmd_show.c — segrt show: a contact card. Values of special-category
 * fields (GDPR Art. 9: consent/sensitive.lua's names, or a script's
 * seg.sensitive) are left out unless --purpose names a purpose resting on
 * explicit consent and the contact's record in force for it grants it.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char usage_text[] =
    "segrt show [--db DIR] [--now T] [--purpose P] [--script FILE] ID\n"
    "  Print the contact card: fields, consent in force at NOW, recent events,\n"
    "  segments. Special-category fields (GDPR Art. 9: health, religion, ...)\n"
    "  show their category, not their value, unless --purpose P rests on\n"
    "  explicit consent (its seg.consent accepts only 'consent') and the\n"
    "  contact granted it.\n"
    "  --script FILE  the script whose seg.sensitive and seg.consent apply\n"
    "                 (default: the shipped ones)";

enum { O_PURPOSE = OPT_FIRST_CMD, O_SCRIPT };

typedef struct show_args {
    const char *purpose, *script;
} show_args;

static int show_option(cli *c, int opt, const char *arg, void *ud)
{
    show_args *a = ud;
    (void)c;
    if (opt == O_PURPOSE)
        a->purpose = arg;
    else
        a->script = arg;
    return EXIT_OK;
}

static int show_run(cli *c, void *ud)
{
    const show_args *a = ud;
    const char *id = c->args[0];
    static const char shipped[] = "local seg = require 'segrt'\n";
    int rc = a->script ? segrt_script_load(c->s, a->script, &c->sc)
                       : segrt_script_load_string(c->s, "show", shipped, strlen(shipped), &c->sc);
    if (rc != SEGRT_OK)
        return rc;
    if (a->purpose && !segrt_script_purpose_explicit(c->sc, a->purpose))
        return cli_usage_error(c, "--purpose %s does not rest on explicit consent (its "
                                  "seg.consent must accept the legal basis consent only)",
                               a->purpose);
    char *text = NULL;
    int shown = 0;
    rc = cli_special_card(c->s, c->sc, id, a->purpose, &text, &shown);
    if (rc == SEGRT_OK && a->purpose && !shown)
        fprintf(stderr, "segrt: show: %s has not granted %s on explicit consent: special-category "
                        "values stay hidden\n", id, a->purpose);
    if (rc == SEGRT_OK)
        fputs(text, stdout);
    segrt_free(text);
    return rc;
}

int cmd_show(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "show", .usage = usage_text, .run = show_run, .option = show_option,
        .flags = CLI_READ, .arity = { 1, 1, "which contact? give its ID" },
        .options = (const struct option[]){ CLI_OPTION("purpose", O_PURPOSE),
                                            CLI_OPTION("script", O_SCRIPT), { 0 } },
    };
    show_args a = { 0 };
    return cli_main(&cmd, argc, argv, &a);
}
