/*
 * cmd_count.c — segrt count and segrt members (SPEC §3): evaluate one
 * segment of a script at NOW and print its size or its members.
 */
#include "cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Load SCRIPT (into *sc, for the caller to free) and evaluate SEGMENT
 * (argv[optind], argv[optind + 1]); NULL on failure. With timing, print how
 * long the evaluation took to stderr.
 */
static segrt_set *eval_segment(const cli *c, segrt_store *s, char **argv, int timing,
                               segrt_script **sc_out, int *code)
{
    segrt_script *sc = NULL;
    segrt_set *set = NULL;
    int rc = segrt_script_load(s, argv[optind], &sc);
    double t0 = cli_now_ms();
    if (rc == SEGRT_OK)
        rc = segrt_segment_eval(sc, argv[optind + 1], &set);
    if (rc == SEGRT_OK && timing)
        fprintf(stderr, "evaluated %s in %.2f ms\n", argv[optind + 1], cli_now_ms() - t0);
    if (rc != SEGRT_OK)
        *code = cli_fail(c, s, rc);
    *sc_out = sc;
    return set;
}

enum { O_TIME = OPT_FIRST_CMD, O_FORMAT, O_FIELDS, O_PURPOSE };

static int count_option(cli *c, int opt, const char *arg, void *ud)
{
    (void)c;
    (void)arg;
    *(int *)ud = opt == O_TIME;
    return EXIT_OK;
}

int cmd_count(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        { "time", no_argument, NULL, O_TIME },
        { 0 },
    };
    cli c;
    int timing = 0;
    cli_init(&c, "count", "segrt count [--db DIR] [--now T] [--time] SCRIPT SEGMENT\n"
                          "  Print the number of members of SEGMENT defined in SCRIPT.\n"
                          "  --time: also print the evaluation time to stderr.", argv);
    int code;
    segrt_store *s = cli_begin(&c, argc, argv, opts, count_option, &timing, 2,
                               "give a SCRIPT and a SEGMENT", SEGRT_OPEN_READONLY, &code);
    if (s == NULL)
        return code;
    segrt_script *sc;
    segrt_set *set = eval_segment(&c, s, argv, timing, &sc, &code);
    if (set)
        printf("%llu\n", (unsigned long long)segrt_set_count(set));
    segrt_set_free(set);
    segrt_script_free(sc);
    segrt_store_close(s);
    return code;
}

/* ------------------------------------------------------------ members */

enum { FORMAT_IDS, FORMAT_CSV, FORMAT_JSONL };

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
    if (opt == O_FORMAT) {
        if (strcmp(arg, "ids") == 0)
            a->format = FORMAT_IDS;
        else if (strcmp(arg, "csv") == 0)
            a->format = FORMAT_CSV;
        else if (strcmp(arg, "jsonl") == 0)
            a->format = FORMAT_JSONL;
        else
            return cli_usage_error(c, "--format '%s' is not ids, csv or jsonl", arg);
        return EXIT_OK;
    }
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

int cmd_members(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        { "format", required_argument, NULL, O_FORMAT },
        { "fields", required_argument, NULL, O_FIELDS },
        { "purpose", required_argument, NULL, O_PURPOSE },
        { 0 },
    };
    cli c;
    members_args a = { 0 };
    cli_init(&c, "members",
             "segrt members [--db DIR] [--now T] [--format ids|csv|jsonl] [--fields a,b]\n"
             "              [--purpose P] SCRIPT SEGMENT\n"
             "  Print the members of SEGMENT defined in SCRIPT, by external id in byte order:\n"
             "  ids one per line (the default), or CSV / JSON lines with the id and --fields\n"
             "  (every field when --fields is not given); --fields may name the script's\n"
             "  scores and model outputs too (e.g. rfm.R). --purpose P keeps only the\n"
             "  members who pass the consent check of P (e.g. email_marketing) at NOW.", argv);
    int code;
    segrt_store *s = cli_begin(&c, argc, argv, opts, members_option, &a, 2,
                               "give a SCRIPT and a SEGMENT", SEGRT_OPEN_READONLY, &code);
    if (s == NULL) {
        free(a.fields_text);
        return code;
    }
    segrt_script *sc;
    segrt_set *set = eval_segment(&c, s, argv, 0, &sc, &code);
    if (set) {
        int rc = a.purpose ? segrt_set_keep_purpose(sc, set, a.purpose) : SEGRT_OK;
        if (rc == SEGRT_OK)
            rc = print_members(&a, s, sc, set);
        code = rc == SEGRT_OK ? EXIT_OK : cli_fail(&c, s, rc);
    }
    segrt_set_free(set);
    segrt_script_free(sc);
    segrt_store_close(s);
    free(a.fields_text);
    return code;
}
