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
    int rc = cli_parse(&c, argc, argv, opts, NULL, NULL);
    if (rc != CLI_GO_ON)
        return rc;
    if (optind < argc)
        return cli_usage_error(&c, "unexpected argument '%s'", argv[optind]);
    segrt_store *s = cli_open(&c, SEGRT_OPEN_READONLY);
    if (s == NULL)
        return EXIT_FAIL;
    segrt_stats st;
    rc = segrt_store_stats(s, &st);
    if (rc == SEGRT_OK) {
        printf("contacts %llu\nevents %llu\nconsents %llu\n", (unsigned long long)st.contacts,
               (unsigned long long)st.events, (unsigned long long)st.consents);
        rc = segrt_event_type_counts(s, print_type, NULL);
    }
    if (rc == SEGRT_OK)
        printf("audit %llu\nstore_bytes %llu\n", (unsigned long long)st.audit,
               (unsigned long long)st.store_bytes);
    rc = rc == SEGRT_OK ? EXIT_OK : cli_fail(&c, s, rc);
    segrt_store_close(s);
    return rc;
}
