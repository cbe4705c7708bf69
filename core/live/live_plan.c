/*
 * live_plan.c — preparing a live session (live.h) inside its first
 * evaluation: each segment's members and compiled plans; the values that
 * rank a contact against everybody, computed once (NTILE, models, scores
 * built on them); and the event types each segment reads, through
 * seg.member and exclusive groups, so that an event only wakes the segments
 * it can change.
 *
 * Uses: live.h, script_eval.c (members inside a session), plan_compile.c.
 */
#include "live/live.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

/* Whether the value of p ranks a contact against everybody. */
static int ranks_everybody(const pnode *p)
{
    if (p == NULL)
        return 0;
    if (p->kind == P_NTILE || p->kind == P_MODEL)
        return 1;
    const pnode *kids[] = { p->a, p->b, p->c, p->ev.where, p->ev.window };
    for (size_t i = 0; i < sizeof kids / sizeof kids[0]; i++) {
        if (ranks_everybody(kids[i]))
            return 1;
    }
    for (size_t i = 0; i < p->n; i++) {
        if (ranks_everybody(p->list[i]))
            return 1;
    }
    return 0;
}

/*
 * Compute, in the first evaluation, every value of plan p that ranks
 * contacts against everybody: NTILE and model nodes, and whole scores built
 * on them (memoised by name, so a score shared by many segments costs once).
 */
static int collect_globals(segrt_live *lv, plan_ctx *cx, const pnode *p)
{
    if (p == NULL)
        return SEGRT_OK;
    if (p->kind == P_NTILE || p->kind == P_MODEL || (p->kind == P_SCORE && ranks_everybody(p))) {
        uint32_t at = (uint32_t)lv->nglobals; /* a score's name is its key: one vector each */
        if (p->kind != P_SCORE || !strmap_get(lv->global_index, p->str, strlen(p->str), &at)) {
            vec *g = realloc(lv->globals, (lv->nglobals + 1) * sizeof *g);
            if (g == NULL)
                return store_fail(lv->s, SEGRT_ENOMEM, "out of memory");
            lv->globals = g;
            int rc = plan_eval_value(cx, p, &g[at]);
            if (rc != SEGRT_OK)
                return rc;
            lv->nglobals++;
            if (p->kind == P_SCORE && strmap_put(lv->global_index, p->str, strlen(p->str), at) != 0)
                return store_fail(lv->s, SEGRT_ENOMEM, "out of memory");
        }
        if (strmap_put(lv->global_index, (const char *)&p, sizeof p, at) != 0)
            return store_fail(lv->s, SEGRT_ENOMEM, "out of memory");
        return SEGRT_OK;
    }
    const pnode *kids[] = { p->a, p->b, p->c, p->ev.where, p->ev.window };
    int rc = SEGRT_OK;
    for (size_t i = 0; i < sizeof kids / sizeof kids[0] && rc == SEGRT_OK; i++)
        rc = collect_globals(lv, cx, kids[i]);
    for (size_t i = 0; i < p->n && rc == SEGRT_OK; i++)
        rc = collect_globals(lv, cx, p->list[i]);
    return rc;
}

static uint64_t segment_reads(segrt_live *lv, long i, unsigned char *state);

/* The event types plan p reads (whole-store values read none: they are kept from the open). */
static uint64_t plan_reads(segrt_live *lv, const pnode *p, unsigned char *state)
{
    uint32_t at;
    if (p == NULL || strmap_get(lv->global_index, (const char *)&p, sizeof p, &at))
        return 0;
    if (p->kind == P_SCORE_FN)
        return READS_ALL;
    if (p->kind == P_MEMBER)
        return segment_reads(lv, script_segment_index(lv->sc, p->str), state);
    uint64_t r = 0;
    if (p->kind == P_AGG || p->kind == P_EXISTS)
        r = p->ev.type < 64 ? UINT64_C(1) << p->ev.type : READS_ALL;
    const pnode *kids[] = { p->a, p->b, p->c, p->ev.where, p->ev.window };
    for (size_t i = 0; i < sizeof kids / sizeof kids[0]; i++)
        r |= plan_reads(lv, kids[i], state);
    for (size_t i = 0; i < p->n; i++)
        r |= plan_reads(lv, p->list[i], state);
    return r;
}

/* A consent check function (seg.consent's check) may read anything of the contact. */
static int purpose_has_check(segrt_live *lv, const char *purpose)
{
    lua_State *L = lv->sc->L;
    int top = lua_gettop(L);
    script_push_registry(lv->sc, "consents");
    int has = lua_getfield(L, -1, purpose) == LUA_TTABLE &&
              lua_getfield(L, -1, "check") == LUA_TFUNCTION;
    lua_settop(L, top);
    return has;
}

/* What segment i reads: its plans, the segments it names; a Lua hatch may read anything. */
static uint64_t segment_reads(segrt_live *lv, long i, unsigned char *state)
{
    if (i < 0 || (size_t)i >= lv->nseg || state[i] == 1) /* cycles failed the first evaluation */
        return READS_ALL;
    live_seg *sg = &lv->segs[i];
    if (state[i] == 2)
        return sg->reads;
    state[i] = 1;
    uint64_t r = plan_reads(lv, sg->where, state);
    if (sg->has_filter || (sg->purpose && purpose_has_check(lv, sg->purpose)))
        r = READS_ALL;
    for (long j = 0; j < sg->rank; j++) {
        const live_entry *e = &sg->entries[j];
        r |= e->seg >= 0 ? segment_reads(lv, e->seg, state) : plan_reads(lv, e->where, state);
    }
    sg->reads = r;
    state[i] = 2;
    return r;
}

/* Compile the where at the top of the Lua stack (nil: none) and take its whole-store values. */
static int compile_where(segrt_live *lv, plan_ctx *cx, pnode **out)
{
    *out = NULL;
    if (lua_isnil(lv->sc->L, -1))
        return SEGRT_OK;
    if ((*out = plan_compile(cx, lv->sc->L, -1, FRAME_CONTACTS)) == NULL)
        return SEGRT_ELUA;
    return collect_globals(lv, cx, *out);
}

/* The entries of segment sg's exclusive group up to its rank (def at stack index def). */
static int compile_group(segrt_live *lv, plan_ctx *cx, live_seg *sg, int def)
{
    lua_State *L = lv->sc->L;
    lua_getfield(L, def, "group");
    lua_getfield(L, def, "rank");
    const char *group = lua_tostring(L, -2);
    sg->rank = (long)lua_tointeger(L, -1);
    script_push_registry(lv->sc, "groups");
    lua_getfield(L, -1, group);
    int list = lua_gettop(L), rc = SEGRT_OK;
    sg->entries = calloc((size_t)sg->rank, sizeof *sg->entries);
    if (sg->entries == NULL)
        rc = store_fail(lv->s, SEGRT_ENOMEM, "out of memory");
    for (long j = 0; j < sg->rank && rc == SEGRT_OK; j++) {
        live_entry *e = &sg->entries[j];
        if (lua_rawgeti(L, list, j + 1) == LUA_TTABLE) {
            e->seg = -1;
            lua_getfield(L, -1, "where");
            rc = compile_where(lv, cx, &e->where);
            lua_pop(L, 1);
        } else { /* a named segment: known, or the first evaluation had failed */
            e->seg = script_segment_index(lv->sc, lua_tostring(L, -1));
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 4);
    return rc;
}

int live_prepare(plan_ctx *cx, void *ud)
{
    segrt_live *lv = ud;
    segrt_script *sc = lv->sc;
    lua_State *L = sc->L;
    lv->nglobal_rows = cx->ncontacts;
    int rc = SEGRT_OK;
    for (size_t i = 0; i < lv->nseg && rc == SEGRT_OK; i++) {
        live_seg *sg = &lv->segs[i];
        const bitset *bits;
        rc = script_segment_bits(cx, sc->names[i], &bits);
        if (rc == SEGRT_OK && bitset_init(&sg->members, cx->ncontacts) != 0)
            rc = store_fail(lv->s, SEGRT_ENOMEM, "out of memory");
        if (rc != SEGRT_OK)
            break;
        bitset_or(&sg->members, bits);
        sg->purpose = sc->purposes[i][0] ? sc->purposes[i] : NULL;
        script_push_registry(sc, "by_name");
        lua_getfield(L, -1, sc->names[i]);
        int def = lua_gettop(L);
        lua_getfield(L, def, "filter");
        sg->has_filter = lua_isfunction(L, -1);
        lua_getfield(L, def, "group");
        int grouped = !lua_isnil(L, -1);
        lua_pop(L, 2);
        if (grouped) {
            rc = compile_group(lv, cx, sg, def);
        } else {
            lua_getfield(L, def, "where");
            rc = compile_where(lv, cx, &sg->where);
            lua_pop(L, 1);
        }
        lua_pop(L, 2);
    }
    memset(lv->state, 0, lv->nseg);
    for (size_t i = 0; i < lv->nseg && rc == SEGRT_OK; i++)
        segment_reads(lv, (long)i, lv->state);
    return rc;
}
