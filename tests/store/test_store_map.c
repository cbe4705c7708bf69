/*
 * test_store_map.c — store_map_release (core/store/store_map.h): the pages
 * of the map a read touched leave the process's resident memory, and a
 * pointer into the map still reads the same bytes afterwards.
 *
 * Uses: cmocka, store_map.h, store.h, segrt.h, test_util.h; Linux
 * /proc/self/smaps.
 */
#include <ctype.h>
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
#include "store/store_map.h"
#include "test_util.h"

#define VALUE_BYTES ((size_t)8 << 20)

static int put_big(segrt_store *s, MDB_txn *txn, void *ud)
{
    (void)ud;
    MDB_val k = { 3, (void *)"big" }, v = { VALUE_BYTES, NULL };
    int mrc = mdb_put(txn, s->dbi[DB_META], &k, &v, MDB_RESERVE);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "putting in a test");
    for (size_t i = 0; i < VALUE_BYTES; i++)
        ((unsigned char *)v.mv_data)[i] = (unsigned char)(i * 7);
    return SEGRT_OK;
}

/* KiB of the store's data file resident in this process. */
static long map_rss_kib(void)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    assert_non_null(f);
    char line[4096];
    int in_map = 0;
    long kib = 0;
    while (fgets(line, sizeof line, f)) {
        long v;
        const char *dash = strchr(line, '-'), *space = strchr(line, ' ');
        if (isxdigit((unsigned char)line[0]) && dash && space && dash < space) /* a mapping */
            in_map = strstr(line, "/data.mdb") != NULL;
        else if (in_map && sscanf(line, "Rss: %ld kB", &v) == 1)
            kib += v;
    }
    fclose(f);
    return kib;
}

static int read_release_read(segrt_store *s, MDB_txn *txn, void *ud)
{
    long *rss = ud;
    MDB_val v;
    int rc = store_get(s, txn, DB_META, &(MDB_val){ 3, (void *)"big" }, &v, "reading in a test");
    if (rc != SEGRT_OK)
        return rc;
    assert_int_equal(v.mv_size, VALUE_BYTES);
    const unsigned char *p = v.mv_data;
    volatile unsigned sum = 0; /* touch every page */
    for (size_t i = 0; i < VALUE_BYTES; i += 4096)
        sum += p[i];
    rss[0] = map_rss_kib();
    store_map_release(s);
    rss[1] = map_rss_kib();
    for (size_t i = 0; i < VALUE_BYTES; i++) /* the same bytes, faulted back */
        if (p[i] != (unsigned char)(i * 7))
            fail_msg("byte %zu changed after the release", i);
    return SEGRT_OK;
}

static void test_store_map_release_gives_back_read_pages(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(store_write(f->s, put_big, NULL), SEGRT_OK);
    long rss[2] = { 0, 0 };
    assert_int_equal(store_read(f->s, read_release_read, rss), SEGRT_OK);
    if (rss[0] < (long)(VALUE_BYTES / 1024 / 2))
        fail_msg("reading %zu bytes left only %ld KiB of the map resident", VALUE_BYTES, rss[0]);
    if (rss[1] > 1024)
        fail_msg("after the release %ld KiB of the map stay resident (before: %ld)", rss[1],
                 rss[0]);
}

static void test_store_map_release_of_a_closed_environment_does_nothing(void **state)
{
    tu_fixture *f = *state;
    MDB_env *env = f->s->env;
    f->s->env = NULL;
    store_map_release(f->s);
    f->s->env = env;
    tu_assert_check_ok(f->s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_store_map_release_gives_back_read_pages),
        TU_STORE_TEST(test_store_map_release_of_a_closed_environment_does_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
