/*
 * test_list_read.c — reading a contact's stored lists: event_list_read and
 * consent_list_read give the timeline and the history as stored (appended
 * to what the list holds), nothing for a contact without any, and
 * SEGRT_ECORRUPT with the contact in the message for a value that does not
 * decode; store_decoded maps a codec's result the same way for values read
 * elsewhere (a merge record's copies).
 *
 * Uses: cmocka, event.h, consent.h, store.h, test_util.h.
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
#include "store/consent.h"
#include "store/event.h"
#include "store/store.h"
#include "util/value.h"
#include "test_util.h"

/* A value to put under contact ord of table db. */
typedef struct put_args {
    enum store_db db;
    uint32_t ord;
    const buf *value;
} put_args;

static int put_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    const put_args *a = ud;
    uint32_t ord = a->ord;
    MDB_val k = store_ord_key(&ord), v = { a->value->len, a->value->p };
    int mrc = mdb_put(txn, s->dbi[a->db], &k, &v, 0);
    return mrc == 0 ? SEGRT_OK : store_mdb_fail(s, mrc, "putting in a test");
}

static void put(segrt_store *s, enum store_db db, uint32_t ord, const buf *value)
{
    put_args a = { db, ord, value };
    assert_int_equal(store_write(s, put_in, &a), SEGRT_OK);
}

/* Both lists of contact ord, read in one snapshot after what they held. */
typedef struct read_args {
    uint32_t ord;
    event_list evs;
    consent_list css;
} read_args;

static int read_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    read_args *a = ud;
    int rc = event_list_read(s, txn, a->ord, &a->evs);
    return rc == SEGRT_OK ? consent_list_read(s, txn, a->ord, &a->css) : rc;
}

static void test_list_read_gives_what_is_stored_after_what_the_list_holds(void **state)
{
    tu_fixture *f = *state;
    event_list evs = { 0 };
    consent_list css = { 0 };
    buf e = { 0 }, c = { 0 };
    event_rec r = { .ts = 100, .amount = 5, .type = 2 };
    assert_int_equal(event_list_add(&evs, &r, "e1", 2, "", 0), 0);
    consent_rec cr = { .ts = 50, .purpose = 3, .status = CS_GRANTED };
    assert_int_equal(consent_list_push(&css, &cr), 0);
    assert_int_equal(event_list_encode(&evs, &e), 0);
    assert_int_equal(consent_list_encode(&css, &c), 0);
    put(f->s, DB_EVENTS, 7, &e);
    put(f->s, DB_CONSENTS, 7, &c);

    read_args a = { .ord = 7 };
    assert_int_equal(event_list_add(&a.evs, &r, "", 0, "", 0), 0); /* held before the read */
    assert_int_equal(store_read(f->s, read_in, &a), SEGRT_OK);
    assert_int_equal(a.evs.n, 2);
    assert_int_equal(a.evs.recs[1].ts, 100);
    assert_int_equal(a.css.n, 1);
    assert_int_equal(a.css.recs[0].purpose, 3);
    event_list_free(&a.evs);
    consent_list_free(&a.css);
    event_list_free(&evs);
    consent_list_free(&css);
    buf_free(&e);
    buf_free(&c);
}

static void test_list_read_of_a_contact_without_lists_gives_nothing(void **state)
{
    tu_fixture *f = *state;
    read_args a = { .ord = 3 };
    assert_int_equal(store_read(f->s, read_in, &a), SEGRT_OK);
    assert_int_equal(a.evs.n, 0);
    assert_int_equal(a.css.n, 0);
    event_list_free(&a.evs);
    consent_list_free(&a.css);
}

static void test_list_read_reports_a_value_that_does_not_decode(void **state)
{
    tu_fixture *f = *state;
    buf junk = { 0 };
    assert_int_equal(buf_put(&junk, "xyz", 3), 0);
    put(f->s, DB_CONSENTS, 9, &junk);
    read_args a = { .ord = 9 };
    assert_int_equal(store_read(f->s, read_in, &a), SEGRT_ECORRUPT);
    assert_string_equal(segrt_errmsg(f->s), "consents of contact 9 are corrupt");
    put(f->s, DB_EVENTS, 9, &junk);
    assert_int_equal(store_read(f->s, read_in, &a), SEGRT_ECORRUPT);
    assert_string_equal(segrt_errmsg(f->s), "events of contact 9 are corrupt");
    event_list_free(&a.evs);
    consent_list_free(&a.css);
    buf_free(&junk);
}

static void test_list_newest_is_the_latest_ts_of_each_list(void **state)
{
    (void)state;
    event_list evs = { 0 };
    consent_list css = { 0 };
    buf e = { 0 }, c = { 0 };
    const int64_t ev_ts[] = { 300, 100, 200 }, cs_ts[] = { 70, 90, 80 };
    for (size_t i = 0; i < 3; i++) {
        event_rec r = { .ts = ev_ts[i], .type = 2 };
        assert_int_equal(event_list_add(&evs, &r, "", 0, "{\"k\":1}", 7), 0);
        consent_rec cr = { .ts = cs_ts[i], .purpose = 3, .status = CS_GRANTED };
        assert_int_equal(consent_list_push(&css, &cr), 0); /* histories keep import order */
    }
    assert_int_equal(event_list_merge(&evs, 0), 0); /* timelines are stored in time order */
    assert_int_equal(event_list_encode(&evs, &e), 0);
    assert_int_equal(consent_list_encode(&css, &c), 0);
    int64_t ts = 0;
    assert_int_equal(event_list_newest(e.p, e.len, &ts), 0);
    assert_int_equal(ts, 300);
    assert_int_equal(consent_list_newest(c.p, c.len, &ts), 0);
    assert_int_equal(ts, 90);
    event_list_free(&evs);
    consent_list_free(&css);
    buf_free(&e);
    buf_free(&c);
    /* Empty lists hold no newest. */
    event_list none = { 0 };
    consent_list nothing = { 0 };
    assert_int_equal(event_list_encode(&none, &e), 0);
    assert_int_equal(consent_list_encode(&nothing, &c), 0);
    assert_int_equal(event_list_newest(e.p, e.len, &ts), 0);
    assert_int_equal(ts, VALUE_MISSING);
    assert_int_equal(consent_list_newest(c.p, c.len, &ts), 0);
    assert_int_equal(ts, VALUE_MISSING);
    buf_free(&e);
    buf_free(&c);
}

static void test_list_newest_of_a_value_that_does_not_decode_is_minus_one(void **state)
{
    (void)state;
    int64_t ts = 0;
    assert_int_equal(event_list_newest("xyz", 3, &ts), -1);
    assert_int_equal(event_list_newest("xyzxyzxyz", 9, &ts), -1);
    assert_int_equal(consent_list_newest("xy", 2, &ts), -1);
    assert_int_equal(consent_list_newest("xyzxyzxyz", 9, &ts), -1);
}

static void test_store_decoded_maps_a_codec_s_result(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(store_decoded(f->s, 0, "events", 1), SEGRT_OK);
    assert_int_equal(store_decoded(f->s, -2, "events", 1), SEGRT_ENOMEM);
    assert_string_equal(segrt_errmsg(f->s), "out of memory reading events");
    assert_int_equal(store_decoded(f->s, -1, "consents", 4), SEGRT_ECORRUPT);
    assert_string_equal(segrt_errmsg(f->s), "consents of contact 4 are corrupt");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_list_read_gives_what_is_stored_after_what_the_list_holds),
        TU_STORE_TEST(test_list_read_of_a_contact_without_lists_gives_nothing),
        TU_STORE_TEST(test_list_read_reports_a_value_that_does_not_decode),
        TU_STORE_TEST(test_list_newest_is_the_latest_ts_of_each_list),
        TU_STORE_TEST(test_list_newest_of_a_value_that_does_not_decode_is_minus_one),
        TU_STORE_TEST(test_store_decoded_maps_a_codec_s_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
