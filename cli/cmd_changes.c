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

static const char usage_text[] =
    "segrt changes [--db DIR] (--since-run N | --since T) [--format csv|jsonl]\n"
    "              SCRIPT SEGMENT\n"
    "  Print who entered and who left SEGMENT between one of its stored runs\n"
    "  (segrt run) and its last stored run, for syncing a mail tool: --since-run N\n"
    "  from run N (segrt history lists them), --since T from the last run whose NOW\n"
    "  is at or before T. CSV with the header change,id,email (the default) or JSON\n"
    "  lines {\"change\", \"id\", \"email\"}: change is entered or left, one line per\n"
    "  contact in byte order of the ids, email empty (null) when there is none.\n"
    "  Erased contacts never appear. A summary goes to stderr.";

enum { O_FORMAT = OPT_FIRST_CMD, O_SINCE_RUN, O_SINCE };

typedef struct changes_args {
    int jsonl; /* the index of --format: csv, jsonl */
    int has_run, has_time;
    uint64_t run;
    int64_t time;
} changes_args;

static int changes_option(cli *c, int opt, const char *arg, void *ud)
{
    changes_args *a = ud;
    if (opt == O_FORMAT)
        return cli_choice(c, "--format", arg, (const char *const[]){ "csv", "jsonl", NULL },
                          &a->jsonl);
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
static int print_changes(const cli *c, const changes_args *a, const char *segment,
                         const segrt_run *last)
{
    segrt_store *s = c->s;
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

/* The script is loaded here, after the check of the options, as it always was. */
static int changes_run(cli *c, void *ud)
{
    const changes_args *a = ud;
    if (a->has_run == a->has_time)
        return cli_usage_error(c, "give either --since-run N or --since T");
    const char *segment = c->args[1];
    segrt_run last;
    int rc = segrt_script_load(c->s, c->args[0], &c->sc);
    if (rc != SEGRT_OK)
        return rc;
    rc = segrt_segment_last_run(c->s, segment, &last);
    if (rc == SEGRT_ENOTFOUND)
        return cli_no_stored_runs(c, segment);
    return rc == SEGRT_OK ? print_changes(c, a, segment, &last) : rc;
}

int cmd_changes(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "changes", .usage = usage_text, .run = changes_run, .flags = CLI_READ,
        .arity = { 2, 2, "give SCRIPT and SEGMENT" }, .option = changes_option,
        .options = (const struct option[]){ CLI_OPTION("format", O_FORMAT),
                                            CLI_OPTION("since-run", O_SINCE_RUN),
                                            CLI_OPTION("since", O_SINCE), { 0 } },
    };
    changes_args a = { 0 };
    return cli_main(&cmd, argc, argv, &a);
}
