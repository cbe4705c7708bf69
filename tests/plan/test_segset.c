/*
 * test_segset.c — unit tests of segset.c: a set's members as ids in byte
 * order, the same whether the id index is walked (a large set) or each
 * member is looked up (a small one); a code the caller's function returns
 * stops the walk and comes back; membership of one id; and errors met
 * inside the read — a member whose record is missing (an LMDB "not found"
 * inside the scan's callback), or no read snapshot to be had — come back
 * with the store's message, the snapshot closed.
 *
 * Uses: cmocka, plan/segset.h, store.h, test_util.h.
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

#include "plan/segset.h"
#include "store/store.h"

/* 40 contacts imported out of byte order: c39, c38, ..., c00. */
enum { NCONTACTS = 40 };

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_fixture *f = *state;
    char csv[NCONTACTS * 16 + 32] = "id,region\n";
    for (int i = NCONTACTS - 1; i >= 0; i--)
        snprintf(csv + strlen(csv), sizeof csv - strlen(csv), "c%02d,north\n", i);
    tu_seg_data(f, csv, NULL, NULL);
    return 0;
}

static uint32_t ord_of(segrt_store *s, const char *id)
{
    MDB_txn *txn;
    uint32_t ord = 0;
    assert_int_equal(store_txn_begin(s, MDB_RDONLY, &txn), SEGRT_OK);
    assert_int_equal(store_ord_of(s, txn, id, &ord), SEGRT_OK);
    mdb_txn_abort(txn);
    return ord;
}

/* The set of the contacts named in ids ("c01 c07"). */
static segrt_set *set_of(segrt_store *s, const char *ids)
{
    bitset b;
    assert_int_equal(bitset_init(&b, NCONTACTS), 0);
    char copy[256];
    snprintf(copy, sizeof copy, "%s", ids);
    for (char *save, *id = strtok_r(copy, " ", &save); id; id = strtok_r(NULL, " ", &save))
        bitset_set(&b, ord_of(s, id));
    segrt_set *m = segset_wrap(&b);
    assert_non_null(m);
    return m;
}

/* The set of every contact but c05 (large: the id index is walked). */
static segrt_set *large_set(segrt_store *s)
{
    char ids[NCONTACTS * 4] = "";
    for (int i = 0; i < NCONTACTS; i++) {
        if (i != 5)
            snprintf(ids + strlen(ids), sizeof ids - strlen(ids), "%sc%02d", i ? " " : "", i);
    }
    return set_of(s, ids);
}

static const char *ids_of(segrt_store *s, const segrt_set *m, tu_ids *out)
{
    out->text[0] = '\0';
    int rc = segrt_set_ids_foreach(s, m, tu_add_id, out);
    if (rc != SEGRT_OK)
        fail_msg("segrt_set_ids_foreach: %s: %s", segrt_errname(rc), segrt_errmsg(s));
    return out->text;
}

enum { MAX_READERS = 126 }; /* store.c sets this many reader slots */

/* Take every free reader slot of the store into held; how many there were. */
static size_t hold_readers(segrt_store *s, MDB_txn *held[MAX_READERS])
{
    size_t n = 0;
    while (n < MAX_READERS && store_txn_begin(s, MDB_RDONLY, &held[n]) == SEGRT_OK)
        n++;
    return n;
}

static void release_readers(MDB_txn *held[], size_t n)
{
    while (n > 0)
        mdb_txn_abort(held[--n]);
}

/* No snapshot was left open: every reader slot is free. */
static void assert_no_snapshot_open(segrt_store *s)
{
    MDB_txn *held[MAX_READERS];
    size_t n = hold_readers(s, held);
    release_readers(held, n);
    assert_int_equal(n, MAX_READERS);
}

/* A function that stops after `stop_after` calls with code 5. */
typedef struct stopper {
    int calls, stop_after;
} stopper;

static int stop_early(void *ud, const char *id)
{
    (void)id;
    stopper *x = ud;
    return ++x->calls == x->stop_after ? 5 : 0;
}

/* ------------------------------------------------------------ tests */

static void test_segset_ids_are_in_byte_order_by_index_and_by_lookup(void **state)
{
    tu_fixture *f = *state;
    tu_ids got;
    segrt_set *small = set_of(f->s, "c31 c02"); /* 2 of 40: looked up, then sorted */
    assert_string_equal(ids_of(f->s, small, &got), "c02 c31");
    segrt_set_free(small);
    segrt_set *large = large_set(f->s);
    assert_int_equal(segrt_set_count(large), NCONTACTS - 1);
    ids_of(f->s, large, &got);
    assert_int_equal(strncmp(got.text, "c00 c01 c02 c03 c04 c06 c07", 27), 0);
    assert_string_equal(got.text + strlen(got.text) - 7, "c38 c39");
    segrt_set_free(large);
    assert_no_snapshot_open(f->s);
}

static void test_segset_code_of_the_function_stops_the_walk_and_comes_back(void **state)
{
    tu_fixture *f = *state;
    segrt_set *sets[2] = { set_of(f->s, "c31 c02"), large_set(f->s) };
    for (int i = 0; i < 2; i++) {
        stopper x = { 0, 2 };
        assert_int_equal(segrt_set_ids_foreach(f->s, sets[i], stop_early, &x), 5);
        assert_int_equal(x.calls, 2);
        segrt_set_free(sets[i]);
    }
    assert_no_snapshot_open(f->s);
}

static void test_segset_contains_looks_the_id_up(void **state)
{
    tu_fixture *f = *state;
    segrt_set *m = set_of(f->s, "c07");
    int in = -1;
    assert_int_equal(segrt_set_contains(f->s, m, "c07", &in), SEGRT_OK);
    assert_int_equal(in, 1);
    assert_int_equal(segrt_set_contains(f->s, m, "c08", &in), SEGRT_OK);
    assert_int_equal(in, 0);
    assert_int_equal(segrt_set_contains(f->s, m, "nobody", &in), SEGRT_ENOTFOUND);
    assert_int_equal(in, 0);
    segrt_set_free(m);
}

static void test_segset_copy_is_independent_of_the_original(void **state)
{
    tu_fixture *f = *state;
    segrt_set *m = set_of(f->s, "c03 c07");
    segrt_set *copy = segrt_set_copy(m);
    assert_non_null(copy);
    assert_int_equal(segrt_set_count(copy), 2);
    bitset_clear_bit(&copy->bits, ord_of(f->s, "c07"));
    int in = 0;
    assert_int_equal(segrt_set_contains(f->s, m, "c07", &in), SEGRT_OK);
    assert_int_equal(in, 1); /* the original keeps its members */
    assert_int_equal(segrt_set_count(copy), 1);
    assert_null(segrt_set_copy(NULL));
    segrt_set_free(copy);
    segrt_set_free(m);
}

static int drop_record(segrt_store *s, MDB_txn *txn, void *ud)
{
    MDB_val k = store_ord_key(ud);
    int mrc = mdb_del(txn, s->dbi[DB_CONTACTS], &k, NULL);
    return mrc == 0 ? SEGRT_OK : store_mdb_fail(s, mrc, "test: dropping a record");
}

static void test_segset_missing_record_inside_the_walk_is_an_error(void **state)
{
    tu_fixture *f = *state;
    uint32_t ord = ord_of(f->s, "c20");
    assert_int_equal(store_write(f->s, drop_record, &ord), SEGRT_OK);
    segrt_set *large = large_set(f->s), *small = set_of(f->s, "c20");
    tu_ids got = { "" };
    /* the rows of a large set: c20's id is in the index, its record is gone */
    assert_int_equal(segrt_set_rows_foreach(f->s, large, NULL, 0, tu_add_id, &got), SEGRT_ESTORE);
    tu_assert_errmsg(f->s, "reading a contact: MDB_NOTFOUND");
    assert_non_null(strstr(got.text, "\"c19\""));
    assert_null(strstr(got.text, "\"c21\"")); /* the walk stopped at c20 */
    /* a small set looks c20's record up for its id */
    assert_int_equal(segrt_set_ids_foreach(f->s, small, tu_add_id, &got), SEGRT_ESTORE);
    tu_assert_errmsg(f->s, "reading a member: MDB_NOTFOUND");
    assert_no_snapshot_open(f->s);
    segrt_set_free(large);
    segrt_set_free(small);
}

static void test_segset_without_a_snapshot_the_function_is_not_called(void **state)
{
    tu_fixture *f = *state;
    segrt_set *m = large_set(f->s);
    MDB_txn *held[MAX_READERS];
    size_t n = hold_readers(f->s, held);
    assert_int_equal(n, MAX_READERS);
    stopper x = { 0, 0 };
    int in = -1;
    assert_int_equal(segrt_set_ids_foreach(f->s, m, stop_early, &x), SEGRT_ESTORE);
    assert_int_equal(segrt_set_rows_foreach(f->s, m, NULL, 0, tu_add_id, &(tu_ids){ "" }),
                     SEGRT_ESTORE);
    assert_int_equal(segrt_set_contains(f->s, m, "c01", &in), SEGRT_ESTORE);
    tu_assert_errmsg(f->s, "beginning a transaction");
    assert_int_equal(x.calls, 0);
    assert_int_equal(in, 0);
    release_readers(held, n);
    segrt_set_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_segset_ids_are_in_byte_order_by_index_and_by_lookup,
                                        setup, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_segset_code_of_the_function_stops_the_walk_and_comes_back,
                                        setup, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_segset_copy_is_independent_of_the_original, setup,
                                        tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_segset_contains_looks_the_id_up, setup,
                                        tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_segset_missing_record_inside_the_walk_is_an_error,
                                        setup, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_segset_without_a_snapshot_the_function_is_not_called,
                                        setup, tu_teardown_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
