/*
 * sql_ddl.c — the layout's tables (include/segrt/sql.h) for a store:
 * their columns as a dialect types them, the CREATE TABLE statements
 * (segrt_sql_ddl; ClickHouse's on a cluster: a local MergeTree table per
 * shard and a Distributed table over them) and the statements loading a
 * dump (segrt_sql_load).
 *
 * Uses: sql.h, schema.h.
 */
#include "output/sql.h"

#include "store/schema.h"

#include <stdlib.h>

const char *const sql_ddl_tables[SQL_NTABLES] = { "contacts", "events", "consents" };

/*
 * The fixed columns of events and consents; K key text, T text, D decimal,
 * N timestamp (never missing), S timestamp, I integer.
 */
static const char *const fixed[SQL_NTABLES][9] = {
    { NULL },
    { "contact_id", "ts", "type", "amount", "category", "channel", "attrs", "seq", NULL },
    { "contact_id", "purpose", "status", "legal_basis", "ts", "expires_at", "source", "seq", NULL },
};
static const char fixed_types[SQL_NTABLES][9] = { "", "KNKDTTTI", "KKKTNSTI" };

static const char *fixed_type(const sql_dialect *d, char t)
{
    switch (t) {
    case 'D': return d->types[SEGRT_T_NUMBER - 1];
    case 'S': return d->types[SEGRT_T_TIMESTAMP - 1];
    case 'I': return d->int32;
    case 'K': return d->key_text;
    case 'N': return d->time_key;
    default: return d->text;
    }
}

int sql_ddl_columns(segrt_store *s, const sql_dialect *d, int table, sql_columns *out)
{
    const struct schema *sc = s->schema;
    size_t n = table == SQL_CONTACTS ? 1 + sc->n : 8;
    *out = (sql_columns){ .table = sql_ddl_tables[table], .n = n };
    out->names = calloc(n, sizeof *out->names);
    out->types = calloc(n, sizeof *out->types);
    out->is_set = calloc(n, sizeof *out->is_set);
    if (out->names == NULL || out->types == NULL || out->is_set == NULL) {
        sql_ddl_columns_free(out);
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    }
    for (size_t i = 0; table != SQL_CONTACTS && i < n; i++) {
        out->names[i] = fixed[table][i];
        out->types[i] = fixed_type(d, fixed_types[table][i]);
    }
    if (table == SQL_CONTACTS) {
        out->names[0] = "id";
        out->types[0] = d->key_text;
        for (size_t i = 0; i < sc->n; i++) {
            out->names[i + 1] = sc->fields[i].name;
            out->types[i + 1] = d->types[sc->fields[i].type - 1];
            out->is_set[i + 1] = sc->fields[i].type == SEGRT_T_SET;
        }
    }
    return SEGRT_OK;
}

void sql_ddl_columns_free(sql_columns *c)
{
    free(c->names);
    free(c->types);
    free(c->is_set);
    *c = (sql_columns){ 0 };
}

/* Render every table with fn into a new string *sql. */
static int each_table(segrt_store *s, segrt_sql_dialect dialect, char **sql,
                      int (*fn)(buf *o, const sql_dialect *d, const sql_columns *c,
                                const void *ud),
                      const void *ud)
{
    const sql_dialect *d = sql_dialect_of((int)dialect);
    if (sql)
        *sql = NULL;
    if (s == NULL || d == NULL || sql == NULL)
        return SEGRT_EINVAL;
    buf o = { 0 };
    int rc = SEGRT_OK;
    for (int t = 0; t < SQL_NTABLES && rc == SEGRT_OK; t++) {
        sql_columns c;
        rc = sql_ddl_columns(s, d, t, &c);
        if (rc == SEGRT_OK && fn(&o, d, &c, ud) != 0)
            rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
        sql_ddl_columns_free(&c);
    }
    if (rc == SEGRT_OK && buf_put(&o, "", 1) != 0)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK)
        *sql = (char *)o.p;
    else
        buf_free(&o);
    return rc;
}

/* On a cluster, the local table of each shard; the Distributed one takes the name. */
static int create_table(buf *o, const sql_dialect *d, const sql_columns *c, const void *ud)
{
    const char *cluster = ud;
    int rc = buf_printf(o, "CREATE TABLE %s%s (", c->table, cluster ? "_local" : "");
    for (size_t i = 0; rc == 0 && i < c->n; i++)
        rc = buf_printf(o, "%s\n  \"%s\" %s", i ? "," : "", c->names[i], c->types[i]);
    return rc == 0 ? buf_printf(o, "\n)") || d->engine(o, c->table, c->names[0], cluster) : rc;
}

int segrt_sql_ddl(segrt_store *s, segrt_sql_dialect d, const char *cluster, char **sql)
{
    const sql_dialect *sd = sql_dialect_of((int)d);
    if (cluster && (sd == NULL || !sd->no_windows)) {
        if (sql)
            *sql = NULL;
        return s ? store_fail(s, SEGRT_EINVAL, "a cluster's tables are ClickHouse's") : SEGRT_EINVAL;
    }
    return each_table(s, d, sql, create_table, cluster);
}

static int load_table(buf *o, const sql_dialect *d, const sql_columns *c, const void *ud)
{
    buf path = { 0 };
    int rc = buf_printf(&path, "%s/%s.%s", (const char *)ud, c->table,
                        d->no_windows ? "jsonl" : "csv");
    if (rc == 0)
        rc = d->load(o, c->table, (const char *)path.p, c->n, c->names, c->types, c->is_set);
    buf_free(&path);
    return rc;
}

int segrt_sql_load(segrt_store *s, segrt_sql_dialect d, const char *dir, char **sql)
{
    if (dir == NULL) {
        if (sql)
            *sql = NULL;
        return SEGRT_EINVAL;
    }
    return each_table(s, d, sql, load_table, dir);
}
