/*
 * cmd_dedupe.c — segrt dedupe: report the groups of duplicate contacts
 * (same e-mail, phone number, or name and city), merge them into their
 * survivors, list the merges that can be undone, undo one.
 *
 * Uses: segrt_dedupe, segrt_dedupe_undo, segrt_merges_foreach.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "segrt dedupe [--db DIR] [--now T] [--actor NAME] --by email|phone|name_city\n"
    "             [--merge [--survivor oldest|newest|most_events]]\n"
    "       segrt dedupe [--db DIR] [--now T] [--actor NAME] --undo MERGE\n"
    "       segrt dedupe [--db DIR] --merges\n"
    "  Find contacts that share a key: --by email (trimmed, lower-cased), phone\n"
    "  (E.164: RO, PL and BG numbers checked, a number without + or 00 is of the\n"
    "  contact's country; numbers that cannot be read are reported on stderr and\n"
    "  left out), name_city (first_name, last_name and city with the diacritics\n"
    "  of Latin letters dropped, case-folded, white space collapsed; Cyrillic\n"
    "  stays Cyrillic). Prints a header line, then one tab-separated line per\n"
    "  group, in byte order of the keys:\n"
    "    group  key  survivor  duplicates (comma-separated)  [merge]\n"
    "  and a summary on stderr. The survivor is the oldest contact (created_at;\n"
    "  without one, last), or with --survivor the newest or the one with the most\n"
    "  events; ties go to the smaller id.\n"
    "  --merge      merge each group into its survivor: it gets the others' events\n"
    "               and consent records, and the fields it lacks from the first of\n"
    "               the others (in the duplicates' order) that has one; for every\n"
    "               purpose a withdrawal, denial or objection in force in any of\n"
    "               them stays in force (a copy at NOW, source \"dedupe\"); the\n"
    "               others are removed. Each merge is one audit entry \"merge\";\n"
    "               its sequence number is the merge id in the last column.\n"
    "  --undo MERGE bring back the contacts of a merge as they were and take from\n"
    "               the survivor what the merge gave it; prints their ids.\n"
    "  --merges     list the merges that can be undone, tab-separated: merge, NOW\n"
    "               of the merge, key, survivor, merged ids (comma-separated).\n"
    "  What undoes a merge is kept in the store until the merge is undone or the\n"
    "  survivor is erased (segrt erase then erases it too).";

enum { O_BY = OPT_FIRST_CMD, O_MERGE, O_SURVIVOR, O_UNDO, O_MERGES };

typedef struct dedupe_args {
    segrt_dedupe_opts o;
    uint64_t undo;
    int has_undo, list;
    uint64_t groups, duplicates, unreadable;
} dedupe_args;

static int pick(const char *arg, const char *const *names, int n)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(arg, names[i]) == 0)
            return i + 1;
    }
    return 0;
}

static int dedupe_option(cli *c, int opt, const char *arg, void *ud)
{
    static const char *const keys[] = { "email", "phone", "name_city" };
    static const char *const rules[] = { "oldest", "newest", "most_events" };
    dedupe_args *a = ud;
    char *end;
    switch (opt) {
    case O_BY:
        a->o.by = (segrt_dedupe_by)pick(arg, keys, 3);
        return a->o.by ? EXIT_OK
                       : cli_usage_error(c, "--by '%s' is not email, phone or name_city", arg);
    case O_SURVIVOR:
        a->o.survivor = (segrt_survivor)pick(arg, rules, 3);
        return a->o.survivor ? EXIT_OK
                             : cli_usage_error(c, "--survivor '%s' is not oldest, newest or "
                                                  "most_events", arg);
    case O_MERGE:
        a->o.merge = 1;
        return EXIT_OK;
    case O_MERGES:
        a->list = 1;
        return EXIT_OK;
    case O_UNDO:
        errno = 0;
        a->undo = strtoull(arg, &end, 10);
        if (errno || end == arg || *end || arg[0] == '-' || a->undo == 0)
            return cli_usage_error(c, "--undo '%s' is not a merge id (the number in the merge "
                                      "column, or of the audit entry)", arg);
        a->has_undo = 1;
        return EXIT_OK;
    }
    return EXIT_USAGE;
}

/* The options make one of the four uses, or a usage error. */
static int check_args(const cli *c, const dedupe_args *a)
{
    int finds = a->o.by || a->o.merge || a->o.survivor;
    if (a->has_undo + a->list + (finds != 0) > 1)
        return cli_usage_error(c, "--undo, --merges and --by [--merge] are separate uses: give "
                                  "one");
    if (a->has_undo || a->list)
        return CLI_GO_ON;
    if (!a->o.by)
        return cli_usage_error(c, "compare contacts by what? give --by email, phone or "
                                  "name_city");
    if (a->o.survivor && !a->o.merge)
        return cli_usage_error(c, "--survivor only applies with --merge");
    return CLI_GO_ON;
}

/* Write ids[0..n) comma-separated. */
static void print_ids(const char *const *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%s%s", i ? "," : "", ids[i]);
}

static int print_group(void *ud, const segrt_dup_group *g)
{
    dedupe_args *a = ud;
    a->groups++;
    a->duplicates += g->n - 1;
    printf("%llu\t%s\t%s\t", (unsigned long long)g->number, g->key, g->ids[0]);
    print_ids(g->ids + 1, g->n - 1);
    if (a->o.merge)
        printf("\t%llu", (unsigned long long)g->merge);
    putchar('\n');
    return 0;
}

static int print_unreadable(void *ud, const char *id, const char *value, const char *why)
{
    dedupe_args *a = ud;
    a->unreadable++;
    fprintf(stderr, "segrt: dedupe: contact %s: phone '%s' %s (left out)\n", id, value, why);
    return 0;
}

static int print_merge(void *ud, const segrt_merge_info *m)
{
    (void)ud;
    char t[21];
    segrt_time_format(m->now, t);
    printf("%llu\t%s\t%s\t%s\t", (unsigned long long)m->merge, t, m->by,
           m->survivor ? m->survivor : "-");
    print_ids(m->ids, m->n);
    putchar('\n');
    return 0;
}

static int print_id(void *ud, const char *id)
{
    (*(uint64_t *)ud)++;
    printf("%s\n", id);
    return 0;
}

static int find(const cli *c, segrt_store *s, dedupe_args *a)
{
    static const char *const keys[] = { NULL, "email", "phone", "name_city" };
    a->o.actor = c->actor;
    a->o.on_group = print_group;
    a->o.on_unreadable = print_unreadable;
    a->o.ud = a;
    printf("group\tkey\tsurvivor\tduplicates%s\n", a->o.merge ? "\tmerge" : "");
    int rc = segrt_dedupe(s, &a->o);
    fflush(stdout); /* the summary after the report on a terminal */
    if (rc != SEGRT_OK)
        return rc;
    fprintf(stderr, "segrt: dedupe: by %s: %llu groups, %llu duplicates %s", keys[a->o.by],
            (unsigned long long)a->groups, (unsigned long long)a->duplicates,
            a->o.merge ? "merged into their survivors; each merge can be undone with segrt "
                         "dedupe --undo MERGE"
                       : "(nothing changed; --merge merges them)");
    if (a->unreadable)
        fprintf(stderr, "; %llu phone numbers could not be read", (unsigned long long)a->unreadable);
    fputc('\n', stderr);
    return SEGRT_OK;
}

int cmd_dedupe(int argc, char **argv)
{
    static const struct option opts[] = { CLI_COMMON_OPTIONS,
                                          { "by", required_argument, NULL, O_BY },
                                          { "merge", no_argument, NULL, O_MERGE },
                                          { "survivor", required_argument, NULL, O_SURVIVOR },
                                          { "undo", required_argument, NULL, O_UNDO },
                                          { "merges", no_argument, NULL, O_MERGES },
                                          { 0 } };
    cli c;
    dedupe_args a = { 0 };
    cli_init(&c, "dedupe", usage_text, argv);
    int code = cli_parse(&c, argc, argv, opts, dedupe_option, &a);
    if (code != CLI_GO_ON)
        return code;
    if (optind < argc)
        return cli_usage_error(&c, "unexpected argument '%s'", argv[optind]);
    code = check_args(&c, &a);
    if (code != CLI_GO_ON)
        return code;
    int write = a.has_undo || a.o.merge;
    segrt_store *s = cli_open(&c, write ? 0 : SEGRT_OPEN_READONLY);
    if (s == NULL)
        return EXIT_FAIL;
    int rc;
    if (a.list) {
        printf("merge\tnow\tby\tsurvivor\tmerged\n");
        rc = segrt_merges_foreach(s, print_merge, NULL);
    } else if (a.has_undo) {
        uint64_t n = 0;
        rc = segrt_dedupe_undo(s, a.undo, c.actor, print_id, &n);
        if (rc == SEGRT_OK)
            fprintf(stderr, "segrt: dedupe: merge %llu undone: %llu contacts restored\n",
                    (unsigned long long)a.undo, (unsigned long long)n);
    } else {
        rc = find(&c, s, &a);
    }
    return cli_end(&c, s, rc);
}
