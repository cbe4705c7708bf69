/*
 * test_import_ids_kept.c — the whole id index an import loaded is kept on
 * the store handle for the next file's import (core/import/import.c,
 * keep_ids and open_ids): the events after a big contacts file find their
 * contacts without reading the index again, and an index that a write has
 * made stale (an erasure, a consent record appended) is never used.
 *
 * An import loads the whole index only for an input of more than some
 * 1.3 MB, so the contacts file here is 30,000 rows of 50 bytes.
 *
 * Uses: cmocka, segrt.h, store.h (the handle's ids_kept), test_util.h.
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
#include "store/store.h"
#include "test_util.h"

#define CONTACTS 30000

/* Import CONTACTS contacts c00000 .. c29999 from one file big enough to load the whole index. */
static void import_many_contacts(tu_fixture *f)
{
    size_t cap = 64 + (size_t)CONTACTS * 64, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    n += (size_t)snprintf(text + n, cap - n, "id,note\n");
    for (int i = 0; i < CONTACTS; i++)
        n += (size_t)snprintf(text + n, cap - n, "c%05d,%s\n", i,
                              "a note that makes the row fifty bytes long");
    tu_import_text(f, SEGRT_CONTACTS, "contacts.csv", text, NULL);
    free(text);
}

static const char events_csv[] = "contact_id,ts,type\n"
                                 "c00005,2025-01-01T00:00:00Z,visit\n"
                                 "c29999,2025-01-02T00:00:00Z,visit\n"
                                 "c30000,2025-01-03T00:00:00Z,visit\n";

static void test_the_next_import_takes_the_index_the_last_one_loaded(void **state)
{
    tu_fixture *f = *state;
    import_many_contacts(f);
    const struct strmap *kept = f->s->ids_kept;
    assert_non_null(kept);
    tu_rejects r = { 0 };
    segrt_import_report rep = tu_import_text(f, SEGRT_EVENTS, "e.csv", events_csv, &r);
    assert_int_equal(rep.accepted, 2);
    assert_int_equal(r.n, 1);
    tu_assert_reason(&r, 0, "contact_id 'c30000' is not a known contact");
    /* the events' import took the same index, and left it for the next */
    assert_ptr_equal(f->s->ids_kept, kept);
    tu_assert_counts(f->s, CONTACTS, 2, 0);
    tu_assert_check_ok(f->s);
}

static void test_an_erasure_since_makes_the_kept_index_stale(void **state)
{
    tu_fixture *f = *state;
    import_many_contacts(f);
    assert_non_null(f->s->ids_kept);
    assert_int_equal(segrt_contact_erase(f->s, "c00005", "test"), SEGRT_OK);
    tu_rejects r = { 0 };
    segrt_import_report rep = tu_import_text(f, SEGRT_EVENTS, "e.csv", events_csv, &r);
    /* with the stale index, c00005's event would land on an erased contact */
    assert_int_equal(rep.accepted, 1);
    assert_int_equal(r.n, 2);
    tu_assert_reason(&r, 0, "contact_id 'c00005' is not a known contact");
    assert_null(f->s->ids_kept); /* a small input looks ids up one at a time: nothing to keep */
    tu_assert_counts(f->s, CONTACTS - 1, 1, 0);
    tu_assert_check_ok(f->s);
}

static void test_every_kind_of_import_passes_the_index_on(void **state)
{
    tu_fixture *f = *state;
    import_many_contacts(f);
    const struct strmap *kept = f->s->ids_kept;
    assert_non_null(kept);
    tu_import_text(f, SEGRT_CONSENTS, "s.csv",
                   "contact_id,purpose,status,ts,source\n"
                   "c00001,email_marketing,granted,2025-01-01T00:00:00Z,form\n",
                   NULL);
    assert_ptr_equal(f->s->ids_kept, kept);
    segrt_import_report rep = tu_import_text(f, SEGRT_EVENTS, "e.csv", events_csv, NULL);
    assert_int_equal(rep.accepted, 2);
    assert_ptr_equal(f->s->ids_kept, kept);
    tu_assert_counts(f->s, CONTACTS, 2, 1);
}

static void test_a_write_other_than_an_import_drops_the_kept_index(void **state)
{
    tu_fixture *f = *state;
    import_many_contacts(f);
    assert_non_null(f->s->ids_kept);
    assert_int_equal(segrt_consent_append(f->s, "c00001", "email_marketing", "granted", NULL,
                                          INT64_MIN, NULL, "test"),
                     SEGRT_OK);
    segrt_import_report rep = tu_import_text(f, SEGRT_EVENTS, "e.csv", events_csv, NULL);
    assert_int_equal(rep.accepted, 2);
    assert_null(f->s->ids_kept);
    tu_assert_counts(f->s, CONTACTS, 2, 1);
}

static void test_a_failed_import_keeps_nothing(void **state)
{
    tu_fixture *f = *state;
    import_many_contacts(f);
    char path[TU_PATH_MAX];
    segrt_import_opts o = { .strict = 1 };
    segrt_import_report rep;
    tu_write(path, f->dir, "bad.csv", "contact_id,ts,type\nc00001,yesterday,visit\n");
    assert_int_equal(segrt_import_file(f->s, SEGRT_EVENTS, path, &o, &rep), SEGRT_EBADROW);
    assert_null(f->s->ids_kept);
    tu_assert_counts(f->s, CONTACTS, 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_the_next_import_takes_the_index_the_last_one_loaded),
        TU_STORE_TEST(test_an_erasure_since_makes_the_kept_index_stale),
        TU_STORE_TEST(test_every_kind_of_import_passes_the_index_on),
        TU_STORE_TEST(test_a_write_other_than_an_import_drops_the_kept_index),
        TU_STORE_TEST(test_a_failed_import_keeps_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
