/*
 * merge_undo.c — segrt_dedupe_undo(): undoing a merge from its undo record
 * (merge_record.h), in one write transaction.
 *
 * The survivor loses what the merge gave it: the events it added (and gets
 * back those they replaced), the consent records it added, and the fields it
 * filled that still hold the filled value. The merged contacts come back
 * under their own ordinals with their own fields, timelines, consent
 * histories and stored memberships. Then the projections of the changed
 * timelines and the id order are brought up to date, the record goes and an
 * audit entry "unmerge" is appended.
 *
 * Uses: merge.h, merge_record.h, membership.h, event.h, consent.h, column.h,
 * audit.h, proj_update.h, id_order.h, row.h, schema.h.
 */
#include "dedupe/merge.h"

#include "store/audit.h"
#include "store/column.h"
#include "store/consent.h"
#include "store/id_order.h"
#include "store/membership.h"
#include "dedupe/merge_record.h"
#include "dedupe/pval.h"
#include "store/proj_update.h"
#include "store/row.h"
#include "store/schema.h"

#include <stdlib.h>
#include <string.h>

typedef struct undo {
    segrt_store *s;
    MDB_txn *txn;
    uint64_t merge;
    merge_record r;
    column_cache *cc;
    pval_dicts dicts;
    buf scratch;
} undo;

static int oom(segrt_store *s)
{
    return store_fail(s, SEGRT_ENOMEM, "out of memory undoing a merge");
}

static int corrupt(undo *u)
{
    return store_fail(u->s, SEGRT_ECORRUPT, "the undo record of merge %llu is corrupt",
                      (unsigned long long)u->merge);
}

/* Why merge has no undo record: never a merge, or undone or erased since. */
static int explain_missing(segrt_store *s, MDB_txn *txn, uint64_t merge)
{
    segrt_audit_entry e;
    int rc = audit_get(s, txn, merge, &e);
    if (rc == SEGRT_ENOTFOUND)
        return store_fail(s, SEGRT_ENOTFOUND, "no merge %llu: the audit log has no entry %llu",
                          (unsigned long long)merge, (unsigned long long)merge);
    if (rc != SEGRT_OK)
        return rc;
    if (strcmp(e.action, "merge") != 0)
        return store_fail(s, SEGRT_ENOTFOUND, "audit entry %llu is '%s', not a merge",
                          (unsigned long long)merge, e.action);
    return store_fail(s, SEGRT_ENOTFOUND,
                      "merge %llu cannot be undone: it was undone already, or contact#%u, into "
                      "which it merged, was erased (see segrt audit)",
                      (unsigned long long)merge, e.ordinal);
}

/* The survivor is there and no merged contact is back. */
static int check_undoable(undo *u)
{
    segrt_store *s = u->s;
    row r = { 0 };
    int rc = store_row_get(s, u->txn, u->r.survivor, &r);
    row_free(&r);
    if (rc == SEGRT_ENOTFOUND) {
        uint64_t later;
        uint32_t into;
        rc = merge_store_holding(s, u->txn, NULL, u->r.survivor, &later, &into);
        if (rc == SEGRT_OK && later)
            return store_fail(s, SEGRT_EINVAL,
                              "contact#%u, into which merge %llu merged, was merged itself by "
                              "merge %llu: undo that first", u->r.survivor,
                              (unsigned long long)u->merge, (unsigned long long)later);
        return rc == SEGRT_OK ? corrupt(u) : rc;
    }
    for (size_t i = 0; i < u->r.ngone && rc == SEGRT_OK; i++) {
        const merge_gone *g = &u->r.gone[i];
        MDB_val k = { g->id.n, (void *)g->id.p }, v;
        uint32_t ord = g->ord;
        MDB_val ok = store_ord_key(&ord);
        int mrc = g->id.n && g->id.n <= 511 ? mdb_get(u->txn, s->dbi[DB_IDS], &k, &v)
                                            : MDB_NOTFOUND;
        if (mrc == 0)
            return store_fail(s, SEGRT_EINVAL,
                              "contact '%.*s', which merge %llu merged, exists again (imported "
                              "since): erase or merge it before undoing", (int)g->id.n,
                              (const char *)g->id.p, (unsigned long long)u->merge);
        if (mrc == MDB_NOTFOUND)
            mrc = mdb_get(u->txn, s->dbi[DB_CONTACTS], &ok, &v);
        if (mrc == 0)
            return corrupt(u); /* ordinals are never given twice */
        if (mrc != MDB_NOTFOUND)
            rc = store_mdb_fail(s, mrc, "checking a merged contact");
    }
    return rc;
}

/* Decode a timeline blob, appending to l. */
static int decode_events(undo *u, const void *p, size_t n, event_list *l)
{
    int drc = n ? event_list_decode(l, p, n) : 0;
    return drc == 0 ? SEGRT_OK : drc == -2 ? oom(u->s) : corrupt(u);
}

/* Write (or with empty, delete) the value of ord in db; a timeline is noted for the projections. */
static int put_or_del(undo *u, enum store_db db, uint32_t ord, const buf *b, int empty)
{
    MDB_val k = store_ord_key(&ord), v = { b->len, b->p };
    int rc = db == DB_EVENTS ? proj_update_touch(u->s, u->txn, ord) : SEGRT_OK;
    if (rc != SEGRT_OK)
        return rc;
    int mrc = empty ? mdb_del(u->txn, u->s->dbi[db], &k, NULL)
                    : mdb_put(u->txn, u->s->dbi[db], &k, &v, 0);
    if (mrc != 0 && !(empty && mrc == MDB_NOTFOUND))
        return store_mdb_fail(u->s, mrc, "undoing a merge");
    return SEGRT_OK;
}

/* The survivor's timeline without the events the merge added, with those they replaced. */
static int survivor_events(undo *u)
{
    uint32_t ord = u->r.survivor;
    event_list cur = { 0 }, added = { 0 }, rest = { 0 }, gone = { 0 }, back = { 0 };
    int rc = event_list_read(u->s, u->txn, ord, &cur);
    if (rc == SEGRT_OK)
        rc = decode_events(u, u->r.added.p, u->r.added.n, &added);
    if (rc == SEGRT_OK && event_list_minus(&cur, &added, &rest) != 0)
        rc = oom(u->s);
    size_t kept = rest.n;
    if (rc == SEGRT_OK)
        rc = decode_events(u, u->r.replaced.p, u->r.replaced.n, &rest);
    if (rc == SEGRT_OK && (event_list_merge(&rest, kept) != 0 || event_list_minus(&cur, &rest, &gone) ||
                           event_list_minus(&rest, &cur, &back)))
        rc = oom(u->s);
    if (rc == SEGRT_OK && (gone.n || back.n)) {
        rc = merge_count_events(u->s, u->txn, &gone, -1);
        if (rc == SEGRT_OK)
            rc = merge_count_events(u->s, u->txn, &back, 1);
        if (rc == SEGRT_OK && event_list_encode(&rest, &u->scratch) != 0)
            rc = oom(u->s);
        if (rc == SEGRT_OK)
            rc = put_or_del(u, DB_EVENTS, ord, &u->scratch, rest.n == 0);
    }
    event_list_free(&cur);
    event_list_free(&added);
    event_list_free(&rest);
    event_list_free(&gone);
    event_list_free(&back);
    return rc;
}

static int added_by_merge(const merge_record *r, uint32_t seq)
{
    for (size_t i = 0; i < r->nseqs; i++) {
        if (r->seqs[i] == seq)
            return 1;
    }
    return 0;
}

/* The survivor's consent history without the records the merge added. */
static int survivor_consents(undo *u)
{
    uint32_t ord = u->r.survivor;
    consent_list l = { 0 };
    if (u->r.nseqs == 0)
        return SEGRT_OK;
    int rc = consent_list_read(u->s, u->txn, ord, &l);
    size_t out = 0;
    for (size_t i = 0; rc == SEGRT_OK && i < l.n; i++) {
        if (!added_by_merge(&u->r, l.recs[i].seq))
            l.recs[out++] = l.recs[i];
    }
    uint64_t removed = l.n - out;
    l.n = out;
    if (rc == SEGRT_OK && removed) {
        rc = consent_list_encode(&l, &u->scratch) != 0 ? oom(u->s) : SEGRT_OK;
        if (rc == SEGRT_OK)
            rc = put_or_del(u, DB_CONSENTS, ord, &u->scratch, l.n == 0);
        if (rc == SEGRT_OK)
            rc = store_counter_add(u->s, u->txn, "consents", -(int64_t)removed);
    }
    consent_list_free(&l);
    return rc;
}

/* The survivor without the fields the merge filled, where it still has them. */
static int survivor_fields(undo *u)
{
    row r = { 0 };
    pval_iter it;
    pval pv;
    int rc = store_row_get(u->s, u->txn, u->r.survivor, &r), got = 0, changed = 0;
    if (rc == SEGRT_OK && pval_iter_init(&it, u->r.filled) != 0)
        rc = corrupt(u);
    /* The id is the map's: copy it before the first write. */
    char *id = rc == SEGRT_OK ? strndup(r.id, r.idlen) : NULL;
    if (rc == SEGRT_OK && id == NULL)
        rc = oom(u->s);
    while (rc == SEGRT_OK && (got = pval_next(&it, &pv)) == 1) {
        int same;
        rc = pval_matches(u->s, u->txn, &r, &pv, &same);
        if (rc == SEGRT_OK && same) {
            rc = pval_clear(u->s, u->txn, u->cc, &r, u->r.survivor, pv.field);
            changed = 1;
        }
    }
    if (rc == SEGRT_OK && got < 0)
        rc = corrupt(u);
    if (rc == SEGRT_OK && changed) {
        r.id = id;
        rc = row_encode(&r, &u->scratch) != 0 ? oom(u->s) : SEGRT_OK;
        if (rc == SEGRT_OK)
            rc = put_or_del(u, DB_CONTACTS, u->r.survivor, &u->scratch, 0);
    }
    free(id);
    row_free(&r);
    return rc;
}

/* A merged contact back as it was. */
static int restore(undo *u, const merge_gone *g)
{
    segrt_store *s = u->s;
    row r = { .id = (const char *)g->id.p, .idlen = g->id.n };
    event_list evs = { 0 };
    consent_list css = { 0 };
    pval_iter it;
    pval pv;
    int rc = pval_iter_init(&it, g->values) == 0 ? SEGRT_OK : corrupt(u), got = 0;
    while (rc == SEGRT_OK && (got = pval_next(&it, &pv)) == 1)
        rc = pval_apply(s, u->txn, u->cc, &u->dicts, &r, g->ord, &pv);
    if (rc == SEGRT_OK && got < 0)
        rc = corrupt(u);
    if (rc == SEGRT_OK)
        rc = column_set_bit(s, u->txn, u->cc, FIELD_LIVE, 0, g->ord, 1);
    if (rc == SEGRT_OK)
        rc = row_encode(&r, &u->scratch) != 0 ? oom(s) : SEGRT_OK;
    if (rc == SEGRT_OK)
        rc = put_or_del(u, DB_CONTACTS, g->ord, &u->scratch, 0);
    if (rc == SEGRT_OK) {
        uint32_t ord = g->ord;
        MDB_val k = { g->id.n, (void *)g->id.p }, v = { sizeof ord, &ord };
        int mrc = mdb_put(u->txn, s->dbi[DB_IDS], &k, &v, MDB_NOOVERWRITE);
        if (mrc != 0)
            rc = store_mdb_fail(s, mrc, "restoring a merged contact's id");
    }
    /* Its timeline and history as they were stored. */
    if (rc == SEGRT_OK && g->events.n) {
        buf b = { (unsigned char *)g->events.p, g->events.n, g->events.n };
        rc = decode_events(u, g->events.p, g->events.n, &evs);
        if (rc == SEGRT_OK)
            rc = put_or_del(u, DB_EVENTS, g->ord, &b, 0);
        if (rc == SEGRT_OK)
            rc = merge_count_events(s, u->txn, &evs, 1);
    }
    if (rc == SEGRT_OK && g->consents.n) {
        buf b = { (unsigned char *)g->consents.p, g->consents.n, g->consents.n };
        int drc = consent_list_decode(&css, g->consents.p, g->consents.n);
        rc = drc == 0 ? put_or_del(u, DB_CONSENTS, g->ord, &b, 0) : drc == -2 ? oom(s) : corrupt(u);
        if (rc == SEGRT_OK)
            rc = store_counter_add(s, u->txn, "consents", (int64_t)css.n);
    }
    if (rc == SEGRT_OK)
        rc = membership_restore(s, u->txn, g->ord, g->held.p, g->held.n);
    if (rc == SEGRT_OK)
        rc = store_counter_add(s, u->txn, "contacts", 1);
    row_free(&r);
    event_list_free(&evs);
    consent_list_free(&css);
    return rc;
}

/* The audit entry: the merge and the ordinals it brought back. */
static int audit_undo(undo *u, const char *actor)
{
    buf d = { 0 };
    int rc = buf_printf(&d, "undid merge %llu: restored ", (unsigned long long)u->merge)
                 ? oom(u->s)
                 : SEGRT_OK;
    for (size_t i = 0; i < u->r.ngone && rc == SEGRT_OK; i++)
        rc = buf_printf(&d, "%scontact#%u", i ? ", " : "", u->r.gone[i].ord) ? oom(u->s)
                                                                              : SEGRT_OK;
    if (rc == SEGRT_OK)
        rc = buf_put(&d, "", 1) ? oom(u->s) : SEGRT_OK;
    if (rc == SEGRT_OK)
        rc = audit_append(u->s, u->txn, actor, "unmerge", u->r.survivor, (const char *)d.p);
    buf_free(&d);
    return rc;
}

typedef struct undo_args {
    uint64_t merge;
    const char *actor;
    buf ids; /* the restored ids, NUL-terminated, for after the commit */
} undo_args;

static int undo_in(undo *u, undo_args *a, const MDB_val *v)
{
    segrt_store *s = u->s;
    buf copy = { 0 }; /* the record's bytes move once the txn writes */
    int rc = buf_put(&copy, v->mv_data, v->mv_size) ? oom(s) : SEGRT_OK;
    int drc = rc == SEGRT_OK ? merge_record_decode(copy.p, copy.len, &u->r) : 0;
    if (drc != 0)
        rc = drc == -2 ? oom(s) : corrupt(u);
    if (rc == SEGRT_OK)
        rc = check_undoable(u);
    if (rc == SEGRT_OK)
        rc = survivor_events(u);
    if (rc == SEGRT_OK)
        rc = survivor_consents(u);
    if (rc == SEGRT_OK)
        rc = survivor_fields(u);
    for (size_t i = 0; i < u->r.ngone && rc == SEGRT_OK; i++) {
        const merge_gone *g = &u->r.gone[i];
        rc = restore(u, g);
        if (rc == SEGRT_OK && (buf_put(&a->ids, g->id.p, g->id.n) || buf_put(&a->ids, "", 1)))
            rc = oom(s);
    }
    if (rc == SEGRT_OK)
        rc = column_cache_flush(s, u->txn, u->cc);
    MDB_val k = { sizeof a->merge, &a->merge };
    int mrc = rc == SEGRT_OK ? mdb_del(u->txn, s->dbi[DB_MERGES], &k, NULL) : 0;
    if (mrc != 0)
        rc = store_mdb_fail(s, mrc, "dropping what undid a merge");
    if (rc == SEGRT_OK)
        rc = audit_undo(u, a->actor);
    if (rc == SEGRT_OK)
        rc = store_counter_add(s, u->txn, "write_gen", 1);
    if (rc == SEGRT_OK)
        rc = proj_update_flush(s, u->txn, 0);
    if (rc == SEGRT_OK) /* the contacts brought back may be missing from the order */
        rc = id_order_rebuild(s, u->txn);
    merge_record_free(&u->r);
    buf_free(&copy);
    return rc;
}

static int undo_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    undo_args *a = ud;
    undo u = { .s = s, .txn = txn, .merge = a->merge };
    MDB_val k = { sizeof a->merge, &a->merge }, v;
    a->ids.len = 0;
    int mrc = mdb_get(txn, s->dbi[DB_MERGES], &k, &v);
    if (mrc == MDB_NOTFOUND)
        return explain_missing(s, txn, a->merge);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "reading what undoes a merge");
    u.cc = column_cache_new();
    int rc = u.cc ? pval_dicts_init(s, &u.dicts) : oom(s);
    if (rc == SEGRT_OK)
        rc = undo_in(&u, a, &v);
    pval_dicts_free(&u.dicts);
    column_cache_free(u.cc);
    buf_free(&u.scratch);
    return rc;
}

int segrt_dedupe_undo(segrt_store *s, uint64_t merge, const char *actor,
                      int (*fn)(void *ud, const char *id), void *ud)
{
    undo_args a = { merge, actor, { 0 } };
    int rc = store_write(s, undo_txn, &a);
    if (rc == SEGRT_OK)
        rc = store_sync(s);
    for (size_t at = 0; rc == SEGRT_OK && fn && at < a.ids.len;) {
        const char *id = (const char *)a.ids.p + at;
        rc = fn(ud, id);
        at += strlen(id) + 1;
    }
    buf_free(&a.ids);
    return rc;
}
