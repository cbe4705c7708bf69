/*
 * test_id_order.c — the stored id order (core/store/id_order.h): ordinals
 * in byte order of the ids; still valid, and not rewritten, after an
 * erasure (the erased ordinal keeps its place, not live); stale once a
 * contact is added, when a reader walks the id index instead; segrt check
 * compares a valid one with the index.
 *
 * Uses: cmocka, id_order.h, segrt.h, test_util.h.
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
#include "store/id_order.h"
#include "test_util.h"

/* What id_order_get gave: the ordinals and whether they were read from the stored order. */
typedef struct got {
    uint32_t ord[8];
    uint32_t n;
    int stored;
} got;

static int get_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    got *g = ud;
    id_order o;
    int rc = id_order_get(s, txn, &o);
    if (rc != SEGRT_OK)
        return rc;
    assert_true(o.n <= 8);
    memcpy(g->ord, o.ord, o.n * sizeof *o.ord);
    g->n = o.n;
    g->stored = o.stored;
    id_order_release(&o);
    return SEGRT_OK;
}

static got get(segrt_store *s)
{
    got g = { { 0 }, 0, 0 };
    assert_int_equal(store_read(s, get_txn, &g), SEGRT_OK);
    return g;
}

static void assert_order(const got *g, const uint32_t *want, uint32_t n)
{
    assert_int_equal(g->n, n);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(g->ord[i], want[i]);
}

static int bump_next_ord(segrt_store *s, MDB_txn *txn, void *ud)
{
    (void)ud;
    return store_counter_add(s, txn, "next_ord", 1);
}

static int id_order_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    (void)ud;
    return id_order_refresh(s, txn);
}

static void test_id_order_is_the_byte_order_of_ids(void **state)
{
    tu_fixture *f = *state;
    tu_import_text(f, SEGRT_CONTACTS, "c.csv", "id\nc\na\nb\n", NULL);
    got g = get(f->s);
    assert_true(g.stored);
    assert_order(&g, (const uint32_t[]){ 1, 2, 0 }, 3);
}

static void test_id_order_stays_valid_after_an_erasure(void **state)
{
    tu_fixture *f = *state;
    tu_import_text(f, SEGRT_CONTACTS, "c.csv", "id\nc\na\nb\n", NULL);
    assert_int_equal(segrt_contact_erase(f->s, "a", "test"), SEGRT_OK);
    got g = get(f->s);
    assert_true(g.stored); /* not rebuilt: a's ordinal keeps its place */
    assert_order(&g, (const uint32_t[]){ 1, 2, 0 }, 3);
    tu_assert_check_ok(f->s);
}

static void test_id_order_walks_the_index_when_contacts_were_added(void **state)
{
    tu_fixture *f = *state;
    tu_import_text(f, SEGRT_CONTACTS, "c.csv", "id\nc\na\n", NULL);
    assert_int_equal(segrt_contact_erase(f->s, "c", "test"), SEGRT_OK);
    tu_import_text(f, SEGRT_CONTACTS, "d.csv", "id\nb\n", NULL); /* rebuilds it */
    got g = get(f->s);
    assert_true(g.stored);
    assert_order(&g, (const uint32_t[]){ 1, 2 }, 2);
    /* An ordinal handed out without the order rebuilt: the stored one is stale, not used. */
    assert_int_equal(store_write(f->s, bump_next_ord, NULL), SEGRT_OK);
    g = get(f->s);
    assert_false(g.stored);
    assert_order(&g, (const uint32_t[]){ 1, 2 }, 2);
    assert_int_equal(store_write(f->s, id_order_txn, NULL), SEGRT_OK);
    assert_true(get(f->s).stored);
}

/* Swap the first two ordinals of the stored order (after its 16-byte header). */
static int swap_first_two(segrt_store *s, MDB_txn *txn, void *ud)
{
    (void)ud;
    MDB_val k = { 8, (void *)"id_order" }, v;
    int rc = store_get(s, txn, DB_META, &k, &v, "reading the id order");
    if (rc != SEGRT_OK)
        return rc;
    unsigned char buf[64];
    assert_true(v.mv_size <= sizeof buf && v.mv_size >= 24);
    memcpy(buf, v.mv_data, v.mv_size);
    uint32_t a, b;
    memcpy(&a, buf + 16, 4);
    memcpy(&b, buf + 20, 4);
    memcpy(buf + 16, &b, 4);
    memcpy(buf + 20, &a, 4);
    MDB_val nv = { v.mv_size, buf };
    return mdb_put(txn, s->dbi[DB_META], &k, &nv, 0) == 0 ? SEGRT_OK : SEGRT_ESTORE;
}

static void test_id_order_check_finds_an_order_that_is_not_the_index_s(void **state)
{
    tu_fixture *f = *state;
    tu_import_text(f, SEGRT_CONTACTS, "c.csv", "id\nc\na\nb\n", NULL);
    assert_int_equal(segrt_contact_erase(f->s, "c", "test"), SEGRT_OK);
    tu_assert_check_ok(f->s); /* c's ordinal is skipped */
    assert_int_equal(store_write(f->s, swap_first_two, NULL), SEGRT_OK);
    assert_int_equal(segrt_store_check(f->s), SEGRT_ECORRUPT);
    tu_assert_errmsg(f->s, "the id order differs from the id index at position");
    /* flagged: refused at open, naming the finding, unless opened as flagged */
    segrt_store_close(f->s);
    char err[1024] = "";
    segrt_store *s = NULL;
    assert_int_equal(segrt_store_open(f->store, 0, &s, err, sizeof err), SEGRT_ECORRUPT);
    assert_null(s);
    assert_non_null(strstr(err, "was found corrupt (at "));
    assert_non_null(strstr(err, "the id order differs from the id index at position"));
    assert_int_equal(segrt_store_open(f->store, SEGRT_OPEN_READONLY, &s, err, sizeof err),
                     SEGRT_ECORRUPT);
    tu_open(f, SEGRT_OPEN_FLAGGED);
    /* repaired (the two swapped back) and checked again: the flag goes */
    assert_int_equal(store_write(f->s, swap_first_two, NULL), SEGRT_OK);
    tu_assert_check_ok(f->s);
    segrt_store_close(f->s);
    tu_open(f, 0);
}

static int note_merge(void *ud, const segrt_dup_group *g)
{
    if (g->merge)
        *(uint64_t *)ud = g->merge;
    return 0;
}

static void test_id_order_takes_back_a_contact_an_undone_merge_restores(void **state)
{
    tu_fixture *f = *state;
    tu_import_text(f, SEGRT_CONTACTS, "c.csv", "id,email\nc,x@example.com\na,y@example.com\n"
                                               "b,x@example.com\n", NULL);
    uint64_t merge = 0;
    segrt_dedupe_opts o = { .by = SEGRT_DEDUPE_EMAIL, .merge = 1, .actor = "test",
                            .on_group = note_merge, .ud = &merge };
    assert_int_equal(segrt_dedupe(f->s, &o), SEGRT_OK); /* b (ordinal 2) merged into c */
    assert_true(merge != 0);
    tu_import_text(f, SEGRT_CONTACTS, "d.csv", "id\nd\n", NULL); /* rebuilt without b */
    assert_int_equal(segrt_dedupe_undo(f->s, merge, "test", NULL, NULL), SEGRT_OK);
    got g = get(f->s);
    assert_true(g.stored);
    assert_order(&g, (const uint32_t[]){ 1, 2, 0, 3 }, 4);
    tu_assert_check_ok(f->s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_id_order_is_the_byte_order_of_ids),
        TU_STORE_TEST(test_id_order_stays_valid_after_an_erasure),
        TU_STORE_TEST(test_id_order_walks_the_index_when_contacts_were_added),
        TU_STORE_TEST(test_id_order_check_finds_an_order_that_is_not_the_index_s),
        TU_STORE_TEST(test_id_order_takes_back_a_contact_an_undone_merge_restores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
