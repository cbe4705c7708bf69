/*
 * dict.c — string dictionaries per field (see dict.h).
 *
 * Uses: store.h, strmap.h.
 */
#include "store/dict.h"

#include <stdlib.h>
#include <string.h>

static void dict_key(unsigned char k[6], uint16_t field, uint32_t code)
{
    k[0] = (unsigned char)(field >> 8);
    k[1] = (unsigned char)field;
    k[2] = (unsigned char)(code >> 24);
    k[3] = (unsigned char)(code >> 16);
    k[4] = (unsigned char)(code >> 8);
    k[5] = (unsigned char)code;
}

static uint32_t key_code(const MDB_val *k)
{
    const unsigned char *p = k->mv_data;
    return (uint32_t)p[2] << 24 | (uint32_t)p[3] << 16 | (uint32_t)p[4] << 8 | p[5];
}

struct foreach_args {
    dict_entry_fn fn;
    void *ud;
};

static int foreach_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                       const MDB_val *v)
{
    const struct foreach_args *a = ud;
    (void)s;
    (void)txn;
    if (k->mv_size != 6) /* not a (field, code) key: none is written */
        return SEGRT_OK;
    return a->fn(a->ud, key_code(k), v);
}

int dict_foreach(segrt_store *s, MDB_txn *txn, uint16_t field, dict_entry_fn fn, void *ud)
{
    unsigned char prefix[2] = { (unsigned char)(field >> 8), (unsigned char)field };
    struct foreach_args a = { fn, ud };
    return store_scan(s, txn, DB_DICT, prefix, sizeof prefix, "reading a dictionary", foreach_one,
                      &a);
}

static int load_one(void *ud, uint32_t code, const MDB_val *v)
{
    dict_map *d = ud;
    if (strmap_put(d->map, v->mv_data, v->mv_size, code) != 0)
        return SEGRT_ENOMEM;
    if (code >= d->next)
        d->next = code + 1;
    return 0;
}

int dict_map_load(segrt_store *s, MDB_txn *txn, uint16_t field, dict_map **out)
{
    *out = NULL;
    dict_map *d = calloc(1, sizeof *d);
    if (d == NULL || (d->map = strmap_new()) == NULL) {
        free(d);
        return store_fail(s, SEGRT_ENOMEM, "out of memory loading a dictionary");
    }
    d->field = field;
    d->next = 1;
    int rc = dict_foreach(s, txn, field, load_one, d);
    if (rc != SEGRT_OK) {
        dict_map_free(d);
        return rc == SEGRT_ENOMEM ? store_fail(s, rc, "out of memory loading a dictionary") : rc;
    }
    *out = d;
    return SEGRT_OK;
}

void dict_map_free(dict_map *d)
{
    if (d == NULL)
        return;
    strmap_free(d->map);
    free(d);
}

int dict_intern(segrt_store *s, MDB_txn *txn, dict_map *d, const char *str, size_t n,
                uint32_t *code)
{
    return dict_intern_hashed(s, txn, d, strmap_hash(str, n), str, n, code);
}

int dict_intern_hashed(segrt_store *s, MDB_txn *txn, dict_map *d, uint64_t h, const char *str,
                       size_t n, uint32_t *code)
{
    if (strmap_get_hashed(d->map, h, str, n, code))
        return SEGRT_OK;
    unsigned char kb[6];
    dict_key(kb, d->field, d->next);
    MDB_val k = { sizeof kb, kb }, v = { n, (void *)str };
    int mrc = d->not_last ? MDB_KEYEXIST : mdb_put(txn, s->dbi[DB_DICT], &k, &v, MDB_APPEND);
    if (mrc == MDB_KEYEXIST) { /* a later field's entries follow: not the last key */
        d->not_last = 1;      /* (they stay: no append is tried again) */
        mrc = mdb_put(txn, s->dbi[DB_DICT], &k, &v, MDB_NOOVERWRITE);
    }
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "adding to a dictionary");
    if (strmap_put_hashed(d->map, h, str, n, d->next) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory in a dictionary");
    *code = d->next++;
    return SEGRT_OK;
}

int dict_string(segrt_store *s, MDB_txn *txn, uint16_t field, uint32_t code, MDB_val *out)
{
    unsigned char kb[6];
    dict_key(kb, field, code);
    MDB_val k = { sizeof kb, kb };
    int rc = store_get(s, txn, DB_DICT, &k, out, "reading a dictionary");
    if (rc == SEGRT_ENOTFOUND)
        rc = store_fail(s, SEGRT_ENOTFOUND, "dictionary %u has no code %u", field, code);
    return rc;
}

int dict_remove(segrt_store *s, MDB_txn *txn, uint16_t field, uint32_t code)
{
    unsigned char kb[6];
    dict_key(kb, field, code);
    MDB_val k = { sizeof kb, kb };
    int mrc = mdb_del(txn, s->dbi[DB_DICT], &k, NULL);
    if (mrc != 0 && mrc != MDB_NOTFOUND)
        return store_mdb_fail(s, mrc, "removing from a dictionary");
    return SEGRT_OK;
}

struct find_ctx {
    const char *str;
    size_t n;
    uint32_t code;
};

static int find_one(void *ud, uint32_t code, const MDB_val *v)
{
    struct find_ctx *f = ud;
    if (v->mv_size == f->n && memcmp(v->mv_data, f->str, f->n) == 0) {
        f->code = code;
        return 1;
    }
    return 0;
}

int dict_find(segrt_store *s, MDB_txn *txn, uint16_t field, const char *str, size_t n,
              uint32_t *code)
{
    struct find_ctx f = { str, n, 0 };
    int rc = dict_foreach(s, txn, field, find_one, &f);
    *code = f.code;
    return rc < 0 ? rc : SEGRT_OK;
}
