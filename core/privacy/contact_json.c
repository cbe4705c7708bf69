/*
 * contact_json.c — one contact's fields, timeline and consent history as
 * JSON (contact_json.h), with what the undo records of merges into it keep
 * of the merged contacts, and segrt_contact_export().
 *
 * Uses: row.h, event.h, consent.h, dict.h, schema.h, value.h, membership.h, restrict_check.h,
 * merge.h, merge_record.h, audit.h.
 */
#include "privacy/contact_json.h"

#include "store/audit.h"
#include "store/consent.h"
#include "store/dict.h"
#include "store/event.h"
#include "store/membership.h"
#include "dedupe/merge.h"
#include "dedupe/merge_record.h"
#include "dedupe/pval.h"
#include "store/row.h"
#include "privacy/restrict_check.h"
#include "store/schema.h"
#include "util/value.h"

#include <stdlib.h>
#include <string.h>

/* A dictionary string as a JSON string, or JSON null for code 0. */
static json_t *dict_json(segrt_store *s, MDB_txn *txn, uint16_t field, uint32_t code)
{
    MDB_val v;
    if (code == 0 || dict_string(s, txn, field, code, &v) != SEGRT_OK)
        return json_null();
    return json_stringn(v.mv_data, v.mv_size);
}

static json_t *number_json(int64_t micros)
{
    if (micros % VALUE_NUMBER_SCALE == 0)
        return json_integer(micros / VALUE_NUMBER_SCALE);
    return json_real((double)micros / VALUE_NUMBER_SCALE);
}

static json_t *time_json(int64_t secs)
{
    char t[24];
    return json_string(secs == VALUE_MISSING ? "" : (value_format_timestamp(secs, t), t));
}

/* A value of a field of type t that is neither a string nor a set. */
static json_t *scalar_json(segrt_type t, int64_t v)
{
    char text[24];
    switch (t) {
    case SEGRT_T_INTEGER: return json_integer(v);
    case SEGRT_T_NUMBER: return number_json(v);
    case SEGRT_T_BOOLEAN: return json_boolean(v);
    case SEGRT_T_DATE: value_format_date(v, text); return json_string(text);
    case SEGRT_T_TIMESTAMP: return time_json(v);
    default: return json_null();
    }
}

static json_t *value_json(segrt_store *s, MDB_txn *txn, const field_def *f, const row *r,
                          const row_value *v)
{
    if (f->type == SEGRT_T_STRING)
        return dict_json(s, txn, f->id, (uint32_t)v->v);
    if (f->type != SEGRT_T_SET)
        return scalar_json(f->type, v->v);
    json_t *arr = json_array();
    for (uint32_t i = 0; arr && i < v->nset; i++)
        json_array_append_new(arr, dict_json(s, txn, f->id, row_set_codes(r, v)[i]));
    return arr;
}

int contact_json_fields(segrt_store *s, MDB_txn *txn, uint32_t ord, json_t *obj)
{
    MDB_val k = store_ord_key(&ord), v;
    int mrc = mdb_get(txn, s->dbi[DB_CONTACTS], &k, &v);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "reading a contact");
    row r = { 0 };
    if (row_decode(&r, v.mv_data, v.mv_size) != 0) {
        row_free(&r);
        return store_fail(s, SEGRT_ECORRUPT, "contact %u has a corrupt record", ord);
    }
    json_object_set_new(obj, "id", json_stringn(r.id, r.idlen));
    for (size_t i = 0; i < s->schema->n; i++) { /* declaration order */
        const field_def *f = &s->schema->fields[i];
        const row_value *rv = row_get(&r, f->id);
        if (rv)
            json_object_set_new(obj, f->name, value_json(s, txn, f, &r, rv));
    }
    row_free(&r);
    return SEGRT_OK;
}

/* The events of a timeline, appended to arr. */
static void events_json(segrt_store *s, MDB_txn *txn, const event_list *l, json_t *arr)
{
    for (size_t i = 0; i < l->n; i++) {
        const event_rec *r = &l->recs[i];
        json_t *e = json_object();
        json_object_set_new(e, "ts", time_json(r->ts));
        json_object_set_new(e, "type", dict_json(s, txn, FIELD_EV_TYPE, r->type));
        if (r->amount != VALUE_MISSING)
            json_object_set_new(e, "amount", number_json(r->amount));
        if (r->category)
            json_object_set_new(e, "category", dict_json(s, txn, FIELD_EV_CATEGORY, r->category));
        if (r->channel)
            json_object_set_new(e, "channel", dict_json(s, txn, FIELD_EV_CHANNEL, r->channel));
        const char *eid, *extra;
        size_t neid, nextra;
        event_var(l, r, &eid, &neid, &extra, &nextra);
        if (neid)
            json_object_set_new(e, "event_id", json_stringn(eid, neid));
        json_t *x = nextra ? json_loadb(extra, nextra, 0, NULL) : NULL;
        if (x)
            json_object_update_missing(e, x);
        json_decref(x);
        json_array_append_new(arr, e);
    }
}

/* The records of a consent history, appended to arr, in_force at s->now. */
static void history_json(segrt_store *s, MDB_txn *txn, const consent_list *l, json_t *arr)
{
    for (size_t i = 0; i < l->n; i++) {
        const consent_rec *r = &l->recs[i];
        json_t *c = json_object();
        const char *basis = consent_basis_name(r->basis);
        json_object_set_new(c, "purpose", dict_json(s, txn, FIELD_CS_PURPOSE, r->purpose));
        json_object_set_new(c, "status", json_string(consent_status_name(r->status)));
        json_object_set_new(c, "legal_basis", basis ? json_string(basis) : json_null());
        json_object_set_new(c, "ts", time_json(r->ts));
        json_object_set_new(c, "expires_at",
                            r->expires == VALUE_MISSING ? json_null() : time_json(r->expires));
        json_object_set_new(c, "source", dict_json(s, txn, FIELD_CS_SOURCE, r->source));
        json_object_set_new(c, "in_force",
                            json_boolean(consent_in_force(l, r->purpose, s->now) == r));
        json_array_append_new(arr, c);
    }
}


/* One stored segment the contact is a member of: its name and the NOW of its last run. */
static int segment_json(void *ud, const char *name, const char *purpose, uint64_t run,
                        int64_t now)
{
    json_t *seg = json_object();
    (void)run;
    if (seg == NULL || json_object_set_new(seg, "name", json_string(name)) != 0 ||
        json_object_set_new(seg, "purpose", purpose ? json_string(purpose) : json_null()) != 0 ||
        json_object_set_new(seg, "as_of", time_json(now)) != 0) {
        json_decref(seg);
        return SEGRT_ENOMEM;
    }
    return json_array_append_new(ud, seg) == 0 ? SEGRT_OK : SEGRT_ENOMEM;
}

/* ------------------------------------------------------------ merged contacts */

/* Portable field values (merge_record.h) into obj, after its "id". */
static int pvals_json(segrt_store *s, buf_view values, json_t *obj)
{
    pval_iter it;
    pval v;
    int got = pval_iter_init(&it, values) == 0 ? 0 : -1;
    while (got == 0 && (got = pval_next(&it, &v)) == 1) {
        const field_def *f = schema_by_id(s->schema, v.field);
        json_t *j;
        if (f == NULL)
            break;
        if (v.type == SEGRT_T_STRING) {
            j = json_stringn((const char *)v.p, v.n);
        } else if (v.type == SEGRT_T_SET) {
            const unsigned char *p = v.p, *end = v.p + v.n;
            j = json_array();
            for (uint32_t i = 0; j && i < v.nitems; i++) {
                buf_view item = pval_item(&p, end);
                json_array_append_new(j, json_stringn((const char *)item.p, item.n));
            }
        } else {
            j = scalar_json(v.type, v.v);
        }
        json_object_set_new(obj, f->name, j);
        got = 0;
    }
    return got == 0 ? SEGRT_OK : store_fail(s, SEGRT_ECORRUPT, "merged values are corrupt");
}

/* A merged contact the store keeps to undo its merge, as an export object. */
static int gone_json(segrt_store *s, MDB_txn *txn, const merge_gone *g, json_t *arr)
{
    json_t *obj = json_object(), *contact = json_object(), *events = json_array(),
           *consents = json_array();
    event_list evs = { 0 };
    consent_list css = { 0 };
    int rc = obj && contact && events && consents ? SEGRT_OK : SEGRT_ENOMEM;
    if (rc == SEGRT_OK)
        json_object_set_new(contact, "id", json_stringn((const char *)g->id.p, g->id.n));
    if (rc == SEGRT_OK)
        rc = pvals_json(s, g->values, contact);
    if (rc == SEGRT_OK && g->events.n)
        rc = store_decoded(s, event_list_decode(&evs, g->events.p, g->events.n), "events", g->ord);
    if (rc == SEGRT_OK && g->consents.n)
        rc = store_decoded(s, consent_list_decode(&css, g->consents.p, g->consents.n), "consents",
                           g->ord);
    if (rc == SEGRT_OK) {
        events_json(s, txn, &evs, events);
        history_json(s, txn, &css, consents);
    }
    event_list_free(&evs);
    consent_list_free(&css);
    json_object_set_new(obj, "contact", contact);
    json_object_set_new(obj, "events", events);
    json_object_set_new(obj, "consents", consents);
    if (rc == SEGRT_OK && json_array_append_new(arr, obj) == 0)
        return SEGRT_OK;
    json_decref(obj);
    return rc == SEGRT_OK ? SEGRT_ENOMEM : rc;
}

struct merged_args {
    segrt_store *s;
    MDB_txn *txn;
    json_t *arr;
};

/* One merge into the contact: what it kept of the merged contacts (Art. 15: it is held). */
static int merge_json(void *ud, uint64_t id, const merge_record *r)
{
    struct merged_args *a = ud;
    json_t *m = json_object(), *contacts = json_array();
    int rc = m && contacts ? SEGRT_OK : SEGRT_ENOMEM;
    for (size_t i = 0; i < r->ngone && rc == SEGRT_OK; i++)
        rc = gone_json(a->s, a->txn, &r->gone[i], contacts);
    json_object_set_new(m, "merge", json_integer((json_int_t)id));
    json_object_set_new(m, "merged_at", time_json(r->now));
    json_object_set_new(m, "by", json_string(dedupe_by_name(r->by)));
    json_object_set_new(m, "contacts", contacts);
    if (rc == SEGRT_OK && json_array_append_new(a->arr, m) == 0)
        return SEGRT_OK;
    json_decref(m);
    return rc == SEGRT_OK ? SEGRT_ENOMEM : rc;
}

/* Art. 18: when the contact is restricted at NOW, "restricted": { since, reason } in obj. */
static int restricted_json(segrt_store *s, MDB_txn *txn, uint32_t ord, json_t *obj)
{
    int64_t since;
    uint32_t source = 0;
    int r = restrict_check_one(s, txn, segrt_store_now(s), ord, &since, &source);
    if (r <= 0)
        return r;
    json_t *v = json_pack("{s:o, s:o}", "since", time_json(since), "reason",
                          dict_json(s, txn, FIELD_CS_SOURCE, source));
    return v && json_object_set_new(obj, "restricted", v) == 0 ? SEGRT_OK : SEGRT_ENOMEM;
}

int contact_json(segrt_store *s, MDB_txn *txn, uint32_t ord, json_t **out)
{
    json_t *obj = json_object(), *contact = json_object(), *events = json_array(),
           *consents = json_array(), *segments = json_array();
    event_list evs = { 0 };
    consent_list css = { 0 };
    *out = NULL;
    int rc = obj && contact && events && consents && segments ? SEGRT_OK : SEGRT_ENOMEM;
    if (rc == SEGRT_OK)
        rc = contact_json_fields(s, txn, ord, contact);
    if (rc == SEGRT_OK)
        rc = event_list_read(s, txn, ord, &evs);
    if (rc == SEGRT_OK)
        rc = consent_list_read(s, txn, ord, &css);
    if (rc == SEGRT_OK) {
        events_json(s, txn, &evs, events);
        history_json(s, txn, &css, consents);
    }
    event_list_free(&evs);
    consent_list_free(&css);
    if (rc == SEGRT_OK)
        rc = membership_of_foreach(s, txn, ord, segment_json, segments);
    if (rc == SEGRT_OK)
        rc = restricted_json(s, txn, ord, obj);
    struct merged_args ma = { s, txn, json_array() };
    if (rc == SEGRT_OK)
        rc = ma.arr ? merge_store_foreach_into(s, txn, ord, merge_json, &ma) : SEGRT_ENOMEM;
    json_object_set_new(obj, "contact", contact);
    json_object_set_new(obj, "events", events);
    json_object_set_new(obj, "consents", consents);
    json_object_set_new(obj, "segments", segments);
    if (ma.arr && json_array_size(ma.arr)) /* only a contact that merges went into has it */
        json_object_set(obj, "merged", ma.arr);
    json_decref(ma.arr);
    if (rc != SEGRT_OK) {
        json_decref(obj);
        return rc == SEGRT_ENOMEM ? store_fail(s, rc, "out of memory") : rc;
    }
    *out = obj;
    return SEGRT_OK;
}

struct export_args {
    const char *id, *actor;
    char *json;
};

static int export_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    struct export_args *a = ud;
    uint32_t ord;
    json_t *obj = NULL;
    free(a->json);
    a->json = NULL;
    int rc = store_ord_of(s, txn, a->id, &ord);
    if (rc == SEGRT_OK)
        rc = contact_json(s, txn, ord, &obj);
    if (rc == SEGRT_OK)
        rc = audit_append(s, txn, a->actor, "export", ord, "access request (Art. 15)");
    if (rc == SEGRT_OK) {
        a->json = json_dumps(obj, CONTACT_JSON_FLAGS | JSON_INDENT(2));
        if (a->json == NULL)
            rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    }
    json_decref(obj);
    return rc;
}

int segrt_contact_export(segrt_store *s, const char *id, const char *actor, char **json)
{
    struct export_args a = { id, actor, NULL };
    int rc = store_write(s, export_txn, &a);
    if (rc != SEGRT_OK) {
        free(a.json);
        a.json = NULL;
    }
    *json = a.json;
    return rc;
}
