/*
 * cmd_compact.c — segrt compact: the data file rewritten without its free
 * pages nor any other erased byte (segrt_store_compact), its size before
 * and after.
 */
#include "cli.h"

#include <stdio.h>

static const char usage_text[] =
    "segrt compact [--db DIR] [--actor NAME]\n"
    "  Rewrite the store's data file with every record copied into fresh\n"
    "  pages: without its free pages, which keep the bytes of deleted data\n"
    "  (erased contacts) until writes reuse them, nor any other byte of an\n"
    "  erased contact (a deleted key kept in the index, an event category or\n"
    "  consent source no one uses any more), and print its size before and\n"
    "  after as 'key value' lines. It needs free disk space for two copies\n"
    "  of the used bytes while it runs (in DIR/compact.tmp). Fails, changing\n"
    "  nothing, while another process has the store open (a repl, a live\n"
    "  session); commands started meanwhile wait for it. A crash leaves the\n"
    "  old file or the new one, whole. Recorded in the audit log.";

static int compact_run(cli *c, void *ud)
{
    (void)ud;
    uint64_t before, after;
    int rc = segrt_store_compact(c->s, cli_actor(c), &before, &after);
    if (rc == SEGRT_OK)
        printf("store_bytes_before %llu\nstore_bytes_after %llu\n", (unsigned long long)before,
               (unsigned long long)after);
    return rc;
}

int cmd_compact(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "compact", .usage = usage_text, .run = compact_run, .flags = CLI_WRITE | CLI_FLAGGED,
    };
    return cli_main(&cmd, argc, argv, NULL);
}
