/*
 * cmd_pack.c — segrt pack check PACK (load it in the sandbox, check every
 * segment against the store, print sizes) and segrt pack new [--dir D] NAME
 * (write a commented skeleton to start a pack from, e.g. into a directory of
 * the pack search path).
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char usage_text[] =
    "segrt pack check [--db DIR] [--now T] PACK\n"
    "  Load PACK (a file, a folder pack, or an installed or bundled pack's\n"
    "  name) in the sandbox, check every segment against the store and print\n"
    "  its size; exit 1 if any fails.\n"
    "segrt pack new [--dir D] NAME\n"
    "  Write NAME.lua, a commented skeleton of a pack, into the current\n"
    "  directory or into D (made if missing), e.g. a directory of the pack\n"
    "  search path (segrt packs shows it) to run the pack by name.";

static const char skeleton[] =
    "-- %s.lua — one line that says what the pack is for\n"
    "--\n"
    "-- On the pack search path (segrt packs shows it) run it by name, else by path:\n"
    "--   segrt run --db DIR %s          segrt pack check --db DIR %s\n"
    "local seg = require \"segrt\"\n"
    "local F, E, days = seg.F, seg.E, seg.days\n"
    "\n"
    "seg.pack {\n"
    "  name = \"%s\", version = \"0.1\",\n"
    "  description = \"what the segments are for\",\n"
    "  -- what the store must have (fields, optionally with their types, event types,\n"
    "  -- the consent purposes the segments use): loading fails, naming all that is missing\n"
    "  requires = { fields = { email = \"string\" }, events = { \"purchase\" } },\n"
    "  purposes = { \"email_marketing\" },\n"
    "  -- packs to load first (installed or bundled), e.g. depends = { \"rfm_lifecycle\" }\n"
    "  depends = {},\n"
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

enum { O_DIR = OPT_FIRST_CMD };

enum { DIR_MAX = 1024 }; /* the longest --dir, in bytes */

static int pack_option(cli *c, int opt, const char *arg, void *ud)
{
    (void)c;
    (void)opt;
    *(const char **)ud = arg;
    return EXIT_OK;
}

/* mkdir -p dir. */
static int make_dirs(const char *dir)
{
    char path[DIR_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s", dir) >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char was = *p;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return -1;
        if (was == '\0')
            return 0;
        *p = was;
    }
}

static int pack_new(const cli *c, const char *name, const char *dir)
{
    if (!segrt_pack_name_ok(name))
        return cli_usage_error(c, "'%s' is not a pack name (letters, digits and _, not starting "
                                  "with a digit)", name);
    char path[DIR_MAX + SEGRT_PACK_NAME_MAX + 8];
    if (dir && make_dirs(dir) != 0) {
        cli_error(c, "%s: %s", dir, strerror(errno));
        return EXIT_FAIL;
    }
    snprintf(path, sizeof path, "%s%s%s.lua", dir ? dir : "", dir ? "/" : "", name);
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

static int pack_check(cli *c, const char *pack)
{
    if ((c->s = cli_open(c, SEGRT_OPEN_READONLY)) == NULL)
        return EXIT_FAIL;
    int rc = segrt_script_load(c->s, pack, &c->sc);
    if (rc == SEGRT_ELUA) { /* what does not load or compile is this report's finding */
        printf("%s: %s\n", pack, segrt_errmsg(c->s));
        return EXIT_FAIL;
    }
    if (rc != SEGRT_OK)
        return rc;
    size_t n = segrt_script_segment_count(c->sc), bad = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = segrt_script_segment_name(c->sc, i);
        segrt_set *m = NULL;
        if (segrt_segment_eval(c->sc, name, &m) == SEGRT_OK) {
            printf("  %-34s %9llu\n", name, (unsigned long long)segrt_set_count(m));
        } else {
            printf("  %-34s   failed: %s\n", name, segrt_errmsg(c->s));
            bad++;
        }
        segrt_set_free(m);
    }
    printf("%s: %zu segment%s, %zu failed\n", pack, n, n == 1 ? "" : "s", bad);
    return bad ? EXIT_FAIL : EXIT_OK;
}

/* pack check PACK or pack new NAME: the two words are checked here, for their own message. */
static int pack_run(cli *c, void *ud)
{
    const char *dir = *(const char **)ud;
    if (c->nargs != 2)
        return cli_usage_error(c, "give check PACK or new NAME");
    if (strcmp(c->args[0], "check") == 0 && dir == NULL)
        return pack_check(c, c->args[1]);
    if (strcmp(c->args[0], "check") == 0)
        return cli_usage_error(c, "--dir goes with pack new, not pack check");
    if (strcmp(c->args[0], "new") == 0)
        return pack_new(c, c->args[1], dir);
    return cli_usage_error(c, "unknown pack command '%s' (check, new)", c->args[0]);
}

int cmd_pack(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "pack", .usage = usage_text, .run = pack_run, .arity = { 0, CLI_ANY_ARGS, NULL },
        .option = pack_option,
        .options = (const struct option[]){ CLI_OPTION("dir", O_DIR), { 0 } },
    };
    const char *dir = NULL;
    return cli_main(&cmd, argc, argv, &dir);
}
