/*
 * cmd_set.c — segrt set and segrt unset: rectification of one contact's
 * fields (GDPR Art. 16), type-checked as an import reads them and audited
 * with the fields' names (segrt_contact_set).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHANGES 256

typedef enum { SET, UNSET } set_cmd;

static int set_run(cli *c, void *ud)
{
    set_cmd what = *(const set_cmd *)ud;
    const char *fields[MAX_CHANGES] = { 0 }, *values[MAX_CHANGES] = { 0 };
    char *names[MAX_CHANGES] = { 0 };
    int n = c->nargs - 1, rc = SEGRT_OK;
    if (n > MAX_CHANGES)
        return cli_usage_error(c, "at most %d fields at a time", MAX_CHANGES);
    for (int i = 0; i < n; i++) {
        const char *arg = c->args[i + 1], *eq = strchr(arg, '=');
        if (what == UNSET && eq) {
            rc = cli_usage_error(c, "'%s': unset takes field names (segrt set FIELD=VALUE sets)",
                                 arg);
            break;
        }
        if (what == SET && (eq == NULL || eq == arg)) {
            rc = cli_usage_error(c, "'%s' is not FIELD=VALUE (segrt unset FIELD clears)", arg);
            break;
        }
        if (what == SET && (names[i] = strndup(arg, (size_t)(eq - arg))) == NULL) {
            cli_error(c, "out of memory");
            rc = EXIT_FAIL;
            break;
        }
        fields[i] = what == SET ? names[i] : arg;
        values[i] = what == SET ? eq + 1 : NULL;
    }
    if (rc == SEGRT_OK)
        rc = segrt_contact_set(c->s, c->args[0], (size_t)n, fields, values, cli_actor(c));
    if (rc == SEGRT_OK)
        fprintf(stderr, "segrt: %s: contact %s rectified; an audit entry names the field%s\n",
                what == SET ? "set" : "unset", c->args[0], n == 1 ? "" : "s");
    for (int i = 0; i < n; i++)
        free(names[i]);
    return rc;
}

static int set_main(set_cmd what, int argc, char **argv)
{
    const cli_command cmd = {
        .name = what == SET ? "set" : "unset",
        .usage = what == SET
                     ? "segrt set [--db DIR] [--actor NAME] ID FIELD=VALUE...\n"
                       "  Rectify a contact (GDPR Art. 16): each value is read as an import\n"
                       "  reads it for the field's type (dates YYYY-MM-DD, sets a;b), all in one\n"
                       "  transaction, with an audit entry naming the fields, never the values."
                     : "segrt unset [--db DIR] [--actor NAME] ID FIELD...\n"
                       "  Clear fields of a contact (GDPR Art. 16), audited with their names.",
        .run = set_run,
        .flags = CLI_WRITE,
        .arity = { 2, CLI_ANY_ARGS,
                   what == SET ? "give the contact's ID and FIELD=VALUE" : "give the contact's "
                                                                           "ID and a FIELD" },
    };
    return cli_main(&cmd, argc, argv, &what);
}

int cmd_set(int argc, char **argv)
{
    return set_main(SET, argc, argv);
}

int cmd_unset(int argc, char **argv)
{
    return set_main(UNSET, argc, argv);
}
