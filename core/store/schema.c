/*
 * schema.c — contact field registry kept in meta as "field:<name>" ->
 * (u16 id, u8 type), with the built-in types of the well-known fields.
 *
 * Uses: store.h, array.h.
 */
#include "store/schema.h"

#include "util/array.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    segrt_type type;
} builtin[] = {
    { "email", SEGRT_T_STRING },          { "first_name", SEGRT_T_STRING },
    { "last_name", SEGRT_T_STRING },      { "gender", SEGRT_T_STRING },
    { "birth_date", SEGRT_T_DATE },       { "marital_status", SEGRT_T_STRING },
    { "education", SEGRT_T_STRING },      { "occupation", SEGRT_T_STRING },
    { "income", SEGRT_T_INTEGER },        { "country", SEGRT_T_STRING },
    { "region", SEGRT_T_STRING },         { "city", SEGRT_T_STRING },
    { "urban", SEGRT_T_STRING },          { "lat", SEGRT_T_NUMBER },
    { "lon", SEGRT_T_NUMBER },            { "language", SEGRT_T_STRING },
    { "status", SEGRT_T_STRING },         { "loss_reason", SEGRT_T_STRING },
    { "last_contacted_at", SEGRT_T_TIMESTAMP }, { "plan", SEGRT_T_STRING },
    { "company_size", SEGRT_T_INTEGER },  { "industry", SEGRT_T_STRING },
    { "interests", SEGRT_T_SET },         { "tags", SEGRT_T_SET },
    { "created_at", SEGRT_T_TIMESTAMP },  { "phone", SEGRT_T_STRING },
};

static const char *const type_names[] = {
    [SEGRT_T_INTEGER] = "integer", [SEGRT_T_NUMBER] = "number",
    [SEGRT_T_STRING] = "string",   [SEGRT_T_BOOLEAN] = "boolean",
    [SEGRT_T_DATE] = "date",       [SEGRT_T_TIMESTAMP] = "timestamp",
    [SEGRT_T_SET] = "set",
};

const char *segrt_type_name(segrt_type t)
{
    if ((int)t < SEGRT_T_INTEGER || t > SEGRT_T_SET)
        return NULL;
    return type_names[t];
}

int segrt_type_parse(const char *name, segrt_type *out)
{
    for (int t = SEGRT_T_INTEGER; t <= SEGRT_T_SET; t++) {
        if (strcmp(name, type_names[t]) == 0) {
            *out = (segrt_type)t;
            return SEGRT_OK;
        }
    }
    *out = 0;
    return SEGRT_EINVAL;
}

segrt_type schema_builtin_type(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++) {
        if (strlen(builtin[i].name) == n && memcmp(builtin[i].name, name, n) == 0)
            return builtin[i].type;
    }
    return 0;
}

int schema_valid_name(const char *name, size_t n)
{
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
            return 0;
    }
    return 1;
}

void schema_free(struct schema *sc)
{
    if (sc == NULL)
        return;
    for (size_t i = 0; i < sc->n; i++)
        free(sc->fields[i].name);
    free(sc->fields);
    free(sc);
}

const field_def *schema_find(const struct schema *sc, const char *name, size_t n)
{
    for (size_t i = 0; i < sc->n; i++) {
        const field_def *f = &sc->fields[i];
        if (strlen(f->name) == n && memcmp(f->name, name, n) == 0)
            return f;
    }
    return NULL;
}

const field_def *schema_by_id(const struct schema *sc, uint16_t id)
{
    for (size_t i = 0; i < sc->n; i++) {
        if (sc->fields[i].id == id)
            return &sc->fields[i];
    }
    return NULL;
}

static int cache_append(struct schema *sc, const char *name, size_t n, uint16_t id,
                        segrt_type type)
{
    if (ARRAY_RESERVE(sc->fields, sc->cap, sc->n + 1) != 0)
        return SEGRT_ENOMEM;
    char *copy = strndup(name, n);
    if (copy == NULL)
        return SEGRT_ENOMEM;
    sc->fields[sc->n++] = (field_def){ .id = id, .type = type, .name = copy };
    return SEGRT_OK;
}

static int by_id(const void *a, const void *b)
{
    const field_def *x = a, *y = b;
    return (int)x->id - (int)y->id;
}

/* One "field:<name>" entry of meta into the schema ud. */
static int load_field(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    (void)txn;
    if (v->mv_size != 3)
        return store_fail(s, SEGRT_ECORRUPT, "schema entry has a bad size");
    const unsigned char *p = v->mv_data;
    uint16_t id = (uint16_t)(p[0] | p[1] << 8);
    return cache_append(ud, (const char *)k->mv_data + 6, k->mv_size - 6, id, (segrt_type)p[2]);
}

int schema_load_txn(segrt_store *s, MDB_txn *txn)
{
    struct schema *sc = calloc(1, sizeof *sc);
    if (sc == NULL)
        return SEGRT_ENOMEM;
    int rc = store_scan(s, txn, DB_META, "field:", 6, "reading the schema", load_field, sc);
    if (rc != SEGRT_OK) {
        schema_free(sc);
        return rc;
    }
    if (sc->n)
        qsort(sc->fields, sc->n, sizeof *sc->fields, by_id);
    schema_free(s->schema);
    s->schema = sc;
    return SEGRT_OK;
}

int schema_load(segrt_store *s)
{
    return schema_load_txn(s, NULL);
}

int schema_add(segrt_store *s, MDB_txn *txn, const char *name, size_t n, segrt_type type,
               const field_def **out)
{
    uint64_t next;
    int rc = store_counter_get(s, txn, "next_field", &next);
    if (rc != SEGRT_OK)
        return rc;
    if (next == 0)
        next = 1;
    if (next >= FIELD_INTERNAL)
        return store_fail(s, SEGRT_ESCHEMA, "too many fields (at most %d)", FIELD_INTERNAL - 1);
    char key[80];
    memcpy(key, "field:", 6);
    memcpy(key + 6, name, n);
    unsigned char val[3] = { (unsigned char)(next & 0xff), (unsigned char)(next >> 8),
                             (unsigned char)type };
    MDB_val k = { 6 + n, key }, v = { sizeof val, val };
    int mrc = mdb_put(txn, s->dbi[DB_META], &k, &v, MDB_NOOVERWRITE);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "declaring a field");
    rc = store_counter_set(s, txn, "next_field", next + 1);
    if (rc != SEGRT_OK)
        return rc;
    rc = cache_append(s->schema, name, n, (uint16_t)next, type);
    if (rc != SEGRT_OK)
        return rc;
    *out = &s->schema->fields[s->schema->n - 1];
    return SEGRT_OK;
}

int segrt_field_declare(segrt_store *s, const char *name, segrt_type type)
{
    if (name == NULL || !schema_valid_name(name, strlen(name)) || segrt_type_name(type) == NULL)
        return store_fail(s, SEGRT_EINVAL, "'%s' is not a valid field name and type",
                          name ? name : "(null)");
    const field_def *f = schema_find(s->schema, name, strlen(name));
    if (f && f->type == type)
        return SEGRT_OK;
    if (f)
        return store_fail(s, SEGRT_ESCHEMA, "field '%s' is already declared as %s", name,
                          segrt_type_name(f->type));
    MDB_txn *txn;
    int rc = store_txn_begin(s, 0, &txn);
    if (rc == SEGRT_OK)
        rc = schema_load_txn(s, txn);
    if (rc == SEGRT_OK)
        rc = schema_add(s, txn, name, strlen(name), type, &f);
    if (rc != SEGRT_OK) {
        if (txn)
            mdb_txn_abort(txn);
        schema_load(s);
        return rc;
    }
    int mrc = mdb_txn_commit(txn);
    return mrc == 0 ? SEGRT_OK : store_mdb_fail(s, mrc, "declaring a field");
}
