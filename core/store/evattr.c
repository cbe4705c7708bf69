/*
 * evattr.c — the extra event attributes' types in meta (evattr.h).
 *
 * Uses: store.h, schema.h (names).
 */
#include "store/evattr.h"

#include "store/schema.h"

#include <stdio.h>
#include <string.h>

#define PREFIX "evattr:"
#define PREFIX_LEN (sizeof PREFIX - 1)

int evattr_valid_path(const char *path, size_t n)
{
    if (n == 0 || n > EVATTR_MAX_PATH)
        return 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && path[i] != '.')
            continue;
        if (!schema_valid_name(path + start, i - start))
            return 0;
        start = i + 1;
    }
    return 1;
}

static MDB_val key_of(char *key, const char *path, size_t n)
{
    memcpy(key, PREFIX, PREFIX_LEN);
    memcpy(key + PREFIX_LEN, path, n);
    return (MDB_val){ PREFIX_LEN + n, key };
}

struct lookup {
    const char *path;
    size_t n;
    segrt_type type;
};

static int lookup_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    struct lookup *l = ud;
    char key[PREFIX_LEN + EVATTR_MAX_PATH];
    MDB_val k = key_of(key, l->path, l->n), v;
    int rc = store_get(s, txn, DB_META, &k, &v, "reading an event attribute's type");
    if (rc != SEGRT_OK)
        return rc;
    l->type = v.mv_size == 1 ? (segrt_type)((const unsigned char *)v.mv_data)[0] : 0;
    if (segrt_type_name(l->type) == NULL)
        return store_fail(s, SEGRT_ECORRUPT, "event attribute '%.*s' has a bad type", (int)l->n,
                          l->path);
    return SEGRT_OK;
}

int evattr_get(segrt_store *s, MDB_txn *txn, const char *path, size_t n, segrt_type *type)
{
    struct lookup l = { path, n, 0 };
    *type = 0;
    if (!evattr_valid_path(path, n))
        return SEGRT_ENOTFOUND;
    int rc = txn ? lookup_in(s, txn, &l) : store_read(s, lookup_in, &l);
    *type = rc == SEGRT_OK ? l.type : 0;
    return rc;
}

int evattr_put(segrt_store *s, MDB_txn *txn, const char *path, size_t n, segrt_type type)
{
    if (!evattr_valid_path(path, n) || segrt_type_name(type) == NULL || type == SEGRT_T_SET)
        return store_fail(s, SEGRT_EINVAL, "'%.*s' is not a valid event attribute and type",
                          (int)n, path);
    segrt_type have;
    int rc = evattr_get(s, txn, path, n, &have);
    if (rc == SEGRT_OK && have == type)
        return SEGRT_OK;
    if (rc == SEGRT_OK)
        return store_fail(s, SEGRT_ESCHEMA, "event attribute '%.*s' is already typed %s", (int)n,
                          path, segrt_type_name(have));
    if (rc != SEGRT_ENOTFOUND)
        return rc;
    char key[PREFIX_LEN + EVATTR_MAX_PATH];
    unsigned char t = (unsigned char)type;
    MDB_val k = key_of(key, path, n), v = { 1, &t };
    int mrc = mdb_put(txn, s->dbi[DB_META], &k, &v, MDB_NOOVERWRITE);
    return mrc ? store_mdb_fail(s, mrc, "typing an event attribute") : SEGRT_OK;
}

static int found_child(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    (void)s, (void)txn, (void)k, (void)v;
    *(int *)ud = 1;
    return STORE_STOP; /* the first entry with the prefix is enough */
}

int evattr_is_parent(segrt_store *s, MDB_txn *txn, const char *path, size_t n)
{
    char key[PREFIX_LEN + EVATTR_MAX_PATH + 1];
    if (!evattr_valid_path(path, n))
        return 0;
    MDB_val k = key_of(key, path, n);
    key[k.mv_size] = '.';
    int found = 0;
    int rc = store_scan(s, txn, DB_META, key, k.mv_size + 1, "reading event attributes",
                        found_child, &found);
    return rc == SEGRT_OK || rc == STORE_STOP ? found : rc;
}

struct each {
    evattr_fn fn;
    void *ud;
};

static int each_entry(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    (void)txn;
    struct each *e = ud;
    segrt_type t = v->mv_size == 1 ? (segrt_type)((const unsigned char *)v->mv_data)[0] : 0;
    if (segrt_type_name(t) == NULL)
        return store_fail(s, SEGRT_ECORRUPT, "an event attribute has a bad type");
    return e->fn(e->ud, (const char *)k->mv_data + PREFIX_LEN, k->mv_size - PREFIX_LEN, t);
}

int evattr_foreach(segrt_store *s, MDB_txn *txn, evattr_fn fn, void *ud)
{
    struct each e = { fn, ud };
    return store_scan(s, txn, DB_META, PREFIX, PREFIX_LEN, "reading event attributes",
                      each_entry, &e);
}

static int declare_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    const struct lookup *l = ud;
    return evattr_put(s, txn, l->path, l->n, l->type);
}

int segrt_event_attr_declare(segrt_store *s, const char *path, segrt_type type)
{
    if (s == NULL)
        return SEGRT_EINVAL;
    struct lookup l = { path ? path : "", path ? strlen(path) : 0, type };
    return store_write(s, declare_in, &l);
}

struct public_each {
    segrt_event_attr_fn fn;
    void *ud;
};

static int public_entry(void *ud, const char *path, size_t n, segrt_type type)
{
    const struct public_each *e = ud;
    char name[EVATTR_MAX_PATH + 1];
    snprintf(name, sizeof name, "%.*s", (int)n, path);
    return e->fn(e->ud, name, type);
}

int segrt_event_attrs_foreach(segrt_store *s, segrt_event_attr_fn fn, void *ud)
{
    if (s == NULL || fn == NULL)
        return SEGRT_EINVAL;
    struct public_each e = { fn, ud };
    return evattr_foreach(s, NULL, public_entry, &e);
}
