/*
 * cmd_render.c — segrt render: one message per member of a segment from a
 * message template of the script (seg.template), only for the members who
 * pass the template's purpose, as JSON lines or CSV (id, email, subject,
 * body), in byte order of the ids.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

enum { O_FORMAT = OPT_FIRST_CMD };

static int render_option(cli *c, int opt, const char *arg, void *ud)
{
    (void)opt;
    int *csv = ud;
    if (strcmp(arg, "jsonl") == 0 || strcmp(arg, "csv") == 0) {
        *csv = arg[0] == 'c';
        return EXIT_OK;
    }
    return cli_usage_error(c, "--format '%s' is not jsonl or csv", arg);
}

static int print_jsonl(void *ud, const segrt_message *m)
{
    (void)ud;
    return cli_json_line(json_pack("{s:s, s:s?, s:s, s:s}", "id", m->id, "email", m->email,
                                   "subject", m->subject, "body", m->body));
}

static int print_csv(void *ud, const segrt_message *m)
{
    (void)ud;
    const char *cells[] = { m->id, m->email ? m->email : "", m->subject, m->body };
    for (size_t i = 0; i < 4; i++) {
        if (i)
            putchar(',');
        cli_csv_field(stdout, cells[i]);
    }
    return putchar('\n') == EOF ? SEGRT_EIO : SEGRT_OK;
}

int cmd_render(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        { "format", required_argument, NULL, O_FORMAT },
        { 0 },
    };
    cli c;
    int csv = 0;
    cli_init(&c, "render",
             "segrt render [--db DIR] [--now T] [--format jsonl|csv] SCRIPT SEGMENT TEMPLATE\n"
             "  Render TEMPLATE (seg.template in SCRIPT) for every member of SEGMENT who\n"
             "  passes the consent check of the template's purpose at NOW, in byte order of\n"
             "  the ids: JSON lines {\"id\", \"email\", \"subject\", \"body\"} (the default;\n"
             "  email is null when the contact has none), or CSV with the header\n"
             "  id,email,subject,body (a cell with a comma, quote or line break is quoted).",
             argv);
    int code;
    segrt_store *s = cli_begin(&c, argc, argv, opts, render_option, &csv, 3,
                               "give SCRIPT, SEGMENT and TEMPLATE", SEGRT_OPEN_READONLY, &code);
    if (s == NULL)
        return code;
    segrt_script *sc = NULL;
    int rc = segrt_script_load(s, argv[optind], &sc);
    if (rc == SEGRT_OK && csv)
        fputs("id,email,subject,body\n", stdout);
    if (rc == SEGRT_OK)
        rc = segrt_template_render(sc, argv[optind + 1], argv[optind + 2],
                                   csv ? print_csv : print_jsonl, NULL);
    if (rc == SEGRT_OK && fflush(stdout) != 0)
        rc = SEGRT_EIO;
    segrt_script_free(sc);
    return cli_end(&c, s, rc);
}
