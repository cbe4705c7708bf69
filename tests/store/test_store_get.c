/*
 * test_store_get.c — store_get (core/store/store.h): a stored value comes
 * back borrowed from the map; a missing key, or a table the store lacks, is
 * SEGRT_ENOTFOUND with nothing recorded on the store; an LMDB error is
 * recorded as "what: ..." and mapped to a segrt code.
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

static int set_counter(segrt_store *s, MDB_txn *txn, void *ud)
{
    return store_counter_set(s, txn, "get_test", *(uint64_t *)ud);
}

/* What one store_get in a read snapshot gave. */
typedef struct got {
    enum store_db db;
    MDB_val k;
    uint64_t value; /* a counter's, copied out of the map */
} got;

static int get_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    got *g = ud;
    MDB_val v;
    int rc = store_get(s, txn, g->db, &g->k, &v, "getting in a test");
    if (rc == SEGRT_OK && v.mv_size == sizeof g->value)
        memcpy(&g->value, v.mv_data, sizeof g->value);
    return rc;
}

static void test_store_get_gives_a_stored_value(void **state)
{
    tu_fixture *f = *state;
    uint64_t v = 1234;
    assert_int_equal(store_write(f->s, set_counter, &v), SEGRT_OK);
    got g = { DB_META, { 8, (void *)"get_test" }, 0 };
    assert_int_equal(store_read(f->s, get_in, &g), SEGRT_OK);
    assert_int_equal(g.value, 1234);
}

static void test_store_get_of_a_missing_key_records_nothing(void **state)
{
    tu_fixture *f = *state;
    store_fail(f->s, SEGRT_EINVAL, "before");
    got g = { DB_META, { 7, (void *)"missing" }, 0 };
    assert_int_equal(store_read(f->s, get_in, &g), SEGRT_ENOTFOUND);
    assert_string_equal(segrt_errmsg(f->s), "before");
}

static void test_store_get_of_a_table_the_store_lacks_is_not_found(void **state)
{
    tu_fixture *f = *state;
    MDB_dbi kept = f->s->dbi[DB_MERGES];
    f->s->dbi[DB_MERGES] = 0; /* as a read-only open of an older store leaves it */
    uint64_t id = 1;
    got g = { DB_MERGES, { sizeof id, &id }, 0 };
    int rc = store_read(f->s, get_in, &g);
    f->s->dbi[DB_MERGES] = kept;
    assert_int_equal(rc, SEGRT_ENOTFOUND);
}

static void test_store_get_records_an_lmdb_error(void **state)
{
    tu_fixture *f = *state;
    got g = { DB_META, { 0, (void *)"" }, 0 }; /* LMDB refuses an empty key */
    int rc = store_read(f->s, get_in, &g);
    assert_true(rc != SEGRT_OK && rc != SEGRT_ENOTFOUND);
    assert_non_null(strstr(segrt_errmsg(f->s), "getting in a test: "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_store_get_gives_a_stored_value),
        TU_STORE_TEST(test_store_get_of_a_missing_key_records_nothing),
        TU_STORE_TEST(test_store_get_of_a_table_the_store_lacks_is_not_found),
        TU_STORE_TEST(test_store_get_records_an_lmdb_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
