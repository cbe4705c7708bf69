/*
 * test_proj_update.c — event projections kept current by writes (core/store/
 * proj_update.h): runs appended, merged and compacted, contacts either side
 * of a chunk boundary, an import in parts against one import, erasure,
 * merges and their undo, a type whose last event goes away, bulk batches
 * that mark chunks until the import ends, a write retried after the map
 * grew, parts that leave out the columns no event has (and version 1 parts,
 * which hold them all), and segrt_store_check on a corrupt run. Each
 * compares what readers get with a rebuild from the timelines.
 *
 * The stores are small, so the thresholds are lowered (store_proj_policy)
 * to make writes append runs as they do in a large store.
 *
 * Uses: cmocka, segrt.h, test_util.h, proj_util.h, and the internal
 * proj_update.h, proj_part.h, store.h, buf.h.
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
#include "util/buf.h"

#include "proj_util.h"

static const char *const types[] = { "purchase", "view", "login" };
#define NTYPES 3

/* ------------------------------------------------------------ data */

static uint64_t rnd(uint64_t *state)
{
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    return *state >> 33;
}

/* Contacts p0..p<n - 1>; p<i> and p<i + 1> share an e-mail when i % 10 == 0 (for dedupe). */
static void import_contacts(tu_fixture *f, segrt_store *s, size_t n)
{
    char path[TU_PATH_MAX], line[128];
    buf b = { 0 };
    assert_int_equal(buf_put(&b, "id,email\n", 9), 0);
    for (size_t i = 0; i < n; i++) {
        size_t mail = i % 10 == 1 ? i - 1 : i;
        int len = snprintf(line, sizeof line, "p%zu,u%zu@example.com\n", i, mail);
        assert_int_equal(buf_put(&b, line, (size_t)len), 0);
    }
    assert_int_equal(buf_put(&b, "", 1), 0);
    tu_import(s, SEGRT_CONTACTS, tu_write(path, f->dir, "contacts.csv", (char *)b.p), NULL);
    buf_free(&b);
}

/* Events [from, to) of a deterministic stream over contacts [first, first + ncontacts). */
static char *gen_events(uint64_t seed, size_t from, size_t to, size_t first, size_t ncontacts)
{
    buf b = { 0 };
    char line[160], ts[21];
    uint64_t st = seed;
    assert_int_equal(buf_put(&b, "contact_id,ts,type,amount,category\n", 35), 0);
    for (size_t i = 0; i < to; i++) {
        size_t who = first + rnd(&st) % ncontacts;
        const char *type = types[rnd(&st) % NTYPES];
        int64_t t = 1700000000 + (int64_t)(rnd(&st) % 5000000);
        unsigned amount = (unsigned)(rnd(&st) % 10000);
        const char *cat = rnd(&st) % 2 ? "books" : "";
        if (i < from)
            continue;
        segrt_time_format(t, ts);
        int len = snprintf(line, sizeof line, "p%zu,%s,%s,%u.%02u,%s\n", who, ts, type,
                           amount / 100, amount % 100, cat);
        assert_int_equal(buf_put(&b, line, (size_t)len), 0);
    }
    assert_int_equal(buf_put(&b, "", 1), 0);
    return (char *)b.p;
}

static void import_events(tu_fixture *f, segrt_store *s, const char *text)
{
    char path[TU_PATH_MAX];
    tu_import(s, SEGRT_EVENTS, tu_write(path, f->dir, "events.csv", text), NULL);
}

/*
 * Thresholds that make small writes append runs, merge them after a few,
 * and compact only when the runs hold more than the base.
 */
static void small_store_policy(segrt_store *s)
{
    s->proj_policy = (store_proj_policy){ .small = 1, .runs = 2, .ratio = 1, .bulk = 100000 };
}

/* Every type reads as a rebuild would, and segrt check agrees. */
static void assert_all_rebuilt(segrt_store *s)
{
    for (size_t t = 0; t < NTYPES; t++)
        pu_assert_rebuilt(s, types[t]);
    tu_assert_check_ok(s);
}

static size_t runs_of(segrt_store *s, uint32_t chunk)
{
    size_t n = 0;
    for (size_t t = 0; t < NTYPES; t++)
        n += pu_parts_of(s, types[t], chunk).runs;
    return n;
}

/* A second store in the fixture's directory. */
static segrt_store *open_other(tu_fixture *f, const char *name)
{
    char path[TU_PATH_MAX], err[256];
    segrt_store *s = NULL;
    int rc = segrt_store_open(tu_path(path, f->dir, name), SEGRT_OPEN_CREATE, &s, err, sizeof err);
    if (rc != SEGRT_OK)
        fail_msg("open %s: %s", path, err);
    return s;
}

/* The stored value of key k in s, copied (NULL when absent). */
static unsigned char *value_of(segrt_store *s, const proj_key *k, size_t *n)
{
    unsigned char kb[PROJ_KEY_BYTES];
    MDB_val key = proj_key_val(k, kb), v;
    MDB_txn *txn = pu_read_txn(s);
    unsigned char *copy = NULL;
    *n = 0;
    if (mdb_get(txn, s->dbi[DB_PROJ], &key, &v) == 0) {
        copy = malloc(v.mv_size + 1);
        assert_non_null(copy);
        memcpy(copy, v.mv_data, v.mv_size);
        *n = v.mv_size;
    }
    mdb_txn_abort(txn);
    return copy;
}

/* Rebuild chunk from its timelines, as after a bulk import. */
static void rebuild_chunk(segrt_store *s, uint32_t chunk)
{
    pu_mark_chunk(s, chunk);
    assert_int_equal(proj_update_dirty(s), SEGRT_OK);
}

/* ------------------------------------------------------------ tests */

static void test_proj_update_keeps_contacts_either_side_of_a_chunk_boundary(void **state)
{
    tu_fixture *f = *state;
    import_contacts(f, f->s, 65540);
    uint32_t last = pu_ord(f->s, "p65535"), first = pu_ord(f->s, "p65536");
    assert_int_equal(last, 65535);
    assert_int_equal(first, 65536);
    /* Events of p65530 .. p65539, and an early purchase on either side of the boundary. */
    char *ev = gen_events(1, 0, 200, 65530, 10);
    import_events(f, f->s, ev);
    free(ev);
    import_events(f, f->s, "contact_id,ts,type,amount\n"
                           "p65535,2023-01-01T00:00:00Z,purchase,2\n"
                           "p65536,2023-01-01T00:00:00Z,purchase,3\n");
    assert_int_equal(pu_parts_of(f->s, "purchase", 0).base, 1);
    assert_int_equal(pu_parts_of(f->s, "purchase", 1).base, 1);
    pu_list p = pu_stored(f->s, "purchase");
    size_t below = 0;
    for (size_t i = 0; i < p.n; i++)
        below += p.e[i].ord < 65536;
    assert_true(below > 0 && below < p.n);
    pu_free(&p);
    assert_all_rebuilt(f->s);
    /* Writes to both sides append a run on each. */
    small_store_policy(f->s);
    import_events(f, f->s, "contact_id,ts,type,amount\n"
                           "p65535,2025-02-01T00:00:00Z,purchase,5\n"
                           "p65536,2025-02-01T00:00:00Z,purchase,6\n");
    assert_int_equal(pu_parts_of(f->s, "purchase", 0).runs, 1);
    assert_int_equal(pu_parts_of(f->s, "purchase", 1).runs, 1);
    assert_int_equal(pu_parts_of(f->s, "view", 0).runs, 0); /* new events last: no other type changed */
    assert_all_rebuilt(f->s);
    assert_int_equal(segrt_contact_erase(f->s, "p65536", "test"), SEGRT_OK);
    assert_int_equal(segrt_contact_erase(f->s, "p65535", "test"), SEGRT_OK);
    assert_all_rebuilt(f->s);
}

static void test_proj_update_import_in_parts_equals_one_import(void **state)
{
    tu_fixture *f = *state;
    enum { CONTACTS = 3000, EVENTS = 12000, PARTS = 48 };
    segrt_store *one = open_other(f, "one");
    import_contacts(f, f->s, CONTACTS);
    import_contacts(f, one, CONTACTS);
    char *all = gen_events(42, 0, EVENTS, 0, CONTACTS);
    import_events(f, one, all);
    /* Half in one part, then the rest in small ones: runs, merged, sometimes compacted. */
    char *half = gen_events(42, 0, EVENTS / 2, 0, CONTACTS);
    import_events(f, f->s, half);
    free(half);
    small_store_policy(f->s);
    f->s->proj_policy.ratio = 3;
    size_t most_runs = 0, fewer = 0;
    for (size_t k = PARTS / 2; k < PARTS; k++) {
        char *part = gen_events(42, k * EVENTS / PARTS, (k + 1) * EVENTS / PARTS, 0, CONTACTS);
        import_events(f, f->s, part);
        free(part);
        size_t runs = runs_of(f->s, 0);
        fewer += runs < most_runs; /* a merge or a compaction happened */
        most_runs = runs > most_runs ? runs : most_runs;
        assert_true(runs <= NTYPES * 3); /* a pair merges past 2 .. 3 runs */
        for (size_t t = 0; t < NTYPES; t++) {
            pu_list a = pu_stored(f->s, types[t]), b = pu_rebuilt(f->s, types[t]);
            pu_assert_same(&a, &b);
            pu_free(&a);
            pu_free(&b);
        }
    }
    assert_true(most_runs > 0);
    assert_true(fewer > 0);
    tu_assert_check_ok(f->s);
    for (size_t t = 0; t < NTYPES; t++) {
        pu_list a = pu_stored(f->s, types[t]), b = pu_stored(one, types[t]);
        pu_assert_same(&a, &b);
        pu_free(&a);
        pu_free(&b);
    }
    /* Compacted, the parts are the very bytes one import wrote. */
    rebuild_chunk(f->s, 0);
    for (size_t t = 0; t < NTYPES; t++) {
        proj_key k = { pu_code(f->s, FIELD_EV_TYPE, types[t]), 0, 0 };
        proj_key k1 = { pu_code(one, FIELD_EV_TYPE, types[t]), 0, 0 };
        size_t na, nb;
        unsigned char *a = value_of(f->s, &k, &na), *b = value_of(one, &k1, &nb);
        assert_non_null(a);
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, na);
        free(a);
        free(b);
    }
    assert_int_equal(runs_of(f->s, 0), 0);
    free(all);
    segrt_store_close(one);
}

typedef struct merges {
    uint64_t id[16];
    size_t n;
} merges;

static int note_merge(void *ud, const segrt_dup_group *g)
{
    merges *m = ud;
    if (g->merge && m->n < 16)
        m->id[m->n++] = g->merge;
    return 0;
}

static void test_proj_update_erase_merge_and_undo_keep_projections_equal_to_a_rebuild(void **state)
{
    tu_fixture *f = *state;
    import_contacts(f, f->s, 60);
    char *ev = gen_events(7, 0, 3000, 0, 60);
    import_events(f, f->s, ev);
    free(ev);
    small_store_policy(f->s);
    ev = gen_events(8, 0, 40, 0, 60);
    import_events(f, f->s, ev);
    free(ev);
    assert_true(runs_of(f->s, 0) > 0);
    assert_all_rebuilt(f->s);
    /* Erasure hides the contact's base events with an empty entry. */
    assert_int_equal(segrt_contact_erase(f->s, "p3", "test"), SEGRT_OK);
    assert_int_equal(segrt_contact_erase(f->s, "p4", "test"), SEGRT_OK);
    assert_all_rebuilt(f->s);
    /* Merging by e-mail: p0 + p1, p10 + p11, ... */
    merges m = { .n = 0 };
    segrt_dedupe_opts o = { .by = SEGRT_DEDUPE_EMAIL, .merge = 1, .actor = "test",
                            .on_group = note_merge, .ud = &m };
    assert_int_equal(segrt_dedupe(f->s, &o), SEGRT_OK);
    assert_int_equal(m.n, 6);
    assert_all_rebuilt(f->s);
    /* More events, then the merges undone, one by one. */
    ev = gen_events(9, 0, 50, 0, 60);
    import_events(f, f->s, ev);
    free(ev);
    assert_all_rebuilt(f->s);
    for (size_t i = 0; i < m.n; i++) {
        assert_int_equal(segrt_dedupe_undo(f->s, m.id[i], "test", NULL, NULL), SEGRT_OK);
        assert_all_rebuilt(f->s);
    }
}

static void test_proj_update_a_type_whose_last_event_goes_away(void **state)
{
    tu_fixture *f = *state;
    import_contacts(f, f->s, 20);
    char *ev = gen_events(3, 0, 400, 0, 20);
    import_events(f, f->s, ev);
    free(ev);
    import_events(f, f->s, "contact_id,ts,type\n"
                           "p5,2024-01-01T00:00:00Z,refund\n"
                           "p6,2024-01-02T00:00:00Z,refund\n"
                           "p6,2024-01-03T00:00:00Z,refund\n");
    small_store_policy(f->s);
    f->s->proj_policy.runs = 100; /* one run per write, kept */
    assert_int_equal(segrt_contact_erase(f->s, "p5", "test"), SEGRT_OK);
    pu_list p = pu_stored(f->s, "refund");
    assert_int_equal(p.n, 2);
    pu_free(&p);
    assert_int_equal(segrt_contact_erase(f->s, "p6", "test"), SEGRT_OK);
    p = pu_stored(f->s, "refund");
    assert_int_equal(p.n, 0);
    pu_free(&p);
    pu_parts parts = pu_parts_of(f->s, "refund", 0);
    assert_int_equal(parts.base, 1);
    assert_true(parts.runs >= 1);
    MDB_txn *txn = pu_read_txn(f->s);
    projection_set set;
    assert_int_equal(projection_get(f->s, txn, pu_code(f->s, FIELD_EV_TYPE, "refund"), &set),
                     SEGRT_OK);
    assert_int_equal(set.nparts, 0); /* parts with nothing to read are left out */
    projection_release(&set);
    mdb_txn_abort(txn);
    assert_all_rebuilt(f->s);
    /* Compacted, the pair goes. */
    rebuild_chunk(f->s, 0);
    parts = pu_parts_of(f->s, "refund", 0);
    assert_int_equal(parts.base + parts.runs, 0);
    tu_assert_check_ok(f->s);
}

typedef struct progress {
    tu_fixture *f;
    size_t calls, marked;
} progress;

/* Chunks marked for a rebuild, as segrt stats reports them. */
static size_t marks(segrt_store *s)
{
    return (size_t)tu_stats(s).projection_chunks_pending;
}

/* After each committed batch: the chunk is marked, and reads as a rebuild would. */
static void on_batch(void *ud, uint64_t done, uint64_t total, uint64_t rows)
{
    progress *p = ud;
    (void)done;
    (void)total;
    (void)rows;
    p->calls++;
    p->marked += marks(p->f->s);
    for (size_t t = 0; t < NTYPES; t++)
        pu_assert_rebuilt(p->f->s, types[t]);
}

static void test_proj_update_bulk_batches_mark_chunks_until_the_import_ends(void **state)
{
    tu_fixture *f = *state;
    import_contacts(f, f->s, 50);
    char *ev = gen_events(5, 0, 500, 0, 50);
    import_events(f, f->s, ev);
    free(ev);
    f->s->proj_policy.bulk = 8;
    char path[TU_PATH_MAX];
    ev = gen_events(6, 0, 300, 0, 50);
    progress p = { f, 0, 0 };
    segrt_import_opts o = { .batch_rows = 100, .on_progress = on_batch, .ud = &p };
    assert_int_equal(segrt_import_file(f->s, SEGRT_EVENTS, tu_write(path, f->dir, "bulk.csv", ev),
                                       &o, NULL),
                     SEGRT_OK);
    free(ev);
    assert_true(p.calls >= 3);
    assert_int_equal(p.marked, p.calls);
    assert_int_equal(marks(f->s), 0); /* rebuilt once the import ended */
    assert_int_equal(runs_of(f->s, 0), 0);
    assert_all_rebuilt(f->s);
    /* Outside an import, a write touching that many contacts rebuilds the chunk at once. */
    merges m = { .n = 0 };
    segrt_dedupe_opts o2 = { .by = SEGRT_DEDUPE_EMAIL, .merge = 1, .actor = "test",
                             .on_group = note_merge, .ud = &m };
    assert_int_equal(segrt_dedupe(f->s, &o2), SEGRT_OK);
    assert_int_equal(m.n, 5);
    assert_int_equal(marks(f->s), 0);
    assert_int_equal(runs_of(f->s, 0), 0);
    assert_all_rebuilt(f->s);
}

/*
 * Chunks marked at once are rebuilt in turn, each built while the one before
 * commits (on the committer's thread); a chunk whose write or commit filled
 * the map is rebuilt again after it grew.
 */
static void test_proj_update_dirty_chunks_rebuilt_in_turn(void **state)
{
    tu_fixture *f = *state;
    import_contacts(f, f->s, 65540 + 65536);
    char *ev = gen_events(13, 0, 3000, 65000, 65540 + 65536 - 65000);
    import_events(f, f->s, ev);
    free(ev);
    for (uint32_t chunk = 0; chunk < 3; chunk++)
        pu_mark_chunk(f->s, chunk);
    assert_int_equal(marks(f->s), 3);
    assert_int_equal(proj_update_dirty(f->s), SEGRT_OK);
    assert_int_equal(marks(f->s), 0);
    assert_all_rebuilt(f->s);
    tu_assert_check_ok(f->s);
    /* Again in a map with no room and no free page: the writes fill it until it grew. */
    for (uint32_t chunk = 0; chunk < 3; chunk++)
        pu_mark_chunk(f->s, chunk);
    uint64_t before, after;
    assert_int_equal(segrt_store_compact(f->s, "test", &before, &after), SEGRT_OK);
    assert_int_equal(marks(f->s), 3);
    size_t used = tu_map_to_used(f->s, 3);
    assert_int_equal(proj_update_dirty(f->s), SEGRT_OK);
    assert_true(f->s->mapsize > used);
    assert_int_equal(marks(f->s), 0);
    assert_all_rebuilt(f->s);
    tu_assert_check_ok(f->s);
}

static void test_proj_update_write_retried_after_the_map_grew(void **state)
{
    tu_fixture *f = *state;
    import_contacts(f, f->s, 200);
    char *ev = gen_events(11, 0, 4000, 0, 200);
    import_events(f, f->s, ev);
    free(ev);
    small_store_policy(f->s);
    size_t used = tu_map_to_used(f->s, 3);
    ev = gen_events(12, 0, 3000, 0, 200);
    import_events(f, f->s, ev);
    free(ev);
    assert_true(f->s->mapsize > used);
    assert_all_rebuilt(f->s);
}

static void test_proj_update_touches_of_an_aborted_write_are_forgotten(void **state)
{
    tu_fixture *f = *state;
    import_contacts(f, f->s, 5);
    import_events(f, f->s, "contact_id,ts,type\np1,2024-01-01T00:00:00Z,view\n");
    uint32_t p1 = pu_ord(f->s, "p1");
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->s, 0, &txn), SEGRT_OK);
    assert_int_equal(proj_update_touch(f->s, txn, p1), SEGRT_OK);
    MDB_val k = store_ord_key(&p1);
    assert_int_equal(mdb_del(txn, f->s->dbi[DB_EVENTS], &k, NULL), 0);
    mdb_txn_abort(txn);
    /* The next write transaction flushes nothing of it. */
    assert_int_equal(store_txn_begin(f->s, 0, &txn), SEGRT_OK);
    assert_int_equal(proj_update_flush(f->s, txn, 0), SEGRT_OK);
    assert_int_equal(mdb_txn_commit(txn), 0);
    pu_list p = pu_stored(f->s, "view");
    assert_int_equal(p.n, 1);
    pu_free(&p);
    tu_assert_check_ok(f->s);
}

/* Tamper with the newest run of purchase in chunk 0: "range" its first entry's base range, "ord" an event's contact. */
static int tamper_run(segrt_store *s, MDB_txn *txn, void *ud)
{
    const char *how = ud;
    uint32_t type = 0;
    int rc = dict_find(s, txn, FIELD_EV_TYPE, "purchase", 8, &type);
    unsigned char prefix[PROJ_KEY_BYTES];
    proj_key k = { type, 0, UINT32_MAX };
    MDB_val key = proj_key_val(&k, prefix), v;
    MDB_cursor *cur;
    if (rc != SEGRT_OK || mdb_cursor_open(txn, s->dbi[DB_PROJ], &cur) != 0)
        return SEGRT_ESTORE;
    rc = mdb_cursor_get(cur, &key, &v, MDB_SET_RANGE);
    if (rc == 0)
        rc = mdb_cursor_get(cur, &key, &v, MDB_PREV);
    mdb_cursor_close(cur);
    if (rc != 0 || proj_key_decode(&key, &k) != 0 || k.type != type || k.part == 0)
        return SEGRT_ESTORE;
    unsigned char kb[PROJ_KEY_BYTES];
    MDB_val own = proj_key_val(&k, kb);
    unsigned char *copy = malloc(v.mv_size);
    if (copy == NULL)
        return SEGRT_ENOMEM;
    memcpy(copy, v.mv_data, v.mv_size);
    uint32_t n, nent;
    memcpy(&n, copy, 4);
    memcpy(&nent, copy + 4, 4);
    if (strcmp(how, "range") == 0) { /* hide the base's first event instead */
        proj_entry e;
        size_t at = v.mv_size - (size_t)nent * sizeof e; /* the entries end the value */
        memcpy(&e, copy + at, sizeof e);
        e.base_lo = 0;
        e.base_hi = 1;
        memcpy(copy + at, &e, sizeof e);
    } else { /* the first ord, after ts and amount (both stored: the run has amounts) */
        uint32_t bad = UINT32_MAX;
        memcpy(copy + 16 + (size_t)n * 16, &bad, 4);
    }
    v.mv_data = copy;
    rc = mdb_put(txn, s->dbi[DB_PROJ], &own, &v, 0) == 0 ? SEGRT_OK : SEGRT_ESTORE;
    free(copy);
    return rc;
}

/* The columns part k of type in chunk 0 left out (its header's fourth word), its size in *n. */
static uint32_t left_out(segrt_store *s, const char *type, uint32_t part, size_t *n)
{
    proj_key k = { pu_code(s, FIELD_EV_TYPE, type), 0, part };
    unsigned char *v = value_of(s, &k, n);
    assert_non_null(v);
    uint32_t hdr[4];
    memcpy(hdr, v, sizeof hdr);
    free(v);
    assert_int_equal(hdr[2], 2); /* the version that may leave columns out */
    return hdr[3];
}

static void test_proj_update_parts_leave_out_the_columns_no_event_has(void **state)
{
    tu_fixture *f = *state;
    import_contacts(f, f->s, 3);
    small_store_policy(f->s);
    import_events(f, f->s, "contact_id,ts,type,amount,category,channel\n"
                           "p0,2025-01-01T00:00:00Z,view,,,\n"
                           "p1,2025-01-02T00:00:00Z,view,,,\n"
                           "p2,2025-01-03T00:00:00Z,view,,,web\n"
                           "p0,2025-01-01T00:00:00Z,purchase,5,shoes,\n");
    size_t n;
    assert_int_equal(left_out(f->s, "view", 0, &n), 1 | 2); /* amount, category */
    assert_int_equal(n, 16 + 3 * (8 + 4 + 4 + 4));
    assert_int_equal(left_out(f->s, "purchase", 0, &n), 4); /* channel */
    assert_int_equal(n, 16 + 1 * (8 + 8 + 4 + 4 + 4));
    /* read with the values a stored column would hold */
    pu_list l = pu_stored(f->s, "view");
    assert_int_equal(l.n, 3);
    for (size_t i = 0; i < l.n; i++) {
        assert_true(l.e[i].amount == VALUE_MISSING);
        assert_int_equal(l.e[i].category, 0);
    }
    assert_int_equal(l.e[2].channel, pu_code(f->s, FIELD_EV_CHANNEL, "web"));
    pu_free(&l);
    tu_assert_where(f->s, "E.view:sum 'amount' :gt(0)", "");
    tu_assert_where(f->s, "E.view:where(F.amount:gt(0)):exists()", "");
    tu_assert_where(f->s, "E.view:where{ channel = 'web' }:exists()", "p2");
    tu_assert_where(f->s, "E.view:count():ge(1)", "p0 p1 p2");
    /* a run with an amount on a base without: the two resolve, then compact, as one */
    import_events(f, f->s, "contact_id,ts,type,amount\np1,2025-02-01T00:00:00Z,view,2.5\n");
    assert_int_equal(pu_parts_of(f->s, "view", 0).runs, 1);
    assert_int_equal(left_out(f->s, "view", 1, &n), 2 | 4); /* the run: category, channel */
    tu_assert_where(f->s, "E.view:sum 'amount' :gt(0)", "p1");
    tu_assert_where(f->s, "E.view:where(F.amount:gt(0)):exists()", "p1");
    pu_assert_rebuilt(f->s, "view");
    rebuild_chunk(f->s, 0);
    assert_int_equal(left_out(f->s, "view", 0, &n), 2); /* category only, now */
    tu_assert_where(f->s, "E.view:sum 'amount' :gt(0)", "p1");
    assert_all_rebuilt(f->s);
}

static void test_proj_update_reads_a_version_1_part_with_every_column(void **state)
{
    tu_fixture *f = *state;
    import_contacts(f, f->s, 2);
    import_events(f, f->s, "contact_id,ts,type,amount\n"
                           "p0,2025-01-01T00:00:00Z,view,\np1,2025-01-02T00:00:00Z,view,\n");
    /* the base as version 1 wrote it: every column, the missing amounts and codes 0 held */
    proj_key k = { pu_code(f->s, FIELD_EV_TYPE, "view"), 0, 0 };
    size_t n;
    unsigned char *v = value_of(f->s, &k, &n);
    assert_non_null(v);
    assert_int_equal(n, 16 + 2 * 16); /* ts, ord, seq: amount, category, channel left out */
    unsigned char old[16 + 2 * 32] = { 0 };
    const uint32_t hdr[4] = { 2, 0, 1, 0 };
    const int64_t missing[2] = { VALUE_MISSING, VALUE_MISSING };
    memcpy(old, hdr, 16);
    memcpy(old + 16, v + 16, 16);           /* ts */
    memcpy(old + 32, missing, 16);          /* amount */
    memcpy(old + 48, v + 32, 8);            /* ord */
    memcpy(old + 72, v + 40, 8);            /* seq, after category and channel (0) */
    free(v);
    MDB_txn *txn;
    unsigned char kb[PROJ_KEY_BYTES];
    MDB_val key = proj_key_val(&k, kb), val = { sizeof old, old };
    assert_int_equal(mdb_txn_begin(f->s->env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_put(txn, f->s->dbi[DB_PROJ], &key, &val, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    pu_assert_rebuilt(f->s, "view");
    tu_assert_check_ok(f->s);
    /* a version 1 part that names columns left out is not one */
    const uint32_t bad[4] = { 2, 0, 1, 1 };
    memcpy(old, bad, 16);
    assert_int_equal(mdb_txn_begin(f->s->env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_put(txn, f->s->dbi[DB_PROJ], &key, &val, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    assert_int_equal(segrt_store_check(f->s), SEGRT_ECORRUPT);
    tu_assert_errmsg(f->s, "bad header or size");
}

static void test_proj_update_check_finds_a_corrupt_run(void **state)
{
    tu_fixture *f = *state;
    import_contacts(f, f->s, 30);
    char *ev = gen_events(21, 0, 1000, 0, 30);
    import_events(f, f->s, ev);
    free(ev);
    small_store_policy(f->s);
    import_events(f, f->s, "contact_id,ts,type,amount\np9,2025-01-01T00:00:00Z,purchase,9\n");
    assert_int_equal(pu_parts_of(f->s, "purchase", 0).runs, 1);
    tu_assert_check_ok(f->s);
    assert_int_equal(store_write(f->s, tamper_run, (void *)"range"), SEGRT_OK);
    assert_int_equal(segrt_store_check(f->s), SEGRT_ECORRUPT);
    tu_assert_errmsg(f->s, "does not hide its contact's base events");
    rebuild_chunk(f->s, 0);
    tu_assert_check_ok(f->s);
    import_events(f, f->s, "contact_id,ts,type,amount\np9,2025-01-02T00:00:00Z,purchase,9\n");
    assert_int_equal(store_write(f->s, tamper_run, (void *)"ord"), SEGRT_OK);
    assert_int_equal(segrt_store_check(f->s), SEGRT_ECORRUPT);
    tu_assert_errmsg(f->s, "an entry holds another contact's events");
    MDB_txn *txn = pu_read_txn(f->s);
    projection_set set;
    assert_int_equal(projection_get(f->s, txn, pu_code(f->s, FIELD_EV_TYPE, "purchase"), &set),
                     SEGRT_ECORRUPT);
    mdb_txn_abort(txn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_proj_update_keeps_contacts_either_side_of_a_chunk_boundary),
        TU_STORE_TEST(test_proj_update_parts_leave_out_the_columns_no_event_has),
        TU_STORE_TEST(test_proj_update_reads_a_version_1_part_with_every_column),
        TU_STORE_TEST(test_proj_update_import_in_parts_equals_one_import),
        TU_STORE_TEST(test_proj_update_erase_merge_and_undo_keep_projections_equal_to_a_rebuild),
        TU_STORE_TEST(test_proj_update_a_type_whose_last_event_goes_away),
        TU_STORE_TEST(test_proj_update_bulk_batches_mark_chunks_until_the_import_ends),
        TU_STORE_TEST(test_proj_update_dirty_chunks_rebuilt_in_turn),
        TU_STORE_TEST(test_proj_update_write_retried_after_the_map_grew),
        TU_STORE_TEST(test_proj_update_touches_of_an_aborted_write_are_forgotten),
        TU_STORE_TEST(test_proj_update_check_finds_a_corrupt_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
