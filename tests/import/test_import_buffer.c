/*
 * test_import_buffer.c — segrt_import_buffer: rows from memory, as a host
 * embedding segrt feeds them (CSV or one JSONL line at a time).
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

static void test_import_buffer_csv_and_jsonl_from_memory(void **state)
{
    tu_fixture *f = *state;
    char contacts[] = "id,email,income\nm1,m1@example.com,100\nm2,m2@example.com,200\n";
    const char *copy = "id,email,income\nm1,m1@example.com,100\nm2,m2@example.com,200\n";
    segrt_import_report rep;
    assert_int_equal(segrt_import_buffer(f->s, SEGRT_CONTACTS, "crm", contacts, strlen(contacts),
                                         0, NULL, &rep),
                     SEGRT_OK);
    assert_int_equal(rep.accepted, 2);
    assert_string_equal(contacts, copy); /* the host's buffer is left as it was */
    const char *event = "{\"contact_id\":\"m2\",\"ts\":\"2025-06-01T00:00:00Z\","
                        "\"type\":\"purchase\",\"amount\":12.5}\n";
    assert_int_equal(segrt_import_buffer(f->s, SEGRT_EVENTS, "stream", event, strlen(event), 1,
                                         NULL, &rep),
                     SEGRT_OK);
    assert_int_equal(rep.accepted, 1);
    segrt_store_set_now(f->s, TU_NOW);
    segrt_script *sc = tu_script(f->s, "s",
                                 TU_SEG_PRELUDE "seg.segment 'b' { where = E.purchase:exists() }\n");
    tu_assert_members(f->s, sc, "b", "m2");
    segrt_script_free(sc);
}

static void test_import_buffer_rejects_name_the_buffer(void **state)
{
    tu_fixture *f = *state;
    const char *bad = "{\"contact_id\":\"nobody\",\"ts\":\"2025-06-01T00:00:00Z\",\"type\":\"x\"}\n";
    segrt_import_report rep;
    assert_int_equal(segrt_import_buffer(f->s, SEGRT_EVENTS, "stream", bad, strlen(bad), 1, NULL,
                                         &rep),
                     SEGRT_OK);
    assert_int_equal(rep.rejected, 1);
    assert_int_equal(segrt_import_buffer(NULL, SEGRT_EVENTS, "x", bad, 1, 1, NULL, &rep),
                     SEGRT_EINVAL);
    assert_int_equal(segrt_import_buffer(f->s, SEGRT_EVENTS, "x", NULL, 0, 1, NULL, &rep),
                     SEGRT_EINVAL);
}

/* A number field of a contact (json real or integer) as a double. */
static double contact_num(segrt_store *s, const char *id, const char *name)
{
    json_t *v = tu_contact_field(s, id, name);
    assert_non_null(v);
    double d = json_number_value(v);
    json_decref(v);
    return d;
}

/* The dialect options through the public API: tab, cp1250, map, id_from, local formats. */
static void test_import_buffer_reads_a_legacy_dialect(void **state)
{
    tu_fixture *f = *state;
    /* cp1250: \xb3 is l with stroke, \xaa is S with cedilla. */
    static const char text[] = "E-mail\tName\tSaldo\tData\r\n"
                               " Jan@Example.PL \t\xb3ucja\t1.234,5\t15.06.2024 23:30\r\n"
                               "x@example.ro\t\xaatefan\t-0,25\t01.01.2025 00:00\r\n";
    segrt_import_opts o = { .delimiter = '\t', .encoding = "cp1250",
                            .map = "E-mail=email,Name=first_name,Saldo=saldo,Data=seen_at",
                            .id_from = "email", .timestamp_format = "%d.%m.%Y %H:%M",
                            .tz = "Europe/Warsaw", .decimal = ',' };
    segrt_import_report rep;
    assert_int_equal(segrt_import_buffer(f->s, SEGRT_CONTACTS, "legacy", text, sizeof text - 1,
                                         0, &o, &rep),
                     SEGRT_OK);
    assert_int_equal(rep.accepted, 2);
    /* ids: "e:" + XXH64 of the normalised address (tests/oracle/xxh64.py) */
    const char *jan = "e:92b1bbe6ea446851", *x = "e:a987172e0b18270e";
    char out[128];
    assert_string_equal(tu_contact_str(f->s, jan, "first_name", out, sizeof out), "\xc5\x82ucja");
    assert_string_equal(tu_contact_str(f->s, x, "first_name", out, sizeof out), "\xc5\x9etefan");
    assert_string_equal(tu_contact_str(f->s, jan, "seen_at", out, sizeof out),
                        "2024-06-15T21:30:00Z"); /* CEST */
    assert_string_equal(tu_contact_str(f->s, x, "seen_at", out, sizeof out),
                        "2024-12-31T23:00:00Z"); /* CET */
    assert_true(contact_num(f->s, jan, "saldo") == 1234.5);
    assert_true(contact_num(f->s, x, "saldo") == -0.25);
    /* the same rows again: the same contacts */
    assert_int_equal(segrt_import_buffer(f->s, SEGRT_CONTACTS, "legacy", text, sizeof text - 1,
                                         0, &o, &rep),
                     SEGRT_OK);
    assert_int_equal(rep.inserted, 0);
    tu_assert_counts(f->s, 2, 0, 0);
}

static void test_import_buffer_refuses_bad_dialect_options(void **state)
{
    tu_fixture *f = *state;
    static const struct {
        segrt_import_opts o;
        const char *msg;
    } bad[] = {
        { { .encoding = "no-such-encoding" }, "--encoding 'no-such-encoding'" },
        { { .delimiter = 'x' }, "--delimiter 'x'" },
        { { .map = "A=email,B" }, "--map 'B' is not SOURCE COLUMN=field" },
        { { .map = "A=not a name" }, "--map 'A=not a name'" },
        { { .map = ",A=email" }, "--map '' is not" },
        { { .map = "=email" }, "--map '=email' is not" },
        { { .id_from = "phone" }, "--id-from 'phone'" },
        { { .tz = "../etc/passwd" }, "--tz '../etc/passwd'" },
        { { .decimal = ';' }, "--decimal ';'" },
    };
    char msg[256];
    const char *text = "id\nc1\n";
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(segrt_import_check_opts(&bad[i].o, msg, sizeof msg), SEGRT_EINVAL);
        if (strstr(msg, bad[i].msg) == NULL)
            fail_msg("'%s' does not say '%s'", msg, bad[i].msg);
        assert_int_equal(segrt_import_buffer(f->s, SEGRT_CONTACTS, "b", text, strlen(text), 0,
                                             &bad[i].o, NULL),
                         SEGRT_EINVAL);
    }
    segrt_import_opts good = { .delimiter = ';', .encoding = "ISO-8859-2", .tz = "UTC",
                               .map = "Email Address=email", .decimal = ',' };
    assert_int_equal(segrt_import_check_opts(&good, msg, sizeof msg), SEGRT_OK);
    assert_int_equal(segrt_import_check_opts(NULL, msg, sizeof msg), SEGRT_OK);
    tu_assert_counts(f->s, 0, 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_buffer_csv_and_jsonl_from_memory,
                                        tu_setup_store, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_import_buffer_reads_a_legacy_dialect,
                                        tu_setup_store, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_import_buffer_refuses_bad_dialect_options,
                                        tu_setup_store, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_import_buffer_rejects_name_the_buffer,
                                        tu_setup_store, tu_teardown_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
