/*
 * test_store.c — the store handle through the public API (segrt.h): create,
 * reopen, read-only opens, what is not a store (missing, empty, garbage, an
 * unknown format; formats 3 and 4 read and marked 5 by a write, format 4's
 * fixed timelines and consent histories read and written compact), error names and messages, time and type helpers, field
 * declarations, NOW, and the counts of an empty store.
 *
 * Uses: cmocka, segrt.h, test_util.h (temporary directories and stores).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "segrt.h"
#include "store/consent.h"
#include "store/event.h"
#include "store/store.h"
#include "test_util.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ helpers */

/* Open dir with flags, expecting code; the message goes to err. */
static void assert_open_fails(const char *dir, unsigned flags, int code, char *err, size_t n)
{
    segrt_store *s = (segrt_store *)&s; /* not NULL: the call must clear it */
    err[0] = '\0';
    int rc = segrt_store_open(dir, flags, &s, err, n);
    if (rc != code)
        fail_msg("open %s: %s (%s), expected %s", dir, segrt_errname(rc), err,
                 segrt_errname(code));
    assert_null(s);
    assert_true(err[0] != '\0');
}

static int exists(const char *dir, const char *name)
{
    char path[TU_PATH_MAX];
    struct stat st;
    return stat(tu_path(path, dir, name), &st) == 0;
}

/* Replace every occurrence of key followed by old[0..n) in file with new. */
static size_t patch_file(const char *file, const char *key, const void *old, const void *new,
                         size_t n)
{
    FILE *f = fopen(file, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size > 0);
    unsigned char *p = malloc((size_t)size);
    assert_non_null(p);
    rewind(f);
    assert_int_equal(fread(p, 1, (size_t)size, f), (size_t)size);
    size_t k = strlen(key), hits = 0;
    for (size_t i = 0; i + k + n <= (size_t)size; i++) {
        if (memcmp(p + i, key, k) == 0 && memcmp(p + i + k, old, n) == 0) {
            memcpy(p + i + k, new, n);
            hits++;
        }
    }
    rewind(f);
    assert_int_equal(fwrite(p, 1, (size_t)size, f), (size_t)size);
    assert_int_equal(fclose(f), 0);
    free(p);
    return hits;
}

typedef struct field_seen {
    size_t n;
    char name[8][72];
    segrt_type type[8];
    uint64_t present[8];
} field_seen;

static int on_field(void *ud, const char *name, segrt_type type, uint64_t present)
{
    field_seen *fs = ud;
    if (fs->n < 8) {
        snprintf(fs->name[fs->n], sizeof fs->name[fs->n], "%s", name);
        fs->type[fs->n] = type;
        fs->present[fs->n] = present;
    }
    fs->n++;
    return 0;
}

static field_seen fields_of(segrt_store *s)
{
    field_seen fs = { 0 };
    assert_int_equal(segrt_fields_foreach(s, on_field, &fs), SEGRT_OK);
    return fs;
}

static int count_type(void *ud, const char *type, uint64_t n)
{
    (void)type;
    (void)n;
    (*(int *)ud)++;
    return 0;
}

static int count_purpose(void *ud, const char *purpose, uint64_t with, uint64_t granted)
{
    (void)purpose;
    (void)with;
    (void)granted;
    (*(int *)ud)++;
    return 0;
}

static int count_audit(void *ud, const segrt_audit_entry *e)
{
    (void)e;
    (*(int *)ud)++;
    return 0;
}

/* ------------------------------------------------------------ opening */

static void test_store_open_creates_a_store_and_reopens_it(void **state)
{
    tu_fixture *f = *state;
    assert_true(exists(f->store, "data.mdb"));
    assert_int_equal(segrt_field_declare(f->s, "loyalty", SEGRT_T_INTEGER), SEGRT_OK);
    segrt_store_close(f->s);
    tu_open(f, 0);
    field_seen fs = fields_of(f->s);
    assert_int_equal(fs.n, 1);
    assert_string_equal(fs.name[0], "loyalty");
    segrt_store_close(f->s);
    tu_open(f, SEGRT_OPEN_READONLY);
    assert_int_equal(fields_of(f->s).type[0], SEGRT_T_INTEGER);
    segrt_store_close(f->s);
    tu_open(f, SEGRT_OPEN_CREATE); /* CREATE on an existing store opens it */
    assert_int_equal(fields_of(f->s).n, 1);
}

static void test_store_open_create_reports_a_directory_it_cannot_make(void **state)
{
    tu_fixture *f = *state;
    char file[TU_PATH_MAX], dir[TU_PATH_MAX], err[512];
    tu_write(file, f->dir, "plain.txt", "not a directory\n");
    tu_path(dir, file, "db");
    assert_open_fails(dir, SEGRT_OPEN_CREATE, SEGRT_EIO, err, sizeof err);
    assert_non_null(strstr(err, dir));
}

static void test_store_open_readonly_of_a_missing_store_fails_with_not_found(void **state)
{
    tu_fixture *f = *state;
    char dir[TU_PATH_MAX], err[512];
    tu_path(dir, f->dir, "missing");
    assert_open_fails(dir, SEGRT_OPEN_READONLY, SEGRT_ENOTFOUND, err, sizeof err);
    assert_non_null(strstr(err, dir));
    assert_non_null(strstr(err, "no store"));
    assert_open_fails(dir, 0, SEGRT_ENOTFOUND, err, sizeof err);
    assert_false(exists(f->dir, "missing"));
    assert_int_equal(mkdir(dir, 0777), 0); /* an empty directory is no store either */
    assert_open_fails(dir, SEGRT_OPEN_READONLY, SEGRT_ENOTFOUND, err, sizeof err);
    assert_non_null(strstr(err, "no store"));
}

static void test_store_open_without_create_leaves_an_empty_directory_alone(void **state)
{
    tu_fixture *f = *state;
    char dir[TU_PATH_MAX], err[512];
    tu_path(dir, f->dir, "empty");
    assert_int_equal(mkdir(dir, 0777), 0);
    segrt_store *s = NULL;
    int rc = segrt_store_open(dir, 0, &s, err, sizeof err);
    segrt_store_close(s);
    if (rc != SEGRT_ENOTFOUND)
        fail_msg("open without SEGRT_OPEN_CREATE of an empty directory: %s, expected "
                 "SEGRT_ENOTFOUND; data.mdb %s", segrt_errname(rc),
                 exists(dir, "data.mdb") ? "was created" : "absent");
    assert_false(exists(dir, "data.mdb"));
}

static void test_store_open_rejects_a_directory_that_is_not_a_store(void **state)
{
    tu_fixture *f = *state;
    char dir[TU_PATH_MAX], path[TU_PATH_MAX], err[512];
    tu_path(dir, f->dir, "garbage");
    assert_int_equal(mkdir(dir, 0777), 0);
    char *junk = malloc(65536 + 1);
    assert_non_null(junk);
    memset(junk, 'x', 65536);
    junk[65536] = '\0';
    tu_write(path, dir, "data.mdb", junk);
    free(junk);
    assert_open_fails(dir, SEGRT_OPEN_READONLY, SEGRT_ECORRUPT, err, sizeof err);
    assert_open_fails(dir, 0, SEGRT_ECORRUPT, err, sizeof err);
    assert_open_fails(dir, SEGRT_OPEN_CREATE, SEGRT_ECORRUPT, err, sizeof err);
}

static void test_store_open_rejects_an_unknown_format(void **state)
{
    tu_fixture *f = *state;
    char data[TU_PATH_MAX], err[512];
    segrt_store_close(f->s);
    f->s = NULL;
    /* the current format (STORE_FORMAT) and one no version of segrt wrote */
    static const unsigned char cur[4] = { STORE_FORMAT, 0, 0, 0 }, bad[4] = { 99, 0, 0, 0 };
    assert_true(patch_file(tu_path(data, f->store, "data.mdb"), "format", cur, bad, 4) >= 1);
    assert_open_fails(f->store, 0, SEGRT_ECORRUPT, err, sizeof err);
    assert_non_null(strstr(err, "format 99"));
    assert_open_fails(f->store, SEGRT_OPEN_READONLY, SEGRT_ECORRUPT, err, sizeof err);
    patch_file(data, "format", bad, cur, 4);
    tu_open(f, SEGRT_OPEN_READONLY);
}

static void test_store_open_reads_formats_3_and_4_and_marks_them_5_when_writing(void **state)
{
    tu_fixture *f = *state;
    char data[TU_PATH_MAX];
    tu_path(data, f->store, "data.mdb");
    segrt_store_close(f->s);
    f->s = NULL;
    /* format 3: every numeric chunk wide; 4: timelines in fixed records; 5 reads both */
    static const unsigned char five[4] = { 5, 0, 0, 0 };
    assert_int_equal(STORE_FORMAT, 5);
    for (unsigned char old = 3; old <= 4; old++) {
        const unsigned char was[4] = { old, 0, 0, 0 };
        assert_true(patch_file(data, "format", five, was, 4) >= 1);
        tu_open(f, SEGRT_OPEN_READONLY);
        segrt_store_close(f->s);
        f->s = NULL;
        assert_int_equal(patch_file(data, "format", five, five, 4), 0); /* a reader leaves it */
        tu_open(f, 0);
        segrt_store_close(f->s);
        f->s = NULL;
        /* a new record (the old page may linger among the free ones) */
        assert_true(patch_file(data, "format", five, five, 4) >= 1);
        patch_file(data, "format", was, five, 4); /* the old record on a free page */
    }
    tu_open(f, SEGRT_OPEN_READONLY);
}

/* The fixed value format 4 wrote: a count, then count records of size bytes, then tail. */
static void put_fixed(MDB_txn *txn, MDB_dbi dbi, uint32_t ord, uint32_t heaplen_or_none,
                      const void *recs, size_t n, size_t size, const buf *tail)
{
    uint32_t n32 = (uint32_t)n;
    buf fixed = { 0 };
    assert_int_equal(buf_put(&fixed, &n32, 4), 0);
    if (tail)
        assert_int_equal(buf_put(&fixed, &heaplen_or_none, 4), 0);
    assert_int_equal(buf_put(&fixed, recs, n * size), 0);
    if (tail)
        assert_int_equal(buf_put(&fixed, tail->p, tail->len), 0);
    MDB_val k = { sizeof ord, &ord }, v = { fixed.len, fixed.p };
    assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
    buf_free(&fixed);
}

/*
 * Rewrite the timelines and consent histories of contacts 0..n-1 of s in
 * the fixed records format 4 wrote, and mark the store format 4.
 */
static void write_format_4(segrt_store *s, uint32_t n)
{
    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(s->env, NULL, 0, &txn), 0);
    for (uint32_t ord = 0; ord < n; ord++) {
        MDB_val k = { sizeof ord, &ord }, v;
        event_list l = { 0 };
        if (mdb_get(txn, s->dbi[DB_EVENTS], &k, &v) == 0) {
            assert_int_equal(event_list_decode(&l, v.mv_data, v.mv_size), 0);
            put_fixed(txn, s->dbi[DB_EVENTS], ord, (uint32_t)l.heap.len, l.recs, l.n,
                      sizeof *l.recs, &l.heap);
        }
        consent_list cs = { 0 };
        if (mdb_get(txn, s->dbi[DB_CONSENTS], &k, &v) == 0) {
            assert_int_equal(consent_list_decode(&cs, v.mv_data, v.mv_size), 0);
            put_fixed(txn, s->dbi[DB_CONSENTS], ord, 0, cs.recs, cs.n, sizeof *cs.recs, NULL);
        }
        event_list_free(&l);
        consent_list_free(&cs);
    }
    static const uint32_t four = 4;
    MDB_val fk = { 6, (void *)"format" }, fv = { 4, (void *)&four };
    assert_int_equal(mdb_put(txn, s->dbi[DB_META], &fk, &fv, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
}

/* Whether contact ord's stored value in table db (timelines, consents) is compact. */
static int is_compact(segrt_store *s, int db, uint32_t ord)
{
    MDB_txn *txn;
    MDB_val k = { sizeof ord, &ord }, v;
    uint32_t n;
    assert_int_equal(mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(mdb_get(txn, s->dbi[db], &k, &v), 0);
    memcpy(&n, v.mv_data, 4);
    mdb_txn_abort(txn);
    return (n & 0x80000000u) != 0; /* the count's top bit (event_blob.h, consent.h) */
}

static void test_store_reads_format_4_values_and_writes_them_compact(void **state)
{
    tu_fixture *f = *state;
    tu_seg_data(f, "id,email\nc1,a@x.io\nc2,b@x.io\nc3,c@x.io\n",
                "contact_id,ts,type,amount,category,channel,event_id,coupon\n"
                "c1,2025-01-01T00:00:00Z,purchase,10.50,shoes,web,,SPRING\n"
                "c1,2025-03-01T00:00:00Z,purchase,3.333333,,,e7,\n"
                "c2,2024-12-31T23:59:59Z,visit,,,app,,\n"
                "c3,2025-02-01T00:00:00Z,purchase,99,books,,,\n",
                "contact_id,purpose,status,legal_basis,ts,expires_at,source\n"
                "c1,email_marketing,granted,consent,2024-01-01T00:00:00Z,2026-01-01T00:00:00Z,web\n"
                "c1,email_marketing,withdrawn,consent,2024-06-01T00:00:00Z,,\n"
                "c2,profiling,denied,consent,2024-02-01T00:00:00Z,,app\n");
    json_t *before = tu_export(f->s, "c1");
    const char *bought = "E.purchase:exists()", *spent = "E.purchase:sum 'amount' :ge(13.833333)",
               *coupon = "E.purchase:where{ coupon = 'SPRING' }:exists()";
    tu_assert_where(f->s, bought, "c1 c3");
    write_format_4(f->s, 3);
    segrt_store_close(f->s);
    tu_open(f, SEGRT_OPEN_READONLY);
    assert_false(is_compact(f->s, DB_EVENTS, 0));
    assert_false(is_compact(f->s, DB_CONSENTS, 0));
    /* read as they are: the check rebuilds the projections from them */
    tu_assert_check_ok(f->s);
    tu_assert_where(f->s, bought, "c1 c3");
    tu_assert_where(f->s, spent, "c1 c3");
    tu_assert_where(f->s, "E.purchase:sum 'amount' :gt(13.833333)", "c3");
    tu_assert_where(f->s, coupon, "c1"); /* extra attributes: read from the timelines */
    segrt_store_close(f->s);
    tu_open(f, 0); /* (an export writes to the audit log) */
    json_t *fixed = tu_export(f->s, "c1");
    assert_true(json_equal(before, fixed));
    tu_seg_import(f, SEGRT_EVENTS, "contact_id,ts,type\nc2,2025-04-01T00:00:00Z,purchase\n");
    tu_seg_import(f, SEGRT_CONSENTS, "contact_id,purpose,status,legal_basis,ts\n"
                                     "c2,profiling,granted,consent,2025-01-01T00:00:00Z\n");
    assert_false(is_compact(f->s, DB_EVENTS, 0)); /* untouched */
    assert_false(is_compact(f->s, DB_CONSENTS, 0));
    assert_true(is_compact(f->s, DB_EVENTS, 1)); /* merged into and written again */
    assert_true(is_compact(f->s, DB_CONSENTS, 1));
    tu_assert_check_ok(f->s);
    tu_assert_counts(f->s, 3, 5, 4);
    json_t *c2 = tu_export(f->s, "c2"), *cs = json_object_get(c2, "consents");
    assert_int_equal(json_array_size(cs), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(cs, 0), "status")),
                        "denied");
    json_decref(c2);
    tu_assert_where(f->s, bought, "c1 c2 c3");
    tu_assert_where(f->s, coupon, "c1");
    json_t *after = tu_export(f->s, "c1");
    assert_true(json_equal(before, after));
    json_decref(before);
    json_decref(fixed);
    json_decref(after);
}

static void test_store_open_rejects_a_missing_directory_name(void **state)
{
    (void)state;
    char err[128];
    assert_open_fails("", SEGRT_OPEN_CREATE, SEGRT_EINVAL, err, sizeof err);
    assert_open_fails(NULL, SEGRT_OPEN_CREATE, SEGRT_EINVAL, err, sizeof err);
    segrt_store *s = NULL;
    assert_int_equal(segrt_store_open(NULL, 0, &s, NULL, 0), SEGRT_EINVAL); /* no errbuf */
    assert_null(s);
    segrt_store_close(NULL);
    assert_string_equal(segrt_errmsg(NULL), "no store");
}

/* ------------------------------------------------------------ errors */

static void test_store_errors_have_a_name_and_a_message_for_every_code(void **state)
{
    (void)state;
    static const struct {
        int code;
        const char *name, *msg;
    } codes[] = {
#define ROW_(name, code, msg) { code, "SEGRT_" #name, msg },
        SEGRT_ERRORS(ROW_)
#undef ROW_
    };
    assert_int_equal(ARRAY_LEN(codes), 11);
    for (size_t i = 0; i < ARRAY_LEN(codes); i++) {
        assert_string_equal(segrt_errname(codes[i].code), codes[i].name);
        assert_string_equal(segrt_strerror(codes[i].code), codes[i].msg);
        for (size_t j = 0; j < i; j++) /* names, messages and codes are distinct */
            assert_true(strcmp(segrt_strerror(codes[i].code), segrt_strerror(codes[j].code)) &&
                        codes[i].code != codes[j].code);
    }
    assert_int_equal(SEGRT_OK, 0);
    assert_string_equal(segrt_errname(SEGRT_ENOTFOUND), "SEGRT_ENOTFOUND");
    assert_string_equal(segrt_strerror(SEGRT_ENOTFOUND), "not found");
    assert_string_equal(segrt_strerror(SEGRT_EBADROW), "input row rejected");
    static const int unknown[] = { 1, -11, -1000, INT32_MIN, INT32_MAX };
    for (size_t i = 0; i < ARRAY_LEN(unknown); i++) {
        assert_string_equal(segrt_strerror(unknown[i]), "unknown error");
        assert_string_equal(segrt_errname(unknown[i]), "SEGRT_EUNKNOWN");
    }
}

/* ------------------------------------------------------------ time and types */

static void test_store_time_parse_and_format_round_trip(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t t;
    } cases[] = {
        { "1970-01-01T00:00:00Z", 0 },
        { "1969-12-31T23:59:59Z", -1 },
        { "2025-06-01T12:34:56Z", INT64_C(1748781296) },
        { "2024-02-29T23:59:59Z", INT64_C(1709251199) },
        { "0001-01-01T00:00:00Z", INT64_C(-62135596800) },
        { "9999-12-31T23:59:59Z", INT64_C(253402300799) },
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        int64_t t = 12345;
        char out[21];
        assert_int_equal(segrt_time_parse(cases[i].text, &t), SEGRT_OK);
        assert_true(t == cases[i].t);
        memset(out, '#', sizeof out);
        segrt_time_format(cases[i].t, out);
        assert_string_equal(out, cases[i].text);
    }
    int64_t t;
    assert_int_equal(segrt_time_parse("2025-06-01", &t), SEGRT_OK); /* a date is midnight */
    assert_true(t == INT64_C(1748736000));
}

static void test_store_time_parse_rejects_what_is_not_a_time(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "2025-06-01T12:34:56", "2025-06-01 12:34:56Z", "2025-06-01t12:34:56z",
        "2025-06-01T12:34:56+00:00", "2025-06-01T12:34:56.5Z", "2025-02-29T00:00:00Z",
        "2025-06-01T24:00:00Z", "2025-06-01T12:60:00Z", "2025-13-01", "2025-6-1",
        " 2025-06-01", "2025-06-01 ", "0000-01-01", "yesterday",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        int64_t t;
        if (segrt_time_parse(bad[i], &t) != SEGRT_EINVAL)
            fail_msg("\"%s\" parsed as a time", bad[i]);
    }
    int64_t t;
    assert_int_equal(segrt_time_parse(NULL, &t), SEGRT_EINVAL);
}

static void test_store_type_names_parse_and_print(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        segrt_type t;
    } types[] = {
        { "integer", SEGRT_T_INTEGER }, { "number", SEGRT_T_NUMBER },
        { "string", SEGRT_T_STRING },   { "boolean", SEGRT_T_BOOLEAN },
        { "date", SEGRT_T_DATE },       { "timestamp", SEGRT_T_TIMESTAMP },
        { "set", SEGRT_T_SET },
    };
    for (size_t i = 0; i < ARRAY_LEN(types); i++) {
        segrt_type t = 0;
        assert_string_equal(segrt_type_name(types[i].t), types[i].name);
        assert_int_equal(segrt_type_parse(types[i].name, &t), SEGRT_OK);
        assert_int_equal(t, types[i].t);
    }
    static const char *const bad[] = { "", "Integer", "int", "float", "sets", "string " };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        segrt_type t;
        assert_int_equal(segrt_type_parse(bad[i], &t), SEGRT_EINVAL);
    }
    assert_null(segrt_type_name((segrt_type)0));
    assert_null(segrt_type_name((segrt_type)(SEGRT_T_SET + 1)));
    assert_null(segrt_type_name((segrt_type)-1));
}

static void test_store_failed_parses_zero_their_output(void **state)
{
    (void)state;
    /* segrt.h: "outputs come last and are set to NULL/0 on failure". */
    int64_t t = 77;
    segrt_type type = SEGRT_T_SET;
    assert_int_equal(segrt_time_parse("not a time", &t), SEGRT_EINVAL);
    assert_int_equal(segrt_type_parse("not a type", &type), SEGRT_EINVAL);
    if (t != 0 || type != 0)
        fail_msg("after failing, segrt_time_parse left %lld and segrt_type_parse left %d",
                 (long long)t, (int)type);
}

/* ------------------------------------------------------------ fields */

static void test_store_field_declare_accepts_the_same_type_again(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(segrt_field_declare(f->s, "tier", SEGRT_T_STRING), SEGRT_OK);
    assert_int_equal(segrt_field_declare(f->s, "joined", SEGRT_T_DATE), SEGRT_OK);
    assert_int_equal(segrt_field_declare(f->s, "tier", SEGRT_T_STRING), SEGRT_OK);
    field_seen fs = fields_of(f->s);
    assert_int_equal(fs.n, 2);
    assert_string_equal(fs.name[0], "tier"); /* declaration order */
    assert_string_equal(fs.name[1], "joined");
    assert_int_equal(fs.type[1], SEGRT_T_DATE);
    assert_int_equal(fs.present[0], 0);
}

static void test_store_field_declare_with_another_type_is_a_schema_conflict(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(segrt_field_declare(f->s, "tier", SEGRT_T_STRING), SEGRT_OK);
    assert_int_equal(segrt_field_declare(f->s, "tier", SEGRT_T_INTEGER), SEGRT_ESCHEMA);
    assert_non_null(strstr(segrt_errmsg(f->s), "tier"));
    assert_non_null(strstr(segrt_errmsg(f->s), "string"));
    segrt_store_close(f->s); /* also after a reopen, from the stored schema */
    tu_open(f, 0);
    assert_int_equal(segrt_field_declare(f->s, "tier", SEGRT_T_SET), SEGRT_ESCHEMA);
    field_seen fs = fields_of(f->s);
    assert_int_equal(fs.n, 1);
    assert_int_equal(fs.type[0], SEGRT_T_STRING);
}

static void test_store_field_declare_rejects_bad_names_and_types(void **state)
{
    tu_fixture *f = *state;
    char longest[66];
    memset(longest, 'a', 64);
    longest[64] = '\0';
    static const char *const bad[] = { "", "1abc", "a-b", "a b", "ä", "a.b", "id;x" };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        if (segrt_field_declare(f->s, bad[i], SEGRT_T_STRING) != SEGRT_EINVAL)
            fail_msg("field name \"%s\" was not refused with SEGRT_EINVAL", bad[i]);
    }
    assert_int_equal(segrt_field_declare(f->s, NULL, SEGRT_T_STRING), SEGRT_EINVAL);
    assert_int_equal(segrt_field_declare(f->s, "ok", (segrt_type)0), SEGRT_EINVAL);
    assert_int_equal(segrt_field_declare(f->s, "ok", (segrt_type)(SEGRT_T_SET + 1)),
                     SEGRT_EINVAL);
    assert_int_equal(fields_of(f->s).n, 0);
    assert_int_equal(segrt_field_declare(f->s, longest, SEGRT_T_SET), SEGRT_OK);
    longest[64] = 'a';
    longest[65] = '\0';
    assert_int_equal(segrt_field_declare(f->s, longest, SEGRT_T_SET), SEGRT_EINVAL);
    assert_int_equal(segrt_field_declare(f->s, "_9", SEGRT_T_BOOLEAN), SEGRT_OK);
    assert_int_equal(fields_of(f->s).n, 2);
}

/* ------------------------------------------------------------ an empty store */

static void test_store_stats_of_an_empty_store_are_zero(void **state)
{
    tu_fixture *f = *state;
    segrt_stats st = tu_stats(f->s);
    assert_int_equal(st.contacts, 0);
    assert_int_equal(st.events, 0);
    assert_int_equal(st.consents, 0);
    assert_int_equal(st.audit, 0);
    assert_true(st.store_bytes > 0);
    assert_true(st.used_bytes > 0);
    assert_true(st.used_bytes + st.free_bytes <= st.store_bytes);
    int n = 0;
    assert_int_equal(segrt_event_types_foreach(f->s, count_type, &n), SEGRT_OK);
    assert_int_equal(segrt_consent_summary_foreach(f->s, count_purpose, &n), SEGRT_OK);
    assert_int_equal(segrt_audit_foreach(f->s, 0, count_audit, &n), SEGRT_OK);
    assert_int_equal(n, 0);
    assert_int_equal(fields_of(f->s).n, 0);
    assert_int_equal(segrt_field_values_foreach(f->s, "city", NULL, NULL), SEGRT_ENOTFOUND);
    tu_assert_check_ok(f->s);
}

static void test_store_now_defaults_to_the_wall_clock_and_can_be_set(void **state)
{
    tu_fixture *f = *state;
    int64_t wall = (int64_t)time(NULL);
    assert_true(llabs(segrt_store_now(f->s) - wall) <= 5);
    segrt_store_set_now(f->s, INT64_C(1748736000));
    assert_true(segrt_store_now(f->s) == INT64_C(1748736000));
    segrt_store_set_now(f->s, -1);
    assert_true(segrt_store_now(f->s) == -1);
}

static void test_store_readonly_handle_refuses_writes(void **state)
{
    tu_fixture *f = *state;
    char path[TU_PATH_MAX];
    tu_write(path, f->dir, "c.csv", "id,city\nc1,Iasi\n");
    segrt_store_close(f->s);
    tu_open(f, SEGRT_OPEN_READONLY);
    segrt_import_report rep = { .rows = 99 };
    assert_int_equal(segrt_import_file(f->s, SEGRT_CONTACTS, path, NULL, &rep), SEGRT_EINVAL);
    assert_non_null(strstr(segrt_errmsg(f->s), "read-only"));
    assert_int_equal(rep.rows, 0);
    assert_int_equal(segrt_contact_erase(f->s, "c1", "t"), SEGRT_EINVAL);
    assert_int_not_equal(segrt_field_declare(f->s, "tier", SEGRT_T_STRING), SEGRT_OK);
    assert_int_equal(fields_of(f->s).n, 0);
    assert_int_equal(tu_stats(f->s).contacts, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_store_open_creates_a_store_and_reopens_it),
        TU_STORE_TEST(test_store_open_create_reports_a_directory_it_cannot_make),
        TU_STORE_TEST(test_store_open_readonly_of_a_missing_store_fails_with_not_found),
        TU_STORE_TEST(test_store_open_without_create_leaves_an_empty_directory_alone),
        TU_STORE_TEST(test_store_open_rejects_a_directory_that_is_not_a_store),
        TU_STORE_TEST(test_store_open_rejects_an_unknown_format),
        TU_STORE_TEST(test_store_open_reads_formats_3_and_4_and_marks_them_5_when_writing),
        TU_STORE_TEST(test_store_reads_format_4_values_and_writes_them_compact),
        cmocka_unit_test(test_store_open_rejects_a_missing_directory_name),
        cmocka_unit_test(test_store_errors_have_a_name_and_a_message_for_every_code),
        cmocka_unit_test(test_store_time_parse_and_format_round_trip),
        cmocka_unit_test(test_store_time_parse_rejects_what_is_not_a_time),
        cmocka_unit_test(test_store_type_names_parse_and_print),
        cmocka_unit_test(test_store_failed_parses_zero_their_output),
        TU_STORE_TEST(test_store_field_declare_accepts_the_same_type_again),
        TU_STORE_TEST(test_store_field_declare_with_another_type_is_a_schema_conflict),
        TU_STORE_TEST(test_store_field_declare_rejects_bad_names_and_types),
        TU_STORE_TEST(test_store_stats_of_an_empty_store_are_zero),
        TU_STORE_TEST(test_store_now_defaults_to_the_wall_clock_and_can_be_set),
        TU_STORE_TEST(test_store_readonly_handle_refuses_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
