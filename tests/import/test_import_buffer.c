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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_buffer_csv_and_jsonl_from_memory,
                                        tu_setup_store, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_import_buffer_rejects_name_the_buffer,
                                        tu_setup_store, tu_teardown_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
