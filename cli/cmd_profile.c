/*
 * cmd_profile.c — segrt profile: one segment of a script next to the whole
 * base at NOW (segrt_profile_build): per field the distribution of values
 * with shares and index, the top purchase categories by count and value,
 * the event mix and the reach per consent purpose; text, --json or --html.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char profile_usage[] =
    "segrt profile [--db DIR] [--now T] [--fields a,b,...] [--json | --html] SCRIPT SEGMENT\n"
    "  Profile the members of SEGMENT defined in SCRIPT at NOW next to every live\n"
    "  contact: per field (--fields, else every field that holds no special category)\n"
    "  the members and the base per value (sets per element, numbers and dates in\n"
    "  bins at the base's quintiles, at most 10 values, the rest as \"(other)\"),\n"
    "  their shares and index = segment share / base share x 100; the top 10\n"
    "  purchase categories of the members by count and by value; the events per\n"
    "  type; per consent purpose the share of members who pass its check.\n"
    "  Special-category fields (Art. 9: health, ...) are never profiled.\n"
    "  --json: one JSON object instead of text tables; --html: an HTML fragment\n"
    "  (<section class=\"profile\">, as in segrt report) to place in a page.";

enum { O_FIELDS = OPT_FIRST_CMD, O_JSON, O_HTML };
enum { FORMAT_TEXT, FORMAT_JSON, FORMAT_HTML };

typedef struct profile_args {
    char *text;     /* a copy of --fields, split in place */
    cli_strings fields;
    int format;
} profile_args;

/* --fields a,b: the names, none empty. */
static int split_fields(cli *c, profile_args *a, const char *arg)
{
    free(a->text);
    cli_strings_free(&a->fields);
    if ((a->text = strdup(arg)) == NULL)
        return cli_oom(c);
    for (char *save = NULL, *f = strtok_r(a->text, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
        if (cli_strings_add(&a->fields, f) != SEGRT_OK)
            return cli_oom(c);
    }
    return a->fields.n ? EXIT_OK : cli_usage_error(c, "--fields names nothing");
}

static int profile_option(cli *c, int opt, const char *arg, void *ud)
{
    profile_args *a = ud;
    if (opt == O_FIELDS)
        return split_fields(c, a, arg);
    int format = opt == O_JSON ? FORMAT_JSON : FORMAT_HTML;
    if (a->format != FORMAT_TEXT && a->format != format)
        return cli_usage_error(c, "--json and --html exclude each other");
    a->format = format;
    return EXIT_OK;
}

static int profile_run(cli *c, void *ud)
{
    const profile_args *a = ud;
    segrt_profile_opts o;
    segrt_profile_defaults(&o);
    if (a->fields.n) {
        o.fields = (const char *const *)a->fields.v;
        o.nfields = a->fields.n;
    }
    segrt_profile *p = NULL;
    char *out = NULL;
    int rc = segrt_profile_build(c->sc, c->args[1], &o, &p);
    if (rc == SEGRT_OK)
        rc = a->format == FORMAT_JSON   ? segrt_profile_json(p, &out)
             : a->format == FORMAT_HTML ? segrt_profile_html(p, &out)
                                        : segrt_profile_text(p, &out);
    if (rc == SEGRT_OK && (fputs(out, stdout) < 0 || fflush(stdout) != 0))
        rc = SEGRT_EIO;
    segrt_free(out);
    segrt_profile_free(p);
    return rc;
}

int cmd_profile(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "profile", .usage = profile_usage, .run = profile_run,
        .flags = CLI_READ | CLI_SCRIPT, .arity = { 2, 2, "give a SCRIPT and a SEGMENT" },
        .option = profile_option,
        .options = (const struct option[]){ CLI_OPTION("fields", O_FIELDS),
                                            CLI_FLAG("json", O_JSON),
                                            CLI_FLAG("html", O_HTML), { 0 } },
    };
    profile_args a = { 0 };
    int code = cli_main(&cmd, argc, argv, &a);
    free(a.text);
    cli_strings_free(&a.fields);
    return code;
}
