/*
 * cmd_dump.c — segrt dump: the store's contacts, events and consents as
 * the three tables of the SQL layout (include/segrt/sql.h), in CSV, TSV or
 * JSON lines, for PostgreSQL, DuckDB or another warehouse.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char dump_usage[] =
    "segrt dump [--db DIR] [--now T] --format csv|tsv|jsonl OUTDIR\n"
    "  Write contacts, events and consents (.csv, .tsv or .jsonl) into OUTDIR\n"
    "  (made when missing), as segrt sql --ddl declares them: one column per\n"
    "  field, numbers with their exact decimals, times in UTC as\n"
    "  'YYYY-MM-DD HH:MM:SS', string sets as arrays ({\"a\",\"b\"} in CSV and TSV),\n"
    "  extra event attributes as JSON text. Contacts restricted at NOW (Art. 18)\n"
    "  are left out with their events and consents; erased ones are gone.\n"
    "  segrt sql --load OUTDIR prints the statements that load a CSV dump.";

enum { O_FORMAT = OPT_FIRST_CMD };

static int dump_option(cli *c, int opt, const char *arg, void *ud)
{
    (void)opt;
    static const char *const names[] = { "csv", "tsv", "jsonl", NULL };
    int i = 0, rc = cli_choice(c, "--format", arg, names, &i);
    *(int *)ud = i + 1;
    return rc;
}

static int dump_run(cli *c, void *ud)
{
    int format = *(const int *)ud;
    const char *dir = c->args[0];
    if (format == 0)
        return cli_usage_error(c, "give --format csv, tsv or jsonl");
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        cli_error(c, "cannot make %s: %s", dir, strerror(errno));
        return EXIT_FAIL;
    }
    segrt_dump_stats st;
    int rc = segrt_dump(c->s, (segrt_dump_format)format, dir, &st);
    if (rc == SEGRT_OK)
        fprintf(stderr, "wrote %llu contacts, %llu events, %llu consent records to %s "
                "(%llu restricted contacts left out)\n", (unsigned long long)st.contacts,
                (unsigned long long)st.events, (unsigned long long)st.consents, dir,
                (unsigned long long)st.restricted);
    return rc;
}

int cmd_dump(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "dump", .usage = dump_usage, .run = dump_run, .flags = CLI_READ,
        .arity = { 1, 1, "give an OUTDIR" }, .option = dump_option,
        .options = (const struct option[]){ CLI_OPTION("format", O_FORMAT), { 0 } },
    };
    int format = 0;
    return cli_main(&cmd, argc, argv, &format);
}
