/*
 * test_store_write_step.c — store_write_step (core/store/store.h): the step
 * runs in a write transaction that is committed when it succeeds; a failing
 * step's code comes back and its writes are rolled back; a read-only store
 * refuses without running it; a full map is grown and the step run again.
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

/* What the steps saw: a step has no argument, so they count here. */
static int calls;

static int add_one(segrt_store *s, MDB_txn *txn)
{
    calls++;
    return store_counter_add(s, txn, "step_test", 1);
}

static int add_then_fail(segrt_store *s, MDB_txn *txn)
{
    int rc = add_one(s, txn);
    return rc == SEGRT_OK ? store_fail(s, SEGRT_ECORRUPT, "step: failing as asked") : rc;
}

/* Fills the map on its first call, then writes one counter. */
static int fill_once(segrt_store *s, MDB_txn *txn)
{
    if (calls++ > 0)
        return store_counter_set(s, txn, "step_test", 7);
    static char big[1 << 16];
    for (unsigned i = 0;; i++) {
        char key[32];
        snprintf(key, sizeof key, "filler:%u", i);
        MDB_val k = { strlen(key), key }, v = { sizeof big, big };
        int mrc = mdb_put(txn, s->dbi[DB_META], &k, &v, 0);
        if (mrc != 0)
            return store_mdb_fail(s, mrc, "filling");
    }
}

static uint64_t counter(segrt_store *s)
{
    MDB_txn *txn;
    uint64_t v = 0;
    assert_int_equal(store_txn_begin(s, MDB_RDONLY, &txn), SEGRT_OK);
    assert_int_equal(store_counter_get(s, txn, "step_test", &v), SEGRT_OK);
    mdb_txn_abort(txn);
    return v;
}

static void test_store_write_step_commits_what_the_step_wrote(void **state)
{
    tu_fixture *f = *state;
    calls = 0;
    assert_int_equal(store_write_step(f->s, add_one), SEGRT_OK);
    assert_int_equal(store_write_step(f->s, add_one), SEGRT_OK);
    assert_int_equal(calls, 2);
    assert_int_equal(counter(f->s), 2);
}

static void test_store_write_step_rolls_back_a_failing_step(void **state)
{
    tu_fixture *f = *state;
    calls = 0;
    assert_int_equal(store_write_step(f->s, add_then_fail), SEGRT_ECORRUPT);
    assert_int_equal(calls, 1);
    assert_string_equal(segrt_errmsg(f->s), "step: failing as asked");
    assert_int_equal(counter(f->s), 0);
}

static void test_store_write_step_refuses_a_read_only_store(void **state)
{
    tu_fixture *f = *state;
    segrt_store_close(f->s); /* one handle per environment and process */
    tu_open(f, SEGRT_OPEN_READONLY);
    calls = 0;
    assert_int_equal(store_write_step(f->s, add_one), SEGRT_EINVAL);
    assert_int_equal(calls, 0);
}

static void test_store_write_step_grows_a_full_map_and_runs_again(void **state)
{
    tu_fixture *f = *state;
    size_t before = f->s->mapsize;
    calls = 0;
    assert_int_equal(store_write_step(f->s, fill_once), SEGRT_OK);
    assert_int_equal(calls, 2);
    assert_true(f->s->mapsize > before);
    assert_int_equal(counter(f->s), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_store_write_step_commits_what_the_step_wrote),
        TU_STORE_TEST(test_store_write_step_rolls_back_a_failing_step),
        TU_STORE_TEST(test_store_write_step_refuses_a_read_only_store),
        TU_STORE_TEST(test_store_write_step_grows_a_full_map_and_runs_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
