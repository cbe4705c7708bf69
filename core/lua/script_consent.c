/*
 * script_consent.c — the consent check of a purpose as a script defines it
 * (seg.consent): the rule read from the script's catalog and applied by
 * privacy/consent_check.c, whose check(c, rec) hatch runs here, in Lua,
 * on the contacts that pass the rest.
 *
 * Uses: script.h, consent_check.h, catalog.h, contact_proxy.c.
 */
#include "lua/script_lua.h"

#include "plan/catalog.h"
#include "privacy/consent.h"
#include "privacy/consent_check.h"
#include "util/value.h"

#include <stdio.h>

/* The state of the check hatch during one call: the proxy is pushed on first use. */
typedef struct check_call {
    plan_ctx *cx;
    const char *purpose;
    contact_proxy *proxy;
    int proxy_idx;
} check_call;

/* consent_check_fn: the purpose's check(c, rec); 1 keep, 0 drop, <0 error. */
static int run_check(void *ud, const consent_rec *rec, uint32_t ord)
{
    check_call *k = ud;
    plan_ctx *cx = k->cx;
    segrt_script *sc = script_of(cx);
    lua_State *L = sc->L;
    if (k->proxy == NULL) {
        char who[160];
        snprintf(who, sizeof who, "the consent check of '%s'", k->purpose);
        k->proxy = contact_proxy_push(L, cx, k->purpose, who);
        k->proxy_idx = lua_gettop(L);
    }
    char ts[24], exp[24];
    script_push_registry(sc, "consents");              /* consents */
    lua_getfield(L, -1, k->purpose);                   /* consents def */
    lua_getfield(L, -1, "check");                      /* consents def check */
    lua_pushvalue(L, k->proxy_idx);                    /* ... check c */
    lua_createtable(L, 0, 6);                          /* ... check c rec */
    lua_pushstring(L, k->purpose);
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
    contact_proxy_at(k->proxy, ord);
    int rc = lua_pcall(L, 2, 1, 0);                    /* consents def result */
    if (rc != LUA_OK) {
        char id[128];
        contact_proxy_id_text(cx, ord, id, sizeof id);
        rc = store_fail(cx->s, SEGRT_ELUA, "consent check of '%s' failed for contact %s: %s",
                        k->purpose, id, lua_tostring(L, -1));
        lua_pop(L, 3);
        return rc;
    }
    int keep = lua_toboolean(L, -1);
    lua_pop(L, 3);
    return keep;
}

/* The rule of purpose as the catalog of cx defines it. */
static int read_rule(plan_ctx *cx, const char *purpose, consent_check_rule *r)
{
    return consent_check_rule_read(cx->s, cx->txn, purpose, catalog_consent(cx->cat, purpose), r);
}

/* After a call: the proxy (if one was pushed) ends with it. */
static void end_call(check_call *k)
{
    if (k->proxy) {
        contact_proxy_done(k->proxy);
        lua_settop(script_of(k->cx)->L, k->proxy_idx - 1);
    }
}

int script_consent_filter(plan_ctx *cx, const char *purpose, bitset *bits)
{
    consent_check_rule rule;
    check_call k = { cx, purpose, NULL, 0 };
    int rc = read_rule(cx, purpose, &rule);
    if (rc == SEGRT_OK)
        rc = consent_check_filter(cx->s, cx->txn, cx->now, &rule, bits, run_check, &k);
    end_call(&k);
    return rc;
}

int script_consent_passes(plan_ctx *cx, const char *purpose, uint32_t ord)
{
    consent_check_rule rule;
    check_call k = { cx, purpose, NULL, 0 };
    int rc = read_rule(cx, purpose, &rule);
    if (rc == SEGRT_OK)
        rc = consent_check_passes(cx->s, cx->txn, cx->now, &rule, ord, run_check, &k);
    end_call(&k);
    return rc;
}
