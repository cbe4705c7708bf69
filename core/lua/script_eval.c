/*
 * script_eval.c — evaluating a script's segments at NOW over one snapshot:
 * where (a compiled plan) AND live contacts AND the purpose's consent, then
 * the filter hatch over the selected contacts only. seg.member reuses the
 * referenced segment's bitset (memoised for the evaluation; a cycle is an
 * error); exclusive group members subtract the members listed before them.
 * A session reads the definitions from the script's catalog and fills the
 * plans' hooks (plan.h): members, Lua score functions, C model outputs.
 *
 * Uses: script_lua.h, catalog.h, plan_memo.h, model.h, column.h (the live contacts), script_hatch.c,
 * script_consent.c, segset.h.
 */
#include "store/column.h"
#include "store/schema.h"
#include "lua/script_lua.h"
#include "lua/script_tree.h"
#include "models/model.h"
#include "plan/catalog.h"
#include "plan/plan_memo.h"
#include "plan/segset.h"
#include "privacy/restrict_check.h"
#include "util/buf.h"
#include "util/suggest.h"
#include "util/value.h"

#include <stdlib.h>
#include <string.h>

static int eval_segment(plan_ctx *cx, long idx, const bitset **out);

/* ------------------------------------------------------------ the snapshot */

/* The contacts an evaluation sees: not erased, and not restricted at NOW (Art. 18). */
static int load_live(plan_ctx *cx, bitset *live)
{
    if (bitset_init(live, cx->ncontacts) != 0)
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    int rc = column_or_bits(cx->s, cx->txn, FIELD_LIVE, 0, live);
    return rc == SEGRT_OK ? restrict_check_remove(cx->s, cx->txn, cx->now, live) : rc;
}

/* ------------------------------------------------------------ Lua hatches */

/* Open the filter of segment (a hatch with no proxy when it has none). */
static int open_filter(plan_ctx *cx, const char *segment, script_hatch *h)
{
    char who[160];
    snprintf(who, sizeof who, "segment '%s'", segment);
    const char *purpose = tree_get_string(catalog_segment(cx->cat, segment), "purpose");
    return script_hatch_open(cx, "by_name", segment, "filter", purpose, who, h);
}

/* The filter's verdict on contact ord into *keep. */
static int filter_call(script_hatch *h, const char *segment, uint32_t ord, int *keep)
{
    plan_ctx *cx = h->cx;
    lua_State *L = h->L;
    script_hatch_push(h, ord);
    if (script_hatch_call(h, 1, 1) != LUA_OK) {
        char id[128];
        contact_proxy_id_text(cx, ord, id, sizeof id);
        int rc = store_fail(cx->s, SEGRT_ELUA, "segment '%s': filter failed for contact %s: %s",
                            segment, id, lua_tostring(L, -1));
        lua_pop(L, 1);
        return rc;
    }
    *keep = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return SEGRT_OK;
}

/*
 * Call the segment's filter for each ordinal of bits; keep those it accepts.
 * Its purpose decides whether it may read Art. 9 fields.
 */
static int run_filter(plan_ctx *cx, const char *segment, bitset *bits)
{
    script_hatch h;
    int rc = open_filter(cx, segment, &h);
    for (uint32_t i = bitset_next(bits, 0); h.proxy && i < bits->nbits && rc == SEGRT_OK;
         i = bitset_next(bits, i + 1)) {
        int keep = 0;
        rc = filter_call(&h, segment, i, &keep);
        if (rc == SEGRT_OK && !keep)
            bitset_clear_bit(bits, i);
    }
    script_hatch_close(&h);
    return rc;
}

int script_filter_one(plan_ctx *cx, const char *segment, uint32_t ord, int *keep)
{
    script_hatch h;
    *keep = 1;
    int rc = open_filter(cx, segment, &h);
    if (rc == SEGRT_OK && h.proxy)
        rc = filter_call(&h, segment, ord, keep);
    script_hatch_close(&h);
    return rc;
}

/* Open score p->str's fn; an error when it has none. */
static int open_score_fn(plan_ctx *cx, const pnode *p, script_hatch *h)
{
    char who[160];
    snprintf(who, sizeof who, "score '%s'", p->str);
    const char *purpose = tree_get_string(catalog_score(cx->cat, p->str), "purpose");
    int rc = script_hatch_open(cx, "scores", p->str, "fn", purpose, who, h);
    if (rc == SEGRT_OK && h->proxy == NULL)
        rc = plan_fail(cx, p->loc, "score '%s' has no fn", p->str);
    return rc;
}

/* The score fn for contact ord, in the plan's domain. */
static int score_fn_call(script_hatch *h, const pnode *p, uint32_t ord, int64_t *v)
{
    plan_ctx *cx = h->cx;
    lua_State *L = h->L;
    int rc = SEGRT_OK;
    script_hatch_push(h, ord);
    int ok = script_hatch_call(h, 1, 1) == LUA_OK;
    *v = VALUE_MISSING;
    if (ok && lua_type(L, -1) == LUA_TNUMBER) {
        double d = lua_tonumber(L, -1) * VALUE_NUMBER_SCALE;
        *v = d > -9.2e18 && d < 9.2e18 ? (int64_t)(d < 0 ? d - 0.5 : d + 0.5) : VALUE_MISSING;
    } else if (!ok || !lua_isnil(L, -1)) {
        char id[128];
        contact_proxy_id_text(cx, ord, id, sizeof id);
        rc = store_fail(cx->s, SEGRT_ELUA, "%s: score '%s' failed for contact %s: %s", p->loc,
                        p->str, id, ok ? "fn must return a number or nil" : lua_tostring(L, -1));
    }
    lua_pop(L, 1);
    return rc;
}

int script_score_fn_one(plan_ctx *cx, const pnode *p, uint32_t ord, int64_t *v)
{
    script_hatch h;
    int rc = open_score_fn(cx, p, &h);
    if (rc == SEGRT_OK)
        rc = score_fn_call(&h, p, ord, v);
    script_hatch_close(&h);
    return rc;
}

int script_eval_score_fn(plan_ctx *cx, const pnode *p, vec *out)
{
    plan_memo_entry *m = plan_memo_get(cx->memo, p->str);
    if (m == NULL)
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    if (!m->done) {
        int64_t *v = malloc((cx->ncontacts ? cx->ncontacts : 1) * sizeof *v);
        if (v == NULL)
            return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
        script_hatch h;
        int rc = open_score_fn(cx, p, &h);
        for (uint32_t i = 0; i < cx->ncontacts && rc == SEGRT_OK; i++) {
            v[i] = VALUE_MISSING;
            if (bitset_test(cx->live, i))
                rc = score_fn_call(&h, p, i, &v[i]);
        }
        script_hatch_close(&h);
        if (rc != SEGRT_OK) {
            free(v);
            return rc;
        }
        m->score = (vec){ .v = v };
        m->done = 1;
    }
    return plan_memo_copy(cx, &m->score, out);
}

/* ------------------------------------------------------------ segments */

int script_eval_member(plan_ctx *cx, const pnode *p, bitset *out)
{
    long idx = catalog_segment_index(cx->cat, p->str); /* known: the plan was compiled */
    const bitset *bits;
    int rc = eval_segment(cx, idx, &bits);
    if (rc != SEGRT_OK)
        return rc;
    memcpy(out->w, bits->w, bitset_words(out->nbits) * sizeof *out->w);
    return SEGRT_OK;
}

/* The segment's where, purpose and filter (def: its definition). */
static int eval_definition(plan_ctx *cx, const char *name, const tree *def, bitset *bits)
{
    const tree *where = tree_get(def, "where");
    int rc;
    if (where == NULL) {
        rc = bitset_init(bits, cx->ncontacts) == 0 ? SEGRT_OK : SEGRT_ENOMEM;
        if (rc == SEGRT_OK)
            bitset_or(bits, cx->live);
    } else {
        pnode *plan = plan_compile(cx, where, FRAME_CONTACTS);
        rc = plan ? plan_eval_pred(cx, plan, bits) : SEGRT_ELUA;
        plan_free(plan);
        if (rc == SEGRT_OK)
            bitset_and(bits, cx->live);
    }
    if (rc != SEGRT_OK)
        return rc;
    const char *purpose = tree_get_string(def, "purpose");
    if (purpose)
        rc = script_consent_filter(cx, purpose, bits);
    const tree *filter = tree_get(def, "filter");
    if (rc == SEGRT_OK && filter && filter->kind == TREE_FUNCTION)
        rc = run_filter(cx, name, bits);
    if (rc != SEGRT_OK)
        bitset_free(bits);
    return rc;
}

/*
 * The contacts an entry of a group's list matches: a named segment, or an
 * inline { name, where = ... } (evaluated into own). def: the member's definition.
 */
static int entry_bits(plan_ctx *cx, const tree *def, const char *group, const tree *entry,
                      const bitset **out, bitset *own)
{
    int rc;
    if (entry && entry->kind == TREE_TABLE) {
        pnode *plan = plan_compile(cx, tree_get(entry, "where"), FRAME_CONTACTS);
        rc = plan ? plan_eval_pred(cx, plan, own) : SEGRT_ELUA;
        plan_free(plan);
        if (rc == SEGRT_OK)
            bitset_and(own, cx->live);
        *out = own;
        return rc;
    }
    const char *base = tree_tostring(entry);
    long idx = base ? catalog_segment_index(cx->cat, base) : -1;
    if (idx >= 0)
        return eval_segment(cx, idx, out);
    return plan_fail(cx, tree_get_string(def, "loc"), "exclusive group '%s' names unknown "
                     "segment '%s'", group, base ? base : "(null)");
}

/* group.m: what entry m matches minus what the entries listed before it match. */
static int eval_group_member(plan_ctx *cx, const tree *def, bitset *bits)
{
    const char *group = tree_get_string(def, "group");
    int64_t rank = 0;
    tree_tointeger(tree_get(def, "rank"), &rank);
    const tree *list = tree_get(cx->cat->groups, group);
    int rc = bitset_init(bits, cx->ncontacts) == 0 ? SEGRT_OK : SEGRT_ENOMEM;
    for (int64_t i = 1; i <= rank && rc == SEGRT_OK; i++) {
        const bitset *b = NULL;
        bitset own = { 0 };
        rc = entry_bits(cx, def, group, tree_item(list, (size_t)i - 1), &b, &own);
        if (rc == SEGRT_OK && i < rank)
            bitset_or(bits, b); /* claimed by an earlier entry */
        else if (rc == SEGRT_OK) {
            bitset_not(bits);
            bitset_and(bits, b);
        }
        bitset_free(&own);
    }
    if (rc != SEGRT_OK)
        bitset_free(bits);
    return rc == SEGRT_ENOMEM ? store_fail(cx->s, rc, "out of memory") : rc;
}

static int eval_segment(plan_ctx *cx, long idx, const bitset **out)
{
    seg_memo *m = &script_of(cx)->seg_memo[idx];
    const char *name = cx->cat->names[idx];
    if (m->state == 2) {
        *out = &m->bits;
        return SEGRT_OK;
    }
    const tree *def = catalog_segment(cx->cat, name);
    if (m->state == 1)
        return plan_fail(cx, tree_get_string(def, "loc"), "segment '%s' depends on itself "
                         "(a cycle through seg.member or an exclusive group)", name);
    m->state = 1;
    int rc = tree_get(def, "group") ? eval_group_member(cx, def, &m->bits)
                                    : eval_definition(cx, name, def, &m->bits);
    if (rc != SEGRT_OK) {
        m->state = 0;
        return rc;
    }
    m->state = 2;
    *out = &m->bits;
    return SEGRT_OK;
}

static void session_end(segrt_script *sc, size_t nseg)
{
    for (size_t i = 0; sc->seg_memo && i < nseg; i++)
        bitset_free(&sc->seg_memo[i].bits);
    free(sc->seg_memo);
    sc->seg_memo = NULL;
}

static int unknown_segment(plan_ctx *cx, const char *name)
{
    const catalog *cat = cx->cat;
    const char *near = suggest_closest(name, cat->names, cat->nseg);
    if (near)
        return store_fail(cx->s, SEGRT_ENOTFOUND, "unknown segment '%s' (did you mean '%s'?)",
                          name, near);
    if (cat->nseg == 0)
        return store_fail(cx->s, SEGRT_ENOTFOUND, "unknown segment '%s': the script defines none",
                          name);
    return store_fail(cx->s, SEGRT_ENOTFOUND, "unknown segment '%s' (the script defines %s%s)",
                      name, cat->names[0], cat->nseg > 1 ? ", ..." : "");
}

/* The segment called name in the session's catalog; an unknown one is an error. */
static int segment_bits(plan_ctx *cx, const char *name, const bitset **bits)
{
    long idx = catalog_segment_index(cx->cat, name);
    return idx >= 0 ? eval_segment(cx, idx, bits) : unknown_segment(cx, name);
}

/* What plans of a script's segments call back for. */
static const plan_hooks hooks = {
    .member = script_eval_member,
    .score_fn = script_eval_score_fn,
    .model_output = model_eval_output,
    .profiling = script_profiling_live,
};

/*
 * One evaluation: a read snapshot, the live contacts, NOW and fresh memos;
 * fn computes a bitset that becomes *out (when out is not NULL). The
 * snapshot is the session's (cx.txn, read by everything fn runs, Lua
 * hatches included): it opens and closes here with the rest of the
 * session's state, not through store_read.
 */
static int with_session(segrt_script *sc,
                        int (*fn)(plan_ctx *cx, void *ud, bitset *result), void *ud,
                        segrt_set **out)
{
    segrt_store *s = sc->s;
    plan_memo memo = { 0 };
    plan_ctx cx = { .s = s, .hooks = &hooks, .ud = sc, .memo = &memo, .now = segrt_store_now(s),
                    .session_now = segrt_store_now(s) };
    bitset live = { 0 }, result = { 0 };
    uint64_t next = 0;
    int top = lua_gettop(sc->L);
    sandbox_begin(&sc->sb); /* every evaluation is one call: its own budget and deadline */
    int rc = script_catalog(sc, &cx.cat);
    if (rc == SEGRT_OK)
        rc = store_txn_begin(s, MDB_RDONLY, &cx.txn);
    if (rc != SEGRT_OK)
        return rc;
    rc = store_counter_get(s, cx.txn, "next_ord", &next);
    cx.ncontacts = (uint32_t)next;
    if (rc == SEGRT_OK)
        rc = load_live(&cx, &live);
    cx.live = &live;
    sc->seg_memo = calloc(cx.cat->nseg ? cx.cat->nseg : 1, sizeof *sc->seg_memo);
    if (rc == SEGRT_OK && sc->seg_memo == NULL)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK)
        rc = fn(&cx, ud, &result);
    if (rc == SEGRT_OK && out && (*out = segset_wrap(&result)) == NULL)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    bitset_free(&result);
    session_end(sc, cx.cat->nseg);
    plan_memo_free(&memo);
    id_order_release(&cx.ids);
    bitset_free(&cx.profiling_live);
    bitset_free(&live);
    mdb_txn_abort(cx.txn);
    lua_settop(sc->L, top);
    return rc;
}

/* ------------------------------------------------------------ compiling at load */

/* Compile one rule (a segment's where, a group's inline entry); a failure's message into b. */
static int check_rule(plan_ctx *cx, const tree *where, buf *b, size_t *broken)
{
    if (where == NULL)
        return SEGRT_OK;
    cx->unseen = 0;
    pnode *plan = plan_compile(cx, where, FRAME_CONTACTS);
    if (plan || cx->unseen) { /* unseen: checked when evaluated */
        plan_free(plan);
        return SEGRT_OK;
    }
    const char *msg = segrt_errmsg(cx->s);
    (*broken)++;
    return buf_put(b, "\n  ", 3) || buf_put(b, msg, strlen(msg)) ? SEGRT_ENOMEM : SEGRT_OK;
}

static int check_all(plan_ctx *cx, void *ud, bitset *result)
{
    (void)result;
    buf *b = ud;
    cx->checking = 1;
    size_t broken = 0;
    int rc = SEGRT_OK;
    const catalog *cat = cx->cat;
    for (size_t i = 0; i < cat->nseg && rc == SEGRT_OK; i++) {
        const tree *def = catalog_segment(cat, cat->names[i]);
        rc = check_rule(cx, tree_get(def, "where"), b, &broken);
    }
    for (uint32_t g = 0; cat->groups && g < cat->groups->nfields && rc == SEGRT_OK; g++) {
        const tree *list = cat->groups->fields[g].value;
        for (size_t k = 0; k < tree_count(list) && rc == SEGRT_OK; k++) {
            const tree *entry = tree_item(list, k);
            if (entry && entry->kind == TREE_TABLE)
                rc = check_rule(cx, tree_get(entry, "where"), b, &broken);
        }
    }
    if (rc == SEGRT_OK && buf_put(b, "", 1) != 0)
        rc = SEGRT_ENOMEM;
    if (rc != SEGRT_OK)
        return store_fail(cx->s, rc, "out of memory");
    if (broken == 0)
        return SEGRT_OK;
    return store_fail(cx->s, SEGRT_ELUA, "%zu of %zu segment%s do%s not compile:%s", broken,
                      cat->nseg, cat->nseg == 1 ? "" : "s", broken == 1 ? "es" : "",
                      (const char *)b->p);
}

int script_check_segments(segrt_script *sc)
{
    buf b = { 0 };
    int rc = with_session(sc, check_all, &b, NULL);
    buf_free(&b);
    return rc;
}

static int segment_result(plan_ctx *cx, void *ud, bitset *result)
{
    const char *name = ud;
    long idx = catalog_segment_index(cx->cat, name);
    const bitset *bits = NULL;
    int rc = idx >= 0 ? eval_segment(cx, idx, &bits) : unknown_segment(cx, name);
    if (rc == SEGRT_OK) { /* the result moves out of the memo */
        *result = *bits;
        script_of(cx)->seg_memo[idx].bits = (bitset){ 0 };
    }
    return rc;
}

int segrt_segment_eval(segrt_script *sc, const char *name, segrt_set **out)
{
    if (out)
        *out = NULL;
    if (sc == NULL || name == NULL || out == NULL)
        return SEGRT_EINVAL;
    return with_session(sc, segment_result, (void *)name, out);
}

/* A predicate node ANDed with the live contacts. */
static int predicate_result(plan_ctx *cx, void *ud, bitset *result)
{
    pnode *plan = plan_compile(cx, ud, FRAME_CONTACTS);
    int rc = plan ? plan_eval_pred(cx, plan, result) : SEGRT_ELUA;
    plan_free(plan);
    if (rc == SEGRT_OK)
        bitset_and(result, cx->live);
    return rc;
}

/* Summarise plan's values over the live contacts into sum (and present, when given). */
static int summarise(plan_ctx *cx, const pnode *plan, value_summary *sum, bitset *present,
                     vec *keep)
{
    vec v = { 0 };
    int rc = plan_eval_value(cx, plan, &v);
    if (rc == SEGRT_OK && present && bitset_init(present, cx->ncontacts) != 0)
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    *sum = (value_summary){ .type = plan->type, .min = INT64_MAX, .max = INT64_MIN };
    double total = 0;
    for (uint32_t i = 0; rc == SEGRT_OK && i < cx->ncontacts; i++) {
        int64_t x = vec_at(&v, i);
        if (x == VALUE_MISSING || !bitset_test(cx->live, i))
            continue;
        if (present)
            bitset_set(present, i);
        sum->present++;
        sum->min = x < sum->min ? x : sum->min;
        sum->max = x > sum->max ? x : sum->max;
        total += (double)x;
    }
    if (sum->present)
        sum->mean = total / (double)sum->present;
    if (rc == SEGRT_OK && keep && v.is_const) { /* a constant score: spread it out */
        int64_t *all = malloc((cx->ncontacts ? cx->ncontacts : 1) * sizeof *all);
        for (uint32_t i = 0; all && i < cx->ncontacts; i++)
            all[i] = v.k;
        v = (vec){ .v = all };
        if (all == NULL)
            rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    }
    if (rc == SEGRT_OK && keep) {
        *keep = v;
        v = (vec){ 0 };
    }
    vec_free(&v);
    return rc;
}

typedef struct value_job {
    const tree *expr;
    value_summary *sum;
} value_job;

static int value_result(plan_ctx *cx, void *ud, bitset *present)
{
    value_job *job = ud;
    pnode *plan = plan_compile_value(cx, job->expr);
    int rc = plan ? summarise(cx, plan, job->sum, present, NULL) : SEGRT_ELUA;
    plan_free(plan);
    return rc;
}

/* The Lua value at idx of the script's state, copied into *doc (a new doc: tree_doc_free). */
static int copy_arg(segrt_script *sc, int idx, tree_doc **doc, const tree **t)
{
    int rc = (*doc = tree_doc_new()) ? script_tree_copy(sc->L, idx, *doc, t) : SEGRT_ENOMEM;
    return rc == SEGRT_OK ? rc : store_fail(sc->s, rc, "out of memory reading a seg expression");
}

int script_eval_value(segrt_script *sc, int idx, value_summary *sum, segrt_set **present)
{
    *present = NULL;
    value_job job = { NULL, sum };
    tree_doc *doc;
    int rc = copy_arg(sc, idx, &doc, &job.expr);
    if (rc == SEGRT_OK)
        rc = with_session(sc, value_result, &job, present);
    tree_doc_free(doc);
    return rc;
}

int script_score_summary(plan_ctx *cx, const char *name, value_summary *sum, vec *values)
{
    char loc[300];
    snprintf(loc, sizeof loc, "score '%s'", name);
    pnode *plan = plan_compile_name(cx, "score", name, loc);
    int rc = plan ? summarise(cx, plan, sum, NULL, values) : SEGRT_ELUA;
    plan_free(plan);
    return rc;
}

int script_segment_bits(plan_ctx *cx, const char *name, const bitset **bits)
{
    return segment_bits(cx, name, bits);
}

int script_segment_size(plan_ctx *cx, const char *name, uint64_t *size)
{
    const bitset *bits;
    int rc = segment_bits(cx, name, &bits);
    *size = rc == SEGRT_OK ? bitset_count(bits) : 0;
    return rc;
}

typedef struct session_job {
    script_session_fn fn;
    void *ud;
} session_job;

static int session_result(plan_ctx *cx, void *ud, bitset *result)
{
    (void)result;
    session_job *job = ud;
    return job->fn(cx, job->ud);
}

int script_session(segrt_script *sc, script_session_fn fn, void *ud)
{
    session_job job = { fn, ud };
    return with_session(sc, session_result, &job, NULL);
}

typedef struct purpose_job {
    const char *purpose;
    segrt_set *m;
} purpose_job;

static int keep_purpose(plan_ctx *cx, void *ud)
{
    purpose_job *job = ud;
    bitset *bits = &job->m->bits;
    if (bits->nbits > cx->ncontacts) /* a set from a newer snapshot: cannot happen in one store */
        return store_fail(cx->s, SEGRT_EINVAL, "the set is newer than the store");
    bitset_and(bits, cx->live); /* contacts erased since keep no membership */
    return script_consent_filter(cx, job->purpose, bits);
}

int segrt_set_keep_purpose(segrt_script *sc, segrt_set *m, const char *purpose)
{
    if (sc == NULL || m == NULL || purpose == NULL)
        return SEGRT_EINVAL;
    purpose_job job = { purpose, m };
    return script_session(sc, keep_purpose, &job);
}

int script_eval_predicate(segrt_script *sc, int idx, segrt_set **out)
{
    *out = NULL;
    tree_doc *doc;
    const tree *pred = NULL;
    int rc = copy_arg(sc, idx, &doc, &pred);
    if (rc == SEGRT_OK)
        rc = with_session(sc, predicate_result, (void *)pred, out);
    tree_doc_free(doc);
    return rc;
}
