/*
 * test_store_scan.c — store_scan (core/store/store.h): every entry in key
 * order, or those under a key prefix (bytes with NULs included) and no
 * more on either side; an empty or missing table; a code from fn stops the
 * scan and comes back with its message; an LMDB error is recorded with the
 * caller's context; a write transaction sees its own puts; without a
 * transaction the scan reads a snapshot of its own and closes it. Also
 * store_scan_from (from a key on, in an ordinal table too, until STORE_STOP)
 * and store_ord_decode, with which scans read an entry's ordinal.
 *
 * Uses: cmocka, store.h, segrt.h, test_util.h.
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

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ helpers */

/* A key of the segments table (byte keys), with its length: NULs count. */
typedef struct key {
    const char *b;
    size_t n;
} key;

#define KEY(lit) { lit, sizeof lit - 1 }

/* Stored in the segments table by the tests that need entries, out of order. */
static const key some_keys[] = { KEY("b"), KEY("ab"), KEY("m\0b"), KEY("a"), KEY("abc"),
                                 KEY("m\1a"), KEY("ba"), KEY("m"), KEY("m\0a") };

static int put_keys(segrt_store *s, MDB_txn *txn, void *ud)
{
    (void)ud;
    for (size_t i = 0; i < ARRAY_LEN(some_keys); i++) {
        MDB_val k = { some_keys[i].n, (void *)some_keys[i].b }, v = { 1, (void *)"v" };
        int mrc = mdb_put(txn, s->dbi[DB_SEGMENTS], &k, &v, 0);
        if (mrc != 0)
            return store_mdb_fail(s, mrc, "put_keys");
    }
    return SEGRT_OK;
}

/* What a scan saw: the keys as text ("a|ab|", NUL and \1 shown as 0 and 1), and how it is to stop. */
typedef struct seen {
    char keys[256];
    int calls;
    int stop_at;  /* on this call (from 1) return stop_rc; 0: never */
    int stop_rc;
} seen;

static int note(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    seen *x = ud;
    (void)txn;
    (void)v;
    size_t used = strlen(x->keys);
    for (size_t i = 0; i < k->mv_size && used + 2 < sizeof x->keys; i++) {
        char c = ((const char *)k->mv_data)[i];
        x->keys[used++] = c == 0 ? '0' : c == 1 ? '1' : c;
    }
    x->keys[used++] = '|';
    x->keys[used] = '\0';
    if (++x->calls != x->stop_at)
        return SEGRT_OK;
    return x->stop_rc < 0 ? store_fail(s, x->stop_rc, "note: stopping at call %d", x->calls)
                          : x->stop_rc;
}

/* Scan table db under prefix (n bytes) in a read snapshot of the scan's own. */
static int scan(segrt_store *s, enum store_db db, const char *prefix, size_t n, seen *x)
{
    return store_scan(s, NULL, db, prefix, n, "scanning in a test", note, x);
}

#define SCAN_PREFIX(s, lit, x) scan(s, DB_SEGMENTS, lit, sizeof lit - 1, x)

/* mdb_reader_list: count the lines that are not "(no active readers)". */
static int count_line(const char *msg, void *ctx)
{
    if (strstr(msg, "(no active readers)") == NULL)
        (*(int *)ctx)++;
    return 0;
}

/* ------------------------------------------------------------ tests */

static void test_store_scan_visits_every_entry_in_key_order(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(store_write(f->s, put_keys, NULL), SEGRT_OK);
    seen x = { 0 };
    assert_int_equal(scan(f->s, DB_SEGMENTS, NULL, 0, &x), SEGRT_OK);
    assert_string_equal(x.keys, "a|ab|abc|b|ba|m|m0a|m0b|m1a|");
    assert_int_equal(x.calls, 9);
}

static void test_store_scan_visits_only_the_keys_under_a_prefix(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(store_write(f->s, put_keys, NULL), SEGRT_OK);
    seen ab = { 0 }, abc = { 0 }, abcd = { 0 }, b = { 0 }, kind = { 0 };
    assert_int_equal(SCAN_PREFIX(f->s, "ab", &ab), SEGRT_OK);
    assert_string_equal(ab.keys, "ab|abc|"); /* not "a" before it, not "b" after */
    assert_int_equal(SCAN_PREFIX(f->s, "abc", &abc), SEGRT_OK);
    assert_string_equal(abc.keys, "abc|");
    assert_int_equal(SCAN_PREFIX(f->s, "abcd", &abcd), SEGRT_OK); /* longer than any key */
    assert_int_equal(abcd.calls, 0);
    assert_int_equal(SCAN_PREFIX(f->s, "b", &b), SEGRT_OK);
    assert_string_equal(b.keys, "b|ba|");
    assert_int_equal(SCAN_PREFIX(f->s, "m\0", &kind), SEGRT_OK); /* a NUL in the prefix */
    assert_string_equal(kind.keys, "m0a|m0b|");
}

static void test_store_scan_of_a_prefix_past_the_last_key_or_between_keys_sees_nothing(
    void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(store_write(f->s, put_keys, NULL), SEGRT_OK);
    seen after = { 0 }, between = { 0 };
    assert_int_equal(SCAN_PREFIX(f->s, "z", &after), SEGRT_OK);
    assert_int_equal(after.calls, 0);
    assert_int_equal(SCAN_PREFIX(f->s, "aa", &between), SEGRT_OK);
    assert_int_equal(between.calls, 0);
}

static void test_store_scan_of_an_empty_table_calls_nothing(void **state)
{
    tu_fixture *f = *state;
    seen all = { 0 }, some = { 0 }, ints = { 0 };
    assert_int_equal(scan(f->s, DB_SEGMENTS, NULL, 0, &all), SEGRT_OK);
    assert_int_equal(SCAN_PREFIX(f->s, "m\0", &some), SEGRT_OK);
    assert_int_equal(scan(f->s, DB_CONTACTS, NULL, 0, &ints), SEGRT_OK); /* integer keys */
    assert_int_equal(all.calls + some.calls + ints.calls, 0);
}

static void test_store_scan_of_a_table_the_store_lacks_reads_as_empty(void **state)
{
    tu_fixture *f = *state;
    MDB_dbi merges = f->s->dbi[DB_MERGES];
    f->s->dbi[DB_MERGES] = 0; /* as a read-only open of a store made before the table */
    seen x = { 0 };
    int rc = scan(f->s, DB_MERGES, NULL, 0, &x);
    f->s->dbi[DB_MERGES] = merges;
    assert_int_equal(rc, SEGRT_OK);
    assert_int_equal(x.calls, 0);
}

static void test_store_scan_stops_when_fn_returns_non_zero_and_returns_it(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(store_write(f->s, put_keys, NULL), SEGRT_OK);
    seen x = { .stop_at = 2, .stop_rc = 5 };
    assert_int_equal(scan(f->s, DB_SEGMENTS, NULL, 0, &x), 5);
    assert_string_equal(x.keys, "a|ab|");
}

static void test_store_scan_passes_on_an_error_of_fn_with_its_message(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(store_write(f->s, put_keys, NULL), SEGRT_OK);
    seen x = { .stop_at = 3, .stop_rc = SEGRT_ECORRUPT };
    assert_int_equal(SCAN_PREFIX(f->s, "m", &x), SEGRT_ECORRUPT);
    assert_int_equal(x.calls, 3);
    assert_string_equal(segrt_errmsg(f->s), "note: stopping at call 3");
}

static void test_store_scan_records_an_lmdb_error_with_its_context(void **state)
{
    tu_fixture *f = *state;
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->s, MDB_RDONLY, &txn), SEGRT_OK);
    mdb_txn_reset(txn); /* no longer usable: the cursor cannot open */
    seen x = { 0 };
    int rc = store_scan(f->s, txn, DB_META, NULL, 0, "scanning in a test", note, &x);
    mdb_txn_abort(txn);
    assert_int_equal(rc, SEGRT_ESTORE);
    assert_int_equal(x.calls, 0);
    const char *msg = segrt_errmsg(f->s);
    if (strncmp(msg, "scanning in a test: ", 20) != 0)
        fail_msg("message '%s' does not say what was being done", msg);
}

/* Put the keys, then scan those under "b" before the transaction commits. */
static int put_then_scan(segrt_store *s, MDB_txn *txn, void *ud)
{
    int rc = put_keys(s, txn, NULL);
    return rc == SEGRT_OK ? store_scan(s, txn, DB_SEGMENTS, "b", 1, "scanning in a test", note, ud)
                          : rc;
}

static void test_store_scan_in_a_write_txn_sees_its_own_puts(void **state)
{
    tu_fixture *f = *state;
    seen x = { 0 };
    assert_int_equal(store_write(f->s, put_then_scan, &x), SEGRT_OK);
    assert_string_equal(x.keys, "b|ba|");
}

static void test_store_scan_without_a_txn_leaves_no_reader_open(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(store_write(f->s, put_keys, NULL), SEGRT_OK);
    seen x = { .stop_at = 1, .stop_rc = SEGRT_EINVAL };
    assert_int_equal(scan(f->s, DB_SEGMENTS, NULL, 0, &x), SEGRT_EINVAL);
    int lines = 0;
    assert_true(mdb_reader_list(f->s->env, count_line, &lines) >= 0);
    assert_int_equal(lines, 0);
}

/* store_ord_decode: what scans of ordinal keys and id index values read their ordinal with. */
static int put_ords(segrt_store *s, MDB_txn *txn, void *ud)
{
    static const uint32_t ords[] = { 70000, 3, 65536, 65535, 0, 1u << 31 };
    (void)ud;
    for (size_t i = 0; i < ARRAY_LEN(ords); i++) {
        uint32_t o = ords[i];
        MDB_val k = store_ord_key(&o), v = { 1, (void *)"v" };
        int mrc = mdb_put(txn, s->dbi[DB_EVENTS], &k, &v, 0);
        if (mrc != 0)
            return store_mdb_fail(s, mrc, "put_ords");
    }
    return SEGRT_OK;
}

/* The ordinals seen from `from` on, as "3|65535|"; STORE_STOP at the first one >= to. */
typedef struct ords_seen {
    char text[128];
    uint32_t from, to;
} ords_seen;

static int note_ord(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    ords_seen *x = ud;
    uint32_t o;
    (void)txn;
    (void)v;
    assert_int_equal(store_ord_decode(s, k, "a test key", &o), SEGRT_OK);
    if (o >= x->to)
        return STORE_STOP;
    size_t used = strlen(x->text);
    snprintf(x->text + used, sizeof x->text - used, "%u|", o);
    return SEGRT_OK;
}

static int scan_from_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    ords_seen *x = ud;
    MDB_val start = store_ord_key(&x->from);
    return store_scan_from(s, txn, DB_EVENTS, &start, "scanning in a test", note_ord, x);
}

/* The ordinals of the events table from `from` until the first at or past `to`. */
static const char *scan_from(segrt_store *s, uint32_t from, uint32_t to, ords_seen *x)
{
    *x = (ords_seen){ .from = from, .to = to };
    assert_int_equal(store_read(s, scan_from_in, x), SEGRT_OK);
    return x->text;
}

static void test_store_scan_from_a_key_in_an_ordinal_table_until_stopped(void **state)
{
    tu_fixture *f = *state;
    ords_seen x;
    assert_string_equal(scan_from(f->s, 0, UINT32_MAX, &x), ""); /* empty table */
    assert_int_equal(store_write(f->s, put_ords, NULL), SEGRT_OK);
    /* Integer order, not byte order; from a key that is there or between keys. */
    assert_string_equal(scan_from(f->s, 0, UINT32_MAX, &x), "0|3|65535|65536|70000|2147483648|");
    assert_string_equal(scan_from(f->s, 4, 65536, &x), "65535|");
    assert_string_equal(scan_from(f->s, 65536, 65537, &x), "65536|");
    assert_string_equal(scan_from(f->s, 2147483649u, UINT32_MAX, &x), "");
    /* A code other than STORE_STOP stops it too, and comes back. */
    seen y = { .stop_at = 2, .stop_rc = SEGRT_EINVAL };
    MDB_txn *txn;
    uint32_t from = 3;
    MDB_val start = store_ord_key(&from);
    assert_int_equal(store_txn_begin(f->s, MDB_RDONLY, &txn), SEGRT_OK);
    assert_int_equal(store_scan_from(f->s, txn, DB_EVENTS, &start, "test", note, &y),
                     SEGRT_EINVAL);
    mdb_txn_abort(txn);
    assert_int_equal(y.calls, 2);
}

static void test_store_ord_decode_reads_four_bytes_and_names_a_bad_size(void **state)
{
    tu_fixture *f = *state;
    uint32_t seven = 7, ord = 0;
    MDB_val good = store_ord_key(&seven), bad = { 3, &seven };
    assert_int_equal(store_ord_decode(f->s, &good, "a test key", &ord), SEGRT_OK);
    assert_int_equal(ord, 7);
    ord = 99;
    assert_int_equal(store_ord_decode(f->s, &bad, "a test key", &ord), SEGRT_ECORRUPT);
    assert_int_equal(ord, 99);
    assert_string_equal(segrt_errmsg(f->s), "a test key has a bad size");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_store_scan_visits_every_entry_in_key_order),
        TU_STORE_TEST(test_store_scan_visits_only_the_keys_under_a_prefix),
        TU_STORE_TEST(test_store_scan_of_a_prefix_past_the_last_key_or_between_keys_sees_nothing),
        TU_STORE_TEST(test_store_scan_of_an_empty_table_calls_nothing),
        TU_STORE_TEST(test_store_scan_of_a_table_the_store_lacks_reads_as_empty),
        TU_STORE_TEST(test_store_scan_stops_when_fn_returns_non_zero_and_returns_it),
        TU_STORE_TEST(test_store_scan_passes_on_an_error_of_fn_with_its_message),
        TU_STORE_TEST(test_store_scan_records_an_lmdb_error_with_its_context),
        TU_STORE_TEST(test_store_scan_in_a_write_txn_sees_its_own_puts),
        TU_STORE_TEST(test_store_scan_without_a_txn_leaves_no_reader_open),
        TU_STORE_TEST(test_store_scan_from_a_key_in_an_ordinal_table_until_stopped),
        TU_STORE_TEST(test_store_ord_decode_reads_four_bytes_and_names_a_bad_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
