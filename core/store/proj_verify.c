/*
 * proj_verify.c — segrt check's look at the event projections
 * (proj_verify.h): chunk by chunk, the timelines rebuilt into columns and
 * compared with the stored parts of each type, resolved and merged.
 *
 * Uses: proj_verify.h, proj_pair.h, proj_index.h, proj_build.h, dict.h,
 * schema.h (the event type field), store.h.
 */
#include "store/proj_verify.h"

#include "store/dict.h"
#include "store/proj_build.h"
#include "store/proj_index.h"
#include "store/proj_pair.h"
#include "store/schema.h"

#include <stdio.h>
#include <string.h>

/* A type's name for messages ("?" when the dictionary lacks it). */
static const char *type_name(segrt_store *s, MDB_txn *txn, uint32_t type, char *out, size_t n)
{
    MDB_val v;
    if (dict_string(s, txn, FIELD_EV_TYPE, type, &v) == SEGRT_OK)
        snprintf(out, n, "%.*s", (int)(v.mv_size < 64 ? v.mv_size : 64), (const char *)v.mv_data);
    else
        snprintf(out, n, "?");
    return out;
}

/* SEGRT_ECORRUPT: "check: the projection of event type T (name) in contacts A..B <what>". */
static int differs(segrt_store *s, MDB_txn *txn, const proj_pair *p, const char *what)
{
    char name[80];
    return store_fail(s, SEGRT_ECORRUPT,
                      "check: the projection of event type %u (%s) in contacts %u..%u %s", p->type,
                      type_name(s, txn, p->type, name, sizeof name), proj_chunk_first(p->chunk),
                      proj_chunk_end(p->chunk) - 1, what);
}

/* Sorted by (ord, ts) and within the pair's chunk. */
static int sorted_in_chunk(const proj_pair *p, const projection *ev)
{
    for (size_t i = 0; i < ev->n; i++) {
        if (ev->ord[i] >> PROJ_CHUNK_BITS != p->chunk)
            return 0;
        if (i > 0 && (ev->ord[i] < ev->ord[i - 1] ||
                      (ev->ord[i] == ev->ord[i - 1] && ev->ts[i] < ev->ts[i - 1])))
            return 0;
    }
    return 1;
}

/* Every part sorted, every entry hiding exactly its contact's events in the base. */
static int check_parts(segrt_store *s, MDB_txn *txn, const proj_pair *p)
{
    if (!sorted_in_chunk(p, &p->base.ev))
        return differs(s, txn, p, "is not sorted by (contact, ts) in its base");
    for (size_t r = 0; r < p->nrun; r++) {
        const proj_part *run = &p->run[r];
        if (!sorted_in_chunk(p, &run->ev))
            return differs(s, txn, p, "is not sorted by (contact, ts) in a run");
        for (size_t e = 0; e < run->nent; e++) {
            uint32_t lo, hi;
            proj_pair_base_range(p, run->ent[e].ord, &lo, &hi);
            if (run->ent[e].base_lo != lo || run->ent[e].base_hi != hi)
                return differs(s, txn, p, "has a run that does not hide its contact's base events");
        }
    }
    return SEGRT_OK;
}

/* The pair's events, resolved and merged, against those built from its timelines (or none). */
static int compare(segrt_store *s, MDB_txn *txn, const proj_pair *p, const proj_cols *built)
{
    proj_cols have = { 0 };
    if (proj_pair_materialize(p, &have) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory checking the event projections");
    size_t n = built ? built->n : 0;
    char what[120];
    int rc = SEGRT_OK;
    if (have.n != n) {
        snprintf(what, sizeof what, "holds %zu events, the timelines %zu", have.n, n);
        rc = differs(s, txn, p, what);
    }
    const void *a[] = { have.ts, have.amount, have.ord, have.category, have.channel, have.seq };
    const void *b[] = { built ? built->ts : NULL, built ? built->amount : NULL,
                        built ? built->ord : NULL, built ? built->category : NULL,
                        built ? built->channel : NULL, built ? built->seq : NULL };
    static const size_t width[] = { 8, 8, 4, 4, 4, 4 };
    static const char *const column[] = { "ts", "amount", "ord", "category", "channel", "seq" };
    for (size_t c = 0; c < 6 && rc == SEGRT_OK && n > 0; c++) {
        if (memcmp(a[c], b[c], n * width[c]) != 0) {
            snprintf(what, sizeof what, "differs from its timelines (column %s)", column[c]);
            rc = differs(s, txn, p, what);
        }
    }
    proj_cols_free(&have);
    return rc;
}

static int verify_pair(segrt_store *s, MDB_txn *txn, uint32_t type, uint32_t chunk,
                       const proj_cols *built)
{
    proj_pair p;
    int rc = proj_pair_load(s, txn, type, chunk, &p);
    if (rc == SEGRT_OK)
        rc = check_parts(s, txn, &p);
    if (rc == SEGRT_OK)
        rc = compare(s, txn, &p, built);
    proj_pair_free(&p);
    return rc;
}

/* Every type the chunk's timelines or its stored pairs have. */
static int verify_chunk(segrt_store *s, MDB_txn *txn, const proj_index *x, uint32_t chunk)
{
    proj_build b = { 0 };
    size_t first, np = proj_index_chunk(x, chunk, &first);
    int rc = proj_build_range(s, txn, proj_chunk_first(chunk), proj_chunk_end(chunk), &b);
    for (size_t i = 0; i < np && rc == SEGRT_OK; i++) {
        uint32_t t = x->pair[first + i].type;
        rc = verify_pair(s, txn, t, chunk, proj_build_of(&b, t));
    }
    for (size_t t = 0; t < b.nt && rc == SEGRT_OK; t++) {
        size_t k = 0;
        while (k < np && x->pair[first + k].type != t)
            k++;
        if (b.t[t].n && k == np) /* not stored at all */
            rc = verify_pair(s, txn, (uint32_t)t, chunk, &b.t[t]);
    }
    proj_build_free(&b);
    return rc;
}

int proj_verify(segrt_store *s, MDB_txn *txn)
{
    proj_index x;
    uint64_t next = 0;
    int rc = store_counter_get(s, txn, "next_ord", &next);
    if (rc != SEGRT_OK)
        return rc;
    rc = proj_index_load(s, txn, 1, &x);
    uint64_t nchunks = next ? ((next - 1) >> PROJ_CHUNK_BITS) + 1 : 0;
    for (size_t i = 0; i < x.npairs && rc == SEGRT_OK; i++) {
        if (x.pair[i].chunk >= nchunks || x.pair[i].type >= PROJ_TYPE_LIMIT)
            rc = store_fail(s, SEGRT_ECORRUPT, "check: the projections hold event type %u in "
                            "chunk %u, which no contact has", x.pair[i].type, x.pair[i].chunk);
    }
    for (uint64_t c = 0; c < nchunks && rc == SEGRT_OK; c++) {
        if (!proj_index_dirty(&x, (uint32_t)c))
            rc = verify_chunk(s, txn, &x, (uint32_t)c);
    }
    proj_index_free(&x);
    return rc;
}
