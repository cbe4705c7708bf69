/*
 * cli.c — shared command-line plumbing (cli.h): cli_main runs a subcommand
 * from its descriptor (options, positional arguments, the store and the
 * script it needs), messages and exit codes, small output helpers.
 */
#include "cli.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void cli_init(cli *c, const cli_command *cmd, char **argv)
{
    const char *env = getenv("SEGRT_DB");
    const char *user = getenv("USER");
    *c = (cli){ .cmd = cmd->name, .usage = cmd->usage, .db = env && *env ? env : "segrt.db",
                .actor = user && *user ? user : NULL, .argv = argv };
    optind = 1;
    opterr = 0;
}

const char *cli_actor(const cli *c)
{
    /* Looked up once, and only by a command that records an actor: getpwuid
       reads /etc/nsswitch.conf and /etc/passwd and asks nscd, a cost every
       command paid at start when it ran in cli_init. */
    static const char *user;
    if (c->actor)
        return c->actor;
    if (user == NULL) {
        const struct passwd *pw = getpwuid(geteuid());
        user = pw && pw->pw_name && *pw->pw_name ? pw->pw_name : "unknown";
    }
    return user;
}

/* "segrt: cmd: " and the message, without the line break. */
static void say(const cli *c, const char *fmt, va_list ap)
{
    fprintf(stderr, "segrt: %s: ", c->cmd);
    vfprintf(stderr, fmt, ap);
}

void cli_error(const cli *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(c, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage_error(const cli *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(c, fmt, ap);
    va_end(ap);
    int first_line = (int)strcspn(c->usage, "\n");
    fprintf(stderr, "\nusage: %.*s\n(segrt %s --help for details)\n", first_line, c->usage,
            c->cmd);
    return EXIT_USAGE;
}

int cli_choice(const cli *c, const char *option, const char *arg, const char *const *choices,
               int *index)
{
    char list[256] = "";
    size_t len = 0;
    for (int i = 0; choices[i]; i++) {
        if (strcmp(arg, choices[i]) == 0) {
            *index = i;
            return EXIT_OK;
        }
        const char *sep = i == 0 ? "" : choices[i + 1] ? ", " : " or ";
        int w = snprintf(list + len, sizeof list - len, "%s%s", sep, choices[i]);
        len = w < 0 || (size_t)w >= sizeof list - len ? sizeof list - 1 : len + (size_t)w;
    }
    return cli_usage_error(c, "%s '%s' is not %s", option, arg, list);
}

/* 1: a common option, taken; 2: --help, printed; -1: a usage error, reported; 0: not common. */
static int common_option(cli *c, int opt, const char *arg)
{
    switch (opt) {
    case OPT_DB:
        c->db = arg;
        return 1;
    case OPT_ACTOR:
        c->actor = arg;
        return 1;
    case OPT_OPEN_FLAGGED:
        c->open_flagged = 1;
        return 1;
    case OPT_NOW:
        if (segrt_time_parse(arg, &c->now) != SEGRT_OK) {
            cli_usage_error(c, "--now '%s' is not a time (YYYY-MM-DDTHH:MM:SSZ)", arg);
            return -1;
        }
        c->has_now = 1;
        return 1;
    case OPT_HELP:
        printf("usage: %s\n", c->usage);
        return 2;
    case '?':
        cli_usage_error(c, "unknown option '%s'", c->argv[optind - 1]);
        return -1;
    case ':':
        cli_usage_error(c, "option '%s' needs a value", c->argv[optind - 1]);
        return -1;
    }
    return 0;
}

/* The common options (or --help alone), then the command's own. */
static void all_options(const cli_command *cmd, struct option *all)
{
    static const struct option common[] = {
        { "help", no_argument, NULL, OPT_HELP },
        { "db", required_argument, NULL, OPT_DB },
        { "now", required_argument, NULL, OPT_NOW },
        { "actor", required_argument, NULL, OPT_ACTOR },
        { "open-flagged", no_argument, NULL, OPT_OPEN_FLAGGED },
    };
    size_t n = cmd->flags & CLI_HELP_ONLY ? 1 : sizeof common / sizeof common[0];
    memcpy(all, common, n * sizeof *all);
    for (size_t i = 0; cmd->options && cmd->options[i].name && i < CLI_OPTIONS_MAX; i++)
        all[n++] = cmd->options[i];
    all[n] = (struct option){ 0 };
}

/*
 * The options, then the count of positional arguments: CLI_GO_ON when the
 * command should run, else the exit code (after --help: EXIT_OK).
 */
#define CLI_GO_ON (-1)
static int parse(cli *c, const cli_command *cmd, int argc, char **argv, void *ud)
{
    struct option all[CLI_OPTIONS_MAX + 6];
    all_options(cmd, all);
    int opt;
    while ((opt = getopt_long(argc, argv, ":", all, NULL)) != -1) {
        int k = common_option(c, opt, optarg);
        if (k < 0)
            return EXIT_USAGE;
        if (k == 2)
            return EXIT_OK;
        if (k == 1)
            continue;
        int rc = cmd->option ? cmd->option(c, opt, optarg, ud) : EXIT_USAGE;
        if (rc != EXIT_OK)
            return rc;
    }
    c->args = argv + optind;
    c->nargs = argc - optind;
    if (c->nargs > cmd->arity.max)
        return cli_usage_error(c, "unexpected argument '%s'", c->args[cmd->arity.max]);
    if (c->nargs < cmd->arity.min)
        return cli_usage_error(c, "%s", cmd->arity.missing);
    return CLI_GO_ON;
}

int cli_main(const cli_command *cmd, int argc, char **argv, void *ud)
{
    cli c;
    cli_init(&c, cmd, argv);
    int code = parse(&c, cmd, argc, argv, ud);
    if (code != CLI_GO_ON)
        return code;
    if (cmd->flags & (CLI_READ | CLI_WRITE)) {
        c.s = cli_open(&c, (cmd->flags & CLI_READ ? SEGRT_OPEN_READONLY : 0) |
                               (cmd->flags & CLI_FLAGGED ? SEGRT_OPEN_FLAGGED : 0));
        if (c.s == NULL)
            return EXIT_FAIL;
    }
    int rc = cmd->flags & CLI_SCRIPT ? segrt_script_load(c.s, c.args[0], &c.sc) : SEGRT_OK;
    if (rc == SEGRT_OK)
        rc = cmd->run(&c, ud);
    code = rc < 0 ? cli_fail(&c, c.s, rc) : rc;
    segrt_script_free(c.sc);
    segrt_store_close(c.s);
    return code;
}

segrt_store *cli_open(const cli *c, unsigned flags)
{
    segrt_store *s;
    char err[1024] = "";
    int rc = segrt_store_open(c->db, flags | (c->open_flagged ? SEGRT_OPEN_FLAGGED : 0), &s, err,
                              sizeof err);
    if (rc != SEGRT_OK) {
        cli_error(c, "%s", err[0] ? err : segrt_strerror(rc));
        return NULL;
    }
    if (c->has_now)
        segrt_store_set_now(s, c->now);
    return s;
}

int cli_fail(const cli *c, const segrt_store *s, int rc)
{
    const char *msg = s ? segrt_errmsg(s) : NULL;
    cli_error(c, "%s", msg && *msg ? msg : segrt_strerror(rc));
    return EXIT_FAIL;
}

int cli_oom(const cli *c)
{
    cli_error(c, "out of memory");
    return EXIT_FAIL;
}

double cli_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int cli_digits(uint64_t v)
{
    int n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

void cli_csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int cli_json_line(json_t *o)
{
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    int rc = text == NULL ? SEGRT_ENOMEM
           : fputs(text, stdout) < 0 || putchar('\n') == EOF ? SEGRT_EIO : SEGRT_OK;
    free(text);
    json_decref(o);
    return rc;
}
