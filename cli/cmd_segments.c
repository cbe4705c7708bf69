/*
 * cmd_segments.c — segrt segments: the segments a script defines, each with
 * its purpose, what its rule reads (fields, event types, other segments,
 * scores) and its description; with --count, its size at NOW too.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char segments_usage[] =
    "segrt segments [--db DIR] [--now T] [--count] SCRIPT\n"
    "  List the segments SCRIPT defines (a Lua file or a pack), in definition order:\n"
    "  name, purpose (the consent its members pass), what its rule reads (contact\n"
    "  fields, event types, other segments, scores) and its description.\n"
    "  --count: also evaluate each at NOW and print its size.";

enum { O_COUNT = OPT_FIRST_CMD };

/* What a rule reads, as "field income, event purchase, segment vip". */
typedef struct dep_text {
    char text[512];
} dep_text;

static int add_dep(void *ud, const char *kind, const char *name)
{
    dep_text *d = ud;
    size_t used = strlen(d->text);
    if (used + strlen(kind) + strlen(name) + 6 < sizeof d->text)
        snprintf(d->text + used, sizeof d->text - used, "%s%s %s", used ? ", " : "", kind, name);
    return 0;
}

static int segments_option(cli *c, int opt, const char *arg, void *ud)
{
    (void)c;
    (void)opt;
    (void)arg;
    *(int *)ud = 1;
    return EXIT_OK;
}

static int segments_run(cli *c, void *ud)
{
    int counting = *(const int *)ud;
    size_t n = segrt_script_segment_count(c->sc);
    if (n == 0)
        return cli_segments_defined(c);
    cli_segments e = { 0 };
    int rc = counting ? cli_segments_eval(c, &e, n, NULL) : SEGRT_OK;
    for (size_t i = 0; i < n && rc == SEGRT_OK; i++) {
        const char *name = segrt_script_segment_name(c->sc, i);
        const char *purpose = segrt_script_segment_purpose(c->sc, i);
        dep_text deps = { "" };
        rc = segrt_script_segment_deps(c->sc, name, add_dep, &deps);
        if (rc != SEGRT_OK)
            break;
        printf("%s", name);
        if (counting)
            printf("  size %llu", (unsigned long long)segrt_set_count(e.sets[i]));
        printf("\n  purpose: %s\n  reads: %s\n", purpose && *purpose ? purpose : "(none)",
               deps.text[0] ? deps.text : "(every live contact)");
        const char *description = segrt_script_segment_description(c->sc, i);
        if (description && *description)
            printf("  %s\n", description);
    }
    if (counting)
        cli_segments_free(&e);
    return rc == SEGRT_OK && fflush(stdout) != 0 ? SEGRT_EIO : rc;
}

int cmd_segments(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "segments", .usage = segments_usage, .run = segments_run,
        .option = segments_option, .flags = CLI_READ | CLI_SCRIPT,
        .arity = { 1, 1, "which script? give a SCRIPT or a pack's name" },
        .options = (const struct option[]){ CLI_FLAG("count", O_COUNT), { 0 } },
    };
    int counting = 0;
    return cli_main(&cmd, argc, argv, &counting);
}
