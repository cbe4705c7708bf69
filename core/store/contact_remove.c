/*
 * contact_remove.c — contact_remove(): a contact and everything stored about
 * it go in the caller's write transaction: the row, the id index entry, the
 * column values, the dictionary strings nobody else uses (they may be
 * personal data: an e-mail, a name), the timeline, the consent history and
 * the stored memberships; the counters follow. The erasure of a contact
 * (privacy/erase.c) and the merged-away side of a merge (dedupe/merge.c)
 * both remove contacts this way.
 *
 * Uses: row.h, column.h, dict.h, event.h, consent.h, membership.h, schema.h,
 * proj_update.h (the event projections follow the timeline it drops).
 */
#include "store/contact_remove.h"

#include "store/consent.h"
#include "store/dict.h"
#include "store/event.h"
#include "store/membership.h"
#include "store/proj_update.h"
#include "store/schema.h"
#include "util/value.h"

#include <stdio.h>
#include <string.h>

/* Whether any contact still has code in a string column (as cc's writes leave it). */
static int code_in_use(segrt_store *s, MDB_txn *txn, const column_cache *cc, uint16_t field,
                       uint32_t code, uint32_t nchunks, int *used)
{
    *used = 0;
    for (uint32_t chunk = 0; chunk < nchunks && !*used; chunk++) {
        MDB_val v;
        int rc = column_chunk_peek(s, txn, cc, field, chunk, 0, &v);
        if (rc == SEGRT_ENOTFOUND)
            continue;
        if (rc != SEGRT_OK)
            return rc;
        const unsigned char *p = v.mv_data;
        for (size_t i = 0; i + sizeof code <= v.mv_size; i += sizeof code) {
            uint32_t c;
            memcpy(&c, p + i, sizeof c);
            if (c == code) {
                *used = 1;
                break;
            }
        }
    }
    return SEGRT_OK;
}

/* Whether any contact still has a set value (some bitset chunk not empty). */
static int set_value_in_use(segrt_store *s, MDB_txn *txn, const column_cache *cc, uint16_t field,
                            uint32_t code, uint32_t nchunks, int *used)
{
    *used = 0;
    for (uint32_t chunk = 0; chunk < nchunks && !*used; chunk++) {
        MDB_val v;
        int rc = column_chunk_peek(s, txn, cc, field, chunk, code, &v);
        if (rc == SEGRT_ENOTFOUND)
            continue;
        if (rc != SEGRT_OK)
            return rc;
        const unsigned char *p = v.mv_data;
        for (size_t i = 0; i < v.mv_size && !*used; i++)
            *used = p[i] != 0;
    }
    return SEGRT_OK;
}

static int clear_values(segrt_store *s, MDB_txn *txn, column_cache *cc, const row *r, uint32_t ord)
{
    int rc = SEGRT_OK;
    for (size_t i = 0; i < r->n && rc == SEGRT_OK; i++) {
        const row_value *v = &r->vals[i];
        const field_def *f = schema_by_id(s->schema, v->field);
        if (f == NULL)
            return store_fail(s, SEGRT_ECORRUPT, "contact %u has a value of unknown field %u", ord,
                              v->field);
        if (f->type == SEGRT_T_SET) {
            for (uint32_t k = 0; k < v->nset && rc == SEGRT_OK; k++)
                rc = column_set_bit(s, txn, cc, f->id, row_set_codes(r, v)[k], ord, 0);
        } else if (f->type == SEGRT_T_STRING) {
            rc = column_set_code(s, txn, cc, f->id, ord, 0);
        } else {
            rc = column_set_i64(s, txn, cc, f->id, ord, VALUE_MISSING);
        }
    }
    return rc == SEGRT_OK ? column_set_bit(s, txn, cc, FIELD_LIVE, 0, ord, 0) : rc;
}

/* Drop the dictionary strings of the erased row that nobody else uses. */
static int collect_strings(segrt_store *s, MDB_txn *txn, const column_cache *cc, const row *r,
                           uint32_t nchunks)
{
    int rc = SEGRT_OK;
    for (size_t i = 0; i < r->n && rc == SEGRT_OK; i++) {
        const row_value *v = &r->vals[i];
        const field_def *f = schema_by_id(s->schema, v->field);
        int used = 1;
        if (f->type == SEGRT_T_STRING) {
            rc = code_in_use(s, txn, cc, f->id, (uint32_t)v->v, nchunks, &used);
            if (rc == SEGRT_OK && !used)
                rc = dict_remove(s, txn, f->id, (uint32_t)v->v);
        }
        for (uint32_t k = 0; f->type == SEGRT_T_SET && k < v->nset && rc == SEGRT_OK; k++) {
            uint32_t code = row_set_codes(r, v)[k];
            rc = set_value_in_use(s, txn, cc, f->id, code, nchunks, &used);
            if (rc == SEGRT_OK && !used)
                rc = dict_remove(s, txn, f->id, code);
        }
    }
    return rc;
}

/* Delete the timeline and history of ord; count what went. */
static int drop_activity(segrt_store *s, MDB_txn *txn, uint32_t ord, uint64_t *nev,
                         uint64_t *ncs)
{
    MDB_val k = store_ord_key(&ord);
    event_list evs = { 0 };
    consent_list css = { 0 };
    *nev = *ncs = 0;
    int rc = event_list_read(s, txn, ord, &evs);
    for (size_t i = 0; i < evs.n && rc == SEGRT_OK; i++) {
        char name[32];
        snprintf(name, sizeof name, "evtype:%u", evs.recs[i].type);
        rc = store_counter_add(s, txn, name, -1);
    }
    *nev = evs.n;
    event_list_free(&evs);
    if (rc == SEGRT_OK && *nev > 0)
        rc = proj_update_touch(s, txn, ord);
    /* Deleting what is not there is no error. */
    int mrc = rc == SEGRT_OK ? mdb_del(txn, s->dbi[DB_EVENTS], &k, NULL) : 0;
    if (mrc != 0 && mrc != MDB_NOTFOUND)
        rc = store_mdb_fail(s, mrc, "erasing events");
    if (rc == SEGRT_OK)
        rc = consent_list_read(s, txn, ord, &css);
    *ncs = css.n;
    consent_list_free(&css);
    mrc = rc == SEGRT_OK ? mdb_del(txn, s->dbi[DB_CONSENTS], &k, NULL) : 0;
    if (mrc != 0 && mrc != MDB_NOTFOUND)
        rc = store_mdb_fail(s, mrc, "erasing consents");
    return rc;
}

int contact_remove(segrt_store *s, MDB_txn *txn, column_cache *cc, uint32_t ord, const char *id,
                   size_t idlen, const row *r, contact_remove_counts *n)
{
    uint64_t next_ord;
    MDB_val k = store_ord_key(&ord);
    *n = (contact_remove_counts){ .fields = r->n };
    int rc = clear_values(s, txn, cc, r, ord);
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, "next_ord", &next_ord);
    if (rc == SEGRT_OK)
        rc = collect_strings(s, txn, cc, r,
                             (uint32_t)((next_ord + COL_CHUNK_ROWS - 1) / COL_CHUNK_ROWS));
    if (rc == SEGRT_OK)
        rc = drop_activity(s, txn, ord, &n->events, &n->consents);
    if (rc == SEGRT_OK)
        rc = membership_erase(s, txn, ord, &n->segments);
    if (rc != SEGRT_OK)
        return rc;
    MDB_val ik = { idlen, (void *)id };
    int mrc = mdb_del(txn, s->dbi[DB_IDS], &ik, NULL);
    if (mrc == 0)
        mrc = mdb_del(txn, s->dbi[DB_CONTACTS], &k, NULL);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "erasing the contact");
    rc = store_counter_add(s, txn, "contacts", -1);
    if (rc == SEGRT_OK)
        rc = store_counter_add(s, txn, "events", -(int64_t)n->events);
    if (rc == SEGRT_OK)
        rc = store_counter_add(s, txn, "consents", -(int64_t)n->consents);
    if (rc == SEGRT_OK)
        rc = store_counter_add(s, txn, "write_gen", 1);
    return rc;
}
