/*
 * segset.c — the public segrt_set (segset.h): counts, and members as
 * external ids in byte order, or as JSON rows, each read in one snapshot
 * (store_read).
 *
 * Uses: store.h, row.h, schema.h, contact_json.h.
 */
#include "plan/segset.h"

#include "privacy/contact_json.h"
#include "util/value.h"
#include "store/row.h"
#include "store/schema.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

segrt_set *segset_wrap(bitset *b)
{
    segrt_set *m = malloc(sizeof *m);
    if (m == NULL)
        return NULL;
    m->bits = *b;
    *b = (bitset){ 0 };
    return m;
}

segrt_set *segrt_set_copy(const segrt_set *m)
{
    bitset copy;
    if (m == NULL || bitset_init(&copy, m->bits.nbits) != 0)
        return NULL;
    memcpy(copy.w, m->bits.w, bitset_words(copy.nbits) * sizeof *copy.w);
    segrt_set *out = segset_wrap(&copy);
    if (out == NULL)
        bitset_free(&copy);
    return out;
}

void segrt_set_free(segrt_set *m)
{
    if (m == NULL)
        return;
    bitset_free(&m->bits);
    free(m);
}

/* segrt_set_contains: the id looked up in a set, and whether it is a member. */
typedef struct id_lookup {
    const bitset *b;
    const char *id;
    int *in;
} id_lookup;

static int contains_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    const id_lookup *r = ud;
    uint32_t ord;
    int rc = store_ord_of(s, txn, r->id, &ord);
    if (rc == SEGRT_OK)
        *r->in = bitset_test(r->b, ord);
    return rc;
}

int segrt_set_contains(segrt_store *s, const segrt_set *m, const char *id, int *in)
{
    if (in)
        *in = 0;
    if (s == NULL || m == NULL || id == NULL || in == NULL)
        return SEGRT_EINVAL;
    id_lookup r = { &m->bits, id, in };
    return store_read(s, contains_in, &r);
}

uint64_t segrt_set_count(const segrt_set *m)
{
    return m ? bitset_count(&m->bits) : 0;
}

/* A read of the members' ids (ids_in): the set, where to start, what to call for each id. */
typedef struct ids_read {
    const bitset *b;
    const char *after; /* only ids after this one in byte order; NULL: all */
    segrt_id_fn fn;
    void *ud;
    int stopped; /* fn's last return: non-zero ended the walk */
} ids_read;

/* One entry of the id index: the id, when its ordinal is a member. */
static int id_if_member(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                        const MDB_val *v)
{
    (void)s;
    (void)txn;
    ids_read *r = ud;
    char id[512];
    uint32_t ord;
    if (v->mv_size != sizeof ord || k->mv_size >= sizeof id)
        return SEGRT_OK;
    memcpy(&ord, v->mv_data, sizeof ord);
    if (!bitset_test(r->b, ord))
        return SEGRT_OK;
    memcpy(id, k->mv_data, k->mv_size);
    id[k->mv_size] = '\0';
    if (r->after && strcmp(id, r->after) <= 0)
        return SEGRT_OK; /* the start key itself */
    return r->stopped = r->fn(r->ud, id); /* STORE_STOP (1) too: the scan says SEGRT_OK */
}

/* Large sets: walk the id index, which is already in byte order. */
static int ids_by_index(segrt_store *s, MDB_txn *txn, ids_read *r)
{
    MDB_val start = { r->after ? strlen(r->after) : 0, (void *)r->after };
    const char *what = "reading the id index";
    int rc = r->after ? store_scan_from(s, txn, DB_IDS, &start, what, id_if_member, r)
                      : store_scan(s, txn, DB_IDS, NULL, 0, what, id_if_member, r);
    return rc == SEGRT_OK && r->stopped ? r->stopped : rc;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Small sets: look each member up, then sort. */
static int ids_by_lookup(segrt_store *s, MDB_txn *txn, const ids_read *r, uint64_t n)
{
    const bitset *b = r->b;
    char **ids = calloc(n ? n : 1, sizeof *ids);
    if (ids == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory listing members");
    size_t got = 0;
    int rc = SEGRT_OK;
    for (uint32_t i = bitset_next(b, 0); i < b->nbits && rc == SEGRT_OK;
         i = bitset_next(b, i + 1)) {
        MDB_val k = store_ord_key(&i), v;
        const char *id;
        size_t len;
        int mrc = mdb_get(txn, s->dbi[DB_CONTACTS], &k, &v);
        if (mrc != 0)
            rc = store_mdb_fail(s, mrc, "reading a member");
        else if (row_id(v.mv_data, v.mv_size, &id, &len) != 0)
            rc = store_fail(s, SEGRT_ECORRUPT, "contact %u has a corrupt record", i);
        else if ((ids[got] = strndup(id, len)) == NULL)
            rc = store_fail(s, SEGRT_ENOMEM, "out of memory listing members");
        else
            got++;
    }
    if (rc == SEGRT_OK && got)
        qsort(ids, got, sizeof *ids, by_string);
    for (size_t i = 0; i < got && rc == SEGRT_OK; i++) {
        if (r->after == NULL || strcmp(ids[i], r->after) > 0)
            rc = r->fn(r->ud, ids[i]);
    }
    for (size_t i = 0; i < got; i++)
        free(ids[i]);
    free(ids);
    return rc;
}

/* The members' ids in byte order, in txn. */
static int ids_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    ids_read *r = ud;
    uint64_t n = bitset_count(r->b);
    /* a lookup costs a few index steps per member: switch at 1/16 of the base */
    if (n > (uint64_t)r->b->nbits / 16)
        return ids_by_index(s, txn, r);
    return ids_by_lookup(s, txn, r, n);
}

int segrt_set_ids_foreach(segrt_store *s, const segrt_set *m, segrt_id_fn fn, void *ud)
{
    return segrt_set_ids_after(s, m, NULL, fn, ud);
}

int segrt_set_ids_after(segrt_store *s, const segrt_set *m, const char *after, segrt_id_fn fn,
                        void *ud)
{
    if (s == NULL || m == NULL || fn == NULL)
        return SEGRT_EINVAL;
    ids_read r = { .b = &m->bits, .after = after, .fn = fn, .ud = ud };
    return store_read(s, ids_in, &r);
}

typedef struct rows_ctx {
    segrt_store *s;
    MDB_txn *txn;        /* the snapshot the rows are read in */
    const bitset *bits;  /* the members */
    const char *const *fields;
    size_t nfields;
    const vec *scores;   /* per field: the score's values when it is a score, else v == NULL */
    const vtype *types;
    segrt_row_fn fn;
    void *ud;
} rows_ctx;

static json_t *score_json(vtype t, int64_t v)
{
    char text[32];
    if (v == VALUE_MISSING)
        return json_null();
    if (t == VT_TIME) {
        value_format_timestamp(v, text);
        return json_string(text);
    }
    if (t == VT_BOOL)
        return json_boolean(v);
    if (v % VALUE_NUMBER_SCALE == 0)
        return json_integer(v / VALUE_NUMBER_SCALE);
    return json_real((double)v / VALUE_NUMBER_SCALE);
}

static int emit_row(void *ud, const char *id)
{
    rows_ctx *r = ud;
    uint32_t ord;
    json_t *all = json_object(), *picked = r->nfields ? json_object() : NULL;
    int rc = all && (picked || !r->nfields) ? store_ord_of(r->s, r->txn, id, &ord) : SEGRT_ENOMEM;
    if (rc == SEGRT_OK)
        rc = contact_json_fields(r->s, r->txn, ord, all);
    if (rc == SEGRT_OK && picked) {
        json_object_set(picked, "id", json_object_get(all, "id"));
        for (size_t i = 0; i < r->nfields; i++) {
            if (r->scores && r->scores[i].v) {
                json_object_set_new(picked, r->fields[i], score_json(r->types[i], r->scores[i].v[ord]));
                continue;
            }
            json_t *v = json_object_get(all, r->fields[i]);
            json_object_set(picked, r->fields[i], v ? v : json_null());
        }
    }
    char *text = rc == SEGRT_OK ? json_dumps(picked ? picked : all, CONTACT_JSON_FLAGS | JSON_COMPACT)
                                : NULL;
    if (rc == SEGRT_OK)
        rc = text ? r->fn(r->ud, text) : store_fail(r->s, SEGRT_ENOMEM, "out of memory");
    free(text);
    json_decref(all);
    json_decref(picked);
    return rc;
}

int segset_is_field(segrt_store *s, const char *name)
{
    return strcmp(name, "id") == 0 || schema_find(s->schema, name, strlen(name)) != NULL;
}

/* The rows in txn: each member's id, as ids_in gives them, becomes a row. */
static int rows_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    rows_ctx *r = ud;
    r->txn = txn;
    return ids_in(s, txn, &(ids_read){ .b = r->bits, .fn = emit_row, .ud = r });
}

int segset_rows_foreach(segrt_store *s, const segrt_set *m, const char *const *fields,
                        size_t nfields, const vec *scores, const vtype *types, segrt_row_fn fn,
                        void *ud)
{
    rows_ctx r = { s, NULL, &m->bits, fields, nfields, scores, types, fn, ud };
    return store_read(s, rows_in, &r);
}

int segrt_set_rows_foreach(segrt_store *s, const segrt_set *m, const char *const *fields,
                           size_t nfields, segrt_row_fn fn, void *ud)
{
    if (s == NULL || m == NULL || fn == NULL || (nfields && fields == NULL))
        return SEGRT_EINVAL;
    for (size_t i = 0; i < nfields; i++) {
        if (!segset_is_field(s, fields[i]))
            return store_fail(s, SEGRT_EINVAL, "unknown field '%s'", fields[i]);
    }
    return segset_rows_foreach(s, m, fields, nfields, NULL, NULL, fn, ud);
}
