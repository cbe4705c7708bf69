/*
 * live.c — the real-time path (segrt_live_*): a script's segments kept up to
 * date one contact at a time, for a host that feeds events as they happen.
 *
 * Opening evaluates every segment over the whole store once. Each applied
 * batch of JSON lines is imported (committed but not synced; the id order,
 * and the event projections of a chunk of contacts changed in bulk, are left
 * stale until the flush) and only the
 * contacts its rows touched are evaluated again, with plan_one.c, against a
 * fresh snapshot. Values that rank a contact against everybody (NTILE,
 * fitted models) keep what they were at open: one event would move
 * everybody's rank, so they are batch values, refreshed by opening again.
 *
 * Tags of seg.tag rules that a batch moves are written right after it
 * (live_tags.c).
 *
 * Uses: live.h, live_plan.c (the first evaluation), live_tags.c, live_writeback.h, plan_one.h, import.h
 * (the stream), script.h (filters, score fns and consent checks per
 * contact), catalog.h (the session's own copy of the definitions), array.h.
 */
#include "live/live.h"
#include "live/live_writeback.h"

#include "plan/catalog.h"
#include "plan/segset.h"
#include "store/store_map.h"
#include "util/array.h"
#include "util/value.h"

#include <stdlib.h>
#include <string.h>

#define LIVE_TAG_ROUNDS 4 /* tag writes per batch: a tag rule reading tags settles by then */

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
    const vec *x = &lv->globals[i];
    *v = x->is_const ? x->k : ord < lv->nglobal_rows ? x->v[ord] : VALUE_MISSING;
    return SEGRT_OK;
}

static int profiling_one(void *ud, uint32_t ord)
{
    segrt_live *lv = ud;
    return script_profiling_one(&lv->cx, ord);
}

static int member_of(void *ud, const pnode *p, uint32_t ord, int *in)
{
    (void)ord; /* always the contact being evaluated */
    segrt_live *lv = ud;
    return seg_in(lv, catalog_segment_index(lv->cat, p->str), in);
}

static int where_holds(segrt_live *lv, const pnode *where, int *in)
{
    int rc = plan_one_live(&lv->one, in);
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
        rc = script_consent_passes(&lv->cx, sg->purpose, ord);
        *in = rc > 0;
        rc = rc < 0 ? rc : SEGRT_OK;
    }
    if (rc == SEGRT_OK && *in && sg->has_filter)
        rc = script_filter_one(&lv->cx, lv->cat->names[i], ord, in);
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
        return store_fail(lv->s, SEGRT_ELUA, "segment '%s' depends on itself", lv->cat->names[i]);
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
        if (lv->one.restricted_ord == ord && lv->one.restricted)
            continue; /* Art. 18: it leaves, but nothing (a tag, a webhook) processes it */
        if (lv->segs[i].tag && (rc = live_tags_note(lv, ord, i, in)) != SEGRT_OK)
            break;
        if (fn && id[0] == '\0')
            contact_proxy_id_text(&lv->cx, ord, id, sizeof id);
        if (fn && fn(ud, id, lv->cat->names[i], in) != 0)
            rc = store_fail(lv->s, SEGRT_EINVAL, "the host's callback stopped the update");
    }
    return rc;
}

/* ------------------------------------------------------------ opening */

/*
 * A read snapshot of its own: the store as of now, contacts counted. It
 * lives from one batch to the next (renewed, not reopened), and what the
 * contacts' evaluation borrows from it stays valid in between, so it is
 * not a store_read.
 */
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
    plan_one_ctx_forget(&lv->one);
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
    segrt_store *s = script_store(sc);
    if (s->live)
        return store_fail(s, SEGRT_EINVAL, "a live session is already open on this store");
    segrt_live *lv = calloc(1, sizeof *lv);
    if (lv == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    lv->sc = sc;
    lv->s = s;
    s->live = 1;
    /* its own copy of the definitions: they are read as contacts change, until the close */
    int rc = script_catalog_take(sc, &lv->cat);
    if (rc == SEGRT_OK) {
        size_t n = lv->nseg = lv->cat->nseg;
        lv->segs = calloc(n ? n : 1, sizeof *lv->segs);
        lv->state = calloc(n ? n : 1, 1);
        lv->in = calloc(n ? n : 1, 1);
        lv->global_index = strmap_new();
        if (!lv->segs || !lv->state || !lv->in || !lv->global_index)
            rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    }
    if (rc == SEGRT_OK)
        rc = script_session(sc, live_prepare, lv);
    lv->cx = (plan_ctx){ .s = s, .cat = lv->cat, .ud = sc, .now = segrt_store_now(s),
                         .session_now = segrt_store_now(s),
                         .ncontacts = lv->nglobal_rows };
    plan_one_ctx_init(&lv->one, &lv->cx);
    lv->one.global = global_value;
    lv->one.member = member_of;
    lv->one.profiling = profiling_one;
    lv->one.ud = lv;
    if (rc == SEGRT_OK)
        rc = renew_snapshot(lv);
    unsigned flags = 0;
    if (rc == SEGRT_OK && !s->readonly && mdb_env_get_flags(s->env, &flags) == 0 &&
        !(flags & MDB_NOSYNC)) { /* batches commit without a sync; segrt_live_flush syncs */
        lv->restore_sync = mdb_env_set_flags(s->env, MDB_NOSYNC, 1) == 0;
    }
    mdb_filehandle_t fd;
    if (rc == SEGRT_OK && lv->restore_sync && mdb_env_get_fd(s->env, &fd) == 0 &&
        live_writeback_start(fd, &lv->writeback) != 0)
        lv->writeback = NULL; /* no thread: the flush writes everything, as it can */
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
    if (ARRAY_RESERVE(lv->touched, lv->touched_cap, lv->ntouched + 1) != 0) {
        lv->touched_oom = 1;
        return;
    }
    uint64_t reads = ev_type == 0 ? READS_ALL : ev_type < 64 ? UINT64_C(1) << ev_type : READS_ALL;
    lv->touched[lv->ntouched++] = (struct touch){ ord, reads };
}

static int by_ord(const void *a, const void *b)
{
    uint32_t x = ((const struct touch *)a)->ord, y = ((const struct touch *)b)->ord;
    return (x > y) - (x < y);
}

/* update_contact for each contact of lv->touched, once, with everything that arrived for it. */
static int update_touched(segrt_live *lv, segrt_live_fn fn, void *ud)
{
    int rc = SEGRT_OK;
    if (lv->ntouched) /* none: touched may be NULL, which qsort must not be given */
        qsort(lv->touched, lv->ntouched, sizeof *lv->touched, by_ord);
    for (size_t i = 0; i < lv->ntouched && rc == SEGRT_OK;) {
        size_t j = i;
        uint64_t reads = 0;
        for (; j < lv->ntouched && lv->touched[j].ord == lv->touched[i].ord; j++)
            reads |= lv->touched[j].reads;
        rc = update_contact(lv, lv->touched[i].ord, reads, fn, ud);
        i = j;
    }
    return rc;
}

/*
 * Tags the batch (or tick) moved are written, and their contacts evaluated
 * again (a segment may read F.tags); a rule reading its own tag may move it
 * again, a bounded number of times.
 */
static int settle_tags(segrt_live *lv, segrt_live_fn fn, void *ud)
{
    int rc = SEGRT_OK;
    for (int round = 0; rc == SEGRT_OK && lv->ntag_changes && round < LIVE_TAG_ROUNDS; round++) {
        rc = live_tags_write(lv);
        if (rc == SEGRT_OK)
            rc = renew_snapshot(lv);
        if (rc == SEGRT_OK)
            rc = update_touched(lv, fn, ud);
    }
    return rc;
}

int segrt_live_apply(segrt_live *lv, segrt_kind kind, const char *jsonl, size_t len,
                     segrt_live_fn fn, void *ud, segrt_import_report *report)
{
    return segrt_live_apply_opts(lv, kind, jsonl, len, NULL, fn, ud, report);
}

int segrt_live_apply_opts(segrt_live *lv, segrt_kind kind, const char *jsonl, size_t len,
                          const segrt_import_opts *opts, segrt_live_fn fn, void *ud,
                          segrt_import_report *report)
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
        rc = import_stream_feed(lv->streams[kind], jsonl, len, opts, report, note_touched, lv);
    lv->dirty |= 1u << kind;
    live_writeback_kick(lv->writeback);
    /* What committed is evaluated even when a later batch failed. */
    int urc = renew_snapshot(lv);
    if (urc == SEGRT_OK && lv->touched_oom)
        urc = store_fail(lv->s, SEGRT_ENOMEM, "out of memory noting the contacts to update");
    segrt_script_begin_call(lv->sc); /* the batch is one call of its Lua hatches */
    if (urc == SEGRT_OK)
        urc = update_touched(lv, fn, ud);
    if (urc == SEGRT_OK)
        urc = settle_tags(lv, fn, ud);
    lv->ntag_changes = 0;
    return rc != SEGRT_OK ? rc : urc;
}

/* ------------------------------------------------------------ reading */

static const live_seg *find_segment(segrt_live *lv, const char *segment)
{
    long i = segment ? catalog_segment_index(lv->cat, segment) : -1;
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

int segrt_live_members(segrt_live *lv, const char *segment, segrt_set **out)
{
    if (out)
        *out = NULL;
    if (lv == NULL || out == NULL)
        return SEGRT_EINVAL;
    const live_seg *sg = find_segment(lv, segment);
    if (sg == NULL)
        return SEGRT_ENOTFOUND;
    segrt_set view = { .bits = sg->members }; /* borrowed: only read by the copy */
    if ((*out = segrt_set_copy(&view)) == NULL)
        return store_fail(lv->s, SEGRT_ENOMEM, "out of memory copying members");
    return SEGRT_OK;
}

int segrt_live_erase(segrt_live *lv, const char *id, const char *actor)
{
    if (lv == NULL || id == NULL)
        return SEGRT_EINVAL;
    uint32_t ord;
    int rc = store_ord_of(lv->s, lv->cx.txn, id, &ord);
    if (rc == SEGRT_OK)
        rc = segrt_contact_erase(lv->s, id, actor);
    if (rc != SEGRT_OK)
        return rc;
    for (size_t i = 0; i < lv->nseg; i++)
        bitset_clear_bit(&lv->segs[i].members, ord);
    return renew_snapshot(lv);
}

/* ------------------------------------------------------------ a new NOW */

/*
 * Report to fn (when not NULL) every contact whose membership differs
 * between old and now, segment by segment; note the tags to write.
 */
static int report_diff(segrt_live *lv, const segrt_live *old, segrt_live_fn fn, void *ud)
{
    int rc = SEGRT_OK;
    for (size_t i = 0; i < lv->nseg && rc == SEGRT_OK; i++) {
        const bitset *now = &lv->segs[i].members, *was = &old->segs[i].members;
        size_t words = bitset_words(now->nbits), was_words = bitset_words(was->nbits);
        for (size_t k = 0; k < words && rc == SEGRT_OK; k++) {
            uint64_t diff = now->w[k] ^ (k < was_words ? was->w[k] : 0);
            for (; diff && rc == SEGRT_OK; diff &= diff - 1) {
                uint32_t ord = (uint32_t)(k * 64 + (size_t)__builtin_ctzll(diff));
                int in = bitset_test(now, ord);
                if (lv->segs[i].tag)
                    rc = live_tags_note(lv, ord, i, in);
                if (rc != SEGRT_OK || fn == NULL)
                    continue;
                char id[512] = "";
                contact_proxy_id_text(&lv->cx, ord, id, sizeof id);
                if (fn(ud, id, lv->cat->names[i], in) != 0)
                    rc = store_fail(lv->s, SEGRT_EINVAL, "the host's callback stopped the update");
            }
        }
    }
    return rc;
}

/*
 * Move the evaluation of fresh (its definitions, snapshot, plans, globals,
 * members) into lv and lv's into fresh; what the host set up (the import
 * streams, what awaits a flush) stays with lv. The per-contact context
 * points at its session, so it is pointed again.
 */
static void take_evaluation(segrt_live *lv, segrt_live *fresh)
{
    segrt_live was = *lv;
    *lv = *fresh;
    *fresh = was;
    memcpy(lv->streams, was.streams, sizeof was.streams);
    memset(fresh->streams, 0, sizeof fresh->streams);
    lv->touched = was.touched;
    lv->touched_cap = was.touched_cap;
    lv->dirty = was.dirty;
    lv->restore_sync = was.restore_sync;
    lv->writeback = was.writeback;
    fresh->touched = NULL;
    fresh->writeback = NULL;
    fresh->dirty = 0;
    fresh->restore_sync = 0;
    lv->one.cx = &lv->cx;
    lv->one.ud = lv;
    fresh->one.cx = &fresh->cx;
    fresh->one.ud = fresh;
}

int segrt_live_tick(segrt_live *lv, int64_t now, segrt_live_fn fn, void *ud)
{
    if (lv == NULL)
        return SEGRT_EINVAL;
    segrt_store_set_now(lv->s, now);
    lv->s->live = 0; /* the fresh session succeeds this one */
    segrt_live *fresh;
    int rc = segrt_live_open(lv->sc, &fresh);
    lv->s->live = 1;
    if (rc != SEGRT_OK)
        return rc;
    take_evaluation(lv, fresh);
    rc = report_diff(lv, fresh, fn, ud);
    segrt_live_close(fresh); /* the old evaluation; it ends no session */
    lv->s->live = 1;
    if (rc == SEGRT_OK)
        rc = settle_tags(lv, fn, ud);
    lv->ntag_changes = 0;
    return rc;
}

/* ------------------------------------------------------------ flushing and closing */

int segrt_live_sync(segrt_live *lv)
{
    if (lv == NULL)
        return SEGRT_EINVAL;
    /* no store_fail: this may run beside the session's writer, whose message it would race */
    return mdb_env_sync(lv->s->env, 1) == 0 ? SEGRT_OK : SEGRT_EIO;
}

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
    /* a long session's map would hold every page it ever read: the hot ones fault back */
    store_map_release(lv->s);
    return rc;
}

int segrt_live_close(segrt_live *lv)
{
    if (lv == NULL)
        return SEGRT_OK;
    live_writeback_stop(lv->writeback);
    int rc = lv->dirty ? segrt_live_flush(lv) : SEGRT_OK;
    if (lv->restore_sync)
        mdb_env_set_flags(lv->s->env, MDB_NOSYNC, 0);
    lv->s->live = 0;
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
        vec_free(&lv->globals[i]);
    plan_one_ctx_free(&lv->one);
    if (lv->cx.txn)
        mdb_txn_abort(lv->cx.txn);
    free(lv->globals);
    strmap_free(lv->global_index);
    catalog_free(lv->cat);
    free(lv->segs);
    free(lv->state);
    free(lv->in);
    free(lv->touched);
    free(lv->tag_changes);
    free(lv);
    return rc;
}
