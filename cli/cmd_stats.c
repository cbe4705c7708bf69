/*
 * cmd_stats.c — segrt stats: "key value" lines (SPEC §3).
 */
#include "cli.h"

#include <stdio.h>

static int print_type(void *ud, const char *type, uint64_t n)
{
    (void)ud;
    printf("events.%s %llu\n", type, (unsigned long long)n);
    return 0;
}

int cmd_stats(int argc, char **argv)
{
    static const struct option opts[] = { CLI_COMMON_OPTIONS, { 0 } };
    cli c;
    cli_init(&c, "stats", "segrt stats [--db DIR]\n"
                          "  Print contacts, events, consents, events per type and the store size\n"
                          "  as 'key value' lines.", argv);
    int rc;
    segrt_store *s = cli_begin(&c, argc, argv, opts, NULL, NULL, 0, "", SEGRT_OPEN_READONLY, &rc);
    if (s == NULL)
        return rc;
    segrt_stats st;
    rc = segrt_store_stats(s, &st);
    if (rc == SEGRT_OK) {
        printf("contacts %llu\nevents %llu\nconsents %llu\n", (unsigned long long)st.contacts,
               (unsigned long long)st.events, (unsigned long long)st.consents);
        rc = segrt_event_types_foreach(s, print_type, NULL);
    }
    if (rc == SEGRT_OK)
        printf("audit %llu\nstore_bytes %llu\n", (unsigned long long)st.audit,
               (unsigned long long)st.store_bytes);
    return cli_end(&c, s, rc);
}
