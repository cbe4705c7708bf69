/*
 * cmd_count.c — segrt count and segrt members (SPEC §3): evaluate one
 * segment of a script at NOW and print its size or its members.
 */
#include "cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char count_usage[] =
    "segrt count [--db DIR] [--now T] [--time] SCRIPT SEGMENT\n"
    "  Print the number of members of SEGMENT defined in SCRIPT.\n"
    "  --time: also print the evaluation time to stderr.";

enum { O_TIME = OPT_FIRST_CMD, O_FORMAT, O_FIELDS, O_PURPOSE };

static int count_option(cli *c, int opt, const char *arg, void *ud)
{
    (void)c;
    (void)arg;
    *(int *)ud = opt == O_TIME;
    return EXIT_OK;
}

static int count_run(cli *c, void *ud)
{
    cli_segments e;
    int rc = cli_segments_eval(c, &e, 1, c->args + 1);
    if (rc == SEGRT_OK && *(const int *)ud)
        fprintf(stderr, "evaluated %s in %.2f ms\n", e.names[0], e.ms[0]);
    if (rc == SEGRT_OK)
        printf("%llu\n", (unsigned long long)segrt_set_count(e.sets[0]));
    cli_segments_free(&e);
    return rc;
}

int cmd_count(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "count", .usage = count_usage, .run = count_run, .flags = CLI_READ | CLI_SCRIPT,
        .arity = { 2, 2, "give a SCRIPT and a SEGMENT" }, .option = count_option,
        .options = (const struct option[]){ CLI_FLAG("time", O_TIME), { 0 } },
    };
    int timing = 0;
    return cli_main(&cmd, argc, argv, &timing);
}

/* ------------------------------------------------------------ members */

static const char members_usage[] =
    "segrt members [--db DIR] [--now T] [--format ids|csv|jsonl] [--fields a,b]\n"
    "              [--purpose P] SCRIPT SEGMENT\n"
    "  Print the members of SEGMENT defined in SCRIPT, by external id in byte order:\n"
    "  ids one per line (the default), or CSV / JSON lines with the id and --fields\n"
    "  (every field when --fields is not given); --fields may name the script's\n"
    "  scores and model outputs too (e.g. rfm.R). --purpose P keeps only the\n"
    "  members who pass the consent check of P (e.g. email_marketing) at NOW.";

enum { FORMAT_IDS, FORMAT_CSV, FORMAT_JSONL }; /* in --format's order */

typedef struct members_args {
    int format;
    const char *purpose;
    char *fields_text; /* strdup'd --fields */
    const char *fields[256];
    size_t nfields;
} members_args;

static int members_option(cli *c, int opt, const char *arg, void *ud)
{
    members_args *a = ud;
    if (opt == O_PURPOSE) {
        a->purpose = arg;
        return EXIT_OK;
    }
    if (opt == O_FORMAT)
        return cli_choice(c, "--format", arg,
                          (const char *const[]){ "ids", "csv", "jsonl", NULL }, &a->format);
    free(a->fields_text);
    a->nfields = 0;
    if ((a->fields_text = strdup(arg)) == NULL)
        return EXIT_FAIL;
    for (char *save = NULL, *f = strtok_r(a->fields_text, ",", &save); f;
         f = strtok_r(NULL, ",", &save)) {
        if (a->nfields == sizeof a->fields / sizeof a->fields[0])
            return cli_usage_error(c, "--fields names too many fields");
        a->fields[a->nfields++] = f;
    }
    if (a->nfields == 0)
        return cli_usage_error(c, "--fields names no field");
    return EXIT_OK;
}

static int print_id(void *ud, const char *id)
{
    (void)ud;
    return fputs(id, stdout) < 0 || putchar('\n') == EOF ? SEGRT_EIO : 0;
}

static int print_jsonl(void *ud, const char *json)
{
    (void)ud;
    return fputs(json, stdout) < 0 || putchar('\n') == EOF ? SEGRT_EIO : 0;
}

/* One CSV cell (RFC 4180 quoting); sets as a;b;c like the import format. */
static void csv_cell(const json_t *v)
{
    char buf[64];
    const char *text = "";
    char *owned = NULL;
    if (json_is_string(v)) {
        text = json_string_value(v);
    } else if (json_is_array(v)) {
        size_t i, n = 0;
        json_t *item;
        json_array_foreach(v, i, item) n += json_string_length(item) + 1;
        owned = calloc(n + 1, 1);
        json_array_foreach(v, i, item) {
            if (owned && i)
                strcat(owned, ";");
            if (owned)
                strcat(owned, json_string_value(item) ? json_string_value(item) : "");
        }
        text = owned ? owned : "";
    } else if (json_is_integer(v)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        text = buf;
    } else if (json_is_real(v)) {
        snprintf(buf, sizeof buf, "%.15g", json_real_value(v));
        text = buf;
    } else if (json_is_boolean(v)) {
        text = json_is_true(v) ? "true" : "false";
    }
    cli_csv_field(stdout, text);
    free(owned);
}

typedef struct csv_ctx {
    const members_args *a;
    int header_done;
} csv_ctx;

static int print_csv(void *ud, const char *json)
{
    csv_ctx *x = ud;
    json_t *row = json_loads(json, 0, NULL);
    if (row == NULL)
        return SEGRT_ENOMEM;
    const char *key;
    json_t *v;
    if (!x->header_done) {
        int first = 1;
        json_object_foreach(row, key, v) {
            printf("%s%s", first ? "" : ",", key);
            first = 0;
        }
        putchar('\n');
        x->header_done = 1;
    }
    int first = 1;
    json_object_foreach(row, key, v) {
        if (!first)
            putchar(',');
        csv_cell(v);
        first = 0;
    }
    json_decref(row);
    return putchar('\n') == EOF ? SEGRT_EIO : 0;
}

static int print_members(const members_args *a, segrt_store *s, segrt_script *sc,
                         const segrt_set *set)
{
    csv_ctx csv = { a, 0 };
    int rc;
    if (a->format == FORMAT_IDS)
        rc = segrt_set_ids_foreach(s, set, print_id, NULL);
    else
        rc = segrt_script_rows_foreach(sc, set, a->fields, a->nfields,
                                       a->format == FORMAT_CSV ? print_csv : print_jsonl,
                                       a->format == FORMAT_CSV ? (void *)&csv : NULL);
    return rc == SEGRT_OK && fflush(stdout) != 0 ? SEGRT_EIO : rc;
}

static int members_run(cli *c, void *ud)
{
    const members_args *a = ud;
    cli_segments e;
    int rc = cli_segments_eval(c, &e, 1, c->args + 1);
    if (rc == SEGRT_OK && a->purpose)
        rc = segrt_set_keep_purpose(c->sc, e.sets[0], a->purpose);
    if (rc == SEGRT_OK)
        rc = print_members(a, c->s, c->sc, e.sets[0]);
    cli_segments_free(&e);
    return rc;
}


int cmd_members(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "members", .usage = members_usage, .run = members_run,
        .flags = CLI_READ | CLI_SCRIPT, .arity = { 2, 2, "give a SCRIPT and a SEGMENT" },
        .option = members_option,
        .options = (const struct option[]){ CLI_OPTION("format", O_FORMAT),
                                            CLI_OPTION("fields", O_FIELDS),
                                            CLI_OPTION("purpose", O_PURPOSE), { 0 } },
    };
    members_args a = { 0 };
    int code = cli_main(&cmd, argc, argv, &a);
    free(a.fields_text);
    return code;
}
