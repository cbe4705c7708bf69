/*
 * script_host.c — what a host that works in a script's Lua state gets
 * (segrt/lua.h: the state, the seg registry, running more scripts in it, a
 * Ctrl-C flag, evaluating a predicate or value on its stack), and the
 * pack-name check of segrt/pack.h: thin public faces of script.h and pack.h.
 *
 * Uses: script.h, sandbox.h, pack.h.
 */
#include "lua/pack.h"
#include "lua/script_lua.h"
#include "segrt/lua.h"

_Static_assert(SEGRT_PACK_NAME_MAX == PACK_NAME_MAX, "segrt/pack.h and pack.h disagree");

lua_State *segrt_lua_state(segrt_script *sc)
{
    return sc->L;
}

void segrt_lua_push_registry(segrt_script *sc, const char *key)
{
    if (key)
        script_push_registry(sc, key);
    else
        lua_rawgeti(sc->L, LUA_REGISTRYINDEX, sc->registry_ref); /* registry */
}

void segrt_lua_push_script(segrt_script *sc, const char *script)
{
    script_push_scripts(sc->L, 1, &script);
}

void segrt_lua_begin_call(segrt_script *sc)
{
    segrt_script_begin_call(sc);
}

int segrt_lua_pcall(segrt_script *sc, int nargs, int nresults)
{
    return script_pcall(sc->L, nargs, nresults);
}

void segrt_lua_set_interrupt(segrt_script *sc, volatile sig_atomic_t *flag)
{
    sc->sb.interrupt = flag;
}

int segrt_lua_refresh_segments(segrt_script *sc)
{
    return script_refresh_segments(sc);
}

int segrt_lua_eval_predicate(segrt_script *sc, int idx, segrt_set **out)
{
    return script_eval_predicate(sc, idx, out);
}

/* The public kind of a plan value type (the same order, named for hosts). */
static segrt_value_kind value_kind(vtype t)
{
    switch (t) {
    case VT_NUM: return SEGRT_VALUE_NUMBER;
    case VT_TIME: return SEGRT_VALUE_TIME;
    case VT_DUR: return SEGRT_VALUE_DURATION;
    case VT_STR: return SEGRT_VALUE_STRING;
    case VT_BOOL: return SEGRT_VALUE_BOOLEAN;
    case VT_SET: return SEGRT_VALUE_SET;
    case VT_PRED: return SEGRT_VALUE_PREDICATE;
    }
    return SEGRT_VALUE_PREDICATE;
}

int segrt_lua_eval_value(segrt_script *sc, int idx, segrt_value_summary *sum, segrt_set **present)
{
    value_summary v;
    int rc = script_eval_value(sc, idx, &v, present);
    *sum = (segrt_value_summary){ 0 };
    if (rc == SEGRT_OK)
        *sum = (segrt_value_summary){ value_kind(v.type), v.present, v.min, v.max, v.mean };
    return rc;
}

int segrt_pack_name_ok(const char *name)
{
    return name != NULL && pack_name_ok(name);
}
