/*
 * test_projection.c — per-event-type projections (core/store/projection.h): empty
 * stores, the (contact, ts) order and the values of each array, stored
 * projections borrowed from the map after an import, the in-memory build
 * when they are stale, erasure, idempotent re-imports, an import that writes
 * no event, a type with a single event, a map that has to grow, and segrt_store_check on a tampered
 * projection.
 *
 * Uses: cmocka, segrt.h, test_util.h, and the internal projection.h,
 * store.h, dict.h, schema.h and buf.h (it tests a unit, not the public API).
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
#include "test_util.h"

#include "util/buf.h"
#include "store/dict.h"
#include "store/projection.h"
#include "store/schema.h"
#include "store/store.h"
#include "util/value.h"

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

/* A read transaction on the fixture's store. */
static MDB_txn *read_txn(segrt_store *s)
{
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(s, MDB_RDONLY, &txn), SEGRT_OK);
    return txn;
}

/* The dictionary code of a string of an internal field; 0 when absent. */
static uint32_t code_of(segrt_store *s, uint16_t field, const char *name)
{
    MDB_txn *txn = read_txn(s);
    uint32_t code = 0;
    assert_int_equal(dict_find(s, txn, field, name, strlen(name), &code), SEGRT_OK);
    mdb_txn_abort(txn);
    return code;
}

static uint32_t ord_of(segrt_store *s, const char *id)
{
    MDB_txn *txn = read_txn(s);
    uint32_t ord = 0;
    assert_int_equal(store_ord_of(s, txn, id, &ord), SEGRT_OK);
    mdb_txn_abort(txn);
    return ord;
}

static int64_t ts_of(const char *text)
{
    int64_t t;
    assert_int_equal(segrt_time_parse(text, &t), SEGRT_OK);
    return t;
}

/* A meta counter and whether its key exists. */
static uint64_t counter(segrt_store *s, const char *name, int *exists)
{
    MDB_txn *txn = read_txn(s);
    MDB_val k = { strlen(name), (void *)name }, v;
    *exists = mdb_get(txn, s->dbi[DB_META], &k, &v) == 0;
    uint64_t n = 0;
    assert_int_equal(store_counter_get(s, txn, name, &n), SEGRT_OK);
    mdb_txn_abort(txn);
    return n;
}

/* The stored projections were built at the current ev_gen. */
static int is_fresh(segrt_store *s)
{
    int have_proj, have_ev;
    uint64_t proj = counter(s, "proj_gen", &have_proj), ev = counter(s, EV_GEN_COUNTER, &have_ev);
    return have_proj && proj == ev;
}

/* A copy of a projection, to compare after the store changes. */
typedef struct proj_copy {
    size_t n;
    uint32_t *ord, *category, *channel, *seq;
    int64_t *ts, *amount;
} proj_copy;

static void *dup_array(const void *p, size_t n, size_t width)
{
    void *d = malloc(n * width + 1);
    assert_non_null(d);
    if (n)
        memcpy(d, p, n * width);
    return d;
}

static void assert_aligned(const projection *p)
{
    assert_int_equal((uintptr_t)p->ord % 4, 0);
    assert_int_equal((uintptr_t)p->ts % 8, 0);
    assert_int_equal((uintptr_t)p->amount % 8, 0);
    assert_int_equal((uintptr_t)p->category % 4, 0);
    assert_int_equal((uintptr_t)p->channel % 4, 0);
    assert_int_equal((uintptr_t)p->seq % 4, 0);
}

/* The projection of type (by name) copied out of a read transaction; *owned says if it was. */
static proj_copy copy_of(segrt_store *s, const char *type, int *owned)
{
    uint32_t code = code_of(s, FIELD_EV_TYPE, type);
    MDB_txn *txn = read_txn(s);
    projection p;
    int rc = projection_get(s, txn, code, &p);
    if (rc != SEGRT_OK)
        fail_msg("projection_get(%s): %s: %s", type, segrt_errname(rc), segrt_errmsg(s));
    if (p.n > 0)
        assert_aligned(&p);
    proj_copy c = { p.n,
                    dup_array(p.ord, p.n, 4),
                    dup_array(p.category, p.n, 4),
                    dup_array(p.channel, p.n, 4),
                    dup_array(p.seq, p.n, 4),
                    dup_array(p.ts, p.n, 8),
                    dup_array(p.amount, p.n, 8) };
    if (owned)
        *owned = p.owned != NULL;
    projection_release(&p);
    assert_null(p.owned);
    mdb_txn_abort(txn);
    return c;
}

static void copy_free(proj_copy *c)
{
    free(c->ord);
    free(c->category);
    free(c->channel);
    free(c->seq);
    free(c->ts);
    free(c->amount);
    *c = (proj_copy){ 0 };
}

static void assert_same(const proj_copy *a, const proj_copy *b)
{
    assert_int_equal(a->n, b->n);
    assert_memory_equal(a->ord, b->ord, a->n * 4 + (a->n == 0));
    assert_memory_equal(a->ts, b->ts, a->n * 8 + (a->n == 0));
    assert_memory_equal(a->amount, b->amount, a->n * 8 + (a->n == 0));
    assert_memory_equal(a->category, b->category, a->n * 4 + (a->n == 0));
    assert_memory_equal(a->channel, b->channel, a->n * 4 + (a->n == 0));
    assert_memory_equal(a->seq, b->seq, a->n * 4 + (a->n == 0));
}

/* Sorted by (ord, ts): what every reader relies on. */
static void assert_sorted(const proj_copy *c)
{
    for (size_t i = 1; i < c->n; i++) {
        if (c->ord[i] < c->ord[i - 1] || (c->ord[i] == c->ord[i - 1] && c->ts[i] < c->ts[i - 1]))
            fail_msg("projection out of (ord, ts) order at %zu", i);
    }
}

static int bump_ev_gen(segrt_store *s, MDB_txn *txn, void *ud)
{
    (void)ud;
    return store_counter_add(s, txn, EV_GEN_COUNTER, 1);
}

/* Make the stored projections stale, as a write to events without a refresh would. */
static void make_stale(segrt_store *s)
{
    assert_int_equal(store_write(s, bump_ev_gen, NULL), SEGRT_OK);
    assert_false(is_fresh(s));
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

/* ------------------------------------------------------------ tests */

static void test_projection_of_an_empty_store_is_fresh_and_empty(void **state)
{
    tu_fixture *f = *state;
    assert_true(code_of(f->s, FIELD_EV_TYPE, "purchase") == 0);
    for (int round = 0; round < 2; round++) {
        MDB_txn *txn = read_txn(f->s);
        for (uint32_t type = 0; type < 4; type++) {
            projection p;
            assert_int_equal(projection_get(f->s, txn, type, &p), SEGRT_OK);
            assert_int_equal(p.n, 0);
            assert_null(p.owned);
            /* Empty, not NULL: memcpy(dst, p.ts, 0) is defined. */
            assert_true(p.ord && p.ts && p.amount && p.category && p.channel && p.seq);
            projection_release(&p);
        }
        mdb_txn_abort(txn);
        tu_assert_check_ok(f->s);
        /* Contacts without events: still nothing to project, nothing stale. */
        tu_import_text(f, SEGRT_CONTACTS, "contacts.csv", contacts_csv, NULL);
    }
    assert_int_equal(projection_update(f->s), SEGRT_OK);
    projection zero = { 0 };
    projection_release(&zero);
    projection_release(NULL);
}

static void test_projection_sorts_by_contact_and_time_with_every_value(void **state)
{
    tu_fixture *f = *state;
    import_sample(f);
    segrt_store *s = f->s;
    uint32_t c1 = ord_of(s, "c1"), c2 = ord_of(s, "c2"), c3 = ord_of(s, "c3");
    assert_true(c1 < c2 && c2 < c3);
    uint32_t books = code_of(s, FIELD_EV_CATEGORY, "books"),
             shoes = code_of(s, FIELD_EV_CATEGORY, "shoes"),
             web = code_of(s, FIELD_EV_CHANNEL, "web"),
             store = code_of(s, FIELD_EV_CHANNEL, "store");
    assert_true(books && shoes && web && store);

    proj_copy p = copy_of(s, "purchase", NULL);
    assert_int_equal(p.n, 4);
    const uint32_t ord[] = { c1, c1, c3, c3 };
    const int64_t ts[] = { ts_of("2024-01-15T00:00:00Z"), ts_of("2024-02-01T00:00:00Z"),
                           ts_of("2024-01-01T00:00:00Z"), ts_of("2024-03-01T00:00:00Z") };
    const int64_t amount[] = { 10000000, VALUE_MISSING, 5250000, 30500000 };
    const uint32_t category[] = { books, books, 0, shoes };
    const uint32_t channel[] = { web, store, 0, web };
    const uint32_t seq[] = { 1, 2, 0, 1 }; /* c1's timeline starts with its view */
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(p.ord[i], ord[i]);
        assert_int_equal(p.ts[i], ts[i]);
        assert_int_equal(p.amount[i], amount[i]);
        assert_int_equal(p.category[i], category[i]);
        assert_int_equal(p.channel[i], channel[i]);
        assert_int_equal(p.seq[i], seq[i]);
    }
    copy_free(&p);

    p = copy_of(s, "view", NULL);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.ord[0], c1);
    assert_int_equal(p.ord[1], c2);
    assert_int_equal(p.amount[0], VALUE_MISSING);
    assert_int_equal(p.category[0], books);
    assert_int_equal(p.category[1], 0);
    assert_int_equal(p.seq[1], 0);
    copy_free(&p);
    tu_assert_check_ok(s);
}

static void test_projection_is_stored_and_borrowed_after_an_import(void **state)
{
    tu_fixture *f = *state;
    write_many(f, "click", 50, 5000);
    assert_true(is_fresh(f->s));
    int owned = 1;
    proj_copy p = copy_of(f->s, "click", &owned);
    assert_int_equal(p.n, 5000);
    assert_false(owned); /* large values sit on 8-byte aligned overflow pages */
    assert_sorted(&p);
    uint32_t m7 = ord_of(f->s, "m7");
    size_t n7 = 0;
    for (size_t i = 0; i < p.n; i++)
        n7 += p.ord[i] == m7;
    assert_int_equal(n7, 100);
    copy_free(&p);
    tu_assert_check_ok(f->s);
}

static void test_projection_that_is_stale_is_built_from_the_timelines(void **state)
{
    tu_fixture *f = *state;
    import_sample(f);
    write_many(f, "click", 20, 2000);
    static const char *const types[] = { "purchase", "view", "refund", "click" };
    proj_copy fresh[4];
    for (size_t t = 0; t < 4; t++)
        fresh[t] = copy_of(f->s, types[t], NULL);
    make_stale(f->s);
    tu_assert_check_ok(f->s); /* stale projections are not read, so not checked */
    for (size_t t = 0; t < 4; t++) {
        int owned = 0;
        proj_copy built = copy_of(f->s, types[t], &owned);
        assert_true(owned);
        assert_same(&fresh[t], &built);
        copy_free(&built);
    }
    /* Refreshing writes them back, equal to what was built. */
    assert_int_equal(projection_update(f->s), SEGRT_OK);
    assert_true(is_fresh(f->s));
    for (size_t t = 0; t < 4; t++) {
        proj_copy again = copy_of(f->s, types[t], NULL);
        assert_same(&fresh[t], &again);
        copy_free(&again);
        copy_free(&fresh[t]);
    }
    tu_assert_check_ok(f->s);
}

static void test_projection_stale_in_a_write_transaction_sees_its_changes(void **state)
{
    tu_fixture *f = *state;
    import_sample(f);
    uint32_t purchase = code_of(f->s, FIELD_EV_TYPE, "purchase");
    uint32_t c3 = ord_of(f->s, "c3");
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->s, 0, &txn), SEGRT_OK);
    /* Drop c3's timeline without a refresh: the projection must not show it. */
    MDB_val k = store_ord_key(&c3);
    assert_int_equal(mdb_del(txn, f->s->dbi[DB_EVENTS], &k, NULL), 0);
    assert_int_equal(store_counter_add(f->s, txn, EV_GEN_COUNTER, 1), SEGRT_OK);
    projection p;
    assert_int_equal(projection_get(f->s, txn, purchase, &p), SEGRT_OK);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.ord[1], ord_of(f->s, "c1"));
    projection_release(&p);
    assert_int_equal(projection_refresh(f->s, txn), SEGRT_OK);
    assert_int_equal(projection_get(f->s, txn, purchase, &p), SEGRT_OK);
    assert_int_equal(p.n, 2);
    projection_release(&p);
    mdb_txn_abort(txn);
}

static void test_projection_loses_the_events_of_an_erased_contact(void **state)
{
    tu_fixture *f = *state;
    import_sample(f);
    uint32_t c1 = ord_of(f->s, "c1"), c3 = ord_of(f->s, "c3");
    uint64_t gen_before;
    int have;
    gen_before = counter(f->s, EV_GEN_COUNTER, &have);
    assert_int_equal(segrt_contact_erase(f->s, "c1", "test"), SEGRT_OK);
    assert_true(counter(f->s, EV_GEN_COUNTER, &have) > gen_before);
    assert_true(is_fresh(f->s));
    int owned;
    proj_copy p = copy_of(f->s, "purchase", &owned);
    assert_int_equal(p.n, 2);
    for (size_t i = 0; i < p.n; i++) {
        assert_int_not_equal(p.ord[i], c1);
        assert_int_equal(p.ord[i], c3);
    }
    copy_free(&p);
    p = copy_of(f->s, "view", NULL);
    assert_int_equal(p.n, 1);
    assert_int_not_equal(p.ord[0], c1);
    copy_free(&p);
    tu_assert_check_ok(f->s);
    /* Erasing the last contact with purchases empties that type. */
    assert_int_equal(segrt_contact_erase(f->s, "c3", "test"), SEGRT_OK);
    p = copy_of(f->s, "purchase", &owned);
    assert_int_equal(p.n, 0);
    assert_false(owned);
    copy_free(&p);
    tu_assert_check_ok(f->s);
}

static void test_projection_is_unchanged_by_importing_the_same_events_again(void **state)
{
    tu_fixture *f = *state;
    import_sample(f);
    write_many(f, "click", 10, 500);
    proj_copy before = copy_of(f->s, "purchase", NULL), clicks = copy_of(f->s, "click", NULL);
    int have;
    uint64_t gen = counter(f->s, EV_GEN_COUNTER, &have);
    tu_import_text(f, SEGRT_EVENTS, "events.csv", events_csv, NULL);
    assert_true(counter(f->s, EV_GEN_COUNTER, &have) > gen);
    assert_true(is_fresh(f->s));
    proj_copy after = copy_of(f->s, "purchase", NULL), clicks2 = copy_of(f->s, "click", NULL);
    assert_same(&before, &after);
    assert_same(&clicks, &clicks2);
    copy_free(&before);
    copy_free(&after);
    copy_free(&clicks);
    copy_free(&clicks2);
    tu_assert_check_ok(f->s);
}

static void test_projection_stays_fresh_when_an_import_writes_no_event(void **state)
{
    tu_fixture *f = *state;
    import_sample(f);
    int have;
    uint64_t gen = counter(f->s, EV_GEN_COUNTER, &have);
    tu_rejects rej = { 0 };
    tu_import_text(f, SEGRT_EVENTS, "unknown.csv",
                   "contact_id,ts,type\nnobody,2024-01-01T00:00:00Z,purchase\n", &rej);
    assert_int_equal(rej.n, 1);
    assert_int_equal(counter(f->s, EV_GEN_COUNTER, &have), gen);
    assert_true(is_fresh(f->s));
    int owned;
    proj_copy p = copy_of(f->s, "purchase", &owned);
    assert_int_equal(p.n, 4);
    copy_free(&p);
}

static void test_projection_of_a_type_with_one_event(void **state)
{
    tu_fixture *f = *state;
    import_sample(f);
    /* A 4-byte value sits in a leaf page: copied when it is not aligned. */
    proj_copy p = copy_of(f->s, "refund", NULL);
    assert_int_equal(p.n, 1);
    assert_int_equal(p.ord[0], ord_of(f->s, "c2"));
    assert_int_equal(p.ts[0], ts_of("2024-02-01T00:00:00Z"));
    assert_int_equal(p.amount[0], 7000000);
    assert_int_equal(p.category[0], code_of(f->s, FIELD_EV_CATEGORY, "shoes"));
    assert_int_equal(p.channel[0], code_of(f->s, FIELD_EV_CHANNEL, "store"));
    assert_int_equal(p.seq[0], 1);
    copy_free(&p);
    /* A type code nobody uses. */
    MDB_txn *txn = read_txn(f->s);
    projection none;
    assert_int_equal(projection_get(f->s, txn, 999, &none), SEGRT_OK);
    assert_int_equal(none.n, 0);
    projection_release(&none);
    mdb_txn_abort(txn);
}

static void test_projection_is_written_when_the_map_has_to_grow(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(segrt_store_set_mapsize(f->s, (size_t)1 << 20), SEGRT_OK);
    write_many(f, "click", 300, 40000);
    assert_true(is_fresh(f->s));
    proj_copy before = copy_of(f->s, "click", NULL);
    assert_int_equal(before.n, 40000);
    assert_sorted(&before);
    /* A map with no room for a second copy: the refresh fills it, grows it, runs again. */
    make_stale(f->s);
    MDB_envinfo info;
    MDB_stat st;
    assert_int_equal(mdb_env_info(f->s->env, &info), 0);
    assert_int_equal(mdb_env_stat(f->s->env, &st), 0);
    size_t used = ((size_t)info.me_last_pgno + 8) * st.ms_psize;
    assert_int_equal(segrt_store_set_mapsize(f->s, used), SEGRT_OK);
    assert_int_equal(projection_update(f->s), SEGRT_OK);
    assert_true(f->s->mapsize > used);
    assert_true(is_fresh(f->s));
    proj_copy after = copy_of(f->s, "click", NULL);
    assert_same(&before, &after);
    copy_free(&before);
    copy_free(&after);
    tu_assert_check_ok(f->s);
}

static int tamper(segrt_store *s, MDB_txn *txn, void *ud)
{
    const char *how = ud;
    uint32_t type = 0;
    int rc = dict_find(s, txn, FIELD_EV_TYPE, "click", 5, &type);
    if (rc != SEGRT_OK)
        return rc;
    unsigned char key[5] = { (unsigned char)(type >> 24), (unsigned char)(type >> 16),
                             (unsigned char)(type >> 8), (unsigned char)type, 0 };
    MDB_val k = { sizeof key, key }, v;
    if (strcmp(how, "drop") == 0)
        return mdb_del(txn, s->dbi[DB_PROJ], &k, NULL) == 0 ? SEGRT_OK : SEGRT_ESTORE;
    if (mdb_get(txn, s->dbi[DB_PROJ], &k, &v) != 0)
        return SEGRT_ESTORE;
    uint32_t *ord = malloc(v.mv_size);
    if (ord == NULL)
        return SEGRT_ENOMEM;
    memcpy(ord, v.mv_data, v.mv_size);
    uint32_t t = ord[0]; /* swap the first and last ordinals: out of order */
    ord[0] = ord[v.mv_size / 4 - 1];
    ord[v.mv_size / 4 - 1] = t;
    v.mv_data = ord;
    rc = mdb_put(txn, s->dbi[DB_PROJ], &k, &v, 0) == 0 ? SEGRT_OK : SEGRT_ESTORE;
    free(ord);
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
    /* A refresh does not repair what it believes fresh; a new event generation does. */
    make_stale(f->s);
    tu_assert_check_ok(f->s);
    assert_int_equal(projection_update(f->s), SEGRT_OK);
    tu_assert_check_ok(f->s);
    /* A missing column is corruption that readers report too. */
    assert_int_equal(store_write(f->s, tamper, (void *)"drop"), SEGRT_OK);
    assert_int_equal(segrt_store_check(f->s), SEGRT_ECORRUPT);
    MDB_txn *txn = read_txn(f->s);
    projection p;
    assert_int_equal(projection_get(f->s, txn, code_of(f->s, FIELD_EV_TYPE, "click"), &p),
                     SEGRT_ECORRUPT);
    assert_int_equal(p.n, 0);
    assert_null(p.owned);
    mdb_txn_abort(txn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_projection_of_an_empty_store_is_fresh_and_empty),
        TU_STORE_TEST(test_projection_sorts_by_contact_and_time_with_every_value),
        TU_STORE_TEST(test_projection_is_stored_and_borrowed_after_an_import),
        TU_STORE_TEST(test_projection_that_is_stale_is_built_from_the_timelines),
        TU_STORE_TEST(test_projection_stale_in_a_write_transaction_sees_its_changes),
        TU_STORE_TEST(test_projection_loses_the_events_of_an_erased_contact),
        TU_STORE_TEST(test_projection_is_unchanged_by_importing_the_same_events_again),
        TU_STORE_TEST(test_projection_stays_fresh_when_an_import_writes_no_event),
        TU_STORE_TEST(test_projection_of_a_type_with_one_event),
        TU_STORE_TEST(test_projection_is_written_when_the_map_has_to_grow),
        TU_STORE_TEST(test_projection_check_finds_a_tampered_projection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
