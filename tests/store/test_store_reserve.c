/*
 * test_store_reserve.c — store_reserve (core/store/store.h): the map grows so
 * that the bytes asked for fit beyond what the store uses, and a write of
 * that size then commits in one transaction; a map with room already, or a
 * size no map could have, is left as it is.
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

#define MIB ((size_t)1 << 20)

static size_t used_bytes(segrt_store *s)
{
    MDB_envinfo info;
    MDB_stat st;
    assert_int_equal(mdb_env_info(s->env, &info), 0);
    assert_int_equal(mdb_env_stat(s->env, &st), 0);
    return ((size_t)info.me_last_pgno + 1) * st.ms_psize;
}

/* Write n bytes in values of 64 KiB in one transaction: the LMDB code of the first failure. */
static int write_bytes(segrt_store *s, size_t n)
{
    static char big[1 << 16];
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(s, 0, &txn), SEGRT_OK);
    int mrc = 0;
    for (unsigned i = 0; mrc == 0 && (size_t)i * sizeof big < n; i++) {
        char key[32];
        snprintf(key, sizeof key, "filler:%u", i);
        MDB_val k = { strlen(key), key }, v = { sizeof big, big };
        mrc = mdb_put(txn, s->dbi[DB_META], &k, &v, 0);
    }
    if (mrc != 0) {
        mdb_txn_abort(txn);
        return mrc;
    }
    return mdb_txn_commit(txn);
}

static void test_store_reserve_grows_a_small_map_to_fit(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(segrt_store_set_mapsize(f->s, MIB), SEGRT_OK);
    assert_int_equal(write_bytes(f->s, 8 * MIB), MDB_MAP_FULL); /* the map is too small */
    assert_int_equal(store_reserve(f->s, 12 * MIB), SEGRT_OK);
    assert_true(f->s->mapsize >= used_bytes(f->s) + 12 * MIB);
    assert_int_equal(write_bytes(f->s, 8 * MIB), 0);
}

static void test_store_reserve_keeps_a_map_with_room(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(segrt_store_set_mapsize(f->s, 64 * MIB), SEGRT_OK);
    size_t before = f->s->mapsize;
    assert_int_equal(store_reserve(f->s, MIB), SEGRT_OK);
    assert_int_equal(f->s->mapsize, before);
    assert_int_equal(store_reserve(f->s, SIZE_MAX), SEGRT_OK); /* left to growing on demand */
    assert_int_equal(f->s->mapsize, before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_store_reserve_grows_a_small_map_to_fit),
        TU_STORE_TEST(test_store_reserve_keeps_a_map_with_room),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
