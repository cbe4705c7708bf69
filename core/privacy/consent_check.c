/*
 * consent_check.c — who passes the consent check of a purpose at NOW
 * (SPEC §5): the record in force is granted, not expired, of an accepted
 * legal basis (default consent and legitimate_interest) and, with max_age,
 * not stale; a script's seg.consent can change the bases and max_age and add
 * a check(c, rec) function run on the contacts that pass the rest.
 */
#include "store/consent.h"
#include "store/dict.h"
#include "store/schema.h"
#include "lua/script.h"
#include "util/value.h"

#include <lauxlib.h>
#include <string.h>

typedef struct purpose_rule {
    unsigned bases;   /* bit per consent_basis */
    int64_t max_age;  /* seconds, 0 = none */
    int has_check;    /* registry.consents[purpose].check is a function */
    int marketing;    /* a direct-marketing purpose: objections apply (Art. 21) */
    uint32_t direct_marketing, objection; /* their purpose codes, 0 when nobody has one */
} purpose_rule;

/* The purposes that record an objection to all direct marketing. */
static int read_objections(plan_ctx *cx, purpose_rule *r)
{
    int rc = dict_find(cx->s, cx->txn, FIELD_CS_PURPOSE, "direct_marketing", 16,
                       &r->direct_marketing);
    return rc == SEGRT_OK ? dict_find(cx->s, cx->txn, FIELD_CS_PURPOSE, "objection", 9, &r->objection)
                          : rc;
}

/*
 * Art. 21: a contact objects to all direct marketing when the record in force
 * for the purpose "direct_marketing" is withdrawn or denied, or one for
 * "objection" is granted (the objection stands). Withdrawing one channel
 * (sms_marketing) only ends that channel, through its own check.
 */
static int objects(const purpose_rule *r, const consent_list *l, int64_t now)
{
    const consent_rec *dm = r->direct_marketing ? consent_in_force(l, r->direct_marketing, now) : NULL;
    const consent_rec *ob = r->objection ? consent_in_force(l, r->objection, now) : NULL;
    return (dm && dm->status != CS_GRANTED) || (ob && ob->status == CS_GRANTED);
}

static int read_rule(plan_ctx *cx, const char *purpose, purpose_rule *r)
{
    lua_State *L = cx->sc->L;
    int top = lua_gettop(L);
    *r = (purpose_rule){ .bases = 1u << CS_CONSENT | 1u << CS_LEGITIMATE_INTEREST };
    script_push_registry(cx->sc, "consents");
    lua_getfield(L, -1, purpose);
    int def = lua_gettop(L);
    int rc = SEGRT_OK;
    if (lua_istable(L, def)) {
        lua_getfield(L, def, "loc");
        const char *loc = lua_tostring(L, -1);
        lua_getfield(L, def, "bases");
        if (lua_istable(L, -1)) {
            r->bases = 0;
            for (lua_Integer i = 1; rc == SEGRT_OK && lua_rawgeti(L, -1, i) != LUA_TNIL; i++) {
                /* pops the item; the nil that ends the loop stays until settop */
                size_t n;
                const char *name = lua_tolstring(L, -1, &n);
                int b = name ? consent_basis_parse(name, n) : 0;
                if (b == 0)
                    rc = plan_fail(cx, loc, "consent '%s': unknown legal basis '%s'", purpose,
                                   name ? name : "?");
                r->bases |= 1u << b;
                lua_pop(L, 1);
            }
        }
        lua_getfield(L, def, "max_age");
        if (!lua_isnil(L, -1)) {
            lua_getfield(L, -1, "secs");
            if (!lua_isnumber(L, -1))
                rc = plan_fail(cx, loc, "consent '%s': max_age takes a duration such as "
                               "seg.days(365)", purpose);
            r->max_age = (int64_t)lua_tointeger(L, -1);
        }
        lua_getfield(L, def, "check");
        r->has_check = lua_isfunction(L, -1);
        lua_getfield(L, def, "marketing");
        r->marketing = lua_toboolean(L, -1);
    }
    lua_settop(L, top);
    if (rc == SEGRT_OK && r->marketing)
        rc = read_objections(cx, r);
    return rc;
}

static int passes(const purpose_rule *r, const consent_rec *rec, int64_t now)
{
    return rec && rec->status == CS_GRANTED && (rec->expires == VALUE_MISSING || rec->expires > now) &&
           (r->bases >> rec->basis & 1) && (r->max_age == 0 || rec->ts >= now - r->max_age);
}

/* Run the purpose's check(c, rec); 1 keep, 0 drop, <0 error. */
static int run_check(plan_ctx *cx, const char *purpose, contact_proxy *proxy, int proxy_idx,
                     const consent_rec *rec, uint32_t ord)
{
    lua_State *L = cx->sc->L;
    char ts[24], exp[24];
    script_push_registry(cx->sc, "consents");
    lua_getfield(L, -1, purpose);
    lua_getfield(L, -1, "check");
    lua_pushvalue(L, proxy_idx);
    lua_createtable(L, 0, 6);
    lua_pushstring(L, purpose);
    lua_setfield(L, -2, "purpose");
    lua_pushstring(L, consent_status_name(rec->status));
    lua_setfield(L, -2, "status");
    lua_pushstring(L, consent_basis_name(rec->basis));
    lua_setfield(L, -2, "legal_basis");
    value_format_timestamp(rec->ts, ts);
    lua_pushstring(L, ts);
    lua_setfield(L, -2, "ts");
    if (rec->expires != VALUE_MISSING) {
        value_format_timestamp(rec->expires, exp);
        lua_pushstring(L, exp);
        lua_setfield(L, -2, "expires_at");
    }
    contact_proxy_at(proxy, ord);
    int rc = lua_pcall(L, 2, 1, 0);
    if (rc != LUA_OK) {
        char id[128];
        contact_proxy_id_text(cx, ord, id, sizeof id);
        rc = store_fail(cx->s, SEGRT_ELUA, "consent check of '%s' failed for contact %s: %s",
                        purpose, id, lua_tostring(L, -1));
        lua_pop(L, 3);
        return rc;
    }
    int keep = lua_toboolean(L, -1);
    lua_pop(L, 3);
    return keep;
}

/* The check of one contact's decoded history; 1 pass, 0 not, <0 error. */
static int check_list(plan_ctx *cx, const char *purpose, const purpose_rule *rule, uint32_t code,
                      uint32_t ord, const consent_list *l, contact_proxy *proxy, int proxy_idx)
{
    const consent_rec *rec = consent_in_force(l, code, cx->now);
    if (!passes(rule, rec, cx->now) || (rule->marketing && objects(rule, l, cx->now)))
        return 0;
    return proxy ? run_check(cx, purpose, proxy, proxy_idx, rec, ord) : 1;
}

/* The check of one contact's history (a consents value); 1 pass, 0 not, <0 error. */
static int check_one(plan_ctx *cx, const char *purpose, const purpose_rule *rule, uint32_t code,
                     uint32_t ord, const MDB_val *v, consent_list *l, contact_proxy *proxy,
                     int proxy_idx)
{
    l->n = 0;
    if (consent_list_decode(l, v->mv_data, v->mv_size) != 0)
        return store_fail(cx->s, SEGRT_ECORRUPT, "consents of contact %u are corrupt", ord);
    return check_list(cx, purpose, rule, code, ord, l, proxy, proxy_idx);
}

int consent_objectors(plan_ctx *cx, bitset *out)
{
    purpose_rule rule = { .marketing = 1 };
    int rc = read_objections(cx, &rule);
    if (rc == SEGRT_OK && bitset_init(out, cx->ncontacts) != 0)
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    if (rc != SEGRT_OK || (rule.direct_marketing == 0 && rule.objection == 0))
        return rc; /* nobody has recorded an objection */
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(cx->txn, cx->s->dbi[DB_CONSENTS], &cur);
    if (mrc != 0) {
        bitset_free(out);
        return store_mdb_fail(cx->s, mrc, "reading consents");
    }
    consent_list l = { 0 };
    MDB_val k, v;
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0 && rc == SEGRT_OK;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        uint32_t ord;
        memcpy(&ord, k.mv_data, sizeof ord);
        l.n = 0;
        if (consent_list_decode(&l, v.mv_data, v.mv_size) != 0)
            rc = store_fail(cx->s, SEGRT_ECORRUPT, "consents of contact %u are corrupt", ord);
        else if (ord < cx->ncontacts && objects(&rule, &l, cx->now))
            bitset_set(out, ord);
    }
    mdb_cursor_close(cur);
    consent_list_free(&l);
    if (rc == SEGRT_OK && mrc != 0 && mrc != MDB_NOTFOUND)
        rc = store_mdb_fail(cx->s, mrc, "reading consents");
    if (rc != SEGRT_OK)
        bitset_free(out);
    return rc;
}

/* One contact's consent histories (cleared when it has none). */
static int read_history(plan_ctx *cx, uint32_t ord, consent_list *l, int *found)
{
    MDB_val key = store_ord_key(&ord), v;
    int mrc = mdb_get(cx->txn, cx->s->dbi[DB_CONSENTS], &key, &v);
    l->n = 0;
    *found = mrc == 0;
    if (mrc != 0 && mrc != MDB_NOTFOUND)
        return store_mdb_fail(cx->s, mrc, "reading consents");
    if (mrc == 0 && consent_list_decode(l, v.mv_data, v.mv_size) != 0)
        return store_fail(cx->s, SEGRT_ECORRUPT, "consents of contact %u are corrupt", ord);
    return SEGRT_OK;
}

int consent_objects(plan_ctx *cx, uint32_t ord)
{
    purpose_rule rule = { .marketing = 1 };
    consent_list l = { 0 };
    int found = 0, rc = read_objections(cx, &rule);
    if (rc == SEGRT_OK && (rule.direct_marketing || rule.objection))
        rc = read_history(cx, ord, &l, &found);
    if (rc == SEGRT_OK)
        rc = found && objects(&rule, &l, cx->now);
    consent_list_free(&l);
    return rc;
}

int consent_passes(plan_ctx *cx, const char *purpose, uint32_t ord)
{
    purpose_rule rule;
    uint32_t code = 0;
    consent_list l = { 0 };
    int found = 0, rc = read_rule(cx, purpose, &rule);
    if (rc == SEGRT_OK)
        rc = dict_find(cx->s, cx->txn, FIELD_CS_PURPOSE, purpose, strlen(purpose), &code);
    if (rc == SEGRT_OK && code)
        rc = read_history(cx, ord, &l, &found);
    if (rc == SEGRT_OK && found) {
        lua_State *L = cx->sc->L;
        char who[160];
        snprintf(who, sizeof who, "the consent check of '%s'", purpose);
        contact_proxy *proxy = rule.has_check ? contact_proxy_push(L, cx, purpose, who) : NULL;
        rc = check_list(cx, purpose, &rule, code, ord, &l, proxy, lua_gettop(L));
        if (proxy) {
            contact_proxy_done(proxy);
            lua_pop(L, 1);
        }
    }
    consent_list_free(&l);
    return rc;
}

/*
 * Keep in bits only the contacts that pass. A small set looks each contact's
 * history up; a large one reads all histories in key order.
 */
int consent_filter(plan_ctx *cx, const char *purpose, bitset *bits)
{
    purpose_rule rule;
    int rc = read_rule(cx, purpose, &rule);
    if (rc != SEGRT_OK)
        return rc;
    uint32_t code;
    rc = dict_find(cx->s, cx->txn, FIELD_CS_PURPOSE, purpose, strlen(purpose), &code);
    if (rc != SEGRT_OK)
        return rc;
    if (code == 0) { /* nobody has a record for this purpose */
        memset(bits->w, 0, bitset_words(bits->nbits) * sizeof *bits->w);
        return SEGRT_OK;
    }
    lua_State *L = cx->sc->L;
    char who[160];
    snprintf(who, sizeof who, "the consent check of '%s'", purpose);
    contact_proxy *proxy = rule.has_check ? contact_proxy_push(L, cx, purpose, who) : NULL;
    int proxy_idx = lua_gettop(L);
    consent_list l = { 0 };
    MDB_cursor *cur = NULL;
    int mrc = 0, scan = bitset_count(bits) > bits->nbits / 8;
    if (scan && (mrc = mdb_cursor_open(cx->txn, cx->s->dbi[DB_CONSENTS], &cur)) != 0)
        rc = store_mdb_fail(cx->s, mrc, "reading consents");
    MDB_val k, v;
    uint32_t ord = bitset_next(bits, 0);
    if (cur)
        mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (rc == SEGRT_OK && ord < bits->nbits) {
        int pass = 0;
        if (cur) { /* advance the cursor to ord */
            uint32_t at = UINT32_MAX;
            while (mrc == 0 && (memcpy(&at, k.mv_data, sizeof at), at < ord))
                mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            if (mrc != 0 && mrc != MDB_NOTFOUND)
                rc = store_mdb_fail(cx->s, mrc, "reading consents");
            else if (mrc == 0 && at == ord)
                pass = check_one(cx, purpose, &rule, code, ord, &v, &l, proxy, proxy_idx);
        } else {
            MDB_val key = store_ord_key(&ord);
            mrc = mdb_get(cx->txn, cx->s->dbi[DB_CONSENTS], &key, &v);
            if (mrc != 0 && mrc != MDB_NOTFOUND)
                rc = store_mdb_fail(cx->s, mrc, "reading consents");
            else if (mrc == 0)
                pass = check_one(cx, purpose, &rule, code, ord, &v, &l, proxy, proxy_idx);
        }
        if (pass < 0)
            rc = pass;
        else if (!pass)
            bitset_clear_bit(bits, ord);
        ord = bitset_next(bits, ord + 1);
    }
    if (cur)
        mdb_cursor_close(cur);
    consent_list_free(&l);
    if (proxy) {
        contact_proxy_done(proxy);
        lua_pop(L, 1);
    }
    return rc;
}
