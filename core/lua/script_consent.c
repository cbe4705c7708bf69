/*
 * script_consent.c — the consent check of a purpose as a script defines it
 * (seg.consent): the rule read from the script's catalog and applied by
 * privacy/consent_check.c, whose check(c, rec) hatch runs here, in Lua,
 * on the contacts that pass the rest; and how many of a set pass it
 * (consent_reach.h).
 *
 * Uses: script_lua.h (hatches), consent_check.h, consent_reach.h, catalog.h.
 */
#include "lua/script_lua.h"

#include "plan/catalog.h"
#include "store/consent.h"
#include "privacy/consent_check.h"
#include "privacy/consent_reach.h"
#include "util/value.h"

#include <stdio.h>

/* The check hatch during one call: opened on first use. */
typedef struct check_call {
    plan_ctx *cx;
    const char *purpose;
    int open;
    script_hatch h;
} check_call;

typedef struct check_args {
    const consent_rec *rec;
    const char *purpose;
} check_args;

/* Protected: 1 check, 2 c, 3 the check_args; calls check(c, rec) with rec as a table. */
static int l_check(lua_State *L)
{
    const check_args *a = lua_touserdata(L, 3);
    const consent_rec *rec = a->rec;
    char ts[24], exp[24];
    lua_createtable(L, 0, 6);                          /* check c args rec */
    lua_pushstring(L, a->purpose);
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
    lua_replace(L, 3);                                 /* check c rec */
    lua_call(L, 2, 1);
    return 1;
}

/* consent_check_fn: the purpose's check(c, rec); 1 keep, 0 drop, <0 error. */
static int run_check(void *ud, const consent_rec *rec, uint32_t ord)
{
    check_call *k = ud;
    plan_ctx *cx = k->cx;
    if (!k->open) {
        char who[160];
        snprintf(who, sizeof who, "the consent check of '%s'", k->purpose);
        int rc = script_hatch_open(cx, "consents", k->purpose, "check", k->purpose, who, &k->h);
        k->open = 1;
        if (rc != SEGRT_OK)
            return rc;
    }
    if (k->h.proxy == NULL) /* the definition changed since the catalog was copied */
        return 1;
    lua_State *L = k->h.L;
    check_args args = { rec, k->purpose };
    lua_pushcfunction(L, l_check);
    script_hatch_push(&k->h, ord);
    lua_pushlightuserdata(L, &args);                   /* l_check check c args */
    if (script_hatch_call(&k->h, 3, 1) != LUA_OK) {
        char id[128];
        contact_proxy_id_text(cx, ord, id, sizeof id);
        int rc = store_fail(cx->s, SEGRT_ELUA, "consent check of '%s' failed for contact %s: %s",
                            k->purpose, id, lua_tostring(L, -1));
        lua_pop(L, 1);
        return rc;
    }
    int keep = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return keep;
}

/*
 * One call: the rule of purpose as the catalog of cx defines it, applied to
 * every contact (why), to bits (a filter) or else to ord alone; the hatch
 * (if one was opened) closes with the call.
 */
static int check(plan_ctx *cx, const char *purpose, bitset *bits, uint32_t ord, uint8_t *why)
{
    consent_check_rule rule;
    check_call k = { .cx = cx, .purpose = purpose };
    int rc = consent_check_rule_read(cx->s, cx->txn, purpose, catalog_consent(cx->cat, purpose),
                                     &rule);
    if (rc == SEGRT_OK && why)
        rc = consent_check_why_all(cx->s, cx->txn, cx->now, &rule, cx->ncontacts, why, run_check, &k);
    else if (rc == SEGRT_OK && bits)
        rc = consent_check_filter(cx->s, cx->txn, cx->now, &rule, bits, run_check, &k);
    else if (rc == SEGRT_OK)
        rc = consent_check_passes(cx->s, cx->txn, cx->now, &rule, ord, run_check, &k);
    if (k.open)
        script_hatch_close(&k.h);
    return rc;
}

int script_consent_filter(plan_ctx *cx, const char *purpose, bitset *bits)
{
    return check(cx, purpose, bits, 0, NULL);
}

int script_consent_passes(plan_ctx *cx, const char *purpose, uint32_t ord)
{
    return check(cx, purpose, NULL, ord, NULL);
}

int script_consent_why(plan_ctx *cx, const char *purpose, uint8_t *why)
{
    return check(cx, purpose, NULL, 0, why);
}

int script_consent_reach(plan_ctx *cx, const char *purpose, const bitset *members,
                         uint64_t *reached)
{
    check_call k = { .cx = cx, .purpose = purpose };
    int rc = consent_reach_count(cx->s, cx->txn, cx->now, purpose,
                                 catalog_consent(cx->cat, purpose), members, run_check, &k,
                                 reached);
    if (k.open)
        script_hatch_close(&k.h);
    return rc;
}
