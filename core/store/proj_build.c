/*
 * proj_build.c — event projections built from the timelines (proj_build.h).
 *
 * Uses: proj_build.h, event_blob.h (a timeline's records read in place), store.h, store_map.h
 * (a pass gives back the map pages it read), array.h.
 */
#include "store/proj_build.h"

#include "store/event_blob.h"
#include "store/store_map.h"
#include "util/array.h"

#include <stdlib.h>
#include <string.h>

#define RELEASE_EVERY ((size_t)64 << 20)

proj_cols *proj_build_of(proj_build *b, uint32_t type)
{
    size_t i = b->only ? (type == b->only ? 0 : b->nt) : type;
    return i < b->nt && b->t[i].n > 0 ? &b->t[i] : NULL;
}

void proj_build_free(proj_build *b)
{
    for (size_t i = 0; i < b->nt; i++)
        proj_cols_free(&b->t[i]);
    free(b->t);
    *b = (proj_build){ .only = b->only };
}

/* The columns events of type go to, or *out NULL when b does not collect them. */
static int cols_of(segrt_store *s, proj_build *b, uint32_t type, uint32_t ord, proj_cols **out)
{
    *out = NULL;
    if (b->only && type != b->only)
        return SEGRT_OK;
    if (type >= PROJ_TYPE_LIMIT)
        return store_fail(s, SEGRT_ECORRUPT,
                          "events of contact %u have an impossible type code %u", ord, type);
    size_t i = b->only ? 0 : type;
    if (ARRAY_RESERVE_ZERO(b->t, b->cap, i + 1) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory building event projections");
    if (b->nt < i + 1)
        b->nt = i + 1;
    *out = &b->t[i];
    return SEGRT_OK;
}

/* Append the events of one timeline value, read in place. */
static int add_timeline(segrt_store *s, proj_build *b, uint32_t ord, const MDB_val *v)
{
    event_blob blob;
    event_rec r;
    int got;
    if (event_blob_open(&blob, v->mv_data, v->mv_size) != 0)
        return store_decoded(s, -1, "events", ord);
    for (uint32_t i = 0; (got = event_blob_next(&blob, &r)) == 1; i++) {
        proj_cols *c;
        int rc = cols_of(s, b, r.type, ord, &c);
        if (rc != SEGRT_OK)
            return rc;
        if (c && proj_cols_push(c, ord, r.ts, r.amount, r.category, r.channel, i) != 0)
            return store_fail(s, SEGRT_ENOMEM, "out of memory building event projections");
    }
    return got == 0 ? SEGRT_OK : store_decoded(s, -1, "events", ord);
}

/* Count bytes read from the map; every RELEASE_EVERY bytes drop what is resident. */
static void map_pages_read(segrt_store *s, size_t *read, size_t bytes)
{
    *read += bytes;
    if (*read >= RELEASE_EVERY) {
        store_map_release(s);
        *read = 0;
    }
}

/* A pass over the timelines of [from, to): what it collects, and the map pages it has read. */
typedef struct events_pass {
    proj_build *b;
    uint32_t to;
    size_t read; /* bytes of the map read since its pages were last given back */
} events_pass;

static int build_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    events_pass *e = ud;
    uint32_t ord;
    (void)txn;
    int rc = store_ord_decode(s, k, "an events key", &ord);
    if (rc != SEGRT_OK)
        return rc;
    if (ord >= e->to)
        return STORE_STOP;
    rc = add_timeline(s, e->b, ord, v);
    if (rc == SEGRT_OK)
        map_pages_read(s, &e->read, v->mv_size);
    return rc;
}

int proj_build_range(segrt_store *s, MDB_txn *txn, uint32_t lo, uint32_t hi, proj_build *b)
{
    events_pass e = { .b = b, .to = hi };
    if (lo >= hi)
        return SEGRT_OK;
    MDB_val start = store_ord_key(&lo);
    return store_scan_from(s, txn, DB_EVENTS, &start, "reading events for projections", build_one,
                           &e);
}
