/*
 * sql_dialect.c — what PostgreSQL and DuckDB spell differently (sql.h's
 * dialect table): column types, epoch seconds of dates and timestamps,
 * wide integer arithmetic, arrays, JSON paths, byte-order collation, and
 * the statements that load a CSV dump; segrt_sql_dialect_parse.
 *
 * Uses: sql.h, buf.h.
 */
#include "output/sql.h"

#include <string.h>

/* ------------------------------------------------------------ PostgreSQL */

static int pg_ts_secs(buf *o, const char *a)
{
    return buf_printf(o, "CAST(EXTRACT(EPOCH FROM %s) AS BIGINT)", a);
}

static int pg_date_secs(buf *o, const char *a)
{
    return buf_printf(o, "(CAST(%s - DATE '1970-01-01' AS BIGINT) * 86400)", a);
}

static int pg_mul(buf *o, const char *a, const char *b)
{
    return buf_printf(o, "CAST(div(CAST(%s AS NUMERIC) * (%s), 1000000) AS BIGINT)", a, b);
}

static int pg_div(buf *o, const char *a, const char *b)
{
    return buf_printf(o, "CAST(div(CAST(%s AS NUMERIC) * 1000000, NULLIF(%s, 0)) AS BIGINT)", a,
                      b);
}

static int pg_idiv(buf *o, const char *a, const char *b)
{
    return buf_printf(o, "CAST(div(CAST(%s AS NUMERIC), %s) AS BIGINT)", a, b);
}

static int pg_contains(buf *o, const char *a, const char *b)
{
    return buf_printf(o, "(%s = ANY(%s))", b, a);
}

/* path "x.y" -> '{x,y}' (paths hold names only: no quoting needed) */
static int pg_json_text(buf *o, const char *a, const char *b)
{
    int rc = buf_printf(o, "(CAST(%s AS JSONB) #>> '{", a);
    for (const char *p = b; rc == 0 && *p; p++)
        rc = buf_put(o, *p == '.' ? "," : p, 1);
    return rc == 0 ? buf_printf(o, "}')") : rc;
}

static int pg_byte_order(buf *o, const char *a)
{
    return buf_printf(o, "%s COLLATE \"C\"", a);
}

static int pg_load(buf *o, const char *table, const char *path, size_t ncol,
                   const char *const *cols, const char *const *types, const int *is_set)
{
    (void)ncol, (void)cols, (void)types, (void)is_set;
    return buf_printf(o, "\\copy %s FROM '%s' WITH (FORMAT csv, HEADER true)\n", table, path);
}

/* ------------------------------------------------------------ DuckDB */

static int duck_ts_secs(buf *o, const char *a)
{
    return buf_printf(o, "CAST(epoch(%s) AS BIGINT)", a);
}

static int duck_mul(buf *o, const char *a, const char *b)
{
    return buf_printf(o, "CAST(CAST(%s AS HUGEINT) * (%s) // 1000000 AS BIGINT)", a, b);
}

static int duck_div(buf *o, const char *a, const char *b)
{
    return buf_printf(o, "CAST(CAST(%s AS HUGEINT) * 1000000 // NULLIF(%s, 0) AS BIGINT)", a, b);
}

static int duck_idiv(buf *o, const char *a, const char *b)
{
    return buf_printf(o, "CAST(CAST(%s AS HUGEINT) // (%s) AS BIGINT)", a, b);
}

static int duck_contains(buf *o, const char *a, const char *b)
{
    return buf_printf(o, "list_contains(%s, %s)", a, b);
}

static int duck_json_text(buf *o, const char *a, const char *b)
{
    return buf_printf(o, "json_extract_string(%s, '$.%s')", a, b);
}

static int duck_byte_order(buf *o, const char *a)
{
    return buf_printf(o, "%s", a);
}

/*
 * read_csv with every column as text, cast here: a quoted empty cell is
 * an empty string, and a set cell, written as a PostgreSQL array {"a","b"},
 * becomes the list ["a","b"].
 */
static int duck_load(buf *o, const char *table, const char *path, size_t ncol,
                     const char *const *cols, const char *const *types, const int *is_set)
{
    int rc = buf_printf(o, "INSERT INTO %s SELECT ", table);
    for (size_t i = 0; rc == 0 && i < ncol; i++) {
        const char *sep = i ? ", " : "";
        if (is_set[i])
            rc = buf_printf(o, "%sCAST('[' || substr(\"%s\", 2, length(\"%s\") - 2) || ']' AS %s)",
                            sep, cols[i], cols[i], types[i]);
        else
            rc = buf_printf(o, "%sCAST(\"%s\" AS %s)", sep, cols[i], types[i]);
    }
    return rc == 0 ? buf_printf(o, " FROM read_csv('%s', header = true, all_varchar = true, "
                                "allow_quoted_nulls = false, quote = '\"', escape = '\"');\n",
                                path)
                   : rc;
}

static const sql_dialect dialects[] = {
    { .name = "postgres",
      .types = { "BIGINT", "DECIMAL(19,6)", "TEXT", "BOOLEAN", "DATE", "TIMESTAMP", "TEXT[]" },
      .text = "TEXT", .int32 = "INTEGER",
      .ts_secs = pg_ts_secs, .date_secs = pg_date_secs, .mul = pg_mul, .div = pg_div,
      .idiv = pg_idiv, .contains = pg_contains, .json_text = pg_json_text,
      .byte_order = pg_byte_order, .load = pg_load },
    { .name = "duckdb",
      .types = { "BIGINT", "DECIMAL(19,6)", "VARCHAR", "BOOLEAN", "DATE", "TIMESTAMP",
                 "VARCHAR[]" },
      .text = "VARCHAR", .int32 = "INTEGER",
      .ts_secs = duck_ts_secs, .date_secs = duck_ts_secs, .mul = duck_mul, .div = duck_div,
      .idiv = duck_idiv, .contains = duck_contains, .json_text = duck_json_text,
      .byte_order = duck_byte_order, .load = duck_load },
};

const sql_dialect *sql_dialect_of(int d)
{
    return d >= 1 && d <= (int)(sizeof dialects / sizeof dialects[0]) ? &dialects[d - 1] : NULL;
}

int segrt_sql_dialect_parse(const char *name, segrt_sql_dialect *out)
{
    for (size_t i = 0; name && i < sizeof dialects / sizeof dialects[0]; i++) {
        if (strcmp(name, dialects[i].name) == 0) {
            *out = (segrt_sql_dialect)(i + 1);
            return SEGRT_OK;
        }
    }
    return SEGRT_EINVAL;
}
