/*
 * sql.h — what the SQL renderer's files share (include/segrt/sql.h is the
 * public face): the dialect table, whose functions write the few
 * expressions engines spell differently (sql_dialect.c); the state of one
 * rendering, a list of common table expressions built bottom-up (each one
 * added once, by its text) and the first error; and a scope, one SELECT
 * over the contacts table with the joins its expressions need.
 *
 * Value domains follow the plans (plan.h): numbers in micro-units, times
 * and durations in seconds and booleans 0/1, all 64-bit integers; strings
 * as text. A predicate renders as an expression that is never NULL
 * (missing -> false). ClickHouse 18.16 has no WITH subqueries, one JOIN per
 * SELECT and no window functions: there CTEs are inlined where they are
 * read, joins nested, and ranks and records in force computed with arrays
 * and argMax; its arrays are never NULL, so a missing set is an empty one
 * (sql_dialect.no_windows).
 *
 * Uses: plan.h, buf.h.
 */
#ifndef SEGRT_OUTPUT_SQL_H
#define SEGRT_OUTPUT_SQL_H

#include "plan/plan.h"
#include "util/buf.h"

/* Writes an expression of its arguments (already rendered) into o. */
typedef int (*sql_fn1)(buf *o, const char *a);
typedef int (*sql_fn2)(buf *o, const char *a, const char *b);

typedef struct sql_dialect {
    const char *name;
    /* column types per segrt type (segrt_type - 1), and of the fixed columns */
    const char *types[7];
    const char *text, *int32;
    const char *key_text;  /* the id and contact_id columns */
    const char *t, *f;     /* the literals true and false */
    const char *int64, *float64; /* type names for CAST */
    const char *global;    /* before IN or JOIN of a subquery: "GLOBAL " runs it once, for all shards */
    int no_windows;        /* ClickHouse 18.16: no WITH, one JOIN per SELECT, no window functions */
    sql_fn1 timestamp;     /* the literal of a quoted 'YYYY-MM-DD HH:MM:SS' (UTC) */
    /* value a (text when is_text) of the earliest selected event, of the latest when last */
    int (*first_of)(buf *o, const char *a, int last, int is_text);
    const char *time_key;  /* events.ts and consents.ts: never missing */
    /* what follows a CREATE TABLE's column list (ends the statement; may add more) */
    int (*engine)(buf *o, const char *table, const char *key, const char *cluster);
    sql_fn1 ts_secs;     /* a TIMESTAMP as unix seconds (BIGINT) */
    sql_fn1 date_secs;   /* a DATE as unix seconds of its midnight */
    sql_fn2 mul;         /* a * b / 10^6 truncated, without 64-bit overflow on the way */
    sql_fn2 div;         /* a * 10^6 / b truncated; NULL when b is 0 */
    sql_fn2 idiv;        /* a / b truncated toward zero (b an aggregate count) */
    sql_fn2 contains;    /* array a holds string b (NULL when a is) */
    sql_fn2 json_text;   /* the text at JSON path b ("x.y") of JSON text a */
    sql_fn1 byte_order;  /* a string expression ordered by its bytes */
    /* the load of a dump's table (columns: its CREATE order; CSV sets as PostgreSQL arrays) */
    int (*load)(buf *o, const char *table, const char *path, size_t ncol,
                const char *const *cols, const char *const *types, const int *is_set);
} sql_dialect;

/* The table of dialect d (a segrt_sql_dialect), or NULL. */
const sql_dialect *sql_dialect_of(int d);

/* The columns of a table of the layout (SQL_CONTACTS...), as dialect d types them. */
enum { SQL_CONTACTS, SQL_EVENTS, SQL_CONSENTS, SQL_NTABLES };
typedef struct sql_columns {
    const char *table;
    size_t n;
    const char **names;   /* borrowed from the store's schema and static text */
    const char **types;
    int *is_set;
} sql_columns;
extern const char *const sql_ddl_tables[SQL_NTABLES];
/* The columns of table (new: sql_ddl_columns_free); SEGRT_ENOMEM noted on s. */
int sql_ddl_columns(segrt_store *s, const sql_dialect *d, int table, sql_columns *out);
void sql_ddl_columns_free(sql_columns *c);

/* One rendering: its common table expressions, NOW, and the first error. */
typedef struct sql_ctx {
    plan_ctx *cx;
    const sql_dialect *d;
    buf ctes;             /* "name AS (body)" joined by ",\n" */
    char **bodies;        /* each CTE's body, to add each once */
    char **inlined;       /* each CTE's body in parentheses, to read it where there is no WITH */
    size_t ncte;
    const char *segment;  /* the segment being rendered, for messages */
    const char *stack[64];/* segments being rendered (seg.member cycles) */
    int depth;
    int rc;
} sql_ctx;

/* One SELECT over contacts c and the CTEs (id, v) its values read, joined by id. */
typedef struct sql_scope {
    buf joins;            /* their names, each followed by a space */
    int profiling;        /* a profiling score's: the population is who profiling may score */
} sql_scope;

/* Append printf-style text to o; out of memory is noted on r (rendering goes on). */
void sql_put(sql_ctx *r, buf *o, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* o's text, NUL-terminated in place (o keeps it), "" when empty or out of memory. */
const char *sql_text(sql_ctx *r, buf *o);
/* Note an error: the first one is kept (SEGRT_OK when none). */
int sql_fail(sql_ctx *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Refuse a construct at loc: "segment 'S': WHAT (at LOC) cannot be rendered as SQL". */
void sql_refuse(sql_ctx *r, const char *loc, const char *what);
/* Add a CTE with body (once: the same body again gives the same name); its name into name. */
void sql_cte(sql_ctx *r, buf *body, char name[16]);
/* Where CTE name is read (FROM, IN): its name, or in ClickHouse its body in parentheses. */
const char *sql_table(sql_ctx *r, const char name[16]);
/* Join CTE name (columns id, v) into scope s (once); write the reference to its v into o. */
void sql_join(sql_ctx *r, sql_scope *s, const char *name, buf *o);
/* Write scope s's FROM clause: contacts c and its joins. */
void sql_from(sql_ctx *r, sql_scope *s, buf *o);
/* A string constant as an SQL literal; a timestamp literal of unix seconds t (TIMESTAMP '...'). */
void sql_string(sql_ctx *r, buf *o, const char *text, size_t n);
void sql_timestamp(sql_ctx *r, buf *o, int64_t t);
/* Quote a field name as an identifier. */
void sql_ident(sql_ctx *r, buf *o, const char *name);
void sql_ctx_free(sql_ctx *r);

/* Plan nodes (sql_render.c): a predicate (never NULL) or a value over scope s. */
void sql_render_pred(sql_ctx *r, sql_scope *s, const pnode *p, buf *o);
void sql_render_value(sql_ctx *r, sql_scope *s, const pnode *p, buf *o);

/* Consent (sql_consent.c): the CTE of the contacts passing purpose at NOW; who profiling may score. */
void sql_consent_passes(sql_ctx *r, const char *purpose, char name[16]);
void sql_consent_profiling(sql_ctx *r, char name[16]);

/* Segments (sql_segment.c): the CTE (column id) of a segment's members. */
void sql_segment_cte(sql_ctx *r, const char *segment, char name[16]);

#endif
