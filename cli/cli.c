/*
 * cli.c — shared command-line plumbing (cli.h).
 */
#include "cli.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void cli_init(cli *c, const char *cmd, const char *usage, char **argv)
{
    const char *env = getenv("SEGRT_DB");
    const char *user = getenv("USER");
    if (user == NULL || *user == '\0') {
        const struct passwd *pw = getpwuid(geteuid());
        user = pw ? pw->pw_name : NULL;
    }
    *c = (cli){ .cmd = cmd, .usage = usage, .db = env && *env ? env : "segrt.db",
                .actor = user && *user ? user : "unknown", .argv = argv };
    optind = 1;
    opterr = 0;
}

void cli_error(const cli *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "segrt: %s: ", c->cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage_error(const cli *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "segrt: %s: ", c->cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    int first_line = (int)strcspn(c->usage, "\n");
    fprintf(stderr, "\nusage: %.*s\n(segrt %s --help for details)\n", first_line, c->usage,
            c->cmd);
    return EXIT_USAGE;
}

static int common_option(cli *c, int opt, const char *arg)
{
    switch (opt) {
    case OPT_DB:
        c->db = arg;
        return 1;
    case OPT_ACTOR:
        c->actor = arg;
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

int cli_parse(cli *c, int argc, char **argv, const struct option *opts,
              int (*fn)(cli *c, int opt, const char *arg, void *ud), void *ud)
{
    int opt;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        int k = common_option(c, opt, optarg);
        if (k < 0)
            return EXIT_USAGE;
        if (k == 2)
            return EXIT_OK;
        if (k == 1)
            continue;
        int rc = fn ? fn(c, opt, optarg, ud) : EXIT_USAGE;
        if (rc != EXIT_OK)
            return rc;
    }
    return CLI_GO_ON;
}

segrt_store *cli_open(const cli *c, unsigned flags)
{
    segrt_store *s;
    char err[1024];
    int rc = segrt_store_open(c->db, flags, &s, err, sizeof err);
    if (rc != SEGRT_OK) {
        cli_error(c, "%s", err);
        return NULL;
    }
    if (c->has_now)
        segrt_store_set_now(s, c->now);
    return s;
}

int cli_fail(const cli *c, segrt_store *s, int rc)
{
    const char *msg = segrt_errmsg(s);
    cli_error(c, "%s", msg && *msg ? msg : segrt_strerror(rc));
    return EXIT_FAIL;
}

segrt_store *cli_begin(cli *c, int argc, char **argv, const struct option *opts,
                       int (*fn)(cli *c, int opt, const char *arg, void *ud), void *ud,
                       int nargs, const char *missing, unsigned flags, int *code)
{
    *code = cli_parse(c, argc, argv, opts, fn, ud);
    if (*code != CLI_GO_ON)
        return NULL;
    if (argc - optind != nargs) {
        if (argc - optind > nargs)
            *code = cli_usage_error(c, "unexpected argument '%s'", argv[optind + nargs]);
        else
            *code = cli_usage_error(c, "%s", missing);
        return NULL;
    }
    segrt_store *s = cli_open(c, flags);
    *code = s ? EXIT_OK : EXIT_FAIL;
    return s;
}

int cli_end(const cli *c, segrt_store *s, int rc)
{
    int code = rc == SEGRT_OK ? EXIT_OK : cli_fail(c, s, rc);
    segrt_store_close(s);
    return code;
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
