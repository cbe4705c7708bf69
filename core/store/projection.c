/*
 * projection.c — reading one event type's projection (projection.h): one
 * pass over the type's parts in key order, each chunk's parts resolved
 * together (proj_pair.h) into the spans a reader reads; a chunk whose
 * projections are not kept is built from its timelines (proj_build.h).
 *
 * Uses: projection.h, proj_pair.h, proj_build.h, proj_index.h, store.h, array.h.
 */
#include "store/projection.h"

#include "store/proj_build.h"
#include "store/proj_index.h"
#include "store/proj_pair.h"
#include "util/array.h"

#include <stdlib.h>
#include <string.h>

/* What a set owns: copies of parts, built columns, and every span. */
typedef struct set_owned {
    void **mem;
    size_t nmem, mem_cap;
    proj_cols *cols;
    size_t ncols, cols_cap;
    projection_span *span;
    size_t nspan, span_cap;
    size_t *span_at; /* per part: its first span, until the set is complete */
    size_t parts_cap;
} set_owned;

void projection_release(projection_set *p)
{
    if (p == NULL)
        return;
    set_owned *o = p->owned;
    if (o) {
        for (size_t i = 0; i < o->nmem; i++)
            free(o->mem[i]);
        for (size_t i = 0; i < o->ncols; i++)
            proj_cols_free(&o->cols[i]);
        free(o->mem);
        free(o->cols);
        free(o->span);
        free(o->span_at);
        free(o);
    }
    free(p->part);
    *p = (projection_set){ 0 };
}

/* A reading in progress: the set, the chunk being gathered, the chunks not kept. */
typedef struct reading {
    projection_set *set;
    set_owned *o;
    proj_pair pair;
    int have_pair;
    proj_index dirty; /* only its dirty chunks */
} reading;

static int nomem(segrt_store *s)
{
    return store_fail(s, SEGRT_ENOMEM, "out of memory reading an event projection");
}

/* Add the part with arrays ev whose spans are o->span[first ..]; nothing when it has none. */
static int add_part(segrt_store *s, reading *r, const projection *ev, size_t first)
{
    projection_set *set = r->set;
    set_owned *o = r->o;
    if (o->nspan == first)
        return SEGRT_OK;
    size_t at_cap = o->parts_cap; /* part and span_at share parts_cap: grow span_at first */
    if (ARRAY_RESERVE(o->span_at, at_cap, set->nparts + 1) != 0 ||
        ARRAY_RESERVE(set->part, o->parts_cap, set->nparts + 1) != 0)
        return nomem(s);
    set->part[set->nparts] = *ev;
    set->part[set->nparts].nspan = o->nspan - first;
    o->span_at[set->nparts++] = first;
    for (size_t i = first; i < o->nspan; i++)
        set->events += o->span[i].hi - o->span[i].lo;
    return SEGRT_OK;
}

/* Keep the copy a part was decoded into, if any, for the set. */
static int keep_copy(segrt_store *s, set_owned *o, proj_part *part)
{
    if (part->copy == NULL)
        return SEGRT_OK;
    if (ARRAY_RESERVE(o->mem, o->mem_cap, o->nmem + 1) != 0)
        return nomem(s);
    o->mem[o->nmem++] = part->copy;
    part->copy = NULL;
    return SEGRT_OK;
}

/* The gathered chunk's parts into the set. */
static int finish_pair(segrt_store *s, reading *r)
{
    if (!r->have_pair)
        return SEGRT_OK;
    proj_pair *p = &r->pair;
    set_owned *o = r->o;
    int rc = proj_pair_resolve(s, p);
    for (size_t which = 0; which <= p->nrun && rc == SEGRT_OK; which++) {
        proj_part *part = which ? &p->run[which - 1] : &p->base;
        size_t first = o->nspan;
        if (proj_pair_spans(p, which, &o->span, &o->nspan, &o->span_cap) != 0)
            rc = nomem(s);
        if (rc == SEGRT_OK)
            rc = add_part(s, r, &part->ev, first);
        if (rc == SEGRT_OK)
            rc = keep_copy(s, o, part);
    }
    proj_pair_free(p);
    r->have_pair = 0;
    return rc;
}

static int read_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    reading *r = ud;
    proj_key key;
    (void)txn;
    if (proj_key_decode(k, &key) != 0)
        return store_fail(s, SEGRT_ECORRUPT, "the projections table has a bad key");
    if (r->have_pair && r->pair.chunk != key.chunk) {
        int rc = finish_pair(s, r);
        if (rc != SEGRT_OK)
            return rc;
    }
    if (proj_index_dirty(&r->dirty, key.chunk))
        return SEGRT_OK; /* built from the timelines instead */
    if (!r->have_pair) {
        proj_pair_init(&r->pair, key.type, key.chunk);
        r->have_pair = 1;
    }
    return proj_pair_add(s, &r->pair, &key, v);
}

/* A chunk whose projections are not kept: its events of type, built from its timelines. */
static int read_built(segrt_store *s, MDB_txn *txn, reading *r, uint32_t type, uint32_t chunk)
{
    set_owned *o = r->o;
    proj_build b = { .only = type };
    int rc = proj_build_range(s, txn, proj_chunk_first(chunk), proj_chunk_end(chunk), &b);
    proj_cols *c = rc == SEGRT_OK ? proj_build_of(&b, type) : NULL;
    if (c && (ARRAY_RESERVE(o->cols, o->cols_cap, o->ncols + 1) != 0 ||
              ARRAY_RESERVE(o->span, o->span_cap, o->nspan + 1) != 0))
        rc = nomem(s);
    if (c && rc == SEGRT_OK) {
        o->cols[o->ncols++] = *c;
        *c = (proj_cols){ 0 };
        projection ev;
        proj_cols_view(&o->cols[o->ncols - 1], &ev);
        o->span[o->nspan++] = (projection_span){ 0, (uint32_t)ev.n };
        rc = add_part(s, r, &ev, o->nspan - 1);
    }
    proj_build_free(&b);
    return rc;
}

static int read_type(segrt_store *s, MDB_txn *txn, uint32_t type, reading *r)
{
    int rc = proj_index_load(s, txn, 0, &r->dirty);
    unsigned char prefix[PROJ_KEY_BYTES];
    proj_key k = { type, 0, 0 };
    proj_key_val(&k, prefix);
    if (rc == SEGRT_OK)
        rc = store_scan(s, txn, DB_PROJ, prefix, 4, "reading an event projection", read_one, r);
    if (rc == SEGRT_OK)
        rc = finish_pair(s, r);
    for (size_t i = 0; i < r->dirty.ndirty && rc == SEGRT_OK; i++)
        rc = read_built(s, txn, r, type, r->dirty.dirty[i]);
    if (r->have_pair)
        proj_pair_free(&r->pair);
    proj_index_free(&r->dirty);
    return rc;
}

int projection_get(segrt_store *s, MDB_txn *txn, uint32_t type, projection_set *out)
{
    *out = (projection_set){ 0 };
    if (type == 0 || type >= PROJ_TYPE_LIMIT)
        return SEGRT_OK; /* no timeline holds such a type */
    set_owned *o = calloc(1, sizeof *o);
    if (o == NULL)
        return nomem(s);
    out->owned = o;
    reading r = { .set = out, .o = o };
    int rc = read_type(s, txn, type, &r);
    if (rc != SEGRT_OK) {
        projection_release(out);
        return rc;
    }
    for (size_t i = 0; i < out->nparts; i++)
        out->part[i].span = o->span + o->span_at[i];
    return SEGRT_OK;
}
