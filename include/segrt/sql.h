/**
 * @file segrt/sql.h
 * @brief Outgrowing one machine: a store dumped as three tables (contacts,
 * events, consents) and a script's segments rendered as SQL over them, for
 * PostgreSQL, DuckDB and ClickHouse (one server, or a cluster's Distributed
 * tables).
 *
 * The layout (README "Outgrowing one machine"): contacts (id, one column per
 * field: integer BIGINT, number DECIMAL(19,6), string TEXT, boolean
 * BOOLEAN, date DATE, timestamp TIMESTAMP in UTC, string set an array of
 * text), events (contact_id, ts, type, amount DECIMAL(19,6), category,
 * channel, attrs: the extra attributes as JSON text), consents (contact_id,
 * purpose, status, legal_basis, ts, expires_at, source, seq: the record's
 * import order within the contact, which breaks ties of the record in
 * force). Numbers stay exact: six decimals, as segrt holds them.
 */
#ifndef SEGRT_PUBLIC_SQL_H
#define SEGRT_PUBLIC_SQL_H

#include "segrt/script.h"
#include "segrt/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The SQL engines segrt renders for. */
typedef enum segrt_sql_dialect {
    SEGRT_SQL_POSTGRES = 1, /**< PostgreSQL 15 */
    SEGRT_SQL_DUCKDB,       /**< DuckDB 1.x */
    SEGRT_SQL_CLICKHOUSE    /**< ClickHouse 18.16 (Debian 12), one server or a cluster */
} segrt_sql_dialect;

/**
 * The dialect called name ("postgres", "duckdb", "clickhouse").
 * @param name the name
 * @param out receives the dialect
 * @return SEGRT_OK, or SEGRT_EINVAL for an unknown name
 */
SEGRT_API int segrt_sql_dialect_parse(const char *name, segrt_sql_dialect *out);

/**
 * The CREATE TABLE statements of the layout for a store's fields.
 * ClickHouse's tables are MergeTree tables ordered by the contact id; on a
 * cluster each is a local table per shard (contacts_local, ...; run the
 * statements on every server) under a Distributed table of the layout's
 * name, sharded by cityHash64 of the contact id, so a contact's events and
 * consents live on its shard.
 * @param s the store (its schema is read)
 * @param d the dialect
 * @param cluster the ClickHouse cluster's name (remote_servers), or NULL
 * @param sql receives the statements (free with segrt_free)
 * @return SEGRT_OK, SEGRT_EINVAL for a cluster in another dialect, or an
 *         error code (message in segrt_errmsg)
 */
SEGRT_API int segrt_sql_ddl(segrt_store *s, segrt_sql_dialect d, const char *cluster,
                            char **sql);

/**
 * The statements that load a dump (segrt_dump) in directory dir into the
 * tables segrt_sql_ddl creates: of a CSV dump, psql's \\copy for PostgreSQL
 * and read_csv for DuckDB; of a JSON lines dump, shell commands running
 * clickhouse-client for ClickHouse (add its --host and --port).
 * @param s the store (its schema is read)
 * @param d the dialect
 * @param dir the dump's directory, written into the statements as it is
 * @param sql receives the statements (free with segrt_free)
 * @return SEGRT_OK or an error code (message in segrt_errmsg)
 */
SEGRT_API int segrt_sql_load(segrt_store *s, segrt_sql_dialect d, const char *dir, char **sql);

/**
 * One SELECT whose single column id lists the members of a segment at the
 * store's NOW (segrt_store_set_now), as segrt_segment_eval() would find
 * them on the same data. ClickHouse's query reads subqueries through
 * GLOBAL IN and GLOBAL JOIN, so it is right on a cluster's Distributed
 * tables too. What a database cannot compute from the layout
 * (a Lua filter, a score fn, a consent check function, a model output, a
 * split arm, :updated(), an age in arithmetic, an extra event attribute
 * holding timestamps) is refused.
 * @param sc the script
 * @param d the dialect
 * @param segment the segment's name
 * @param sql receives the query (free with segrt_free)
 * @return SEGRT_OK; SEGRT_ENOTFOUND for an unknown segment; SEGRT_EINVAL
 *         naming the segment and the construct that does not render; or
 *         another error code (message in segrt_errmsg)
 */
SEGRT_API int segrt_sql_segment(segrt_script *sc, segrt_sql_dialect d, const char *segment,
                                char **sql);

/** The formats of segrt_dump. */
typedef enum segrt_dump_format {
    SEGRT_DUMP_CSV = 1, /**< RFC 4180, a header row, missing = an empty unquoted cell */
    SEGRT_DUMP_TSV,     /**< tab-separated text as PostgreSQL's COPY writes it (\\N, \\t) */
    SEGRT_DUMP_JSONL    /**< one JSON object per line, missing values left out */
} segrt_dump_format;

/** What segrt_dump wrote. */
typedef struct segrt_dump_stats {
    uint64_t contacts, events, consents; /**< rows written per table */
    uint64_t restricted; /**< contacts left out: restricted at NOW (Art. 18) */
} segrt_dump_stats;

/**
 * Write the store's contacts, events and consents as contacts.EXT,
 * events.EXT and consents.EXT (EXT: csv, tsv or jsonl) in a directory. Erased
 * contacts are gone; contacts restricted at NOW (Art. 18) are left out, with
 * their events and consents: copying them to a warehouse is processing.
 * @param s the store (read in one snapshot)
 * @param f the format
 * @param dir an existing directory
 * @param out receives the counts (may be NULL)
 * @return SEGRT_OK, SEGRT_EIO naming a file that cannot be written, or
 *         another error code (message in segrt_errmsg)
 */
SEGRT_API int segrt_dump(segrt_store *s, segrt_dump_format f, const char *dir,
                         segrt_dump_stats *out);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_SQL_H */
