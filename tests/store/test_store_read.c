/*
 * test_store_read.c — store_read (core/store/store.h): fn runs in a read
 * snapshot and its code comes back; the transaction is closed after fn,
 * whether fn succeeds or fails; a transaction that cannot begin is reported
 * on the store and fn is not called.
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

/* ------------------------------------------------------------ helpers */

static int count_line(const char *msg, void *ctx)
{
    if (strstr(msg, "(no active readers)") == NULL)
        (*(int *)ctx)++;
    return 0;
}

/* Read transactions open on the store's environment (mdb_reader_list, less its heading). */
static int open_readers(segrt_store *s)
{
    int lines = 0;
    assert_true(mdb_reader_list(s->env, count_line, &lines) >= 0);
    return lines > 0 ? lines - 1 : 0;
}

typedef struct seen {
    int calls;
    int readers;        /* open read transactions during the call */
    uint64_t next_ord;  /* a counter read in the snapshot */
    int rc;             /* what fn returns */
} seen;

static int look(segrt_store *s, MDB_txn *txn, void *ud)
{
    seen *x = ud;
    x->calls++;
    x->readers = open_readers(s);
    int rc = store_counter_get(s, txn, "next_ord", &x->next_ord);
    if (rc != SEGRT_OK)
        return rc;
    if (x->rc != SEGRT_OK)
        return store_fail(s, x->rc, "look: failing as asked");
    return SEGRT_OK;
}

static int set_next_ord(segrt_store *s, MDB_txn *txn, void *ud)
{
    return store_counter_set(s, txn, "next_ord", *(uint64_t *)ud);
}

/* ------------------------------------------------------------ tests */

static void test_store_read_runs_fn_in_a_read_snapshot(void **state)
{
    tu_fixture *f = *state;
    uint64_t v = 42;
    assert_int_equal(store_write(f->s, set_next_ord, &v), SEGRT_OK);
    seen x = { 0 };
    assert_int_equal(store_read(f->s, look, &x), SEGRT_OK);
    assert_int_equal(x.calls, 1);
    assert_int_equal(x.readers, 1);
    assert_int_equal(x.next_ord, 42);
    assert_int_equal(open_readers(f->s), 0);
}

static void test_store_read_returns_what_fn_failed_with_and_closes_the_txn(void **state)
{
    tu_fixture *f = *state;
    seen x = { .rc = SEGRT_ECORRUPT };
    assert_int_equal(store_read(f->s, look, &x), SEGRT_ECORRUPT);
    assert_int_equal(x.calls, 1);
    assert_string_equal(segrt_errmsg(f->s), "look: failing as asked");
    assert_int_equal(open_readers(f->s), 0);
}

static void test_store_read_passes_on_a_positive_code_from_fn(void **state)
{
    tu_fixture *f = *state;
    seen x = { .rc = 7 }; /* a caller's own "stop" value, not an error of ours */
    assert_int_equal(store_read(f->s, look, &x), 7);
    assert_int_equal(open_readers(f->s), 0);
}

static void test_store_read_reports_a_txn_it_cannot_begin_without_calling_fn(void **state)
{
    tu_fixture *f = *state;
    enum { MAX_READERS = 126 }; /* store.c sets this many reader slots */
    MDB_txn *held[MAX_READERS];
    size_t n = 0;
    while (n < MAX_READERS && store_txn_begin(f->s, MDB_RDONLY, &held[n]) == SEGRT_OK)
        n++;
    assert_int_equal(n, MAX_READERS);
    seen x = { 0 };
    assert_int_equal(store_read(f->s, look, &x), SEGRT_ESTORE);
    assert_int_equal(x.calls, 0);
    assert_non_null(strstr(segrt_errmsg(f->s), "beginning a transaction"));
    while (n > 0)
        mdb_txn_abort(held[--n]);
    assert_int_equal(store_read(f->s, look, &x), SEGRT_OK);
    assert_int_equal(x.calls, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_store_read_runs_fn_in_a_read_snapshot),
        TU_STORE_TEST(test_store_read_returns_what_fn_failed_with_and_closes_the_txn),
        TU_STORE_TEST(test_store_read_passes_on_a_positive_code_from_fn),
        TU_STORE_TEST(test_store_read_reports_a_txn_it_cannot_begin_without_calling_fn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
