/*
 * sql_dialect.c — what PostgreSQL and DuckDB spell differently (sql.h's
 * dialect table): column types, epoch seconds of dates and timestamps,
 * wide integer arithmetic, arrays, JSON paths, byte-order collation,
 * literals, table engines (ClickHouse: MergeTree, and Distributed tables
 * sharded by a hash of the contact id on a cluster), and the statements that
 * load a dump; segrt_sql_dialect_parse.
 *
 * Uses: sql.h, buf.h.
 */
#include "output/sql.h"

#include <string.h>

/* ------------------------------------------------------------ PostgreSQL and DuckDB */

static int std_timestamp(buf *o, const char *a)
{
    return buf_printf(o, "TIMESTAMP %s", a);
}

static int std_first_of(buf *o, const char *a, int last, int is_text)
{
    const char *dir = last ? " DESC" : "";
    (void)is_text;
    return buf_printf(o, "(ARRAY_AGG(%s ORDER BY e.ts%s, e.seq%s))[1]", a, dir, dir);
}

static int std_engine(buf *o, const char *table, const char *key, const char *cluster)
{
    (void)table, (void)key, (void)cluster;
    return buf_printf(o, ";\n");
}

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

/* ------------------------------------------------------------ ClickHouse 18.16 */

static int ch_timestamp(buf *o, const char *a)
{
    return buf_printf(o, "toDateTime(%s, 'UTC')", a);
}

/*
 * argMin skips NULL values, and the first event's missing value counts: a
 * missing value stands in as a value no attribute has (18.16 mangles
 * NULLs inside tuples in aggregate states).
 */
static int ch_first_of(buf *o, const char *a, int last, int is_text)
{
    const char *none = is_text ? "'\\0'" : "toInt64(-9223372036854775807 - 1)";
    return buf_printf(o, "nullIf(%s(ifNull(%s, %s), tuple(e.ts, e.seq)), %s)",
                      last ? "argMax" : "argMin", a, none, none);
}

static int ch_ts_secs(buf *o, const char *a)
{
    return buf_printf(o, "toInt64(toUnixTimestamp(%s))", a);
}

static int ch_date_secs(buf *o, const char *a)
{
    return buf_printf(o, "(toInt64(toUInt16(%s)) * 86400)", a);
}

static int ch_mul(buf *o, const char *a, const char *b)
{
    return buf_printf(o, "toInt64(toDecimal128(%s, 0) * (%s) / 1000000)", a, b);
}

static int ch_div(buf *o, const char *a, const char *b)
{
    return buf_printf(o, "toInt64(toDecimal128(%s, 0) * 1000000 / nullIf(%s, 0))", a, b);
}

static int ch_idiv(buf *o, const char *a, const char *b)
{
    return buf_printf(o, "intDiv(%s, %s)", a, b);
}

static int ch_contains(buf *o, const char *a, const char *b)
{
    return buf_printf(o, "has(%s, %s)", a, b);
}

/*
 * visitParam* read the top-level keys of flat JSON: a path x.y reads key x's
 * raw value, then key y of it. A string comes unquoted, another value raw.
 */
static int ch_json_text(buf *o, const char *a, const char *b)
{
    buf j = { 0 };
    int rc = buf_printf(&j, "%s", a);
    const char *p = b;
    while (rc == 0) {
        size_t n = strcspn(p, ".");
        buf next = { 0 };
        if (p[n] == '\0') {
            rc = buf_put(&j, "", 1) || buf_printf(o, "if(visitParamHas(%s, '%.*s'), "
                         "if(visitParamExtractString(%s, '%.*s') != '', "
                         "visitParamExtractString(%s, '%.*s'), visitParamExtractRaw(%s, '%.*s')), "
                         "NULL)", (char *)j.p, (int)n, p, (char *)j.p, (int)n, p, (char *)j.p,
                         (int)n, p, (char *)j.p, (int)n, p);
            break;
        }
        rc = buf_put(&j, "", 1) || buf_printf(&next, "visitParamExtractRaw(%s, '%.*s')",
                                               (char *)j.p, (int)n, p);
        buf_free(&j);
        j = next;
        p += n + 1;
    }
    buf_free(&j);
    return rc;
}

static int ch_byte_order(buf *o, const char *a)
{
    return buf_printf(o, "%s", a);
}

/* MergeTree ordered by the key; on a cluster local tables and Distributed ones over them. */
static int ch_engine(buf *o, const char *table, const char *key, const char *cluster)
{
    if (cluster == NULL)
        return buf_printf(o, " ENGINE = MergeTree() ORDER BY %s;\n", key);
    return buf_printf(o, " ENGINE = MergeTree() ORDER BY %s;\nCREATE TABLE %s AS %s_local "
                      "ENGINE = Distributed(%s, currentDatabase(), %s_local, cityHash64(%s));\n",
                      key, table, table, cluster, table, key);
}

/* The JSON lines dump, through clickhouse-client (sets are arrays there, missing keys NULL). */
static int ch_load(buf *o, const char *table, const char *path, size_t ncol,
                   const char *const *cols, const char *const *types, const int *is_set)
{
    (void)ncol, (void)cols, (void)types, (void)is_set;
    return buf_printf(o, "clickhouse-client --query 'INSERT INTO %s FORMAT JSONEachRow' < '%s'\n",
                      table, path);
}

static const sql_dialect dialects[] = {
    { .name = "postgres",
      .types = { "BIGINT", "DECIMAL(19,6)", "TEXT", "BOOLEAN", "DATE", "TIMESTAMP", "TEXT[]" },
      .text = "TEXT", .int32 = "INTEGER", .key_text = "TEXT", .t = "TRUE", .f = "FALSE",
      .int64 = "BIGINT", .float64 = "DOUBLE PRECISION", .global = "",
      .timestamp = std_timestamp, .first_of = std_first_of, .engine = std_engine,
      .time_key = "TIMESTAMP", .ts_secs = pg_ts_secs, .date_secs = pg_date_secs, .mul = pg_mul, .div = pg_div,
      .idiv = pg_idiv, .contains = pg_contains, .json_text = pg_json_text,
      .byte_order = pg_byte_order, .load = pg_load },
    { .name = "duckdb",
      .types = { "BIGINT", "DECIMAL(19,6)", "VARCHAR", "BOOLEAN", "DATE", "TIMESTAMP",
                 "VARCHAR[]" },
      .text = "VARCHAR", .int32 = "INTEGER", .key_text = "VARCHAR", .t = "TRUE", .f = "FALSE",
      .int64 = "BIGINT", .float64 = "DOUBLE PRECISION", .global = "",
      .timestamp = std_timestamp, .first_of = std_first_of, .engine = std_engine,
      .time_key = "TIMESTAMP", .ts_secs = duck_ts_secs, .date_secs = duck_ts_secs, .mul = duck_mul, .div = duck_div,
      .idiv = duck_idiv, .contains = duck_contains, .json_text = duck_json_text,
      .byte_order = duck_byte_order, .load = duck_load },
    { .name = "clickhouse",
      .types = { "Nullable(Int64)", "Nullable(Decimal(19,6))", "Nullable(String)",
                 "Nullable(UInt8)", "Nullable(Date)", "Nullable(DateTime)", "Array(String)" },
      .text = "Nullable(String)", .int32 = "Int64", .key_text = "String", .t = "1", .f = "0",
      .int64 = "Nullable(Int64)", .float64 = "Nullable(Float64)", .global = "GLOBAL ",
      .no_windows = 1,
      .timestamp = ch_timestamp, .first_of = ch_first_of, .engine = ch_engine,
      .time_key = "DateTime",
      .ts_secs = ch_ts_secs, .date_secs = ch_date_secs, .mul = ch_mul, .div = ch_div,
      .idiv = ch_idiv, .contains = ch_contains, .json_text = ch_json_text,
      .byte_order = ch_byte_order, .load = ch_load },
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
