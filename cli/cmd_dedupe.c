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

/* The values of --by and --survivor, in the order of their enums (from 1). */
static const char *const keys[] = { "email", "phone", "name_city", NULL };
static const char *const rules[] = { "oldest", "newest", "most_events", NULL };

static int dedupe_option(cli *c, int opt, const char *arg, void *ud)
{
    dedupe_args *a = ud;
    char *end;
    int i = 0, rc;
    switch (opt) {
    case O_BY:
        rc = cli_choice(c, "--by", arg, keys, &i);
        a->o.by = (segrt_dedupe_by)(i + 1);
        return rc;
    case O_SURVIVOR:
        rc = cli_choice(c, "--survivor", arg, rules, &i);
        a->o.survivor = (segrt_survivor)(i + 1);
        return rc;
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

/* The options make one of the four uses (EXIT_OK), or a usage error. */
static int check_args(const cli *c, const dedupe_args *a)
{
    int finds = a->o.by || a->o.merge || a->o.survivor;
    if (a->has_undo + a->list + (finds != 0) > 1)
        return cli_usage_error(c, "--undo, --merges and --by [--merge] are separate uses: give "
                                  "one");
    if (a->has_undo || a->list)
        return EXIT_OK;
    if (!a->o.by)
        return cli_usage_error(c, "compare contacts by what? give --by email, phone or "
                                  "name_city");
    if (a->o.survivor && !a->o.merge)
        return cli_usage_error(c, "--survivor only applies with --merge");
    return EXIT_OK;
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
    a->o.actor = cli_actor(c);
    a->o.on_group = print_group;
    a->o.on_unreadable = print_unreadable;
    a->o.ud = a;
    printf("group\tkey\tsurvivor\tduplicates%s\n", a->o.merge ? "\tmerge" : "");
    int rc = segrt_dedupe(s, &a->o);
    fflush(stdout); /* the summary after the report on a terminal */
    if (rc != SEGRT_OK)
        return rc;
    fprintf(stderr, "segrt: dedupe: by %s: %llu groups, %llu duplicates %s", keys[a->o.by - 1],
            (unsigned long long)a->groups, (unsigned long long)a->duplicates,
            a->o.merge ? "merged into their survivors; each merge can be undone with segrt "
                         "dedupe --undo MERGE"
                       : "(nothing changed; --merge merges them)");
    if (a->unreadable)
        fprintf(stderr, "; %llu phone numbers could not be read", (unsigned long long)a->unreadable);
    fputc('\n', stderr);
    return SEGRT_OK;
}

/* The store opens for writing only to merge or undo, after the options are checked. */
static int dedupe_run(cli *c, void *ud)
{
    dedupe_args *a = ud;
    int rc = check_args(c, a);
    if (rc != EXIT_OK)
        return rc;
    int write = a->has_undo || a->o.merge;
    if ((c->s = cli_open(c, write ? 0 : SEGRT_OPEN_READONLY)) == NULL)
        return EXIT_FAIL;
    if (a->list) {
        printf("merge\tnow\tby\tsurvivor\tmerged\n");
        rc = segrt_merges_foreach(c->s, print_merge, NULL);
    } else if (a->has_undo) {
        uint64_t n = 0;
        rc = segrt_dedupe_undo(c->s, a->undo, cli_actor(c), print_id, &n);
        if (rc == SEGRT_OK)
            fprintf(stderr, "segrt: dedupe: merge %llu undone: %llu contacts restored\n",
                    (unsigned long long)a->undo, (unsigned long long)n);
    } else {
        rc = find(c, c->s, a);
    }
    return rc;
}

int cmd_dedupe(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "dedupe", .usage = usage_text, .run = dedupe_run, .option = dedupe_option,
        .options = (const struct option[]){ CLI_OPTION("by", O_BY), CLI_FLAG("merge", O_MERGE),
                                            CLI_OPTION("survivor", O_SURVIVOR),
                                            CLI_OPTION("undo", O_UNDO),
                                            CLI_FLAG("merges", O_MERGES), { 0 } },
    };
    dedupe_args a = { 0 };
    return cli_main(&cmd, argc, argv, &a);
}
