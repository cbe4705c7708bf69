/*
 * test_column.c — string column chunks (core/store/column.h): a chunk whose
 * codes all fit a byte is stored narrow (one byte a contact), one with a
 * larger code wide (four); the cache widens a narrow chunk it patches, and
 * both forms read back the same codes.
 *
 * Uses: cmocka, column.h, store.h, segrt.h, test_util.h.
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
#include "store/column.h"
#include "store/store.h"
#include "test_util.h"

#define FIELD 900 /* a field id no schema uses: the column layer does not ask */

/* Codes to set: ord -> code, through one cache, in one transaction. */
typedef struct cells {
    const uint32_t *ord, *code;
    size_t n;
} cells;

static int set_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    const cells *c = ud;
    column_cache *cc = column_cache_new();
    int rc = cc ? SEGRT_OK : SEGRT_ENOMEM;
    for (size_t i = 0; i < c->n && rc == SEGRT_OK; i++)
        rc = column_set_code(s, txn, cc, FIELD, c->ord[i], c->code[i]);
    if (rc == SEGRT_OK)
        rc = column_cache_flush(s, txn, cc);
    column_cache_free(cc);
    return rc;
}

static void set(segrt_store *s, const uint32_t *ord, const uint32_t *code, size_t n)
{
    cells c = { ord, code, n };
    assert_int_equal(store_write(s, set_txn, &c), SEGRT_OK);
}

/* What chunk 0 holds as stored: its size and the codes of some rows. */
typedef struct stored {
    size_t size;
    uint32_t code[4]; /* of rows 0, 1, 65535, 7 */
} stored;

static int get_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    stored *st = ud;
    MDB_val v;
    column_codes codes;
    int rc = column_chunk_get(s, txn, FIELD, 0, 0, &v);
    if (rc != SEGRT_OK)
        return rc;
    st->size = v.mv_size;
    assert_int_equal(column_codes_of(&v, &codes), 0);
    const uint32_t rows[] = { 0, 1, COL_CHUNK_ROWS - 1, 7 };
    for (size_t i = 0; i < 4; i++)
        st->code[i] = column_code_at(&codes, rows[i]);
    return SEGRT_OK;
}

static stored get(segrt_store *s)
{
    stored st = { 0, { 0 } };
    assert_int_equal(store_read(s, get_txn, &st), SEGRT_OK);
    return st;
}

static void test_column_codes_below_256_are_stored_narrow(void **state)
{
    tu_fixture *f = *state;
    set(f->s, (const uint32_t[]){ 0, 1, COL_CHUNK_ROWS - 1 }, (const uint32_t[]){ 3, 255, 1 }, 3);
    stored st = get(f->s);
    assert_int_equal(st.size, COL_CHUNK_ROWS);
    assert_int_equal(st.code[0], 3);
    assert_int_equal(st.code[1], 255);
    assert_int_equal(st.code[2], 1);
    assert_int_equal(st.code[3], 0); /* never set: missing */
}

static void test_column_a_larger_code_widens_the_chunk_and_keeps_the_others(void **state)
{
    tu_fixture *f = *state;
    set(f->s, (const uint32_t[]){ 0, 1 }, (const uint32_t[]){ 3, 200 }, 2);
    assert_int_equal(get(f->s).size, COL_CHUNK_ROWS);
    set(f->s, (const uint32_t[]){ 7 }, (const uint32_t[]){ 70000 }, 1); /* patches the narrow one */
    stored st = get(f->s);
    assert_int_equal(st.size, (size_t)COL_CHUNK_ROWS * 4);
    assert_int_equal(st.code[0], 3);
    assert_int_equal(st.code[1], 200);
    assert_int_equal(st.code[3], 70000);
    /* and narrow again once the large code is gone */
    set(f->s, (const uint32_t[]){ 7 }, (const uint32_t[]){ 0 }, 1);
    st = get(f->s);
    assert_int_equal(st.size, COL_CHUNK_ROWS);
    assert_int_equal(st.code[1], 200);
    assert_int_equal(st.code[3], 0);
}

static void test_column_codes_of_a_chunk_of_another_size_fails(void **state)
{
    (void)state;
    unsigned char bytes[16] = { 0 };
    column_codes codes;
    assert_int_equal(column_codes_of(&(MDB_val){ sizeof bytes, bytes }, &codes), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_column_codes_below_256_are_stored_narrow),
        TU_STORE_TEST(test_column_a_larger_code_widens_the_chunk_and_keeps_the_others),
        cmocka_unit_test(test_column_codes_of_a_chunk_of_another_size_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
