/*
 * template.c — message templates (template.h, segrt_template_render): the
 * names in a template's placeholders resolved, in this order, to one of the
 * template's values, the contact's id, a contact field, or a score or model
 * output; each one compiled to a plan (the evaluator segments use) whose type
 * must suit the placeholder's format. Loading a script checks every template
 * this way; rendering evaluates the plans once over the store and fills the
 * text per member, in byte order of the ids.
 *
 * Uses: script.h (sessions, plans, the seg registry), template_text.h,
 * contact_json.h (a member's id, e-mail and string sets), dict.h, schema.h,
 * id_order.h, model.h, suggest.h, segset.h.
 */
#include "output/template.h"

#include "privacy/contact_json.h"
#include "store/dict.h"
#include "plan/catalog.h"
#include "store/schema.h"
#include "lua/script.h"
#include "plan/segset.h"
#include "output/template_text.h"
#include "util/value.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a placeholder name stands for. */
typedef enum ref_kind { REF_ID, REF_SET, REF_PLAN } ref_kind;

typedef struct template_text_ref {
    const char *name;  /* borrowed from the first part that names it */
    ref_kind kind;
    template_text_kind tkind;    /* what its values are */
    pnode *plan;       /* REF_PLAN */
    vec values;        /* REF_PLAN when rendering: per contact ordinal */
    const char **items;/* REF_SET when rendering: one member's items */
    size_t items_cap;
} template_text_ref;

typedef struct tpl {
    const char *name, *purpose, *loc; /* borrowed from the seg registry */
    const tree *values;               /* its own values, from the catalog */
    int html;
    template_text subject, body;
    template_text_ref *refs;
    size_t nrefs;
} tpl;

/* ------------------------------------------------------------ names, for hints */

typedef struct name_list {
    char *v[256];
    size_t n;
} name_list;

/* Add a copy of s[0..n) (not NUL-terminated when it comes from the store). */
static void names_add(name_list *l, const char *s, size_t n)
{
    if (l->n == sizeof l->v / sizeof l->v[0] || (l->v[l->n] = malloc(n + 1)) == NULL)
        return;
    memcpy(l->v[l->n], s, n);
    l->v[l->n++][n] = '\0';
}

/* The string keys of the table at idx. */
static void names_add_keys(name_list *l, lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx))
        return;
    for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) {
        if (lua_type(L, -2) == LUA_TSTRING) {
            size_t n;
            const char *k = lua_tolstring(L, -2, &n);
            names_add(l, k, n);
        }
    }
}

static const char *names_suggest(const name_list *l, const char *want)
{
    return suggest_closest(want, (const char *const *)l->v, l->n);
}

static void names_free(name_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    l->n = 0;
}

/* ------------------------------------------------------------ opening a template */

static void template_text_close(tpl *t)
{
    for (size_t i = 0; i < t->nrefs; i++) {
        plan_free(t->refs[i].plan);
        vec_free(&t->refs[i].values);
        free(t->refs[i].items);
    }
    free(t->refs);
    template_text_free(&t->subject);
    template_text_free(&t->body);
    *t = (tpl){ 0 };
}

static int part_fail(plan_ctx *cx, const tpl *t, const char *where, const template_text_part *part,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* "file:line: template 'x': body line 2: {first_nme} ..." */
static int part_fail(plan_ctx *cx, const tpl *t, const char *where, const template_text_part *part,
                     const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return store_fail(cx->s, SEGRT_ELUA, "%s: template '%s': %s line %u: %s %s", t->loc, t->name,
                      where, part->line, part->source, msg);
}

/* Push a node table { k = kind, name = name, loc = loc } as the seg module would make it. */
static void push_node(lua_State *L, const char *kind, const char *name, const char *loc)
{
    lua_createtable(L, 0, 3);
    lua_pushstring(L, kind);
    lua_setfield(L, -2, "k");
    lua_pushstring(L, name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, loc);
    lua_setfield(L, -2, "loc");
}

static int is_score(plan_ctx *cx, const char *name)
{
    const tree *def = catalog_score(cx->cat, name);
    return (def && def->kind == TREE_TABLE) || catalog_is_output(cx->cat, name);
}

/* The names a placeholder may use, for "did you mean". */
static void placeholder_names(plan_ctx *cx, int values, name_list *l)
{
    lua_State *L = script_of(cx)->L;
    names_add(l, "id", 2);
    names_add(l, "age", 3);
    for (size_t i = 0; i < cx->s->schema->n; i++)
        names_add(l, cx->s->schema->fields[i].name, strlen(cx->s->schema->fields[i].name));
    names_add_keys(l, L, values);
    script_push_registry(script_of(cx), "scores");
    names_add_keys(l, L, -1);
    lua_pop(L, 1);
}

/*
 * Resolve part's name into r; for a plan, the node is appended to the list
 * at refs (what the Art. 9 check reads). values is the template's values table.
 */
static int resolve(plan_ctx *cx, tpl *t, const char *where, const template_text_part *part, int values,
                   int refs, template_text_ref *r)
{
    lua_State *L = script_of(cx)->L;
    const char *name = part->name, *kind = NULL;
    *r = (template_text_ref){ .name = name, .kind = REF_PLAN };
    const field_def *f = schema_find(cx->s->schema, name, strlen(name));
    lua_getfield(L, values, name);
    if (lua_istable(L, -1)) {
        /* the template's own value */
    } else if (strcmp(name, "id") == 0) {
        lua_pop(L, 1);
        r->kind = REF_ID;
        r->tkind = TPL_STRING;
        return SEGRT_OK;
    } else if (f || strcmp(name, "age") == 0) {
        lua_pop(L, 1);
        push_node(L, kind = "field", name, t->loc);
        if (f && f->type == SEGRT_T_SET) {
            r->kind = REF_SET;
            r->tkind = TPL_LIST;
        }
    } else if (is_score(cx, name)) {
        lua_pop(L, 1);
        push_node(L, kind = "score", name, t->loc);
    } else {
        lua_pop(L, 1);
        name_list l = { 0 };
        placeholder_names(cx, values, &l);
        const char *near = names_suggest(&l, name);
        int rc = part_fail(cx, t, where, part, "names no field, score or value of the template%s%s%s",
                           near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        names_free(&l);
        return rc;
    }
    lua_pushvalue(L, -1);
    lua_rawseti(L, refs, (lua_Integer)lua_rawlen(L, refs) + 1);
    if (r->kind == REF_SET) {
        lua_pop(L, 1);
        return SEGRT_OK;
    }
    lua_pop(L, 1);
    r->plan = kind ? plan_compile_name(cx, kind, name, t->loc)
                   : plan_compile_value(cx, tree_get(t->values, name));
    if (r->plan == NULL)
        return SEGRT_ELUA;
    switch (r->plan->type) {
    case VT_NUM: r->tkind = TPL_NUMBER; break;
    case VT_STR: r->tkind = TPL_STRING; break;
    case VT_BOOL: r->tkind = TPL_BOOL; break;
    case VT_TIME:
        r->tkind = r->plan->kind == P_FIELD && r->plan->ftype == SEGRT_T_DATE ? TPL_DAY : TPL_TIME;
        break;
    default:
        plan_free(r->plan); /* r is not counted in t->refs yet */
        r->plan = NULL;
        return part_fail(cx, t, where, part, "is a duration: divide it by seg.days(1) for a "
                         "number of days");
    }
    return SEGRT_OK;
}

/* Give every placeholder of text its ref (a new one for a name not seen before). */
static int resolve_text(plan_ctx *cx, tpl *t, const char *where, template_text *text, int values,
                        int refs)
{
    for (size_t i = 0; i < text->n; i++) {
        template_text_part *part = &text->parts[i];
        if (part->name == NULL)
            continue;
        size_t k = 0;
        while (k < t->nrefs && strcmp(t->refs[k].name, part->name) != 0)
            k++;
        if (k == t->nrefs) {
            template_text_ref *grown = realloc(t->refs, (t->nrefs + 1) * sizeof *grown);
            if (grown == NULL)
                return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
            t->refs = grown;
            int rc = resolve(cx, t, where, part, values, refs, &t->refs[k]);
            if (rc != SEGRT_OK)
                return rc;
            t->nrefs++;
        }
        part->value = k;
        const char *why = template_text_format_mismatch(part, t->refs[k].tkind);
        if (why)
            return part_fail(cx, t, where, part, "cannot be shown: %s", why);
    }
    return SEGRT_OK;
}

static int parse_text(plan_ctx *cx, tpl *t, const char *where, const char *src, template_text *out)
{
    char err[300];
    int prc = template_text_parse(src, out, err, sizeof err);
    if (prc == -2)
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    if (prc != 0)
        return store_fail(cx->s, SEGRT_ELUA, "%s: template '%s': %s %s", t->loc, t->name, where,
                          err);
    return SEGRT_OK;
}

/* Push registry.templates[name]; SEGRT_ENOTFOUND (with a hint) when there is none. */
static int push_template(segrt_script *sc, const char *name)
{
    lua_State *L = sc->L;
    script_push_registry(sc, "templates");
    lua_getfield(L, -1, name);
    lua_remove(L, -2);
    if (lua_istable(L, -1))
        return SEGRT_OK;
    lua_pop(L, 1);
    name_list l = { 0 };
    script_push_registry(sc, "templates");
    names_add_keys(&l, L, -1);
    lua_pop(L, 1);
    const char *near = names_suggest(&l, name);
    int rc = near ? store_fail(sc->s, SEGRT_ENOTFOUND, "unknown template '%s' (did you mean '%s'?)",
                               name, near)
           : l.n ? store_fail(sc->s, SEGRT_ENOTFOUND, "unknown template '%s' (the script defines %s%s)",
                              name, l.v[0], l.n > 1 ? ", ..." : "")
                 : store_fail(sc->s, SEGRT_ENOTFOUND, "unknown template '%s': the script defines "
                              "none (seg.template \"name\" { ... })", name);
    names_free(&l);
    return rc;
}

static const char *field_string(lua_State *L, int idx, const char *key)
{
    lua_getfield(L, idx, key);
    const char *v = lua_tostring(L, -1); /* kept alive by the definition */
    lua_pop(L, 1);
    return v;
}

/* Read, parse and resolve template name (its definition stays alive in the registry). */
static int template_text_open(plan_ctx *cx, const char *name, tpl *t)
{
    lua_State *L = script_of(cx)->L;
    int top = lua_gettop(L);
    *t = (tpl){ 0 };
    int rc = push_template(script_of(cx), name);
    if (rc != SEGRT_OK)
        return rc;
    int def = lua_gettop(L);
    const char *format = field_string(L, def, "format");
    t->name = field_string(L, def, "name");
    t->purpose = field_string(L, def, "purpose");
    t->loc = field_string(L, def, "loc");
    t->html = format && strcmp(format, "html") == 0;
    t->values = tree_get(catalog_template(cx->cat, name), "values");
    lua_getfield(L, def, "values");
    int values = lua_gettop(L);
    lua_newtable(L); /* the nodes the placeholders read, kept in the definition as refs */
    int refs = lua_gettop(L);
    rc = parse_text(cx, t, "subject", field_string(L, def, "subject"), &t->subject);
    if (rc == SEGRT_OK)
        rc = parse_text(cx, t, "body", field_string(L, def, "body"), &t->body);
    if (rc == SEGRT_OK)
        rc = resolve_text(cx, t, "subject", &t->subject, values, refs);
    if (rc == SEGRT_OK)
        rc = resolve_text(cx, t, "body", &t->body, values, refs);
    if (rc == SEGRT_OK) {
        lua_pushvalue(L, refs);
        lua_setfield(L, def, "refs");
    }
    lua_settop(L, top);
    if (rc != SEGRT_OK)
        template_text_close(t);
    return rc;
}

/* ------------------------------------------------------------ checking at load */

static int add_purpose(void *ud, uint32_t code, const MDB_val *v)
{
    (void)code;
    names_add(ud, v->mv_data, v->mv_size);
    return 0;
}

/* A purpose with neither a consent check nor records is a typo that would reach nobody. */
static int check_purpose(plan_ctx *cx, const tpl *t)
{
    lua_State *L = script_of(cx)->L;
    script_push_registry(script_of(cx), "consents");
    lua_getfield(L, -1, t->purpose);
    int checked = lua_istable(L, -1);
    lua_pop(L, 1);
    uint32_t code = 0;
    int rc = checked ? SEGRT_OK
                     : dict_find(cx->s, cx->txn, FIELD_CS_PURPOSE, t->purpose, strlen(t->purpose),
                                 &code);
    if (rc != SEGRT_OK || checked || code) {
        lua_pop(L, 1);
        return rc;
    }
    name_list l = { 0 };
    names_add_keys(&l, L, -1);
    lua_pop(L, 1);
    dict_foreach(cx->s, cx->txn, FIELD_CS_PURPOSE, add_purpose, &l);
    const char *near = names_suggest(&l, t->purpose);
    rc = store_fail(cx->s, SEGRT_ELUA, "%s: template '%s': purpose '%s' has no consent check "
                    "(seg.consent) and no consent records in the store%s%s%s", t->loc, t->name,
                    t->purpose, near ? " (did you mean '" : "", near ? near : "",
                    near ? "'?)" : "");
    names_free(&l);
    return rc;
}

/* registry.check_sensitive_reads("template", name, refs, purpose, loc): the Art. 9 rule. */
static int check_sensitive(plan_ctx *cx, const tpl *t)
{
    lua_State *L = script_of(cx)->L;
    script_push_registry(script_of(cx), "check_sensitive_reads");
    lua_pushliteral(L, "template");
    lua_pushstring(L, t->name);
    push_template(script_of(cx), t->name);
    lua_getfield(L, -1, "refs");
    lua_remove(L, -2);
    lua_pushstring(L, t->purpose);
    lua_pushstring(L, t->loc);
    if (lua_pcall(L, 5, 0, 0) == LUA_OK)
        return SEGRT_OK;
    int rc = store_fail(cx->s, SEGRT_ELUA, "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
    return rc;
}

static int check_all(plan_ctx *cx, void *ud)
{
    (void)ud;
    lua_State *L = script_of(cx)->L;
    script_push_registry(script_of(cx), "template_order");
    int order = lua_gettop(L), rc = SEGRT_OK;
    for (lua_Integer i = 1; rc == SEGRT_OK && i <= (lua_Integer)lua_rawlen(L, order); i++) {
        lua_rawgeti(L, order, i);
        tpl t;
        rc = template_text_open(cx, lua_tostring(L, -1), &t);
        lua_pop(L, 1);
        if (rc == SEGRT_OK)
            rc = check_purpose(cx, &t);
        if (rc == SEGRT_OK)
            rc = check_sensitive(cx, &t);
        template_text_close(&t);
    }
    lua_pop(L, 1);
    return rc;
}

int template_check_all(segrt_script *sc)
{
    script_push_registry(sc, "template_order");
    size_t n = lua_rawlen(sc->L, -1);
    lua_pop(sc->L, 1);
    return n ? script_session(sc, check_all, NULL) : SEGRT_OK;
}

/* ------------------------------------------------------------ rendering */

typedef struct render_job {
    const char *template_text_name;
    const bitset *members;
    int (*fn)(void *ud, const segrt_message *m);
    void *ud;
} render_job;

/* ref's value for the member ord, whose fields are in row. */
static int member_value(plan_ctx *cx, template_text_ref *r, uint32_t ord, json_t *row, template_text_value *out)
{
    *out = (template_text_value){ .kind = TPL_MISSING };
    if (r->kind == REF_ID) {
        json_t *id = json_object_get(row, "id");
        *out = (template_text_value){ .kind = TPL_STRING, .s = json_string_value(id),
                            .len = json_string_length(id) };
        return SEGRT_OK;
    }
    if (r->kind == REF_SET) {
        json_t *arr = json_object_get(row, r->name), *item;
        size_t n = json_array_size(arr), i;
        if (n > r->items_cap) {
            const char **items = realloc(r->items, n * sizeof *items);
            if (items == NULL)
                return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
            r->items = items;
            r->items_cap = n;
        }
        json_array_foreach(arr, i, item) {
            const char *text = json_string_value(item);
            r->items[i] = text ? text : "";
        }
        *out = (template_text_value){ .kind = n ? TPL_LIST : TPL_MISSING, .items = r->items, .nitems = n };
        return SEGRT_OK;
    }
    int64_t x = vec_at(&r->values, ord);
    if (x == VALUE_MISSING)
        return SEGRT_OK;
    if (r->tkind != TPL_STRING) {
        *out = (template_text_value){ .kind = r->tkind, .v = x };
        return SEGRT_OK;
    }
    if (r->plan->kind == P_CONST) {
        *out = (template_text_value){ .kind = TPL_STRING, .s = r->plan->str, .len = strlen(r->plan->str) };
        return SEGRT_OK;
    }
    MDB_val text;
    int rc = dict_string(cx->s, cx->txn, r->plan->dict, (uint32_t)x, &text);
    if (rc == SEGRT_OK) /* borrowed until the session's transaction ends */
        *out = (template_text_value){ .kind = TPL_STRING, .s = text.mv_data, .len = text.mv_size };
    return rc;
}

/* The message for member ord: its values, then subject and body. */
static int render_member(plan_ctx *cx, const render_job *job, tpl *t, uint32_t ord,
                         template_text_value *vals, buf *subject, buf *body)
{
    json_t *row = json_object();
    int rc = row ? contact_json_fields(cx->s, cx->txn, ord, row)
                 : store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    for (size_t i = 0; i < t->nrefs && rc == SEGRT_OK; i++)
        rc = member_value(cx, &t->refs[i], ord, row, &vals[i]);
    subject->len = body->len = 0;
    if (rc == SEGRT_OK &&
        (template_text_render(&t->subject, vals, TPL_ESC_LINE, subject) != 0 || buf_put(subject, "", 1) ||
         template_text_render(&t->body, vals, t->html ? TPL_ESC_HTML : TPL_ESC_NONE, body) != 0 ||
         buf_put(body, "", 1)))
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK) {
        segrt_message m = { json_string_value(json_object_get(row, "id")),
                            json_string_value(json_object_get(row, "email")),
                            (const char *)subject->p, (const char *)body->p };
        rc = job->fn(job->ud, &m);
    }
    json_decref(row);
    return rc;
}

static int render_all(plan_ctx *cx, void *ud)
{
    const render_job *job = ud;
    tpl t;
    int rc = template_text_open(cx, job->template_text_name, &t);
    if (rc != SEGRT_OK)
        return rc;
    for (size_t i = 0; i < t.nrefs && rc == SEGRT_OK; i++) {
        if (t.refs[i].plan)
            rc = plan_eval_value(cx, t.refs[i].plan, &t.refs[i].values);
    }
    if (rc == SEGRT_OK && cx->ids.ord == NULL)
        rc = id_order_get(cx->s, cx->txn, &cx->ids);
    template_text_value *vals = calloc(t.nrefs ? t.nrefs : 1, sizeof *vals);
    buf subject = { 0 }, body = { 0 };
    if (rc == SEGRT_OK && vals == NULL)
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    const bitset *m = job->members;
    for (uint32_t j = 0; j < cx->ids.n && rc == SEGRT_OK; j++) {
        uint32_t ord = cx->ids.ord[j];
        if (ord < m->nbits && ord < cx->ncontacts && bitset_test(m, ord) &&
            bitset_test(cx->live, ord))
            rc = render_member(cx, job, &t, ord, vals, &subject, &body);
    }
    buf_free(&subject);
    buf_free(&body);
    free(vals);
    template_text_close(&t);
    return rc;
}

int segrt_template_render(segrt_script *sc, const char *segment, const char *template_text_name,
                          int (*fn)(void *ud, const segrt_message *m), void *ud)
{
    if (sc == NULL || segment == NULL || template_text_name == NULL || fn == NULL)
        return SEGRT_EINVAL;
    int rc = push_template(sc, template_text_name);
    if (rc != SEGRT_OK)
        return rc;
    const char *p = field_string(sc->L, -1, "purpose"); /* seg.template requires one */
    char *purpose = strdup(p ? p : "");
    lua_pop(sc->L, 1);
    if (purpose == NULL)
        return store_fail(sc->s, SEGRT_ENOMEM, "out of memory");
    segrt_set *set = NULL;
    rc = segrt_segment_eval(sc, segment, &set);
    if (rc == SEGRT_OK) /* the template's purpose, over what the segment's own allows */
        rc = segrt_set_keep_purpose(sc, set, purpose);
    render_job job = { template_text_name, set ? &set->bits : NULL, fn, ud };
    if (rc == SEGRT_OK)
        rc = script_session(sc, render_all, &job);
    segrt_set_free(set);
    free(purpose);
    return rc;
}
