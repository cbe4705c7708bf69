/*
 * cmd_erase.c — segrt erase: GDPR erasure (Art. 17) of the contacts named
 * on the command line and in --from FILE, in batches
 * (segrt_contact_erase_many), then with --compact the data file rewritten
 * without their bytes (segrt_store_compact).
 *
 * Uses: segrt_contact_erase_many, segrt_contact_erase (why an id was not
 * erased), segrt_store_compact; cli_strings.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "segrt erase [--db DIR] [--actor NAME] [--from FILE] [--compact] [ID...]\n"
    "  Delete the contacts, their events, consents, memberships and what merges\n"
    "  into them kept (GDPR Art. 17). Only an audit entry per contact, without\n"
    "  personal data, is kept. Many ids are erased in batches, one transaction\n"
    "  each.\n"
    "  --from FILE  also erase the ids in FILE, one per line; blank lines and\n"
    "               lines starting with # are skipped\n"
    "  --compact    then run segrt compact, so that no byte of the erased\n"
    "               contacts is left in the store's files (it needs the store\n"
    "               to itself)\n"
    "  An id that names no contact is reported (with its FILE:LINE) and the\n"
    "  others are still erased; the exit status is 0 only when all were, and\n"
    "  the compact, if asked for, ran.";

enum { O_FROM = OPT_FIRST_CMD, O_COMPACT };

typedef struct erase_opts {
    const char *from; /* --from FILE, or NULL */
    int compact;
    cli_strings ids;  /* the arguments, then FILE's ids */
    size_t *line;     /* per id: its line in FILE, 0 for an argument */
    size_t linecap;
} erase_opts;

static int erase_option(cli *c, int opt, const char *arg, void *ud)
{
    erase_opts *o = ud;
    (void)c;
    if (opt == O_COMPACT)
        o->compact = 1;
    else if (opt == O_FROM)
        o->from = arg;
    else
        return EXIT_USAGE;
    return EXIT_OK;
}

static int add_id(erase_opts *o, const char *id, size_t line)
{
    if (CLI_ARRAY_RESERVE(o->line, o->linecap, o->ids.n + 1) != 0 ||
        cli_strings_add(&o->ids, id) != SEGRT_OK)
        return SEGRT_ENOMEM;
    o->line[o->ids.n - 1] = line;
    return SEGRT_OK;
}

/* The ids of --from FILE, the line trimmed of blanks (and a CRLF's CR). */
static int read_from(const cli *c, erase_opts *o)
{
    FILE *f = fopen(o->from, "r");
    if (f == NULL) {
        cli_error(c, "%s: cannot read: %s", o->from, strerror(errno));
        return EXIT_FAIL;
    }
    char *text = NULL;
    size_t cap = 0, line = 0;
    ssize_t len;
    int rc = EXIT_OK;
    while (rc == EXIT_OK && (len = getline(&text, &cap, f)) >= 0) {
        line++;
        char *p = text;
        while (len > 0 && strchr(" \t\r\n", p[len - 1]))
            p[--len] = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != '\0' && *p != '#' && add_id(o, p, line) != SEGRT_OK)
            rc = cli_oom(c);
    }
    if (rc == EXIT_OK && ferror(f)) {
        cli_error(c, "%s: cannot read: %s", o->from, strerror(errno));
        rc = EXIT_FAIL;
    }
    free(text);
    fclose(f);
    return rc;
}

/*
 * Say why each id not erased was not: erasing it alone fails with the
 * reason (no such contact, merged into another), unless it appeared
 * meanwhile, when it is erased now. The number still not erased.
 */
static size_t report_missing(const cli *c, const erase_opts *o, unsigned char *erased)
{
    size_t missing = 0;
    for (size_t i = 0; i < o->ids.n; i++) {
        if (erased[i])
            continue;
        int rc = segrt_contact_erase(c->s, o->ids.v[i], cli_actor(c));
        erased[i] = rc == SEGRT_OK;
        if (rc == SEGRT_OK)
            continue;
        missing++;
        if (o->line[i])
            cli_error(c, "%s:%zu: %s", o->from, o->line[i], segrt_errmsg(c->s));
        else
            cli_error(c, "%s", segrt_errmsg(c->s));
    }
    return missing;
}

static int compact_after(const cli *c)
{
    uint64_t before, after;
    int rc = segrt_store_compact(c->s, cli_actor(c), &before, &after);
    if (rc != SEGRT_OK) {
        cli_error(c, "the erasure is done, the compact is not: %s; run segrt compact once "
                     "the store is free", segrt_errmsg(c->s));
        return EXIT_FAIL;
    }
    printf("store_bytes_before %llu\nstore_bytes_after %llu\n", (unsigned long long)before,
           (unsigned long long)after);
    return EXIT_OK;
}

static int erase_ids(cli *c, erase_opts *o)
{
    unsigned char *erased = malloc(o->ids.n);
    if (erased == NULL)
        return cli_oom(c);
    int rc = segrt_contact_erase_many(c->s, (const char *const *)o->ids.v, o->ids.n, cli_actor(c),
                                      erased);
    size_t missing = rc == SEGRT_OK ? report_missing(c, o, erased) : 0;
    free(erased);
    if (rc != SEGRT_OK)
        return rc;
    size_t done = o->ids.n - missing;
    if (o->ids.n == 1 && done == 1)
        fprintf(stderr, "segrt: erase: contact %s erased; an audit entry without personal "
                        "data was kept\n", o->ids.v[0]);
    else if (o->ids.n > 1)
        fprintf(stderr, "segrt: erase: %zu of %zu contacts erased; an audit entry without "
                        "personal data was kept for each\n", done, o->ids.n);
    int xrc = o->compact ? compact_after(c) : EXIT_OK;
    return missing ? EXIT_FAIL : xrc;
}

/* What to erase is checked before the store opens. */
static int erase_run(cli *c, void *ud)
{
    erase_opts *o = ud;
    if (c->nargs == 0 && o->from == NULL)
        return cli_usage_error(c, "which contacts? give their IDs or --from FILE");
    for (int i = 0; i < c->nargs; i++) {
        if (add_id(o, c->args[i], 0) != SEGRT_OK)
            return cli_oom(c);
    }
    int rc = o->from ? read_from(c, o) : EXIT_OK;
    if (rc != EXIT_OK)
        return rc;
    if (o->ids.n == 0) {
        cli_error(c, "%s: no id to erase (only blank and # lines)", o->from);
        return EXIT_FAIL;
    }
    if ((c->s = cli_open(c, 0)) == NULL)
        return EXIT_FAIL;
    return erase_ids(c, o);
}

int cmd_erase(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "erase", .usage = usage_text, .run = erase_run, .option = erase_option,
        .options = (const struct option[]){ CLI_OPTION("from", O_FROM),
                                            CLI_FLAG("compact", O_COMPACT), { 0 } },
        .arity = { 0, CLI_ANY_ARGS, NULL },
    };
    erase_opts o = { 0 };
    int rc = cli_main(&cmd, argc, argv, &o);
    cli_strings_free(&o.ids);
    free(o.line);
    return rc;
}
