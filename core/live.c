/*
 * live.c — the real-time path (segrt_live_*): a script's segments kept up to
 * date one contact at a time, for a host that feeds events as they happen.
 *
 * Opening evaluates every segment over the whole store once. Each applied
 * batch of JSON lines is imported (committed but not synced; the event
 * projections and the id order are left stale until the flush) and only the
 * contacts its rows touched are evaluated again, with plan_one.c, against a
 * fresh snapshot. Values that rank a contact against everybody (NTILE,
 * fitted models) keep what they were at open: one event would move
 * everybody's rank, so they are batch values, refreshed by opening again.
 *
 * Uses: plan_one.h, import.h (the stream), segment_eval.c (filters, score
 * fns, the first evaluation), consent_check.c (purposes per contact).
 */
#include "import.h"
#include "plan_one.h"
#include "script.h"
#include "value.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

/* An entry of an exclusive group: a named segment, or an inline where. */
typedef struct live_entry {
    long seg;      /* -1 for an inline entry */
    pnode *where;
} live_entry;

/* Event types a segment reads, a bit per type code below 64; every bit: it may read any. */
#define READS_ALL UINT64_MAX

typedef struct live_seg {
    uint64_t reads;      /* the event types whose arrival can change it */
    pnode *where;        /* NULL: every live contact */
    const char *purpose; /* borrowed from the script; NULL when none */
    int has_filter;
    long rank;           /* exclusive group member: its place, entries[0, rank) */
    live_entry *entries;
    bitset members;
} live_seg;

/* A whole-store value (NTILE, model output, a score built on them) as it was at open. */
typedef struct live_global {
    vec v;
} live_global;

struct segrt_live {
    segrt_script *sc;
    segrt_store *s;
    plan_ctx cx;          /* a read snapshot, renewed after every batch */
    uint32_t nglobal_rows; /* contacts the globals were computed for */
    one_ctx one;
    live_seg *segs;
    size_t nseg;
    live_global *globals;
    size_t nglobals;
    strmap *global_index; /* node address, or a score's name -> index into globals */
    unsigned char *state, *in; /* per segment, for the contact being evaluated */
    import_ctx *streams[SEGRT_CONSENTS + 1];
    struct touch {
        uint32_t ord;
        uint64_t reads; /* what arrived for it: event types, or READS_ALL */
    } *touched;
    size_t ntouched, touched_cap;
    int touched_oom;
    unsigned dirty;       /* kinds applied since the last flush, bit per kind */
    int restore_sync;     /* MDB_NOSYNC was set by us */
};

/* ------------------------------------------------------------ one contact */

static int seg_in(segrt_live *lv, long i, int *in);

/*
 * The whole-store value of p as it was at open (0), a score fn's value for
 * the contact (0), or 1: p is a score to evaluate for the contact alone.
 */
static int global_value(void *ud, const pnode *p, uint32_t ord, int64_t *v)
{
    segrt_live *lv = ud;
    uint32_t i;
    if (p->kind == P_SCORE_FN)
        return script_score_fn_one(&lv->cx, p, ord, v);
    if (!strmap_get(lv->global_index, (const char *)&p, sizeof p, &i))
        return p->kind == P_SCORE ? 1
                                  : plan_fail(&lv->cx, p->loc, "internal error: a whole-store "
                                              "value was not computed");
    const vec *x = &lv->globals[i].v;
    *v = x->is_const ? x->k : ord < lv->nglobal_rows ? x->v[ord] : VALUE_MISSING;
    return SEGRT_OK;
}

static int member_of(void *ud, const pnode *p, uint32_t ord, int *in)
{
    (void)ord; /* always the contact being evaluated */
    segrt_live *lv = ud;
    return seg_in(lv, script_segment_index(lv->sc, p->str), in);
}

static int where_holds(segrt_live *lv, const pnode *where, int *in)
{
    int rc = one_live(&lv->one, in);
    if (rc == SEGRT_OK && *in && where)
        rc = plan_one_pred(&lv->one, where, in);
    return rc;
}

/* As eval_definition: where and live, the purpose's consent, the filter. */
static int definition_in(segrt_live *lv, long i, int *in)
{
    const live_seg *sg = &lv->segs[i];
    uint32_t ord = lv->one.ord;
    int rc = where_holds(lv, sg->where, in);
    if (rc == SEGRT_OK && *in && sg->purpose) {
        rc = consent_passes(&lv->cx, sg->purpose, ord);
        *in = rc > 0;
        rc = rc < 0 ? rc : SEGRT_OK;
    }
    if (rc == SEGRT_OK && *in && sg->has_filter)
        rc = script_filter_one(&lv->cx, lv->sc->names[i], ord, in);
    return rc;
}

/* As eval_group_member: entry rank matches and none before it does. */
static int group_in(segrt_live *lv, const live_seg *sg, int *in)
{
    int rc = SEGRT_OK;
    *in = 0;
    for (long j = 0; j < sg->rank && rc == SEGRT_OK; j++) {
        const live_entry *e = &sg->entries[j];
        int hit;
        rc = e->seg >= 0 ? seg_in(lv, e->seg, &hit) : where_holds(lv, e->where, &hit);
        if (rc == SEGRT_OK && hit) {
            *in = j == sg->rank - 1;
            break;
        }
    }
    return rc;
}

static int seg_in(segrt_live *lv, long i, int *in)
{
    if (i < 0 || (size_t)i >= lv->nseg)
        return store_fail(lv->s, SEGRT_EINVAL, "internal error: no segment %ld", i);
    if (lv->state[i] == 2) {
        *in = lv->in[i];
        return SEGRT_OK;
    }
    if (lv->state[i] == 1)
        return store_fail(lv->s, SEGRT_ELUA, "segment '%s' depends on itself", lv->sc->names[i]);
    lv->state[i] = 1;
    int rc = lv->segs[i].rank ? group_in(lv, &lv->segs[i], in) : definition_in(lv, i, in);
    lv->state[i] = rc == SEGRT_OK ? 2 : 0;
    lv->in[i] = (unsigned char)(rc == SEGRT_OK && *in);
    return rc;
}

/*
 * Evaluate again for ord every segment that what arrived can change (reads:
 * event types, or READS_ALL for a contact or consent row), and report the
 * changes to fn.
 */
static int update_contact(segrt_live *lv, uint32_t ord, uint64_t reads, segrt_live_fn fn,
                          void *ud)
{
    lv->one.ord = ord;
    memset(lv->state, 0, lv->nseg);
    char id[512] = ""; /* ids are at most 511 bytes (an LMDB key) */
    int rc = SEGRT_OK;
    for (size_t i = 0; i < lv->nseg && rc == SEGRT_OK; i++) {
        int in;
        if (reads != READS_ALL && !(lv->segs[i].reads & reads))
            continue; /* events it does not read cannot change it */
        rc = seg_in(lv, (long)i, &in);
        bitset *m = &lv->segs[i].members;
        if (rc != SEGRT_OK || in == bitset_test(m, ord))
            continue;
        if (in)
            bitset_set(m, ord);
        else
            bitset_clear_bit(m, ord);
        if (fn && id[0] == '\0')
            contact_id_text(&lv->cx, ord, id, sizeof id);
        if (fn && fn(ud, id, lv->sc->names[i], in) != 0)
            rc = store_fail(lv->s, SEGRT_EINVAL, "the host's callback stopped the update");
    }
    return rc;
}

/* ------------------------------------------------------------ opening */

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
            live_global *g = realloc(lv->globals, (lv->nglobals + 1) * sizeof *g);
            if (g == NULL)
                return store_fail(lv->s, SEGRT_ENOMEM, "out of memory");
            lv->globals = g;
            int rc = plan_eval_value(cx, p, &g[at].v);
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

/* Inside the first evaluation: plans, whole-store values and the members of every segment. */
static int first_evaluation(plan_ctx *cx, void *ud)
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

/* A read snapshot of its own: the store as of now, contacts counted. */
static int renew_snapshot(segrt_live *lv)
{
    plan_ctx *cx = &lv->cx;
    int rc = SEGRT_OK;
    if (cx->txn == NULL) {
        rc = store_txn_begin(lv->s, MDB_RDONLY, &cx->txn);
    } else {
        mdb_txn_reset(cx->txn);
        int mrc = mdb_txn_renew(cx->txn);
        if (mrc != 0) {
            mdb_txn_abort(cx->txn);
            cx->txn = NULL;
            rc = store_mdb_fail(lv->s, mrc, "renewing the live snapshot");
        }
    }
    one_ctx_forget(&lv->one);
    uint64_t next = 0;
    if (rc == SEGRT_OK)
        rc = store_counter_get(lv->s, cx->txn, "next_ord", &next);
    if (rc != SEGRT_OK || next <= cx->ncontacts)
        return rc;
    for (size_t i = 0; i < lv->nseg; i++) { /* new contacts: room in every membership */
        bitset grown;
        if (bitset_init(&grown, (uint32_t)next) != 0)
            return store_fail(lv->s, SEGRT_ENOMEM, "out of memory");
        bitset *m = &lv->segs[i].members;
        memcpy(grown.w, m->w, bitset_words(m->nbits) * sizeof *m->w);
        bitset_free(m);
        *m = grown;
    }
    cx->ncontacts = (uint32_t)next;
    return SEGRT_OK;
}

int segrt_live_open(segrt_script *sc, segrt_live **out)
{
    if (out)
        *out = NULL;
    if (sc == NULL || out == NULL)
        return SEGRT_EINVAL;
    segrt_store *s = sc->s;
    segrt_live *lv = calloc(1, sizeof *lv);
    if (lv == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    lv->sc = sc;
    lv->s = s;
    lv->nseg = sc->nseg;
    lv->segs = calloc(sc->nseg ? sc->nseg : 1, sizeof *lv->segs);
    lv->state = calloc(sc->nseg ? sc->nseg : 1, 1);
    lv->in = calloc(sc->nseg ? sc->nseg : 1, 1);
    lv->global_index = strmap_new();
    int rc = lv->segs && lv->state && lv->in && lv->global_index ? SEGRT_OK
                                             : store_fail(s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK)
        rc = script_session(sc, first_evaluation, lv);
    lv->cx = (plan_ctx){ .s = s, .sc = sc, .now = segrt_store_now(s),
                         .session_now = segrt_store_now(s),
                         .ncontacts = lv->nglobal_rows };
    one_ctx_init(&lv->one, &lv->cx);
    lv->one.global = global_value;
    lv->one.member = member_of;
    lv->one.ud = lv;
    if (rc == SEGRT_OK)
        rc = renew_snapshot(lv);
    unsigned flags = 0;
    if (rc == SEGRT_OK && !s->readonly && mdb_env_get_flags(s->env, &flags) == 0 &&
        !(flags & MDB_NOSYNC)) { /* batches commit without a sync; segrt_live_flush syncs */
        lv->restore_sync = mdb_env_set_flags(s->env, MDB_NOSYNC, 1) == 0;
    }
    if (rc != SEGRT_OK) {
        segrt_live_close(lv);
        return rc;
    }
    *out = lv;
    return SEGRT_OK;
}

/* ------------------------------------------------------------ applying rows */

static void note_touched(void *ud, uint32_t ord, uint32_t ev_type)
{
    segrt_live *lv = ud;
    if (lv->ntouched == lv->touched_cap) {
        size_t cap = lv->touched_cap ? lv->touched_cap * 2 : 256;
        struct touch *t = realloc(lv->touched, cap * sizeof *t);
        if (t == NULL) {
            lv->touched_oom = 1;
            return;
        }
        lv->touched = t;
        lv->touched_cap = cap;
    }
    uint64_t reads = ev_type == 0 ? READS_ALL : ev_type < 64 ? UINT64_C(1) << ev_type : READS_ALL;
    lv->touched[lv->ntouched++] = (struct touch){ ord, reads };
}

static int by_ord(const void *a, const void *b)
{
    uint32_t x = ((const struct touch *)a)->ord, y = ((const struct touch *)b)->ord;
    return (x > y) - (x < y);
}

int segrt_live_apply(segrt_live *lv, segrt_kind kind, const char *jsonl, size_t len,
                     segrt_live_fn fn, void *ud, segrt_import_report *report)
{
    if (report)
        *report = (segrt_import_report){ 0 };
    if (lv == NULL || jsonl == NULL || kind < SEGRT_CONTACTS || kind > SEGRT_CONSENTS)
        return SEGRT_EINVAL;
    static const char *const names[] = { "", "live contacts", "live events", "live consents" };
    int rc = SEGRT_OK;
    if (lv->streams[kind] == NULL)
        rc = import_stream_open(lv->s, kind, names[kind], &lv->streams[kind]);
    lv->ntouched = 0;
    lv->touched_oom = 0;
    if (rc == SEGRT_OK)
        rc = import_stream_feed(lv->streams[kind], jsonl, len, NULL, report, note_touched, lv);
    lv->dirty |= 1u << kind;
    /* What committed is evaluated even when a later batch failed. */
    int urc = renew_snapshot(lv);
    if (urc == SEGRT_OK && lv->touched_oom)
        urc = store_fail(lv->s, SEGRT_ENOMEM, "out of memory noting the contacts to update");
    qsort(lv->touched, lv->ntouched, sizeof *lv->touched, by_ord);
    sandbox_begin(&lv->sc->sb);
    int top = lua_gettop(lv->sc->L);
    for (size_t i = 0; i < lv->ntouched && urc == SEGRT_OK;) {
        size_t j = i;
        uint64_t reads = 0;
        for (; j < lv->ntouched && lv->touched[j].ord == lv->touched[i].ord; j++)
            reads |= lv->touched[j].reads;
        urc = update_contact(lv, lv->touched[i].ord, reads, fn, ud);
        i = j;
    }
    lua_settop(lv->sc->L, top);
    return rc != SEGRT_OK ? rc : urc;
}

/* ------------------------------------------------------------ reading */

static const live_seg *find_segment(segrt_live *lv, const char *segment)
{
    long i = segment ? script_segment_index(lv->sc, segment) : -1;
    if (i < 0) {
        store_fail(lv->s, SEGRT_ENOTFOUND, "unknown segment '%s'", segment ? segment : "(null)");
        return NULL;
    }
    return &lv->segs[i];
}

int segrt_live_contains(segrt_live *lv, const char *segment, const char *id, int *in)
{
    if (in)
        *in = 0;
    if (lv == NULL || id == NULL || in == NULL)
        return SEGRT_EINVAL;
    const live_seg *sg = find_segment(lv, segment);
    if (sg == NULL)
        return SEGRT_ENOTFOUND;
    uint32_t ord;
    int rc = store_ord_of(lv->s, lv->cx.txn, id, &ord);
    if (rc == SEGRT_OK)
        *in = bitset_test(&sg->members, ord);
    return rc;
}

int segrt_live_count(segrt_live *lv, const char *segment, uint64_t *count)
{
    if (count)
        *count = 0;
    if (lv == NULL || count == NULL)
        return SEGRT_EINVAL;
    const live_seg *sg = find_segment(lv, segment);
    if (sg == NULL)
        return SEGRT_ENOTFOUND;
    *count = bitset_count(&sg->members);
    return SEGRT_OK;
}

/* ------------------------------------------------------------ flushing and closing */

int segrt_live_flush(segrt_live *lv)
{
    if (lv == NULL)
        return SEGRT_EINVAL;
    int mrc = mdb_env_sync(lv->s->env, 1);
    int rc = mrc == 0 ? SEGRT_OK : store_mdb_fail(lv->s, mrc, "syncing the store");
    for (int kind = SEGRT_CONTACTS; kind <= SEGRT_CONSENTS && rc == SEGRT_OK; kind++) {
        if (lv->dirty & 1u << kind)
            rc = import_update_derived(lv->s, (segrt_kind)kind);
    }
    if (rc == SEGRT_OK)
        lv->dirty = 0;
    return rc;
}

int segrt_live_close(segrt_live *lv)
{
    if (lv == NULL)
        return SEGRT_OK;
    int rc = lv->dirty ? segrt_live_flush(lv) : SEGRT_OK;
    if (lv->restore_sync)
        mdb_env_set_flags(lv->s->env, MDB_NOSYNC, 0);
    for (int k = 0; k <= SEGRT_CONSENTS; k++)
        import_stream_close(lv->streams[k]);
    for (size_t i = 0; lv->segs && i < lv->nseg; i++) {
        live_seg *sg = &lv->segs[i];
        plan_free(sg->where);
        for (long j = 0; sg->entries && j < sg->rank; j++)
            plan_free(sg->entries[j].where);
        free(sg->entries);
        bitset_free(&sg->members);
    }
    for (size_t i = 0; i < lv->nglobals; i++)
        vec_free(&lv->globals[i].v);
    one_ctx_free(&lv->one);
    if (lv->cx.txn)
        mdb_txn_abort(lv->cx.txn);
    free(lv->globals);
    strmap_free(lv->global_index);
    free(lv->segs);
    free(lv->state);
    free(lv->in);
    free(lv->touched);
    free(lv);
    return rc;
}
