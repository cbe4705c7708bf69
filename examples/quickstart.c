/*
 * quickstart.c — a host program using libsegrt through its public header only:
 * make a store, generate and import demo data, print the counts, and export
 * one contact as JSON.
 *
 * Build against an installed segrt:
 *   cc quickstart.c $(pkg-config --cflags --libs segrt) -o quickstart
 * Run: ./quickstart WORK_DIR   (writes CSV files to WORK_DIR/data, the store to WORK_DIR/store)
 */
#include <segrt.h>

#include <stdio.h>

static void report_reject(void *ud, const char *file, uint64_t line, const char *reason)
{
    (void)ud;
    fprintf(stderr, "%s:%llu: %s\n", file, (unsigned long long)line, reason);
}

static int import_all(segrt_store *s, const char *data)
{
    static const struct {
        segrt_kind kind;
        const char *name;
    } files[] = { { SEGRT_CONTACTS, "contacts.csv" }, { SEGRT_EVENTS, "events.csv" },
                  { SEGRT_CONSENTS, "consents.csv" } };
    segrt_import_opts opts = { .on_reject = report_reject };
    for (int i = 0; i < 3; i++) {
        char path[8192];
        segrt_import_report rep;
        snprintf(path, sizeof path, "%s/%s", data, files[i].name);
        int rc = segrt_import_file(s, files[i].kind, path, &opts, &rep);
        if (rc != SEGRT_OK) {
            fprintf(stderr, "import %s: %s\n", path, segrt_errmsg(s));
            return rc;
        }
        printf("%s: %llu rows, %llu rejected\n", files[i].name, (unsigned long long)rep.rows,
               (unsigned long long)rep.rejected);
    }
    return SEGRT_OK;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s WORK_DIR\n", argv[0]);
        return 2;
    }
    char data[4096], store[4096], err[512];
    int64_t now;
    snprintf(data, sizeof data, "%s/data", argv[1]);
    snprintf(store, sizeof store, "%s/store", argv[1]);
    segrt_time_parse("2026-01-01T00:00:00Z", &now);
    if (segrt_demo_write(data, 200, 7, now, err, sizeof err) != SEGRT_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    segrt_store *s;
    int rc = segrt_store_open(store, SEGRT_OPEN_CREATE, &s, err, sizeof err);
    if (rc != SEGRT_OK) {
        fprintf(stderr, "open: %s (%s)\n", err, segrt_errname(rc));
        return 1;
    }
    segrt_store_set_now(s, now);
    segrt_stats st;
    char *json = NULL;
    rc = import_all(s, data);
    if (rc == SEGRT_OK)
        rc = segrt_store_stats(s, &st);
    if (rc == SEGRT_OK) {
        printf("contacts %llu, events %llu, consents %llu\n", (unsigned long long)st.contacts,
               (unsigned long long)st.events, (unsigned long long)st.consents);
        rc = segrt_contact_export(s, "c0000001", "embed-example", &json);
    }
    if (rc == SEGRT_OK)
        printf("%s\n", json);
    else
        fprintf(stderr, "%s: %s\n", segrt_strerror(rc), segrt_errmsg(s));
    segrt_free(json);
    segrt_store_close(s);
    return rc == SEGRT_OK ? 0 : 1;
}
