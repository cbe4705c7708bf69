/*
 * test_committer.c — committer.c: transactions begun and committed on the
 * committer's thread while the caller reads beside them; an abort and a
 * failed commit give the write lock back; a commit's outcome is told once by
 * committer_wait; without a thread (NULL) the same calls run on the caller's.
 *
 * Uses: cmocka, committer.h, store.h, test_util.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "segrt.h"
#include "store/committer.h"
#include "store/store.h"
#include "map_util.h"
#include "test_util.h"

static int read_counter(segrt_store *s, MDB_txn *txn, void *ud)
{
    return store_counter_get(s, txn, "committer_test", ud);
}

static uint64_t counter(segrt_store *s)
{
    uint64_t v = 0;
    assert_int_equal(store_read(s, read_counter, &v), SEGRT_OK);
    return v;
}

/* Set the counter to v in a transaction cm begins, and hand its commit over. */
static void commit_value(committer *cm, segrt_store *s, uint64_t v)
{
    MDB_txn *txn;
    assert_int_equal(committer_wait(cm), 0);
    assert_int_equal(committer_begin(cm, s, &txn), SEGRT_OK);
    assert_int_equal(store_counter_set(s, txn, "committer_test", v), SEGRT_OK);
    assert_int_equal(committer_commit(cm, txn), 0);
}

/* A committer with its thread. */
static committer *started(segrt_store *s)
{
    committer *cm;
    committer_start(s, &cm);
    assert_non_null(cm);
    return cm;
}

static void commits_in_turn(segrt_store *s, committer *cm)
{
    for (uint64_t v = 1; v <= 20; v++) {
        commit_value(cm, s, v);
        uint64_t seen = counter(s); /* beside the commit: the one before, or this one */
        assert_true(seen == v - 1 || seen == v);
    }
    assert_int_equal(committer_wait(cm), 0);
    assert_int_equal(counter(s), 20);
    assert_int_equal(committer_wait(cm), 0); /* nothing in flight */
}

static void test_committer_commits_in_turn_beside_readers(void **state)
{
    tu_fixture *f = *state;
    committer *cm = started(f->s);
    commits_in_turn(f->s, cm);
    committer_stop(cm);
    /* The write lock went with the last commit: this thread writes. */
    commit_value(NULL, f->s, 21);
    assert_int_equal(counter(f->s), 21);
}

static void test_committer_without_a_thread_runs_on_the_callers(void **state)
{
    tu_fixture *f = *state;
    commits_in_turn(f->s, NULL);
    committer_stop(NULL);
}

static void test_committer_abort_gives_the_lock_back(void **state)
{
    tu_fixture *f = *state;
    committer *cm = started(f->s);
    commit_value(cm, f->s, 5);
    MDB_txn *txn;
    assert_int_equal(committer_wait(cm), 0);
    assert_int_equal(committer_begin(cm, f->s, &txn), SEGRT_OK);
    assert_int_equal(store_counter_set(f->s, txn, "committer_test", 6), SEGRT_OK);
    committer_abort(cm, txn);
    assert_int_equal(counter(f->s), 5);
    commit_value(cm, f->s, 7);
    committer_stop(cm); /* waits for the commit in flight */
    assert_int_equal(counter(f->s), 7);
}

/* Fill txn until LMDB refuses: the transaction can then only fail to commit. */
static void fill(segrt_store *s, MDB_txn *txn)
{
    static char big[16384];
    int mrc = 0;
    for (uint32_t i = 0; mrc == 0 && i < 100000; i++) {
        char key[32];
        int n = snprintf(key, sizeof key, "committer_fill_%u", i);
        MDB_val k = { (size_t)n, key }, v = { sizeof big, big };
        mrc = mdb_put(txn, s->dbi[DB_META], &k, &v, 0);
    }
    assert_int_equal(mrc, MDB_MAP_FULL);
}

static void test_committer_wait_tells_a_failed_commit_once(void **state)
{
    tu_fixture *f = *state;
    committer *cm = started(f->s);
    commit_value(cm, f->s, 3);
    assert_int_equal(committer_wait(cm), 0);
    tu_map_to_used(f->s, 63);
    MDB_txn *txn;
    assert_int_equal(committer_begin(cm, f->s, &txn), SEGRT_OK);
    fill(f->s, txn);
    assert_int_equal(committer_commit(cm, txn), 0); /* handed over: told by the wait */
    assert_int_not_equal(committer_wait(cm), 0);
    assert_int_equal(committer_wait(cm), 0);        /* told once */
    assert_int_equal(counter(f->s), 3);
    commit_value(cm, f->s, 4); /* the lock was given back */
    assert_int_equal(committer_wait(cm), 0);
    assert_int_equal(counter(f->s), 4);
    committer_stop(cm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_committer_commits_in_turn_beside_readers),
        TU_STORE_TEST(test_committer_without_a_thread_runs_on_the_callers),
        TU_STORE_TEST(test_committer_abort_gives_the_lock_back),
        TU_STORE_TEST(test_committer_wait_tells_a_failed_commit_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
