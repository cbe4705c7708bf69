/*
 * script_template.c — compiling and checking a script's message templates
 * (script_template.h): each read from the script's catalog, its text parsed
 * (template_text.h), its placeholders resolved and compiled to plans; at
 * load, its purpose and the Art. 9 rule checked (the latter by the seg
 * module's check_sensitive_reads, in Lua).
 *
 * Uses: script_lua.h, catalog.h, template_text.h, dict.h, schema.h, suggest.h,
 * array.h.
 */
#include "lua/script_template.h"

#include "lua/script_lua.h"
#include "plan/catalog.h"
#include "store/dict.h"
#include "store/schema.h"
#include "util/array.h"
#include "util/suggest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The string keys of table t. */
static void names_add_keys(name_list *l, const tree *t)
{
    for (size_t i = 0; t && t->kind == TREE_TABLE && i < t->nfields; i++)
        names_add(l, t->fields[i].key, t->fields[i].len);
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

void script_template_close(script_template *t)
{
    for (size_t i = 0; i < t->nrefs; i++) {
        plan_free(t->refs[i].plan);
        vec_free(&t->refs[i].values);
        free(t->refs[i].items);
    }
    free(t->refs);
    template_text_free(&t->subject);
    template_text_free(&t->body);
    *t = (script_template){ 0 };
}

static int part_fail(plan_ctx *cx, const script_template *t, const char *where,
                     const template_text_part *part, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* "file:line: template 'x': body line 2: {first_nme} ..." */
static int part_fail(plan_ctx *cx, const script_template *t, const char *where,
                     const template_text_part *part, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return store_fail(cx->s, SEGRT_ELUA, "%s: template '%s': %s line %u: %s %s", t->loc, t->name,
                      where, part->line, part->source, msg);
}

static int is_score(plan_ctx *cx, const char *name)
{
    const tree *def = catalog_score(cx->cat, name);
    return (def && def->kind == TREE_TABLE) || catalog_is_output(cx->cat, name);
}

/* The names a placeholder may use, for "did you mean". */
static void placeholder_names(plan_ctx *cx, const script_template *t, name_list *l)
{
    names_add(l, "id", 2);
    names_add(l, "age", 3);
    for (size_t i = 0; i < cx->s->schema->n; i++)
        names_add(l, cx->s->schema->fields[i].name, strlen(cx->s->schema->fields[i].name));
    names_add_keys(l, t->values);
    names_add_keys(l, cx->cat->scores);
}

/* Resolve part's name into r. */
static int resolve(plan_ctx *cx, script_template *t, const char *where,
                   const template_text_part *part, script_template_ref *r)
{
    const char *name = part->name;
    *r = (script_template_ref){ .name = name, .kind = REF_PLAN };
    const field_def *f = schema_find(cx->s->schema, name, strlen(name));
    const tree *own = tree_get(t->values, name);
    if (own && own->kind == TREE_TABLE) {
        /* the template's own value */
    } else if (strcmp(name, "id") == 0) {
        r->kind = REF_ID;
        r->tkind = TPL_STRING;
        return SEGRT_OK;
    } else if (f || strcmp(name, "age") == 0) {
        r->node = "field";
        if (f && f->type == SEGRT_T_SET) {
            r->kind = REF_SET;
            r->tkind = TPL_LIST;
            return SEGRT_OK;
        }
    } else if (is_score(cx, name)) {
        r->node = "score";
    } else {
        name_list l = { 0 };
        placeholder_names(cx, t, &l);
        const char *near = names_suggest(&l, name);
        int rc = part_fail(cx, t, where, part, "names no field, score or value of the template%s%s%s",
                           near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        names_free(&l);
        return rc;
    }
    r->plan = r->node ? plan_compile_name(cx, r->node, name, t->loc) : plan_compile_value(cx, own);
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
static int resolve_text(plan_ctx *cx, script_template *t, const char *where, template_text *text)
{
    for (size_t i = 0; i < text->n; i++) {
        template_text_part *part = &text->parts[i];
        if (part->name == NULL)
            continue;
        size_t k = 0;
        while (k < t->nrefs && strcmp(t->refs[k].name, part->name) != 0)
            k++;
        if (k == t->nrefs) {
            if (ARRAY_RESERVE(t->refs, t->refs_cap, t->nrefs + 1) != 0)
                return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
            int rc = resolve(cx, t, where, part, &t->refs[k]);
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

static int parse_text(plan_ctx *cx, script_template *t, const char *where, const char *src,
                      template_text *out)
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

/* The definition of template name in cat; SEGRT_ENOTFOUND (with a hint) when there is none. */
static int find_template(segrt_store *s, const catalog *cat, const char *name, const tree **def)
{
    *def = catalog_template(cat, name);
    if (*def && (*def)->kind == TREE_TABLE)
        return SEGRT_OK;
    name_list l = { 0 };
    names_add_keys(&l, cat->templates);
    const char *near = names_suggest(&l, name);
    int rc = near ? store_fail(s, SEGRT_ENOTFOUND, "unknown template '%s' (did you mean '%s'?)",
                               name, near)
           : l.n ? store_fail(s, SEGRT_ENOTFOUND, "unknown template '%s' (the script defines %s%s)",
                              name, l.v[0], l.n > 1 ? ", ..." : "")
                 : store_fail(s, SEGRT_ENOTFOUND, "unknown template '%s': the script defines "
                              "none (seg.template \"name\" { ... })", name);
    names_free(&l);
    return rc;
}

int script_template_purpose(segrt_script *sc, const char *name, char **purpose)
{
    const catalog *cat;
    const tree *def = NULL;
    *purpose = NULL;
    int rc = script_catalog(sc, &cat);
    if (rc == SEGRT_OK)
        rc = find_template(sc->s, cat, name, &def);
    const char *p = def ? tree_get_string(def, "purpose") : NULL; /* seg.template requires one */
    if (rc == SEGRT_OK && (*purpose = strdup(p ? p : "")) == NULL)
        rc = store_fail(sc->s, SEGRT_ENOMEM, "out of memory");
    return rc;
}

int script_template_open(plan_ctx *cx, const char *name, script_template *t)
{
    *t = (script_template){ 0 };
    const tree *def;
    int rc = find_template(cx->s, cx->cat, name, &def);
    if (rc != SEGRT_OK)
        return rc;
    const char *format = tree_get_string(def, "format");
    t->name = tree_get_string(def, "name");
    t->purpose = tree_get_string(def, "purpose");
    t->loc = tree_get_string(def, "loc");
    t->html = format && strcmp(format, "html") == 0;
    t->values = tree_get(def, "values");
    rc = parse_text(cx, t, "subject", tree_get_string(def, "subject"), &t->subject);
    if (rc == SEGRT_OK)
        rc = parse_text(cx, t, "body", tree_get_string(def, "body"), &t->body);
    if (rc == SEGRT_OK)
        rc = resolve_text(cx, t, "subject", &t->subject);
    if (rc == SEGRT_OK)
        rc = resolve_text(cx, t, "body", &t->body);
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
static int check_purpose(plan_ctx *cx, const script_template *t)
{
    const tree *consent = catalog_consent(cx->cat, t->purpose);
    uint32_t code = 0;
    int checked = consent && consent->kind == TREE_TABLE;
    int rc = checked ? SEGRT_OK
                     : dict_find(cx->s, cx->txn, FIELD_CS_PURPOSE, t->purpose, strlen(t->purpose),
                                 &code);
    if (rc != SEGRT_OK || checked || code)
        return rc;
    name_list l = { 0 };
    names_add_keys(&l, cx->cat->consents);
    dict_foreach(cx->s, cx->txn, FIELD_CS_PURPOSE, add_purpose, &l);
    const char *near = names_suggest(&l, t->purpose);
    rc = store_fail(cx->s, SEGRT_ELUA, "%s: template '%s': purpose '%s' has no consent check "
                    "(seg.consent) and no consent records in the store%s%s%s", t->loc, t->name,
                    t->purpose, near ? " (did you mean '" : "", near ? near : "",
                    near ? "'?)" : "");
    names_free(&l);
    return rc;
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

/*
 * Protected: 1 the template (lightuserdata), 2 the seg registry, 3 its
 * values. Calls registry.check_sensitive_reads("template", name, refs,
 * purpose, loc), refs being the nodes its placeholders read: its own values,
 * and fields and scores as the seg module makes them.
 */
static int l_check_reads(lua_State *L)
{
    const script_template *t = lua_touserdata(L, 1);
    lua_getfield(L, 2, "check_sensitive_reads");       /* fn */
    lua_pushliteral(L, "template");
    lua_pushstring(L, t->name);                        /* fn "template" name */
    lua_createtable(L, (int)t->nrefs, 0);              /* fn "template" name refs */
    lua_Integer n = 0;
    for (size_t i = 0; i < t->nrefs; i++) {
        const script_template_ref *r = &t->refs[i];
        if (r->kind == REF_ID)
            continue;
        if (r->node)
            push_node(L, r->node, r->name, t->loc);
        else
            lua_getfield(L, 3, r->name);
        lua_rawseti(L, -2, ++n);
    }
    lua_pushstring(L, t->purpose);
    lua_pushstring(L, t->loc);                         /* fn "template" name refs purpose loc */
    lua_call(L, 5, 0);
    return 0;
}

/* The Art. 9 rule over what template t reads (the seg module's check, in Lua). */
static int check_sensitive(plan_ctx *cx, const script_template *t)
{
    segrt_script *sc = script_of(cx);
    lua_State *L = sc->L;
    int top = lua_gettop(L);
    lua_pushcfunction(L, l_check_reads);
    lua_pushlightuserdata(L, (void *)t);
    lua_rawgeti(L, LUA_REGISTRYINDEX, sc->registry_ref); /* l_check_reads t registry */
    lua_getfield(L, -1, "templates");
    lua_getfield(L, -1, t->name);
    lua_getfield(L, -1, "values");
    lua_replace(L, top + 4);
    lua_settop(L, top + 4);                            /* l_check_reads t registry values */
    int rc = SEGRT_OK;
    if (script_pcall(L, 3, 0) != LUA_OK)
        rc = store_fail(cx->s, SEGRT_ELUA, "%s", lua_tostring(L, -1));
    lua_settop(L, top);
    return rc;
}

static int check_all(plan_ctx *cx, void *ud)
{
    (void)ud;
    const tree *order = cx->cat->template_order;
    int rc = SEGRT_OK;
    for (size_t i = 0; rc == SEGRT_OK && i < tree_count(order); i++) {
        script_template t;
        const char *name = tree_tostring(tree_item(order, i));
        rc = script_template_open(cx, name ? name : "", &t);
        if (rc == SEGRT_OK)
            rc = check_purpose(cx, &t);
        if (rc == SEGRT_OK)
            rc = check_sensitive(cx, &t);
        script_template_close(&t);
    }
    return rc;
}

int script_template_check_all(segrt_script *sc)
{
    const catalog *cat;
    int rc = script_catalog(sc, &cat);
    if (rc == SEGRT_OK && tree_count(cat->template_order))
        rc = script_session(sc, check_all, NULL);
    return rc;
}
