/*
 * proj_util.h — what the event projection tests (test_projection.c,
 * test_proj_update.c) share: a type's projection as one list of events in
 * (contact, timeline) order, the same built from the timelines, and the
 * stored parts of a (type, chunk), and a chunk marked as not kept.
 *
 * Uses: cmocka, segrt.h, and the internal projection.h, proj_build.h,
 * proj_part.h, dict.h, schema.h, store.h.
 */
#ifndef SEGRT_TEST_PROJ_UTIL_H
#define SEGRT_TEST_PROJ_UTIL_H

#include "segrt.h"
#include "store/dict.h"
#include "store/proj_build.h"
#include "store/proj_part.h"
#include "store/projection.h"
#include "store/schema.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

/* One event of a projection (32 bytes, no padding: lists compare with memcmp). */
typedef struct pu_event {
    uint32_t ord, seq, category, channel;
    int64_t ts, amount;
} pu_event;

typedef struct pu_list {
    pu_event *e;
    size_t n;
} pu_list;

static inline MDB_txn *pu_read_txn(segrt_store *s)
{
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(s, MDB_RDONLY, &txn), SEGRT_OK);
    return txn;
}

/* The dictionary code of a string of an internal field; 0 when absent. */
static inline uint32_t pu_code(segrt_store *s, uint16_t field, const char *name)
{
    MDB_txn *txn = pu_read_txn(s);
    uint32_t code = 0;
    assert_int_equal(dict_find(s, txn, field, name, strlen(name), &code), SEGRT_OK);
    mdb_txn_abort(txn);
    return code;
}

static inline uint32_t pu_ord(segrt_store *s, const char *id)
{
    MDB_txn *txn = pu_read_txn(s);
    uint32_t ord = 0;
    assert_int_equal(store_ord_of(s, txn, id, &ord), SEGRT_OK);
    mdb_txn_abort(txn);
    return ord;
}

static inline int pu_by_ord_seq(const void *a, const void *b)
{
    const pu_event *x = a, *y = b;
    if (x->ord != y->ord)
        return x->ord < y->ord ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static inline void pu_push(pu_list *l, const projection *p, size_t i)
{
    l->e[l->n++] = (pu_event){ p->ord[i], p->seq[i], projection_category(p, i),
                               projection_channel(p, i), p->ts[i], projection_amount(p, i) };
}

/* The events in the spans of every part of set, in (ord, seq) order. */
static inline pu_list pu_of_set(const projection_set *set)
{
    pu_list l = { malloc((set->events + 1) * sizeof *l.e), 0 };
    assert_non_null(l.e);
    for (size_t k = 0; k < set->nparts; k++) {
        const projection *p = &set->part[k];
        assert_true(p->nspan > 0);
        for (size_t j = 0; j < p->nspan; j++) {
            assert_true(p->span[j].lo < p->span[j].hi && p->span[j].hi <= p->n);
            for (size_t i = p->span[j].lo; i < p->span[j].hi; i++)
                pu_push(&l, p, i);
        }
    }
    assert_int_equal(l.n, set->events);
    qsort(l.e, l.n, sizeof *l.e, pu_by_ord_seq);
    return l;
}

/* What projection_get gives for type (a name; absent: no events) as of a fresh snapshot. */
static inline pu_list pu_stored(segrt_store *s, const char *type)
{
    uint32_t code = pu_code(s, FIELD_EV_TYPE, type);
    MDB_txn *txn = pu_read_txn(s);
    projection_set set;
    int rc = projection_get(s, txn, code, &set);
    if (rc != SEGRT_OK)
        fail_msg("projection_get(%s): %s: %s", type, segrt_errname(rc), segrt_errmsg(s));
    for (size_t k = 0; k < set.nparts; k++) {
        const projection *p = &set.part[k];
        assert_int_equal((uintptr_t)p->ts % 8, 0);
        assert_int_equal((uintptr_t)p->amount % 8, 0);
        assert_int_equal((uintptr_t)p->ord % 4, 0);
        assert_int_equal((uintptr_t)p->seq % 4, 0);
    }
    pu_list l = pu_of_set(&set);
    projection_release(&set);
    assert_null(set.part);
    mdb_txn_abort(txn);
    return l;
}

/* The events of type built from every timeline, in (ord, seq) order. */
static inline pu_list pu_rebuilt(segrt_store *s, const char *type)
{
    uint32_t code = pu_code(s, FIELD_EV_TYPE, type);
    pu_list l = { malloc(sizeof *l.e), 0 };
    assert_non_null(l.e);
    if (code == 0)
        return l;
    MDB_txn *txn = pu_read_txn(s);
    proj_build b = { .only = code };
    assert_int_equal(proj_build_range(s, txn, 0, UINT32_MAX, &b), SEGRT_OK);
    proj_cols *c = proj_build_of(&b, code);
    if (c) {
        projection p;
        proj_cols_view(c, &p);
        free(l.e);
        l.e = malloc(p.n * sizeof *l.e);
        assert_non_null(l.e);
        for (size_t i = 0; i < p.n; i++)
            pu_push(&l, &p, i);
    }
    proj_build_free(&b);
    mdb_txn_abort(txn);
    return l;
}

static inline void pu_free(pu_list *l)
{
    free(l->e);
    *l = (pu_list){ 0 };
}

static inline void pu_assert_same(const pu_list *a, const pu_list *b)
{
    assert_int_equal(a->n, b->n);
    if (a->n)
        assert_memory_equal(a->e, b->e, a->n * sizeof *a->e);
}

/* The projection of type reads as a rebuild from the timelines would. */
static inline void pu_assert_rebuilt(segrt_store *s, const char *type)
{
    pu_list have = pu_stored(s, type), want = pu_rebuilt(s, type);
    pu_assert_same(&have, &want);
    pu_free(&have);
    pu_free(&want);
}

/* Counting the stored parts of one (type, chunk). */
typedef struct pu_parts {
    size_t base, runs;
} pu_parts;

static inline int pu_count_part(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                                const MDB_val *v)
{
    pu_parts *n = ud;
    proj_key key;
    (void)s;
    (void)txn;
    (void)v;
    assert_int_equal(proj_key_decode(k, &key), 0);
    if (key.part == 0)
        n->base++;
    else
        n->runs++;
    return SEGRT_OK;
}

static inline pu_parts pu_parts_of(segrt_store *s, const char *type, uint32_t chunk)
{
    unsigned char prefix[PROJ_KEY_BYTES];
    proj_key k = { pu_code(s, FIELD_EV_TYPE, type), chunk, 0 };
    proj_key_val(&k, prefix);
    pu_parts n = { 0, 0 };
    assert_int_equal(store_scan(s, NULL, DB_PROJ, prefix, 8, "test", pu_count_part, &n),
                     SEGRT_OK);
    return n;
}

static inline int pu_put_mark(segrt_store *s, MDB_txn *txn, void *ud)
{
    unsigned char kb[PROJ_KEY_BYTES];
    proj_key k = { PROJ_DIRTY, *(const uint32_t *)ud, 0 };
    MDB_val key = proj_key_val(&k, kb), v = { 0, NULL };
    return mdb_put(txn, s->dbi[DB_PROJ], &key, &v, 0) == 0 ? SEGRT_OK : SEGRT_ESTORE;
}

/* Mark chunk's projections as not kept, as an import's bulk batch does. */
static inline void pu_mark_chunk(segrt_store *s, uint32_t chunk)
{
    assert_int_equal(store_write(s, pu_put_mark, &chunk), SEGRT_OK);
}

#endif
