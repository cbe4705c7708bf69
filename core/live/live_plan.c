/*
 * live_plan.c — preparing a live session (live.h) inside its first
 * evaluation: each segment's members and compiled plans; the values that
 * rank a contact against everybody, computed once (NTILE, models, scores
 * built on them); and the event types each segment reads, through
 * seg.member and exclusive groups, so that an event only wakes the segments
 * it can change.
 *
 * Uses: live.h, catalog.h (the definitions), script.h (members inside a
 * session), plan_compile.c, array.h.
 */
#include "live/live.h"

#include "plan/catalog.h"
#include "util/array.h"

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
            if (ARRAY_RESERVE(lv->globals, lv->globals_cap, lv->nglobals + 1) != 0)
                return store_fail(lv->s, SEGRT_ENOMEM, "out of memory");
            int rc = plan_eval_value(cx, p, &lv->globals[at]);
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
        return segment_reads(lv, catalog_segment_index(lv->cat, p->str), state);
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
    if (sg->has_filter || sg->has_check)
        r = READS_ALL;
    for (long j = 0; j < sg->rank; j++) {
        const live_entry *e = &sg->entries[j];
        r |= e->seg >= 0 ? segment_reads(lv, e->seg, state) : plan_reads(lv, e->where, state);
    }
    sg->reads = r;
    state[i] = 2;
    return r;
}

/* Compile where (NULL: none) and take its whole-store values. */
static int compile_where(segrt_live *lv, plan_ctx *cx, const tree *where, pnode **out)
{
    *out = NULL;
    if (where == NULL)
        return SEGRT_OK;
    if ((*out = plan_compile(cx, where, FRAME_CONTACTS)) == NULL)
        return SEGRT_ELUA;
    return collect_globals(lv, cx, *out);
}

/* The entries of segment sg's exclusive group up to its rank (def: its definition). */
static int compile_group(segrt_live *lv, plan_ctx *cx, live_seg *sg, const tree *def)
{
    int64_t rank = 0;
    tree_tointeger(tree_get(def, "rank"), &rank);
    const tree *list = tree_get(lv->cat->groups, tree_get_string(def, "group"));
    sg->rank = (long)rank;
    sg->entries = calloc(rank > 0 ? (size_t)rank : 1, sizeof *sg->entries);
    if (sg->entries == NULL)
        return store_fail(lv->s, SEGRT_ENOMEM, "out of memory");
    int rc = SEGRT_OK;
    for (long j = 0; j < sg->rank && rc == SEGRT_OK; j++) {
        live_entry *e = &sg->entries[j];
        const tree *entry = tree_item(list, (size_t)j);
        if (entry && entry->kind == TREE_TABLE) {
            e->seg = -1;
            rc = compile_where(lv, cx, tree_get(entry, "where"), &e->where);
        } else { /* a named segment: known, or the first evaluation had failed */
            const char *name = tree_tostring(entry);
            e->seg = name ? catalog_segment_index(lv->cat, name) : -1;
        }
    }
    return rc;
}

/* Whether a Lua function may be called: the tree marks one at key of def. */
static int has_function(const tree *def, const char *key)
{
    const tree *fn = tree_get(def, key);
    return fn && fn->kind == TREE_FUNCTION;
}

int live_prepare(plan_ctx *cx, void *ud)
{
    segrt_live *lv = ud;
    lv->nglobal_rows = cx->ncontacts;
    int rc = SEGRT_OK;
    for (size_t i = 0; i < lv->nseg && rc == SEGRT_OK; i++) {
        live_seg *sg = &lv->segs[i];
        const bitset *bits;
        const char *name = lv->cat->names[i];
        rc = script_segment_bits(cx, name, &bits);
        if (rc == SEGRT_OK && bitset_init(&sg->members, cx->ncontacts) != 0)
            rc = store_fail(lv->s, SEGRT_ENOMEM, "out of memory");
        if (rc != SEGRT_OK)
            break;
        bitset_or(&sg->members, bits);
        const tree *def = catalog_segment(lv->cat, name);
        const char *purpose = tree_get_string(def, "purpose");
        sg->purpose = purpose && *purpose ? purpose : NULL;
        sg->has_filter = has_function(def, "filter");
        sg->tag = tree_get_string(def, "tag");
        /* a consent check function (seg.consent's check) may read anything of the contact */
        sg->has_check = sg->purpose && has_function(catalog_consent(cx->cat, sg->purpose), "check");
        if (tree_get(def, "group"))
            rc = compile_group(lv, cx, sg, def);
        else
            rc = compile_where(lv, cx, tree_get(def, "where"), &sg->where);
    }
    memset(lv->state, 0, lv->nseg);
    for (size_t i = 0; i < lv->nseg && rc == SEGRT_OK; i++)
        segment_reads(lv, (long)i, lv->state);
    return rc;
}
