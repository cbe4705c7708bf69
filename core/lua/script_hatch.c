/*
 * script_hatch.c — the Lua functions of a script called from C once per
 * contact (script_lua.h): a segment's filter, a score's fn, a purpose's
 * consent check. Opening one pushes script_pcall's message handler, the
 * function and the contact proxy `c` it is handed; each call moves `c` to
 * the contact; closing ends `c` and restores the stack. The handler is
 * pushed once rather than per call: these calls run once per contact.
 *
 * Uses: script_lua.h, contact_proxy.c, script_pcall.c.
 */
#include "lua/script_lua.h"

int script_hatch_open(plan_ctx *cx, const char *kind, const char *name, const char *key,
                      const char *purpose, const char *who, script_hatch *h)
{
    segrt_script *sc = script_of(cx);
    lua_State *L = sc->L;
    *h = (script_hatch){ .cx = cx, .L = L, .top = lua_gettop(L) };
    script_push_msgh(L);                               /* msgh */
    h->msgh = lua_gettop(L);
    script_push_registry(sc, kind);                    /* msgh kind */
    lua_getfield(L, -1, name);                         /* msgh kind def */
    lua_getfield(L, -1, key);                          /* msgh kind def fn */
    h->fn = lua_gettop(L);
    if (!lua_isfunction(L, h->fn))
        return SEGRT_OK;
    return contact_proxy_push(L, cx, purpose, who, &h->proxy); /* msgh kind def fn c */
}

void script_hatch_push(script_hatch *h, uint32_t ord)
{
    contact_proxy_at(h->proxy, ord);
    lua_pushvalue(h->L, h->fn);
    lua_pushvalue(h->L, h->fn + 1);                    /* fn c */
}

int script_hatch_call(script_hatch *h, int nargs, int nresults)
{
    return lua_pcall(h->L, nargs, nresults, h->msgh);
}

void script_hatch_close(script_hatch *h)
{
    if (h->proxy)
        contact_proxy_done(h->proxy);
    lua_settop(h->L, h->top);
}
