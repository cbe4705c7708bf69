/*
 * test_column_ints.c — the forms of a numeric chunk (core/store/column_ints.h):
 * packing picks the smallest width the range allows after dividing by the
 * values' common step, every form reads back the values it was given, the
 * offsets of a value range match a brute-force scan, and the column cache
 * stores packed chunks, repacks them when a write widens the range, and
 * reads them back.
 *
 * Uses: cmocka, column.h, column_ints.h, store.h, value.h, segrt.h, test_util.h.
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
#include "store/column_ints.h"
#include "store/store.h"
#include "test_util.h"
#include "util/value.h"

#define FIELD 901 /* a field id no schema uses: the column layer does not ask */

static int64_t wide[COL_CHUNK_ROWS];
static unsigned char packed[COL_CHUNK_ROWS * 8];

/* Fill the chunk: every row VALUE_MISSING, then the given values at rows 0, 1, ... */
static void fill(const int64_t *v, size_t n)
{
    for (uint32_t i = 0; i < COL_CHUNK_ROWS; i++)
        wide[i] = VALUE_MISSING;
    if (n)
        memcpy(wide, v, n * sizeof *v);
}

/* Pack the chunk, check its width, and that every row reads back; returns the view. */
static column_ints round_trip(size_t want_width)
{
    column_ints form, view;
    int packs = column_ints_choose(wide, &form);
    if (want_width == 8) {
        assert_int_equal(packs, 0);
        return (column_ints){ .p = (const unsigned char *)wide, .width = 8 };
    }
    assert_int_equal(packs, 1);
    assert_int_equal(form.width, want_width);
    size_t size = column_ints_size(&form);
    assert_int_equal(size, COLUMN_INTS_HEADER + (size_t)COL_CHUNK_ROWS * want_width);
    column_ints_pack(wide, &form, packed);
    assert_int_equal(column_ints_of(&(MDB_val){ size, packed }, &view), 0);
    assert_int_equal(view.width, want_width);
    static int64_t back[COL_CHUNK_ROWS];
    column_ints_unpack(&view, back, COL_CHUNK_ROWS);
    for (uint32_t i = 0; i < COL_CHUNK_ROWS; i++) {
        assert_int_equal(column_int_at(&view, i), wide[i]);
        assert_int_equal(back[i], wide[i]);
    }
    return view;
}

static void test_column_ints_width_follows_the_range(void **state)
{
    (void)state;
    fill(NULL, 0); /* all missing */
    round_trip(1);
    fill((const int64_t[]){ 42 }, 1);
    round_trip(1);
    /* a step of 1 (min + 1 is there): 255 values fit a byte, whose last offset is missing's */
    fill((const int64_t[]){ -7, -6, 247 }, 3);
    round_trip(1);
    fill((const int64_t[]){ -7, -6, 248 }, 3);
    round_trip(2);
    fill((const int64_t[]){ 0, 1, 65534 }, 3);
    round_trip(2);
    fill((const int64_t[]){ 0, 1, 65535 }, 3);
    round_trip(4);
    fill((const int64_t[]){ 1, 2, (int64_t)UINT32_MAX }, 3); /* range 2^32 - 2 */
    round_trip(4);
    fill((const int64_t[]){ 0, 1, (int64_t)UINT32_MAX }, 3);
    round_trip(8);
    fill((const int64_t[]){ INT64_MIN + 1, INT64_MIN + 2, INT64_MAX }, 3); /* the widest range */
    round_trip(8);
    fill((const int64_t[]){ INT64_MAX - 1, INT64_MAX, INT64_MAX }, 3);
    round_trip(1);
}

static void test_column_ints_common_step_narrows(void **state)
{
    (void)state;
    /* incomes in tens up to 300,000: 2 bytes, not 4 */
    fill((const int64_t[]){ 520, 287310, 91150, 10000 }, 4);
    column_ints v = round_trip(2);
    assert_int_equal(v.step, 10);
    assert_int_equal(v.base, 520);
    /* steps larger than any int64 distance's half */
    fill((const int64_t[]){ INT64_MIN + 1, 0 }, 2);
    v = round_trip(1);
    assert_int_equal(v.step, (uint64_t)INT64_MAX);
    /* microsecond-scaled numbers in whole units */
    int64_t micros[300];
    for (int i = 0; i < 300; i++)
        micros[i] = (int64_t)(i * 7 - 1000) * 1000000;
    fill(micros, 300);
    v = round_trip(2);
    assert_int_equal(v.step, 7000000);
}

static void test_column_ints_of_refuses_other_sizes_and_step_zero(void **state)
{
    (void)state;
    column_ints v;
    static unsigned char bytes[COLUMN_INTS_HEADER + COL_CHUNK_ROWS * 2];
    assert_int_equal(column_ints_of(&(MDB_val){ 16, bytes }, &v), -1);
    assert_int_equal(column_ints_of(&(MDB_val){ COL_CHUNK_ROWS * 4, bytes }, &v), -1);
    assert_int_equal(column_ints_of(&(MDB_val){ COL_CHUNK_ROWS * 2 + 15, bytes }, &v), -1);
    memset(bytes, 0, sizeof bytes); /* a step of 0 */
    assert_int_equal(column_ints_of(&(MDB_val){ sizeof bytes, bytes }, &v), -1);
    uint64_t one = 1;
    memcpy(bytes + 8, &one, sizeof one);
    assert_int_equal(column_ints_of(&(MDB_val){ sizeof bytes, bytes }, &v), 0);
    assert_int_equal(v.width, 2);
    assert_int_equal(v.missing, UINT16_MAX);
}

/* Whether span(lo, hi) is exactly the offsets of the present values in [lo, hi]. */
static void check_span(const column_ints *v, int64_t lo, int64_t hi)
{
    uint32_t olo = 0, ohi = 0;
    int any = column_ints_span(v, lo, hi, &olo, &ohi);
    for (uint32_t i = 0; i < COL_CHUNK_ROWS; i++) {
        int64_t x = column_int_at(v, i);
        uint32_t off = (uint32_t)(((uint64_t)x - (uint64_t)v->base) / v->step);
        int in = x != VALUE_MISSING && x >= lo && x <= hi;
        int spanned = x != VALUE_MISSING && any && off >= olo && off <= ohi;
        if (in != spanned)
            fail_msg("value %lld in [%lld, %lld]: %d, in the offsets [%u, %u] (%d): %d",
                     (long long)x, (long long)lo, (long long)hi, in, olo, ohi, any, spanned);
    }
    if (any && ohi >= v->missing)
        fail_msg("span [%u, %u] reaches missing's offset %u", olo, ohi, v->missing);
}

static void test_column_ints_span_matches_a_scan(void **state)
{
    (void)state;
    srand(13);
    for (uint32_t i = 0; i < COL_CHUNK_ROWS; i++)
        wide[i] = i % 9 == 0 ? VALUE_MISSING : -30000 + 10 * (int64_t)(rand() % 5000);
    column_ints v = round_trip(2);
    const int64_t edges[] = { INT64_MIN, INT64_MIN + 1, -30011, -30010, -30009, -30000, -29999,
                              -29990, 0, 5, 10, 19980, 19989, 19990, 19991, 20000, INT64_MAX - 1,
                              INT64_MAX };
    size_t n = sizeof edges / sizeof *edges;
    for (size_t a = 0; a < n; a++) {
        for (size_t b = 0; b < n; b++)
            check_span(&v, edges[a], edges[b]);
    }
    for (int k = 0; k < 200; k++) {
        int64_t lo = -31000 + rand() % 52000, hi = lo + rand() % 3000;
        check_span(&v, lo, hi);
    }
    fill((const int64_t[]){ INT64_MAX - 1, INT64_MIN + 1 }, 2); /* a step above INT64_MAX */
    v = round_trip(1);
    for (size_t a = 0; a < n; a++) {
        for (size_t b = 0; b < n; b++)
            check_span(&v, edges[a], edges[b]);
    }
}

/* ------------------------------------------------------------ through the column cache */

typedef struct cells {
    const uint32_t *ord;
    const int64_t *v;
    size_t n;
} cells;

static int set_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    const cells *c = ud;
    column_cache *cc = column_cache_new();
    int rc = cc ? SEGRT_OK : SEGRT_ENOMEM;
    for (size_t i = 0; i < c->n && rc == SEGRT_OK; i++)
        rc = column_set_i64(s, txn, cc, FIELD, c->ord[i], c->v[i]);
    if (rc == SEGRT_OK)
        rc = column_cache_flush(s, txn, cc);
    column_cache_free(cc);
    return rc;
}

static void set(segrt_store *s, const uint32_t *ord, const int64_t *v, size_t n)
{
    cells c = { ord, v, n };
    assert_int_equal(store_write(s, set_txn, &c), SEGRT_OK);
}

typedef struct stored {
    size_t size;
    int64_t v[4]; /* rows 0, 1, 65535, 7 */
} stored;

static int get_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    stored *st = ud;
    MDB_val v;
    column_ints ints;
    int rc = column_chunk_get(s, txn, FIELD, 0, 0, &v);
    if (rc != SEGRT_OK)
        return rc;
    st->size = v.mv_size;
    assert_int_equal(column_ints_of(&v, &ints), 0);
    const uint32_t rows[] = { 0, 1, COL_CHUNK_ROWS - 1, 7 };
    for (size_t i = 0; i < 4; i++)
        st->v[i] = column_int_at(&ints, rows[i]);
    return SEGRT_OK;
}

static stored get(segrt_store *s)
{
    stored st = { 0, { 0 } };
    assert_int_equal(store_read(s, get_txn, &st), SEGRT_OK);
    return st;
}

static void test_column_ints_cache_packs_repacks_and_reads_back(void **state)
{
    tu_fixture *f = *state;
    set(f->s, (const uint32_t[]){ 0, 1 }, (const int64_t[]){ 20000, 20100 }, 2);
    stored st = get(f->s);
    assert_int_equal(st.size, COLUMN_INTS_HEADER + COL_CHUNK_ROWS); /* step 100: a byte */
    assert_int_equal(st.v[0], 20000);
    assert_int_equal(st.v[1], 20100);
    assert_int_equal(st.v[2], VALUE_MISSING);
    /* a value off the step and far away: the cache unpacks, the flush repacks wider */
    set(f->s, (const uint32_t[]){ 7 }, (const int64_t[]){ 20000 + 70001 }, 1);
    st = get(f->s);
    assert_int_equal(st.size, COLUMN_INTS_HEADER + (size_t)COL_CHUNK_ROWS * 4);
    assert_int_equal(st.v[0], 20000);
    assert_int_equal(st.v[1], 20100);
    assert_int_equal(st.v[3], 90001);
    /* beyond 4 bytes: wide */
    set(f->s, (const uint32_t[]){ COL_CHUNK_ROWS - 1 }, (const int64_t[]){ INT64_C(1) << 40 }, 1);
    st = get(f->s);
    assert_int_equal(st.size, (size_t)COL_CHUNK_ROWS * 8);
    assert_int_equal(st.v[2], INT64_C(1) << 40);
    assert_int_equal(st.v[3], 90001);
    /* and packed again once the range shrinks */
    set(f->s, (const uint32_t[]){ COL_CHUNK_ROWS - 1, 7 }, (const int64_t[]){ VALUE_MISSING, 20200 },
        2);
    st = get(f->s);
    assert_int_equal(st.size, COLUMN_INTS_HEADER + COL_CHUNK_ROWS);
    assert_int_equal(st.v[2], VALUE_MISSING);
    assert_int_equal(st.v[3], 20200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_column_ints_width_follows_the_range),
        cmocka_unit_test(test_column_ints_common_step_narrows),
        cmocka_unit_test(test_column_ints_of_refuses_other_sizes_and_step_zero),
        cmocka_unit_test(test_column_ints_span_matches_a_scan),
        TU_STORE_TEST(test_column_ints_cache_packs_repacks_and_reads_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
