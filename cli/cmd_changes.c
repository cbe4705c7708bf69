/*
 * cmd_changes.c — segrt changes: who entered and who left a segment between
 * one of its stored runs (--since-run N, or --since T: its last run at or
 * before T) and its last stored run, for syncing a mail tool incrementally:
 * CSV change,id,email (the default) or JSON lines, in byte order of the ids,
 * and a one-line summary on stderr.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_FORMAT = OPT_FIRST_CMD, O_SINCE_RUN, O_SINCE };

typedef struct changes_args {
    int jsonl;
    int has_run, has_time;
    uint64_t run;
    int64_t time;
} changes_args;

static int changes_option(cli *c, int opt, const char *arg, void *ud)
{
    changes_args *a = ud;
    if (opt == O_FORMAT) {
        if (strcmp(arg, "csv") != 0 && strcmp(arg, "jsonl") != 0)
            return cli_usage_error(c, "--format '%s' is not csv or jsonl", arg);
        a->jsonl = arg[0] == 'j';
        return EXIT_OK;
    }
    if (opt == O_SINCE) {
        if (segrt_time_parse(arg, &a->time) != SEGRT_OK)
            return cli_usage_error(c, "--since '%s' is not YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD",
                                   arg);
        a->has_time = 1;
        return EXIT_OK;
    }
    char *end;
    unsigned long long n = strtoull(arg, &end, 10);
    if (arg[0] < '1' || arg[0] > '9' || *end != '\0')
        return cli_usage_error(c, "--since-run '%s' is not a run number (1, 2, ...; see segrt "
                                  "history)", arg);
    a->run = n;
    a->has_run = 1;
    return EXIT_OK;
}

typedef struct tally {
    int jsonl;
    int header_done; /* CSV: the header goes out with the first line, or at the end */
    uint64_t entered, left;
} tally;

static void print_header(tally *t)
{
    if (!t->jsonl && !t->header_done)
        fputs("change,id,email\n", stdout);
    t->header_done = 1;
}

static int print_change(void *ud, const segrt_change *ch)
{
    tally *t = ud;
    print_header(t);
    if (ch->change[0] == 'e')
        t->entered++;
    else
        t->left++;
    if (t->jsonl)
        return cli_json_line(json_pack("{s:s, s:s, s:s?}", "change", ch->change, "id", ch->id,
                                       "email", ch->email));
    printf("%s,", ch->change);
    cli_csv_field(stdout, ch->id);
    putchar(',');
    cli_csv_field(stdout, ch->email ? ch->email : "");
    return putchar('\n') == EOF ? SEGRT_EIO : SEGRT_OK;
}

/* The NOW of one run of the segment (for the summary). */
typedef struct run_now {
    uint64_t run;
    int64_t now;
} run_now;

static int find_now(void *ud, const segrt_run *row)
{
    run_now *r = ud;
    if (row->run == r->run)
        r->now = row->now;
    return SEGRT_OK;
}

/* The changes of segment since a.run (or a.time), with a summary on stderr. */
static int print_changes(const cli *c, segrt_store *s, const changes_args *a, const char *segment,
                         const segrt_run *last)
{
    uint64_t since = a->run;
    int rc = a->has_time ? segrt_segment_run_at(s, segment, a->time, &since) : SEGRT_OK;
    if (rc != SEGRT_OK)
        return rc;
    tally t = { a->jsonl, 0, 0, 0 };
    rc = segrt_segment_changes_foreach(s, segment, since, print_change, &t);
    if (rc == SEGRT_OK)
        print_header(&t);
    if (rc == SEGRT_OK && fflush(stdout) != 0)
        rc = SEGRT_EIO;
    run_now from = { since, 0 };
    if (rc == SEGRT_OK)
        rc = segrt_segment_runs_foreach(s, segment, find_now, &from);
    if (rc == SEGRT_OK) {
        char t1[21], t2[21];
        segrt_time_format(from.now, t1);
        segrt_time_format(last->now, t2);
        cli_error(c, "'%s' from run %llu (%s) to run %llu (%s): %llu entered, %llu left", segment,
                  (unsigned long long)since, t1, (unsigned long long)last->run, t2,
                  (unsigned long long)t.entered, (unsigned long long)t.left);
    }
    return rc;
}

int cmd_changes(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        { "format", required_argument, NULL, O_FORMAT },
        { "since-run", required_argument, NULL, O_SINCE_RUN },
        { "since", required_argument, NULL, O_SINCE },
        { 0 },
    };
    cli c;
    changes_args a = { 0 };
    cli_init(&c, "changes",
             "segrt changes [--db DIR] (--since-run N | --since T) [--format csv|jsonl]\n"
             "              SCRIPT SEGMENT\n"
             "  Print who entered and who left SEGMENT between one of its stored runs\n"
             "  (segrt run) and its last stored run, for syncing a mail tool: --since-run N\n"
             "  from run N (segrt history lists them), --since T from the last run whose NOW\n"
             "  is at or before T. CSV with the header change,id,email (the default) or JSON\n"
             "  lines {\"change\", \"id\", \"email\"}: change is entered or left, one line per\n"
             "  contact in byte order of the ids, email empty (null) when there is none.\n"
             "  Erased contacts never appear. A summary goes to stderr.",
             argv);
    int code;
    segrt_store *s = cli_begin(&c, argc, argv, opts, changes_option, &a, 2,
                               "give SCRIPT and SEGMENT", SEGRT_OPEN_READONLY, &code);
    if (s == NULL)
        return code;
    if (a.has_run == a.has_time) {
        segrt_store_close(s);
        return cli_usage_error(&c, "give either --since-run N or --since T");
    }
    const char *script = argv[optind], *segment = argv[optind + 1];
    segrt_script *sc = NULL;
    segrt_run last;
    int rc = segrt_script_load(s, script, &sc), stored = SEGRT_OK;
    if (rc == SEGRT_OK)
        rc = stored = segrt_segment_last_run(s, segment, &last);
    if (stored == SEGRT_ENOTFOUND) {
        code = cli_no_stored_runs(&c, s, sc, script, segment);
        segrt_script_free(sc);
        segrt_store_close(s);
        return code;
    }
    if (rc == SEGRT_OK)
        rc = print_changes(&c, s, &a, segment, &last);
    segrt_script_free(sc);
    return cli_end(&c, s, rc);
}
