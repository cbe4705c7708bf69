/*
 * test_demo.c — segrt_demo_write(): the three CSV files, their headers and
 * column counts, ids, event order and time window, consent histories,
 * determinism by seed, and the I/O and argument errors.
 *
 * Uses: segrt.h only; the files are parsed here by splitting on ',' (the
 * demo never writes a quoted field, which the tests assert).
 */
#include "segrt.h"

#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define NOW INT64_C(1767225600) /* 2026-01-01T00:00:00Z */
#define DAY INT64_C(86400)
#define T0 (NOW - 1096 * DAY)   /* three years before NOW */
#define NCONTACTS 800
#define SEED 7
#define MAXCELLS 32

static const char *const contact_hdr =
    "id,email,first_name,last_name,gender,birth_date,marital_status,education,"
    "occupation,income,country,region,city,urban,lat,lon,language,status,loss_reason,"
    "last_contacted_at,plan,company_size,industry,interests,tags,created_at";
static const char *const event_hdr = "contact_id,ts,type,amount,category,channel";
static const char *const consent_hdr = "contact_id,purpose,status,legal_basis,ts,expires_at,source";

static char tmpdir[64];  /* removed by the group teardown */
static char demodir[128]; /* the data set most tests read */

/* ------------------------------------------------------------ helpers */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    char *p = malloc((size_t)n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    p[n] = '\0';
    *len = (size_t)n;
    return p;
}

/* A CSV file split into lines (header first), in place. */
typedef struct table {
    char *text;
    char **lines;
    size_t nlines;
} table;

static void table_load(table *t, const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len;
    t->text = slurp(path, &len);
    assert_true(len > 0);
    assert_int_equal(t->text[len - 1], '\n');
    assert_null(strchr(t->text, '\r'));
    assert_null(strchr(t->text, '"'));
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += t->text[i] == '\n';
    t->lines = malloc(n * sizeof *t->lines);
    assert_non_null(t->lines);
    t->nlines = 0;
    char *p = t->text;
    while (*p != '\0') {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        t->lines[t->nlines++] = p;
        p = nl + 1;
    }
}

static void table_free(table *t)
{
    free(t->lines);
    free(t->text);
}

/* Split a line on ',' in place; returns the number of cells. */
static size_t split(char *line, char **cells)
{
    size_t n = 0;
    cells[n++] = line;
    for (char *p = line; *p != '\0'; p++) {
        if (*p == ',') {
            *p = '\0';
            assert_true(n < MAXCELLS);
            cells[n++] = p + 1;
        }
    }
    return n;
}

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Strict YYYY-MM-DD (the first 10 bytes of s) to days; fails the test when malformed. */
static int64_t parse_date_n(const char *s)
{
    assert_true(digits(s, 4) && s[4] == '-' && digits(s + 5, 2) && s[7] == '-' &&
                digits(s + 8, 2));
    int m = num(s + 5, 2), d = num(s + 8, 2);
    assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
    return days_from_civil(num(s, 4), m, d);
}

static int64_t parse_date(const char *s)
{
    assert_int_equal(strlen(s), 10);
    return parse_date_n(s);
}

/* Strict YYYY-MM-DDTHH:MM:SSZ to unix seconds; fails the test when malformed. */
static int64_t parse_ts(const char *s)
{
    assert_int_equal(strlen(s), 20);
    assert_true(s[10] == 'T' && digits(s + 11, 2) && s[13] == ':' && digits(s + 14, 2) &&
                s[16] == ':' && digits(s + 17, 2) && s[19] == 'Z');
    int h = num(s + 11, 2), mi = num(s + 14, 2), se = num(s + 17, 2);
    assert_true(h <= 23 && mi <= 59 && se <= 59);
    return parse_date_n(s) * DAY + h * 3600 + mi * 60 + se;
}

static int one_of(const char *s, const char *const *set)
{
    for (size_t i = 0; set[i] != NULL; i++)
        if (strcmp(s, set[i]) == 0)
            return 1;
    return 0;
}

/* An amount with exactly two decimals, in cents; -1 when malformed. */
static int64_t parse_cents(const char *s)
{
    const char *dot = strchr(s, '.');
    if (dot == NULL || dot == s || strlen(dot) != 3 || !digits(s, (size_t)(dot - s)) ||
        !digits(dot + 1, 2))
        return -1;
    return strtoll(s, NULL, 10) * 100 + num(dot + 1, 2);
}

static int ordinal(const char *id)
{
    if (strlen(id) != 8 || id[0] != 'c' || !digits(id + 1, 7))
        return -1;
    return num(id + 1, 7);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void files_equal(const char *a, const char *b, const char *name, int expect_equal)
{
    char pa[256], pb[256];
    size_t la, lb;
    snprintf(pa, sizeof pa, "%s/%s", a, name);
    snprintf(pb, sizeof pb, "%s/%s", b, name);
    char *x = slurp(pa, &la), *y = slurp(pb, &lb);
    int same = la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    assert_int_equal(same, expect_equal);
}

/* ------------------------------------------------------------ fixture */

static int group_setup(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/test_demo.XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    snprintf(demodir, sizeof demodir, "%s/demo", tmpdir); /* made by the call */
    char err[256] = "";
    if (segrt_demo_write(demodir, NCONTACTS, SEED, NOW, err, sizeof err) != SEGRT_OK) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ------------------------------------------------------------ tests */

static void test_demo_writes_three_files_with_their_headers(void **state)
{
    (void)state;
    const char *names[] = { "contacts.csv", "events.csv", "consents.csv" };
    const char *hdrs[] = { contact_hdr, event_hdr, consent_hdr };
    for (size_t i = 0; i < 3; i++) {
        table t;
        table_load(&t, demodir, names[i]);
        assert_string_equal(t.lines[0], hdrs[i]);
        assert_true(t.nlines > 1);
        table_free(&t);
    }
}

static void test_demo_rows_have_as_many_cells_as_the_header(void **state)
{
    (void)state;
    const char *names[] = { "contacts.csv", "events.csv", "consents.csv" };
    const size_t ncells[] = { 26, 6, 7 };
    for (size_t i = 0; i < 3; i++) {
        table t;
        table_load(&t, demodir, names[i]);
        char *cells[MAXCELLS];
        for (size_t k = 0; k < t.nlines; k++)
            assert_int_equal(split(t.lines[k], cells), ncells[i]);
        table_free(&t);
    }
}

static void test_demo_contact_ids_are_unique_and_sorted(void **state)
{
    (void)state;
    table t;
    table_load(&t, demodir, "contacts.csv");
    assert_int_equal(t.nlines, NCONTACTS + 1);
    char *cells[MAXCELLS];
    const char *prev = "";
    for (size_t k = 1; k < t.nlines; k++) {
        split(t.lines[k], cells);
        assert_int_equal(ordinal(cells[0]), (int)k);
        assert_true(strcmp(prev, cells[0]) < 0);
        prev = cells[0];
    }
    table_free(&t);
}

static void test_demo_contacts_have_valid_values(void **state)
{
    (void)state;
    static const char *const countries[] = { "RO", "PL", "BG", NULL };
    static const char *const languages[] = { "ro", "pl", "bg", "hu", "en", NULL };
    static const char *const genders[] = { "f", "m", "x", NULL };
    static const char *const statuses[] = { "lead", "opportunity", "customer", "lost", NULL };
    static const char *const plans[] = { "none", "trial", "basic", "pro", NULL };
    table t;
    table_load(&t, demodir, "contacts.csv");
    char *c[MAXCELLS];
    size_t b2b = 0, cyrillic = 0;
    for (size_t k = 1; k < t.nlines; k++) {
        split(t.lines[k], c);
        assert_non_null(strchr(c[1], '@'));
        assert_true(c[2][0] != '\0' && c[3][0] != '\0');
        cyrillic += (unsigned char)c[2][0] == 0xD0; /* U+0400..U+043F */
        assert_true(one_of(c[4], genders));
        int64_t birth = parse_date(c[5]);
        assert_true(NOW / DAY - birth >= 18 * 365 && NOW / DAY - birth <= 86 * 365);
        assert_true(digits(c[9], strlen(c[9])) && c[9][0] != '\0');
        assert_true(one_of(c[10], countries));
        double lat = atof(c[14]), lon = atof(c[15]);
        assert_true(lat > 40.0 && lat < 56.0 && lon > 12.0 && lon < 31.0);
        assert_true(one_of(c[16], languages));
        assert_true(one_of(c[17], statuses));
        assert_int_equal(strcmp(c[17], "lost") == 0, c[18][0] != '\0');
        int64_t contacted = parse_ts(c[19]), created = parse_ts(c[25]);
        assert_true(created >= T0 && created < NOW);
        assert_true(contacted >= created && contacted < NOW);
        assert_true(one_of(c[20], plans));
        assert_int_equal(c[21][0] != '\0', c[22][0] != '\0');
        b2b += c[21][0] != '\0';
    }
    /* about 40% firmographic; some Bulgarian names in Cyrillic */
    assert_true(b2b > NCONTACTS / 4 && b2b < NCONTACTS / 2 + NCONTACTS / 10);
    assert_true(cyrillic > 0);
    table_free(&t);
}

/* Plans by contact ordinal, to check that logins come from plan users. */
static char *load_plans(void)
{
    table t;
    table_load(&t, demodir, "contacts.csv");
    char *plan = calloc(NCONTACTS + 1, 1);
    assert_non_null(plan);
    char *c[MAXCELLS];
    for (size_t k = 1; k < t.nlines; k++) {
        split(t.lines[k], c);
        plan[k] = strcmp(c[20], "none") != 0;
    }
    table_free(&t);
    return plan;
}

static void test_demo_events_are_sorted_per_contact_within_three_years(void **state)
{
    (void)state;
    static const char *const types[] = { "purchase", "email_open", "email_click", "page_view",
                                         "login", "class_attended", "card_scan", NULL };
    char *has_plan = load_plans();
    table t;
    table_load(&t, demodir, "events.csv");
    char *c[MAXCELLS];
    int prev_contact = 0;
    int64_t prev_ts = 0;
    char seen[128] = "";  /* types seen at prev_ts for prev_contact */
    size_t recent30 = 0, recent90 = 0;
    for (size_t k = 1; k < t.nlines; k++) {
        split(t.lines[k], c);
        int who = ordinal(c[0]);
        assert_true(who >= 1 && who <= NCONTACTS);
        assert_true(who >= prev_contact);
        int64_t ts = parse_ts(c[1]);
        assert_true(ts >= T0 && ts < NOW);
        assert_true(one_of(c[2], types));
        if (who == prev_contact)
            assert_true(ts >= prev_ts);
        if (who != prev_contact || ts != prev_ts)
            seen[0] = '\0';
        /* no (ts, type) twice for one contact */
        char key[32];
        snprintf(key, sizeof key, "|%s|", c[2]);
        assert_null(strstr(seen, key));
        assert_true(strlen(seen) + strlen(key) < sizeof seen);
        strcat(seen, key);
        if (strcmp(c[2], "purchase") == 0) {
            assert_true(parse_cents(c[3]) > 0);
            assert_true(c[4][0] != '\0');
        } else {
            assert_string_equal(c[3], "");
        }
        if (strcmp(c[2], "login") == 0)
            assert_true(has_plan[who]);
        assert_true(c[5][0] != '\0');
        recent30 += ts >= NOW - 30 * DAY;
        recent90 += ts >= NOW - 90 * DAY;
        prev_contact = who;
        prev_ts = ts;
    }
    assert_true(recent30 > 0);
    assert_true(recent90 > recent30);
    table_free(&t);
    free(has_plan);
}

static void test_demo_has_high_spenders(void **state)
{
    (void)state;
    int64_t *total = calloc(NCONTACTS + 1, sizeof *total);
    assert_non_null(total);
    table t;
    table_load(&t, demodir, "events.csv");
    char *c[MAXCELLS];
    for (size_t k = 1; k < t.nlines; k++) {
        split(t.lines[k], c);
        if (strcmp(c[2], "purchase") == 0)
            total[ordinal(c[0])] += parse_cents(c[3]);
    }
    size_t vips = 0;
    for (size_t i = 1; i <= NCONTACTS; i++)
        vips += total[i] > 500000;
    assert_true(vips > 0);
    assert_true(vips < NCONTACTS / 10);
    table_free(&t);
    free(total);
}

static void test_demo_consents_are_valid_histories(void **state)
{
    (void)state;
    static const char *const purposes[] = { "email_marketing", "sms_marketing", "profiling",
                                            "personalization", NULL };
    static const char *const statuses[] = { "granted", "withdrawn", "denied", NULL };
    static const char *const bases[] = { "consent", "legitimate_interest", "contract", NULL };
    static const char *const sources[] = { "web_form", "import", "sales_call", NULL };
    table t;
    table_load(&t, demodir, "consents.csv");
    char *c[MAXCELLS];
    int prev_contact = 0;
    char prev_purpose[32] = "";
    int64_t prev_ts = 0;
    size_t histories = 0, withdrawn = 0, expiring = 0;
    for (size_t k = 1; k < t.nlines; k++) {
        split(t.lines[k], c);
        int who = ordinal(c[0]);
        assert_true(who >= 1 && who <= NCONTACTS && who >= prev_contact);
        assert_true(one_of(c[1], purposes));
        assert_true(one_of(c[2], statuses));
        assert_true(one_of(c[3], bases));
        int64_t ts = parse_ts(c[4]);
        assert_true(ts >= T0 && ts < NOW);
        if (c[5][0] != '\0') {
            assert_true(parse_ts(c[5]) > ts);
            assert_string_equal(c[2], "granted");
            expiring++;
        }
        assert_true(one_of(c[6], sources));
        if (who == prev_contact && strcmp(c[1], prev_purpose) == 0) {
            assert_true(ts > prev_ts); /* a history is strictly increasing */
            histories++;
        }
        withdrawn += strcmp(c[2], "withdrawn") == 0;
        prev_contact = who;
        snprintf(prev_purpose, sizeof prev_purpose, "%s", c[1]);
        prev_ts = ts;
    }
    assert_true(histories > 0 && withdrawn > 0 && expiring > 0);
    table_free(&t);
}

static void test_demo_same_seed_gives_identical_files(void **state)
{
    (void)state;
    char again[160];
    snprintf(again, sizeof again, "%s/again", tmpdir);
    assert_int_equal(segrt_demo_write(again, NCONTACTS, SEED, NOW, NULL, 0), SEGRT_OK);
    files_equal(demodir, again, "contacts.csv", 1);
    files_equal(demodir, again, "events.csv", 1);
    files_equal(demodir, again, "consents.csv", 1);
}

static void test_demo_different_seed_gives_different_files(void **state)
{
    (void)state;
    char other[160];
    snprintf(other, sizeof other, "%s/other", tmpdir);
    assert_int_equal(segrt_demo_write(other, NCONTACTS, SEED + 1, NOW, NULL, 0), SEGRT_OK);
    files_equal(demodir, other, "contacts.csv", 0);
    files_equal(demodir, other, "events.csv", 0);
    files_equal(demodir, other, "consents.csv", 0);
}

static void test_demo_zero_contacts_writes_only_headers(void **state)
{
    (void)state;
    char empty[160];
    snprintf(empty, sizeof empty, "%s/empty/", tmpdir); /* a trailing slash is fine */
    assert_int_equal(segrt_demo_write(empty, 0, SEED, NOW, NULL, 0), SEGRT_OK);
    table t;
    table_load(&t, empty, "events.csv");
    assert_int_equal(t.nlines, 1);
    assert_string_equal(t.lines[0], event_hdr);
    table_free(&t);
}

static void test_demo_unwritable_file_fails_with_eio(void **state)
{
    (void)state;
    char dir[160], blocker[200], err[512] = "";
    snprintf(dir, sizeof dir, "%s/blocked", tmpdir);
    snprintf(blocker, sizeof blocker, "%s/contacts.csv", dir);
    assert_int_equal(mkdir(dir, 0777), 0);
    assert_int_equal(mkdir(blocker, 0777), 0); /* a directory where the file goes */
    assert_int_equal(segrt_demo_write(dir, 10, SEED, NOW, err, sizeof err), SEGRT_EIO);
    char want[512];
    snprintf(want, sizeof want, "demo: cannot write %s: %s", blocker, strerror(EISDIR));
    assert_string_equal(err, want);
}

/* A full disk: the buffered writes fail at flush or fclose. */
static void test_demo_full_disk_fails_with_eio(void **state)
{
    (void)state;
    if (access("/dev/full", W_OK) != 0)
        skip();
    char dir[160], link[200], err[512] = "";
    snprintf(dir, sizeof dir, "%s/full", tmpdir);
    snprintf(link, sizeof link, "%s/events.csv", dir);
    assert_int_equal(mkdir(dir, 0777), 0);
    assert_int_equal(symlink("/dev/full", link), 0);
    assert_int_equal(segrt_demo_write(dir, 50, SEED, NOW, err, sizeof err), SEGRT_EIO);
    char want[512];
    snprintf(want, sizeof want, "demo: cannot write %s: %s", link, strerror(ENOSPC));
    assert_string_equal(err, want);
}

static void test_demo_directory_below_a_file_fails_with_eio(void **state)
{
    (void)state;
    char file[160], dir[200], err[512] = "";
    snprintf(file, sizeof file, "%s/plain", tmpdir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(dir, sizeof dir, "%s/sub", file);
    assert_int_equal(segrt_demo_write(dir, 10, SEED, NOW, err, sizeof err), SEGRT_EIO);
    assert_non_null(strstr(err, "demo: cannot create directory"));
    assert_non_null(strstr(err, strerror(ENOTDIR)));
}

static void test_demo_rejects_invalid_arguments(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(segrt_demo_write(NULL, 10, SEED, NOW, err, sizeof err), SEGRT_EINVAL);
    assert_true(strncmp(err, "demo: ", 6) == 0);
    assert_int_equal(segrt_demo_write("", 10, SEED, NOW, NULL, 0), SEGRT_EINVAL);
    err[0] = '\0';
    assert_int_equal(segrt_demo_write(tmpdir, 10000000, SEED, NOW, err, sizeof err),
                     SEGRT_EINVAL);
    assert_true(strncmp(err, "demo: ", 6) == 0);
    assert_int_equal(segrt_demo_write(tmpdir, 10, SEED, 0, NULL, 0), SEGRT_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_writes_three_files_with_their_headers),
        cmocka_unit_test(test_demo_rows_have_as_many_cells_as_the_header),
        cmocka_unit_test(test_demo_contact_ids_are_unique_and_sorted),
        cmocka_unit_test(test_demo_contacts_have_valid_values),
        cmocka_unit_test(test_demo_events_are_sorted_per_contact_within_three_years),
        cmocka_unit_test(test_demo_has_high_spenders),
        cmocka_unit_test(test_demo_consents_are_valid_histories),
        cmocka_unit_test(test_demo_same_seed_gives_identical_files),
        cmocka_unit_test(test_demo_different_seed_gives_different_files),
        cmocka_unit_test(test_demo_zero_contacts_writes_only_headers),
        cmocka_unit_test(test_demo_unwritable_file_fails_with_eio),
        cmocka_unit_test(test_demo_full_disk_fails_with_eio),
        cmocka_unit_test(test_demo_directory_below_a_file_fails_with_eio),
        cmocka_unit_test(test_demo_rejects_invalid_arguments),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
