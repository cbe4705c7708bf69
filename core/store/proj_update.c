/*
 * proj_update.c — keeping the event projections current as timelines
 * change (proj_update.h): the touched contacts' timelines as they were,
 * then per touched chunk their events before and after compared type by
 * type, a run for each (type, chunk) that changed, and merges, compactions
 * and chunk rebuilds as the thresholds say.
 *
 * Uses: proj_update.h, proj_pair.h, proj_index.h, proj_build.h, event.h,
 * committer.h, page_check.h, store.h, array.h.
 */
#include "store/proj_update.h"

#include "store/committer.h"
#include "store/event.h"
#include "store/page_check.h"
#include "store/proj_build.h"
#include "store/proj_index.h"
#include "store/proj_pair.h"
#include "store/store_map.h"
#include "util/array.h"

#include <stdlib.h>
#include <string.h>

static int oom(segrt_store *s)
{
    return store_fail(s, SEGRT_ENOMEM, "out of memory updating the event projections");
}

static uint32_t setting(uint32_t v, uint32_t dflt)
{
    return v ? v : dflt;
}

/* A touch: contact ord, its timeline as it was at old.recs[at, at + n); seq: the touch's order. */
typedef struct touch {
    uint32_t ord, seq;
    size_t at, n;
} touch;

struct proj_touched {
    touch *t;
    size_t n, cap;
    event_list old;    /* the timelines as they were, one after another */
    uint32_t *touches; /* per chunk: touches so far; past the bulk setting, no timeline is kept */
    size_t chunks;
};

int proj_update_touch(segrt_store *s, MDB_txn *txn, uint32_t ord)
{
    if (s->touched == NULL && (s->touched = calloc(1, sizeof *s->touched)) == NULL)
        return oom(s);
    struct proj_touched *pt = s->touched;
    uint32_t chunk = ord >> PROJ_CHUNK_BITS;
    if (ARRAY_RESERVE_ZERO(pt->touches, pt->chunks, (size_t)chunk + 1) != 0 ||
        ARRAY_RESERVE(pt->t, pt->cap, pt->n + 1) != 0)
        return oom(s);
    touch t = { ord, (uint32_t)pt->n, pt->old.n, 0 };
    uint32_t bulk = setting(s->proj_policy.bulk, PROJ_BULK);
    if (pt->touches[chunk] < bulk) { /* else the chunk is rebuilt: no need to keep it */
        int rc = event_list_read(s, txn, ord, &pt->old);
        if (rc != SEGRT_OK)
            return rc;
        t.n = pt->old.n - t.at;
    }
    if (pt->touches[chunk] <= bulk)
        pt->touches[chunk]++;
    pt->t[pt->n++] = t;
    return SEGRT_OK;
}

void proj_update_reset(segrt_store *s)
{
    struct proj_touched *pt = s->touched;
    if (pt == NULL)
        return;
    pt->n = 0;
    event_list_clear(&pt->old);
    if (pt->chunks)
        memset(pt->touches, 0, pt->chunks * sizeof *pt->touches);
}

void proj_update_free(segrt_store *s)
{
    struct proj_touched *pt = s->touched;
    if (pt == NULL)
        return;
    free(pt->t);
    event_list_free(&pt->old);
    free(pt->touches);
    free(pt);
    s->touched = NULL;
}

/* ------------------------------------------------------------ parts */

static int del_pair_part(segrt_store *s, MDB_txn *txn, const proj_pair *p, uint32_t id)
{
    proj_key k = { p->type, p->chunk, id };
    return proj_part_del(s, txn, &k);
}

/* Delete the first n runs of p (those in the table). */
static int del_runs(segrt_store *s, MDB_txn *txn, const proj_pair *p, size_t n)
{
    int rc = SEGRT_OK;
    for (size_t r = 0; r < n && rc == SEGRT_OK; r++)
        rc = del_pair_part(s, txn, p, p->run[r].id);
    return rc;
}

/* Fold the runs into the base: the first `stored` runs of p are in the table. */
static int compact(segrt_store *s, MDB_txn *txn, const proj_pair *p, size_t stored)
{
    proj_cols out = { 0 };
    int rc = proj_pair_materialize(p, &out) == 0 ? SEGRT_OK : oom(s);
    if (rc == SEGRT_OK) /* p's arrays are the map's: nothing of them is read from here on */
        rc = del_runs(s, txn, p, stored);
    proj_key base = { p->type, p->chunk, 0 };
    if (rc == SEGRT_OK)
        rc = out.n ? proj_part_put(s, txn, &base, &out, NULL, 0) : proj_part_del(s, txn, &base);
    proj_cols_free(&out);
    return rc;
}

/* Merge the runs into one, part id. */
static int merge(segrt_store *s, MDB_txn *txn, const proj_pair *p, size_t stored, uint32_t id)
{
    proj_cols out = { 0 };
    proj_entry *ent = NULL;
    size_t nent = 0;
    int rc = proj_pair_merge_runs(p, &out, &ent, &nent) == 0 ? SEGRT_OK : oom(s);
    if (rc == SEGRT_OK)
        rc = del_runs(s, txn, p, stored);
    proj_key k = { p->type, p->chunk, id };
    if (rc == SEGRT_OK && nent)
        rc = proj_part_put(s, txn, &k, &out, ent, nent);
    proj_cols_free(&out);
    free(ent);
    return rc;
}

/* A hash of the pair, so that pairs written alike reach their thresholds in different writes. */
static uint32_t pair_hash(uint32_t type, uint32_t chunk)
{
    uint32_t h = type * 0x9E3779B1u ^ chunk * 0x85EBCA77u;
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    return h ^ h >> 12;
}

/* Add the run (run, ent) to pair p, then merge or compact as the thresholds say. */
static int apply(segrt_store *s, MDB_txn *txn, proj_pair *p, const proj_cols *run,
                 const proj_entry *ent, size_t nent)
{
    const store_proj_policy *pol = &s->proj_policy;
    uint32_t h = pair_hash(p->type, p->chunk);
    uint32_t runs = setting(pol->runs, PROJ_RUNS), ratio = setting(pol->ratio, PROJ_RATIO);
    size_t max_runs = runs + h % runs, share = ratio + h / runs % ratio;
    proj_part fresh = { .id = proj_pair_next_id(p), .ent = ent, .nent = nent };
    proj_cols_view(run, &fresh.ev);
    size_t stored = p->nrun;
    int rc = proj_pair_push(s, p, &fresh);
    if (rc == SEGRT_OK)
        rc = proj_pair_resolve(s, p);
    if (rc != SEGRT_OK)
        return rc;
    size_t base = p->base.ev.n;
    if (base + p->delta <= setting(pol->small, PROJ_SMALL) || p->delta * share > base)
        return compact(s, txn, p, stored);
    if (p->nrun > max_runs)
        return merge(s, txn, p, stored, fresh.id);
    proj_key k = { p->type, p->chunk, fresh.id };
    return proj_part_put(s, txn, &k, run, ent, nent);
}

/* ------------------------------------------------------------ one chunk, contact by contact */

/* The touched contacts of one chunk: their timelines before (kept by the touch) and now. */
typedef struct chunk_change {
    uint32_t chunk;
    const touch *t;   /* sorted by ord, one per contact */
    size_t n;
    const event_list *old;
    event_list now;   /* the timelines now, one after another */
    size_t *at;       /* contact k's events now are now.recs[at[k] .. at[k + 1]) */
} chunk_change;

/* A contact whose events of a type changed. */
typedef struct change {
    uint32_t type, k;
} change;

/* Whether the events of type in a[0, na) and b[0, nb) are the same, at the same places. */
static int same_of_type(const event_rec *a, size_t na, const event_rec *b, size_t nb,
                        uint32_t type)
{
    size_t i = 0, j = 0;
    for (;;) {
        while (i < na && a[i].type != type)
            i++;
        while (j < nb && b[j].type != type)
            j++;
        if (i == na || j == nb)
            return i == na && j == nb;
        if (i != j || a[i].ts != b[j].ts || a[i].amount != b[j].amount ||
            a[i].category != b[j].category || a[i].channel != b[j].channel)
            return 0;
        i++;
        j++;
    }
}

static int by_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Sort v[0..n) and drop repeats; the count left. */
static size_t sort_unique(uint32_t *v, size_t n)
{
    size_t k = 0;
    if (n > 1)
        qsort(v, n, sizeof *v, by_u32);
    for (size_t i = 0; i < n; i++) {
        if (k == 0 || v[k - 1] != v[i])
            v[k++] = v[i];
    }
    return k;
}

/* Append to *out the types whose events changed for contact k (types: scratch of its size). */
static int contact_changes(segrt_store *s, const chunk_change *cc, uint32_t k, change **out,
                           size_t *n, size_t *cap)
{
    const event_rec *a = cc->old->recs + cc->t[k].at, *b = cc->now.recs + cc->at[k];
    size_t na = cc->t[k].n, nb = cc->at[k + 1] - cc->at[k], nt = 0;
    uint32_t *types = malloc((na + nb + 1) * sizeof *types);
    if (types == NULL)
        return oom(s);
    for (size_t i = 0; i < na; i++)
        types[nt++] = a[i].type;
    for (size_t i = 0; i < nb; i++)
        types[nt++] = b[i].type;
    nt = sort_unique(types, nt);
    int rc = SEGRT_OK;
    for (size_t i = 0; i < nt && rc == SEGRT_OK; i++) {
        if (types[i] >= PROJ_TYPE_LIMIT)
            rc = store_fail(s, SEGRT_ECORRUPT, "events of contact %u have an impossible type "
                            "code %u", cc->t[k].ord, types[i]);
        else if (same_of_type(a, na, b, nb, types[i]))
            continue;
        else if (ARRAY_RESERVE(*out, *cap, *n + 1) != 0)
            rc = oom(s);
        else
            (*out)[(*n)++] = (change){ types[i], k };
    }
    free(types);
    return rc;
}

static int by_type_contact(const void *a, const void *b)
{
    const change *x = a, *y = b;
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    return (x->k > y->k) - (x->k < y->k);
}

/* The run of (type, chunk) for the contacts ch[0, n) (all of type), then merges or compactions. */
static int update_pair(segrt_store *s, MDB_txn *txn, const chunk_change *cc, const change *ch,
                       size_t n)
{
    uint32_t type = ch[0].type;
    proj_pair p;
    proj_cols run = { 0 };
    proj_entry *ent = malloc(n * sizeof *ent);
    int rc = proj_pair_load(s, txn, type, cc->chunk, &p);
    if (rc == SEGRT_OK && ent == NULL)
        rc = oom(s);
    for (size_t c = 0; c < n && rc == SEGRT_OK; c++) {
        uint32_t k = ch[c].k, ord = cc->t[k].ord, bl, bh, first = (uint32_t)run.n;
        const event_rec *r = cc->now.recs + cc->at[k];
        for (size_t i = 0; i < cc->at[k + 1] - cc->at[k] && rc == SEGRT_OK; i++) {
            if (r[i].type == type && proj_cols_push(&run, ord, r[i].ts, r[i].amount, r[i].category,
                                                    r[i].channel, (uint32_t)i) != 0)
                rc = oom(s);
        }
        proj_pair_base_range(&p, ord, &bl, &bh);
        ent[c] = (proj_entry){ ord, first, (uint32_t)run.n, bl, bh };
    }
    if (rc == SEGRT_OK)
        rc = apply(s, txn, &p, &run, ent, n);
    proj_pair_free(&p);
    proj_cols_free(&run);
    free(ent);
    return rc;
}

/* Update the projections of the n touched contacts t of chunk, pair by pair. */
static int update_chunk(segrt_store *s, MDB_txn *txn, uint32_t chunk, const touch *t, size_t n)
{
    chunk_change cc = { .chunk = chunk, .t = t, .n = n, .old = &s->touched->old,
                        .at = malloc((n + 1) * sizeof *cc.at) };
    change *ch = NULL;
    size_t nch = 0, cap = 0;
    int rc = cc.at ? SEGRT_OK : oom(s);
    for (size_t k = 0; k < n && rc == SEGRT_OK; k++) {
        cc.at[k] = cc.now.n;
        rc = event_list_read(s, txn, t[k].ord, &cc.now);
    }
    if (rc == SEGRT_OK)
        cc.at[n] = cc.now.n;
    for (size_t k = 0; k < n && rc == SEGRT_OK; k++)
        rc = contact_changes(s, &cc, (uint32_t)k, &ch, &nch, &cap);
    if (rc == SEGRT_OK && nch > 1)
        qsort(ch, nch, sizeof *ch, by_type_contact);
    for (size_t i = 0, j; i < nch && rc == SEGRT_OK; i = j) {
        for (j = i + 1; j < nch && ch[j].type == ch[i].type; j++)
            ;
        rc = update_pair(s, txn, &cc, ch + i, j - i);
    }
    free(ch);
    free(cc.at);
    event_list_free(&cc.now);
    return rc;
}

/* ------------------------------------------------------------ whole chunks */

static int mark(segrt_store *s, MDB_txn *txn, uint32_t chunk)
{
    unsigned char kb[PROJ_KEY_BYTES];
    proj_key k = { PROJ_DIRTY, chunk, 0 };
    MDB_val key = proj_key_val(&k, kb), v = { 0, NULL };
    int mrc = mdb_put(txn, s->dbi[DB_PROJ], &key, &v, 0);
    return mrc == 0 ? SEGRT_OK : store_mdb_fail(s, mrc, "marking event projections to rebuild");
}

/* The part ids of one pair, for deleting them after the scan. */
typedef struct part_ids {
    uint32_t *id;
    size_t n, cap;
} part_ids;

static int note_id(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    part_ids *l = ud;
    proj_key key;
    (void)txn;
    (void)v;
    if (proj_key_decode(k, &key) != 0)
        return store_fail(s, SEGRT_ECORRUPT, "the projections table has a bad key");
    if (ARRAY_RESERVE(l->id, l->cap, l->n + 1) != 0)
        return oom(s);
    l->id[l->n++] = key.part;
    return SEGRT_OK;
}

/* Delete every part of (type, chunk). */
static int drop_pair(segrt_store *s, MDB_txn *txn, uint32_t type, uint32_t chunk)
{
    unsigned char prefix[PROJ_KEY_BYTES];
    proj_key k = { type, chunk, 0 };
    proj_key_val(&k, prefix);
    part_ids l = { 0 };
    int rc = store_scan(s, txn, DB_PROJ, prefix, 8, "reading an event projection", note_id, &l);
    for (size_t i = 0; i < l.n && rc == SEGRT_OK; i++) {
        k.part = l.id[i];
        rc = proj_part_del(s, txn, &k);
    }
    free(l.id);
    return rc;
}

/*
 * Put chunk's columns built from its timelines (b, freed as they go) in place
 * of its pairs, and drop its mark (x: the table's pairs).
 */
static int put_built(segrt_store *s, MDB_txn *txn, const proj_index *x, uint32_t chunk,
                     proj_build *b)
{
    size_t first, np = proj_index_chunk(x, chunk, &first);
    int rc = SEGRT_OK;
    for (size_t i = 0; i < np && rc == SEGRT_OK; i++)
        rc = drop_pair(s, txn, x->pair[first + i].type, chunk);
    for (size_t t = 0; t < b->nt && rc == SEGRT_OK; t++) {
        proj_key k = { (uint32_t)t, chunk, 0 };
        if (b->t[t].n)
            rc = proj_part_put(s, txn, &k, &b->t[t], NULL, 0);
        proj_cols_free(&b->t[t]); /* the dirty pages grow as the built columns go */
    }
    proj_key mark_key = { PROJ_DIRTY, chunk, 0 };
    if (rc == SEGRT_OK)
        rc = proj_part_del(s, txn, &mark_key);
    return rc;
}

static int build_chunk(segrt_store *s, MDB_txn *txn, uint32_t chunk, proj_build *b)
{
    return proj_build_range(s, txn, proj_chunk_first(chunk), proj_chunk_end(chunk), b);
}

/* Rebuild every pair of chunk from its timelines and drop its mark (x: the table's pairs). */
static int rebuild(segrt_store *s, MDB_txn *txn, const proj_index *x, uint32_t chunk)
{
    proj_build b = { 0 };
    int rc = build_chunk(s, txn, chunk, &b);
    if (rc == SEGRT_OK)
        rc = put_built(s, txn, x, chunk, &b);
    proj_build_free(&b);
    return rc;
}

/* ------------------------------------------------------------ flushing */

/* By contact, then the order of the touches: a contact's first touch first. */
static int by_ord_seq(const void *a, const void *b)
{
    const touch *x = a, *y = b;
    if (x->ord != y->ord)
        return x->ord < y->ord ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

int proj_update_flush(segrt_store *s, MDB_txn *txn, int defer)
{
    struct proj_touched *pt = s->touched;
    if (pt == NULL || pt->n == 0)
        return SEGRT_OK;
    qsort(pt->t, pt->n, sizeof *pt->t, by_ord_seq);
    size_t n = 0;
    for (size_t i = 0; i < pt->n; i++) {
        if (n == 0 || pt->t[n - 1].ord != pt->t[i].ord)
            pt->t[n++] = pt->t[i];
    }
    proj_index x;
    uint32_t bulk = setting(s->proj_policy.bulk, PROJ_BULK);
    int rc = proj_index_load(s, txn, 1, &x);
    for (size_t i = 0, j; i < n && rc == SEGRT_OK; i = j) {
        uint32_t chunk = pt->t[i].ord >> PROJ_CHUNK_BITS;
        for (j = i + 1; j < n && pt->t[j].ord >> PROJ_CHUNK_BITS == chunk; j++)
            ;
        int dirty = proj_index_dirty(&x, chunk), many = pt->touches[chunk] > bulk;
        if (defer && (dirty || many))
            rc = dirty ? SEGRT_OK : mark(s, txn, chunk);
        else if (dirty || many)
            rc = rebuild(s, txn, &x, chunk);
        else
            rc = update_chunk(s, txn, chunk, pt->t + i, j - i);
    }
    proj_index_free(&x);
    if (rc == SEGRT_OK)
        proj_update_reset(s);
    return rc;
}

/* A dirty chunk's columns, built from its timelines. */
typedef struct built {
    uint32_t chunk;
    proj_build b;
} built;

static int build_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    built *bt = ud;
    return build_chunk(s, txn, bt->chunk, &bt->b);
}

/* Put bt's columns, unless a rebuild before this one already did (a retry). */
static int put_txn(segrt_store *s, MDB_txn *txn, built *bt)
{
    proj_index x;
    int rc = proj_index_load(s, txn, 1, &x);
    if (rc == SEGRT_OK && proj_index_dirty(&x, bt->chunk))
        rc = put_built(s, txn, &x, bt->chunk, &bt->b);
    proj_index_free(&x);
    return rc;
}

/* A commit's LMDB code (committer_commit, committer_wait) as ours; a failure is recorded. */
static int committed(segrt_store *s, int mrc)
{
    return mrc == 0 ? SEGRT_OK : store_mdb_fail(s, mrc, "committing an event projection");
}

/*
 * Write bt's columns in a transaction of cm's and hand its commit over; a
 * failure is diagnosed as store_write diagnoses one (page_check.h).
 */
static int put_chunk(segrt_store *s, committer *cm, built *bt)
{
    MDB_txn *txn = NULL;
    int rc = committer_begin(cm, s, &txn);
    s->last_mdb_rc = 0;
    if (rc == SEGRT_OK)
        rc = put_txn(s, txn, bt);
    if (rc == SEGRT_OK)
        rc = committed(s, committer_commit(cm, txn));
    else if (txn != NULL)
        committer_abort(cm, txn);
    return store_page_diagnose(s, rc);
}

/*
 * Rebuild the dirty chunks from x->dirty[*at] on, one transaction each: a
 * chunk is built (under a read transaction: the timelines do not change
 * here) while the one before commits on cm's thread. On failure *at is the
 * first chunk that may not be rebuilt.
 */
static int rebuild_from(segrt_store *s, committer *cm, const proj_index *x, size_t *at)
{
    int rc = SEGRT_OK;
    for (size_t i = *at; i < x->ndirty && rc == SEGRT_OK; i++) {
        built bt = { .chunk = x->dirty[i] };
        rc = store_read(s, build_txn, &bt);
        int crc = committed(s, committer_wait(cm));
        if (crc != SEGRT_OK) { /* the chunk before: its rebuild is to do again */
            proj_build_free(&bt.b);
            return crc;
        }
        *at = i;
        if (rc == SEGRT_OK)
            rc = put_chunk(s, cm, &bt);
        proj_build_free(&bt.b);
        store_map_release(s); /* what the chunk's rebuild read need not stay resident */
    }
    return rc == SEGRT_OK ? committed(s, committer_wait(cm)) : rc;
}

static int load_dirty(segrt_store *s, MDB_txn *txn, void *ud)
{
    return proj_index_load(s, txn, 0, ud);
}

int proj_update_dirty(segrt_store *s)
{
    proj_index x = { 0 };
    int rc = store_read(s, load_dirty, &x);
    committer *cm = NULL;
    if (rc == SEGRT_OK && x.ndirty > 1)
        committer_start(s, &cm);
    size_t at = 0;
    for (int attempt = 0; rc == SEGRT_OK; attempt++) {
        rc = rebuild_from(s, cm, &x, &at);
        if (rc == SEGRT_OK || s->last_mdb_rc != MDB_MAP_FULL || attempt >= STORE_MAX_GROW_ATTEMPTS)
            break;
        rc = store_grow(s); /* and the chunk that filled it is rebuilt again */
    }
    committer_stop(cm);
    proj_index_free(&x);
    return rc;
}

int proj_update_convert(segrt_store *s, MDB_txn *txn)
{
    static const char *const gone[] = { "proj_gen", "ev_gen" };
    uint64_t next = 0;
    int mrc = mdb_drop(txn, s->dbi[DB_PROJ], 0);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "dropping the event projections of format 2");
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
        MDB_val k = { strlen(gone[i]), (void *)gone[i] };
        mrc = mdb_del(txn, s->dbi[DB_META], &k, NULL);
        if (mrc != 0 && mrc != MDB_NOTFOUND)
            return store_mdb_fail(s, mrc, "dropping the event projections of format 2");
    }
    int rc = store_counter_get(s, txn, "next_ord", &next);
    for (uint64_t c = 0; next > 0 && c <= (next - 1) >> PROJ_CHUNK_BITS && rc == SEGRT_OK; c++)
        rc = mark(s, txn, (uint32_t)c);
    return rc;
}
