/*
 * test_projection.c — reading per-event-type projections (core/store/
 * projection.h): empty stores, the (contact, ts) order and the values of
 * each array, stored parts borrowed from the map after an import, a chunk
 * whose projections are not kept read from the timelines, a write
 * transaction that sees its own changes, erasure, idempotent re-imports, an
 * import that writes no event, a type with a single event, a map that has
 * to grow, a store of format 2 converted, and segrt_store_check on tampered
 * parts. (Writes that append runs: test_proj_update.c.)
 *
 * Uses: cmocka, segrt.h, test_util.h, proj_util.h, and the internal
 * projection.h, proj_update.h, proj_part.h, store.h, buf.h.
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
#include "map_util.h"
#include "test_util.h"

#include "store/proj_update.h"
#include "store/projection.h"
#include "util/buf.h"
#include "util/value.h"

#include "proj_util.h"

/* ------------------------------------------------------------ fixtures */

static const char contacts_csv[] = "id,name\n"
                                   "c1,Ann\n"
                                   "c2,Bob\n"
                                   "c3,Cy\n";

/* Out of order across and within contacts; c1's second purchase has no amount. */
static const char events_csv[] = "contact_id,ts,type,amount,category,channel\n"
                                 "c3,2024-03-01T00:00:00Z,purchase,30.5,shoes,web\n"
                                 "c1,2024-02-01T00:00:00Z,purchase,,books,store\n"
                                 "c2,2024-01-05T00:00:00Z,view,,,web\n"
                                 "c1,2024-01-01T00:00:00Z,view,,books,web\n"
                                 "c1,2024-01-15T00:00:00Z,purchase,10,books,web\n"
                                 "c3,2024-01-01T00:00:00Z,purchase,5.25,,\n"
                                 "c2,2024-02-01T00:00:00Z,refund,7,shoes,store\n";

static void import_sample(tu_fixture *f)
{
    tu_import_text(f, SEGRT_CONTACTS, "contacts.csv", contacts_csv, NULL);
    tu_import_text(f, SEGRT_EVENTS, "events.csv", events_csv, NULL);
}

/* ------------------------------------------------------------ helpers */

static int64_t ts_of(const char *text)
{
    int64_t t;
    assert_int_equal(segrt_time_parse(text, &t), SEGRT_OK);
    return t;
}

/* Contacts m0..m<ncontacts - 1>, then n events of type spread over them, imported. */
static void write_many(tu_fixture *f, const char *type, size_t ncontacts, size_t n)
{
    char path[TU_PATH_MAX];
    buf b = { 0 };
    char line[128];
    int len = snprintf(line, sizeof line, "id\n");
    assert_int_equal(buf_put(&b, line, (size_t)len), 0);
    for (size_t i = 0; i < ncontacts; i++) {
        len = snprintf(line, sizeof line, "m%zu\n", i);
        assert_int_equal(buf_put(&b, line, (size_t)len), 0);
    }
    assert_int_equal(buf_put(&b, "", 1), 0);
    tu_import(f->s, SEGRT_CONTACTS, tu_write(path, f->dir, "many_contacts.csv", (char *)b.p),
              NULL);
    b.len = 0;
    len = snprintf(line, sizeof line, "contact_id,ts,type,amount\n");
    assert_int_equal(buf_put(&b, line, (size_t)len), 0);
    for (size_t i = 0; i < n; i++) {
        /* Descending times: the import has to sort each timeline. */
        char ts[21];
        segrt_time_format(1700000000 + (int64_t)(n - i) * 60, ts);
        len = snprintf(line, sizeof line, "m%zu,%s,%s,%zu\n", (n - 1 - i) % ncontacts, ts, type, i);
        assert_int_equal(buf_put(&b, line, (size_t)len), 0);
    }
    assert_int_equal(buf_put(&b, "", 1), 0);
    tu_import(f->s, SEGRT_EVENTS, tu_write(path, f->dir, "many_events.csv", (char *)b.p), NULL);
    buf_free(&b);
}

/* Whether type's projection is read in place: its one part's arrays lie in the stored base. */
static int borrowed(segrt_store *s, const char *type)
{
    MDB_txn *txn = pu_read_txn(s);
    unsigned char kb[PROJ_KEY_BYTES];
    proj_key k = { pu_code(s, FIELD_EV_TYPE, type), 0, 0 };
    MDB_val key = proj_key_val(&k, kb), v;
    projection_set set;
    assert_int_equal(mdb_get(txn, s->dbi[DB_PROJ], &key, &v), 0);
    assert_int_equal(projection_get(s, txn, k.type, &set), SEGRT_OK);
    assert_int_equal(set.nparts, 1);
    const char *p = (const char *)set.part[0].ord, *lo = v.mv_data;
    int in = p >= lo && p < lo + v.mv_size;
    projection_release(&set);
    mdb_txn_abort(txn);
    return in;
}

/* ------------------------------------------------------------ tests */

static void test_projection_of_an_empty_store_has_no_parts(void **state)
{
    tu_fixture *f = *state;
    assert_true(pu_code(f->s, FIELD_EV_TYPE, "purchase") == 0);
    for (int round = 0; round < 2; round++) {
        MDB_txn *txn = pu_read_txn(f->s);
        for (uint32_t type = 0; type < 4; type++) {
            projection_set p;
            assert_int_equal(projection_get(f->s, txn, type, &p), SEGRT_OK);
            assert_int_equal(p.nparts, 0);
            assert_int_equal(p.events, 0);
            projection_release(&p);
        }
        mdb_txn_abort(txn);
        tu_assert_check_ok(f->s);
        /* Contacts without events: still nothing to project. */
        tu_import_text(f, SEGRT_CONTACTS, "contacts.csv", contacts_csv, NULL);
    }
    assert_int_equal(proj_update_dirty(f->s), SEGRT_OK);
    projection_set zero = { 0 };
    projection_release(&zero);
    projection_release(NULL);
}

static void test_projection_sorts_by_contact_and_time_with_every_value(void **state)
{
    tu_fixture *f = *state;
    import_sample(f);
    segrt_store *s = f->s;
    uint32_t c1 = pu_ord(s, "c1"), c2 = pu_ord(s, "c2"), c3 = pu_ord(s, "c3");
    assert_true(c1 < c2 && c2 < c3);
    uint32_t books = pu_code(s, FIELD_EV_CATEGORY, "books"),
             shoes = pu_code(s, FIELD_EV_CATEGORY, "shoes"),
             web = pu_code(s, FIELD_EV_CHANNEL, "web"),
             store = pu_code(s, FIELD_EV_CHANNEL, "store");
    assert_true(books && shoes && web && store);

    pu_list p = pu_stored(s, "purchase");
    assert_int_equal(p.n, 4);
    const uint32_t ord[] = { c1, c1, c3, c3 };
    const int64_t ts[] = { ts_of("2024-01-15T00:00:00Z"), ts_of("2024-02-01T00:00:00Z"),
                           ts_of("2024-01-01T00:00:00Z"), ts_of("2024-03-01T00:00:00Z") };
    const int64_t amount[] = { 10000000, VALUE_MISSING, 5250000, 30500000 };
    const uint32_t category[] = { books, books, 0, shoes };
    const uint32_t channel[] = { web, store, 0, web };
    const uint32_t seq[] = { 1, 2, 0, 1 }; /* c1's timeline starts with its view */
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(p.e[i].ord, ord[i]);
        assert_int_equal(p.e[i].ts, ts[i]);
        assert_int_equal(p.e[i].amount, amount[i]);
        assert_int_equal(p.e[i].category, category[i]);
        assert_int_equal(p.e[i].channel, channel[i]);
        assert_int_equal(p.e[i].seq, seq[i]);
    }
    pu_free(&p);

    p = pu_stored(s, "view");
    assert_int_equal(p.n, 2);
    assert_int_equal(p.e[0].ord, c1);
    assert_int_equal(p.e[1].ord, c2);
    assert_int_equal(p.e[0].amount, VALUE_MISSING);
    assert_int_equal(p.e[0].category, books);
    assert_int_equal(p.e[1].category, 0);
    assert_int_equal(p.e[1].seq, 0);
    pu_free(&p);
    tu_assert_check_ok(s);
}

static void test_projection_is_stored_and_borrowed_after_an_import(void **state)
{
    tu_fixture *f = *state;
    write_many(f, "click", 50, 5000);
    pu_list p = pu_stored(f->s, "click");
    assert_int_equal(p.n, 5000);
    assert_true(borrowed(f->s, "click")); /* large values sit on 8-byte aligned overflow pages */
    uint32_t m7 = pu_ord(f->s, "m7");
    size_t n7 = 0;
    for (size_t i = 0; i < p.n; i++)
        n7 += p.e[i].ord == m7;
    assert_int_equal(n7, 100);
    pu_free(&p);
    pu_assert_rebuilt(f->s, "click");
    tu_assert_check_ok(f->s);
}

static void test_projection_of_a_chunk_not_kept_is_built_from_the_timelines(void **state)
{
    tu_fixture *f = *state;
    import_sample(f);
    write_many(f, "click", 20, 2000);
    static const char *const types[] = { "purchase", "view", "refund", "click" };
    pu_list kept[4];
    for (size_t t = 0; t < 4; t++)
        kept[t] = pu_stored(f->s, types[t]);
    pu_mark_chunk(f->s, 0);
    tu_assert_check_ok(f->s); /* a chunk not kept is not compared */
    for (size_t t = 0; t < 4; t++) {
        pu_list built = pu_stored(f->s, types[t]);
        pu_assert_same(&kept[t], &built);
        pu_free(&built);
    }
    /* Rebuilding the chunk stores them again, equal to what was built. */
    assert_int_equal(proj_update_dirty(f->s), SEGRT_OK);
    assert_true(borrowed(f->s, "click"));
    for (size_t t = 0; t < 4; t++) {
        pu_list again = pu_stored(f->s, types[t]);
        pu_assert_same(&kept[t], &again);
        pu_free(&again);
        pu_free(&kept[t]);
    }
    tu_assert_check_ok(f->s);
}

static void test_projection_in_a_write_transaction_sees_its_flushed_changes(void **state)
{
    tu_fixture *f = *state;
    import_sample(f);
    uint32_t purchase = pu_code(f->s, FIELD_EV_TYPE, "purchase");
    uint32_t c3 = pu_ord(f->s, "c3");
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->s, 0, &txn), SEGRT_OK);
    MDB_val k = store_ord_key(&c3);
    assert_int_equal(proj_update_touch(f->s, txn, c3), SEGRT_OK);
    assert_int_equal(mdb_del(txn, f->s->dbi[DB_EVENTS], &k, NULL), 0);
    assert_int_equal(proj_update_flush(f->s, txn, 0), SEGRT_OK);
    projection_set p;
    assert_int_equal(projection_get(f->s, txn, purchase, &p), SEGRT_OK);
    assert_int_equal(p.events, 2);
    for (size_t k2 = 0; k2 < p.nparts; k2++) {
        for (size_t j = 0; j < p.part[k2].nspan; j++) {
            for (size_t i = p.part[k2].span[j].lo; i < p.part[k2].span[j].hi; i++)
                assert_int_equal(p.part[k2].ord[i], pu_ord(f->s, "c1"));
        }
    }
    projection_release(&p);
    mdb_txn_abort(txn);
    /* Aborted: the committed projection still has c3's purchases. */
    pu_list after = pu_stored(f->s, "purchase");
    assert_int_equal(after.n, 4);
    pu_free(&after);
    tu_assert_check_ok(f->s);
}

static void test_projection_loses_the_events_of_an_erased_contact(void **state)
{
    tu_fixture *f = *state;
    import_sample(f);
    uint32_t c1 = pu_ord(f->s, "c1"), c3 = pu_ord(f->s, "c3");
    assert_int_equal(segrt_contact_erase(f->s, "c1", "test"), SEGRT_OK);
    pu_list p = pu_stored(f->s, "purchase");
    assert_int_equal(p.n, 2);
    for (size_t i = 0; i < p.n; i++) {
        assert_int_not_equal(p.e[i].ord, c1);
        assert_int_equal(p.e[i].ord, c3);
    }
    pu_free(&p);
    p = pu_stored(f->s, "view");
    assert_int_equal(p.n, 1);
    assert_int_not_equal(p.e[0].ord, c1);
    pu_free(&p);
    tu_assert_check_ok(f->s);
    /* Erasing the last contact with purchases empties that type. */
    assert_int_equal(segrt_contact_erase(f->s, "c3", "test"), SEGRT_OK);
    p = pu_stored(f->s, "purchase");
    assert_int_equal(p.n, 0);
    pu_free(&p);
    pu_parts parts = pu_parts_of(f->s, "purchase", 0);
    assert_int_equal(parts.base + parts.runs, 0);
    tu_assert_check_ok(f->s);
}

static void test_projection_is_unchanged_by_importing_the_same_events_again(void **state)
{
    tu_fixture *f = *state;
    import_sample(f);
    write_many(f, "click", 10, 500);
    pu_list before = pu_stored(f->s, "purchase"), clicks = pu_stored(f->s, "click");
    tu_import_text(f, SEGRT_EVENTS, "events.csv", events_csv, NULL);
    pu_list after = pu_stored(f->s, "purchase"), clicks2 = pu_stored(f->s, "click");
    pu_assert_same(&before, &after);
    pu_assert_same(&clicks, &clicks2);
    /* Nothing changed, so nothing was written: no run. */
    assert_int_equal(pu_parts_of(f->s, "purchase", 0).runs, 0);
    pu_free(&before);
    pu_free(&after);
    pu_free(&clicks);
    pu_free(&clicks2);
    tu_assert_check_ok(f->s);
}

static void test_projection_stays_when_an_import_writes_no_event(void **state)
{
    tu_fixture *f = *state;
    import_sample(f);
    tu_rejects rej = { 0 };
    tu_import_text(f, SEGRT_EVENTS, "unknown.csv",
                   "contact_id,ts,type\nnobody,2024-01-01T00:00:00Z,purchase\n", &rej);
    assert_int_equal(rej.n, 1);
    pu_list p = pu_stored(f->s, "purchase");
    assert_int_equal(p.n, 4);
    pu_free(&p);
    pu_parts parts = pu_parts_of(f->s, "purchase", 0);
    assert_int_equal(parts.base, 1);
    assert_int_equal(parts.runs, 0);
}

static void test_projection_of_a_type_with_one_event(void **state)
{
    tu_fixture *f = *state;
    import_sample(f);
    /* A 48-byte value sits in a leaf page: copied when it is not aligned. */
    pu_list p = pu_stored(f->s, "refund");
    assert_int_equal(p.n, 1);
    assert_int_equal(p.e[0].ord, pu_ord(f->s, "c2"));
    assert_int_equal(p.e[0].ts, ts_of("2024-02-01T00:00:00Z"));
    assert_int_equal(p.e[0].amount, 7000000);
    assert_int_equal(p.e[0].category, pu_code(f->s, FIELD_EV_CATEGORY, "shoes"));
    assert_int_equal(p.e[0].channel, pu_code(f->s, FIELD_EV_CHANNEL, "store"));
    assert_int_equal(p.e[0].seq, 1);
    pu_free(&p);
    /* A type code nobody uses. */
    MDB_txn *txn = pu_read_txn(f->s);
    projection_set none;
    assert_int_equal(projection_get(f->s, txn, 999, &none), SEGRT_OK);
    assert_int_equal(none.nparts, 0);
    projection_release(&none);
    mdb_txn_abort(txn);
}

static void test_projection_is_written_when_the_map_has_to_grow(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(segrt_store_set_mapsize(f->s, (size_t)1 << 20), SEGRT_OK);
    write_many(f, "click", 300, 40000);
    pu_list before = pu_stored(f->s, "click");
    assert_int_equal(before.n, 40000);
    /* A map with no room for a second copy: the rebuild fills it, grows it, runs again. */
    pu_mark_chunk(f->s, 0);
    size_t used = tu_map_to_used(f->s, 7);
    assert_int_equal(proj_update_dirty(f->s), SEGRT_OK);
    assert_true(f->s->mapsize > used);
    assert_true(borrowed(f->s, "click"));
    pu_list after = pu_stored(f->s, "click");
    pu_assert_same(&before, &after);
    pu_free(&before);
    pu_free(&after);
    tu_assert_check_ok(f->s);
}

static int tamper(segrt_store *s, MDB_txn *txn, void *ud)
{
    const char *how = ud;
    uint32_t type = 0;
    int rc = dict_find(s, txn, FIELD_EV_TYPE, "click", 5, &type);
    if (rc != SEGRT_OK)
        return rc;
    unsigned char kb[PROJ_KEY_BYTES];
    proj_key pk = { type, 0, 0 };
    MDB_val k = proj_key_val(&pk, kb), v;
    if (strcmp(how, "drop") == 0)
        return mdb_del(txn, s->dbi[DB_PROJ], &k, NULL) == 0 ? SEGRT_OK : SEGRT_ESTORE;
    if (mdb_get(txn, s->dbi[DB_PROJ], &k, &v) != 0)
        return SEGRT_ESTORE;
    unsigned char *copy = malloc(v.mv_size);
    if (copy == NULL)
        return SEGRT_ENOMEM;
    memcpy(copy, v.mv_data, v.mv_size);
    uint32_t n;
    memcpy(&n, copy, 4);
    if (strcmp(how, "swap") == 0) { /* the first and last ordinals: out of order */
        uint32_t *ord = (uint32_t *)(void *)(copy + 16 + (size_t)n * 16), t = ord[0];
        ord[0] = ord[n - 1];
        ord[n - 1] = t;
    } else { /* "cut": a value of the wrong size */
        v.mv_size -= 4;
    }
    v.mv_data = copy;
    rc = mdb_put(txn, s->dbi[DB_PROJ], &k, &v, 0) == 0 ? SEGRT_OK : SEGRT_ESTORE;
    free(copy);
    return rc;
}

static void test_projection_check_finds_a_tampered_projection(void **state)
{
    tu_fixture *f = *state;
    write_many(f, "click", 10, 1000);
    tu_assert_check_ok(f->s);
    assert_int_equal(store_write(f->s, tamper, (void *)"swap"), SEGRT_OK);
    assert_int_equal(segrt_store_check(f->s), SEGRT_ECORRUPT);
    assert_non_null(strstr(segrt_errmsg(f->s), "projection of event type"));
    /* Rebuilding the chunk repairs it. */
    pu_mark_chunk(f->s, 0);
    tu_assert_check_ok(f->s);
    assert_int_equal(proj_update_dirty(f->s), SEGRT_OK);
    tu_assert_check_ok(f->s);
    /* A missing base is a difference from the timelines. */
    assert_int_equal(store_write(f->s, tamper, (void *)"drop"), SEGRT_OK);
    assert_int_equal(segrt_store_check(f->s), SEGRT_ECORRUPT);
    assert_non_null(strstr(segrt_errmsg(f->s), "holds 0 events, the timelines 1000"));
    /* A value of the wrong size is corruption that readers report too. */
    pu_mark_chunk(f->s, 0);
    assert_int_equal(proj_update_dirty(f->s), SEGRT_OK);
    assert_int_equal(store_write(f->s, tamper, (void *)"cut"), SEGRT_OK);
    assert_int_equal(segrt_store_check(f->s), SEGRT_ECORRUPT);
    MDB_txn *txn = pu_read_txn(f->s);
    projection_set p;
    assert_int_equal(projection_get(f->s, txn, pu_code(f->s, FIELD_EV_TYPE, "click"), &p),
                     SEGRT_ECORRUPT);
    assert_non_null(strstr(segrt_errmsg(f->s), "projection of event type"));
    assert_int_equal(p.nparts, 0);
    assert_null(p.owned);
    mdb_txn_abort(txn);
}

/* Make the store look like format 2: its format, a whole-type projection, the generations. */
static int make_format2(segrt_store *s, MDB_txn *txn, void *ud)
{
    static const unsigned char old_key[5] = { 0, 0, 0, 1, 0 };
    uint32_t fmt = 2;
    uint64_t gen = 7;
    MDB_val fk = { 6, (void *)"format" }, fv = { sizeof fmt, &fmt };
    MDB_val pk = { sizeof old_key, (void *)old_key }, pv = { 4, (void *)"\0\0\0\0" };
    MDB_val gk = { 8, (void *)"proj_gen" }, ek = { 6, (void *)"ev_gen" }, gv = { 8, &gen };
    (void)ud;
    int rc = mdb_drop(txn, s->dbi[DB_PROJ], 0);
    if (rc == 0)
        rc = mdb_put(txn, s->dbi[DB_META], &fk, &fv, 0);
    if (rc == 0)
        rc = mdb_put(txn, s->dbi[DB_PROJ], &pk, &pv, 0);
    if (rc == 0)
        rc = mdb_put(txn, s->dbi[DB_META], &gk, &gv, 0);
    if (rc == 0)
        rc = mdb_put(txn, s->dbi[DB_META], &ek, &gv, 0);
    return rc == 0 ? SEGRT_OK : SEGRT_ESTORE;
}

static void test_projection_of_a_format_2_store_is_converted_by_a_write_open(void **state)
{
    tu_fixture *f = *state;
    import_sample(f);
    write_many(f, "click", 30, 3000);
    pu_list clicks = pu_stored(f->s, "click");
    assert_int_equal(store_write(f->s, make_format2, NULL), SEGRT_OK);
    segrt_store_close(f->s);
    f->s = NULL;
    /* Read-only: refused, saying what to do. */
    char err[512] = "";
    segrt_store *ro = NULL;
    assert_int_equal(segrt_store_open(f->store, SEGRT_OPEN_READONLY, &ro, err, sizeof err),
                     SEGRT_ECORRUPT);
    assert_null(ro);
    assert_non_null(strstr(err, "store format 2"));
    assert_non_null(strstr(err, "open it for writing once"));
    /* For writing: converted, the projections built in chunks. */
    tu_open(f, 0);
    pu_list again = pu_stored(f->s, "click");
    pu_assert_same(&clicks, &again);
    assert_true(borrowed(f->s, "click"));
    pu_assert_rebuilt(f->s, "purchase");
    int have = 1;
    MDB_txn *txn = pu_read_txn(f->s);
    MDB_val gk = { 8, (void *)"proj_gen" }, v;
    have = mdb_get(txn, f->s->dbi[DB_META], &gk, &v) == 0;
    mdb_txn_abort(txn);
    assert_false(have);
    tu_assert_check_ok(f->s);
    pu_free(&clicks);
    pu_free(&again);
    /* And read-only after that. */
    segrt_store_close(f->s);
    tu_open(f, SEGRT_OPEN_READONLY);
    tu_assert_check_ok(f->s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_projection_of_an_empty_store_has_no_parts),
        TU_STORE_TEST(test_projection_sorts_by_contact_and_time_with_every_value),
        TU_STORE_TEST(test_projection_is_stored_and_borrowed_after_an_import),
        TU_STORE_TEST(test_projection_of_a_chunk_not_kept_is_built_from_the_timelines),
        TU_STORE_TEST(test_projection_in_a_write_transaction_sees_its_flushed_changes),
        TU_STORE_TEST(test_projection_loses_the_events_of_an_erased_contact),
        TU_STORE_TEST(test_projection_is_unchanged_by_importing_the_same_events_again),
        TU_STORE_TEST(test_projection_stays_when_an_import_writes_no_event),
        TU_STORE_TEST(test_projection_of_a_type_with_one_event),
        TU_STORE_TEST(test_projection_is_written_when_the_map_has_to_grow),
        TU_STORE_TEST(test_projection_check_finds_a_tampered_projection),
        TU_STORE_TEST(test_projection_of_a_format_2_store_is_converted_by_a_write_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
