/*
 * merge_store.c — the undo records of merges as a whole: listing them
 * (segrt_merges_foreach, merge_store_foreach_into), dropping them when a contact is erased (merge_store_forget:
 * they hold personal data), and saying where an erased id went
 * (merge_store_erase_hint).
 *
 * The merges table is small next to the contacts (one record per merged
 * group), so these walk all of it; so does merge_store_foreach_into, for the export
 * of a survivor (what is kept of the contacts merged into it is held data).
 *
 * Uses: merge.h, merge_record.h, dedupe.h, row.h, array.h.
 */
#include "dedupe/merge.h"

#include "store/row.h"
#include "util/array.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct record_args {
    merge_store_into_fn fn;
    void *ud;
};

static int record_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                      const MDB_val *v)
{
    const struct record_args *a = ud;
    uint64_t id = 0;
    merge_record r = { 0 };
    int rc;
    (void)txn;
    if (k->mv_size == sizeof id)
        memcpy(&id, k->mv_data, sizeof id);
    int drc = k->mv_size == sizeof id ? merge_record_decode(v->mv_data, v->mv_size, &r) : -1;
    if (drc == -2)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory reading merges");
    else if (drc != 0)
        rc = store_fail(s, SEGRT_ECORRUPT, "the undo record of merge %llu is corrupt",
                        (unsigned long long)id);
    else
        rc = a->fn(a->ud, id, &r);
    merge_record_free(&r);
    return rc;
}

/* fn(ud, merge id, record) for each record; the record is valid for the call. */
static int each_record(segrt_store *s, MDB_txn *txn, merge_store_into_fn fn, void *ud)
{
    struct record_args a = { fn, ud };
    return store_scan(s, txn, DB_MERGES, NULL, 0, "reading merges", record_one, &a);
}

static int blob_is(buf_view b, const char *s)
{
    return b.n == strlen(s) && memcmp(b.p, s, b.n) == 0;
}

typedef struct into_args {
    uint32_t ord;
    merge_store_into_fn fn;
    void *ud;
} into_args;

static int into_one(void *ud, uint64_t id, const merge_record *r)
{
    const into_args *a = ud;
    return r->survivor == a->ord ? a->fn(a->ud, id, r) : SEGRT_OK;
}

int merge_store_foreach_into(segrt_store *s, MDB_txn *txn, uint32_t ord, merge_store_into_fn fn,
                             void *ud)
{
    into_args a = { ord, fn, ud };
    return each_record(s, txn, into_one, &a);
}

/* ------------------------------------------------------------ erasure */

typedef struct u32s {
    uint32_t *v;
    size_t n, cap;
} u32s;

static int u32s_push(u32s *a, uint32_t x)
{
    if (ARRAY_RESERVE(a->v, a->cap, a->n + 1) != 0)
        return -1;
    a->v[a->n++] = x;
    return 0;
}

static int has_u32(const u32s *a, uint32_t x)
{
    for (size_t i = 0; i < a->n; i++) {
        if (a->v[i] == x)
            return 1;
    }
    return 0;
}

typedef struct forget {
    const char *id;
    u32s ords;      /* the erased contact, and the contacts its dropped records held */
    buf drop;       /* merge ids to delete (u64) */
    int grew;
} forget;

static int dropping(const forget *f, uint64_t id)
{
    for (size_t at = 0; at < f->drop.len; at += sizeof id) {
        if (memcmp(f->drop.p + at, &id, sizeof id) == 0)
            return 1;
    }
    return 0;
}

static int forget_one(void *ud, uint64_t id, const merge_record *r)
{
    forget *f = ud;
    if (dropping(f, id))
        return SEGRT_OK;
    int held = has_u32(&f->ords, r->survivor);
    for (size_t i = 0; i < r->ngone && !held; i++)
        held = blob_is(r->gone[i].id, f->id);
    if (!held)
        return SEGRT_OK;
    if (buf_put(&f->drop, &id, sizeof id) != 0)
        return SEGRT_ENOMEM;
    for (size_t i = 0; i < r->ngone; i++) {
        if (!has_u32(&f->ords, r->gone[i].ord) && u32s_push(&f->ords, r->gone[i].ord) != 0)
            return SEGRT_ENOMEM;
    }
    f->grew = 1;
    return SEGRT_OK;
}

int merge_store_forget(segrt_store *s, MDB_txn *txn, uint32_t ord, const char *id, uint64_t *n)
{
    forget f = { .id = id };
    MDB_stat st;
    if (n)
        *n = 0;
    int mrc = mdb_stat(txn, s->dbi[DB_MERGES], &st);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "reading merges");
    if (st.ms_entries == 0)
        return SEGRT_OK;
    int rc = u32s_push(&f.ords, ord) ? SEGRT_ENOMEM : SEGRT_OK;
    /* Until a pass drops nothing new: a dropped record's contacts may have survived others. */
    for (f.grew = 1; rc == SEGRT_OK && f.grew;) {
        f.grew = 0;
        rc = each_record(s, txn, forget_one, &f);
    }
    for (size_t at = 0; rc == SEGRT_OK && at < f.drop.len; at += sizeof(uint64_t)) {
        MDB_val k = { sizeof(uint64_t), f.drop.p + at };
        mrc = mdb_del(txn, s->dbi[DB_MERGES], &k, NULL);
        if (mrc != 0)
            rc = store_mdb_fail(s, mrc, "dropping what undoes a merge");
    }
    if (rc == SEGRT_OK && n)
        *n = f.drop.len / sizeof(uint64_t);
    free(f.ords.v);
    buf_free(&f.drop);
    return rc == SEGRT_ENOMEM ? store_fail(s, rc, "out of memory erasing merges") : rc;
}

/* ------------------------------------------------------------ where a contact went */

typedef struct holder {
    const char *id;  /* look for this id ... */
    uint32_t ord;    /* ... or, when id is NULL, this ordinal */
    uint64_t merge;  /* 0 until found */
    uint32_t into;
} holder;

static int hold_one(void *ud, uint64_t id, const merge_record *r)
{
    holder *h = ud;
    for (size_t i = 0; i < r->ngone && h->merge == 0; i++) {
        if (h->id ? blob_is(r->gone[i].id, h->id) : r->gone[i].ord == h->ord) {
            h->merge = id;
            h->into = r->survivor;
        }
    }
    return SEGRT_OK;
}

int merge_store_holding(segrt_store *s, MDB_txn *txn, const char *id, uint32_t ord,
                        uint64_t *merge, uint32_t *into)
{
    holder h = { id, ord, 0, 0 };
    int rc = each_record(s, txn, hold_one, &h);
    *merge = h.merge;
    *into = h.into;
    return rc;
}

int merge_store_contact_name(segrt_store *s, MDB_txn *txn, uint32_t ord, char *out, size_t n)
{
    row r = { 0 };
    int rc = store_row_get(s, txn, ord, &r);
    if (rc == SEGRT_OK)
        snprintf(out, n, "'%.*s'", (int)r.idlen, r.id);
    else if (rc == SEGRT_ENOTFOUND)
        snprintf(out, n, "contact#%u (merged since)", ord);
    row_free(&r);
    return rc == SEGRT_ENOTFOUND ? SEGRT_OK : rc;
}

int merge_store_erase_hint(segrt_store *s, MDB_txn *txn, const char *id)
{
    char msg[sizeof s->errmsg], into[600];
    uint64_t merge;
    uint32_t ord;
    snprintf(msg, sizeof msg, "%s", s->errmsg); /* store_ord_of's "no contact" */
    int rc = merge_store_holding(s, txn, id, 0, &merge, &ord);
    if (rc == SEGRT_OK && merge)
        rc = merge_store_contact_name(s, txn, ord, into, sizeof into);
    if (rc != SEGRT_OK)
        return rc;
    if (merge == 0)
        return store_fail(s, SEGRT_ENOTFOUND, "%s", msg);
    return store_fail(s, SEGRT_ENOTFOUND,
                      "contact '%s' was merged into %s by merge %llu: erase that contact, or "
                      "undo the merge first (segrt dedupe --undo %llu)", id, into,
                      (unsigned long long)merge, (unsigned long long)merge);
}

/* ------------------------------------------------------------ listing */

typedef struct lister {
    segrt_store *s;
    MDB_txn *txn;
    int (*fn)(void *ud, const segrt_merge_info *m);
    void *ud;
} lister;

static int list_one(void *ud, uint64_t id, const merge_record *r)
{
    lister *l = ud;
    char **ids = calloc(r->ngone + 1, sizeof *ids), *survivor = NULL;
    row sr = { 0 };
    int rc = ids ? SEGRT_OK : SEGRT_ENOMEM;
    for (size_t i = 0; i < r->ngone && rc == SEGRT_OK; i++) {
        ids[i] = strndup((const char *)r->gone[i].id.p, r->gone[i].id.n);
        rc = ids[i] ? SEGRT_OK : SEGRT_ENOMEM;
    }
    int grc = rc == SEGRT_OK ? store_row_get(l->s, l->txn, r->survivor, &sr) : rc;
    if (grc == SEGRT_OK && (survivor = strndup(sr.id, sr.idlen)) == NULL)
        rc = SEGRT_ENOMEM;
    else if (grc != SEGRT_OK && grc != SEGRT_ENOTFOUND)
        rc = grc;
    if (rc == SEGRT_OK) {
        segrt_merge_info m = { id, r->now, dedupe_by_name(r->by), survivor, r->ngone,
                               (const char *const *)ids };
        rc = l->fn(l->ud, &m);
    }
    for (size_t i = 0; ids && i < r->ngone; i++)
        free(ids[i]);
    free(ids);
    free(survivor);
    row_free(&sr);
    return rc == SEGRT_ENOMEM ? store_fail(l->s, rc, "out of memory listing merges") : rc;
}

static int list_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    lister *l = ud;
    l->txn = txn;
    return each_record(s, txn, list_one, l);
}

int segrt_merges_foreach(segrt_store *s, int (*fn)(void *ud, const segrt_merge_info *m), void *ud)
{
    lister l = { s, NULL, fn, ud };
    return store_read(s, list_in, &l);
}
