/*
 * import_events.c — event rows: validation, then, per contact, a merge into
 * its stored timeline that keeps re-imports idempotent while identical rows
 * of one input stay distinct events (event.h, import_occ.c); a timeline
 * that changed is noted for the event projections (proj_update.h).
 *
 * Uses: import.h (import_extra.c: extra attributes), event.h, proj_update.h, value.h, array.h,
 * buf.h.
 */
#include "import/import.h"

#include "store/proj_update.h"
#include "util/array.h"
#include "util/value.h"

#include <stdio.h>
#include <string.h>

int import_events_row(import_ctx *c)
{
    const long *rc_ = c->role_col;
    uint32_t ord;
    event_rec r = { .amount = VALUE_MISSING };
    int rc = import_contact_of_row(c, &ord);
    if (rc == SEGRT_OK)
        rc = import_time_cell(c, rc_[ROLE_EV_TS], 1, &r.ts);
    long ti = rc_[ROLE_EV_TYPE];
    if (rc == SEGRT_OK)
        rc = import_name_cell(c, ti, "type", "event type");
    if (rc != SEGRT_OK)
        return rc;
    long ai = rc_[ROLE_EV_AMOUNT];
    if (ai >= 0 && c->cells[ai].state == CELL_TEXT &&
        !import_cell_read(&c->cells[ai], SEGRT_T_NUMBER, &r.amount) &&
        value_parse_number(c->cells[ai].p, c->cells[ai].n, &r.amount) != 0)
        return import_reject(c, "amount '%s' is not a number (digits, '.' and at most 6 decimals)",
                             import_quote(c, c->cells[ai].p, c->cells[ai].n));
    if (ai >= 0 && c->cells[ai].state == CELL_ARRAY)
        return import_reject(c, "amount is a list, not a number");
    if (ai >= 0 && c->cells[ai].state == CELL_TEXT &&
        (rc = import_rules_amount(c, &c->cells[ai], r.amount)) != SEGRT_OK)
        return rc;
    rc = import_code_cell(c, ti, &c->ev_dicts[0], FIELD_EV_TYPE, 1, &r.type);
    if (rc == SEGRT_OK)
        rc = import_code_cell(c, rc_[ROLE_EV_CATEGORY], &c->ev_dicts[1], FIELD_EV_CATEGORY, 0,
                              &r.category);
    if (rc == SEGRT_OK)
        rc = import_code_cell(c, rc_[ROLE_EV_CHANNEL], &c->ev_dicts[2], FIELD_EV_CHANNEL, 0,
                              &r.channel);
    if (rc != SEGRT_OK)
        return rc;
    const char *eid = "";
    size_t neid = 0;
    long ei = rc_[ROLE_EV_EVENT_ID];
    if (ei >= 0 && c->cells[ei].state == CELL_TEXT) {
        eid = c->cells[ei].p;
        neid = c->cells[ei].n;
    }
    char *extra;
    rc = import_extra_json(c, &extra);
    if (rc != SEGRT_OK)
        return rc;
    uint32_t at = (uint32_t)c->evs.n;
    if (event_list_add(&c->evs, &r, eid, neid, extra ? extra : "", extra ? strlen(extra) : 0) != 0)
        rc = store_fail(c->s, SEGRT_ENOMEM, "out of memory buffering events");
    free(extra);
    return rc == SEGRT_OK ? import_pend(c, ord, at) : rc;
}

/* Per event type code: the change in count this batch makes. */
typedef struct type_deltas {
    int64_t *d;
    size_t n;
} type_deltas;

/* What merging the batch keeps across contacts. */
typedef struct merging {
    event_list w; /* scratch: one timeline */
    type_deltas td;
    buf prior;    /* scratch: per new event of one timeline, its copies in earlier batches */
} merging;

static int count_type(type_deltas *t, uint32_t type, int64_t by)
{
    if (ARRAY_RESERVE_ZERO(t->d, t->n, (size_t)type + 1) != 0)
        return -1;
    t->d[type] += by;
    return 0;
}

/* import_merge_fn: merge the batch's events of one contact into its timeline. */
static int merge_contact(import_ctx *c, size_t from, size_t to, void *ud)
{
    merging *m = ud;
    event_list *w = &m->w;
    type_deltas *td = &m->td;
    segrt_store *s = c->s;
    uint32_t ord = c->pend[from].ord;
    event_list_clear(w);
    int rc = event_list_read(s, c->txn, ord, w);
    if (rc != SEGRT_OK)
        return rc;
    size_t nold = w->n;
    int oom = 0;
    for (size_t i = 0; i < nold; i++)
        oom |= count_type(td, w->recs[i].type, -1);
    for (size_t i = from; i < to && !oom; i++) {
        const event_rec *r = &c->evs.recs[c->pend[i].at];
        const char *eid, *x;
        size_t neid, nx;
        event_var(&c->evs, r, &eid, &neid, &x, &nx);
        oom |= event_list_add(w, r, eid, neid, x, nx);
    }
    if (oom)
        return store_fail(s, SEGRT_ENOMEM, "out of memory merging events");
    int any;
    rc = import_occ_prior(c, w, nold, from, &m->prior, &any);
    if (rc != SEGRT_OK)
        return rc;
    if (event_list_merge_prior(w, nold, any ? (const uint32_t *)m->prior.p : NULL) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory merging events");
    for (size_t i = 0; i < w->n; i++)
        oom |= count_type(td, w->recs[i].type, 1);
    if (oom || event_list_encode(w, &c->enc) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory merging events");
    MDB_val k = store_ord_key(&ord), v = { c->enc.len, c->enc.p }, old;
    rc = store_get(s, c->txn, DB_EVENTS, &k, &old, "reading events");
    if (rc != SEGRT_OK && rc != SEGRT_ENOTFOUND)
        return rc;
    if (rc == SEGRT_OK && old.mv_size == v.mv_size && memcmp(old.mv_data, v.mv_data, v.mv_size) == 0)
        return SEGRT_OK; /* nothing new: the timeline and its projections stay as they are */
    rc = proj_update_touch(s, c->txn, ord);
    if (rc != SEGRT_OK)
        return rc;
    int mrc = mdb_put(c->txn, s->dbi[DB_EVENTS], &k, &v, 0);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "writing events");
    int64_t added = (int64_t)w->n - (int64_t)nold;
    c->delta_events += added;
    if (added > 0)
        c->batch_inserted += (uint64_t)added;
    return SEGRT_OK;
}

int import_events_finish(import_ctx *c)
{
    merging m = { 0 };
    import_occ_begin(c);
    int rc = import_merge_pending(c, merge_contact, &m);
    for (size_t t = 0; t < m.td.n && rc == SEGRT_OK; t++) {
        char name[32];
        snprintf(name, sizeof name, "evtype:%zu", t);
        rc = store_counter_add(c->s, c->txn, name, m.td.d[t]);
    }
    event_list_free(&m.w);
    buf_free(&m.prior);
    free(m.td.d);
    return rc;
}
