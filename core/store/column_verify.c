/*
 * column_verify.c — the columns compared with the records they are derived
 * from: a chunk a write packed wrongly, or a value a write changed in one
 * place only, shows as a difference here.
 *
 * Uses: column_scalar.h, row.h, schema.h, store.h, value.h.
 */
#include "store/column_verify.h"

#include "store/column_scalar.h"
#include "store/row.h"
#include "store/schema.h"
#include "util/value.h"

#include <stdlib.h>

/* One field's chunk holding the contact being compared. */
typedef struct field_view {
    const field_def *f;
    uint32_t chunk; /* UINT32_MAX before the first */
    int stored;     /* the chunk was ever written (else every value is missing) */
    column_scalar c;
} field_view;

typedef struct verify {
    field_view *views;
    size_t n;
    row r;
} verify;

static int view_chunk(segrt_store *s, MDB_txn *txn, field_view *fv, uint32_t chunk)
{
    if (fv->chunk == chunk)
        return SEGRT_OK;
    MDB_val v;
    int rc = column_chunk_get(s, txn, fv->f->id, chunk, 0, &v);
    fv->chunk = chunk;
    fv->stored = rc == SEGRT_OK;
    if (rc == SEGRT_ENOTFOUND)
        return SEGRT_OK;
    if (rc != SEGRT_OK)
        return rc;
    if (column_scalar_of(&v, fv->f->type, &fv->c) != 0)
        return store_fail(s, SEGRT_ECORRUPT, "check: the column of field '%s' has a chunk %u "
                          "of %zu bytes, which no form of its type has", fv->f->name, chunk,
                          v.mv_size);
    return SEGRT_OK;
}

static int verify_contact(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                          const MDB_val *v)
{
    verify *w = ud;
    uint32_t ord;
    int rc = store_ord_decode(s, k, "a contact's key", &ord);
    if (rc != SEGRT_OK)
        return rc;
    int drc = row_decode(&w->r, v->mv_data, v->mv_size);
    if (drc != 0)
        return store_decoded(s, drc, "the record", ord);
    for (size_t i = 0; i < w->n; i++) {
        field_view *fv = &w->views[i];
        if ((rc = view_chunk(s, txn, fv, ord >> COL_CHUNK_BITS)) != SEGRT_OK)
            return rc;
        const row_value *rv = row_get(&w->r, fv->f->id);
        int64_t want = rv ? rv->v : VALUE_MISSING;
        int64_t got = fv->stored ? column_scalar_at(&fv->c, ord & (COL_CHUNK_ROWS - 1))
                                 : VALUE_MISSING;
        if (got != want)
            return store_fail(s, SEGRT_ECORRUPT, "check: the column of field '%s' holds %lld for "
                              "contact %u, whose record holds %lld (%lld: none)", fv->f->name,
                              (long long)got, ord, (long long)want, (long long)VALUE_MISSING);
    }
    return SEGRT_OK;
}

int column_verify(segrt_store *s, MDB_txn *txn)
{
    const struct schema *sc = s->schema;
    verify w = { calloc(sc->n ? sc->n : 1, sizeof *w.views), 0, { 0 } };
    if (w.views == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    for (size_t i = 0; i < sc->n; i++) {
        if (sc->fields[i].type != SEGRT_T_SET)
            w.views[w.n++] = (field_view){ .f = &sc->fields[i], .chunk = UINT32_MAX };
    }
    int rc = store_scan(s, txn, DB_CONTACTS, NULL, 0, "check", verify_contact, &w);
    row_free(&w.r);
    free(w.views);
    return rc;
}
