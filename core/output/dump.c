/*
 * dump.c — segrt_dump: a store's live contacts, their events and their
 * consent records written as the three tables of the SQL layout
 * (include/segrt/sql.h) in one read snapshot. Erased contacts are gone from
 * the store; contacts restricted at NOW (Art. 18) are left out with
 * everything about them, as evaluations leave them out: a warehouse copy is
 * processing, and the segments rendered as SQL then find what segrt finds.
 *
 * Uses: dump_cell.h, sql.h (the columns), row.h, event.h, consent.h,
 * dict.h, schema.h, restrict_check.h, column.h (the live-contacts column).
 */
#include "output/dump_cell.h"

#include "privacy/restrict_check.h"
#include "store/column.h"
#include "store/consent.h"
#include "store/dict.h"
#include "store/event.h"
#include "store/row.h"
#include "store/schema.h"
#include "util/value.h"

#include <stdlib.h>
#include <string.h>

/* Dictionary strings read so far, per dictionary (user fields, then the internal ones). */
#define CACHE_FIELDS (256 + 16)
#define CACHE_CODES 65536

typedef struct dump_job {
    segrt_dump_format format;
    const char *dir;
    segrt_dump_stats stats;
    dump_out out[SQL_NTABLES];
    sql_columns cols[SQL_NTABLES];
    MDB_txn *txn;
    MDB_val *cache[CACHE_FIELDS]; /* [code]: borrowed from txn; mv_data NULL until read */
} dump_job;

/*
 * The string of a dictionary code (dict_string), remembered for the
 * snapshot: every event names its type, and a lookup per cell would cost
 * more than writing it.
 */
static int dict_text(segrt_store *s, dump_job *j, uint16_t field, uint32_t code, MDB_val *out)
{
    size_t slot = field >= FIELD_INTERNAL ? 256u + (field - FIELD_INTERNAL) : field;
    MDB_val **c = slot < CACHE_FIELDS && code < CACHE_CODES ? &j->cache[slot] : NULL;
    if (c && *c == NULL && (*c = calloc(CACHE_CODES, sizeof **c)) == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    if (c && (*c)[code].mv_data) {
        *out = (*c)[code];
        return SEGRT_OK;
    }
    int rc = dict_string(s, j->txn, field, code, out);
    if (rc == SEGRT_OK && c)
        (*c)[code] = *out;
    return rc;
}

/* A dictionary string as a text cell; code 0 is missing. */
static int dict_cell(segrt_store *s, dump_job *j, dump_out *o, uint16_t field, uint32_t code)
{
    MDB_val v;
    if (code == 0) {
        dump_cell_null(o);
        return SEGRT_OK;
    }
    int rc = dict_text(s, j, field, code, &v);
    if (rc == SEGRT_OK)
        dump_cell_text(o, v.mv_data, v.mv_size);
    return rc;
}

/* A timestamp as "YYYY-MM-DD HH:MM:SS" (UTC), which every engine reads into TIMESTAMP. */
static void time_cell(dump_out *o, int64_t t)
{
    char text[SEGRT_VALUE_TEXT_MAX];
    if (t == VALUE_MISSING) {
        dump_cell_null(o);
        return;
    }
    segrt_value_format(SEGRT_T_TIMESTAMP, t, text);
    text[10] = ' ';
    text[19] = '\0';
    dump_cell_text(o, text, 19);
}

static void number_cell(dump_out *o, segrt_type t, int64_t v)
{
    char text[SEGRT_VALUE_TEXT_MAX];
    if (v == VALUE_MISSING) {
        dump_cell_null(o);
        return;
    }
    segrt_value_format(t, v, text);
    dump_cell_raw(o, text);
}

/* A C string as a text cell, missing when NULL. */
static void cstr_cell(dump_out *o, const char *text)
{
    if (text)
        dump_cell_text(o, text, strlen(text));
    else
        dump_cell_null(o);
}

/* A record's place in its list, which breaks ties of time (events, consents' seq). */
static void seq_cell(dump_out *o, unsigned long long seq)
{
    char text[24];
    snprintf(text, sizeof text, "%llu", seq);
    dump_cell_raw(o, text);
}

static int value_cell(segrt_store *s, dump_job *j, dump_out *o, const field_def *f,
                      const row *r, const row_value *v)
{
    char text[SEGRT_VALUE_TEXT_MAX];
    switch (f->type) {
    case SEGRT_T_STRING: return dict_cell(s, j, o, f->id, (uint32_t)v->v);
    case SEGRT_T_SET:
        dump_cell_set_begin(o);
        for (uint32_t i = 0; i < v->nset; i++) {
            MDB_val item;
            int rc = dict_text(s, j, f->id, row_set_codes(r, v)[i], &item);
            if (rc != SEGRT_OK)
                return rc;
            dump_cell_set_item(o, item.mv_data, item.mv_size);
        }
        dump_cell_set_end(o);
        return SEGRT_OK;
    case SEGRT_T_DATE:
        segrt_value_format(f->type, v->v, text);
        dump_cell_text(o, text, strlen(text));
        return SEGRT_OK;
    case SEGRT_T_TIMESTAMP: time_cell(o, v->v); return SEGRT_OK;
    default: number_cell(o, f->type, v->v); return SEGRT_OK;
    }
}

static int contact_row(segrt_store *s, MDB_txn *txn, dump_job *j, uint32_t ord, char *id,
                       size_t idcap)
{
    MDB_val k = store_ord_key(&ord), v;
    int mrc = mdb_get(txn, s->dbi[DB_CONTACTS], &k, &v);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "reading a contact");
    row r = { 0 };
    int rc = row_decode(&r, v.mv_data, v.mv_size) == 0
           ? SEGRT_OK : store_fail(s, SEGRT_ECORRUPT, "contact %u has a corrupt record", ord);
    dump_out *o = &j->out[SQL_CONTACTS];
    if (rc == SEGRT_OK) {
        snprintf(id, idcap, "%.*s", (int)r.idlen, r.id);
        dump_cell_text(o, r.id, r.idlen);
    }
    for (size_t i = 0; rc == SEGRT_OK && i < s->schema->n; i++) {
        const field_def *f = &s->schema->fields[i];
        const row_value *rv = row_get(&r, f->id);
        if (rv)
            rc = value_cell(s, j, o, f, &r, rv);
        else
            dump_cell_null(o);
    }
    row_free(&r);
    return rc == SEGRT_OK ? dump_cell_row_end(s, o) : rc;
}

static int event_rows(segrt_store *s, MDB_txn *txn, dump_job *j, uint32_t ord, const char *id)
{
    event_list l = { 0 };
    dump_out *o = &j->out[SQL_EVENTS];
    int rc = event_list_read(s, txn, ord, &l);
    for (size_t i = 0; rc == SEGRT_OK && i < l.n; i++) {
        const event_rec *e = &l.recs[i];
        const char *eid, *extra;
        size_t neid, nextra;
        event_var(&l, e, &eid, &neid, &extra, &nextra);
        cstr_cell(o, id);
        time_cell(o, e->ts);
        rc = dict_cell(s, j, o, FIELD_EV_TYPE, e->type);
        number_cell(o, SEGRT_T_NUMBER, e->amount);
        if (rc == SEGRT_OK)
            rc = dict_cell(s, j, o, FIELD_EV_CATEGORY, e->category);
        if (rc == SEGRT_OK)
            rc = dict_cell(s, j, o, FIELD_EV_CHANNEL, e->channel);
        if (nextra)
            dump_cell_text(o, extra, nextra);
        else
            dump_cell_null(o);
        seq_cell(o, i);
        if (rc == SEGRT_OK)
            rc = dump_cell_row_end(s, o);
        j->stats.events++;
    }
    event_list_free(&l);
    return rc;
}

static int consent_rows(segrt_store *s, MDB_txn *txn, dump_job *j, uint32_t ord, const char *id)
{
    consent_list l = { 0 };
    dump_out *o = &j->out[SQL_CONSENTS];
    int rc = consent_list_read(s, txn, ord, &l);
    for (size_t i = 0; rc == SEGRT_OK && i < l.n; i++) {
        const consent_rec *c = &l.recs[i];
        cstr_cell(o, id);
        rc = dict_cell(s, j, o, FIELD_CS_PURPOSE, c->purpose);
        cstr_cell(o, consent_status_name(c->status));
        cstr_cell(o, consent_basis_name(c->basis));
        time_cell(o, c->ts);
        time_cell(o, c->expires);
        if (rc == SEGRT_OK)
            rc = dict_cell(s, j, o, FIELD_CS_SOURCE, c->source);
        seq_cell(o, c->seq);
        if (rc == SEGRT_OK)
            rc = dump_cell_row_end(s, o);
        j->stats.consents++;
    }
    consent_list_free(&l);
    return rc;
}

/* The contacts an evaluation at NOW sees (script_eval.c's load_live). */
static int live_contacts(segrt_store *s, MDB_txn *txn, dump_job *j, bitset *live)
{
    uint64_t next = 0;
    int rc = store_counter_get(s, txn, "next_ord", &next);
    if (rc == SEGRT_OK && bitset_init(live, (uint32_t)next) != 0)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK)
        rc = column_or_bits(s, txn, FIELD_LIVE, 0, live);
    uint64_t before = rc == SEGRT_OK ? bitset_count(live) : 0;
    if (rc == SEGRT_OK)
        rc = restrict_check_remove(s, txn, segrt_store_now(s), live);
    if (rc == SEGRT_OK)
        j->stats.restricted = before - bitset_count(live);
    return rc;
}

static int dump_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    dump_job *j = ud;
    bitset live = { 0 };
    j->txn = txn;
    int rc = live_contacts(s, txn, j, &live);
    for (uint32_t ord = rc == SEGRT_OK ? bitset_next(&live, 0) : 0;
         rc == SEGRT_OK && ord < live.nbits; ord = bitset_next(&live, ord + 1)) {
        char id[1024];
        rc = contact_row(s, txn, j, ord, id, sizeof id);
        if (rc == SEGRT_OK)
            rc = event_rows(s, txn, j, ord, id);
        if (rc == SEGRT_OK)
            rc = consent_rows(s, txn, j, ord, id);
        j->stats.contacts++;
    }
    bitset_free(&live);
    return rc;
}

int segrt_dump(segrt_store *s, segrt_dump_format f, const char *dir, segrt_dump_stats *out)
{
    if (out)
        *out = (segrt_dump_stats){ 0 };
    if (s == NULL || dir == NULL || f < SEGRT_DUMP_CSV || f > SEGRT_DUMP_JSONL)
        return SEGRT_EINVAL;
    dump_job j = { .format = f, .dir = dir };
    const sql_dialect *names = sql_dialect_of(SEGRT_SQL_POSTGRES); /* for the column names */
    int rc = SEGRT_OK;
    for (int t = 0; t < SQL_NTABLES && rc == SEGRT_OK; t++) {
        rc = sql_ddl_columns(s, names, t, &j.cols[t]);
        if (rc == SEGRT_OK)
            rc = dump_cell_open(s, &j.out[t], (int)f, dir, &j.cols[t]);
    }
    if (rc == SEGRT_OK)
        rc = store_read(s, dump_txn, &j);
    for (int t = 0; t < SQL_NTABLES; t++) {
        int crc = dump_cell_close(s, &j.out[t]);
        rc = rc == SEGRT_OK ? crc : rc;
        sql_ddl_columns_free(&j.cols[t]);
    }
    for (size_t i = 0; i < CACHE_FIELDS; i++)
        free(j.cache[i]);
    if (rc == SEGRT_OK && out)
        *out = j.stats;
    return rc;
}
