/*
 * merge.c — merging a group of duplicate contacts into its survivor
 * (merge.h), in the caller's write transaction:
 *
 *  1. the others are kept for the undo record as they are: their field
 *     values in portable form, their timelines and consent histories as
 *     stored, the stored memberships that hold them;
 *  2. the fields the survivor lacks are filled from the others, the first
 *     in the rule's order that has one giving it (a set is taken whole);
 *  3. the others' events join the survivor's timeline as an import adds
 *     events, one other at a time (event_list_merge: k and m identical
 *     events end as max(k, m), so an event two of them hold stays one, and
 *     each one's repeated events stay; an event_id replaces);
 *  4. the others' consent records join its history (an identical one once);
 *     then for each purpose, when one of the group's own records in force at
 *     NOW protects (withdrawn or denied; for "objection", granted) and the
 *     merged history's record in force does not, a copy of the protecting
 *     record is added at NOW with the source "dedupe";
 *  5. the others are removed as an erasure removes them (contact_remove.h);
 *  6. an audit entry "merge", and the undo record under its sequence.
 *
 * Uses: dedupe.h, contact_remove.h, merge_record.h, membership.h, event.h, consent.h,
 * dict.h, audit.h, column.h, row.h, schema.h, proj_update.h, value.h, array.h.
 */
#include "dedupe/merge.h"

#include "store/audit.h"
#include "store/column.h"
#include "store/consent.h"
#include "store/contact_remove.h"
#include "store/dict.h"
#include "store/membership.h"
#include "store/proj_update.h"
#include "dedupe/merge_record.h"
#include "dedupe/pval.h"
#include "store/row.h"
#include "store/schema.h"
#include "util/array.h"
#include "util/value.h"

#include <stdio.h>
#include <string.h>

typedef struct gone {
    uint32_t ord;
    const char *id;
    row r;
    buf values, events, consents, held; /* as the undo record keeps them */
    consent_list css;                        /* its own history */
} gone;

typedef struct merging {
    segrt_store *s;
    MDB_txn *txn;
    const dedupe_group *g;
    row surv;
    gone *gone;
    size_t ngone;
    column_cache *cc;
    contact_remove_strings *strings; /* the merged-away rows' strings, for the caller's sweep */
    buf filled_body, filled;
    uint32_t nfilled;
    event_list evs, own, added, replaced; /* merged timeline, the survivor's, the differences */
    buf added_enc, replaced_enc;
    consent_list css;   /* the survivor's history; its own records are the first own_cs */
    size_t own_cs;
    uint32_t *seqs; /* consent records added to it */
    size_t nseqs, seqs_cap;
    uint64_t protective;
    buf scratch;
} merging;

static int oom(segrt_store *s)
{
    return store_fail(s, SEGRT_ENOMEM, "out of memory merging contacts");
}

/* The stored value of ord in db, copied to out (empty when there is none). */
static int copy_value(segrt_store *s, MDB_txn *txn, enum store_db db, uint32_t ord, buf *out)
{
    MDB_val k = store_ord_key(&ord), v;
    out->len = 0;
    int rc = store_get(s, txn, db, &k, &v, "reading a contact's history");
    if (rc != SEGRT_OK)
        return rc == SEGRT_ENOTFOUND ? SEGRT_OK : rc;
    return buf_put(out, v.mv_data, v.mv_size) ? oom(s) : SEGRT_OK;
}

static int put_value(segrt_store *s, MDB_txn *txn, enum store_db db, uint32_t ord,
                     const buf *b)
{
    MDB_val k = store_ord_key(&ord), v = { b->len, b->p };
    int mrc = mdb_put(txn, s->dbi[db], &k, &v, 0);
    return mrc == 0 ? SEGRT_OK : store_mdb_fail(s, mrc, "writing a merged contact");
}

int merge_count_events(segrt_store *s, MDB_txn *txn, const event_list *l, int sign)
{
    int rc = store_counter_add(s, txn, "events", sign * (int64_t)l->n);
    for (size_t i = 0; i < l->n && rc == SEGRT_OK; i++) {
        char name[32];
        snprintf(name, sizeof name, "evtype:%u", l->recs[i].type);
        rc = store_counter_add(s, txn, name, sign);
    }
    return rc;
}

/* 1. What the undo record keeps of one of the others. */
static int keep_gone(merging *m, gone *o)
{
    segrt_store *s = m->s;
    uint32_t count = 0;
    int rc = store_row_get(s, m->txn, o->ord, &o->r);
    m->scratch.len = 0;
    for (size_t i = 0; i < o->r.n && rc == SEGRT_OK; i++)
        rc = pval_append(s, m->txn, &o->r, &o->r.vals[i], &m->scratch, &count);
    if (rc == SEGRT_OK && pval_finish(&m->scratch, count, &o->values) != 0)
        rc = oom(s);
    if (rc == SEGRT_OK)
        rc = copy_value(s, m->txn, DB_EVENTS, o->ord, &o->events);
    if (rc == SEGRT_OK)
        rc = copy_value(s, m->txn, DB_CONSENTS, o->ord, &o->consents);
    if (rc == SEGRT_OK && o->consents.len)
        rc = store_decoded(s, consent_list_decode(&o->css, o->consents.p, o->consents.len),
                           "consents", o->ord);
    return rc == SEGRT_OK ? membership_held(s, m->txn, o->ord, &o->held) : rc;
}

/* 2. Give the survivor value v of row r (one of the others'), which it lacks. */
static int fill_value(merging *m, const row *r, const row_value *v)
{
    segrt_store *s = m->s;
    uint32_t ord = m->g->ord[0];
    const field_def *f = schema_by_id(s->schema, v->field);
    int rc = SEGRT_OK;
    if (f == NULL)
        return store_fail(s, SEGRT_ECORRUPT, "a contact has a value of unknown field %u",
                          v->field);
    if (f->type == SEGRT_T_SET) {
        for (uint32_t k = 0; k < v->nset && rc == SEGRT_OK; k++)
            rc = column_set_bit(s, m->txn, m->cc, f->id, row_set_codes(r, v)[k], ord, 1);
    } else if (f->type == SEGRT_T_STRING) {
        rc = column_set_code(s, m->txn, m->cc, f->id, ord, (uint32_t)v->v);
    } else {
        rc = column_set_i64(s, m->txn, m->cc, f->id, ord, v->v);
    }
    if (rc == SEGRT_OK && row_set(&m->surv, f->id, v->v, v->is_set ? row_set_codes(r, v) : NULL,
                                  v->nset, v->is_set) != 0)
        rc = oom(s);
    return rc == SEGRT_OK ? pval_append(s, m->txn, r, v, &m->filled_body, &m->nfilled) : rc;
}

static int fill(merging *m)
{
    int rc = SEGRT_OK;
    for (size_t i = 0; i < m->ngone && rc == SEGRT_OK; i++) {
        const row *r = &m->gone[i].r;
        for (size_t k = 0; k < r->n && rc == SEGRT_OK; k++) {
            if (row_get(&m->surv, r->vals[k].field) == NULL)
                rc = fill_value(m, r, &r->vals[k]);
        }
    }
    if (rc == SEGRT_OK && pval_finish(&m->filled_body, m->nfilled, &m->filled) != 0)
        rc = oom(m->s);
    return rc;
}

/* Decode a stored timeline, appending to l. */
static int decode_events(merging *m, const buf *b, uint32_t ord, event_list *l)
{
    return store_decoded(m->s, b->len ? event_list_decode(l, b->p, b->len) : 0, "events", ord);
}

/* An event list as a blob of the undo record (empty when it has none). */
static int encode_events(merging *m, const event_list *l, buf *out)
{
    out->len = 0;
    return l->n && event_list_encode(l, out) != 0 ? oom(m->s) : SEGRT_OK;
}

/* 3. The others' events join the survivor's timeline. */
static int move_events(merging *m)
{
    uint32_t ord = m->g->ord[0];
    int rc = copy_value(m->s, m->txn, DB_EVENTS, ord, &m->scratch);
    if (rc == SEGRT_OK)
        rc = decode_events(m, &m->scratch, ord, &m->own);
    if (rc == SEGRT_OK)
        rc = decode_events(m, &m->scratch, ord, &m->evs);
    /* One at a time: the same event held by two of the group stays one event. */
    for (size_t i = 0; i < m->ngone && rc == SEGRT_OK; i++) {
        size_t held = m->evs.n;
        rc = decode_events(m, &m->gone[i].events, m->gone[i].ord, &m->evs);
        if (rc == SEGRT_OK && event_list_merge(&m->evs, held) != 0)
            rc = oom(m->s);
    }
    if (rc == SEGRT_OK && (event_list_minus(&m->evs, &m->own, &m->added) != 0 ||
                           event_list_minus(&m->own, &m->evs, &m->replaced) != 0))
        rc = oom(m->s);
    if (rc != SEGRT_OK || (m->added.n == 0 && m->replaced.n == 0))
        return rc;
    rc = merge_count_events(m->s, m->txn, &m->added, 1);
    if (rc == SEGRT_OK)
        rc = merge_count_events(m->s, m->txn, &m->replaced, -1);
    if (rc == SEGRT_OK)
        rc = event_list_encode(&m->evs, &m->scratch) != 0 ? oom(m->s) : SEGRT_OK;
    if (rc == SEGRT_OK)
        rc = proj_update_touch(m->s, m->txn, ord);
    if (rc == SEGRT_OK)
        rc = put_value(m->s, m->txn, DB_EVENTS, ord, &m->scratch);
    if (rc == SEGRT_OK)
        rc = encode_events(m, &m->added, &m->added_enc);
    return rc == SEGRT_OK ? encode_events(m, &m->replaced, &m->replaced_enc) : rc;
}

/* Add rec to the survivor's history unless it holds an identical one. */
static int add_consent(merging *m, const consent_rec *rec)
{
    int added;
    if (consent_list_add(&m->css, rec, &added) != 0)
        return oom(m->s);
    if (!added)
        return SEGRT_OK;
    if (ARRAY_RESERVE(m->seqs, m->seqs_cap, m->nseqs + 1) != 0)
        return oom(m->s);
    m->seqs[m->nseqs++] = m->css.recs[m->css.n - 1].seq;
    return SEGRT_OK;
}

/* Whether a record in force protects the person: a refusal, or a standing objection. */
static int protects(const consent_rec *r, uint32_t objection)
{
    return r->purpose == objection && objection ? r->status == CS_GRANTED
                                                : r->status != CS_GRANTED;
}

/* The group's own record in force for purpose that protects, the latest; NULL when none. */
static const consent_rec *protecting(const merging *m, uint32_t purpose, uint32_t objection)
{
    const consent_list own = { .recs = m->css.recs, .n = m->own_cs };
    const consent_rec *best = NULL;
    for (size_t i = 0; i <= m->ngone; i++) {
        const consent_rec *r = consent_in_force(i == 0 ? &own : &m->gone[i - 1].css, purpose, m->s->now);
        if (r && protects(r, objection) && (best == NULL || r->ts > best->ts))
            best = r;
    }
    return best;
}

/* 4b. Keep the most protective state in force for every purpose. */
static int keep_protective(merging *m)
{
    segrt_store *s = m->s;
    uint32_t objection = 0, source = 0;
    int rc = dict_find(s, m->txn, FIELD_CS_PURPOSE, "objection", 9, &objection);
    for (size_t i = 0; i < m->css.n && rc == SEGRT_OK; i++) {
        uint32_t purpose = m->css.recs[i].purpose;
        size_t first = 0;
        while (m->css.recs[first].purpose != purpose)
            first++;
        if (first < i)
            continue; /* done already */
        const consent_rec *p = protecting(m, purpose, objection);
        const consent_rec *now = consent_in_force(&m->css, purpose, s->now);
        if (p == NULL || (now && protects(now, objection)))
            continue;
        consent_rec copy = *p;
        copy.ts = s->now;
        if (copy.status != CS_GRANTED)
            copy.expires = VALUE_MISSING; /* a refusal does not lapse */
        if (source == 0) {
            dict_map *d = NULL;
            rc = dict_map_load(s, m->txn, FIELD_CS_SOURCE, &d);
            if (rc == SEGRT_OK)
                rc = dict_intern(s, m->txn, d, MERGE_CONSENT_SOURCE,
                                 strlen(MERGE_CONSENT_SOURCE), &source);
            dict_map_free(d);
        }
        copy.source = source;
        size_t before = m->nseqs;
        if (rc == SEGRT_OK)
            rc = add_consent(m, &copy);
        m->protective += m->nseqs > before;
    }
    return rc;
}

/* 4. The others' consent records join the survivor's history. */
static int move_consents(merging *m)
{
    uint32_t ord = m->g->ord[0];
    int rc = consent_list_read(m->s, m->txn, ord, &m->css);
    m->own_cs = m->css.n;
    for (size_t i = 0; i < m->ngone && rc == SEGRT_OK; i++) {
        const consent_list *l = &m->gone[i].css;
        for (size_t k = 0; k < l->n && rc == SEGRT_OK; k++)
            rc = add_consent(m, &l->recs[k]);
    }
    if (rc == SEGRT_OK)
        rc = keep_protective(m);
    if (rc != SEGRT_OK || m->nseqs == 0)
        return rc;
    rc = consent_list_encode(&m->css, &m->scratch) != 0 ? oom(m->s) : SEGRT_OK;
    if (rc == SEGRT_OK)
        rc = put_value(m->s, m->txn, DB_CONSENTS, ord, &m->scratch);
    if (rc == SEGRT_OK)
        rc = store_counter_add(m->s, m->txn, "consents", (int64_t)m->nseqs);
    return rc;
}

/* 6. The audit entry (ordinals and counts only) and the undo record under its sequence. */
static int record(merging *m, int by, const char *actor, uint64_t *merge_id)
{
    segrt_store *s = m->s;
    buf detail = { 0 }, enc = { 0 };
    merge_gone *kept = calloc(m->ngone, sizeof *kept);
    int rc = kept ? SEGRT_OK : oom(s);
    if (rc == SEGRT_OK && buf_printf(&detail, "merged %zu contact%s into this one (", m->ngone,
                                     m->ngone == 1 ? "" : "s"))
        rc = oom(s);
    for (size_t i = 0; i < m->ngone && rc == SEGRT_OK; i++) {
        rc = buf_printf(&detail, "%scontact#%u", i ? ", " : "", m->gone[i].ord) ? oom(s)
                                                                                 : SEGRT_OK;
        const gone *o = &m->gone[i];
        kept[i] = (merge_gone){ o->ord, { (const unsigned char *)o->id, strlen(o->id) },
                                { o->values.p, o->values.len }, { o->events.p, o->events.len },
                                { o->consents.p, o->consents.len }, { o->held.p, o->held.len } };
    }
    if (rc == SEGRT_OK &&
        (buf_printf(&detail, ") by %s: %zu events, %zu consent records (%llu protective), %u fields",
                    dedupe_by_name(by), m->added.n, m->nseqs, (unsigned long long)m->protective,
                    m->nfilled) ||
         buf_put(&detail, "", 1)))
        rc = oom(s);
    if (rc == SEGRT_OK)
        rc = audit_append_seq(s, m->txn, actor, "merge", m->g->ord[0], (const char *)detail.p,
                              merge_id);
    merge_record r = { by, m->g->ord[0], s->now, { m->filled.p, m->filled.len },
                       { m->added_enc.p, m->added_enc.len },
                       { m->replaced_enc.p, m->replaced_enc.len }, m->seqs, m->nseqs,
                       kept, m->ngone };
    if (rc == SEGRT_OK && merge_record_encode(&r, &enc) != 0)
        rc = oom(s);
    if (rc == SEGRT_OK) {
        MDB_val k = { sizeof *merge_id, merge_id }, v = { enc.len, enc.p };
        int mrc = mdb_put(m->txn, s->dbi[DB_MERGES], &k, &v, MDB_NOOVERWRITE);
        if (mrc != 0)
            rc = store_mdb_fail(s, mrc, "keeping what undoes a merge");
    }
    free(kept);
    buf_free(&detail);
    buf_free(&enc);
    return rc;
}

static int merge_in(merging *m, int by, const char *actor, uint64_t *merge_id)
{
    segrt_store *s = m->s;
    const dedupe_group *g = m->g;
    int rc = store_row_get(s, m->txn, g->ord[0], &m->surv);
    m->surv.id = g->ids[0]; /* stable, unlike the map's bytes once the txn writes */
    m->surv.idlen = strlen(g->ids[0]);
    for (size_t i = 0; i < m->ngone && rc == SEGRT_OK; i++) {
        m->gone[i].ord = g->ord[i + 1];
        m->gone[i].id = g->ids[i + 1];
        rc = keep_gone(m, &m->gone[i]);
    }
    if (rc == SEGRT_OK)
        rc = fill(m);
    if (rc == SEGRT_OK)
        rc = move_events(m);
    if (rc == SEGRT_OK)
        rc = move_consents(m);
    if (rc == SEGRT_OK && row_encode(&m->surv, &m->scratch) != 0)
        rc = oom(s);
    if (rc == SEGRT_OK)
        rc = put_value(s, m->txn, DB_CONTACTS, g->ord[0], &m->scratch);
    /* Through the same cache: the survivor's new values count as uses of their strings. */
    for (size_t i = 0; i < m->ngone && rc == SEGRT_OK; i++) {
        contact_remove_counts n;
        rc = contact_remove(s, m->txn, m->cc, m->gone[i].ord, m->gone[i].id,
                            strlen(m->gone[i].id), &m->gone[i].r, m->strings, &n);
    }
    return rc == SEGRT_OK ? record(m, by, actor, merge_id) : rc;
}

int merge_group(segrt_store *s, MDB_txn *txn, column_cache *cc, contact_remove_strings *strings,
                const dedupe_group *g, int by, const char *actor, uint64_t *merge_id)
{
    merging m = { .s = s, .txn = txn, .g = g, .ngone = g->n - 1, .cc = cc, .strings = strings };
    m.gone = calloc(m.ngone, sizeof *m.gone);
    int rc = m.gone ? merge_in(&m, by, actor, merge_id) : oom(s);
    for (size_t i = 0; m.gone && i < m.ngone; i++) {
        gone *o = &m.gone[i];
        row_free(&o->r);
        buf_free(&o->values);
        buf_free(&o->events);
        buf_free(&o->consents);
        buf_free(&o->held);
        consent_list_free(&o->css);
    }
    free(m.gone);
    row_free(&m.surv);
    buf_free(&m.filled_body);
    buf_free(&m.filled);
    event_list_free(&m.evs);
    event_list_free(&m.own);
    event_list_free(&m.added);
    event_list_free(&m.replaced);
    buf_free(&m.added_enc);
    buf_free(&m.replaced_enc);
    consent_list_free(&m.css);
    free(m.seqs);
    buf_free(&m.scratch);
    return rc;
}
