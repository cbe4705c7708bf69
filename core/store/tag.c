/*
 * tag.c — a managed tag written into contacts (tag.h). The row record is the
 * source of truth (show, export) and the bitset column what segments scan,
 * so both change in one step. tag_sync compares the column a chunk at a
 * time with the wanted members and rewrites only the contacts that differ.
 *
 * Uses: store.h, column.h, row.h, dict.h, schema.h, buf.h.
 */
#include "store/tag.h"

#include "store/dict.h"
#include "store/row.h"
#include "store/schema.h"
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

int tag_ref_get(segrt_store *s, MDB_txn *txn, const char *tag, tag_ref *out)
{
    const field_def *f = schema_find(s->schema, TAG_FIELD, strlen(TAG_FIELD));
    int rc = SEGRT_OK;
    if (f == NULL)
        rc = schema_add(s, txn, TAG_FIELD, strlen(TAG_FIELD), SEGRT_T_SET, &f);
    else if (f->type != SEGRT_T_SET)
        rc = store_fail(s, SEGRT_ESCHEMA, "seg.tag writes into the set field '%s', but the "
                        "store's '%s' is a %s", TAG_FIELD, TAG_FIELD, segrt_type_name(f->type));
    if (rc == SEGRT_OK)
        rc = store_counter_add(s, txn, "write_gen", 1);
    if (rc != SEGRT_OK)
        return rc;
    out->field = f->id;
    rc = dict_find(s, txn, f->id, tag, strlen(tag), &out->code);
    if (rc != SEGRT_OK || out->code != 0)
        return rc;
    dict_map *d = NULL;
    rc = dict_map_load(s, txn, f->id, &d);
    if (rc == SEGRT_OK)
        rc = dict_intern(s, txn, d, tag, strlen(tag), &out->code);
    dict_map_free(d);
    return rc;
}

/* The row's set of t->field with t->code added (on) or removed, into *out (n codes). */
static int edited_codes(segrt_store *s, const row *r, const tag_ref *t, int on, uint32_t **out,
                        uint32_t *n)
{
    const row_value *v = row_get(r, t->field);
    uint32_t have = v ? v->nset : 0;
    uint32_t *codes = malloc((have + 1) * sizeof *codes);
    if (codes == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory writing a tag");
    *n = 0;
    int placed = !on;
    for (uint32_t i = 0; i < have; i++) {
        uint32_t c = row_set_codes(r, v)[i];
        if (!placed && c > t->code) { /* in code order, where an import puts it */
            codes[(*n)++] = t->code;
            placed = 1;
        }
        if (c != t->code)
            codes[(*n)++] = c;
    }
    if (!placed)
        codes[(*n)++] = t->code;
    *out = codes;
    return SEGRT_OK;
}

int tag_set(segrt_store *s, MDB_txn *txn, column_cache *cc, const tag_ref *t, uint32_t ord,
            int on)
{
    row r = { 0 };
    buf enc = { 0 };
    uint32_t *codes = NULL, n = 0;
    int rc = store_row_get(s, txn, ord, &r);
    if (rc == SEGRT_ENOTFOUND) /* erased: nothing to tag */
        rc = SEGRT_OK;
    else if (rc == SEGRT_OK)
        rc = edited_codes(s, &r, t, on, &codes, &n);
    if (codes) {
        if (n)
            rc = row_set(&r, t->field, 0, codes, n, 1) == 0
                     ? SEGRT_OK : store_fail(s, SEGRT_ENOMEM, "out of memory writing a tag");
        else
            row_unset(&r, t->field);
        if (rc == SEGRT_OK && row_encode(&r, &enc) != 0)
            rc = store_fail(s, SEGRT_ENOMEM, "out of memory writing a tag");
        MDB_val k = store_ord_key(&ord), v = { enc.len, enc.p };
        int mrc = rc == SEGRT_OK ? mdb_put(txn, s->dbi[DB_CONTACTS], &k, &v, 0) : 0;
        if (mrc != 0)
            rc = store_mdb_fail(s, mrc, "writing a contact's tags");
        if (rc == SEGRT_OK)
            rc = column_set_bit(s, txn, cc, t->field, t->code, ord, on);
    }
    free(codes);
    buf_free(&enc);
    row_free(&r);
    return rc;
}

/* Rows [first, first + n) of want as a chunk's bitset words (zero past want's end). */
static void want_words(const bitset *want, uint32_t first, uint64_t *w)
{
    size_t words = COL_CHUNK_ROWS / 64, from = first / 64, have = bitset_words(want->nbits);
    for (size_t i = 0; i < words; i++)
        w[i] = from + i < have ? want->w[from + i] : 0;
}

int tag_sync(segrt_store *s, MDB_txn *txn, column_cache *cc, const tag_ref *t,
             const bitset *want, uint64_t *changed)
{
    uint32_t nchunks = (want->nbits + COL_CHUNK_ROWS - 1) / COL_CHUNK_ROWS;
    uint64_t want_w[COL_CHUNK_ROWS / 64], have_w[COL_CHUNK_ROWS / 64];
    int rc = SEGRT_OK;
    *changed = 0;
    for (uint32_t ch = 0; ch < nchunks && rc == SEGRT_OK; ch++) {
        uint32_t first = ch * COL_CHUNK_ROWS;
        MDB_val v;
        want_words(want, first, want_w);
        rc = column_chunk_peek(s, txn, cc, t->field, ch, t->code, &v);
        if (rc == SEGRT_ENOTFOUND) {
            memset(have_w, 0, sizeof have_w);
            rc = SEGRT_OK;
        } else if (rc == SEGRT_OK && v.mv_size != sizeof have_w) {
            rc = store_fail(s, SEGRT_ECORRUPT, "a set column chunk has %zu bytes", v.mv_size);
        } else if (rc == SEGRT_OK) {
            memcpy(have_w, v.mv_data, sizeof have_w); /* tag_set may move the cache's copy */
        }
        for (uint32_t i = 0; i < COL_CHUNK_ROWS / 64 && rc == SEGRT_OK; i++) {
            for (uint64_t diff = want_w[i] ^ have_w[i]; diff && rc == SEGRT_OK;
                 diff &= diff - 1) {
                uint32_t ord = first + i * 64 + (uint32_t)__builtin_ctzll(diff);
                if (ord >= want->nbits)
                    break; /* added since: left alone */
                rc = tag_set(s, txn, cc, t, ord, (int)(want_w[i] >> (ord & 63) & 1));
                *changed += rc == SEGRT_OK;
            }
        }
    }
    return rc;
}
