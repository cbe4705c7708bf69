/*
 * test_import_prep.c — a CSV's rows read ahead in the reading thread
 * (core/import/import_prep.c: typed cells read, the id and e-mail hashed,
 * index slots prefetched) import exactly as the same rows read one at a
 * time: the same rows as JSON lines, which no thread reads ahead, give the
 * same report, the same reasons in the same order, and a store whose dump is
 * byte for byte the same.
 *
 * The rows are many (several of the thread's blocks of 4,096), and mix what
 * the thread must hand over or leave to the importing thread: values it
 * reads, values it cannot (rejected, or local forms rewritten), e-mails with
 * blanks and capitals (the dictionary keeps them trimmed, the e-mail index
 * normalised), duplicate e-mails, ids seen before (upserts) and unknown ones.
 *
 * Uses: cmocka, segrt.h (segrt_dump), test_util.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "segrt.h"
#include "test_util.h"

#define CONTACTS 20000
#define EVENTS 30000
#define CLEAN_ROWS 1000 /* the first rows are all valid: CSV and JSON lines type columns alike */

typedef struct text {
    char *p;
    size_t n, cap;
} text;

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(t->p ? t->p + t->n : NULL, t->p ? t->cap - t->n : 0, fmt, ap);
        va_end(ap);
        assert_true(n >= 0);
        if (t->p && (size_t)n < t->cap - t->n) {
            t->n += (size_t)n;
            return;
        }
        t->cap = t->cap * 2 + (size_t)n + 4096;
        t->p = realloc(t->p, t->cap);
        assert_non_null(t->p);
    }
}

/* One contact row's values, as text (CSV and JSON lines alike: none needs quoting). */
typedef struct contact_row {
    char id[16], email[64], birth[16], income[16], created[32], city[16];
} contact_row;

static void contact_of(int i, contact_row *r)
{
    int late = i >= CLEAN_ROWS;
    snprintf(r->id, sizeof r->id, "c%05d", late && i % 7 == 0 ? i / 3 : i); /* upserts */
    if (late && i % 11 == 0) /* another contact's address: a duplicate-email notice */
        snprintf(r->email, sizeof r->email, "user%d@example.com", i / 2);
    else if (i % 5 == 0) /* blanks and capitals: kept trimmed, indexed normalised */
        snprintf(r->email, sizeof r->email, "  User%d@Example.COM ", i);
    else
        snprintf(r->email, sizeof r->email, "user%d@example.com", i);
    snprintf(r->birth, sizeof r->birth, late && i % 13 == 0 ? "1990-13-%02d" : "1990-01-%02d",
             i % 28 + 1);
    snprintf(r->income, sizeof r->income, late && i % 17 == 0 ? "%dk" : "%d", 1000 + i);
    snprintf(r->created, sizeof r->created,
             late && i % 19 == 0 ? "2024-02-03 04:05:%02d" : "2024-02-03T04:05:%02dZ", i % 60);
    snprintf(r->city, sizeof r->city, "city%d", i % 40);
}

static void contacts_csv(text *t)
{
    add(t, "id,email,birth_date,income,created_at,city\n");
    for (int i = 0; i < CONTACTS; i++) {
        contact_row r;
        contact_of(i, &r);
        add(t, "%s,%s,%s,%s,%s,%s\n", r.id, r.email, r.birth, r.income, r.created, r.city);
    }
}

static void contacts_jsonl(text *t)
{
    for (int i = 0; i < CONTACTS; i++) {
        contact_row r;
        contact_of(i, &r);
        add(t, "{\"id\":\"%s\",\"email\":\"%s\",\"birth_date\":\"%s\",\"income\":\"%s\","
               "\"created_at\":\"%s\",\"city\":\"%s\"}\n",
            r.id, r.email, r.birth, r.income, r.created, r.city);
    }
}

/* One event row: rows of a contact together, as exports write them. */
typedef struct event_row {
    char id[16], ts[32], type[16], amount[16];
} event_row;

static void event_of(int i, event_row *r)
{
    int late = i >= CLEAN_ROWS;
    int who = i / 3;
    snprintf(r->id, sizeof r->id, "c%05d", late && i % 29 == 0 ? CONTACTS + who : who);
    snprintf(r->ts, sizeof r->ts, late && i % 31 == 0 ? "2025-02-30T00:00:%02dZ"
                                                      : "2025-01-%02dT10:00:00Z", i % 28 + 1);
    snprintf(r->type, sizeof r->type, i % 4 ? "purchase" : "login");
    snprintf(r->amount, sizeof r->amount, late && i % 37 == 0 ? "1.2.3" : "%d.%02d", i % 500,
             i % 100);
}

static void events_csv(text *t)
{
    add(t, "contact_id,ts,type,amount\n");
    for (int i = 0; i < EVENTS; i++) {
        event_row r;
        event_of(i, &r);
        add(t, "%s,%s,%s,%s\n", r.id, r.ts, r.type, r.amount);
    }
}

static void events_jsonl(text *t)
{
    for (int i = 0; i < EVENTS; i++) {
        event_row r;
        event_of(i, &r);
        add(t, "{\"contact_id\":\"%s\",\"ts\":\"%s\",\"type\":\"%s\",\"amount\":\"%s\"}\n", r.id,
            r.ts, r.type, r.amount);
    }
}

/* What importing one file said. */
typedef struct said {
    segrt_import_report rep;
    tu_messages m;
} said;

static said import_text(tu_fixture *f, segrt_kind kind, const char *name, text *t)
{
    said s;
    s.rep = tu_import_text_noting(f, kind, name, t->p, &s.m);
    free(t->p);
    *t = (text){ 0 };
    return s;
}

/* The same messages, a CSV's lines one further on (its header). */
static void assert_same_messages(const tu_rejects *csv, const tu_rejects *jsonl)
{
    assert_int_equal(csv->n, jsonl->n);
    for (size_t i = 0; i < csv->n && i < TU_MAX_REJECTS; i++) {
        assert_int_equal(csv->line[i], jsonl->line[i] + 1);
        assert_string_equal(csv->reason[i], jsonl->reason[i]);
    }
}

static void assert_same_said(const said *csv, const said *jsonl)
{
    assert_int_equal(csv->rep.rows, jsonl->rep.rows);
    assert_int_equal(csv->rep.accepted, jsonl->rep.accepted);
    assert_int_equal(csv->rep.rejected, jsonl->rep.rejected);
    assert_int_equal(csv->rep.inserted, jsonl->rep.inserted);
    assert_int_equal(csv->rep.noticed, jsonl->rep.noticed);
    assert_same_messages(&csv->m.rejects, &jsonl->m.rejects);
    assert_same_messages(&csv->m.notices, &jsonl->m.notices);
}

static char *slurp(const char *dir, const char *name, size_t *n)
{
    char path[TU_PATH_MAX];
    FILE *fp = fopen(tu_path(path, dir, name), "rb");
    assert_non_null(fp);
    text t = { 0 };
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (t.n + got > t.cap) {
            t.cap = (t.n + got) * 2;
            t.p = realloc(t.p, t.cap);
            assert_non_null(t.p);
        }
        memcpy(t.p + t.n, chunk, got);
        t.n += got;
    }
    fclose(fp);
    *n = t.n;
    return t.p;
}

static void assert_same_dump(tu_fixture *a, tu_fixture *b)
{
    static const char *const files[] = { "contacts.csv", "events.csv", "consents.csv" };
    char da[TU_PATH_MAX], db[TU_PATH_MAX];
    tu_mkdtemp(da);
    tu_mkdtemp(db);
    assert_int_equal(segrt_dump(a->s, SEGRT_DUMP_CSV, da, NULL), SEGRT_OK);
    assert_int_equal(segrt_dump(b->s, SEGRT_DUMP_CSV, db, NULL), SEGRT_OK);
    for (size_t i = 0; i < 3; i++) {
        size_t na, nb;
        char *x = slurp(da, files[i], &na), *y = slurp(db, files[i], &nb);
        assert_int_equal(na, nb);
        assert_memory_equal(x, y, na);
        free(x);
        free(y);
    }
    tu_rmtree(da);
    tu_rmtree(db);
}

static void test_rows_read_ahead_import_as_rows_read_in_turn(void **state)
{
    void **pair = *state;
    tu_fixture *csv = pair[0], *jsonl = pair[1];
    text t = { 0 };
    contacts_csv(&t);
    said a = import_text(csv, SEGRT_CONTACTS, "contacts.csv", &t);
    contacts_jsonl(&t);
    said b = import_text(jsonl, SEGRT_CONTACTS, "contacts.jsonl", &t);
    assert_same_said(&a, &b);
    assert_true(a.rep.rejected > 0 && a.rep.noticed > 0 && a.rep.inserted < a.rep.accepted);
    tu_assert_reason(&a.m.rejects, 0, "birth_date '1990-13-");

    events_csv(&t);
    a = import_text(csv, SEGRT_EVENTS, "events.csv", &t);
    events_jsonl(&t);
    b = import_text(jsonl, SEGRT_EVENTS, "events.jsonl", &t);
    assert_same_said(&a, &b);
    assert_true(a.rep.rejected > 0 && a.rep.accepted > EVENTS / 2);

    assert_same_dump(csv, jsonl);
    tu_assert_check_ok(csv->s);
    /* a trimmed address, found by its normalised form */
    char email[64];
    assert_string_equal(tu_contact_str(csv->s, "c01025", "email", email, sizeof email),
                        "User1025@Example.COM");
}

static int setup(void **state)
{
    static void *pair[2];
    if (tu_setup_store(&pair[0]) != 0 || tu_setup_store(&pair[1]) != 0)
        return -1;
    *state = pair;
    return 0;
}

static int teardown(void **state)
{
    void **pair = *state;
    return tu_teardown_store(&pair[0]) | tu_teardown_store(&pair[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rows_read_ahead_import_as_rows_read_in_turn, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
