/*
 * contact_proxy.c — the contact `c` handed to filter, score and consent
 * check functions: c.field reads a field as `segrt export` shows it
 * (numbers, strings, booleans; dates and timestamps as ISO text; sets as
 * arrays; missing as nil), c.id the external id, c.age the derived age,
 * c:events "type" iterates that type's events oldest first.
 *
 * One userdata is reused for every contact. Scalar fields come straight from
 * their column chunks (the last chunk per field is remembered), so a filter
 * pays for the fields it reads and nothing else.
 */
#include "store/column_scalar.h"
#include "store/dict.h"
#include "store/event.h"
#include "store/row.h"
#include "store/schema.h"
#include "lua/script_lua.h"
#include "util/value.h"

#include <jansson.h>
#include <lauxlib.h>
#include <stdalign.h>
#include <string.h>

#define PROXY_MT "segrt.contact"
#define BOX_MT "segrt.box"

/*
 * A box: C memory a function holds while Lua may raise (a memory error, a
 * corrupt record), in a to-be-closed userdata, so that an error unwinding
 * the function releases it (STYLE 7). Popping the box releases it too.
 */
typedef struct box {
    void (*release)(void *data);
    alignas(max_align_t) unsigned char data[];
} box;

static int box_close(lua_State *L)
{
    box *b = lua_touserdata(L, 1);
    if (b->release)
        b->release(b->data);
    b->release = NULL;
    return 0;
}

/* Push a box of size zeroed bytes that release frees when it closes. */
static void *push_box(lua_State *L, size_t size, void (*release)(void *data))
{
    box *b = lua_newuserdatauv(L, sizeof *b + size, 0);
    b->release = NULL;
    memset(b->data, 0, size);
    if (luaL_newmetatable(L, BOX_MT)) {
        lua_pushcfunction(L, box_close);
        lua_setfield(L, -2, "__close");
        lua_pushcfunction(L, box_close);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    lua_toclose(L, -1);
    b->release = release;
    return b->data;
}

static void release_row(void *data)
{
    row_free(data);
}

static void release_events(void *data)
{
    event_list_free(data);
}

static void release_json(void *data)
{
    json_decref(*(json_t **)data);
}

/* Call seg.<fn>(arg) of the seg module; its result stays on the stack. */
static void call_seg(lua_State *L, const char *fn, const char *arg)
{
    lua_getfield(L, LUA_REGISTRYINDEX, "segrt.module");
    lua_getfield(L, -1, fn);
    lua_remove(L, -2);
    lua_pushstring(L, arg);
    lua_call(L, 1, 1);
}

static contact_proxy *check_proxy(lua_State *L)
{
    contact_proxy *p = luaL_checkudata(L, 1, PROXY_MT);
    if (p->cx == NULL)
        luaL_error(L, "a contact can only be read while its segment is evaluated");
    return p;
}

static int fail_store(lua_State *L, contact_proxy *p)
{
    return luaL_error(L, "%s", segrt_errmsg(p->cx->s));
}

/* Push a dictionary string, or nil for code 0. */
static void push_dict(lua_State *L, contact_proxy *p, uint16_t dict, uint32_t code)
{
    MDB_val v;
    if (code == 0) {
        lua_pushnil(L);
        return;
    }
    if (dict_string(p->cx->s, p->cx->txn, dict, code, &v) != SEGRT_OK)
        fail_store(L, p);
    lua_pushlstring(L, v.mv_data, v.mv_size);
}

static void push_number(lua_State *L, int64_t micros)
{
    if (micros % VALUE_NUMBER_SCALE == 0)
        lua_pushinteger(L, micros / VALUE_NUMBER_SCALE);
    else
        lua_pushnumber(L, (double)micros / VALUE_NUMBER_SCALE);
}

static void push_time(lua_State *L, int64_t secs)
{
    char t[24];
    value_format_timestamp(secs, t);
    lua_pushstring(L, t);
}

/*
 * Scalar field f of p's contact from its column, through the
 * one-entry-per-slot cache of chunks: a string's code or a value,
 * VALUE_MISSING when the contact has none.
 */
static int64_t field_at(lua_State *L, contact_proxy *p, const field_def *f)
{
    uint32_t chunk = p->ord >> COL_CHUNK_BITS;
    struct chunk_slot *slot = &p->slots[f->id % CONTACT_PROXY_SLOTS];
    if (!slot->used || slot->field != f->id || slot->chunk != chunk) {
        MDB_val v;
        column_scalar c = { 0 };
        int rc = column_chunk_get(p->cx->s, p->cx->txn, f->id, chunk, 0, &v);
        if (rc != SEGRT_OK && rc != SEGRT_ENOTFOUND)
            fail_store(L, p);
        if (rc == SEGRT_OK && column_scalar_of(&v, f->type, &c) != 0)
            luaL_error(L, "column of '%s' is corrupt", f->name);
        *slot = (struct chunk_slot){ 1, f->id, chunk, rc == SEGRT_OK, c };
    }
    return slot->stored ? column_scalar_at(&slot->c, p->ord & (COL_CHUNK_ROWS - 1))
                        : VALUE_MISSING;
}

/* A set field from the contact's row record (sets are columns of bitsets). */
static void push_set(lua_State *L, contact_proxy *p, const field_def *f)
{
    uint32_t ord = p->ord;
    MDB_val k = store_ord_key(&ord), v;
    int mrc = mdb_get(p->cx->txn, p->cx->s->dbi[DB_CONTACTS], &k, &v);
    lua_pushnil(L);                                    /* nil: the value, unless a set */
    int value = lua_gettop(L);
    row *r = push_box(L, sizeof *r, release_row);      /* nil box */
    if (mrc != 0 || row_decode(r, v.mv_data, v.mv_size) != 0)
        luaL_error(L, "contact %u cannot be read", ord);
    const row_value *rv = row_get(r, f->id);
    if (rv && rv->is_set && rv->nset) {
        lua_createtable(L, (int)rv->nset, 0);          /* nil box set */
        for (uint32_t i = 0; i < rv->nset; i++) {
            push_dict(L, p, f->id, row_set_codes(r, rv)[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        lua_replace(L, value);                         /* set box */
    }
    lua_pop(L, 1);                                     /* the value; the row is freed */
}

static void push_field(lua_State *L, contact_proxy *p, const field_def *f)
{
    if (f->type == SEGRT_T_SET) {
        push_set(L, p, f);
        return;
    }
    int64_t v = field_at(L, p, f);
    char text[24];
    if (v == VALUE_MISSING) {
        lua_pushnil(L);
        return;
    }
    switch (f->type) {
    case SEGRT_T_STRING: push_dict(L, p, f->id, (uint32_t)v); break;
    case SEGRT_T_INTEGER: lua_pushinteger(L, v); break;
    case SEGRT_T_NUMBER: push_number(L, v); break;
    case SEGRT_T_BOOLEAN: lua_pushboolean(L, v != 0); break;
    case SEGRT_T_DATE: value_format_date(v, text); lua_pushstring(L, text); break;
    default: push_time(L, v); break;
    }
}

static void push_id(lua_State *L, contact_proxy *p)
{
    char id[512];
    contact_proxy_id_text(p->cx, p->ord, id, sizeof id);
    lua_pushstring(L, id);
}

static void push_age(lua_State *L, contact_proxy *p)
{
    const field_def *f = schema_find(p->cx->s->schema, "birth_date", 10);
    if (f == NULL || f->type != SEGRT_T_DATE) {
        lua_pushnil(L);
        return;
    }
    int64_t days = field_at(L, p, f);
    if (days == VALUE_MISSING)
        lua_pushnil(L);
    else
        lua_pushinteger(L, value_age_years(days, p->cx->now));
}

/* ------------------------------------------------------------ events */

/* Push a JSON scalar or array of extra attributes. */
static void push_json(lua_State *L, json_t *v)
{
    luaL_checkstack(L, 4, "nested value");
    switch (json_typeof(v)) {
    case JSON_STRING: lua_pushlstring(L, json_string_value(v), json_string_length(v)); break;
    case JSON_INTEGER: lua_pushinteger(L, (lua_Integer)json_integer_value(v)); break;
    case JSON_REAL: lua_pushnumber(L, json_real_value(v)); break;
    case JSON_TRUE: lua_pushboolean(L, 1); break;
    case JSON_FALSE: lua_pushboolean(L, 0); break;
    case JSON_ARRAY: {
        size_t i;
        json_t *item;
        lua_createtable(L, (int)json_array_size(v), 0);
        json_array_foreach(v, i, item) {
            push_json(L, item);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        break;
    }
    default: lua_pushnil(L);
    }
}

static void push_event(lua_State *L, contact_proxy *p, const event_list *l, const event_rec *r,
                       const char *type)
{
    lua_createtable(L, 0, 6);
    push_time(L, r->ts);
    lua_setfield(L, -2, "ts");
    lua_pushstring(L, type);
    lua_setfield(L, -2, "type");
    if (r->amount != VALUE_MISSING) {
        push_number(L, r->amount);
        lua_setfield(L, -2, "amount");
    }
    if (r->category) {
        push_dict(L, p, FIELD_EV_CATEGORY, r->category);
        lua_setfield(L, -2, "category");
    }
    if (r->channel) {
        push_dict(L, p, FIELD_EV_CHANNEL, r->channel);
        lua_setfield(L, -2, "channel");
    }
    const char *eid, *extra;
    size_t neid, nextra;
    event_var(l, r, &eid, &neid, &extra, &nextra);
    if (neid) {
        lua_pushlstring(L, eid, neid);
        lua_setfield(L, -2, "event_id");
    }
    json_t **x = push_box(L, sizeof *x, release_json); /* event box */
    *x = nextra ? json_loadb(extra, nextra, 0, NULL) : NULL;
    const char *key;
    json_t *v;
    json_object_foreach(*x, key, v) {
        lua_getfield(L, -2, key);
        int taken = !lua_isnil(L, -1);
        lua_pop(L, 1);
        if (!taken) {
            push_json(L, v);
            lua_setfield(L, -3, key);
        }
    }
    lua_pop(L, 1);                                     /* event; the JSON is freed */
}

static int events_next(lua_State *L)
{
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(2)) + 1;
    lua_pushinteger(L, i);
    lua_replace(L, lua_upvalueindex(2));
    lua_rawgeti(L, lua_upvalueindex(1), i);
    return 1;
}

/* c:events "type": an iterator over the contact's events of that type, oldest first. */
static int l_events(lua_State *L)
{
    contact_proxy *p = check_proxy(L);
    const char *type = luaL_checkstring(L, 2);
    uint32_t code, ord = p->ord;
    if (strcmp(type, p->type_name) == 0) {
        code = p->type_code;
    } else {
        if (dict_find(p->cx->s, p->cx->txn, FIELD_EV_TYPE, type, strlen(type), &code) != SEGRT_OK)
            return fail_store(L, p);
        if (strlen(type) < sizeof p->type_name) {
            strcpy(p->type_name, type);
            p->type_code = code;
        }
    }
    lua_newtable(L);                                   /* list */
    MDB_val k = store_ord_key(&ord), v;
    int mrc = code ? mdb_get(p->cx->txn, p->cx->s->dbi[DB_EVENTS], &k, &v) : MDB_NOTFOUND;
    if (mrc != 0 && mrc != MDB_NOTFOUND)
        return luaL_error(L, "reading events: %s", mdb_strerror(mrc));
    if (mrc == 0) {
        event_list *l = push_box(L, sizeof *l, release_events); /* list box */
        if (event_list_decode(l, v.mv_data, v.mv_size) != 0)
            return luaL_error(L, "the events of contact %u are corrupt", ord);
        lua_Integer n = 0;
        for (size_t i = 0; i < l->n; i++) {
            if (l->recs[i].type != code)
                continue;
            push_event(L, p, l, &l->recs[i], type);    /* list box event */
            lua_rawseti(L, -3, ++n);
        }
        lua_pop(L, 1);                                 /* list; the events are freed */
    }
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, events_next, 2);
    return 1;
}

/* ------------------------------------------------------------ the proxy */

static int l_index(lua_State *L)
{
    contact_proxy *p = check_proxy(L);
    size_t n;
    const char *key = luaL_checklstring(L, 2, &n);
    if (strcmp(key, "events") == 0)
        lua_pushcfunction(L, l_events);
    else if (strcmp(key, "id") == 0)
        push_id(L, p);
    else if (strcmp(key, "age") == 0)
        push_age(L, p);
    else {
        const field_def *f = schema_find(p->cx->s->schema, key, n);
        if (f == NULL)
            return luaL_error(L, "unknown field '%s'", key);
        /* asked of the seg module once per field, not once per contact */
        unsigned char *known = f->id < CONTACT_PROXY_FIELDS ? &p->plain[f->id] : NULL;
        if (!p->allow_sensitive && !(known && *known)) {
            call_seg(L, "_sensitive_category", key);
            if (lua_isstring(L, -1))
                return luaL_error(L, "%s reads '%s' (%s: a special category of personal data, "
                                  "GDPR Art. 9) without a purpose whose only legal basis is "
                                  "explicit consent", p->who, key, lua_tostring(L, -1));
            lua_pop(L, 1);
            if (known)
                *known = 1;
        }
        push_field(L, p, f);
    }
    return 1;
}

static int l_newindex(lua_State *L)
{
    return luaL_error(L, "contacts are read-only in segment scripts");
}

typedef struct push_args {
    plan_ctx *cx;
    const char *purpose, *who;
    contact_proxy *out;
} push_args;

/* Protected: 1 the push_args; leaves the proxy. */
static int l_push(lua_State *L)
{
    push_args *a = lua_touserdata(L, 1);
    int allow = 0;
    if (a->purpose) {
        call_seg(L, "_consent_only", a->purpose);
        allow = lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
    contact_proxy *p = lua_newuserdatauv(L, sizeof *p, 0);
    *p = (contact_proxy){ .cx = a->cx, .allow_sensitive = allow };
    snprintf(p->who, sizeof p->who, "%s", a->who);
    if (luaL_newmetatable(L, PROXY_MT)) {
        static const luaL_Reg mt[] = {
            { "__index", l_index }, { "__newindex", l_newindex }, { NULL, NULL },
        };
        luaL_setfuncs(L, mt, 0);
    }
    lua_setmetatable(L, -2);
    a->out = p;
    return 1;
}

int contact_proxy_push(lua_State *L, plan_ctx *cx, const char *purpose, const char *who,
                       contact_proxy **out)
{
    push_args a = { cx, purpose, who, NULL };
    *out = NULL;
    lua_pushcfunction(L, l_push);
    lua_pushlightuserdata(L, &a);
    if (script_pcall(L, 1, 1) != LUA_OK) {
        int rc = store_fail(cx->s, SEGRT_ELUA, "%s: %s", who, lua_tostring(L, -1));
        lua_pop(L, 1);
        return rc;
    }
    *out = a.out;
    return SEGRT_OK;
}

void contact_proxy_at(contact_proxy *p, uint32_t ord)
{
    p->ord = ord;
}

void contact_proxy_done(contact_proxy *p)
{
    p->cx = NULL;
}

void contact_proxy_id_text(plan_ctx *cx, uint32_t ord, char *out, size_t n)
{
    MDB_val k = store_ord_key(&ord), v;
    const char *id;
    size_t len;
    if (mdb_get(cx->txn, cx->s->dbi[DB_CONTACTS], &k, &v) == 0 &&
        row_id(v.mv_data, v.mv_size, &id, &len) == 0)
        snprintf(out, n, "%.*s", (int)len, id);
    else
        snprintf(out, n, "#%u", ord);
}
