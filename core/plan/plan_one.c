/*
 * plan_one.c — evaluating a plan for one contact (the live path, live.c):
 * the same semantics as the vectorised evaluator (plan_eval.c,
 * plan_events.c), row by row. Fields come from the column chunks (borrowed
 * from the read transaction, a few kept per context), aggregates from the
 * contact's own timeline, string predicates from code tables built once per
 * node and rebuilt when the dictionary grows. Whole-store values (NTILE,
 * models), score functions and other segments are asked of the caller.
 *
 * Uses: plan_one.h, plan_agg.h (the aggregate step plan_events.c takes too),
 * column.h, dict.h, consent_check.c (objections), array.h.
 */
#include "plan/plan_one.h"

#include "plan/plan_agg.h"
#include "plan/plan_extra.h"
#include "plan/plan_split.h"
#include "store/column.h"
#include "store/column_scalar.h"
#include "store/dict.h"
#include "store/row.h"
#include "store/schema.h"
#include "privacy/consent_check.h"
#include "privacy/restrict_check.h"
#include "util/array.h"
#include "util/value.h"

#include <stdlib.h>
#include <string.h>

#define MISSING VALUE_MISSING
#define SCALE VALUE_NUMBER_SCALE
#define SECS_PER_DAY 86400

struct plan_one_table {
    const pnode *p;
    code_table t;      /* string predicates */
    uint32_t code;     /* :contains — the code of its string, 0 when absent */
    int code_known;
};

void plan_one_ctx_init(plan_one_ctx *o, plan_ctx *cx)
{
    *o = (plan_one_ctx){ .cx = cx, .ord = UINT32_MAX, .evs_ord = UINT32_MAX,
                    .profiled_ord = UINT32_MAX, .restricted_ord = UINT32_MAX };
}

void plan_one_ctx_forget(plan_one_ctx *o)
{
    memset(o->slots, 0, sizeof o->slots);
    o->evs_ord = o->profiled_ord = o->restricted_ord = UINT32_MAX;
    for (size_t i = 0; i < o->ntables; i++) /* a string nobody had may have arrived */
        o->tables[i].code_known &= o->tables[i].code != 0;
}

void plan_one_ctx_free(plan_one_ctx *o)
{
    for (size_t i = 0; i < o->ntables; i++)
        free(o->tables[i].t.ok);
    free(o->tables);
    event_list_free(&o->evs);
    *o = (plan_one_ctx){ 0 };
}

/* ------------------------------------------------------------ columns */

/* The chunk (field, code) holding the contact, through the context's slots; NULL data when none. */
static int chunk_of(plan_one_ctx *o, uint16_t field, uint32_t code, MDB_val *out)
{
    uint32_t chunk = o->ord / COL_CHUNK_ROWS;
    struct plan_one_slot *sl = &o->slots[(field * 31u + code) % PLAN_ONE_SLOTS];
    if (sl->data && sl->field == field && sl->code == code && sl->chunk == chunk) {
        *out = (MDB_val){ sl->size, (void *)sl->data };
        return SEGRT_OK;
    }
    int rc = column_chunk_get(o->cx->s, o->cx->txn, field, chunk, code, out);
    if (rc == SEGRT_ENOTFOUND) {
        *out = (MDB_val){ 0, NULL };
        rc = SEGRT_OK;
    }
    if (rc == SEGRT_OK)
        *sl = (struct plan_one_slot){ field, code, chunk, out->mv_data, out->mv_size };
    return rc;
}

static int bit_of(plan_one_ctx *o, uint16_t field, uint32_t code, int *on)
{
    MDB_val v;
    int rc = chunk_of(o, field, code, &v);
    *on = 0;
    if (rc != SEGRT_OK || v.mv_data == NULL)
        return rc;
    if (v.mv_size != COL_BITSET_BYTES)
        return store_fail(o->cx->s, SEGRT_ECORRUPT, "a set column chunk has %zu bytes", v.mv_size);
    uint32_t i = o->ord % COL_CHUNK_ROWS;
    *on = ((const unsigned char *)v.mv_data)[i / 8] >> (i % 8) & 1;
    return SEGRT_OK;
}

int plan_one_live(plan_one_ctx *o, int *live)
{
    int rc = bit_of(o, FIELD_LIVE, 0, live);
    if (rc != SEGRT_OK || !*live)
        return rc;
    if (o->restricted_ord != o->ord) { /* Art. 18: out of every evaluation, as script_eval.c */
        int r = restrict_check_one(o->cx->s, o->cx->txn, o->cx->now, o->ord, NULL, NULL);
        if (r < 0)
            return r;
        o->restricted = r;
        o->restricted_ord = o->ord;
    }
    *live = !o->restricted;
    return SEGRT_OK;
}

/* F.x:updated() of the contact: the write time its row keeps for field x. */
static int updated_value(plan_one_ctx *o, const pnode *p, int64_t *out)
{
    row r = { 0 };
    int rc = store_row_get(o->cx->s, o->cx->txn, o->ord, &r);
    const row_value *rv = rc == SEGRT_OK ? row_get(&r, p->field) : NULL;
    *out = rv && rv->at != ROW_NO_TIME ? rv->at : MISSING;
    row_free(&r);
    return rc == SEGRT_ENOTFOUND ? SEGRT_OK : rc;
}

/* A scalar field (or age) of the contact, in the plan's domain. */
static int field_value(plan_one_ctx *o, const pnode *p, int64_t *out)
{
    segrt_type t = p->kind == P_AGE ? SEGRT_T_DATE : p->ftype;
    MDB_val v;
    int rc = chunk_of(o, p->field, 0, &v);
    *out = MISSING;
    if (rc != SEGRT_OK || v.mv_data == NULL)
        return rc;
    column_scalar c;
    if (column_scalar_of(&v, t, &c) != 0)
        return store_fail(o->cx->s, SEGRT_ECORRUPT, "column of '%s' has a chunk of %zu bytes",
                          p->str, v.mv_size);
    *out = plan_to_domain(t, column_scalar_at(&c, o->ord % COL_CHUNK_ROWS)); /* a code as it is */
    if (p->kind == P_AGE && *out != MISSING)
        *out = (int64_t)value_age_years(*out / SECS_PER_DAY, o->cx->now) * SCALE;
    return SEGRT_OK;
}

/* ------------------------------------------------------------ the timeline */

static int timeline(plan_one_ctx *o, const event_list **out)
{
    if (o->evs_ord != o->ord) {
        segrt_store *s = o->cx->s;
        uint32_t ord = o->ord;
        MDB_val k = store_ord_key(&ord), v;
        event_list_clear(&o->evs);
        int mrc = mdb_get(o->cx->txn, s->dbi[DB_EVENTS], &k, &v);
        if (mrc != 0 && mrc != MDB_NOTFOUND)
            return store_mdb_fail(s, mrc, "reading events");
        int drc = mrc == 0 ? event_list_decode(&o->evs, v.mv_data, v.mv_size) : 0;
        if (drc != 0)
            return drc == -2 ? store_fail(s, SEGRT_ENOMEM, "out of memory reading events")
                             : store_fail(s, SEGRT_ECORRUPT, "events of contact %u are corrupt", ord);
        o->evs_ord = ord;
    }
    *out = &o->evs;
    return SEGRT_OK;
}

/* Whether event r is selected: its type, not after NOW, in the window and the :where. */
static int selected(plan_one_ctx *o, const pnode *p, const event_rec *r, int *hit)
{
    int64_t now = o->cx->now;
    *hit = r->type == p->ev.type && r->ts <= now &&
           (p->ev.window == NULL || r->ts >= now - p->ev.window->k);
    if (!*hit || p->ev.where == NULL)
        return SEGRT_OK;
    const event_rec *outer = o->ev;
    o->ev = r;
    int rc = plan_one_pred(o, p->ev.where, hit);
    o->ev = outer;
    return rc;
}

static int exists(plan_one_ctx *o, const pnode *p, int *holds)
{
    const event_list *l;
    int rc = timeline(o, &l);
    int any = 0;
    for (size_t i = 0; rc == SEGRT_OK && i < l->n && !any; i++)
        rc = selected(o, p, &l->recs[i], &any);
    if (rc != SEGRT_OK)
        return rc;
    if (p->op) {
        *holds = any;
        return SEGRT_OK;
    }
    if (any) {
        *holds = 0;
        return SEGRT_OK;
    }
    return plan_one_live(o, holds);
}

/* The extra attributes of event r of the contact's timeline, as JSON. */
static void rec_extra(const plan_one_ctx *o, const event_rec *r, const char **json, size_t *n)
{
    const char *eid;
    size_t neid;
    event_var(&o->evs, r, &eid, &neid, json, n);
}

/*
 * The attribute of event r as a plan value: ts, amount, a category/channel
 * code (0: missing), or the extra attribute p names (plan_extra.h).
 */
static int64_t rec_attr(const plan_one_ctx *o, const event_rec *r, int attr, const pnode *p)
{
    if (attr == EVA_EXTRA) {
        const char *json;
        size_t n;
        rec_extra(o, r, &json, &n);
        return plan_extra_value(json, n, p->str, p->ftype);
    }
    if (attr == EVA_TS)
        return r->ts;
    if (attr == EVA_AMOUNT)
        return r->amount;
    uint32_t code = attr == EVA_CATEGORY ? r->category : r->channel;
    return code ? (int64_t)code : MISSING;
}

/* The contact's selected events folded as plan_events.c folds them (plan_agg.h). */
static int aggregate(plan_one_ctx *o, const pnode *p, int64_t *out)
{
    const event_list *l;
    int rc = timeline(o, &l);
    int64_t v = plan_agg_start(p->op);
    uint32_t n = 0;
    for (size_t i = 0; rc == SEGRT_OK && i < l->n; i++) {
        const event_rec *r = &l->recs[i];
        int hit;
        rc = selected(o, p, r, &hit);
        if (rc == SEGRT_OK && hit)
            plan_agg_step(p->op, p->k, o->cx->now, &v, &n, r->ts, rec_attr(o, r, p->ev.attr, p));
    }
    *out = plan_agg_end(p->op, v, n);
    return rc;
}

/* ------------------------------------------------------------ values */

int plan_one_value(plan_one_ctx *o, const pnode *p, int64_t *out)
{
    int64_t a, b;
    int rc;
    *out = MISSING;
    switch (p->kind) {
    case P_CONST: *out = p->k; return SEGRT_OK;
    case P_FIELD:
    case P_AGE: return field_value(o, p, out);
    case P_UPDATED: return updated_value(o, p, out);
    case P_EVATTR:
        *out = rec_attr(o, o->ev, p->op, p);
        return SEGRT_OK;
    case P_ARITH:
        if ((rc = plan_one_value(o, p->a, &a)) != SEGRT_OK ||
            (rc = plan_one_value(o, p->b, &b)) != SEGRT_OK)
            return rc;
        *out = plan_arith(p->op, a, b);
        return SEGRT_OK;
    case P_FLOOR:
        rc = plan_one_value(o, p->a, &a);
        *out = plan_floor(a);
        return rc;
    case P_AGG: return aggregate(o, p, out);
    case P_SCORE:
        if ((rc = o->global(o->ud, p, o->ord, out)) != 1) /* a whole-store score */
            return rc;
        rc = plan_one_value(o, p->a, out);
        if (rc != SEGRT_OK || !p->op || *out == MISSING)
            return rc;
        if (o->profiled_ord != o->ord) {
            if ((rc = o->profiling(o->ud, o->ord)) < 0)
                return rc;
            o->profiled = rc;
            o->profiled_ord = o->ord;
        }
        if (!o->profiled) /* as plan_eval.c's profiling_value */
            *out = MISSING;
        return SEGRT_OK;
    case P_NTILE:
    case P_MODEL:
    case P_SCORE_FN: return o->global(o->ud, p, o->ord, out);
    default: return plan_fail(o->cx, p->loc, "internal error: not a value");
    }
}

/* ------------------------------------------------------------ predicates */

/* The node's entry in the context's tables, added on first use. */
static int table_entry(plan_one_ctx *o, const pnode *p, struct plan_one_table **out)
{
    size_t i = 0;
    while (i < o->ntables && o->tables[i].p != p)
        i++;
    if (i == o->ntables) {
        if (ARRAY_RESERVE(o->tables, o->tables_cap, o->ntables + 1) != 0)
            return store_fail(o->cx->s, SEGRT_ENOMEM, "out of memory");
        o->tables[o->ntables++] = (struct plan_one_table){ .p = p };
    }
    *out = &o->tables[i];
    return SEGRT_OK;
}

/* The code table of string predicate p, built again when the dictionary has grown past it. */
static int table_for(plan_one_ctx *o, const pnode *p, int64_t code, const code_table **out)
{
    struct plan_one_table *e;
    int rc = table_entry(o, p, &e);
    if (rc != SEGRT_OK)
        return rc;
    code_table *t = &e->t;
    if (t->ok == NULL || (code != MISSING && code >= (int64_t)t->known)) {
        free(t->ok);
        if ((rc = plan_code_table(o->cx, p, t)) != SEGRT_OK) {
            *t = (code_table){ 0 };
            return rc;
        }
    }
    *out = t;
    return SEGRT_OK;
}

static int value_pred(plan_one_ctx *o, const pnode *p, int *holds)
{
    int64_t x, b = MISSING, c = MISSING;
    const code_table *t = NULL;
    if (plan_extra_is_string(p->a) && p->kind != P_PRESENT) { /* no dictionary: test it */
        const char *json;
        size_t n;
        rec_extra(o, o->ev, &json, &n);
        *holds = plan_extra_string_holds(p, json, n);
        return SEGRT_OK;
    }
    int rc = plan_one_value(o, p->a, &x);
    if (rc == SEGRT_OK && p->a->type == VT_STR && p->kind != P_PRESENT)
        rc = table_for(o, p, x, &t);
    else if (rc == SEGRT_OK && (p->kind == P_CMP || p->kind == P_BETWEEN)) {
        rc = plan_one_value(o, p->b, &b);
        if (rc == SEGRT_OK && p->kind == P_BETWEEN)
            rc = plan_one_value(o, p->c, &c);
    }
    *holds = rc == SEGRT_OK && plan_pred_holds(p, t, x, b, c);
    return rc;
}

typedef struct any_bit {
    plan_one_ctx *o;
    uint16_t field;
    int any;
} any_bit;

static int test_code(void *ud, uint32_t code, const MDB_val *v)
{
    (void)v;
    any_bit *ab = ud;
    int rc = bit_of(ab->o, ab->field, code, &ab->any);
    return rc != SEGRT_OK ? rc : ab->any; /* stop at the first value */
}

static int set_pred(plan_one_ctx *o, const pnode *p, int *holds)
{
    const pnode *f = p->a;
    int rc;
    *holds = 0;
    if (p->kind == P_CONTAINS) {
        struct plan_one_table *e;
        if ((rc = table_entry(o, p, &e)) != SEGRT_OK)
            return rc;
        if (!e->code_known) {
            rc = dict_find(o->cx->s, o->cx->txn, f->field, p->b->str, strlen(p->b->str), &e->code);
            e->code_known = rc == SEGRT_OK;
        }
        return rc == SEGRT_OK && e->code ? bit_of(o, f->field, e->code, holds) : rc;
    }
    any_bit ab = { o, f->field, 0 }; /* present / missing: the contact has any value */
    rc = dict_foreach(o->cx->s, o->cx->txn, f->field, test_code, &ab);
    if (rc < 0)
        return rc;
    if (p->op || ab.any) {
        *holds = p->op ? ab.any : 0;
        return SEGRT_OK;
    }
    return plan_one_live(o, holds);
}

static int logic(plan_one_ctx *o, const pnode *p, int *holds)
{
    int rc;
    if (p->kind == P_NOT) {
        rc = plan_one_pred(o, p->a, holds);
        if (rc != SEGRT_OK || *holds) {
            *holds = 0;
            return rc;
        }
        *holds = 1;
        return p->frame == FRAME_CONTACTS ? plan_one_live(o, holds) : SEGRT_OK;
    }
    if (p->n == 0) { /* seg.all{} holds for everybody, seg.any{} for nobody */
        *holds = p->kind == P_AND;
        return *holds && p->frame == FRAME_CONTACTS ? plan_one_live(o, holds) : SEGRT_OK;
    }
    int want = p->kind == P_OR; /* the value that decides */
    for (size_t i = 0; i < p->n; i++) {
        if ((rc = plan_one_pred(o, p->list[i], holds)) != SEGRT_OK)
            return rc;
        if (*holds == want)
            return SEGRT_OK;
    }
    return SEGRT_OK;
}

static int near(plan_one_ctx *o, const pnode *p, int *holds)
{
    int64_t a, b;
    int rc = plan_one_value(o, p->a, &a);
    if (rc == SEGRT_OK)
        rc = plan_one_value(o, p->b, &b);
    *holds = rc == SEGRT_OK && a != MISSING && b != MISSING &&
             plan_near_holds(p, (double)a / SCALE, (double)b / SCALE);
    return rc;
}

int plan_one_pred(plan_one_ctx *o, const pnode *p, int *holds)
{
    *holds = 0;
    switch (p->kind) {
    case P_CMP:
    case P_BETWEEN:
    case P_ONE_OF:
    case P_PRESENT: return p->a->type == VT_SET ? set_pred(o, p, holds) : value_pred(o, p, holds);
    case P_CONTAINS: return set_pred(o, p, holds);
    case P_AND:
    case P_OR:
    case P_NOT: return logic(o, p, holds);
    case P_EXISTS: return exists(o, p, holds);
    case P_MEMBER: return o->member(o->ud, p, o->ord, holds);
    case P_NEAR: return near(o, p, holds);
    case P_SPLIT: return plan_split_one(o->cx, p, o->ord, holds);
    default: return plan_fail(o->cx, p->loc, "internal error: not a predicate");
    }
}
