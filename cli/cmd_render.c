/*
 * cmd_render.c — segrt render: one message per member of a segment from a
 * message template of the script (seg.template), only for the members who
 * pass the template's purpose, as JSON lines or CSV (id, email, subject,
 * body), in byte order of the ids.
 */
#include "cli.h"

#include <stdio.h>

static const char usage_text[] =
    "segrt render [--db DIR] [--now T] [--format jsonl|csv] SCRIPT SEGMENT TEMPLATE\n"
    "  Render TEMPLATE (seg.template in SCRIPT) for every member of SEGMENT who\n"
    "  passes the consent check of the template's purpose at NOW, in byte order of\n"
    "  the ids: JSON lines {\"id\", \"email\", \"subject\", \"body\"} (the default;\n"
    "  email is null when the contact has none), or CSV with the header\n"
    "  id,email,subject,body (a cell with a comma, quote or line break is quoted).";

enum { O_FORMAT = OPT_FIRST_CMD };

static int render_option(cli *c, int opt, const char *arg, void *ud)
{
    (void)opt;
    return cli_choice(c, "--format", arg, (const char *const[]){ "jsonl", "csv", NULL }, ud);
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

static int render_run(cli *c, void *ud)
{
    int csv = *(const int *)ud;
    if (csv)
        fputs("id,email,subject,body\n", stdout);
    int rc = segrt_template_render(c->sc, c->args[1], c->args[2], csv ? print_csv : print_jsonl,
                                   NULL);
    return rc == SEGRT_OK && fflush(stdout) != 0 ? SEGRT_EIO : rc;
}

int cmd_render(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "render", .usage = usage_text, .run = render_run, .flags = CLI_READ | CLI_SCRIPT,
        .arity = { 3, 3, "give SCRIPT, SEGMENT and TEMPLATE" }, .option = render_option,
        .options = (const struct option[]){ CLI_OPTION("format", O_FORMAT), { 0 } },
    };
    int csv = 0; /* the index of --format: jsonl, csv */
    return cli_main(&cmd, argc, argv, &csv);
}
