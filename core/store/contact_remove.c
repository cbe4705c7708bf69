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
 * proj_update.h (the event projections follow the timeline it drops),
 * array.h, bitset.h.
 */
#include "store/contact_remove.h"

#include "store/consent.h"
#include "store/dict.h"
#include "store/event.h"
#include "store/membership.h"
#include "store/proj_update.h"
#include "store/schema.h"
#include "util/array.h"
#include "util/bitset.h"
#include "util/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* A dictionary code the removed row used, which may have had no other user. */
struct contact_remove_code {
    uint16_t field;
    uint8_t set; /* a set field's value (a bitset per code), else a string column's code */
    uint32_t code;
};

/* Note the dictionary codes of row r for contact_remove_sweep. */
static int note_strings(segrt_store *s, const row *r, contact_remove_strings *st)
{
    for (size_t i = 0; i < r->n; i++) {
        const row_value *v = &r->vals[i];
        const field_def *f = schema_by_id(s->schema, v->field);
        int set = f->type == SEGRT_T_SET;
        size_t n = set ? v->nset : f->type == SEGRT_T_STRING && v->v != 0;
        if (ARRAY_RESERVE(st->code, st->cap, st->n + n) != 0)
            return store_fail(s, SEGRT_ENOMEM, "out of memory erasing a contact");
        for (size_t k = 0; k < n; k++)
            st->code[st->n++] = (struct contact_remove_code){
                f->id, (uint8_t)set, set ? row_set_codes(r, v)[k] : (uint32_t)v->v
            };
    }
    return SEGRT_OK;
}

static int code_cmp(const void *pa, const void *pb)
{
    const struct contact_remove_code *a = pa, *b = pb;
    if (a->field != b->field)
        return a->field < b->field ? -1 : 1;
    if (a->set != b->set)
        return a->set < b->set ? -1 : 1;
    return a->code < b->code ? -1 : a->code > b->code;
}

/*
 * Drop the codes c[0, n) of string column field (sorted, distinct, none 0)
 * that no contact has any more: one pass over the column, which stops once
 * every code was seen.
 */
static int sweep_string_column(segrt_store *s, MDB_txn *txn, const column_cache *cc,
                               const struct contact_remove_code *c, size_t n, uint32_t nchunks)
{
    bitset unseen;
    uint32_t max = c[n - 1].code;
    if (bitset_init(&unseen, max + 1) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory erasing a contact");
    for (size_t i = 0; i < n; i++)
        bitset_set(&unseen, c[i].code);
    size_t left = n;
    int rc = SEGRT_OK;
    for (uint32_t chunk = 0; chunk < nchunks && left && rc == SEGRT_OK; chunk++) {
        MDB_val v;
        rc = column_chunk_peek(s, txn, cc, c[0].field, chunk, 0, &v);
        if (rc == SEGRT_ENOTFOUND) {
            rc = SEGRT_OK;
            continue;
        }
        column_codes codes;
        if (rc == SEGRT_OK && column_codes_of(&v, &codes) != 0)
            rc = store_fail(s, SEGRT_ECORRUPT, "column %u chunk %u has %zu bytes", c[0].field,
                            chunk, v.mv_size);
        for (uint32_t i = 0; rc == SEGRT_OK && i < COL_CHUNK_ROWS; i++) {
            uint32_t code = column_code_at(&codes, i);
            if (bitset_test(&unseen, code)) {
                bitset_clear_bit(&unseen, code);
                left--;
            }
        }
    }
    for (size_t i = 0; i < n && rc == SEGRT_OK; i++) {
        if (bitset_test(&unseen, c[i].code))
            rc = dict_remove(s, txn, c[i].field, c[i].code);
    }
    bitset_free(&unseen);
    return rc;
}

int contact_remove_sweep(segrt_store *s, MDB_txn *txn, const column_cache *cc,
                         contact_remove_strings *st)
{
    uint64_t next_ord;
    int rc = store_counter_get(s, txn, "next_ord", &next_ord);
    uint32_t nchunks = (uint32_t)((next_ord + COL_CHUNK_ROWS - 1) / COL_CHUNK_ROWS);
    if (st->n > 1)
        qsort(st->code, st->n, sizeof *st->code, code_cmp);
    for (size_t i = 0, j; i < st->n && rc == SEGRT_OK; i = j) {
        const struct contact_remove_code *c = &st->code[i];
        size_t distinct = 0;
        /* the run of one column, its distinct codes moved to its front */
        for (j = i; j < st->n && st->code[j].field == c->field && st->code[j].set == c->set; j++) {
            if (distinct == 0 || st->code[j].code != c[distinct - 1].code)
                st->code[i + distinct++] = st->code[j];
        }
        if (!c->set) {
            rc = sweep_string_column(s, txn, cc, c, distinct, nchunks);
            continue;
        }
        for (size_t k = 0; k < distinct && rc == SEGRT_OK; k++) {
            int used;
            rc = set_value_in_use(s, txn, cc, c->field, c[k].code, nchunks, &used);
            if (rc == SEGRT_OK && !used)
                rc = dict_remove(s, txn, c->field, c[k].code);
        }
    }
    st->n = 0;
    return rc;
}

void contact_remove_strings_free(contact_remove_strings *st)
{
    free(st->code);
    *st = (contact_remove_strings){ 0 };
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
                   size_t idlen, const row *r, contact_remove_strings *strings,
                   contact_remove_counts *n)
{
    MDB_val k = store_ord_key(&ord);
    *n = (contact_remove_counts){ .fields = r->n };
    int rc = clear_values(s, txn, cc, r, ord);
    if (rc == SEGRT_OK)
        rc = note_strings(s, r, strings);
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
