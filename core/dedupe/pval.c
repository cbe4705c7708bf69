/*
 * pval.c — contact field values in a form that outlives dictionary codes
 * (pval.h): written from a row, read back, compared with a row and applied
 * to one.
 *
 * Uses: buf.h, row.h, column.h, dict.h, schema.h, value.h.
 */
#include "dedupe/pval.h"

#include "store/schema.h"
#include "util/value.h"

#include <stdlib.h>
#include <string.h>

static int put_string(segrt_store *s, MDB_txn *txn, uint16_t field, uint32_t code, buf *body)
{
    MDB_val v;
    int rc = dict_string(s, txn, field, code, &v);
    if (rc != SEGRT_OK)
        return rc;
    return buf_put_blob(body, v.mv_data, v.mv_size) ? SEGRT_ENOMEM : SEGRT_OK;
}

int pval_append(segrt_store *s, MDB_txn *txn, const row *r, const row_value *v, buf *body,
              uint32_t *count)
{
    const field_def *f = schema_by_id(s->schema, v->field);
    if (f == NULL)
        return store_fail(s, SEGRT_ECORRUPT, "a contact has a value of unknown field %u",
                          v->field);
    unsigned char type = (unsigned char)f->type;
    if (buf_put_varint(body, f->id) || buf_put(body, &type, 1))
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    int rc = SEGRT_OK;
    if (f->type == SEGRT_T_STRING) {
        rc = put_string(s, txn, f->id, (uint32_t)v->v, body);
    } else if (f->type == SEGRT_T_SET) {
        rc = buf_put_varint(body, v->nset) ? SEGRT_ENOMEM : SEGRT_OK;
        for (uint32_t i = 0; i < v->nset && rc == SEGRT_OK; i++)
            rc = put_string(s, txn, f->id, row_set_codes(r, v)[i], body);
    } else if (buf_put_varint(body, zigzag(v->v))) {
        rc = SEGRT_ENOMEM;
    }
    if (rc == SEGRT_ENOMEM)
        return store_fail(s, rc, "out of memory");
    *count += rc == SEGRT_OK;
    return rc;
}

int pval_finish(const buf *body, uint32_t count, buf *out)
{
    out->len = 0;
    return buf_put_varint(out, count) || buf_put(out, body->p, body->len) ? -1 : 0;
}

int pval_iter_init(pval_iter *it, buf_view b)
{
    it->p = b.p;
    it->end = b.p + b.n;
    if (b.n == 0) { /* no values at all */
        it->left = 0;
        return 0;
    }
    return get_varint(&it->p, it->end, &it->left);
}

int pval_next(pval_iter *it, pval *out)
{
    uint32_t field;
    if (it->left == 0)
        return it->p == it->end ? 0 : -1;
    it->left--;
    *out = (pval){ 0 };
    if (get_u32(&it->p, it->end, &field) || field > UINT16_MAX || it->p >= it->end)
        return -1;
    out->field = (uint16_t)field;
    out->type = *it->p++;
    if (out->type == SEGRT_T_STRING) {
        buf_view b;
        if (get_blob(&it->p, it->end, &b))
            return -1;
        out->p = b.p;
        out->n = b.n;
    } else if (out->type == SEGRT_T_SET) {
        const unsigned char *start;
        if (get_u32(&it->p, it->end, &out->nitems))
            return -1;
        start = it->p;
        for (uint32_t i = 0; i < out->nitems; i++) {
            buf_view b;
            if (get_blob(&it->p, it->end, &b))
                return -1;
        }
        out->p = start;
        out->n = (size_t)(it->p - start);
    } else {
        uint64_t v;
        if (out->type < SEGRT_T_INTEGER || out->type > SEGRT_T_SET ||
            get_varint(&it->p, it->end, &v))
            return -1;
        out->v = unzigzag(v);
    }
    return 1;
}

buf_view pval_item(const unsigned char **p, const unsigned char *end)
{
    buf_view b = { NULL, 0 };
    if (get_blob(p, end, &b) != 0)
        *p = end; /* pval_next checked the items: not reached */
    return b;
}

/* Whether the string of code in field equals p[0..n). */
static int same_string(segrt_store *s, MDB_txn *txn, uint16_t field, uint32_t code,
                       const unsigned char *p, size_t n, int *same)
{
    MDB_val v;
    int rc = dict_string(s, txn, field, code, &v);
    *same = rc == SEGRT_OK && v.mv_size == n && memcmp(v.mv_data, p, n) == 0;
    return rc;
}

int pval_matches(segrt_store *s, MDB_txn *txn, const row *r, const pval *pv, int *same)
{
    const row_value *v = row_get(r, pv->field);
    *same = 0;
    if (v == NULL)
        return SEGRT_OK;
    if (pv->type == SEGRT_T_STRING)
        return v->is_set ? SEGRT_OK : same_string(s, txn, pv->field, (uint32_t)v->v, pv->p, pv->n,
                                                  same);
    if (pv->type != SEGRT_T_SET) {
        *same = !v->is_set && v->v == pv->v;
        return SEGRT_OK;
    }
    if (!v->is_set || v->nset != pv->nitems)
        return SEGRT_OK;
    const unsigned char *p = pv->p, *end = pv->p + pv->n;
    int rc = SEGRT_OK;
    *same = 1;
    for (uint32_t i = 0; i < v->nset && *same && rc == SEGRT_OK; i++) {
        buf_view b = pval_item(&p, end);
        rc = same_string(s, txn, pv->field, row_set_codes(r, v)[i], b.p, b.n, same);
    }
    return rc;
}

int pval_dicts_init(segrt_store *s, pval_dicts *d)
{
    uint32_t n = 0;
    for (size_t i = 0; i < s->schema->n; i++) {
        if (s->schema->fields[i].id >= n)
            n = s->schema->fields[i].id + 1u;
    }
    d->map = calloc(n + 1, sizeof *d->map);
    d->n = d->map ? n : 0;
    return d->map ? SEGRT_OK : store_fail(s, SEGRT_ENOMEM, "out of memory");
}

void pval_dicts_free(pval_dicts *d)
{
    for (uint32_t i = 0; i < d->n; i++)
        dict_map_free(d->map[i]);
    free(d->map);
    *d = (pval_dicts){ 0 };
}

static int intern(segrt_store *s, MDB_txn *txn, pval_dicts *d, uint16_t field,
                  const unsigned char *p, size_t n, uint32_t *code)
{
    if (field >= d->n)
        return store_fail(s, SEGRT_ECORRUPT, "field %u is not in the schema", field);
    if (d->map[field] == NULL) {
        int rc = dict_map_load(s, txn, field, &d->map[field]);
        if (rc != SEGRT_OK)
            return rc;
    }
    return dict_intern(s, txn, d->map[field], (const char *)p, n, code);
}

int pval_apply(segrt_store *s, MDB_txn *txn, column_cache *cc, pval_dicts *dicts, row *r,
               uint32_t ord, const pval *pv)
{
    const field_def *f = schema_by_id(s->schema, pv->field);
    if (f == NULL || (int)f->type != pv->type)
        return store_fail(s, SEGRT_ECORRUPT, "a value to restore does not fit field %u",
                          pv->field);
    int rc = pval_clear(s, txn, cc, r, ord, pv->field);
    if (rc != SEGRT_OK)
        return rc;
    if (pv->type == SEGRT_T_STRING) {
        uint32_t code;
        rc = intern(s, txn, dicts, f->id, pv->p, pv->n, &code);
        if (rc == SEGRT_OK)
            rc = column_set_code(s, txn, cc, f->id, ord, code);
        if (rc == SEGRT_OK && row_set(r, f->id, code, NULL, 0, 0) != 0)
            rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
        return rc;
    }
    if (pv->type != SEGRT_T_SET) {
        rc = column_set_i64(s, txn, cc, f->id, ord, pv->v);
        if (rc == SEGRT_OK && row_set(r, f->id, pv->v, NULL, 0, 0) != 0)
            rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
        return rc;
    }
    if (pv->nitems == 0)
        return SEGRT_OK;
    uint32_t *codes = malloc(pv->nitems * sizeof *codes);
    const unsigned char *p = pv->p, *end = pv->p + pv->n;
    if (codes == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < pv->nitems && rc == SEGRT_OK; i++) {
        buf_view b = pval_item(&p, end);
        rc = intern(s, txn, dicts, f->id, b.p, b.n, &codes[i]);
        if (rc == SEGRT_OK)
            rc = column_set_bit(s, txn, cc, f->id, codes[i], ord, 1);
    }
    /* The codes in the contact's own order, as the export lists them. */
    if (rc == SEGRT_OK && row_set(r, f->id, 0, codes, pv->nitems, 1) != 0)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    free(codes);
    return rc;
}

int pval_clear(segrt_store *s, MDB_txn *txn, column_cache *cc, row *r, uint32_t ord,
               uint16_t field)
{
    const row_value *v = row_get(r, field);
    const field_def *f = schema_by_id(s->schema, field);
    int rc = SEGRT_OK;
    if (v == NULL || f == NULL)
        return SEGRT_OK;
    if (f->type == SEGRT_T_SET) {
        for (uint32_t i = 0; i < v->nset && rc == SEGRT_OK; i++)
            rc = column_set_bit(s, txn, cc, field, row_set_codes(r, v)[i], ord, 0);
    } else if (f->type == SEGRT_T_STRING) {
        rc = column_set_code(s, txn, cc, field, ord, 0);
    } else {
        rc = column_set_i64(s, txn, cc, field, ord, VALUE_MISSING);
    }
    if (rc == SEGRT_OK)
        row_unset(r, field);
    return rc;
}
