/*
 * retention.c — segrt_retention(): find the contacts with no activity for N
 * days before NOW (no event, no consent record; a contact with neither counts
 * from its created_at, as Mautic's GDPR clean-up counts from date_added) and
 * list or erase them.
 *
 * The inactive contacts are found in one read snapshot (one pass over the
 * timelines and one over the histories for each contact's newest ts, read
 * in place; then the contacts, a row decoded only for the inactive), then
 * erased in batches (erase.h): one write transaction per batch, an audit
 * entry per contact as `segrt erase` writes.
 *
 * Uses: erase.h, row.h, event.h, consent.h, schema.h, store_map.h, value.h,
 * array.h, hugepage.h.
 */
#include "store/consent.h"
#include "privacy/erase.h"
#include "store/page_check.h"
#include "store/event.h"
#include "store/row.h"
#include "store/schema.h"
#include "store/store_map.h"
#include "util/array.h"
#include "util/hugepage.h"
#include "util/value.h"

#include <stdlib.h>
#include <string.h>

typedef struct id_list {
    char **ids;
    size_t n, cap;
} id_list;

static void id_list_free(id_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->ids[i]);
    free(l->ids);
    *l = (id_list){ 0 };
}

static int id_list_add(id_list *l, const char *id, size_t n)
{
    if (ARRAY_RESERVE(l->ids, l->cap, l->n + 1) != 0)
        return -1;
    char *s = malloc(n + 1);
    if (s == NULL)
        return -1;
    memcpy(s, id, n);
    s[n] = '\0';
    l->ids[l->n++] = s;
    return 0;
}

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct scan {
    int64_t cutoff;     /* active means some activity at or after this time */
    uint16_t created;   /* the created_at field, 0 when the store has none */
    int64_t *newest;    /* per ordinal below nord: the newest event or consent ts */
    uint32_t nord;
    int consents;       /* the pass over the histories (else the timelines) */
    uint32_t seen;      /* values read since the map pages were last given back */
    row r;
    id_list *out;       /* the ids of the inactive contacts */
} scan;

/* Values read between two releases of the map pages a pass read. */
#define RELEASE_EVERY 65536

static void note_read(segrt_store *s, scan *x)
{
    if (++x->seen % RELEASE_EVERY == 0) /* what was read of the store need not stay resident */
        store_map_release(s);
}

/* A timeline or a consent history (key k, value v): its newest ts into x->newest. */
static int note_newest(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                       const MDB_val *v)
{
    scan *x = ud;
    uint32_t ord;
    int64_t ts;
    (void)txn;
    int rc = store_ord_decode(s, k, x->consents ? "a consents key" : "an events key", &ord);
    if (rc != SEGRT_OK)
        return rc;
    int drc = x->consents ? consent_list_newest(v->mv_data, v->mv_size, &ts)
                          : event_list_newest(v->mv_data, v->mv_size, &ts);
    if (drc != 0)
        return store_decoded(s, drc, x->consents ? "consents" : "events", ord);
    if (ord < x->nord && ts != VALUE_MISSING && (x->newest[ord] == VALUE_MISSING || ts > x->newest[ord]))
        x->newest[ord] = ts;
    note_read(s, x);
    return SEGRT_OK;
}

/* The contact (key k, row v) into x->out when it is inactive; its row is decoded only then. */
static int note_inactive(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                         const MDB_val *v)
{
    scan *x = ud;
    uint32_t ord;
    (void)txn;
    int rc = store_ord_decode(s, k, "a contact key", &ord);
    if (rc != SEGRT_OK)
        return rc;
    int64_t newest = ord < x->nord ? x->newest[ord] : VALUE_MISSING;
    note_read(s, x);
    if (newest != VALUE_MISSING && newest >= x->cutoff)
        return SEGRT_OK; /* active */
    row_clear(&x->r);
    int drc = row_decode(&x->r, v->mv_data, v->mv_size);
    if (drc != 0)
        return drc == -2 ? store_fail(s, SEGRT_ENOMEM, "out of memory")
                         : store_fail(s, SEGRT_ECORRUPT, "contact %u has a corrupt record", ord);
    int inactive = 1;
    if (newest == VALUE_MISSING) {
        const row_value *c = x->created ? row_get(&x->r, x->created) : NULL;
        inactive = c == NULL || c->v == VALUE_MISSING || c->v < x->cutoff;
    }
    if (inactive && id_list_add(x->out, x->r.id, x->r.idlen) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    return SEGRT_OK;
}

/*
 * Three passes in key order, each table read once from start to end: the
 * newest event of every contact, then its newest consent record, then the
 * contacts (cheaper than two lookups per contact in tables of millions).
 */
static int find_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    scan *x = ud;
    uint64_t next_ord;
    int rc = schema_load_txn(s, txn);
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, "next_ord", &next_ord);
    if (rc != SEGRT_OK)
        return rc;
    const field_def *f = schema_find(s->schema, "created_at", strlen("created_at"));
    x->created = f && (f->type == SEGRT_T_TIMESTAMP) ? f->id : 0;
    x->nord = (uint32_t)next_ord;
    x->newest = hugepage_malloc((next_ord ? next_ord : 1) * sizeof *x->newest);
    if (x->newest == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory finding inactive contacts");
    for (uint32_t i = 0; i < x->nord; i++)
        x->newest[i] = VALUE_MISSING;
    rc = store_scan(s, txn, DB_EVENTS, NULL, 0, "reading events", note_newest, x);
    x->consents = 1;
    if (rc == SEGRT_OK)
        rc = store_scan(s, txn, DB_CONSENTS, NULL, 0, "reading consents", note_newest, x);
    if (rc == SEGRT_OK)
        rc = store_scan(s, txn, DB_CONTACTS, NULL, 0, "reading contacts", note_inactive, x);
    return rc;
}

/* The ids of the inactive contacts, in byte order. */
static int find_inactive(segrt_store *s, int64_t cutoff, id_list *out)
{
    scan x = { .cutoff = cutoff, .out = out };
    int rc = store_read(s, find_in, &x);
    free(x.newest);
    row_free(&x.r);
    if (rc == SEGRT_OK && out->n > 1)
        qsort(out->ids, out->n, sizeof *out->ids, by_bytes);
    return rc;
}

int segrt_retention(segrt_store *s, uint32_t inactive_days, int dry_run, const char *actor,
                    int (*fn)(void *ud, const char *id), void *ud)
{
    if (inactive_days == 0)
        return store_fail(s, SEGRT_EINVAL, "retention: the number of inactive days must be "
                                           "at least 1");
    if (!dry_run && s->readonly)
        return store_fail(s, SEGRT_EINVAL, "the store is open read-only");
    enum { BATCH = 512 };
    id_list ids = { 0 };
    unsigned char erased[BATCH];
    /* erasing many contacts walks much of the store: not over a damaged page */
    int rc = dry_run ? SEGRT_OK : store_pages_sound(s);
    if (rc == SEGRT_OK)
        rc = find_inactive(s, s->now - (int64_t)inactive_days * 86400, &ids);
    for (size_t at = 0; at < ids.n && rc == SEGRT_OK; at += BATCH) {
        size_t n = ids.n - at < BATCH ? ids.n - at : BATCH;
        if (dry_run)
            memset(erased, 1, n);
        else
            rc = erase_batch(s, (const char *const *)ids.ids + at, n, actor, erased);
        store_map_release(s); /* the columns a batch swept need not stay resident */
        for (size_t i = 0; i < n && rc == SEGRT_OK; i++) {
            if (erased[i] && fn)
                rc = fn(ud, ids.ids[at + i]);
        }
    }
    id_list_free(&ids);
    return rc;
}
