/*
 * plan_compile.c — from the expression tree of scripts/segrt.lua (a tree
 * copied out of Lua, util/tree.h) to a checked plan (plan.h): names resolved
 * against the store and the script's catalog (with "did you mean"), types
 * checked and constants converted to the domain they are compared in.
 */
#include "plan/plan.h"

#include "plan/catalog.h"
#include "plan/plan_split.h"
#include "store/dict.h"
#include "store/evattr.h"
#include "store/schema.h"
#include "util/suggest.h"
#include "util/value.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SCORE_DEPTH 32
#define MAX_DURATION (100000.0 * 366 * 86400) /* keeps NOW - d far from overflow */
#define MAX_DEPTH 256 /* compiling, evaluating and freeing recurse once per level */

int plan_fail(plan_ctx *cx, const char *loc, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return store_fail(cx->s, SEGRT_ELUA, "%s: %s", loc ? loc : "?", msg);
}

void plan_free(pnode *p)
{
    if (p == NULL)
        return;
    plan_free(p->a);
    plan_free(p->b);
    plan_free(p->c);
    plan_free(p->ev.where);
    plan_free(p->ev.window);
    for (size_t i = 0; i < p->n; i++)
        plan_free(p->list[i]);
    free(p->list);
    free(p->loc);
    free(p->str);
    free(p);
}

static const char *type_word(vtype t)
{
    static const char *const words[] = { "?", "a number", "a time", "a duration", "a string",
                                         "a boolean", "a string set", "a predicate" };
    return words[t <= VT_PRED ? t : 0];
}

/* "field 'region' (a string)", "the number 5", ... for error messages. */
static const char *describe(const pnode *p, char *buf, size_t n)
{
    if (p->kind == P_FIELD || p->kind == P_EVATTR)
        snprintf(buf, n, "'%s' (%s)", p->str, type_word(p->type));
    else if (p->kind == P_CONST && p->str)
        snprintf(buf, n, "the string \"%s\"", p->str);
    else if (p->kind == P_CONST && p->type == VT_NUM && p->k % VALUE_NUMBER_SCALE == 0)
        snprintf(buf, n, "the number %lld", (long long)(p->k / VALUE_NUMBER_SCALE));
    else
        snprintf(buf, n, "%s", type_word(p->type));
    return buf;
}

/* ------------------------------------------------------------ the tree */

typedef struct compiler {
    plan_ctx *cx;
    const char *scores[MAX_SCORE_DEPTH]; /* scores being compiled, for cycles */
    int nscores;
    int depth;
    const char *at; /* loc of the node being compiled, for a child that cannot be */
} compiler;

static pnode *compile(compiler *c, const tree *t, frame_kind frame);
static pnode *compile_node(compiler *c, const tree *t, frame_kind frame);

/* Whether the node has field key (tables hold no nil values). */
static int has(const tree *t, const char *key)
{
    const tree *v = tree_get(t, key);
    return v && v->kind != TREE_NIL;
}

static pnode *new_node(compiler *c, const tree *t, pkind kind, vtype type, frame_kind frame)
{
    pnode *p = calloc(1, sizeof *p);
    const char *loc = tree_get_string(t, "loc");
    if (p == NULL || (p->loc = strdup(loc ? loc : "?")) == NULL) {
        free(p);
        store_fail(c->cx->s, SEGRT_ENOMEM, "out of memory compiling a segment");
        return NULL;
    }
    p->kind = kind;
    p->type = type;
    p->frame = frame;
    return p;
}

static pnode *fail_node(compiler *c, pnode *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static pnode *fail_node(compiler *c, pnode *p, const char *fmt, ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    plan_fail(c->cx, p ? p->loc : "?", "%s", msg);
    plan_free(p);
    return NULL;
}

/* Compile child `key` of node t. */
static pnode *child(compiler *c, const tree *t, const char *key, frame_kind frame)
{
    return compile(c, tree_get(t, key), frame);
}

/* ------------------------------------------------------------ constants */

/* A number in micro-units: integers exactly, floats rounded. */
static int number_to_micro(const tree *v, int64_t *out)
{
    if (v->kind == TREE_INTEGER) {
        if (v->integer > INT64_MAX / VALUE_NUMBER_SCALE || v->integer < -(INT64_MAX / VALUE_NUMBER_SCALE))
            return -1;
        *out = v->integer * VALUE_NUMBER_SCALE;
        return 0;
    }
    double d = v->number * VALUE_NUMBER_SCALE;
    if (!(d > -9.2e18 && d < 9.2e18))
        return -1;
    *out = (int64_t)llround(d);
    return 0;
}

static pnode *compile_const(compiler *c, const tree *t, pnode *p)
{
    const tree *v = tree_get(t, "v");
    if (v && (v->kind == TREE_INTEGER || v->kind == TREE_FLOAT)) {
        p->type = VT_NUM;
        if (number_to_micro(v, &p->k) != 0)
            return fail_node(c, p, "the number %.63s is too large (numbers are exact to 6 "
                             "decimals within +-9.2e12)", tree_tostring(v));
    } else if (v && v->kind == TREE_BOOLEAN) {
        p->type = VT_BOOL;
        p->k = v->boolean;
    } else {
        const char *text = tree_tostring(v);
        p->type = VT_STR;
        if ((p->str = strdup(text ? text : "")) == NULL)
            return fail_node(c, p, "out of memory");
    }
    return p;
}

/* A string constant used where a number, time or boolean is wanted. */
static int coerce(compiler *c, pnode *k, vtype want)
{
    char buf[128];
    if (k->kind != P_CONST || k->type != VT_STR || want == VT_STR)
        return 0;
    size_t n = strlen(k->str);
    int bad = 1;
    if (want == VT_NUM)
        bad = value_parse_number(k->str, n, &k->k) != 0;
    else if (want == VT_TIME)
        bad = segrt_time_parse(k->str, &k->k) != SEGRT_OK;
    else if (want == VT_BOOL)
        bad = value_parse_bool(k->str, n, &k->k) != 0;
    if (bad) {
        plan_fail(c->cx, k->loc, "%s is not %s", describe(k, buf, sizeof buf), type_word(want));
        return -1;
    }
    free(k->str);
    k->str = NULL;
    k->type = want;
    return 0;
}

/* A constant duration of sane size (what NOW - d and windows need). */
static int is_duration(const pnode *d)
{
    return d->kind == P_CONST && d->type == VT_DUR && d->k >= -(int64_t)MAX_DURATION &&
           d->k <= (int64_t)MAX_DURATION;
}

/* ------------------------------------------------------------ fields */

static const char *const event_attrs[] = { "ts", "amount", "category", "channel" };
static const vtype event_attr_types[] = { VT_TIME, VT_NUM, VT_STR, VT_STR };
static const uint16_t event_attr_dicts[] = { 0, 0, FIELD_EV_CATEGORY, FIELD_EV_CHANNEL };

/* Whether a segment of the catalog is a seg.tag rule. */
static int script_has_tags(const catalog *cat)
{
    for (size_t i = 0; cat && i < cat->nseg; i++) {
        if (tree_get(catalog_segment(cat, cat->names[i]), "tag"))
            return 1;
    }
    return 0;
}

static pnode *unknown_field(compiler *c, pnode *p, const char *name)
{
    const struct schema *sc = c->cx->s->schema;
    const char *names[256] = { "age" };
    size_t n = 1;
    for (size_t i = 0; i < sc->n && n < 255; i++)
        names[n++] = sc->fields[i].name;
    const char *near = suggest_closest(name, names, n);
    if (c->cx->checking && !near && strcmp(name, "tags") == 0 && script_has_tags(c->cx->cat))
        c->cx->unseen = 1; /* the first run of a seg.tag rule makes the field */
    if (near)
        return fail_node(c, p, "unknown field '%s' (did you mean '%s'?)", name, near);
    return fail_node(c, p, "unknown field '%s' (the store has no such contact field)", name);
}

static vtype field_vtype(segrt_type t)
{
    switch (t) {
    case SEGRT_T_INTEGER:
    case SEGRT_T_NUMBER: return VT_NUM;
    case SEGRT_T_STRING: return VT_STR;
    case SEGRT_T_BOOLEAN: return VT_BOOL;
    case SEGRT_T_DATE:
    case SEGRT_T_TIMESTAMP: return VT_TIME;
    case SEGRT_T_SET: return VT_SET;
    }
    return VT_NUM;
}

/* Collects the paths of the store's extra event attributes (for a did-you-mean). */
typedef struct attr_names {
    char (*names)[EVATTR_MAX_PATH + 1];
    const char *ptrs[64];
    size_t n;
} attr_names;

static int collect_attr(void *ud, const char *path, size_t n, segrt_type t)
{
    (void)t;
    attr_names *a = ud;
    if (a->n < 64) {
        snprintf(a->names[a->n], EVATTR_MAX_PATH + 1, "%.*s", (int)n, path);
        a->ptrs[a->n] = a->names[a->n];
        a->n++;
    }
    return 0;
}

/*
 * An event attribute that is none of ts, amount, category and channel: an
 * extra attribute of the store (evattr.h), else an error naming the closest.
 * what: how the attribute is used, for the message.
 */
static pnode *compile_extra_attr(compiler *c, pnode *p, const char *name, const char *what)
{
    segrt_type t;
    int rc = evattr_get(c->cx->s, c->cx->txn, name, strlen(name), &t);
    if (rc == SEGRT_OK) {
        p->ftype = t;
        p->type = field_vtype(t);
        return p;
    }
    if (rc != SEGRT_ENOTFOUND)
        return plan_free(p), NULL;
    attr_names a = { .names = calloc(64, EVATTR_MAX_PATH + 1) };
    if (a.names == NULL)
        return fail_node(c, p, "out of memory");
    for (int i = 0; i < 4; i++)
        a.ptrs[a.n++] = event_attrs[i];
    evattr_foreach(c->cx->s, c->cx->txn, collect_attr, &a);
    const char *near = suggest_closest(name, a.ptrs, a.n);
    c->cx->unseen |= c->cx->checking && near == NULL;
    char hint[EVATTR_MAX_PATH + 32] = "";
    if (near)
        snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
    free(a.names);
    return fail_node(c, p, "unknown event attribute '%s'%s %s: ts, amount, category, channel, or "
                     "an attribute the store's events have", name, hint, what);
}

static pnode *compile_field(compiler *c, const tree *t, pnode *p, frame_kind frame)
{
    const char *name = tree_get_string(t, "name");
    if ((p->str = strdup(name ? name : "")) == NULL)
        return fail_node(c, p, "out of memory");
    if (frame == FRAME_EVENTS) {
        for (int i = 0; i < 4; i++) {
            if (strcmp(p->str, event_attrs[i]) == 0) {
                p->kind = P_EVATTR;
                p->op = i;
                p->type = event_attr_types[i];
                p->dict = event_attr_dicts[i];
                return p;
            }
        }
        p->kind = P_EVATTR;
        p->op = EVA_EXTRA;
        return compile_extra_attr(c, p, p->str, "in :where");
    }
    int age = strcmp(p->str, "age") == 0;
    const field_def *f = schema_find(c->cx->s->schema, age ? "birth_date" : p->str,
                                     strlen(age ? "birth_date" : p->str));
    if (f == NULL && !age)
        return unknown_field(c, p, p->str);
    if (age) {
        if (f == NULL || f->type != SEGRT_T_DATE)
            return fail_node(c, p, "age is derived from birth_date, and the store has no date "
                             "field birth_date");
        p->kind = P_AGE;
        p->type = VT_NUM;
    } else {
        p->kind = P_FIELD;
        p->type = field_vtype(f->type);
    }
    p->field = f->id;
    p->ftype = f->type;
    p->dict = f->id;
    return p;
}

/* F.x:updated(): when the contact's value of field x was last written. */
static pnode *compile_updated(compiler *c, const tree *t, pnode *p, frame_kind frame)
{
    if (frame != FRAME_CONTACTS)
        return fail_node(c, p, ":updated() takes a contact field, not an event attribute");
    if ((p->a = child(c, t, "a", frame)) == NULL)
        return plan_free(p), NULL;
    if (p->a->kind != P_FIELD)
        return fail_node(c, p, ":updated() takes a contact field, e.g. F.phone:updated()");
    p->kind = P_UPDATED;
    p->type = VT_TIME;
    p->field = p->a->field;
    return p;
}

/* ------------------------------------------------------------ events */

static int collect_type(void *ud, uint32_t code, const MDB_val *v)
{
    (void)code;
    struct { char names[64][64]; const char *ptrs[64]; size_t n; } *t = ud;
    if (t->n < 64) {
        snprintf(t->names[t->n], sizeof t->names[0], "%.*s", (int)v->mv_size, (const char *)v->mv_data);
        t->ptrs[t->n] = t->names[t->n];
        t->n++;
    }
    return 0;
}

/* The FIELD_EV_TYPE code of an event type; an unknown type is an error with a hint. */
static int event_type_code(compiler *c, pnode *p, const char *name, uint32_t *code)
{
    int rc = dict_find(c->cx->s, c->cx->txn, FIELD_EV_TYPE, name, strlen(name), code);
    if (rc != SEGRT_OK)
        return rc;
    if (*code)
        return SEGRT_OK;
    struct { char names[64][64]; const char *ptrs[64]; size_t n; } *types = calloc(1, sizeof *types);
    if (types == NULL)
        return store_fail(c->cx->s, SEGRT_ENOMEM, "out of memory");
    dict_foreach(c->cx->s, c->cx->txn, FIELD_EV_TYPE, collect_type, types);
    const char *near = suggest_closest(name, types->ptrs, types->n);
    c->cx->unseen |= c->cx->checking && near == NULL;
    if (near)
        rc = plan_fail(c->cx, p->loc, "unknown event type '%s' (did you mean '%s'?)", name, near);
    else
        rc = plan_fail(c->cx, p->loc, "unknown event type '%s' (the store has no such events)",
                       name);
    free(types);
    return rc;
}

/* Fill p->ev from the events node ev. */
static int compile_selection(compiler *c, const tree *ev, pnode *p)
{
    const char *type = tree_get_string(ev, "type");
    int rc = event_type_code(c, p, type ? type : "", &p->ev.type);
    if (rc != SEGRT_OK)
        return rc;
    if (has(ev, "pred") && (p->ev.where = child(c, ev, "pred", FRAME_EVENTS)) == NULL)
        return SEGRT_ELUA;
    if (has(ev, "window")) {
        if ((p->ev.window = child(c, ev, "window", FRAME_CONTACTS)) == NULL)
            return SEGRT_ELUA;
        if (!is_duration(p->ev.window))
            return plan_fail(c->cx, p->loc, ":within takes a duration such as seg.days(30), "
                             "within +-100000 years");
    }
    return SEGRT_OK;
}

/*
 * :first "attr" / :last "attr" (attr not ts): the attribute of the earliest
 * or latest selected event, e.g. the category of the last purchase.
 */
static int is_builtin_attr(const char *attr)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(attr, event_attrs[i]) == 0)
            return 1;
    }
    return 0;
}

/* The aggregated attribute is extra attribute attr, typed as the store says. */
static pnode *agg_extra(compiler *c, pnode *p, const char *fn, const char *attr)
{
    char what[EVATTR_MAX_PATH + 16];
    snprintf(what, sizeof what, "in :%s", fn);
    p->ev.attr = EVA_EXTRA;
    if ((p->str = strdup(attr)) == NULL)
        return fail_node(c, p, "out of memory");
    return compile_extra_attr(c, p, attr, what);
}

/*
 * :first "attr" / :last "attr" (attr not ts): the attribute of the earliest
 * or latest selected event, e.g. the category of the last purchase.
 */
static pnode *compile_first_last_of(compiler *c, pnode *p, const char *fn, const char *attr)
{
    p->op = fn[0] == 'f' ? AGG_FIRST_OF : AGG_LAST_OF;
    for (int i = EVA_AMOUNT; i <= EVA_CHANNEL; i++) {
        if (strcmp(attr, event_attrs[i]) == 0) {
            p->ev.attr = i;
            p->type = event_attr_types[i];
            p->dict = event_attr_dicts[i];
            return p;
        }
    }
    if ((p = agg_extra(c, p, fn, attr)) == NULL)
        return NULL;
    if (p->type == VT_STR) /* a value of its own: no dictionary codes to compare it by */
        return fail_node(c, p, ":%s \"%s\": '%s' holds text, and :first and :last take ts, "
                         "amount, category, channel or an extra attribute of another type; "
                         "select by it with :where instead", fn, attr, attr);
    return p;
}

static pnode *compile_agg(compiler *c, const tree *t, pnode *p, frame_kind frame)
{
    if (frame != FRAME_CONTACTS)
        return fail_node(c, p, "an event aggregate cannot be used inside an event :where");
    const char *fn = tree_get_string(t, "fn");
    const char *attr = tree_get_string(t, "attr");
    int rc = compile_selection(c, tree_get(t, "ev"), p);
    if (rc != SEGRT_OK) {
        plan_free(p);
        return NULL;
    }
    p->kind = P_AGG;
    static const struct { const char *name; int op; } fns[] = {
        { "count", AGG_COUNT }, { "sum", AGG_SUM }, { "avg", AGG_AVG }, { "min", AGG_MIN },
        { "max", AGG_MAX },     { "first", AGG_MIN }, { "last", AGG_MAX },
    };
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        if (strcmp(fn, fns[i].name) == 0)
            p->op = fns[i].op;
    }
    if (strcmp(fn, "decayed") == 0) {
        p->op = AGG_DECAYED;
        p->type = VT_NUM;
        pnode *hl = child(c, t, "half_life", FRAME_CONTACTS);
        if (hl == NULL)
            return plan_free(p), NULL;
        int ok = is_duration(hl) && hl->k > 0;
        p->k = hl->k;
        plan_free(hl);
        return ok ? p : fail_node(c, p, ":decayed takes a positive duration such as seg.days(30)");
    }
    if (p->op == AGG_COUNT) {
        p->type = VT_NUM;
        return p;
    }
    if (attr == NULL)
        return fail_node(c, p, ":%s needs an attribute, e.g. :%s \"amount\"", fn, fn);
    int ends = strcmp(fn, "first") == 0 || strcmp(fn, "last") == 0;
    if (ends && strcmp(attr, "ts") != 0)
        return compile_first_last_of(c, p, fn, attr);
    if (strcmp(attr, "amount") == 0) {
        p->ev.attr = EVA_AMOUNT;
        p->type = VT_NUM;
    } else if (strcmp(attr, "ts") == 0 && p->op != AGG_SUM && p->op != AGG_AVG) {
        p->ev.attr = EVA_TS;
        p->type = VT_TIME;
    } else if (!is_builtin_attr(attr)) {
        if ((p = agg_extra(c, p, fn, attr)) == NULL)
            return NULL;
        int sums = p->op == AGG_SUM || p->op == AGG_AVG;
        if (p->type != VT_NUM && (sums || p->type != VT_TIME))
            return fail_node(c, p, ":%s \"%s\": '%s' is typed %s; :sum and :avg take numbers, "
                             ":min and :max numbers and times", fn, attr, attr,
                             segrt_type_name(p->ftype));
    } else {
        return fail_node(c, p, ":%s \"%s\": of the built-in attributes only amount can be "
                         "summed or averaged, amount or ts compared (min, max), and :first/:last "
                         "take any", fn, attr);
    }
    return p;
}

/* ------------------------------------------------------------ scores, members */

static pnode *compile_score(compiler *c, const tree *t, pnode *p, frame_kind frame)
{
    const catalog *cat = c->cx->cat;
    const char *name = tree_get_string(t, "name");
    if (frame != FRAME_CONTACTS)
        return fail_node(c, p, "a score cannot be used inside an event :where");
    const tree *def = catalog_score(cat, name);
    if (def == NULL) {
        if (catalog_is_output(cat, name)) {
            p->kind = P_MODEL;
            p->type = VT_NUM;
            p->op = catalog_is_profiling(cat, name);
            p->str = strdup(name);
            return p->str ? p : fail_node(c, p, "out of memory");
        }
        return fail_node(c, p, "unknown score '%s' (define it with seg.score \"%s\" { ... })", name,
                         name);
    }
    for (int i = 0; i < c->nscores; i++) {
        if (strcmp(c->scores[i], name) == 0)
            return fail_node(c, p, "score '%s' depends on itself", name);
    }
    const tree *fn = tree_get(def, "fn");
    if (fn && fn->kind == TREE_FUNCTION) {
        p->kind = P_SCORE_FN;
        p->type = VT_NUM;
        p->str = strdup(name);
        return p->str ? p : fail_node(c, p, "out of memory");
    }
    if (c->nscores == MAX_SCORE_DEPTH)
        return fail_node(c, p, "scores nested too deeply");
    c->scores[c->nscores++] = name;
    pnode *e = child(c, def, "expr", frame);
    c->nscores--;
    if (e == NULL)
        return plan_free(p), NULL;
    if (e->kind == P_CONST) { /* nothing to reuse */
        plan_free(p);
        return e;
    }
    p->kind = P_SCORE;
    p->type = e->type;
    p->dict = e->dict;
    p->a = e;
    p->op = catalog_is_profiling(cat, name);
    p->str = strdup(name);
    return p->str ? p : fail_node(c, p, "out of memory");
}

static pnode *compile_member(compiler *c, const tree *t, pnode *p, frame_kind frame)
{
    const char *name = tree_get_string(t, "name");
    if (frame != FRAME_CONTACTS)
        return fail_node(c, p, "seg.member cannot be used inside an event :where");
    p->kind = P_MEMBER;
    p->type = VT_PRED;
    if ((p->str = strdup(name)) == NULL)
        return fail_node(c, p, "out of memory");
    const catalog *cat = c->cx->cat;
    if (catalog_segment_index(cat, name) < 0) {
        const char *near = suggest_closest(name, cat->names, cat->nseg);
        if (near)
            return fail_node(c, p, "unknown segment '%s' (did you mean '%s'?)", name, near);
        return fail_node(c, p, "unknown segment '%s'", name);
    }
    return p;
}

/* seg.split's arm: { k = "split", name = NAME, lo = LO, hi = HI }, 0 <= LO < HI <= 100. */
static pnode *compile_split(compiler *c, const tree *t, pnode *p, frame_kind frame)
{
    const char *name = tree_get_string(t, "name");
    int64_t lo = -1, hi = -1;
    if (frame != FRAME_CONTACTS)
        return fail_node(c, p, "a split arm cannot be used inside an event :where");
    if (name == NULL || !tree_tointeger(tree_get(t, "lo"), &lo) ||
        !tree_tointeger(tree_get(t, "hi"), &hi) || lo < 0 || hi > PLAN_SPLIT_BUCKETS || lo >= hi)
        return fail_node(c, p, "a split arm needs a name and buckets 0 <= lo < hi <= 100");
    p->kind = P_SPLIT;
    p->type = VT_PRED;
    p->op = (int)lo;
    p->k = hi;
    p->str = strdup(name);
    return p->str ? p : fail_node(c, p, "out of memory");
}

/* ------------------------------------------------------------ operators */

static pnode *compile_arith(compiler *c, const tree *t, pnode *p, frame_kind frame)
{
    const char *op = tree_get_string(t, "op");
    p->op = strcmp(op, "min") == 0 ? 'm' : strcmp(op, "max") == 0 ? 'M' : op[0];
    if ((p->a = child(c, t, "a", frame)) == NULL || (p->b = child(c, t, "b", frame)) == NULL)
        return plan_free(p), NULL;
    vtype a = p->a->type, b = p->b->type;
    if (a == VT_STR && p->a->kind == P_CONST && coerce(c, p->a, b == VT_DUR ? VT_NUM : b) != 0)
        return plan_free(p), NULL;
    if (b == VT_STR && p->b->kind == P_CONST && coerce(c, p->b, a == VT_DUR ? VT_NUM : a) != 0)
        return plan_free(p), NULL;
    a = p->a->type;
    b = p->b->type;
    vtype r = 0;
    switch (p->op) {
    case '+':
        r = a == VT_NUM && b == VT_NUM ? VT_NUM : a == VT_DUR && b == VT_DUR ? VT_DUR
          : a == VT_TIME && b == VT_DUR ? VT_TIME : a == VT_DUR && b == VT_TIME ? VT_TIME : 0;
        break;
    case '-':
        r = a == VT_NUM && b == VT_NUM ? VT_NUM : a == VT_DUR && b == VT_DUR ? VT_DUR
          : a == VT_TIME && b == VT_DUR ? VT_TIME : a == VT_TIME && b == VT_TIME ? VT_DUR : 0;
        break;
    case '*':
        r = a == VT_NUM && b == VT_NUM ? VT_NUM : a == VT_DUR && b == VT_NUM ? VT_DUR
          : a == VT_NUM && b == VT_DUR ? VT_DUR : 0;
        break;
    case '/':
        r = a == VT_NUM && b == VT_NUM ? VT_NUM : a == VT_DUR && b == VT_DUR ? VT_NUM
          : a == VT_DUR && b == VT_NUM ? VT_DUR : 0;
        break;
    case 'm': /* least, greatest: of two values of one kind */
    case 'M':
        r = a == b && (a == VT_NUM || a == VT_TIME || a == VT_DUR) ? a : 0;
        break;
    }
    if (r == 0) {
        char x[160], y[160];
        if (p->op == 'm' || p->op == 'M')
            return fail_node(c, p, "seg.%s needs two numbers, times or durations, got %s and %s",
                             p->op == 'm' ? "least" : "greatest", describe(p->a, x, sizeof x),
                             describe(p->b, y, sizeof y));
        return fail_node(c, p, "cannot compute %s %c %s", describe(p->a, x, sizeof x), p->op,
                         describe(p->b, y, sizeof y));
    }
    p->kind = P_ARITH;
    p->type = r;
    if (p->a->kind == P_CONST && p->b->kind == P_CONST) { /* fold: days(15) * 2 is a constant */
        p->k = plan_arith(p->op, p->a->k, p->b->k);
        p->kind = P_CONST;
        plan_free(p->a);
        plan_free(p->b);
        p->a = p->b = NULL;
    }
    return p;
}

/* Make b comparable with a; both must end up of one type. */
static int unify(compiler *c, pnode *p, pnode *a, pnode *b, const char *what)
{
    char x[160], y[160];
    if (a->type == VT_SET)
        return plan_fail(c->cx, p->loc, "%s is a string set: use :contains(value)",
                         describe(a, x, sizeof x)), -1;
    if (b->type == VT_STR && b->kind == P_CONST && coerce(c, b, a->type) != 0)
        return -1;
    if (a->type == VT_STR && a->kind == P_CONST && coerce(c, a, b->type) != 0)
        return -1;
    if (a->type != b->type)
        return plan_fail(c->cx, p->loc, "type mismatch in :%s: %s compared with %s", what,
                         describe(a, x, sizeof x), describe(b, y, sizeof y)), -1;
    if (a->type == VT_STR && a->kind != P_CONST && b->kind != P_CONST)
        return plan_fail(c->cx, p->loc, ":%s compares two string values; compare a string with "
                         "a constant", what), -1;
    return 0;
}

/* ------------------------------------------------------------ age */

/*
 * The last birth instant (midnight UTC) of anyone aged k or more at NOW:
 * age = Y - y - ((M, D) < (m, d)), so age >= k exactly when the birthday is
 * on or before (Y - k, M, D), with 29 February read as 28 in other years.
 */
static int64_t age_cut(int64_t now, int64_t k)
{
    int64_t rem = now % 86400, days = now / 86400 - (rem < 0), y;
    unsigned m, d;
    value_civil_from_days(days, &y, &m, &d);
    int64_t yy = y - k;
    int leap = (yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0;
    return value_days_from_civil(yy, m, m == 2 && d == 29 && !leap ? 28 : d) * 86400;
}

static int64_t floor_years(int64_t micros)
{
    int64_t q = micros / VALUE_NUMBER_SCALE;
    return q - (micros % VALUE_NUMBER_SCALE < 0);
}

static int64_t ceil_years(int64_t micros)
{
    return -floor_years(-micros);
}

/*
 * Rewrite a comparison of age with constants into one of birth_date, so
 * the scan compares dates instead of computing every contact's age.
 */
static void age_pushdown(compiler *c, pnode *p)
{
    enum { LIMIT = 1000000 }; /* years: keeps Y - k a valid calendar year */
    pnode *a = p->a;
    if (a->kind != P_AGE || p->b->kind != P_CONST || (p->c && p->c->kind != P_CONST) ||
        (p->kind == P_CMP && p->op == CMP_NE))
        return;
    int64_t lo, hi; /* the ages kept: lo <= age <= hi (whole years) */
    int64_t x = p->b->k;
    if (p->kind == P_BETWEEN) {
        lo = ceil_years(x);
        hi = floor_years(p->c->k);
    } else {
        switch (p->op) {
        case CMP_GE: lo = ceil_years(x), hi = LIMIT; break;
        case CMP_GT: lo = floor_years(x) + 1, hi = LIMIT; break;
        case CMP_LE: lo = -LIMIT, hi = floor_years(x); break;
        case CMP_LT: lo = -LIMIT, hi = ceil_years(x) - 1; break;
        default: /* CMP_EQ */
            lo = ceil_years(x);
            hi = floor_years(x);
        }
    }
    lo = lo < -LIMIT ? -LIMIT : lo > LIMIT ? LIMIT : lo;
    hi = hi < -LIMIT ? -LIMIT : hi > LIMIT ? LIMIT : hi;
    /* age >= lo: birth <= cut(lo); age <= hi: birth > cut(hi + 1) */
    int64_t now = c->cx->now;
    a->kind = P_FIELD;
    a->type = VT_TIME;
    a->ftype = SEGRT_T_DATE;
    if (p->c == NULL) {
        if ((p->c = calloc(1, sizeof *p->c)) == NULL) {
            a->kind = P_AGE; /* no memory for the rewrite: evaluate ages after all */
            a->type = VT_NUM;
            return;
        }
        p->c->loc = strdup(p->b->loc);
    }
    p->c->kind = P_CONST;
    p->c->type = VT_TIME;
    p->kind = P_BETWEEN;
    p->b->type = VT_TIME;
    p->b->k = age_cut(now, hi + 1) + 1;
    p->c->k = age_cut(now, lo);
}

static const char *const cmp_names[] = { "eq", "ne", "lt", "le", "gt", "ge" };

static pnode *compile_cmp(compiler *c, const tree *t, pnode *p, frame_kind frame, const char *k)
{
    p->kind = P_CMP;
    p->type = VT_PRED;
    if ((p->a = child(c, t, "a", frame)) == NULL || (p->b = child(c, t, "b", frame)) == NULL)
        return plan_free(p), NULL;
    if (strcmp(k, "cmp") == 0) {
        const char *op = tree_get_string(t, "op");
        for (int i = 0; i < 6; i++) {
            if (strcmp(op, cmp_names[i]) == 0)
                p->op = i;
        }
        if (unify(c, p, p->a, p->b, op) != 0)
            return plan_free(p), NULL;
        if (p->a->kind == P_CONST && p->b->kind != P_CONST) { /* keep the constant on the right */
            pnode *x = p->a;
            p->a = p->b;
            p->b = x;
            static const int flip[] = { CMP_EQ, CMP_NE, CMP_GT, CMP_GE, CMP_LT, CMP_LE };
            p->op = flip[p->op];
        }
        age_pushdown(c, p);
        return p;
    }
    /* within / older_than take a duration; before / after a time */
    int window = strcmp(k, "within") == 0 || strcmp(k, "older_than") == 0;
    char x[160];
    if (p->a->type != VT_TIME)
        return fail_node(c, p, ":%s needs a date or time, got %s", k, describe(p->a, x, sizeof x));
    if (window) {
        if (!is_duration(p->b))
            return fail_node(c, p, ":%s takes a duration such as seg.days(30), within +-100000 "
                             "years", k);
        p->b->k = c->cx->now - p->b->k; /* resolved at evaluation: plans are compiled per run */
        p->b->type = VT_TIME;
        p->op = k[0] == 'w' ? CMP_GE : CMP_LT;
    } else {
        if (coerce(c, p->b, VT_TIME) != 0)
            return plan_free(p), NULL;
        if (p->b->type != VT_TIME)
            return fail_node(c, p, ":%s takes a time such as seg.time \"2025-06-01T00:00:00Z\"", k);
        p->op = k[0] == 'b' ? CMP_LT : CMP_GT;
    }
    return p;
}

static pnode *compile_between(compiler *c, const tree *t, pnode *p, frame_kind frame)
{
    p->kind = P_BETWEEN;
    p->type = VT_PRED;
    if ((p->a = child(c, t, "a", frame)) == NULL || (p->b = child(c, t, "lo", frame)) == NULL ||
        (p->c = child(c, t, "hi", frame)) == NULL)
        return plan_free(p), NULL;
    if (unify(c, p, p->a, p->b, "between") != 0 || unify(c, p, p->a, p->c, "between") != 0)
        return plan_free(p), NULL;
    if (p->a->type == VT_STR && (p->b->kind != P_CONST || p->c->kind != P_CONST))
        return fail_node(c, p, ":between on strings takes two constants");
    age_pushdown(c, p);
    return p;
}

static pnode *compile_list(compiler *c, const tree *t, pnode *p, frame_kind frame)
{
    const tree *list = tree_get(t, "list");
    size_t n = tree_count(list);
    p->list = calloc(n ? n : 1, sizeof *p->list);
    if (p->list == NULL)
        return fail_node(c, p, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if ((p->list[i] = compile(c, tree_item(list, i), frame)) == NULL)
            return plan_free(p), NULL;
        p->n = i + 1;
    }
    return p;
}

static pnode *compile_one_of(compiler *c, const tree *t, pnode *p, frame_kind frame)
{
    p->kind = P_ONE_OF;
    p->type = VT_PRED;
    if ((p->a = child(c, t, "a", frame)) == NULL)
        return plan_free(p), NULL;
    if (compile_list(c, t, p, frame) == NULL)
        return NULL; /* compile_list freed p */
    for (size_t i = 0; i < p->n; i++) {
        if (p->list[i]->kind != P_CONST)
            return fail_node(c, p, ":one_of takes constants");
        if (unify(c, p, p->a, p->list[i], "one_of") != 0)
            return plan_free(p), NULL;
    }
    return p;
}

static pnode *compile_logic(compiler *c, const tree *t, pnode *p, frame_kind frame, const char *k)
{
    p->type = VT_PRED;
    if (strcmp(k, "not") == 0) {
        p->kind = P_NOT;
        if ((p->a = child(c, t, "a", frame)) == NULL)
            return plan_free(p), NULL;
        return p;
    }
    p->kind = k[0] == 'a' ? P_AND : P_OR;
    return compile_list(c, t, p, frame);
}

static pnode *compile_pred_of_value(compiler *c, const tree *t, pnode *p, frame_kind frame,
                                    const char *k)
{
    p->type = VT_PRED;
    if ((p->a = child(c, t, "a", frame)) == NULL)
        return plan_free(p), NULL;
    char x[160];
    if (strcmp(k, "contains") == 0) {
        p->kind = P_CONTAINS;
        if (p->a->type != VT_SET || p->a->kind != P_FIELD)
            return fail_node(c, p, ":contains needs a string set field, got %s",
                             describe(p->a, x, sizeof x));
        if ((p->b = child(c, t, "b", frame)) == NULL)
            return plan_free(p), NULL;
        if (p->b->kind != P_CONST || p->b->type != VT_STR)
            return fail_node(c, p, ":contains takes a string");
        return p;
    }
    p->kind = P_PRESENT;
    p->op = strcmp(k, "present") == 0;
    return p;
}

static pnode *compile_time_const(compiler *c, const tree *t, pnode *p, const char *k)
{
    p->kind = P_CONST;
    if (strcmp(k, "dur") == 0) {
        double secs = 0;
        tree_tonumber(tree_get(t, "secs"), &secs);
        p->type = VT_DUR;
        if (!(secs >= -MAX_DURATION && secs <= MAX_DURATION))
            return fail_node(c, p, "a duration of %.0f seconds is beyond +-100000 years", secs);
        p->k = (int64_t)llround(secs);
    } else if (strcmp(k, "now") == 0) {
        p->type = VT_TIME;
        p->k = c->cx->now;
    } else if (strcmp(k, "time") == 0) {
        const char *text = tree_get_string(t, "text");
        p->type = VT_TIME;
        if (segrt_time_parse(text, &p->k) != SEGRT_OK)
            return fail_node(c, p, "seg.time \"%s\" is not YYYY-MM-DDTHH:MM:SSZ", text);
    } else { /* ago */
        pnode *d = child(c, t, "a", FRAME_CONTACTS);
        if (d == NULL)
            return plan_free(p), NULL;
        int ok = is_duration(d);
        p->k = ok ? c->cx->now - d->k : 0;
        plan_free(d);
        if (!ok)
            return fail_node(c, p, "seg.ago takes a duration such as seg.days(30), within "
                             "+-100000 years");
        p->type = VT_TIME;
    }
    return p;
}

static pnode *compile_ntile(compiler *c, const tree *t, pnode *p, frame_kind frame)
{
    if (frame != FRAME_CONTACTS)
        return fail_node(c, p, "seg.ntile cannot be used inside an event :where");
    p->kind = P_NTILE;
    p->type = VT_NUM;
    const char *mode = tree_get_string(t, "mode");
    p->op = mode && strcmp(mode, "rank") == 0         ? ORDER_RANK
          : mode && strcmp(mode, "percentile") == 0 ? ORDER_PERCENTILE
                                                    : ORDER_NTILE;
    if (!tree_tointeger(tree_get(t, "n"), &p->ntiles))
        p->ntiles = 0;
    p->desc = tree_toboolean(tree_get(t, "desc"));
    if ((p->a = child(c, t, "a", frame)) == NULL)
        return plan_free(p), NULL;
    if (has(t, "among") && (p->b = child(c, t, "among", frame)) == NULL)
        return plan_free(p), NULL;
    if (p->a->type != VT_NUM && p->a->type != VT_TIME && p->a->type != VT_DUR)
        return fail_node(c, p, "seg.ntile orders by a number or a time");
    return p;
}

/* seg.near: a, b = latitude and longitude values; list of the constants lat0, lon0, km. */
static pnode *compile_near(compiler *c, const tree *t, pnode *p, frame_kind frame)
{
    p->kind = P_NEAR;
    p->type = VT_PRED;
    if ((p->a = child(c, t, "a", frame)) == NULL || (p->b = child(c, t, "b", frame)) == NULL)
        return plan_free(p), NULL;
    if (p->a->type != VT_NUM || p->b->type != VT_NUM)
        return fail_node(c, p, "seg.near takes a latitude and a longitude as numbers");
    static const char *const keys[] = { "lat0", "lon0", "km" };
    for (int i = 0; i < 3; i++) {
        p->geo[i] = 0;
        tree_tonumber(tree_get(t, keys[i]), &p->geo[i]);
    }
    if (!(p->geo[2] >= 0) || !(p->geo[0] >= -90 && p->geo[0] <= 90))
        return fail_node(c, p, "seg.near: a latitude in -90..90 and a distance >= 0, please");
    return p;
}

static pnode *compile(compiler *c, const tree *t, frame_kind frame)
{
    if (t == NULL || (t->kind != TREE_TABLE && t->kind != TREE_DEEP && t->kind != TREE_CYCLE)) {
        plan_fail(c->cx, "?", "expected a seg expression, got a %s", tree_typename(t));
        return NULL;
    }
    if (t->kind == TREE_CYCLE) { /* a table built by hand, not by the seg module */
        plan_fail(c->cx, c->at, "the expression contains itself");
        return NULL;
    }
    if (c->depth >= MAX_DEPTH || t->kind == TREE_DEEP) {
        const char *loc = tree_get_string(t, "loc");
        plan_fail(c->cx, loc ? loc : c->at, "expression nested more than %d levels deep",
                  MAX_DEPTH);
        return NULL;
    }
    const char *outer = c->at;
    c->at = tree_get_string(t, "loc");
    c->depth++;
    pnode *p = compile_node(c, t, frame);
    c->depth--;
    c->at = outer;
    return p;
}

static pnode *compile_node(compiler *c, const tree *t, frame_kind frame)
{
    const char *k = tree_get_string(t, "k");
    pnode *p = new_node(c, t, P_CONST, 0, frame);
    if (p == NULL)
        return NULL;
    if (k == NULL)
        return fail_node(c, p, "not a seg expression");
    if (strcmp(k, "const") == 0)
        return compile_const(c, t, p);
    if (strcmp(k, "dur") == 0 || strcmp(k, "now") == 0 || strcmp(k, "time") == 0 ||
        strcmp(k, "ago") == 0)
        return compile_time_const(c, t, p, k);
    if (strcmp(k, "field") == 0)
        return compile_field(c, t, p, frame);
    if (strcmp(k, "updated") == 0)
        return compile_updated(c, t, p, frame);
    if (strcmp(k, "arith") == 0)
        return compile_arith(c, t, p, frame);
    if (strcmp(k, "floor") == 0) {
        p->kind = P_FLOOR;
        p->type = VT_NUM;
        if ((p->a = child(c, t, "a", frame)) == NULL)
            return plan_free(p), NULL;
        return p->a->type == VT_NUM ? p : fail_node(c, p, "seg.floor takes a number");
    }
    if (strcmp(k, "agg") == 0)
        return compile_agg(c, t, p, frame);
    if (strcmp(k, "ntile") == 0)
        return compile_ntile(c, t, p, frame);
    if (strcmp(k, "score") == 0)
        return compile_score(c, t, p, frame);
    if (strcmp(k, "cmp") == 0 || strcmp(k, "within") == 0 || strcmp(k, "older_than") == 0 ||
        strcmp(k, "before") == 0 || strcmp(k, "after") == 0)
        return compile_cmp(c, t, p, frame, k);
    if (strcmp(k, "between") == 0)
        return compile_between(c, t, p, frame);
    if (strcmp(k, "one_of") == 0)
        return compile_one_of(c, t, p, frame);
    if (strcmp(k, "present") == 0 || strcmp(k, "missing") == 0 || strcmp(k, "contains") == 0)
        return compile_pred_of_value(c, t, p, frame, k);
    if (strcmp(k, "and") == 0 || strcmp(k, "or") == 0 || strcmp(k, "not") == 0)
        return compile_logic(c, t, p, frame, k);
    if (strcmp(k, "exists") == 0 || strcmp(k, "none") == 0) {
        if (frame != FRAME_CONTACTS)
            return fail_node(c, p, ":%s cannot be used inside an event :where", k);
        p->kind = P_EXISTS;
        p->type = VT_PRED;
        p->op = k[0] == 'e';
        int rc = compile_selection(c, tree_get(t, "ev"), p);
        return rc == SEGRT_OK ? p : (plan_free(p), NULL);
    }
    if (strcmp(k, "member") == 0)
        return compile_member(c, t, p, frame);
    if (strcmp(k, "near") == 0)
        return compile_near(c, t, p, frame);
    if (strcmp(k, "split") == 0)
        return compile_split(c, t, p, frame);
    return fail_node(c, p, "unknown seg expression '%s'", k);
}

pnode *plan_compile_value(plan_ctx *cx, const tree *t)
{
    compiler c = { .cx = cx, .at = "?" };
    pnode *p = compile(&c, t, FRAME_CONTACTS);
    if (p && (p->type == VT_PRED || p->type == VT_SET)) {
        plan_fail(cx, p->loc, "not a value expression");
        plan_free(p);
        return NULL;
    }
    return p;
}

pnode *plan_compile(plan_ctx *cx, const tree *t, frame_kind frame)
{
    compiler c = { .cx = cx, .at = "?" };
    pnode *p = compile(&c, t, frame);
    if (p && p->type != VT_PRED) {
        char x[160];
        plan_fail(cx, p->loc, "a segment's where must be a predicate, got %s (compare it: :gt, "
                  ":eq, ...)", describe(p, x, sizeof x));
        plan_free(p);
        return NULL;
    }
    return p;
}

pnode *plan_compile_name(plan_ctx *cx, const char *kind, const char *name, const char *loc)
{
    tree_doc *doc = tree_doc_new();
    tree *t = doc ? tree_new(doc, TREE_TABLE) : NULL;
    const char *keys[] = { "k", "name", "loc" }, *values[] = { kind, name, loc };
    int ok = t != NULL;
    for (int i = 0; ok && i < 3; i++) {
        tree *v = tree_new(doc, TREE_STRING);
        ok = v && tree_set_text(doc, v, values[i], strlen(values[i])) == 0 &&
             tree_put(doc, t, keys[i], strlen(keys[i]), v) == 0;
    }
    pnode *p = ok ? plan_compile_value(cx, t) : NULL;
    if (!ok)
        store_fail(cx->s, SEGRT_ENOMEM, "out of memory compiling a segment");
    tree_doc_free(doc);
    return p;
}
