/*
 * cmd_pack.c — segrt pack check PACK (load it in the sandbox, check every
 * segment against the store, print sizes) and segrt pack new NAME (write a
 * commented skeleton to start a pack from).
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char skeleton[] =
    "-- %s.lua — one line that says what the pack is for\n"
    "--\n"
    "-- Use it with: segrt run --db DIR %s.lua    Check it with: segrt pack check %s.lua\n"
    "local seg = require \"segrt\"\n"
    "local F, E, days = seg.F, seg.E, seg.days\n"
    "\n"
    "seg.pack {\n"
    "  name = \"%s\", version = \"0.1\",\n"
    "  description = \"what the segments are for\",\n"
    "  -- what the store must have: loading fails, naming all that is missing\n"
    "  requires = { fields = { \"email\" }, events = { \"purchase\" } },\n"
    "}\n"
    "\n"
    "-- A segment: a predicate over contact fields (F) and events (E).\n"
    "seg.segment \"recent_buyers\" {\n"
    "  description = \"bought in the last 30 days\",\n"
    "  where = E.purchase:within(days(30)):exists(),\n"
    "}\n"
    "\n"
    "-- A purpose keeps only contacts whose consent passes (scripts/consent/).\n"
    "seg.segment \"recent_buyers_emailable\" {\n"
    "  where = seg.member \"recent_buyers\" & F.email:present(),\n"
    "  purpose = \"email_marketing\",\n"
    "}\n";

static int pack_new(const cli *c, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s.lua", name);
    FILE *f = fopen(path, "wx"); /* never overwrite */
    if (f == NULL) {
        cli_error(c, "%s: %s", path, strerror(errno));
        return EXIT_FAIL;
    }
    fprintf(f, skeleton, name, name, name, name);
    if (fclose(f) != 0) {
        cli_error(c, "%s: %s", path, strerror(errno));
        return EXIT_FAIL;
    }
    printf("wrote %s\n", path);
    return EXIT_OK;
}

static int pack_check(const cli *c, const char *pack)
{
    segrt_store *s = cli_open(c, SEGRT_OPEN_READONLY);
    if (s == NULL)
        return EXIT_FAIL;
    segrt_script *sc = NULL;
    int rc = segrt_script_load(s, pack, &sc);
    size_t n = segrt_script_segment_count(sc), bad = 0;
    for (size_t i = 0; rc == SEGRT_OK && i < n; i++) {
        const char *name = segrt_script_segment_name(sc, i);
        segrt_set *m = NULL;
        if (segrt_segment_eval(sc, name, &m) == SEGRT_OK) {
            printf("  %-34s %9llu\n", name, (unsigned long long)segrt_set_count(m));
        } else {
            printf("  %-34s   failed: %s\n", name, segrt_errmsg(s));
            bad++;
        }
        segrt_set_free(m);
    }
    int code = rc == SEGRT_OK ? EXIT_OK : cli_fail(c, s, rc);
    if (rc == SEGRT_OK) {
        printf("%s: %zu segment%s, %zu failed\n", pack, n, n == 1 ? "" : "s", bad);
        code = bad ? EXIT_FAIL : EXIT_OK;
    }
    segrt_script_free(sc);
    segrt_store_close(s);
    return code;
}

int cmd_pack(int argc, char **argv)
{
    static const struct option opts[] = { CLI_COMMON_OPTIONS, { 0 } };
    cli c;
    cli_init(&c, "pack", "segrt pack check [--db DIR] [--now T] PACK\n"
                         "  Load PACK (a file or a bundled pack's name) in the sandbox, check every\n"
                         "  segment against the store and print its size; exit 1 if any fails.\n"
                         "segrt pack new NAME\n"
                         "  Write NAME.lua, a commented skeleton of a pack.", argv);
    int rc = cli_parse(&c, argc, argv, opts, NULL, NULL);
    if (rc != CLI_GO_ON)
        return rc;
    if (argc - optind != 2)
        return cli_usage_error(&c, "give check PACK or new NAME");
    if (strcmp(argv[optind], "check") == 0)
        return pack_check(&c, argv[optind + 1]);
    if (strcmp(argv[optind], "new") == 0)
        return pack_new(&c, argv[optind + 1]);
    return cli_usage_error(&c, "unknown pack command '%s' (check, new)", argv[optind]);
}
