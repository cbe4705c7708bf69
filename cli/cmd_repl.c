/*
 * cmd_repl.c — segrt repl (SPEC §6): an interactive Lua prompt on a store
 * with the seg language ready. This file holds the command and the
 * read-eval loop; repl.h lists the files that do the rest.
 */
#include "repl/repl.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "segrt repl [--db DIR] [--now T] [SCRIPT...]\n"
    "  An interactive Lua prompt on the store with the seg language ready (seg, F,\n"
    "  E, S, days, hours) and the SCRIPTs loaded. A predicate prints its member\n"
    "  count, share and first members; a value its range; a segment name its\n"
    "  definition and size. :help lists the commands (:fields, :events, :segments,\n"
    "  :show ID, :load FILE, :save FILE, :now T, :time, :quit). On a terminal:\n"
    "  line editing, Tab completion, history in ~/.segrt_history. With stdin not a\n"
    "  terminal, statements are read without prompts and the exit code is 1 when\n"
    "  one failed.";

static int is_meta(const char *line)
{
    return line[strspn(line, " \t")] == ':';
}

static int is_blank(const char *line)
{
    return line[strspn(line, " \t\r")] == '\0';
}

/* stmt + "\n" + line (stmt may be NULL); frees both; NULL when out of memory. */
static char *join(char *stmt, char *line)
{
    if (stmt == NULL)
        return line;
    size_t a = strlen(stmt), b = strlen(line);
    char *out = realloc(stmt, a + b + 2);
    if (out) {
        out[a] = '\n';
        memcpy(out + a + 1, line, b + 1);
    } else {
        free(stmt);
    }
    free(line);
    return out;
}

/* Read statements until end of input or :quit; an unfinished one at the end is an error. */
static void loop(repl *r)
{
    char *stmt = NULL;
    while (!r->quit) {
        int interrupted;
        r->continued = stmt != NULL;
        char *line = repl_input_read(r, &interrupted);
        if (interrupted) {
            free(stmt);
            stmt = NULL;
            continue;
        }
        if (line == NULL)
            break;
        if (stmt == NULL && (is_blank(line) || is_meta(line))) {
            if (!is_blank(line)) {
                repl_input_remember(r, line);
                repl_meta(r, line);
                repl_once_end(r); /* unless that was :once itself */
            }
            free(line);
            continue;
        }
        if (stmt == NULL)
            r->n++;
        if ((stmt = join(stmt, line)) == NULL) {
            repl_error(r, "out of memory: the statement was dropped");
            continue;
        }
        if (repl_eval(r, stmt, 0) == REPL_MORE)
            continue;
        repl_once_end(r);
        repl_input_remember(r, stmt);
        free(stmt);
        stmt = NULL;
    }
    if (stmt)
        repl_eval(r, stmt, 1);
    r->once_armed = 0;
    repl_once_end(r);
    free(stmt);
}

static void banner(repl *r)
{
    char now[21];
    segrt_time_format(segrt_store_now(r->s), now);
    printf("segrt repl on %s: %llu contacts, NOW = %s\n"
           "seg, F, E, S, days and hours are ready; :help lists the commands, Ctrl-D leaves.\n",
           r->c->db, (unsigned long long)r->contacts, now);
}

static void session_free(repl *r)
{
    repl_input_close(r);
    segrt_script_free(r->sc);
    cli_strings_free(&r->saved);
    cli_strings_free(&r->loaded);
    cli_strings_free(&r->fields);
    cli_strings_free(&r->types);
}

/*
 * The session on c->s: scripts given, then statements until the end of
 * input. A failed setup is reported here unless the REPL already said why;
 * piped input makes a failed statement fail the command.
 */
static int repl_run(cli *c, void *ud)
{
    (void)ud;
    repl r = { .c = c, .s = c->s, .tty = isatty(STDIN_FILENO), .colour = isatty(STDERR_FILENO),
               .limit = REPL_LIMIT_DEFAULT, .once_saved = -1 };
    /* Keys arrive as UTF-8 (names like śląskie), also where no locale says so. */
    if (r.tty && (setlocale(LC_CTYPE, "") == NULL || strcmp(nl_langinfo(CODESET), "UTF-8") != 0))
        setlocale(LC_CTYPE, "C.UTF-8");
    r.timing = r.tty;
    segrt_stats st;
    int rc = segrt_store_stats(c->s, &st);
    r.contacts = st.contacts;
    if (rc == SEGRT_OK)
        rc = repl_setup(&r);
    for (int i = 0; i < c->nargs && rc == SEGRT_OK; i++)
        rc = repl_load_file(&r, c->args[i]);
    if (rc == SEGRT_OK && (rc = repl_input_open(&r)) != SEGRT_OK)
        repl_error(&r, "segrt: repl: cannot start line editing");
    if (rc == SEGRT_OK) {
        if (r.tty)
            banner(&r);
        loop(&r);
    } else if (r.errors == 0) {
        cli_fail(c, c->s, rc);
    }
    int failed = rc != SEGRT_OK || (!r.tty && r.errors);
    session_free(&r);
    return failed ? EXIT_FAIL : EXIT_OK;
}

int cmd_repl(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "repl", .usage = usage_text, .run = repl_run, .flags = CLI_READ,
        .arity = { 0, CLI_ANY_ARGS, NULL },
    };
    return cli_main(&cmd, argc, argv, NULL);
}
