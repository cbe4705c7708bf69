/*
 * cmd_sql.c — segrt sql: a script's segments as SQL for PostgreSQL, DuckDB
 * or ClickHouse (include/segrt/sql.h), the CREATE TABLE statements of the
 * layout segrt dump writes (--ddl, on a ClickHouse --cluster too), or the
 * statements that load a dump (--load).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_usage[] =
    "segrt sql [--db DIR] [--now T] --dialect postgres|duckdb|clickhouse\n"
    "          (--ddl [--cluster NAME] | --load DUMPDIR | SCRIPT [SEGMENT])\n"
    "  Print SEGMENT of SCRIPT as one SELECT whose column id lists its members at\n"
    "  NOW (a literal in the query), over the tables segrt dump writes; without\n"
    "  SEGMENT every segment, each after a line '-- segment: NAME'. What only segrt\n"
    "  can compute (a Lua filter, a score fn, a consent check function, a model\n"
    "  output) is refused, naming the segment and the construct; the other\n"
    "  segments are still printed, and the exit status is 1.\n"
    "  --ddl: the CREATE TABLE statements of contacts, events and consents for the\n"
    "  store's fields; --cluster NAME (ClickHouse): local MergeTree tables to create\n"
    "  on every server and Distributed tables over them, sharded by the contact id.\n"
    "  --load DUMPDIR: the statements that load a dump of the store into them: a CSV\n"
    "  dump with \\copy for psql or read_csv for DuckDB; a JSON lines dump with\n"
    "  clickhouse-client commands for ClickHouse.";

enum { O_DIALECT = OPT_FIRST_CMD, O_DDL, O_LOAD, O_CLUSTER };

typedef struct sql_opts {
    int dialect; /* segrt_sql_dialect, 0 until given */
    int ddl;
    const char *load, *cluster;
} sql_opts;

static int sql_option(cli *c, int opt, const char *arg, void *ud)
{
    sql_opts *o = ud;
    static const char *const names[] = { "postgres", "duckdb", "clickhouse", NULL };
    int i = 0, rc = EXIT_OK;
    switch (opt) {
    case O_DIALECT:
        rc = cli_choice(c, "--dialect", arg, names, &i);
        o->dialect = i + 1;
        return rc;
    case O_DDL: o->ddl = 1; return EXIT_OK;
    case O_CLUSTER: o->cluster = arg; return EXIT_OK;
    default: o->load = arg; return EXIT_OK;
    }
}

/* Print one segment's query; a refusal is reported and counted in *failed. */
static int print_segment(cli *c, segrt_script *sc, const sql_opts *o, const char *name, int all,
                         int *failed)
{
    char *sql = NULL;
    int rc = segrt_sql_segment(sc, (segrt_sql_dialect)o->dialect, name, &sql);
    if (rc == SEGRT_OK) {
        printf(all ? "-- segment: %s\n%s;\n" : "%s%s;\n", all ? name : "", sql);
        segrt_free(sql);
        return SEGRT_OK;
    }
    if (rc != SEGRT_EINVAL && rc != SEGRT_ELUA)
        return rc;
    cli_error(c, "%s", segrt_errmsg(c->s));
    (*failed)++;
    return SEGRT_OK;
}

static int segments(cli *c, const sql_opts *o)
{
    int rc = segrt_script_load(c->s, c->args[0], &c->sc), failed = 0;
    if (rc == SEGRT_OK && c->nargs == 2)
        rc = print_segment(c, c->sc, o, c->args[1], 0, &failed);
    for (size_t i = 0; rc == SEGRT_OK && c->nargs == 1 && i < segrt_script_segment_count(c->sc);
         i++)
        rc = print_segment(c, c->sc, o, segrt_script_segment_name(c->sc, i), 1, &failed);
    return rc == SEGRT_OK && failed ? EXIT_FAIL : rc;
}

static int sql_run(cli *c, void *ud)
{
    const sql_opts *o = ud;
    if (o->dialect == 0)
        return cli_usage_error(c, "give --dialect postgres, duckdb or clickhouse");
    if (o->cluster && (!o->ddl || o->dialect != SEGRT_SQL_CLICKHOUSE))
        return cli_usage_error(c, "--cluster goes with --ddl --dialect clickhouse");
    if ((o->ddl || o->load) && c->nargs > 0)
        return cli_usage_error(c, "--ddl and --load take no SCRIPT");
    if (o->ddl && o->load)
        return cli_usage_error(c, "give --ddl or --load, not both");
    if (!o->ddl && !o->load && c->nargs == 0)
        return cli_usage_error(c, "give a SCRIPT (and a SEGMENT), --ddl or --load DUMPDIR");
    if (!o->ddl && !o->load)
        return segments(c, o);
    char *sql = NULL;
    int rc = o->ddl ? segrt_sql_ddl(c->s, (segrt_sql_dialect)o->dialect, o->cluster, &sql)
                    : segrt_sql_load(c->s, (segrt_sql_dialect)o->dialect, o->load, &sql);
    if (rc == SEGRT_OK)
        fputs(sql, stdout);
    segrt_free(sql);
    return rc;
}

int cmd_sql(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "sql", .usage = sql_usage, .run = sql_run, .flags = CLI_READ,
        .arity = { 0, 2, "" }, .option = sql_option,
        .options = (const struct option[]){ CLI_OPTION("dialect", O_DIALECT), CLI_FLAG("ddl", O_DDL),
                                            CLI_OPTION("load", O_LOAD),
                                            CLI_OPTION("cluster", O_CLUSTER), { 0 } },
    };
    sql_opts o = { 0 };
    return cli_main(&cmd, argc, argv, &o);
}
