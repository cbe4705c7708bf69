/*
 * check.c — segrt_store_check(): the store's invariants, for tests and for
 * `segrt check` after a crash: every id maps to a row that names it back,
 * the counters match what is stored, the live bitset matches the rows,
 * timelines are sorted, every record decodes, fresh event projections
 * equal a rebuild from the timelines, a valid id order is the index's, and
 * the outbox is well-formed.
 *
 * Uses: store.h, row.h, event.h, consent.h, column.h, schema.h, proj_verify.h,
 * id_order.h, outbox.h.
 */
#include "store/column.h"
#include "store/column_verify.h"
#include "store/consent.h"
#include "store/event.h"
#include "store/flag.h"
#include "store/id_order.h"
#include "store/outbox.h"
#include "store/page_check.h"
#include "store/proj_verify.h"
#include "store/row.h"
#include "store/schema.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Every id of the index names a contact whose row names the id back; counted in n. */
typedef struct ids_check {
    row r;
    uint64_t n;
} ids_check;

static int check_id(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    ids_check *c = ud;
    uint32_t ord;
    MDB_val rk = store_ord_key(&ord), rv;
    int rc = store_ord_decode(s, v, "check: an id index entry", &ord);
    if (rc != SEGRT_OK)
        return rc;
    c->n++;
    if (mdb_get(txn, s->dbi[DB_CONTACTS], &rk, &rv) != 0)
        return store_fail(s, SEGRT_ECORRUPT, "check: id '%.*s' maps to missing contact %u",
                          (int)k->mv_size, (char *)k->mv_data, ord);
    if (row_decode(&c->r, rv.mv_data, rv.mv_size) != 0 || c->r.idlen != k->mv_size ||
        memcmp(c->r.id, k->mv_data, k->mv_size) != 0)
        return store_fail(s, SEGRT_ECORRUPT, "check: contact %u does not name id '%.*s' back",
                          ord, (int)k->mv_size, (char *)k->mv_data);
    return SEGRT_OK;
}

static int check_ids(segrt_store *s, MDB_txn *txn, uint64_t *n)
{
    ids_check c = { { 0 }, 0 };
    int rc = store_scan(s, txn, DB_IDS, NULL, 0, "check", check_id, &c);
    row_free(&c.r);
    *n = c.n;
    return rc;
}

/* The entries of an ordinal-keyed table, each decoded with fn, which counts its items. */
typedef struct table_check {
    const char *what;
    int (*fn)(const MDB_val *v, uint64_t *items);
    uint64_t rows, items;
} table_check;

static int check_entry(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                       const MDB_val *v)
{
    table_check *c = ud;
    uint32_t ord;
    (void)txn;
    memcpy(&ord, k->mv_data, sizeof ord);
    c->rows++;
    if (c->fn(v, &c->items) != 0)
        return store_fail(s, SEGRT_ECORRUPT, "check: %s of contact %u do not decode", c->what,
                          ord);
    return SEGRT_OK;
}

/* Count the entries of an ordinal-keyed table, decoding each with fn. */
static int check_table(segrt_store *s, MDB_txn *txn, enum store_db db, const char *what,
                       int (*fn)(const MDB_val *v, uint64_t *items), uint64_t *rows,
                       uint64_t *items)
{
    table_check c = { what, fn, 0, 0 };
    int rc = store_scan(s, txn, db, NULL, 0, "check", check_entry, &c);
    *rows = c.rows;
    *items = c.items;
    return rc;
}

static int decode_row(const MDB_val *v, uint64_t *items)
{
    row r = { 0 };
    int rc = row_decode(&r, v->mv_data, v->mv_size);
    row_free(&r);
    (*items)++;
    return rc;
}

static int decode_events(const MDB_val *v, uint64_t *items)
{
    event_list l = { 0 };
    int rc = event_list_decode(&l, v->mv_data, v->mv_size);
    for (size_t i = 1; rc == 0 && i < l.n; i++)
        rc = l.recs[i].ts < l.recs[i - 1].ts ? -1 : 0;
    *items += l.n;
    event_list_free(&l);
    return rc;
}

static int decode_consents(const MDB_val *v, uint64_t *items)
{
    consent_list l = { 0 };
    int rc = consent_list_decode(&l, v->mv_data, v->mv_size);
    *items += l.n;
    consent_list_free(&l);
    return rc;
}

static int count_live(segrt_store *s, MDB_txn *txn, uint64_t nchunks, uint64_t *live)
{
    *live = 0;
    for (uint32_t chunk = 0; chunk < nchunks; chunk++) {
        MDB_val v;
        int rc = column_chunk_get(s, txn, FIELD_LIVE, chunk, 0, &v);
        if (rc == SEGRT_ENOTFOUND)
            continue;
        if (rc != SEGRT_OK)
            return rc;
        if (v.mv_size != COL_BITSET_BYTES)
            return store_fail(s, SEGRT_ECORRUPT, "check: live bitset chunk %u has a bad size",
                              chunk);
        const unsigned char *p = v.mv_data;
        for (size_t i = 0; i < v.mv_size; i++)
            *live += (uint64_t)__builtin_popcount(p[i]);
    }
    return SEGRT_OK;
}

static int expect(segrt_store *s, const char *what, uint64_t counter, uint64_t stored)
{
    if (counter == stored)
        return SEGRT_OK;
    return store_fail(s, SEGRT_ECORRUPT, "check: the %s counter says %llu, the store holds %llu",
                      what, (unsigned long long)counter, (unsigned long long)stored);
}

static int check_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    uint64_t ids = 0, rows = 0, n = 0, ev_rows = 0, evs = 0, cs_rows = 0, css = 0, c_contacts = 0,
             c_events = 0, c_consents = 0, next = 0, live = 0;
    (void)ud;
    int rc = store_page_check(s, txn); /* first: LMDB must not walk a damaged page */
    if (rc == SEGRT_OK)
        rc = check_ids(s, txn, &ids);
    if (rc == SEGRT_OK)
        rc = check_table(s, txn, DB_CONTACTS, "the record", decode_row, &rows, &n);
    if (rc == SEGRT_OK)
        rc = check_table(s, txn, DB_EVENTS, "events", decode_events, &ev_rows, &evs);
    if (rc == SEGRT_OK)
        rc = check_table(s, txn, DB_CONSENTS, "consents", decode_consents, &cs_rows, &css);
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, "contacts", &c_contacts);
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, "events", &c_events);
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, "consents", &c_consents);
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, "next_ord", &next);
    if (rc == SEGRT_OK)
        rc = count_live(s, txn, (next + COL_CHUNK_ROWS - 1) / COL_CHUNK_ROWS, &live);
    if (rc == SEGRT_OK)
        rc = expect(s, "contacts", c_contacts, rows);
    if (rc == SEGRT_OK)
        rc = expect(s, "id index", ids, rows);
    if (rc == SEGRT_OK)
        rc = expect(s, "live contacts", live, rows);
    if (rc == SEGRT_OK)
        rc = expect(s, "events", c_events, evs);
    if (rc == SEGRT_OK)
        rc = expect(s, "consents", c_consents, css);
    if (rc == SEGRT_OK && (ev_rows > rows || cs_rows > rows))
        rc = store_fail(s, SEGRT_ECORRUPT, "check: events or consents of erased contacts remain");
    if (rc == SEGRT_OK)
        rc = column_verify(s, txn);
    if (rc == SEGRT_OK)
        rc = proj_verify(s, txn);
    if (rc == SEGRT_OK)
        rc = id_order_verify(s, txn);
    if (rc == SEGRT_OK)
        rc = outbox_verify(s, txn);
    return rc;
}

int segrt_store_check(segrt_store *s)
{
    int rc = store_read(s, check_in, NULL);
    if (rc == SEGRT_ECORRUPT)
        return store_flag_finding(s, rc);
    if (rc == SEGRT_OK && store_flag_clear(s) != SEGRT_OK)
        return store_fail(s, SEGRT_EIO, "the store passes, but its corrupt flag could not be "
                          "removed: %s", strerror(errno));
    return rc;
}
