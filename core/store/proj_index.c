/*
 * proj_index.c — the pairs and dirty chunks of the projections table, read
 * from its keys (proj_index.h).
 *
 * Uses: proj_index.h, store.h, array.h.
 */
#include "store/proj_index.h"

#include "util/array.h"

#include <stdlib.h>

static int index_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    proj_index *x = ud;
    proj_key key;
    (void)txn;
    if (proj_key_decode(k, &key) != 0 || (key.type == PROJ_DIRTY && (key.part != 0 || v->mv_size)))
        return store_fail(s, SEGRT_ECORRUPT, "the projections table has a bad key");
    if (key.type == PROJ_DIRTY) {
        if (ARRAY_RESERVE(x->dirty, x->dirty_cap, x->ndirty + 1) != 0)
            return store_fail(s, SEGRT_ENOMEM, "out of memory reading the event projections");
        x->dirty[x->ndirty++] = key.chunk;
        return SEGRT_OK;
    }
    const proj_key *last = x->npairs ? &x->pair[x->npairs - 1] : NULL;
    if (last && last->type == key.type && last->chunk == key.chunk)
        return SEGRT_OK;
    if (ARRAY_RESERVE(x->pair, x->pairs_cap, x->npairs + 1) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory reading the event projections");
    x->pair[x->npairs++] = (proj_key){ key.type, key.chunk, 0 };
    return SEGRT_OK;
}

static int by_chunk_type(const void *a, const void *b)
{
    const proj_key *x = a, *y = b;
    if (x->chunk != y->chunk)
        return x->chunk < y->chunk ? -1 : 1;
    return (x->type > y->type) - (x->type < y->type);
}

int proj_index_load(segrt_store *s, MDB_txn *txn, int pairs, proj_index *out)
{
    static const unsigned char dirty[4] = { 0xff, 0xff, 0xff, 0xff };
    *out = (proj_index){ 0 };
    int rc = store_scan(s, txn, DB_PROJ, pairs ? NULL : dirty, pairs ? 0 : sizeof dirty,
                        "reading the event projections", index_one, out);
    if (rc != SEGRT_OK) {
        proj_index_free(out);
        return rc;
    }
    if (out->npairs > 1)
        qsort(out->pair, out->npairs, sizeof *out->pair, by_chunk_type);
    return SEGRT_OK;
}

void proj_index_free(proj_index *x)
{
    free(x->pair);
    free(x->dirty);
    *x = (proj_index){ 0 };
}

size_t proj_index_chunk(const proj_index *x, uint32_t chunk, size_t *first)
{
    size_t lo = 0, hi = x->npairs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->pair[mid].chunk < chunk)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < x->npairs && x->pair[end].chunk == chunk)
        end++;
    *first = lo;
    return end - lo;
}

int proj_index_dirty(const proj_index *x, uint32_t chunk)
{
    size_t lo = 0, hi = x->ndirty;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->dirty[mid] < chunk)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < x->ndirty && x->dirty[lo] == chunk;
}
