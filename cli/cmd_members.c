/*
 * cmd_members.c — segrt members (SPEC §3): evaluate one segment of a script
 * at NOW and print its members: ids, CSV or JSON lines, with fields, scores
 * and model outputs. For e-mail tools: --header renames the CSV columns,
 * --bom marks UTF-8 for Excel, and a channel field (email, phone) of a
 * segment without a purpose is exported only with a warning of how many
 * lack consent for that channel, unless --purpose or --no-purpose says
 * what is meant.
 */
#include "cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char members_usage[] =
    "segrt members [--db DIR] [--now T] [--format ids|csv|jsonl] [--fields a,b]\n"
    "              [--header \"A,B\"] [--bom] [--purpose P | --no-purpose] SCRIPT SEGMENT\n"
    "  Print the members of SEGMENT defined in SCRIPT, by external id in byte order:\n"
    "  ids one per line (the default), or CSV / JSON lines with the id and --fields\n"
    "  (every field when --fields is not given); --fields may name the script's\n"
    "  scores and model outputs too (e.g. rfm.R). --purpose P keeps only the\n"
    "  members who pass the consent check of P (e.g. email_marketing) at NOW.\n"
    "  For e-mail tools (CSV): --header names the columns of --fields, in order,\n"
    "  and then only those are printed (e.g. --fields email,first_name --header\n"
    "  \"Email Address,First Name\" for Mailchimp); --bom starts the file with a\n"
    "  UTF-8 byte order mark, for Excel. Exporting email or phone of a segment that\n"
    "  has no purpose warns how many members lack consent for email_marketing or\n"
    "  sms_marketing: give --purpose P to keep those who consented, or --no-purpose\n"
    "  to say the export is not for that channel. Special-category fields (Art. 9:\n"
    "  health, ...) are exported only under a purpose resting on explicit consent\n"
    "  (the segment's or --purpose P); every field leaves them out otherwise.";

enum { O_FORMAT = OPT_FIRST_CMD, O_FIELDS, O_PURPOSE, O_NO_PURPOSE, O_HEADER, O_BOM };
enum { FORMAT_IDS, FORMAT_CSV, FORMAT_JSONL }; /* in --format's order */
#define MAX_COLUMNS 256

/* A comma-separated list, split in place in its own copy. */
typedef struct name_list {
    char *text;
    const char *v[MAX_COLUMNS];
    size_t n;
} name_list;

typedef struct members_args {
    int format;
    const char *purpose;
    int no_purpose;    /* --no-purpose */
    int bom;           /* --bom */
    name_list fields;  /* --fields */
    name_list header;  /* --header: names of the --fields columns */
} members_args;

/* Split arg at commas into l; EXIT_OK or a usage error naming the option. */
static int split_names(cli *c, const char *option, const char *arg, name_list *l)
{
    free(l->text);
    l->n = 0;
    if ((l->text = strdup(arg)) == NULL)
        return cli_oom(c);
    for (char *save = NULL, *f = strtok_r(l->text, ",", &save); f;
         f = strtok_r(NULL, ",", &save)) {
        if (l->n == MAX_COLUMNS)
            return cli_usage_error(c, "%s names more than %d columns", option, MAX_COLUMNS);
        l->v[l->n++] = f;
    }
    return l->n ? EXIT_OK : cli_usage_error(c, "%s names nothing", option);
}

static int members_option(cli *c, int opt, const char *arg, void *ud)
{
    members_args *a = ud;
    switch (opt) {
    case O_PURPOSE: a->purpose = arg; return EXIT_OK;
    case O_NO_PURPOSE: a->no_purpose = 1; return EXIT_OK;
    case O_BOM: a->bom = 1; return EXIT_OK;
    case O_HEADER: return split_names(c, "--header", arg, &a->header);
    case O_FIELDS: return split_names(c, "--fields", arg, &a->fields);
    default:
        return cli_choice(c, "--format", arg,
                          (const char *const[]){ "ids", "csv", "jsonl", NULL }, &a->format);
    }
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

/* A row with --header: the --fields columns in order, under the given names. */
static int print_renamed(csv_ctx *x, json_t *row)
{
    const members_args *a = x->a;
    for (size_t i = 0; !x->header_done && i < a->header.n; i++) {
        cli_csv_field(stdout, a->header.v[i]);
        putchar(i + 1 < a->header.n ? ',' : '\n');
    }
    x->header_done = 1;
    for (size_t i = 0; i < a->fields.n; i++) {
        csv_cell(json_object_get(row, a->fields.v[i]));
        putchar(i + 1 < a->fields.n ? ',' : '\n');
    }
    return ferror(stdout) ? SEGRT_EIO : 0;
}

static int print_csv(void *ud, const char *json)
{
    csv_ctx *x = ud;
    json_t *row = json_loads(json, 0, NULL);
    if (row == NULL)
        return SEGRT_ENOMEM;
    if (x->a->header.n) {
        int rc = print_renamed(x, row);
        json_decref(row);
        return rc;
    }
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

/* The columns of a CSV or JSON lines export (n 0: every field). */
typedef struct columns {
    const char *const *v;
    size_t n;
} columns;

static int print_members(const members_args *a, segrt_store *s, segrt_script *sc,
                         const segrt_set *set, columns cols)
{
    csv_ctx csv = { a, 0 };
    int rc;
    if (a->bom)
        fputs("\xEF\xBB\xBF", stdout);
    if (a->format == FORMAT_IDS)
        rc = segrt_set_ids_foreach(s, set, print_id, NULL);
    else
        rc = segrt_script_rows_foreach(sc, set, cols.v, cols.n,
                                       a->format == FORMAT_CSV ? print_csv : print_jsonl,
                                       a->format == FORMAT_CSV ? (void *)&csv : NULL);
    return rc == SEGRT_OK && fflush(stdout) != 0 ? SEGRT_EIO : rc;
}

/* The consent purpose of a channel field, or NULL. */
static const char *channel_purpose(const char *field)
{
    return strcmp(field, "email") == 0 ? "email_marketing"
           : strcmp(field, "phone") == 0 ? "sms_marketing" : NULL;
}

/* The purpose of the first channel field the export prints (every field when none named). */
static const char *exported_channel(const members_args *a)
{
    if (a->format == FORMAT_IDS)
        return NULL;
    if (a->fields.n == 0)
        return "email_marketing";
    for (size_t i = 0; i < a->fields.n; i++) {
        if (channel_purpose(a->fields.v[i]))
            return channel_purpose(a->fields.v[i]);
    }
    return NULL;
}

/*
 * A channel's addresses of a segment with no purpose, and no --purpose or
 * --no-purpose: say on stderr how many members lack consent for it.
 */
static int warn_without_consent(const cli *c, const members_args *a, const char *segment,
                                const segrt_set *all)
{
    const char *purpose = exported_channel(a);
    long i = cli_segment_index(c->sc, segment);
    if (purpose == NULL || a->purpose || a->no_purpose ||
        (i >= 0 && segrt_script_segment_purpose(c->sc, (size_t)i)))
        return SEGRT_OK;
    segrt_set *kept = segrt_set_copy(all);
    int rc = kept ? segrt_set_keep_purpose(c->sc, kept, purpose) : SEGRT_ENOMEM;
    uint64_t lacking = rc == SEGRT_OK ? segrt_set_count(all) - segrt_set_count(kept) : 0;
    segrt_set_free(kept);
    if (rc == SEGRT_OK && lacking)
        cli_error(c, "%llu of %llu members lack consent for %s; give --purpose %s to export "
                     "only those who consented, or --no-purpose if this export is not for "
                     "that channel", (unsigned long long)lacking,
                  (unsigned long long)segrt_set_count(all), purpose, purpose);
    return rc;
}

/* The fields that are no special category, collected for an export of every field. */
typedef struct ordinary {
    segrt_script *sc;
    cli_strings names;
    size_t left_out;
    int oom;
} ordinary;

static int add_ordinary(void *ud, const char *name, segrt_type type, uint64_t present)
{
    (void)type, (void)present;
    ordinary *o = ud;
    if (segrt_script_sensitive(o->sc, name))
        o->left_out++;
    else if (cli_strings_add(&o->names, name) != 0)
        o->oom = 1;
    return o->oom ? SEGRT_ENOMEM : 0;
}

/*
 * Special categories (Art. 9) leave only under a purpose resting on explicit
 * consent (--purpose P, or the segment's own): a --fields naming one
 * without it is refused; every field leaves them out (into *ordinary, the
 * other fields' names, with *cols pointing at them).
 */
static int special_fields(cli *c, const members_args *a, cli_strings *names, columns *cols)
{
    long i = cli_segment_index(c->sc, c->args[1]);
    const char *purpose = a->purpose ? a->purpose
                        : i >= 0 ? segrt_script_segment_purpose(c->sc, (size_t)i) : NULL;
    if (a->format == FORMAT_IDS || (purpose && segrt_script_purpose_explicit(c->sc, purpose)))
        return EXIT_OK;
    for (size_t k = 0; k < a->fields.n; k++) {
        const char *category = segrt_script_sensitive(c->sc, a->fields.v[k]);
        if (category)
            return cli_usage_error(c, "--fields %s: a special category (%s) is exported only "
                                      "under a purpose resting on explicit consent (--purpose P)",
                                   a->fields.v[k], category);
    }
    if (a->fields.n)
        return EXIT_OK;
    ordinary o = { c->sc, { 0 }, 0, 0 };
    int rc = segrt_fields_foreach(c->s, add_ordinary, &o);
    *names = o.names;
    if (o.left_out) /* else every field, as asked */
        *cols = (columns){ (const char *const *)names->v, names->n };
    return rc == SEGRT_OK ? EXIT_OK : rc;
}

static int members_run(cli *c, void *ud)
{
    const members_args *a = ud;
    if (a->header.n && (a->format != FORMAT_CSV || a->header.n != a->fields.n))
        return cli_usage_error(c, "--header names the columns of --fields, one each, with "
                               "--format csv");
    if (a->purpose && a->no_purpose)
        return cli_usage_error(c, "--purpose and --no-purpose exclude each other");
    cli_strings names = { 0 };
    columns cols = { a->fields.v, a->fields.n };
    int rc = special_fields(c, a, &names, &cols);
    if (rc != EXIT_OK) {
        cli_strings_free(&names);
        return rc;
    }
    cli_segments e;
    rc = cli_segments_eval(c, &e, 1, c->args + 1);
    if (rc == SEGRT_OK && a->purpose)
        rc = segrt_set_keep_purpose(c->sc, e.sets[0], a->purpose);
    if (rc == SEGRT_OK)
        rc = warn_without_consent(c, a, c->args[1], e.sets[0]);
    if (rc == SEGRT_OK)
        rc = print_members(a, c->s, c->sc, e.sets[0], cols);
    cli_segments_free(&e);
    cli_strings_free(&names);
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
                                            CLI_OPTION("purpose", O_PURPOSE),
                                            CLI_FLAG("no-purpose", O_NO_PURPOSE),
                                            CLI_OPTION("header", O_HEADER),
                                            CLI_FLAG("bom", O_BOM), { 0 } },
    };
    members_args a = { 0 };
    int code = cli_main(&cmd, argc, argv, &a);
    free(a.fields.text);
    free(a.header.text);
    return code;
}
