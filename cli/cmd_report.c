/*
 * cmd_report.c — segrt report: how each segment of a script is doing
 * (segrt_report_build): size, share, size history, entered and exited,
 * value, conversion, email response, flags, overlaps and the RFM grid, as
 * text tables on stdout and, with --html, as one self-contained HTML page.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "segrt report [--db DIR] [--now T] [--html FILE] [--conversion EVENT]\n"
    "             [--within DAYS] [--email-days DAYS] [--min-size N] [--max-share F]\n"
    "             [--locale en|ro|pl|bg] [--currency TEXT] [--growth-field FIELD]\n"
    "             [--min-filled F] [--min-reach F]\n"
    "             SCRIPT\n"
    "  How each segment of SCRIPT is doing at NOW, as tables on stdout:\n"
    "  - size, share of the contacts, and a sparkline of the sizes of the stored\n"
    "    runs (segrt run; segrt history lists them) with the entered and exited\n"
    "    of the last run;\n"
    "  - value: the members' purchase amounts up to NOW, in total and per member\n"
    "    (rounded to the cent);\n"
    "  - conversion: of the members stored by the segment's last run, the share\n"
    "    with an EVENT event (default purchase) in the DAYS days after that run\n"
    "    (default 30; counted up to NOW while the window is open);\n"
    "  - open, click: the share of members with an email_open, email_click event\n"
    "    in the --email-days days up to NOW (default 90); of the members sent an\n"
    "    email when the store has email_sent events;\n"
    "  - flags: small when fewer than N members (default 100), broad when more\n"
    "    than F of the contacts (default 0.5);\n"
    "  - the overlap matrix (as segrt overlap), and the R x F grid of each RFM\n"
    "    model (require \"models.rfm\") with its cells' average monetary value.\n"
    "  --locale writes money as that locale does, with its currency (en \"€3,600,178.26\",\n"
    "  ro \"3.600.178,26 lei\", pl \"3 600 178,26 zł\", bg \"3 600 178,26 лв.\"); --currency\n"
    "  names another (\"\" for none).\n"
    "  - reach per channel: the members passing each consent purpose's check;\n"
    "  - per template: its recipients in each segment after its purpose's check,\n"
    "    and the suppressed by reason (no record, withdrawn or denied, expired, ...);\n"
    "  - a review of each segment: measurable (every field its rule reads filled\n"
    "    for at least F of the contacts, --min-filled, default 0.8), accessible (at\n"
    "    least F of its members reachable through its purpose or best channel,\n"
    "    --min-reach, default 0.3), substantial (at least --min-size members);\n"
    "  - the growth of the base: live contacts joined by the end of each month, a\n"
    "    contact joining at its FIELD (a date or timestamp; default created_at,\n"
    "    when the store has it) or else at its first event;\n"
    "  --html FILE also writes the report as one self-contained HTML page (inline\n"
    "  CSS and SVG charts, no script, nothing fetched), with a profile of each\n"
    "  segment as segrt profile gives it.";

enum { O_HTML = OPT_FIRST_CMD, O_CONVERSION, O_WITHIN, O_EMAIL_DAYS, O_MIN_SIZE, O_MAX_SHARE, O_LOCALE,
       O_CURRENCY, O_GROWTH_FIELD, O_MIN_FILLED, O_MIN_REACH };

typedef struct report_args {
    segrt_report_opts opts;
    const char *html;
} report_args;

/* A whole number from lo to hi for option name; else a usage error. */
static int parse_count(cli *c, const char *name, const char *arg, uint64_t lo, uint64_t hi,
                       uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(arg, &end, 10);
    if (end == arg || *end || errno || arg[0] == '-' || n < lo || n > hi)
        return cli_usage_error(c, "%s '%s' is not a whole number from %" PRIu64 " to %" PRIu64,
                               name, arg, lo, hi);
    *out = n;
    return EXIT_OK;
}

static int report_option(cli *c, int opt, const char *arg, void *ud)
{
    report_args *a = ud;
    uint64_t n = 0;
    int rc = EXIT_OK;
    char *end;
    switch (opt) {
    case O_HTML:
        a->html = arg;
        a->opts.profiles = 1; /* the page has a profile of each segment */
        break;
    case O_CONVERSION:
        if (arg[0] == '\0')
            return cli_usage_error(c, "--conversion needs an event type, e.g. purchase");
        a->opts.conversion_event = arg;
        break;
    case O_WITHIN:
    case O_EMAIL_DAYS:
        rc = parse_count(c, opt == O_WITHIN ? "--within" : "--email-days", arg, 1, 36500, &n);
        *(opt == O_WITHIN ? &a->opts.within_days : &a->opts.email_days) = (uint32_t)n;
        break;
    case O_MIN_SIZE:
        rc = parse_count(c, "--min-size", arg, 0, UINT32_MAX, &a->opts.min_size);
        break;
    case O_MAX_SHARE:
        errno = 0;
        a->opts.max_share = strtod(arg, &end);
        if (end == arg || *end || errno || !(a->opts.max_share > 0 && a->opts.max_share <= 1))
            return cli_usage_error(c, "--max-share '%s' is not a fraction of the contacts "
                                   "above 0 and at most 1 (0.5 = half)", arg);
        break;
    case O_MIN_FILLED:
    case O_MIN_REACH: {
        const char *name = opt == O_MIN_FILLED ? "--min-filled" : "--min-reach";
        double *share = opt == O_MIN_FILLED ? &a->opts.min_filled : &a->opts.min_reach;
        errno = 0;
        *share = strtod(arg, &end);
        if (end == arg || *end || errno || !(*share >= 0 && *share <= 1))
            return cli_usage_error(c, "%s '%s' is not a share from 0 to 1 (0.3 = 30%%)", name, arg);
        break;
    }
    case O_LOCALE:
        a->opts.locale = arg;
        break;
    case O_CURRENCY:
        a->opts.currency = arg;
        break;
    case O_GROWTH_FIELD:
        a->opts.growth_field = arg;
        break;
    default:
        return EXIT_USAGE;
    }
    return rc;
}

/* Write the HTML page to path; prints why not. */
static int write_html(const cli *c, const segrt_report *r, const char *path)
{
    char *html = NULL;
    if (segrt_report_html(r, &html) != SEGRT_OK)
        return cli_oom(c);
    FILE *f = fopen(path, "w");
    size_t len = strlen(html);
    int ok = f && fwrite(html, 1, len, f) == len;
    int err = errno;
    if (f && fclose(f) != 0 && ok) {
        ok = 0;
        err = errno;
    }
    free(html);
    if (!ok) {
        cli_error(c, "cannot write --html %s: %s", path, strerror(err));
        return EXIT_FAIL;
    }
    fprintf(stderr, "segrt: report: wrote %s\n", path);
    return EXIT_OK;
}

/* Print the report of every segment of the script; --html also writes the page. */
static int report_run(cli *c, void *ud)
{
    const report_args *a = ud;
    if (cli_segments_defined(c) != EXIT_OK)
        return EXIT_FAIL;
    segrt_report *r = NULL;
    char *text = NULL;
    int rc = segrt_report_build(c->sc, &a->opts, c->args[0], &r);
    if (rc == SEGRT_OK)
        rc = segrt_report_text(r, &text);
    if (rc == SEGRT_OK && a->html)
        rc = write_html(c, r, a->html);
    if (rc == SEGRT_OK)
        fputs(text, stdout);
    free(text);
    segrt_report_free(r);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "report", .usage = usage_text, .run = report_run, .flags = CLI_READ | CLI_SCRIPT,
        .arity = { 1, 1, "which script? give SCRIPT (a Lua file or a pack name)" },
        .option = report_option,
        .options = (const struct option[]){ CLI_OPTION("html", O_HTML),
                                            CLI_OPTION("conversion", O_CONVERSION),
                                            CLI_OPTION("within", O_WITHIN),
                                            CLI_OPTION("email-days", O_EMAIL_DAYS),
                                            CLI_OPTION("min-size", O_MIN_SIZE),
                                            CLI_OPTION("max-share", O_MAX_SHARE),
                                            CLI_OPTION("locale", O_LOCALE),
                                            CLI_OPTION("currency", O_CURRENCY),
                                            CLI_OPTION("growth-field", O_GROWTH_FIELD),
                                            CLI_OPTION("min-filled", O_MIN_FILLED),
                                            CLI_OPTION("min-reach", O_MIN_REACH), { 0 } },
    };
    report_args a = { 0 };
    segrt_report_defaults(&a.opts);
    return cli_main(&cmd, argc, argv, &a);
}
