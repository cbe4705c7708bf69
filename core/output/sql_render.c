/*
 * sql_render.c — compiled plan nodes (plan.h) as SQL expressions over
 * contacts c and, inside an event :where, events e (sql.h): fields in the
 * plans' domains, missing values as NULL and predicates made two-valued
 * (a comparison with a missing value is false, so NOT over it is true, as
 * bitsets have it), arithmetic truncated as plan_arith does, event
 * aggregates and NTILE as common table expressions joined by id,
 * seg.member as the other segment's expression, seg.near as segrt's
 * haversine.
 *
 * Uses: sql.h, schema.h (field names), dict.h (event type names), value.h.
 */
#include "output/sql.h"

#include "store/dict.h"
#include "store/schema.h"
#include "util/value.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Call a dialect function on rendered text; out of memory noted on r. */
static void call1(sql_ctx *r, sql_fn1 f, buf *o, const char *a)
{
    if (f(o, a) != 0)
        sql_fail(r, SEGRT_ENOMEM, "out of memory rendering SQL");
}

static void call2(sql_ctx *r, sql_fn2 f, buf *o, const char *a, const char *b)
{
    if (f(o, a, b) != 0)
        sql_fail(r, SEGRT_ENOMEM, "out of memory rendering SQL");
}

/* Render value p into a fresh buffer t (buf_free it), and return its text. */
static const char *value_text(sql_ctx *r, sql_scope *s, const pnode *p, buf *t)
{
    *t = (buf){ 0 };
    sql_render_value(r, s, p, t);
    return sql_text(r, t);
}

static const char *pred_text(sql_ctx *r, sql_scope *s, const pnode *p, buf *t)
{
    *t = (buf){ 0 };
    sql_render_pred(r, s, p, t);
    return sql_text(r, t);
}

/* ------------------------------------------------------------ values */

static void constant(sql_ctx *r, const pnode *p, buf *o)
{
    if (p->type == VT_STR)
        sql_string(r, o, p->str, strlen(p->str));
    else
        sql_put(r, o, "%lld", (long long)p->k);
}

/* A stored value of type t in column col, in the plans' domain. */
static void typed(sql_ctx *r, segrt_type t, const char *col, buf *o)
{
    switch (t) {
    case SEGRT_T_INTEGER: sql_put(r, o, "(%s * 1000000)", col); break;
    case SEGRT_T_NUMBER: sql_put(r, o, "CAST(%s * 1000000 AS %s)", col, r->d->int64); break;
    case SEGRT_T_BOOLEAN: sql_put(r, o, "CAST(%s AS %s)", col, r->d->int64); break;
    case SEGRT_T_DATE: call1(r, r->d->date_secs, o, col); break;
    case SEGRT_T_TIMESTAMP: call1(r, r->d->ts_secs, o, col); break;
    default: sql_put(r, o, "%s", col); break; /* strings and sets as they are */
    }
}

static void field(sql_ctx *r, const pnode *p, buf *o)
{
    /* by id: an age compared with constants became birth_date, still named "age" */
    const field_def *f = schema_by_id(r->cx->s->schema, p->field);
    buf col = { 0 };
    sql_put(r, &col, "c.");
    sql_ident(r, &col, f ? f->name : p->str);
    typed(r, p->ftype, sql_text(r, &col), o);
    buf_free(&col);
}

/*
 * An extra event attribute (path, type t) of events e, read from their JSON
 * text. Text is cast only where it is there: ClickHouse 18.16 fails to
 * cast a NULL string to a number or date, and computes both sides of a CASE.
 */
static void extra(sql_ctx *r, const char *loc, const char *path, segrt_type t, buf *o)
{
    buf j = { 0 };
    call2(r, r->d->json_text, &j, "e.attrs", path);
    const char *x = sql_text(r, &j);
    if (t == SEGRT_T_STRING)
        sql_put(r, o, "%s", x);
    else if (t == SEGRT_T_NUMBER || t == SEGRT_T_INTEGER)
        sql_put(r, o, "CASE WHEN %s IS NULL THEN NULL ELSE CAST(CAST(COALESCE(%s, '0') AS %s) * "
                "1000000 AS %s) END", x, x, r->d->types[SEGRT_T_NUMBER - 1], r->d->int64);
    else if (t == SEGRT_T_BOOLEAN)
        sql_put(r, o, "CASE WHEN %s = 'true' THEN 1 WHEN %s = 'false' THEN 0 END", x, x);
    else if (t == SEGRT_T_DATE) {
        buf d = { 0 };
        sql_put(r, &d, "CASE WHEN %s IS NULL THEN NULL ELSE CAST(COALESCE(%s, '1970-01-01') AS %s) "
                "END", x, x, r->d->types[SEGRT_T_DATE - 1]);
        call1(r, r->d->date_secs, o, sql_text(r, &d));
        buf_free(&d);
    } else {
        sql_refuse(r, loc, "an extra event attribute of a timestamp or set type");
    }
    buf_free(&j);
}

/* Event attribute attr (ev_attr) of events e. */
static void event_attr(sql_ctx *r, const pnode *p, int attr, buf *o)
{
    switch (attr) {
    case EVA_TS: call1(r, r->d->ts_secs, o, "e.ts"); break;
    case EVA_AMOUNT: sql_put(r, o, "CAST(e.amount * 1000000 AS %s)", r->d->int64); break;
    case EVA_CATEGORY: sql_put(r, o, "e.category"); break;
    case EVA_CHANNEL: sql_put(r, o, "e.channel"); break;
    default: extra(r, p->loc, p->str, p->ftype, o); break;
    }
}

static void arith(sql_ctx *r, sql_scope *s, const pnode *p, buf *o)
{
    buf ta, tb;
    const char *a = value_text(r, s, p->a, &ta), *b = value_text(r, s, p->b, &tb);
    switch (p->op) {
    case '+':
    case '-': sql_put(r, o, "(%s %c %s)", a, p->op, b); break;
    case '*': call2(r, r->d->mul, o, a, b); break;
    case '/': call2(r, r->d->div, o, a, b); break;
    default: /* least, greatest: missing in, missing out */
        sql_put(r, o, "CASE WHEN %s IS NULL OR %s IS NULL THEN NULL ELSE %s(%s, %s) END", a, b,
                p->op == 'm' ? "least" : "greatest", a, b);
    }
    buf_free(&ta);
    buf_free(&tb);
}

/* " FROM events e WHERE ..." of an event selection: type, not after NOW, window, :where. */
static void selection(sql_ctx *r, const pnode *p, buf *o)
{
    MDB_val type = { 0 };
    if (dict_string(r->cx->s, r->cx->txn, FIELD_EV_TYPE, p->ev.type, &type) != SEGRT_OK) {
        sql_fail(r, SEGRT_ECORRUPT, "segment '%s': event type %u has no name", r->segment,
                 (unsigned)p->ev.type);
        return;
    }
    sql_put(r, o, " FROM events AS e WHERE e.type = ");
    sql_string(r, o, type.mv_data, type.mv_size);
    sql_put(r, o, " AND e.ts <= ");
    sql_timestamp(r, o, r->cx->now);
    if (p->ev.window) {
        sql_put(r, o, " AND e.ts >= ");
        sql_timestamp(r, o, r->cx->now - p->ev.window->k);
    }
    if (p->ev.where) {
        sql_scope none = { 0 }; /* an event :where reads events only: it joins nothing */
        buf t;
        sql_put(r, o, " AND %s", pred_text(r, &none, p->ev.where, &t));
        buf_free(&t);
        buf_free(&none.joins);
    }
}

/* An event aggregate: a CTE of (id, v) per contact with selected events, joined. */
static void aggregate(sql_ctx *r, sql_scope *s, const pnode *p, buf *o)
{
    buf x = { 0 }, body = { 0 };
    if (p->op == AGG_DECAYED) /* its age: the selection holds no event after NOW */
        sql_put(r, &x, "%lld - ", (long long)r->cx->now);
    if (p->op != AGG_COUNT)
        event_attr(r, p, p->op == AGG_DECAYED ? EVA_TS : p->ev.attr, &x);
    const char *v = sql_text(r, &x);
    sql_put(r, &body, "SELECT e.contact_id AS id, ");
    switch (p->op) {
    case AGG_COUNT: sql_put(r, &body, "CAST(COUNT(*) AS %s) * 1000000", r->d->int64); break;
    case AGG_SUM: sql_put(r, &body, "CAST(SUM(%s) AS %s)", v, r->d->int64); break;
    case AGG_MIN: sql_put(r, &body, "MIN(%s)", v); break;
    case AGG_MAX: sql_put(r, &body, "MAX(%s)", v); break;
    case AGG_FIRST_OF: /* the earliest event's attribute, even a missing one */
    case AGG_LAST_OF:
        if (r->d->first_of(&body, v, p->op == AGG_LAST_OF, p->type == VT_STR) != 0)
            sql_fail(r, SEGRT_ENOMEM, "out of memory rendering SQL");
        break;
    case AGG_DECAYED: /* 2^(-age / half-life) per event, rounded to micro-units, summed */
        sql_put(r, &body, "CAST(SUM(CAST(ROUND(POWER(CAST(2 AS %s), -CAST(%s AS %s) / %lld) * "
                "1000000) AS %s)) AS %s)", r->d->float64, v, r->d->float64, (long long)p->k,
                r->d->int64, r->d->int64);
        break;
    default: { /* AGG_AVG: the sum divided by the count, truncated */
        buf sum = { 0 }, n = { 0 };
        sql_put(r, &sum, "SUM(%s)", v);
        sql_put(r, &n, "COUNT(%s)", v);
        call2(r, r->d->idiv, &body, sql_text(r, &sum), sql_text(r, &n));
        buf_free(&sum);
        buf_free(&n);
    }
    }
    sql_put(r, &body, " AS v");
    selection(r, p, &body);
    sql_put(r, &body, " GROUP BY e.contact_id");
    char name[16];
    buf ref = { 0 };
    sql_cte(r, &body, name);
    sql_join(r, s, name, &ref);
    if (p->op == AGG_COUNT || p->op == AGG_DECAYED) /* no event: 0, not missing */
        sql_put(r, o, "COALESCE(%s, 0)", sql_text(r, &ref));
    else
        sql_put(r, o, "%s", sql_text(r, &ref));
    buf_free(&ref);
    buf_free(&x);
    buf_free(&body);
}

/* " AND c.id IN (who profiling may score)" when the scope is a profiling score's. */
static void profiling_only(sql_ctx *r, const sql_scope *s, buf *o)
{
    if (!s->profiling)
        return;
    char name[16];
    sql_consent_profiling(r, name);
    sql_put(r, o, " AND c.id %sIN (SELECT id FROM %s)", r->d->global, sql_table(r, name));
}

/* Write idiv(a, b) into a fresh buffer t; its text. */
static const char *idiv_text(sql_ctx *r, const char *a, const char *b, buf *t)
{
    *t = (buf){ 0 };
    call2(r, r->d->idiv, t, a, b);
    return sql_text(r, t);
}

/*
 * The rank of row j (1-based) of m in order: NTILE(n) the SQL way (the
 * first m mod n buckets get one row more, plan_rank.c), the row number, or
 * the percentile j * 100 / (m - 1), exact to the micro-unit. Divisors are
 * never 0: ClickHouse computes every branch of a CASE.
 */
static void rank_of(sql_ctx *r, const pnode *p, const char *j, const char *m, buf *o)
{
    buf n = { 0 }, q = { 0 }, t1 = { 0 }, t2 = { 0 }, t3 = { 0 }, t4 = { 0 }, t5 = { 0 };
    if (p->op == ORDER_NTILE) { /* q = m / n, rem = m % n, big = rem * (q + 1) */
        sql_put(r, &n, "%lld", (long long)p->ntiles);
        const char *Q = idiv_text(r, m, sql_text(r, &n), &q);
        sql_put(r, &t1, "(%s + 1)", Q);
        sql_put(r, &t2, "(%s - 1)", j);
        sql_put(r, &t3, "(%s - 1 - (%s %% %lld) * (%s + 1))", j, m, (long long)p->ntiles, Q);
        sql_put(r, &t4, "CASE WHEN %s > 0 THEN %s ELSE 1 END", Q, Q);
        sql_put(r, o, "(CASE WHEN %s - 1 < (%s %% %lld) * (%s + 1) THEN ", j, m,
                (long long)p->ntiles, Q);
        call2(r, r->d->idiv, o, sql_text(r, &t2), sql_text(r, &t1));
        sql_put(r, o, " ELSE (%s %% %lld) + %s END + 1) * 1000000", m, (long long)p->ntiles,
                idiv_text(r, sql_text(r, &t3), sql_text(r, &t4), &t5));
    } else if (p->op == ORDER_RANK) {
        sql_put(r, o, "%s * 1000000", j);
    } else {
        sql_put(r, &t1, "(%s - 1) * 100000000", j);
        sql_put(r, &t2, "CASE WHEN %s > 1 THEN %s - 1 ELSE 1 END", m, m);
        sql_put(r, o, "CASE WHEN %s > 1 THEN %s ELSE 0 END", m,
                idiv_text(r, sql_text(r, &t1), sql_text(r, &t2), &t3));
    }
    buf_free(&n);
    buf_free(&q);
    buf_free(&t1);
    buf_free(&t2);
    buf_free(&t3);
    buf_free(&t4);
    buf_free(&t5);
}

/*
 * seg.ntile: ranks over the live contacts with a value (and among), in the
 * value's order, ties by id in byte order (plan_rank.c), as a CTE joined by
 * id: with window functions, or from the population sorted into an array.
 */
static void ntile(sql_ctx *r, sql_scope *s, const pnode *p, buf *o)
{
    sql_scope in = { .profiling = s->profiling };
    buf tx, ta = { 0 }, from = { 0 }, id = { 0 }, rank = { 0 }, body = { 0 }, ref = { 0 };
    const char *x = value_text(r, &in, p->a, &tx);
    if (p->b)
        sql_render_pred(r, &in, p->b, &ta);
    sql_from(r, &in, &from);
    call1(r, r->d->byte_order, &id, "c.id");
    if (r->d->no_windows) { /* (key, id) pairs sorted: the key negated for desc */
        rank_of(r, p, "j", "length(s)", &rank);
        sql_put(r, &body, "SELECT id, %s AS v FROM (SELECT arraySort(groupArray(tuple(%s%s, c.id))) "
                "AS s FROM %s WHERE %s IS NOT NULL", sql_text(r, &rank), p->desc ? "-" : "", x,
                sql_text(r, &from), x);
    } else {
        buf j = { 0 };
        sql_put(r, &j, "OVER (ORDER BY %s%s, %s)", x, p->desc ? " DESC" : "", sql_text(r, &id));
        if (p->op == ORDER_NTILE) {
            sql_put(r, &rank, "CAST(NTILE(%lld) %s AS %s) * 1000000", (long long)p->ntiles,
                    sql_text(r, &j), r->d->int64);
        } else {
            buf rn = { 0 };
            sql_put(r, &rn, "ROW_NUMBER() %s", sql_text(r, &j));
            rank_of(r, p, sql_text(r, &rn), "COUNT(*) OVER ()", &rank);
            buf_free(&rn);
        }
        sql_put(r, &body, "SELECT c.id, %s AS v FROM %s WHERE %s IS NOT NULL", sql_text(r, &rank),
                sql_text(r, &from), x);
        buf_free(&j);
    }
    if (p->b)
        sql_put(r, &body, " AND %s", sql_text(r, &ta));
    profiling_only(r, &in, &body);
    if (r->d->no_windows)
        sql_put(r, &body, ") ARRAY JOIN arrayMap(t -> tupleElement(t, 2), s) AS id, "
                "arrayEnumerate(s) AS j");
    char name[16];
    sql_cte(r, &body, name);
    sql_join(r, s, name, &ref);
    sql_put(r, o, "%s", sql_text(r, &ref));
    buf_free(&tx);
    buf_free(&ta);
    buf_free(&from);
    buf_free(&id);
    buf_free(&rank);
    buf_free(&body);
    buf_free(&ref);
    buf_free(&in.joins);
}

/* A score's expression; a profiling score is missing for whom profiling may not score. */
static void score(sql_ctx *r, sql_scope *s, const pnode *p, buf *o)
{
    if (!p->op || s->profiling) {
        sql_render_value(r, s, p->a, o);
        return;
    }
    s->profiling = 1;
    buf t, only = { 0 };
    const char *x = value_text(r, s, p->a, &t);
    profiling_only(r, s, &only);
    s->profiling = 0;
    sql_put(r, o, "CASE WHEN %s%s THEN %s END", r->d->t, sql_text(r, &only), x);
    buf_free(&t);
    buf_free(&only);
}

void sql_render_value(sql_ctx *r, sql_scope *s, const pnode *p, buf *o)
{
    char what[200];
    switch (p->kind) {
    case P_CONST: constant(r, p, o); return;
    case P_FIELD: field(r, p, o); return;
    case P_EVATTR: event_attr(r, p, p->op, o); return;
    case P_ARITH: arith(r, s, p, o); return;
    case P_FLOOR: { /* down to a whole number: x - (x mod 1, made non-negative) */
        buf t;
        const char *x = value_text(r, s, p->a, &t);
        sql_put(r, o, "(%s - ((%s %% 1000000) + 1000000) %% 1000000)", x, x);
        buf_free(&t);
        return;
    }
    case P_AGG: aggregate(r, s, p, o); return;
    case P_NTILE: ntile(r, s, p, o); return;
    case P_SCORE: score(r, s, p, o); return;
    case P_SCORE_FN:
        snprintf(what, sizeof what, "the Lua fn of score '%s'", p->str);
        sql_refuse(r, p->loc, what);
        return;
    case P_MODEL:
        snprintf(what, sizeof what, "model output '%s' (fitted in segrt)", p->str);
        sql_refuse(r, p->loc, what);
        return;
    case P_AGE: sql_refuse(r, p->loc, "age other than compared with constants"); return;
    case P_UPDATED: sql_refuse(r, p->loc, ":updated() (the layout holds no write times)"); return;
    default: sql_refuse(r, p->loc, "this expression"); return;
    }
}

/* ------------------------------------------------------------ predicates */

static const char *const cmp_sql[] = { "=", "<>", "<", "<=", ">", ">=" };

/* Value a, in byte order when it is a string compared by order. */
static const char *operand(sql_ctx *r, sql_scope *s, const pnode *a, int ordered, buf *t)
{
    if (a->type != VT_STR || !ordered)
        return value_text(r, s, a, t);
    buf x;
    const char *text = value_text(r, s, a, &x);
    *t = (buf){ 0 };
    call1(r, r->d->byte_order, t, text);
    buf_free(&x);
    return sql_text(r, t);
}

static void compare(sql_ctx *r, sql_scope *s, const pnode *p, buf *o)
{
    buf ta, tb, tc = { 0 };
    int ordered = p->kind == P_BETWEEN || (p->op != CMP_EQ && p->op != CMP_NE);
    const char *a = operand(r, s, p->a, ordered, &ta), *b = value_text(r, s, p->b, &tb);
    if (p->kind == P_BETWEEN)
        sql_put(r, o, "COALESCE(%s BETWEEN %s AND %s, %s)", a, b, value_text(r, s, p->c, &tc),
                r->d->f);
    else
        sql_put(r, o, "COALESCE(%s %s %s, %s)", a, cmp_sql[p->op], b, r->d->f);
    buf_free(&ta);
    buf_free(&tb);
    buf_free(&tc);
}

static void one_of(sql_ctx *r, sql_scope *s, const pnode *p, buf *o)
{
    buf t;
    sql_put(r, o, "COALESCE(%s IN (", value_text(r, s, p->a, &t));
    for (size_t i = 0; i < p->n; i++) {
        sql_put(r, o, i ? ", " : "");
        constant(r, p->list[i], o);
    }
    sql_put(r, o, "), %s)", r->d->f);
    buf_free(&t);
}

static void logic(sql_ctx *r, sql_scope *s, const pnode *p, buf *o)
{
    if (p->n == 0) {
        sql_put(r, o, "%s", p->kind == P_AND ? r->d->t : r->d->f);
        return;
    }
    sql_put(r, o, "(");
    for (size_t i = 0; i < p->n; i++) {
        sql_put(r, o, i ? (p->kind == P_AND ? " AND " : " OR ") : "");
        sql_render_pred(r, s, p->list[i], o);
    }
    sql_put(r, o, ")");
}

static void exists(sql_ctx *r, const pnode *p, buf *o)
{
    sql_put(r, o, "(c.id %s%sIN (SELECT e.contact_id", r->d->global, p->op ? "" : "NOT ");
    selection(r, p, o);
    sql_put(r, o, "))");
}

/*
 * seg.near: the haversine test of plan_near_holds, operation for operation
 * in doubles (constants printed to round-trip), so the engines' libm gives
 * segrt's answer.
 */
static void near(sql_ctx *r, sql_scope *s, const pnode *p, buf *o)
{
    const double rad = M_PI / 180.0, earth = 6371.0088;
    double h_max = sin(fmin(p->geo[2] / (2 * earth), M_PI / 2));
    h_max *= h_max;
    buf ta, tb, la = { 0 }, lo = { 0 }, s1 = { 0 }, s2 = { 0 };
    const char *a = value_text(r, s, p->a, &ta), *b = value_text(r, s, p->b, &tb);
    sql_put(r, &la, "(CAST(%s AS %s) / 1000000 * %.17g)", a, r->d->float64, rad);
    sql_put(r, &lo, "(CAST(%s AS %s) / 1000000 * %.17g)", b, r->d->float64, rad);
    sql_put(r, &s1, "SIN((%s - %.17g) / 2)", sql_text(r, &la), p->geo[0] * rad);
    sql_put(r, &s2, "SIN((%s - %.17g) / 2)", sql_text(r, &lo), p->geo[1] * rad);
    const char *x1 = sql_text(r, &s1), *x2 = sql_text(r, &s2);
    sql_put(r, o, "COALESCE(%s * %s + COS(%s) * COS(%.17g) * %s * %s <= %.17g, %s)", x1, x1,
            sql_text(r, &la), p->geo[0] * rad, x2, x2, h_max, r->d->f);
    buf_free(&ta);
    buf_free(&tb);
    buf_free(&la);
    buf_free(&lo);
    buf_free(&s1);
    buf_free(&s2);
}

void sql_render_pred(sql_ctx *r, sql_scope *s, const pnode *p, buf *o)
{
    buf t;
    char name[16];
    switch (p->kind) {
    case P_CMP:
    case P_BETWEEN: compare(r, s, p, o); return;
    case P_ONE_OF: one_of(r, s, p, o); return;
    case P_PRESENT:
        if (p->a->type == VT_SET && r->d->no_windows) /* an array is never NULL: empty */
            sql_put(r, o, "(length(%s) %s 0)", value_text(r, s, p->a, &t), p->op ? ">" : "=");
        else
            sql_put(r, o, "(%s IS %sNULL)", value_text(r, s, p->a, &t), p->op ? "NOT " : "");
        buf_free(&t);
        return;
    case P_CONTAINS: {
        buf k = { 0 };
        constant(r, p->b, &k);
        sql_put(r, o, "COALESCE(");
        call2(r, r->d->contains, o, value_text(r, s, p->a, &t), sql_text(r, &k));
        sql_put(r, o, ", %s)", r->d->f);
        buf_free(&k);
        buf_free(&t);
        return;
    }
    case P_AND:
    case P_OR: logic(r, s, p, o); return;
    case P_NOT:
        sql_put(r, o, "(NOT %s)", pred_text(r, s, p->a, &t));
        buf_free(&t);
        return;
    case P_EXISTS: exists(r, p, o); return;
    case P_MEMBER:
        sql_segment_cte(r, p->str, name);
        sql_put(r, o, "(c.id %sIN (SELECT id FROM %s))", r->d->global, sql_table(r, name));
        return;
    case P_NEAR: near(r, s, p, o); return;
    case P_SPLIT: sql_refuse(r, p->loc, "a seg.split arm"); return;
    default: sql_refuse(r, p->loc, "this predicate"); return;
    }
}
