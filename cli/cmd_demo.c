/*
 * cmd_demo.c — segrt demo: generate synthetic contacts, events and consents
 * (segrt_demo_write), import them into a fresh store in the default place,
 * and print a short report. The first command a new user runs.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
    "segrt demo [--db DIR] [--contacts N] [--seed S] [--now T]\n"
    "  Make a demo store of N synthetic contacts (default 20000) with three\n"
    "  years of events and consent records up to NOW, and print a report.\n"
    "  An earlier demo store in DIR is replaced; any other store is left\n"
    "  alone.\n"
    "segrt demo --csv D [--contacts N] [--seed S] [--now T]\n"
    "  Write the same data as D/contacts.csv, events.csv and consents.csv\n"
    "  (D made if missing) and no store; segrt import --now T of them makes\n"
    "  the demo store.";

#define DEMO_MARKER "segrt-demo"

enum { O_CONTACTS = OPT_FIRST_CMD, O_SEED, O_CSV };

typedef struct demo_args {
    unsigned long contacts;
    unsigned long long seed;
    const char *csv; /* --csv DIR: write the data there instead of making a store */
} demo_args;

static int demo_option(cli *c, int opt, const char *arg, void *ud)
{
    demo_args *a = ud;
    char *end;
    errno = 0;
    if (opt == O_CSV) {
        a->csv = arg;
        return EXIT_OK;
    }
    if (opt == O_CONTACTS) {
        a->contacts = strtoul(arg, &end, 10);
        if (*end || errno || a->contacts == 0 || a->contacts > 9999999)
            return cli_usage_error(c, "--contacts '%s' is not a number from 1 to 9999999", arg);
        return EXIT_OK;
    }
    a->seed = strtoull(arg, &end, 10);
    if (*end || errno)
        return cli_usage_error(c, "--seed '%s' is not a number", arg);
    return EXIT_OK;
}

static int path_exists(const char *dir, const char *name)
{
    char p[4096];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0;
}

static void remove_in(const char *dir, const char *name)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    unlink(p);
}

/* Remove an earlier demo store; refuse to touch a store the demo did not make. */
static int clear_old_demo(const cli *c)
{
    if (!path_exists(c->db, "data.mdb"))
        return EXIT_OK;
    if (!path_exists(c->db, DEMO_MARKER)) {
        cli_error(c, "%s holds a store that segrt demo did not make; refusing to replace it "
                     "(use --db to choose another directory)", c->db);
        return EXIT_FAIL;
    }
    remove_in(c->db, "data.mdb");
    remove_in(c->db, "lock.mdb");
    remove_in(c->db, DEMO_MARKER);
    return EXIT_OK;
}

static int import_demo(const cli *c, segrt_store *s, const char *tmp)
{
    static const struct {
        segrt_kind kind;
        const char *file;
    } files[] = { { SEGRT_CONTACTS, "contacts.csv" }, { SEGRT_EVENTS, "events.csv" },
                  { SEGRT_CONSENTS, "consents.csv" } };
    for (size_t i = 0; i < 3; i++) {
        char path[4096];
        segrt_import_report rep;
        snprintf(path, sizeof path, "%s/%s", tmp, files[i].file);
        int rc = segrt_import_file(s, files[i].kind, path, NULL, &rep);
        if (rc != SEGRT_OK)
            return cli_fail(c, s, rc);
        if (rep.rejected) {
            cli_error(c, "%s: %llu generated rows were rejected", files[i].file,
                      (unsigned long long)rep.rejected);
            return EXIT_FAIL;
        }
        remove_in(tmp, files[i].file);
    }
    return EXIT_OK;
}

typedef struct report {
    uint64_t total;
} report;

static int print_share(void *ud, const char *name, uint64_t n)
{
    const report *r = ud;
    printf("  %-20s %9llu  %5.1f%%\n", name, (unsigned long long)n,
           r->total ? 100.0 * (double)n / (double)r->total : 0.0);
    return 0;
}

static int print_consent(void *ud, const char *purpose, uint64_t with_record, uint64_t granted)
{
    (void)ud;
    printf("  %-20s %9llu  of %llu with a record (%.1f%%)\n", purpose,
           (unsigned long long)granted, (unsigned long long)with_record,
           with_record ? 100.0 * (double)granted / (double)with_record : 0.0);
    return 0;
}

/* One bundled pack: its segments and their sizes at NOW. */
static int print_pack(void *ud, const char *name, const char *summary)
{
    segrt_store *s = ud;
    segrt_stats st;
    segrt_script *sc = NULL;
    int rc = segrt_store_stats(s, &st);
    if (rc == SEGRT_OK)
        rc = segrt_script_load(s, name, &sc);
    printf("\n  %s: %s\n", name, summary);
    for (size_t i = 0; rc == SEGRT_OK && i < segrt_script_segment_count(sc); i++) {
        const char *seg = segrt_script_segment_name(sc, i);
        segrt_set *m = NULL;
        rc = segrt_segment_eval(sc, seg, &m);
        uint64_t n = segrt_set_count(m);
        if (rc == SEGRT_OK)
            printf("    %-34s %8llu  %5.1f%%\n", seg, (unsigned long long)n,
                   st.contacts ? 100.0 * (double)n / (double)st.contacts : 0.0);
        segrt_set_free(m);
    }
    segrt_script_free(sc);
    return rc;
}

static int print_report(const cli *c, segrt_store *s)
{
    segrt_stats st;
    int rc = segrt_store_stats(s, &st);
    char now[21];
    segrt_time_format(segrt_store_now(s), now);
    if (rc == SEGRT_OK) {
        printf("segrt demo: store %s\n  %llu contacts, %llu events, %llu consent records, "
               "%.1f MiB on disk; NOW = %s\n", c->db, (unsigned long long)st.contacts,
               (unsigned long long)st.events, (unsigned long long)st.consents,
               (double)st.store_bytes / (1 << 20), now);
        printf("\nContacts by country\n");
        report r = { st.contacts };
        rc = segrt_field_values_foreach(s, "country", print_share, &r);
        if (rc == SEGRT_OK) {
            printf("\nEvents by type\n");
            r.total = st.events;
            rc = segrt_event_types_foreach(s, print_share, &r);
        }
    }
    if (rc == SEGRT_OK) {
        printf("\nConsent in force by purpose (granted, not expired, at NOW)\n");
        rc = segrt_consent_summary_foreach(s, print_consent, NULL);
    }
    if (rc == SEGRT_OK) {
        printf("\nBundled segment packs (segrt run --db %s PACK stores them)\n", c->db);
        rc = segrt_bundled_packs_foreach(print_pack, s);
    }
    if (rc != SEGRT_OK)
        return cli_fail(c, s, rc);
    printf("\nTry: segrt repl --db %s    (then: F.region:eq \"mazowieckie\" & E.purchase:exists())\n"
           "     segrt show --db %s c0000001    segrt export --db %s c0000001\n"
           "     segrt report --db %s rfm_lifecycle --html report.html\n",
           c->db, c->db, c->db, c->db);
    return EXIT_OK;
}

/* --csv DIR: the data set as the three CSV files segrt import reads; no store. */
static int write_csv(const cli *c, const demo_args *a, int64_t now)
{
    char err[512], at[21];
    if (segrt_demo_write(a->csv, (uint32_t)a->contacts, a->seed, now, err, sizeof err) != SEGRT_OK) {
        cli_error(c, "%s", err);
        return EXIT_FAIL;
    }
    segrt_time_format(now, at);
    printf("wrote %s/contacts.csv, events.csv and consents.csv (%lu contacts, NOW = %s)\n"
           "The demo store is what this makes of them:\n"
           "  segrt import --db DIR --now %s --contacts %s/contacts.csv \\\n"
           "      --events %s/events.csv --consents %s/consents.csv\n",
           a->csv, a->contacts, at, at, a->csv, a->csv, a->csv);
    return EXIT_OK;
}

/* Make the demo store (its data first, in a temporary directory) and print the report. */
static int demo_run(cli *c, void *ud)
{
    const demo_args *a = ud;
    int64_t now = c->has_now ? c->now : (int64_t)time(NULL);
    if (a->csv)
        return write_csv(c, a, now);
    int rc = clear_old_demo(c);
    if (rc != EXIT_OK)
        return rc;
    char tmp[] = "/tmp/segrt-demo-XXXXXX", err[512];
    if (mkdtemp(tmp) == NULL) {
        cli_error(c, "cannot make a temporary directory: %s", strerror(errno));
        return EXIT_FAIL;
    }
    if (segrt_demo_write(tmp, (uint32_t)a->contacts, a->seed, now, err, sizeof err) != SEGRT_OK) {
        cli_error(c, "%s", err);
        rc = EXIT_FAIL;
    } else if ((c->s = cli_open(c, SEGRT_OPEN_CREATE)) == NULL) {
        rc = EXIT_FAIL;
    }
    if (rc == EXIT_OK) {
        segrt_store_set_now(c->s, now);
        rc = import_demo(c, c->s, tmp);
    }
    if (rc == EXIT_OK) {
        char marker[4096];
        snprintf(marker, sizeof marker, "%s/%s", c->db, DEMO_MARKER);
        FILE *f = fopen(marker, "w");
        if (f)
            fclose(f);
        rc = print_report(c, c->s);
    }
    for (const char *const *f = (const char *const[]){ "contacts.csv", "events.csv",
                                                       "consents.csv", NULL };
         *f; f++)
        remove_in(tmp, *f);
    rmdir(tmp);
    return rc;
}

int cmd_demo(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "demo", .usage = usage_text, .run = demo_run, .option = demo_option,
        .options = (const struct option[]){ CLI_OPTION("contacts", O_CONTACTS),
                                            CLI_OPTION("seed", O_SEED), CLI_OPTION("csv", O_CSV),
                                            { 0 } },
    };
    demo_args a = { .contacts = 20000, .seed = 42 };
    return cli_main(&cmd, argc, argv, &a);
}
