/*
 * cmd_stats.c — segrt stats: "key value" lines (SPEC §3).
 */
#include "cli.h"

#include <stdio.h>

static const char usage_text[] =
    "segrt stats [--db DIR]\n"
    "  Print contacts, events, consents, events per type and the store size\n"
    "  as 'key value' lines. store_bytes is the size of the data file,\n"
    "  store_used_bytes what holds data, store_free_bytes its free pages:\n"
    "  writes reuse them, and they keep deleted bytes until then.\n"
    "  event_attr.PATH TYPE names each extra event attribute and its type.\n"
    "  projection_chunks_pending counts chunks of contacts whose event\n"
    "  projections wait for a rebuild (an import or live session under way\n"
    "  or interrupted; the next events import rebuilds them).\n"
    "  erased_awaiting_compaction counts the contacts erased since the last\n"
    "  segrt compact (their bytes are in free pages until it runs), and\n"
    "  last_compaction says when it ran (UTC), or never.";

static int print_type(void *ud, const char *type, uint64_t n)
{
    (void)ud;
    printf("events.%s %llu\n", type, (unsigned long long)n);
    return 0;
}

static int print_attr(void *ud, const char *path, segrt_type type)
{
    (void)ud;
    printf("event_attr.%s %s\n", path, segrt_type_name(type));
    return 0;
}

static int stats_run(cli *c, void *ud)
{
    (void)ud;
    segrt_stats st;
    int rc = segrt_store_stats(c->s, &st);
    if (rc == SEGRT_OK) {
        printf("contacts %llu\nevents %llu\nconsents %llu\n", (unsigned long long)st.contacts,
               (unsigned long long)st.events, (unsigned long long)st.consents);
        rc = segrt_event_types_foreach(c->s, print_type, NULL);
    }
    if (rc == SEGRT_OK)
        rc = segrt_event_attrs_foreach(c->s, print_attr, NULL);
    if (rc == SEGRT_OK)
        printf("audit %llu\nstore_bytes %llu\nstore_used_bytes %llu\nstore_free_bytes %llu\n"
               "projection_chunks_pending %llu\n",
               (unsigned long long)st.audit, (unsigned long long)st.store_bytes,
               (unsigned long long)st.used_bytes, (unsigned long long)st.free_bytes,
               (unsigned long long)st.projection_chunks_pending);
    if (rc == SEGRT_OK) {
        char when[21] = "never";
        if (st.last_compaction > 0)
            segrt_time_format(st.last_compaction, when);
        printf("erased_awaiting_compaction %llu\nlast_compaction %s\n",
               (unsigned long long)st.erased_awaiting_compaction, when);
    }
    return rc;
}

int cmd_stats(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "stats", .usage = usage_text, .run = stats_run, .flags = CLI_READ,
    };
    return cli_main(&cmd, argc, argv, NULL);
}
