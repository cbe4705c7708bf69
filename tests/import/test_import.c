/*
 * test_import.c — segrt_import_file() through the public API: contact
 * upserts, ids in and out of order, rejected rows with their physical line and reason, strict mode,
 * events and consents (unknown contacts, idempotent re-imports, event_id
 * replacement), duplicate normalised e-mails, type inference of custom
 * columns, JSONL arrays and nulls, file-level errors, and an import of a few
 * thousand rows into a 1 MiB map that must grow many times.
 *
 * Uses: cmocka, segrt.h, jansson (exports), test_util.h.
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

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ helpers */

static void assert_report(const segrt_import_report *r, uint64_t rows, uint64_t accepted,
                          uint64_t rejected, uint64_t inserted)
{
    if (r->rows != rows || r->accepted != accepted || r->rejected != rejected ||
        r->inserted != inserted)
        fail_msg("report rows %llu accepted %llu rejected %llu inserted %llu, expected "
                 "%llu %llu %llu %llu", (unsigned long long)r->rows,
                 (unsigned long long)r->accepted, (unsigned long long)r->rejected,
                 (unsigned long long)r->inserted, (unsigned long long)rows,
                 (unsigned long long)accepted, (unsigned long long)rejected,
                 (unsigned long long)inserted);
}

/* The lines the reject callback saw must be exactly want, in order. */
static void assert_reject_lines(const tu_rejects *r, const uint64_t *want, size_t n)
{
    int same = r->n == n;
    for (size_t i = 0; same && i < n; i++)
        same = r->line[i] == want[i];
    if (!same) {
        char text[512] = "";
        size_t used = 0;
        for (size_t i = 0; i < r->n && i < TU_MAX_REJECTS && used < sizeof text - 24; i++)
            used += (size_t)snprintf(text + used, sizeof text - used, "%llu ",
                                     (unsigned long long)r->line[i]);
        fail_msg("rejected lines: %s(%zu rejects, %zu expected)", text, r->n, n);
    }
}

/* A contact field as text: strings as they are, other JSON as compact JSON, "" when absent. */
static const char *field(segrt_store *s, const char *id, const char *name, char out[256])
{
    json_t *v = tu_contact_field(s, id, name);
    if (v == NULL || json_is_string(v)) {
        snprintf(out, 256, "%s", v ? json_string_value(v) : "");
    } else {
        char *dump = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        snprintf(out, 256, "%s", dump ? dump : "?");
        free(dump);
    }
    json_decref(v);
    return out;
}

static void assert_field(segrt_store *s, const char *id, const char *name, const char *want)
{
    char got[256];
    if (strcmp(field(s, id, name, got), want) != 0)
        fail_msg("contact %s: %s is \"%s\", expected \"%s\"", id, name, got, want);
}

/* The events of a contact as exported (a new reference). */
static json_t *events_of(segrt_store *s, const char *id)
{
    json_t *obj = tu_export(s, id);
    json_t *evs = json_object_get(obj, "events");
    json_incref(evs);
    json_decref(obj);
    return evs;
}

typedef struct field_info {
    segrt_type type;
    uint64_t present;
    int found;
} field_info;

struct field_query {
    const char *name;
    field_info info;
    size_t order, position;
};

static int find_field(void *ud, const char *name, segrt_type type, uint64_t present)
{
    struct field_query *q = ud;
    if (strcmp(name, q->name) == 0 && !q->info.found) {
        q->info = (field_info){ type, present, 1 };
        q->position = q->order;
    }
    q->order++;
    return 0;
}

/* Fail unless field name is declared with type and present values. */
static void assert_field_info(segrt_store *s, const char *name, segrt_type type,
                              uint64_t present)
{
    struct field_query q = { .name = name };
    assert_int_equal(segrt_fields_foreach(s, find_field, &q), SEGRT_OK);
    if (!q.info.found)
        fail_msg("field %s is not declared", name);
    if (q.info.type != type || q.info.present != present)
        fail_msg("field %s is %s with %llu values, expected %s with %llu", name,
                 segrt_type_name(q.info.type), (unsigned long long)q.info.present,
                 segrt_type_name(type), (unsigned long long)present);
}

static size_t field_count(segrt_store *s)
{
    struct field_query q = { .name = "" };
    assert_int_equal(segrt_fields_foreach(s, find_field, &q), SEGRT_OK);
    return q.order;
}

static segrt_import_report import_opts(tu_fixture *f, segrt_kind kind, const char *path,
                                       const segrt_import_opts *o, int want)
{
    segrt_import_report rep;
    int rc = segrt_import_file(f->s, kind, path, o, &rep);
    if (rc != want)
        fail_msg("import %s: %s (%s), expected %s", path, segrt_errname(rc),
                 segrt_errmsg(f->s), segrt_errname(want));
    return rep;
}

static const char contacts_csv[] =
    "id,email,first_name,city,income\n"
    "c1,ana@ex.ro,Ana,Iasi,4000\n"
    "c2,ion@ex.ro,Ion,Cluj,3000\n";

/* ------------------------------------------------------------ contacts */

/*
 * New ids are appended to the id index while they come in order, and put
 * as any key once one does not: either way every contact is found again,
 * by a later process reading the index from the store.
 */
static void test_import_contacts_in_and_out_of_id_order_are_all_found(void **state)
{
    tu_fixture *f = *state;
    tu_seg_import(f, SEGRT_CONTACTS, "id\nb\nd\n");
    /* before the first, after the last, between, one known, then in order again */
    tu_rejects r = { 0 };
    segrt_import_report rep =
        tu_import_text(f, SEGRT_CONTACTS, "more.csv", "id\na\ne\nc\nd\nf\ng\n", &r);
    assert_int_equal(rep.inserted, 5);
    assert_int_equal(r.n, 0);
    segrt_store_close(f->s);
    tu_open(f, 0);
    rep = tu_import_text(f, SEGRT_EVENTS, "e.csv",
                         "contact_id,ts,type\ng,2025-01-01T00:00:00Z,visit\n"
                         "a,2025-01-01T00:00:00Z,visit\nf,2025-01-01T00:00:00Z,visit\n"
                         "e,2025-01-01T00:00:00Z,visit\nd,2025-01-01T00:00:00Z,visit\n"
                         "c,2025-01-01T00:00:00Z,visit\nb,2025-01-01T00:00:00Z,visit\n", &r);
    assert_int_equal(rep.accepted, 7);
    assert_int_equal(r.n, 0);
    tu_assert_counts(f->s, 7, 7, 0);
    tu_assert_check_ok(f->s);
}

static void test_import_contacts_upsert_updates_given_fields_and_keeps_others(void **state)
{
    tu_fixture *f = *state;
    segrt_import_report rep = tu_import_text(f, SEGRT_CONTACTS, "c.csv", contacts_csv, NULL);
    assert_report(&rep, 2, 2, 0, 2);
    rep = tu_import_text(f, SEGRT_CONTACTS, "c2.csv", "id,city\nc1,Brasov\n", NULL);
    assert_report(&rep, 1, 1, 0, 0);
    assert_field(f->s, "c1", "city", "Brasov");
    assert_field(f->s, "c1", "first_name", "Ana");
    assert_field(f->s, "c1", "income", "4000");
    assert_field(f->s, "c1", "email", "ana@ex.ro");
    assert_field(f->s, "c2", "city", "Cluj");
    /* Blank cells keep the stored values by default; --blank clear clears them. */
    rep = tu_import_text(f, SEGRT_CONTACTS, "c3.csv", "id,first_name,income\nc1,,\n", NULL);
    assert_report(&rep, 1, 1, 0, 0);
    assert_field(f->s, "c1", "first_name", "Ana");
    assert_field(f->s, "c1", "income", "4000");
    char path[TU_PATH_MAX];
    const segrt_import_opts clear = { .blank = SEGRT_BLANK_CLEAR };
    assert_int_equal(segrt_import_file(f->s, SEGRT_CONTACTS, tu_write(path, f->dir, "c3.csv",
                                                                     "id,first_name,income\nc1,,\n"),
                                       &clear, &rep),
                     SEGRT_OK);
    assert_report(&rep, 1, 1, 0, 0);
    assert_field(f->s, "c1", "first_name", "");
    assert_field(f->s, "c1", "income", "");
    assert_field(f->s, "c1", "city", "Brasov");
    assert_field(f->s, "c2", "first_name", "Ion");
    tu_assert_counts(f->s, 2, 0, 0);
    assert_field_info(f->s, "first_name", SEGRT_T_STRING, 1); /* the columns agree */
    assert_field_info(f->s, "income", SEGRT_T_INTEGER, 1);
    assert_field_info(f->s, "city", SEGRT_T_STRING, 2);
    tu_assert_check_ok(f->s);
}

static void test_import_reject_callback_gets_file_line_and_reason(void **state)
{
    tu_fixture *f = *state;
    static const char csv[] =
        "id,note,income,birth_date\n"          /* 1 */
        "c1,hello,100,1990-01-01\n"            /* 2 */
        "c2,x,abc,1990-01-01\n"                /* 3: bad integer */
        "c3,\"two\nlines\",5,1990-01-01\n"     /* 4-5: one record */
        ",x,1,1990-01-01\n"                    /* 6: no id */
        "c4,x,1\n"                             /* 7: too few fields */
        "c5,x,1,1990-02-30\n"                  /* 8: no such day */
        "c6,\"bad\"quote,1,1990-01-01\n"       /* 9: text after a closing quote */
        "c7,x,7,2000-12-31";                   /* 10: no final newline */
    static const uint64_t lines[] = { 3, 6, 7, 8, 9 };
    char path[TU_PATH_MAX];
    tu_rejects r = { 0 };
    segrt_import_report rep = tu_import(f->s, SEGRT_CONTACTS,
                                        tu_write(path, f->dir, "dirty.csv", csv), &r);
    assert_reject_lines(&r, lines, ARRAY_LEN(lines));
    for (size_t i = 0; i < r.n; i++)
        assert_string_equal(r.file[i], path);
    tu_assert_reason(&r, 0, "income 'abc' is not an integer");
    tu_assert_reason(&r, 1, "id is missing");
    tu_assert_reason(&r, 2, "has 3 fields, the header has 4");
    tu_assert_reason(&r, 3, "birth_date '1990-02-30' is not a date");
    tu_assert_reason(&r, 4, "note");
    assert_report(&rep, 8, 3, 5, 3);
    tu_assert_counts(f->s, 3, 0, 0);
    assert_field(f->s, "c3", "note", "two\nlines");
    assert_field(f->s, "c7", "birth_date", "2000-12-31");
}

static void test_import_strict_mode_stops_at_a_bad_row_and_commits_nothing(void **state)
{
    tu_fixture *f = *state;
    char path[TU_PATH_MAX];
    FILE *out = fopen(tu_path(path, f->dir, "strict.csv"), "w");
    assert_non_null(out);
    fprintf(out, "id,income,note\n");
    for (int i = 0; i < 300; i++) /* lines 2..301; line 252 is bad */
        fprintf(out, "s%03d,%s,n%d\n", i, i == 250 ? "lots" : "7", i);
    assert_int_equal(fclose(out), 0);
    tu_rejects r = { 0 };
    segrt_import_opts o = { .strict = 1, .batch_rows = 10, .on_reject = tu_on_reject, .ud = &r };
    segrt_import_report rep = import_opts(f, SEGRT_CONTACTS, path, &o, SEGRT_EBADROW);
    static const uint64_t line[] = { 252 };
    assert_reject_lines(&r, line, 1);
    tu_assert_reason(&r, 0, "income 'lots' is not an integer");
    assert_non_null(strstr(segrt_errmsg(f->s), "line 252"));
    assert_int_equal(rep.rejected, 1);
    assert_int_equal(rep.batches, 0);
    tu_assert_counts(f->s, 0, 0, 0);
    assert_int_equal(field_count(f->s), 0); /* not even the fields */
    tu_assert_check_ok(f->s);
    memset(&r, 0, sizeof r);
    rep = tu_import(f->s, SEGRT_CONTACTS, path, &r); /* without strict: all but one */
    assert_report(&rep, 300, 299, 1, 299);
    assert_reject_lines(&r, line, 1);
    assert_field_info(f->s, "income", SEGRT_T_INTEGER, 299);
    assert_field_info(f->s, "note", SEGRT_T_STRING, 299);
}

static void test_import_strict_events_commit_nothing_of_the_file(void **state)
{
    tu_fixture *f = *state;
    char path[TU_PATH_MAX];
    tu_import_text(f, SEGRT_CONTACTS, "c.csv", contacts_csv, NULL);
    tu_write(path, f->dir, "e.csv",
             "contact_id,ts,type\n"
             "c1,2025-01-01T00:00:00Z,visit\n"
             "c2,2025-01-02T00:00:00Z,visit\n"
             "c1,2025-01-03,visit\n");
    segrt_import_opts o = { .strict = 1, .batch_rows = 1 };
    segrt_import_report rep = import_opts(f, SEGRT_EVENTS, path, &o, SEGRT_EBADROW);
    assert_int_equal(rep.rejected, 1);
    assert_non_null(strstr(segrt_errmsg(f->s), "line 4"));
    tu_assert_counts(f->s, 2, 0, 0);
}

/* ------------------------------------------------------------ e-mails */

/* Fail unless notice i says the row's e-mail is also the one of contact owner. */
static void assert_duplicate_notice(const tu_rejects *n, size_t i, const char *owner)
{
    char want[64];
    tu_assert_reason(n, i, "duplicate email");
    snprintf(want, sizeof want, "e-mail of contact %s;", owner);
    tu_assert_reason(n, i, want);
}

static void test_import_duplicate_normalised_email_is_kept_with_a_notice(void **state)
{
    tu_fixture *f = *state;
    tu_messages m;
    static const char a_csv[] = "id,email\n"
                                "c1,Ana@Ex.ro\n"
                                "c2, ana@ex.RO \n"
                                "c3,ȘTEFAN@EX.RO\n"
                                "c4,ștefan@ex.ro\n"
                                "c5,not-an-address\n";
    segrt_import_report rep = tu_import_text_noting(f, SEGRT_CONTACTS, "a.csv", a_csv, &m);
    static const uint64_t rejected_a[] = { 6 }, noted_a[] = { 3, 5 };
    assert_reject_lines(&m.rejects, rejected_a, ARRAY_LEN(rejected_a));
    tu_assert_reason(&m.rejects, 0, "is not an e-mail address");
    assert_reject_lines(&m.notices, noted_a, ARRAY_LEN(noted_a));
    assert_duplicate_notice(&m.notices, 0, "c1");
    assert_duplicate_notice(&m.notices, 1, "c3");
    assert_report(&rep, 5, 4, 1, 4);
    assert_int_equal(rep.noticed, 2);
    assert_field(f->s, "c1", "email", "Ana@Ex.ro"); /* stored as given, compared normalised */
    assert_field(f->s, "c2", "email", "ana@ex.RO"); /* the duplicate keeps its own, trimmed */
    assert_field(f->s, "c4", "email", "ștefan@ex.ro");

    /* The same file again: the first contact (lowest ordinal) still owns each address. */
    rep = tu_import_text_noting(f, SEGRT_CONTACTS, "a.csv", a_csv, &m);
    assert_reject_lines(&m.notices, noted_a, ARRAY_LEN(noted_a));
    assert_duplicate_notice(&m.notices, 0, "c1");
    assert_duplicate_notice(&m.notices, 1, "c3");
    assert_report(&rep, 5, 4, 1, 0);

    /* A later file: the index comes from the store. */
    rep = tu_import_text_noting(f, SEGRT_CONTACTS, "b.csv",
                                "id,email\n"
                                "c1,ANA@EX.RO \n" /* its own address: fine */
                                "c6,ana@ex.ro\n"
                                "c3,stefan@ex.ro\n", /* not ștefan@: no duplicate */
                                &m);
    static const uint64_t noted_b[] = { 3 };
    assert_int_equal(m.rejects.n, 0);
    assert_reject_lines(&m.notices, noted_b, ARRAY_LEN(noted_b));
    assert_duplicate_notice(&m.notices, 0, "c1");
    assert_report(&rep, 3, 3, 0, 1);
    assert_int_equal(rep.noticed, 1);
    assert_field(f->s, "c1", "email", "ANA@EX.RO");
    tu_assert_counts(f->s, 5, 0, 0);
}

static void test_import_changed_email_frees_the_old_address(void **state)
{
    tu_fixture *f = *state;
    tu_messages m;
    tu_import_text(f, SEGRT_CONTACTS, "a.csv", contacts_csv, NULL);
    segrt_import_report rep = tu_import_text_noting(f, SEGRT_CONTACTS, "b.csv",
                                                    "id,email\n"
                                                    "c1,new@ex.ro\n"
                                                    "c3,ana@ex.ro\n", /* c1's old address */
                                                    &m);
    assert_int_equal(m.rejects.n + m.notices.n, 0);
    assert_report(&rep, 2, 2, 0, 1);
    rep = tu_import_text_noting(f, SEGRT_CONTACTS, "c.csv",
                                "id,email\n"
                                "c4,NEW@ex.ro\n"
                                "c5,ana@EX.ro\n"
                                "c6,ion@ex.ro\n",
                                &m);
    static const uint64_t lines[] = { 2, 3, 4 };
    assert_int_equal(m.rejects.n, 0);
    assert_reject_lines(&m.notices, lines, ARRAY_LEN(lines));
    assert_duplicate_notice(&m.notices, 0, "c1");
    assert_duplicate_notice(&m.notices, 1, "c3");
    assert_duplicate_notice(&m.notices, 2, "c2");
    tu_assert_counts(f->s, 6, 0, 0);
}

static void test_import_email_of_a_rejected_row_blocks_no_other_contact(void **state)
{
    tu_fixture *f = *state;
    tu_messages m;
    segrt_import_report rep = tu_import_text_noting(f, SEGRT_CONTACTS, "a.csv",
                                                    "id,email,income\n"
                                                    "c1,a@ex.ro,lots\n" /* rejected */
                                                    "c2,A@ex.ro,5\n"    /* kept, no notice */
                                                    "c1,a@ex.ro,6\n",   /* now c2's too */
                                                    &m);
    static const uint64_t rejected[] = { 2 }, noted[] = { 4 };
    assert_reject_lines(&m.rejects, rejected, ARRAY_LEN(rejected));
    assert_reject_lines(&m.notices, noted, ARRAY_LEN(noted));
    assert_duplicate_notice(&m.notices, 0, "c2");
    assert_report(&rep, 3, 2, 1, 2);
    assert_field(f->s, "c1", "income", "6");
    assert_field(f->s, "c2", "income", "5");
}

/* ------------------------------------------------------------ events and consents */

static const char events_csv[] =
    "contact_id,ts,type,amount,category,event_id\r\n"
    "c1,2025-01-01T10:00:00Z,purchase,10.10,coffee,\r\n"
    "c1,2025-01-01T10:00:00Z,purchase,20.20,coffee,\r\n" /* same ts, another amount */
    "c2,2025-01-02T10:00:00Z,visit,,,\r\n"
    "c1,2025-02-01T10:00:00Z,purchase,5,grinder,e1\r\n";

static const char consents_csv[] =
    "contact_id,purpose,status,legal_basis,ts,expires_at,source\n"
    "c1,email_marketing,granted,consent,2025-01-01T00:00:00Z,,web\n"
    "c1,email_marketing,withdrawn,consent,2025-03-01T00:00:00Z,,call\n"
    "c2,sms,granted,legitimate_interest,2025-01-01T00:00:00Z,2026-01-01T00:00:00Z,\n";

static void assert_type_counts(segrt_store *s, const char *want)
{
    tu_counts t = { "" };
    assert_int_equal(segrt_event_types_foreach(s, tu_append_count, &t), SEGRT_OK);
    assert_string_equal(t.text, want);
}

/* Import text as a file named name in batches of batch rows (0: one batch); the events added. */
static uint64_t import_batched(tu_fixture *f, const char *name, const char *text, uint32_t batch,
                               int jsonl)
{
    char path[TU_PATH_MAX];
    const segrt_import_opts o = { .batch_rows = batch };
    segrt_import_report rep;
    int rc = jsonl ? segrt_import_buffer(f->s, SEGRT_EVENTS, name, text, strlen(text), 1, &o, &rep)
                   : segrt_import_file(f->s, SEGRT_EVENTS, tu_write(path, f->dir, name, text), &o,
                                       &rep);
    assert_int_equal(rc, SEGRT_OK);
    assert_int_equal(rep.rejected, 0);
    return rep.inserted;
}

/*
 * Identical rows of one input are distinct events, counted across its
 * batches: k held and m in the input end as max(k, m), however the input
 * is cut into batches and whatever lies between the copies.
 */
static void test_import_identical_events_count_by_multiplicity_across_batches(void **state)
{
    tu_fixture *f = *state;
    tu_import_text(f, SEGRT_CONTACTS, "c.csv", "id\nk1\nk2\n", NULL);
#define ROW_A "k1,2025-01-01T00:00:00Z,buy,1.50,cd\n"
#define ROW_B "k2,2025-01-01T00:00:00Z,buy,1.50,cd\n"
    static const char two[] = "contact_id,ts,type,amount,category\n" ROW_A ROW_B ROW_A;
    static const char three[] = "contact_id,ts,type,amount,category\n" ROW_B ROW_A ROW_A ROW_B ROW_A;
    assert_int_equal(import_batched(f, "two.csv", two, 1, 0), 3);
    for (uint32_t batch = 0; batch <= 3; batch++)
        assert_int_equal(import_batched(f, "two.csv", two, batch, 0), 0);
    tu_assert_counts(f->s, 2, 3, 0);
    assert_int_equal(import_batched(f, "three.csv", three, 2, 0), 2); /* a third A, a second B */
    for (uint32_t batch = 0; batch <= 4; batch++) {
        assert_int_equal(import_batched(f, "three.csv", three, batch, 0), 0);
        assert_int_equal(import_batched(f, "two.csv", two, batch, 0), 0);
    }
    tu_assert_counts(f->s, 2, 5, 0);
    /* JSON lines from memory (as a live session posts them): held ones add nothing. */
    static const char a[] = "{\"contact_id\":\"k1\",\"ts\":\"2025-01-01T00:00:00Z\",\"type\":\"buy\","
                            "\"amount\":\"1.50\",\"category\":\"cd\"}\n";
    char four[4 * sizeof a];
    snprintf(four, sizeof four, "%s%s%s%s", a, a, a, a);
    assert_int_equal(import_batched(f, "post", a, 0, 1), 0);
    assert_int_equal(import_batched(f, "post", four, 3, 1), 1);
    assert_int_equal(import_batched(f, "post", four, 0, 1), 0);
    tu_assert_counts(f->s, 2, 6, 0);
    tu_assert_check_ok(f->s);
#undef ROW_A
#undef ROW_B
}

static void test_import_events_and_consents_are_idempotent_on_reimport(void **state)
{
    tu_fixture *f = *state;
    tu_import_text(f, SEGRT_CONTACTS, "c.csv", contacts_csv, NULL);
    for (int round = 0; round < 2; round++) {
        tu_rejects r = { 0 };
        segrt_import_report ev = tu_import_text(f, SEGRT_EVENTS, "e.csv", events_csv, &r);
        segrt_import_report cs = tu_import_text(f, SEGRT_CONSENTS, "k.csv", consents_csv, &r);
        assert_int_equal(r.n, 0);
        assert_report(&ev, 4, 4, 0, round == 0 ? 4 : 0);
        assert_report(&cs, 3, 3, 0, round == 0 ? 3 : 0);
        tu_assert_counts(f->s, 2, 4, 3);
        assert_type_counts(f->s, "purchase=3 visit=1 ");
    }
    json_t *evs = events_of(f->s, "c1");
    assert_int_equal(json_array_size(evs), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(evs, 2), "event_id")),
                        "e1");
    json_decref(evs);
    tu_assert_check_ok(f->s);
}

static void test_import_event_id_seen_again_replaces_the_event(void **state)
{
    tu_fixture *f = *state;
    tu_import_text(f, SEGRT_CONTACTS, "c.csv", contacts_csv, NULL);
    tu_import_text(f, SEGRT_EVENTS, "e.csv", events_csv, NULL);
    segrt_import_report rep = tu_import_text(
        f, SEGRT_EVENTS, "fix.csv",
        "contact_id,ts,type,amount,category,event_id\n"
        "c1,2024-12-31T00:00:00Z,refund,99,grinder,e1\n", /* earlier ts, other type */
        NULL);
    assert_report(&rep, 1, 1, 0, 0);
    tu_assert_counts(f->s, 2, 4, 0);
    assert_type_counts(f->s, "purchase=2 refund=1 visit=1 ");
    json_t *evs = events_of(f->s, "c1");
    json_t *first = json_array_get(evs, 0);
    assert_int_equal(json_array_size(evs), 3);
    assert_string_equal(json_string_value(json_object_get(first, "ts")), "2024-12-31T00:00:00Z");
    assert_string_equal(json_string_value(json_object_get(first, "type")), "refund");
    assert_int_equal(json_integer_value(json_object_get(first, "amount")), 99);
    json_decref(evs);
    tu_assert_check_ok(f->s);
}

static void test_import_events_for_unknown_contacts_are_rejected(void **state)
{
    tu_fixture *f = *state;
    tu_import_text(f, SEGRT_CONTACTS, "c.csv", contacts_csv, NULL);
    tu_rejects r = { 0 };
    segrt_import_report rep = tu_import_text(f, SEGRT_EVENTS, "e.csv",
                                             "contact_id,ts,type,amount\r\n"
                                             "c1,2025-01-01T00:00:00Z,visit,\r\n"
                                             "c9,2025-01-01T00:00:00Z,visit,\r\n"
                                             ",2025-01-01T00:00:00Z,visit,\r\n"
                                             "c1,2025-01-01,visit,\r\n"
                                             "c1,2025-01-01T00:00:00Z,purchase,\"12,5\"\r\n"
                                             "c1,2025-01-01T00:00:00Z,two words,\r\n"
                                             "c1,2025-01-01T00:00:00Z,,\r\n",
                                             &r);
    static const uint64_t lines[] = { 3, 4, 5, 6, 7, 8 };
    assert_reject_lines(&r, lines, ARRAY_LEN(lines));
    tu_assert_reason(&r, 0, "contact_id 'c9' is not a known contact");
    tu_assert_reason(&r, 1, "contact_id is missing");
    tu_assert_reason(&r, 2, "not a timestamp");
    tu_assert_reason(&r, 3, "amount '12,5' is not a number");
    tu_assert_reason(&r, 4, "not a valid event type");
    tu_assert_reason(&r, 5, "type is missing");
    assert_report(&rep, 7, 1, 6, 1);
    tu_assert_counts(f->s, 2, 1, 0);
}

typedef struct eraser {
    segrt_store *s;
    int calls;
} eraser;

/* A progress callback that erases c2 after the first batch committed. */
static void erase_c2_once(void *ud, uint64_t done, uint64_t total, uint64_t rows)
{
    eraser *e = ud;
    (void)done;
    (void)total;
    (void)rows;
    if (e->calls++ == 0)
        assert_int_equal(segrt_contact_erase(e->s, "c2", "test"), SEGRT_OK);
}

/*
 * A batch of events is read while the batch before commits. When another
 * write (here an erasure, between the two) changes the store meanwhile, the
 * batch is read again: its event of the erased contact is rejected, not
 * added to a contact that no longer exists.
 */
static void test_import_events_batch_read_again_after_another_write(void **state)
{
    tu_fixture *f = *state;
    tu_import_text(f, SEGRT_CONTACTS, "c.csv", contacts_csv, NULL);
    eraser e = { f->s, 0 };
    segrt_import_opts o = { .batch_rows = 2, .on_progress = erase_c2_once, .ud = &e };
    segrt_import_report rep;
    char path[TU_PATH_MAX];
    assert_int_equal(segrt_import_file(f->s, SEGRT_EVENTS,
                                       tu_write(path, f->dir, "e.csv",
                                                "contact_id,ts,type\n"
                                                "c1,2025-01-01T00:00:00Z,visit\n"
                                                "c2,2025-01-02T00:00:00Z,visit\n"
                                                "c2,2025-01-03T00:00:00Z,visit\n"
                                                "c1,2025-01-04T00:00:00Z,visit\n"),
                                       &o, &rep),
                     SEGRT_OK);
    assert_int_equal(e.calls, 3); /* the third batch finds the end of the file */
    assert_report(&rep, 4, 3, 1, 3);
    tu_assert_counts(f->s, 1, 2, 0);
    tu_assert_check_ok(f->s);
}

/* Rows of one contact come together; ids that share a prefix stay apart. */
static void test_import_events_land_on_their_contacts_in_runs_and_out(void **state)
{
    tu_fixture *f = *state;
    tu_import_text(f, SEGRT_CONTACTS, "c.csv", "id\nc1\nc10\n", NULL);
    tu_rejects r = { 0 };
    segrt_import_report rep = tu_import_text(f, SEGRT_EVENTS, "e.csv",
                                             "contact_id,ts,type\n"
                                             "c1,2025-01-01T00:00:00Z,visit\n"
                                             "c10,2025-01-02T00:00:00Z,visit\n"
                                             "c10,2025-01-03T00:00:00Z,visit\n"
                                             "c1,2025-01-04T00:00:00Z,visit\n"
                                             "c9,2025-01-05T00:00:00Z,visit\n"
                                             "c1,2025-01-06T00:00:00Z,visit\n"
                                             "c100,2025-01-07T00:00:00Z,visit\n",
                                             &r);
    static const uint64_t lines[] = { 6, 8 };
    assert_reject_lines(&r, lines, ARRAY_LEN(lines));
    tu_assert_reason(&r, 0, "contact_id 'c9' is not a known contact");
    tu_assert_reason(&r, 1, "contact_id 'c100' is not a known contact");
    assert_report(&rep, 7, 5, 2, 5);
    json_t *one = events_of(f->s, "c1"), *ten = events_of(f->s, "c10");
    assert_int_equal(json_array_size(one), 3);
    assert_int_equal(json_array_size(ten), 2);
    json_decref(one);
    json_decref(ten);
}

static void test_import_consent_rows_are_checked(void **state)
{
    tu_fixture *f = *state;
    tu_import_text(f, SEGRT_CONTACTS, "c.csv", contacts_csv, NULL);
    tu_rejects r = { 0 };
    segrt_import_report rep = tu_import_text(
        f, SEGRT_CONSENTS, "k.csv",
        "contact_id,purpose,status,legal_basis,ts,expires_at\n"
        "c1,email,granted,consent,2025-01-01T00:00:00Z,\n"
        "c1,email,maybe,consent,2025-01-01T00:00:00Z,\n"
        "c1,email,granted,vibes,2025-01-01T00:00:00Z,\n"
        "c1,email,granted,consent,,\n"
        "c1,email,granted,consent,2025-01-01T00:00:00Z,soon\n"
        "c1,,denied,,2025-01-01T00:00:00Z,\n"
        "c7,email,denied,,2025-01-01T00:00:00Z,\n"
        "c2,email,denied,,2025-01-01T00:00:00Z,\n",
        &r);
    static const uint64_t lines[] = { 3, 4, 5, 6, 7, 8 };
    assert_reject_lines(&r, lines, ARRAY_LEN(lines));
    tu_assert_reason(&r, 0, "status 'maybe' is not one of granted, withdrawn, denied");
    tu_assert_reason(&r, 1, "legal_basis 'vibes' is not one of");
    tu_assert_reason(&r, 2, "ts is missing");
    tu_assert_reason(&r, 3, "expires_at 'soon' is not a timestamp");
    tu_assert_reason(&r, 4, "purpose is missing");
    tu_assert_reason(&r, 5, "unknown contact");
    assert_report(&rep, 8, 2, 6, 2);
    tu_assert_counts(f->s, 2, 0, 2);
}

/* ------------------------------------------------------------ types and JSONL */

static void test_import_infers_the_types_of_custom_columns(void **state)
{
    tu_fixture *f = *state;
    segrt_import_report rep = tu_import_text(
        f, SEGRT_CONTACTS, "t.csv",
        "id,score,ratio,vip,joined,seen_at,hobbies,note,mixed,blank\n"
        "t1,1,1.5,true,2024-01-02,2024-01-02T03:04:05Z,a;b,hello,1,\n"
        "t2,-2,2,no,2023-12-31,2024-01-02T03:04:06Z,c,,x,\n"
        "t3,,0.25,YES,,2024-01-02T03:04:07Z,,world,2,\n"
        "t4,30,,False,1999-09-09,,a; d ;,x,,\n",
        NULL);
    assert_report(&rep, 4, 4, 0, 4);
    assert_field_info(f->s, "score", SEGRT_T_INTEGER, 3);
    assert_field_info(f->s, "ratio", SEGRT_T_NUMBER, 3);
    assert_field_info(f->s, "vip", SEGRT_T_BOOLEAN, 4);
    assert_field_info(f->s, "joined", SEGRT_T_DATE, 3);
    assert_field_info(f->s, "seen_at", SEGRT_T_TIMESTAMP, 3);
    assert_field_info(f->s, "hobbies", SEGRT_T_SET, 3);
    assert_field_info(f->s, "note", SEGRT_T_STRING, 3);
    assert_field_info(f->s, "mixed", SEGRT_T_STRING, 3);
    assert_field_info(f->s, "blank", SEGRT_T_STRING, 0);
    assert_int_equal(field_count(f->s), 9);
    assert_field(f->s, "t2", "score", "-2");
    assert_field(f->s, "t3", "ratio", "0.25");
    assert_field(f->s, "t4", "vip", "false");
    assert_field(f->s, "t2", "joined", "2023-12-31");
    assert_field(f->s, "t1", "seen_at", "2024-01-02T03:04:05Z");
    assert_field(f->s, "t4", "hobbies", "[\"a\",\"d\"]");
    assert_field(f->s, "t1", "mixed", "1");
    /* A later file must fit the inferred types. */
    tu_rejects r = { 0 };
    rep = tu_import_text(f, SEGRT_CONTACTS, "u.csv", "id,score,joined\nt5,1.5,2024-01-01\n", &r);
    assert_report(&rep, 1, 0, 1, 0);
    tu_assert_reason(&r, 0, "score '1.5' is not an integer");
}

static void test_import_jsonl_contacts_with_arrays_and_nulls(void **state)
{
    tu_fixture *f = *state;
    tu_rejects r = { 0 };
    segrt_import_report rep = tu_import_text(
        f, SEGRT_CONTACTS, "c.jsonl",
        "{\"id\":\"j1\",\"email\":\"j1@ex.ro\",\"tags\":[\"vip\",\"new\"],\"score\":5,"
        "\"ratio\":1.5,\"active\":true,\"city\":\"Iasi\"}\n"          /* 1 */
        "{\"id\":\"j2\",\"tags\":[],\"score\":null,\"city\":null}\n" /* 2 */
        "\n"                                                         /* 3: blank */
        "{\"id\":\"j3\",\"tags\":\"a;b\",\"score\":\"x\"}\n"         /* 4: bad score */
        "{\"id\":\"j1\",\"city\":null,\"tags\":[\"new\"]}\n"         /* 5: clears city */
        "not json\n"                                                 /* 6 */
        "{\"id\":\"j4\",\"score\":[1]}\n"                            /* 7: list for integer */
        "[\"j5\"]\n"                                                 /* 8: not an object */
        "{\"id\":\"j6\",\"city\":{\"name\":\"Cluj\"}}\n",            /* 9: object value */
        &r);
    static const uint64_t lines[] = { 4, 6, 7, 8, 9 };
    assert_reject_lines(&r, lines, ARRAY_LEN(lines));
    tu_assert_reason(&r, 0, "score 'x' is not an integer");
    tu_assert_reason(&r, 2, "score is a list");
    tu_assert_reason(&r, 3, "not a JSON object");
    tu_assert_reason(&r, 4, "city is an object");
    assert_report(&rep, 8, 3, 5, 2);
    tu_assert_counts(f->s, 2, 0, 0);
    assert_field_info(f->s, "tags", SEGRT_T_SET, 1);
    assert_field_info(f->s, "score", SEGRT_T_INTEGER, 1);
    assert_field_info(f->s, "ratio", SEGRT_T_NUMBER, 1);
    assert_field_info(f->s, "active", SEGRT_T_BOOLEAN, 1);
    assert_field_info(f->s, "city", SEGRT_T_STRING, 0);
    assert_field(f->s, "j1", "tags", "[\"new\"]");
    assert_field(f->s, "j1", "city", "");
    assert_field(f->s, "j1", "score", "5");
    assert_field(f->s, "j1", "ratio", "1.5");
    assert_field(f->s, "j1", "active", "true");
    assert_field(f->s, "j1", "email", "j1@ex.ro");
    assert_field(f->s, "j2", "tags", "");
    tu_assert_check_ok(f->s);
}

static void test_import_jsonl_events_keep_extra_attributes_with_their_types(void **state)
{
    tu_fixture *f = *state;
    tu_import_text(f, SEGRT_CONTACTS, "c.csv", contacts_csv, NULL);
    segrt_import_report rep = tu_import_text(
        f, SEGRT_EVENTS, "e.jsonl",
        "{\"contact_id\":\"c1\",\"ts\":\"2025-01-01T00:00:00Z\",\"type\":\"view\","
        "\"amount\":12.5,\"device\":\"ios\",\"qty\":3,\"premium\":true,\"skus\":[\"a\",\"b\"]}\n",
        NULL);
    assert_report(&rep, 1, 1, 0, 1);
    json_t *evs = events_of(f->s, "c1");
    json_t *e = json_array_get(evs, 0);
    assert_non_null(e);
    assert_true(json_real_value(json_object_get(e, "amount")) == 12.5);
    assert_string_equal(json_string_value(json_object_get(e, "device")), "ios");
    assert_int_equal(json_array_size(json_object_get(e, "skus")), 2);
    json_t *qty = json_object_get(e, "qty"), *premium = json_object_get(e, "premium");
    int kept = json_is_integer(qty) && json_integer_value(qty) == 3 && json_is_true(premium);
    char *dump = json_dumps(e, JSON_COMPACT), text[256];
    snprintf(text, sizeof text, "%s", dump ? dump : "?");
    free(dump);
    json_decref(evs);
    if (!kept)
        fail_msg("the exported event is %s: qty and premium should stay 3 and true", text);
}

/* ------------------------------------------------------------ file-level errors */

static void test_import_reports_file_level_errors(void **state)
{
    tu_fixture *f = *state;
    static const struct {
        segrt_kind kind;
        const char *name, *text, *msg;
        int rc;
    } cases[] = {
        { SEGRT_CONTACTS, "noid.csv", "email,city\na@b.c,X\n", "missing column 'id'",
          SEGRT_EINVAL },
        { SEGRT_CONTACTS, "empty.csv", "", "empty", SEGRT_EINVAL },
        { SEGRT_CONTACTS, "age.csv", "id,age\nc1,4\n", "age", SEGRT_EINVAL },
        { SEGRT_CONTACTS, "twice.csv", "id,city,city\nc1,a,b\n", "appears twice", SEGRT_EINVAL },
        { SEGRT_CONTACTS, "name.csv", "id,first name\nc1,a\n", "not a valid field name",
          SEGRT_EINVAL },
        { SEGRT_EVENTS, "nots.csv", "contact_id,type\nc1,visit\n", "missing column 'ts'",
          SEGRT_EINVAL },
        { SEGRT_EVENTS, "noty.csv", "ts,contact_id\n", "missing column 'type'", SEGRT_EINVAL },
        { SEGRT_EVENTS, "attr.csv", "contact_id,ts,type,bad name\n", "not a valid attribute",
          SEGRT_EINVAL },
        { SEGRT_CONSENTS, "col.csv", "contact_id,purpose,status,ts,colour\n", "colour",
          SEGRT_EINVAL },
        /* the first missing one in the kind's order, whatever the header's */
        { SEGRT_CONSENTS, "first.csv", "status,contact_id\n", "missing column 'purpose'",
          SEGRT_EINVAL },
        { SEGRT_CONSENTS, "nots.csv", "purpose,status,contact_id,source\n",
          "missing column 'ts'", SEGRT_EINVAL },
        /* one kind's column is not another's */
        { SEGRT_CONSENTS, "evcol.csv", "contact_id,purpose,status,ts,type\n", "'type'",
          SEGRT_EINVAL },
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char path[TU_PATH_MAX];
        segrt_import_report rep = { .rows = 9 };
        tu_write(path, f->dir, cases[i].name, cases[i].text);
        int rc = segrt_import_file(f->s, cases[i].kind, path, NULL, &rep);
        if (rc != cases[i].rc || strstr(segrt_errmsg(f->s), cases[i].msg) == NULL)
            fail_msg("%s: %s \"%s\"", cases[i].name, segrt_errname(rc), segrt_errmsg(f->s));
        assert_int_equal(rep.rows, 0);
    }
    char missing[TU_PATH_MAX];
    tu_path(missing, f->dir, "nope.csv");
    assert_int_equal(segrt_import_file(f->s, SEGRT_CONTACTS, missing, NULL, NULL), SEGRT_EIO);
    assert_non_null(strstr(segrt_errmsg(f->s), "nope.csv"));
    assert_int_equal(segrt_import_file(f->s, SEGRT_CONTACTS, f->dir, NULL, NULL), SEGRT_EIO);
    assert_int_equal(segrt_import_file(f->s, (segrt_kind)0, missing, NULL, NULL), SEGRT_EINVAL);
    assert_int_equal(segrt_import_file(NULL, SEGRT_CONTACTS, missing, NULL, NULL), SEGRT_EINVAL);
    tu_assert_counts(f->s, 0, 0, 0);
    assert_int_equal(field_count(f->s), 0);
}

/* ------------------------------------------------------------ map growth */

/* What the callbacks of one import saw. */
typedef struct watch {
    tu_rejects rejects, notices;
    size_t calls;
    uint64_t bytes, total, rows, first_bytes;
    int backwards;
} watch;

static void watch_reject(void *ud, const char *file, uint64_t line, const char *reason)
{
    tu_on_reject(&((watch *)ud)->rejects, file, line, reason);
}

static void watch_notice(void *ud, const char *file, uint64_t line, const char *notice)
{
    tu_on_reject(&((watch *)ud)->notices, file, line, notice);
}

static void watch_progress(void *ud, uint64_t done, uint64_t total, uint64_t rows)
{
    watch *w = ud;
    if (w->calls == 0)
        w->first_bytes = done;
    else if (done < w->bytes || rows < w->rows || total != w->total)
        w->backwards = 1;
    w->calls++;
    w->bytes = done;
    w->total = total;
    w->rows = rows;
}

/* Import path in batches of 100 rows; progress must be reported once per batch, forward. */
static segrt_import_report grow_import(tu_fixture *f, segrt_kind kind, const char *path,
                                       watch *w)
{
    memset(w, 0, sizeof *w);
    segrt_import_opts o = { .batch_rows = 100, .on_reject = watch_reject,
                            .on_notice = watch_notice, .on_progress = watch_progress, .ud = w };
    segrt_import_report rep = import_opts(f, kind, path, &o, SEGRT_OK);
    assert_true(rep.batches >= rep.rows / 100 && rep.batches <= rep.rows / 100 + 1);
    assert_int_equal(w->calls, rep.batches);
    assert_false(w->backwards);
    assert_true(w->first_bytes > 0 && w->first_bytes < w->total / 10);
    assert_true(w->bytes == w->total);
    assert_true(w->rows == rep.rows);
    return rep;
}

#define GROW_CONTACTS 3000

/*
 * Contact i has a bad income every 300th from 50 and at 150 (rejected), or repeats the
 * e-mail of i - 1 every 1000th (kept with a notice). The first batches, those the map
 * growth replays, have bad rows.
 */
static int bad_income(int i)
{
    return i % 300 == 50 || i == 150;
}

static int dup_email(int i)
{
    return i % 1000 == 500;
}

static FILE *create(char path[TU_PATH_MAX], const char *dir, const char *name)
{
    FILE *out = fopen(tu_path(path, dir, name), "w");
    assert_non_null(out);
    return out;
}

static void write_grow_contacts(FILE *out)
{
    fprintf(out, "id,email,first_name,city,income,birth_date,tags,score\n");
    for (int i = 0; i < GROW_CONTACTS; i++) {
        fprintf(out, "g%05d,g%05d@ex.ro,Name%d,City%d,", i, dup_email(i) ? i - 1 : i, i, i % 7);
        if (bad_income(i))
            fprintf(out, "bad,");
        else
            fprintf(out, "%d,", 1000 + i);
        fprintf(out, "19%02d-0%d-1%d,t%d;t%d,%d\n", 50 + i % 50, 1 + i % 9, i % 10, i % 5,
                i % 11, i);
    }
    assert_int_equal(fclose(out), 0);
}

/* Two events per contact, and a copy of the second every 1000th contact (a third
 * event: identical rows of one file are distinct events); the lines of rows for
 * rejected contacts go to lines. Returns the rows written. */
static uint64_t write_grow_events(FILE *out, uint64_t *lines, size_t *nlines)
{
    uint64_t line = 1;
    *nlines = 0;
    fprintf(out, "contact_id,ts,type,amount,category\n");
    for (int i = 0; i < GROW_CONTACTS; i++) {
        for (int k = 0; k < (i % 1000 == 0 ? 3 : 2); k++) {
            int e = k < 2 ? k : 1;
            fprintf(out, "g%05d,2025-%02d-%02dT10:00:%02dZ,%s,%d.%02d,cat%d\n", i, 1 + i % 12,
                    1 + i % 28, e, e ? "purchase" : "visit", i, e, i % 3);
            line++;
            if (bad_income(i) && *nlines < TU_MAX_REJECTS)
                lines[(*nlines)++] = line;
        }
    }
    assert_int_equal(fclose(out), 0);
    return line - 1;
}

static void write_grow_consents(FILE *out)
{
    fprintf(out, "contact_id,purpose,status,legal_basis,ts\n");
    for (int i = 0; i < GROW_CONTACTS; i++)
        fprintf(out, "g%05d,email,%s,consent,2025-01-01T00:00:00Z\n", i,
                i % 2 ? "granted" : "denied");
    assert_int_equal(fclose(out), 0);
}

static void test_import_grows_a_tiny_map_without_losing_or_repeating_rows(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(segrt_store_set_mapsize(f->s, (size_t)1 << 20), SEGRT_OK);
    char path[TU_PATH_MAX];
    uint64_t lines[TU_MAX_REJECTS];
    size_t nlines = 0;
    uint64_t good = 0;
    for (int i = 0; i < GROW_CONTACTS; i++) {
        if (bad_income(i))
            lines[nlines++] = (uint64_t)i + 2;
        else
            good++;
    }
    const uint64_t bad = GROW_CONTACTS - good;
    assert_int_equal(bad, 11);
    watch w;

    write_grow_contacts(create(path, f->dir, "contacts.csv"));
    segrt_import_report rep = grow_import(f, SEGRT_CONTACTS, path, &w);
    assert_report(&rep, GROW_CONTACTS, good, bad, good);
    assert_reject_lines(&w.rejects, lines, nlines);
    for (size_t i = 0; i < w.rejects.n; i++)
        tu_assert_reason(&w.rejects, i, "income 'bad'");
    static const uint64_t noted[] = { 502, 1502, 2502 }; /* once each, though replayed */
    assert_reject_lines(&w.notices, noted, ARRAY_LEN(noted));
    assert_int_equal(rep.noticed, ARRAY_LEN(noted));

    write_grow_consents(create(path, f->dir, "consents.csv"));
    rep = grow_import(f, SEGRT_CONSENTS, path, &w);
    assert_report(&rep, GROW_CONTACTS, good, bad, good);
    assert_reject_lines(&w.rejects, lines, nlines);

    uint64_t rows = write_grow_events(create(path, f->dir, "events.csv"), lines, &nlines);
    rep = grow_import(f, SEGRT_EVENTS, path, &w);
    const uint64_t copies = GROW_CONTACTS / 1000; /* contacts 0, 1000, 2000: none rejected */
    assert_report(&rep, rows, rows - nlines, nlines, 2 * good + copies);
    assert_reject_lines(&w.rejects, lines, nlines);

    tu_assert_counts(f->s, good, 2 * good + copies, good);
    assert_field_info(f->s, "income", SEGRT_T_INTEGER, good);
    assert_field_info(f->s, "tags", SEGRT_T_SET, good);
    assert_field_info(f->s, "score", SEGRT_T_INTEGER, good);
    assert_true(tu_stats(f->s).store_bytes > ((uint64_t)1 << 20)); /* the map did grow */
    assert_field(f->s, "g02999", "income", "3999");
    assert_field(f->s, "g02999", "tags", "[\"t4\",\"t7\"]");
    tu_assert_check_ok(f->s);
    segrt_store_close(f->s); /* and the grown store reopens whole */
    tu_open(f, SEGRT_OPEN_READONLY);
    tu_assert_counts(f->s, good, 2 * good + copies, good);
    tu_assert_check_ok(f->s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_import_contacts_upsert_updates_given_fields_and_keeps_others),
        TU_STORE_TEST(test_import_contacts_in_and_out_of_id_order_are_all_found),
        TU_STORE_TEST(test_import_reject_callback_gets_file_line_and_reason),
        TU_STORE_TEST(test_import_strict_mode_stops_at_a_bad_row_and_commits_nothing),
        TU_STORE_TEST(test_import_strict_events_commit_nothing_of_the_file),
        TU_STORE_TEST(test_import_duplicate_normalised_email_is_kept_with_a_notice),
        TU_STORE_TEST(test_import_changed_email_frees_the_old_address),
        TU_STORE_TEST(test_import_email_of_a_rejected_row_blocks_no_other_contact),
        TU_STORE_TEST(test_import_events_and_consents_are_idempotent_on_reimport),
        TU_STORE_TEST(test_import_identical_events_count_by_multiplicity_across_batches),
        TU_STORE_TEST(test_import_event_id_seen_again_replaces_the_event),
        TU_STORE_TEST(test_import_events_for_unknown_contacts_are_rejected),
        TU_STORE_TEST(test_import_events_batch_read_again_after_another_write),
        TU_STORE_TEST(test_import_events_land_on_their_contacts_in_runs_and_out),
        TU_STORE_TEST(test_import_consent_rows_are_checked),
        TU_STORE_TEST(test_import_infers_the_types_of_custom_columns),
        TU_STORE_TEST(test_import_jsonl_contacts_with_arrays_and_nulls),
        TU_STORE_TEST(test_import_jsonl_events_keep_extra_attributes_with_their_types),
        TU_STORE_TEST(test_import_reports_file_level_errors),
        TU_STORE_TEST(test_import_grows_a_tiny_map_without_losing_or_repeating_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
