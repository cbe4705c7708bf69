/*
 * cmd_import.c — segrt import: contacts, then events, then consents; rejects
 * to stderr or as CSV to --rejects; a progress bar on a terminal.
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
    "segrt import [--db DIR] [--contacts F] [--events F] [--consents F] [--rejects F]\n"
    "             [--strict] [--batch N] [--field NAME:TYPE]... [--blank keep|clear]\n"
    "             [--max-rejects N|P%] [--delimiter D] [--encoding NAME] [--map A=f,...]\n"
    "             [--id-from email] [--date-format P] [--timestamp-format P] [--tz ZONE]\n"
    "             [--decimal ,] [--mapping FILE.lua] [--schema FILE.lua]\n"
    "  Import CSV files (header row) or JSON Lines files (.jsonl). Contacts are\n"
    "  upserted by id; events and consent records already held are not added twice\n"
    "  (identical event rows of one file are distinct events: a file imported again\n"
    "  adds nothing, one with another identical row adds that one).\n"
    "  A contact whose e-mail another contact already has is kept, with a note on\n"
    "  stderr (segrt dedupe --by email finds and merges such duplicates).\n"
    "  --rejects F       write rejected rows as CSV file,line,reason (else to stderr)\n"
    "  --strict          stop at the first bad row; nothing of that file is kept\n"
    "  --batch N         rows per committed batch\n"
    "  --field NAME:TYPE declare a custom field's type (integer, number, string,\n"
    "                    boolean, date, timestamp, set) instead of inferring it;\n"
    "                    without --contacts, an extra event attribute's (NAME may be\n"
    "                    a dotted path into a JSON object: campaign.id)\n"
    "  --blank keep|clear  a blank CSV cell keeps a contact's stored value (keep,\n"
    "                    the default) or clears it; in JSONL null clears, a key left\n"
    "                    out keeps\n"
    "  --schema F.lua    checks of field values (seg.field \"nps\" { type = \"integer\",\n"
    "                    min = 0, max = 10 }, one_of, pattern) or a pack's; without it\n"
    "                    the built-in ones: birth_date 1900..NOW, income and amount not\n"
    "                    negative, phone valid for the row's country\n"
    "  --max-rejects N|P%  exit 3 when a file rejects more than N rows, or more than\n"
    "                    P percent of its data rows\n"
    "  Exit status: 0 imported; 3 a file with data rows kept none, or rejected more\n"
    "  than --max-rejects allows (the rows kept are kept; its summary line says\n"
    "  why); 1 failure; 2 usage.\n"
    "Reading other tools' exports (see README, \"Importing your CRM's export\"):\n"
    "  --delimiter D     auto (default: sniffed from the first lines), ',', ';', tab or '|'\n"
    "  --encoding NAME   the file's encoding, any iconv name (cp1250, iso-8859-2,\n"
    "                    UTF-16 for Excel's \"Unicode text\", ...);\n"
    "                    default UTF-8 (a byte order mark is skipped)\n"
    "  --map \"A=f,B=g\"   read header column A as field f (\"Email Address=email\")\n"
    "  --id-from email   no id (events, consents: contact_id) column: it is \"e:\" +\n"
    "                    hex XXH64 of the normalised e-mail column\n"
    "  --date-format P   strptime pattern of dates, e.g. %d.%m.%Y\n"
    "  --timestamp-format P  strptime pattern of timestamps, e.g. \"%d.%m.%Y %H:%M\"\n"
    "                    (without it: ISO 8601, with an offset, Z, or none)\n"
    "  --tz ZONE         zone of timestamps written without an offset (default UTC),\n"
    "                    e.g. Europe/Warsaw\n"
    "  --decimal ,       decimal comma; '.', space, no-break space and ' group thousands\n"
    "  --mapping F.lua   each CSV row through a Lua function(row) returning the row to\n"
    "                    import (split a name, build an id: id_from_email(row.Email));\n"
    "                    its errors reject the row at F.lua:line";

enum { EXIT_REJECTS = 3 }; /* the import ran, but kept none of a file, or rejected too many */

typedef struct import_args {
    const char *files[3]; /* contacts, events, consents */
    const char *rejects;
    const char *mapping;  /* --mapping FILE.lua */
    const char *schema;   /* --schema FILE.lua */
    const char *fields[64];
    int nfields;
    segrt_import_opts o;  /* --strict, --batch, --blank and the dialect options */
    double max_rejects;   /* rows, or percent when max_pct; < 0: no limit */
    int max_pct;
} import_args;

typedef struct import_run {
    const cli *c;
    FILE *rejects;     /* NULL: stderr */
    int progress;      /* draw a progress bar */
    struct timespec t0;
    const char *file;
    segrt_mapping *mapping; /* --mapping, loaded */
    segrt_rules *rules;     /* --schema, loaded */
} import_run;

static void on_reject(void *ud, const char *file, uint64_t line, const char *reason)
{
    import_run *r = ud;
    if (r->progress)
        fputs("\r\033[K", stderr);
    if (r->rejects == NULL) {
        fprintf(stderr, "segrt: import: %s:%llu: %s\n", file, (unsigned long long)line, reason);
        return;
    }
    cli_csv_field(r->rejects, file);
    fprintf(r->rejects, ",%llu,", (unsigned long long)line);
    cli_csv_field(r->rejects, reason);
    fputc('\n', r->rejects);
}

/* A row kept with a notice (a duplicate e-mail): always to stderr, it is no reject. */
static void on_notice(void *ud, const char *file, uint64_t line, const char *notice)
{
    import_run *r = ud;
    if (r->progress)
        fputs("\r\033[K", stderr);
    fprintf(stderr, "segrt: import: %s:%llu: note: %s\n", file, (unsigned long long)line,
            notice);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void on_progress(void *ud, uint64_t done, uint64_t total, uint64_t rows)
{
    import_run *r = ud;
    if (!r->progress)
        return;
    double pct = total ? 100.0 * (double)done / (double)total : 100.0;
    double secs = seconds_since(&r->t0);
    int bar = (int)(pct / 5);
    fprintf(stderr, "\r\033[K%s [%.*s%*s] %5.1f%%  %llu rows  %.0f rows/s", r->file, bar,
            "####################", 20 - bar, "", pct, (unsigned long long)rows,
            secs > 0 ? (double)rows / secs : 0.0);
    fflush(stderr);
}

/*
 * Why a file's import ends in exit 3, written to why (empty when it does not):
 * it had data rows and kept none, or rejected more than --max-rejects allows.
 */
static void rejects_verdict(const import_args *a, const segrt_import_report *rep, char *why,
                            size_t size)
{
    why[0] = '\0';
    double pct = rep->rows ? 100.0 * (double)rep->rejected / (double)rep->rows : 0.0;
    if (rep->rows > 0 && rep->accepted == 0)
        snprintf(why, size, "0 kept");
    else if (a->max_rejects >= 0 && !a->max_pct && (double)rep->rejected > a->max_rejects)
        snprintf(why, size, "%llu rejected > --max-rejects %.0f",
                 (unsigned long long)rep->rejected, a->max_rejects);
    else if (a->max_rejects >= 0 && a->max_pct && pct > a->max_rejects)
        snprintf(why, size, "%.4g%% rejected > --max-rejects %g%%", pct, a->max_rejects);
}

static int import_one(import_run *run, segrt_store *s, segrt_kind kind, const char *path,
                      const import_args *a)
{
    segrt_import_opts o = a->o;
    o.on_reject = on_reject;
    o.on_notice = on_notice;
    o.on_column = on_notice;
    o.on_progress = on_progress;
    o.ud = run;
    segrt_mapping_use(run->mapping, &o);
    o.rules = run->rules;
    segrt_import_report rep;
    run->file = path;
    clock_gettime(CLOCK_MONOTONIC, &run->t0);
    int rc = segrt_import_file(s, kind, path, &o, &rep);
    double secs = seconds_since(&run->t0);
    if (run->progress)
        fputs("\r\033[K", stderr);
    if (rc != SEGRT_OK)
        return cli_fail(run->c, s, rc);
    printf("%s: %llu rows, %llu kept (%llu new), %llu rejected", path,
           (unsigned long long)rep.rows, (unsigned long long)rep.accepted,
           (unsigned long long)rep.inserted, (unsigned long long)rep.rejected);
    if (rep.noticed)
        printf(", %llu with an e-mail another contact has (segrt dedupe --by email)",
               (unsigned long long)rep.noticed);
    char why[96];
    rejects_verdict(a, &rep, why, sizeof why);
    printf(", %.2f s%s%s%s\n", secs, why[0] ? "; " : "", why, why[0] ? ": exit 3" : "");
    return why[0] ? EXIT_REJECTS : EXIT_OK;
}

/* --field NAME:TYPE: a contact field, or with events alone an extra event attribute. */
static int declare(const cli *c, segrt_store *s, const char *spec, int event_attr)
{
    const char *colon = strchr(spec, ':');
    segrt_type t;
    if (colon == NULL || segrt_type_parse(colon + 1, &t) != SEGRT_OK) {
        cli_error(c, "--field '%s' is not NAME:TYPE (types: integer, number, string, boolean, "
                     "date, timestamp, set)", spec);
        return EXIT_USAGE;
    }
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(colon - spec), spec);
    int rc = event_attr ? segrt_event_attr_declare(s, name, t) : segrt_field_declare(s, name, t);
    return rc == SEGRT_OK ? EXIT_OK : cli_fail(c, s, rc);
}

enum { O_CONTACTS = OPT_FIRST_CMD, O_EVENTS, O_CONSENTS, O_REJECTS, O_STRICT, O_BATCH, O_FIELD,
       O_BLANK, O_MAX_REJECTS, O_DELIMITER, O_ENCODING, O_MAP, O_ID_FROM, O_DATE_FORMAT,
       O_TS_FORMAT, O_TZ, O_DECIMAL, O_MAPPING, O_SCHEMA };

/* --delimiter auto|,|;|tab|| */
static int delimiter_option(cli *c, const char *arg, char *out)
{
    if (strcmp(arg, "auto") == 0)
        *out = 0;
    else if (strcmp(arg, "tab") == 0 || strcmp(arg, "\\t") == 0)
        *out = '\t';
    else if (strlen(arg) == 1 && strchr(",;|\t", arg[0]) != NULL)
        *out = arg[0];
    else
        return cli_usage_error(c, "--delimiter '%s' is not one of auto , ; tab |", arg);
    return EXIT_OK;
}

/* The dialect options (what the file looks like), checked before anything is opened. */
static int dialect_option(cli *c, int opt, const char *arg, segrt_import_opts *o)
{
    switch (opt) {
    case O_DELIMITER: return delimiter_option(c, arg, &o->delimiter);
    case O_ENCODING: o->encoding = arg; break;
    case O_MAP: o->map = arg; break;
    case O_ID_FROM: o->id_from = arg; break;
    case O_DATE_FORMAT: o->date_format = arg; break;
    case O_TS_FORMAT: o->timestamp_format = arg; break;
    case O_TZ: o->tz = arg; break;
    case O_DECIMAL:
        if (strcmp(arg, ",") != 0 && strcmp(arg, ".") != 0)
            return cli_usage_error(c, "--decimal '%s' is not ',' or '.'", arg);
        o->decimal = arg[0];
        return EXIT_OK;
    }
    char msg[256];
    if (segrt_import_check_opts(o, msg, sizeof msg) != SEGRT_OK)
        return cli_usage_error(c, "%s", msg);
    return EXIT_OK;
}

static int import_option(cli *c, int opt, const char *arg, void *ud)
{
    import_args *a = ud;
    char *end;
    unsigned long n;
    switch (opt) {
    case O_CONTACTS: a->files[0] = arg; return EXIT_OK;
    case O_EVENTS: a->files[1] = arg; return EXIT_OK;
    case O_CONSENTS: a->files[2] = arg; return EXIT_OK;
    case O_REJECTS: a->rejects = arg; return EXIT_OK;
    case O_MAPPING: a->mapping = arg; return EXIT_OK;
    case O_SCHEMA: a->schema = arg; return EXIT_OK;
    case O_STRICT: a->o.strict = 1; return EXIT_OK;
    case O_BATCH:
        errno = 0;
        n = strtoul(arg, &end, 10);
        if (*end || errno || n == 0 || n > UINT32_MAX)
            return cli_usage_error(c, "--batch '%s' is not a positive number", arg);
        a->o.batch_rows = (uint32_t)n;
        return EXIT_OK;
    case O_BLANK: {
        static const char *const choices[] = { "keep", "clear", NULL };
        int i = 0, rc = cli_choice(c, "--blank", arg, choices, &i);
        a->o.blank = i == 1 ? SEGRT_BLANK_CLEAR : SEGRT_BLANK_KEEP;
        return rc;
    }
    case O_MAX_REJECTS: {
        /* digits, for a percentage with decimals: no sign, exponent, hex, inf or nan */
        double v = strtod(arg, &end);
        a->max_pct = *end == '%';
        if (!isdigit((unsigned char)arg[0]) || strpbrk(arg, "xXeE") || (*end && strcmp(end, "%")) ||
            v > (a->max_pct ? 100 : 1e15) || (!a->max_pct && v != floor(v)))
            return cli_usage_error(c, "--max-rejects '%s' is not a row count N or a percentage "
                                      "P%% (0 to 100)", arg);
        a->max_rejects = v;
        return EXIT_OK;
    }
    case O_FIELD:
        if (a->nfields == 64)
            return cli_usage_error(c, "at most 64 --field options");
        a->fields[a->nfields++] = arg;
        return EXIT_OK;
    }
    return dialect_option(c, opt, arg, &a->o);
}

/* Nothing is opened before the input files are known to be there (the store last). */
static int import_files(cli *c, void *ud)
{
    const import_args *a = ud;
    if (!a->files[0] && !a->files[1] && !a->files[2])
        return cli_usage_error(c, "nothing to import: give --contacts, --events or --consents");
    if (a->mapping && a->o.id_from)
        return cli_usage_error(c, "--id-from does not combine with --mapping: the mapping "
                                  "returns the id (id_from_email(email) there gives --id-from's)");
    if (a->mapping && access(a->mapping, R_OK) != 0) {
        cli_error(c, "%s: %s", a->mapping, strerror(errno));
        return EXIT_FAIL;
    }
    /* A missing input file must not leave an empty store behind. */
    for (int i = 0; i < 3; i++) {
        if (a->files[i] && access(a->files[i], R_OK) != 0) {
            cli_error(c, "%s: %s", a->files[i], strerror(errno));
            return EXIT_FAIL;
        }
    }
    import_run run = { .c = c, .progress = isatty(STDERR_FILENO) && !getenv("CI") };
    if (a->rejects) {
        run.rejects = fopen(a->rejects, "w");
        if (run.rejects == NULL) {
            cli_error(c, "%s: %s", a->rejects, strerror(errno));
            return EXIT_FAIL;
        }
        fputs("file,line,reason\n", run.rejects);
    }
    c->s = cli_open(c, SEGRT_OPEN_CREATE);
    int rc = c->s ? EXIT_OK : EXIT_FAIL;
    if (rc == EXIT_OK && a->mapping && segrt_mapping_load(c->s, a->mapping, &run.mapping) != SEGRT_OK)
        rc = cli_fail(c, c->s, SEGRT_ELUA);
    int lrc;
    if (rc == EXIT_OK && a->schema && (lrc = segrt_rules_load(c->s, a->schema, &run.rules)))
        rc = cli_fail(c, c->s, lrc);
    for (int i = 0; i < a->nfields && rc == EXIT_OK; i++)
        rc = declare(c, c->s, a->fields[i], !a->files[0] && a->files[1]);
    static const segrt_kind kinds[3] = { SEGRT_CONTACTS, SEGRT_EVENTS, SEGRT_CONSENTS };
    int rejected = 0; /* a file ended in exit 3: the others are still imported */
    for (int i = 0; i < 3 && rc == EXIT_OK; i++) {
        if (a->files[i])
            rc = import_one(&run, c->s, kinds[i], a->files[i], a);
        if (rc == EXIT_REJECTS) {
            rejected = 1;
            rc = EXIT_OK;
        }
    }
    segrt_mapping_free(run.mapping);
    segrt_rules_free(run.rules);
    if (run.rejects && fclose(run.rejects) != 0 && rc == EXIT_OK) {
        cli_error(c, "%s: %s", a->rejects, strerror(errno));
        rc = EXIT_FAIL;
    }
    return rc == EXIT_OK && rejected ? EXIT_REJECTS : rc;
}

int cmd_import(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "import", .usage = usage_text, .run = import_files, .option = import_option,
        .options = (const struct option[]){ CLI_OPTION("contacts", O_CONTACTS),
                                            CLI_OPTION("events", O_EVENTS),
                                            CLI_OPTION("consents", O_CONSENTS),
                                            CLI_OPTION("rejects", O_REJECTS),
                                            CLI_OPTION("mapping", O_MAPPING),
                                            CLI_OPTION("schema", O_SCHEMA),
                                            CLI_FLAG("strict", O_STRICT),
                                            CLI_OPTION("batch", O_BATCH),
                                            CLI_OPTION("field", O_FIELD),
                                            CLI_OPTION("blank", O_BLANK),
                                            CLI_OPTION("max-rejects", O_MAX_REJECTS),
                                            CLI_OPTION("delimiter", O_DELIMITER),
                                            CLI_OPTION("encoding", O_ENCODING),
                                            CLI_OPTION("map", O_MAP),
                                            CLI_OPTION("id-from", O_ID_FROM),
                                            CLI_OPTION("date-format", O_DATE_FORMAT),
                                            CLI_OPTION("timestamp-format", O_TS_FORMAT),
                                            CLI_OPTION("tz", O_TZ),
                                            CLI_OPTION("decimal", O_DECIMAL), { 0 } },
    };
    import_args a = { .max_rejects = -1 };
    return cli_main(&cmd, argc, argv, &a);
}
