/*
 * plan_extra.c — extra event attributes read from events' JSON (plan_extra.h).
 *
 * Uses: plan.h, event.h (timelines), value.h, jansson.
 */
#include "plan/plan_extra.h"

#include "store/event.h"
#include "store/evattr.h"
#include "util/value.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

#define MISSING VALUE_MISSING
#define SCALE VALUE_NUMBER_SCALE

/* The leaf at a dotted path of obj, or NULL. */
static json_t *leaf_at(json_t *obj, const char *path)
{
    char key[EVATTR_MAX_PATH + 1];
    while (obj && json_is_object(obj)) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n > EVATTR_MAX_PATH)
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        obj = json_object_get(obj, key);
        if (dot == NULL)
            return obj;
        path = dot + 1;
    }
    return NULL;
}

static int64_t number_of(const json_t *v)
{
    int64_t x;
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        return i > INT64_MAX / SCALE || i < -(INT64_MAX / SCALE) ? MISSING : (int64_t)i * SCALE;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v) * SCALE;
        return isfinite(d) && fabs(d) < 9.2e18 ? (int64_t)llround(d) : MISSING;
    }
    if (json_is_string(v) && value_parse_number(json_string_value(v), json_string_length(v), &x) == 0)
        return x;
    return MISSING;
}

static int64_t leaf_value(const json_t *v, segrt_type t)
{
    int64_t x;
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    size_t n = s ? json_string_length(v) : 0;
    switch (t) {
    case SEGRT_T_INTEGER:
    case SEGRT_T_NUMBER: return number_of(v);
    case SEGRT_T_BOOLEAN:
        if (json_is_boolean(v))
            return json_is_true(v);
        return s && value_parse_bool(s, n, &x) == 0 ? x : MISSING;
    case SEGRT_T_DATE: return s && value_parse_date(s, n, &x) == 0 ? plan_to_domain(t, x) : MISSING;
    case SEGRT_T_TIMESTAMP: return s && value_parse_timestamp(s, n, &x) == 0 ? x : MISSING;
    case SEGRT_T_STRING: return s ? 1 : MISSING;
    case SEGRT_T_SET: return MISSING;
    }
    return MISSING;
}

static json_t *parse(const char *json, size_t n)
{
    return n ? json_loadb(json, n, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
}

int64_t plan_extra_value(const char *json, size_t n, const char *path, segrt_type t)
{
    json_t *root = parse(json, n);
    const json_t *v = leaf_at(root, path);
    int64_t x = v ? leaf_value(v, t) : MISSING;
    json_decref(root);
    return x;
}

int plan_extra_is_string(const pnode *a)
{
    return a->kind == P_EVATTR && a->op == EVA_EXTRA && a->type == VT_STR;
}

int plan_extra_string_holds(const pnode *p, const char *json, size_t n)
{
    json_t *root = parse(json, n);
    const json_t *v = leaf_at(root, p->a->str);
    int holds = 0;
    if (v && json_is_string(v)) {
        MDB_val s = { json_string_length(v), (void *)json_string_value(v) };
        holds = plan_string_holds(p, &s);
    }
    json_decref(root);
    return holds;
}

int plan_extra_scan(plan_ctx *cx, const projection *part, plan_extra_fn fn, void *ud)
{
    event_list l = { 0 };
    uint32_t have = UINT32_MAX; /* the contact whose timeline l holds */
    int rc = SEGRT_OK;
    for (size_t j = 0; j < part->nspan && rc == SEGRT_OK; j++) {
        for (size_t i = part->span[j].lo; i < part->span[j].hi && rc == SEGRT_OK; i++) {
            uint32_t ord = part->ord[i];
            if (ord != have) {
                event_list_clear(&l);
                if ((rc = event_list_read(cx->s, cx->txn, ord, &l)) != SEGRT_OK)
                    break;
                have = ord;
            }
            if (part->seq[i] >= l.n) {
                rc = store_fail(cx->s, SEGRT_ECORRUPT, "events of contact %u are corrupt (the "
                                "projection names event %u of %zu)", ord, part->seq[i], l.n);
                break;
            }
            const char *eid, *extra;
            size_t neid, nextra;
            event_var(&l, &l.recs[part->seq[i]], &eid, &neid, &extra, &nextra);
            fn(ud, i, extra, nextra);
        }
    }
    event_list_free(&l);
    return rc;
}

struct column {
    const char *path;
    segrt_type t;
    int64_t *out;
};

static void column_value(void *ud, size_t i, const char *json, size_t n)
{
    struct column *c = ud;
    c->out[i] = plan_extra_value(json, n, c->path, c->t);
}

int plan_extra_column(plan_ctx *cx, const projection *part, const char *path, segrt_type t,
                      int64_t *out)
{
    for (size_t i = 0; i < part->n; i++)
        out[i] = MISSING;
    struct column c = { path, t, out };
    return plan_extra_scan(cx, part, column_value, &c);
}
