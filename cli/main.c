/*
 * main.c — the segrt command: dispatch to a subcommand.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    { "demo", cmd_demo, "make a demo store with synthetic data and print a report" },
    { "import", cmd_import, "import contacts, events and consents from CSV or JSONL" },
    { "count", cmd_count, "print the number of members of a segment" },
    { "members", cmd_members, "print the members of a segment (ids, CSV or JSON lines)" },
    { "segments", cmd_segments, "list a script's segments: purpose, what each reads, description" },
    { "pack", cmd_pack, "check a pack against a store, or start a new one" },
    { "packs", cmd_packs, "list the bundled segment packs (use a name as SCRIPT)" },
    { "score", cmd_score, "print what a model of a script computes (RFM, BG/NBD, clusters, ...)" },
    { "run", cmd_run, "evaluate every segment of a script, store memberships and history" },
    { "history", cmd_history, "print the stored runs of a segment (size, entered, exited)" },
    { "overlap", cmd_overlap, "print the pairwise overlaps of segments" },
    { "profile", cmd_profile, "profile a segment's members next to the whole base" },
    { "sql", cmd_sql, "print segments as SQL for PostgreSQL, DuckDB or ClickHouse (or the DDL)" },
    { "dump", cmd_dump, "write contacts, events and consents as tables (CSV, TSV, JSONL)" },
    { "repl", cmd_repl, "explore the store in an interactive Lua prompt" },
    { "stats", cmd_stats, "print what a store holds" },
    { "show", cmd_show, "print a contact card" },
    { "export", cmd_export, "print everything held about a contact as JSON (GDPR access)" },
    { "erase", cmd_erase, "erase contacts and everything about them (GDPR erasure)" },
    { "set", cmd_set, "rectify fields of a contact, audited (GDPR rectification)" },
    { "unset", cmd_unset, "clear fields of a contact, audited (GDPR rectification)" },
    { "restrict", cmd_restrict, "restrict processing of a contact, or --lift it (GDPR Art. 18)" },
    { "consent", cmd_consent, "record, show and report consent (grant, withdraw, deny)" },
    { "retention", cmd_retention, "erase contacts inactive for N days (--dry-run lists them)" },
    { "audit", cmd_audit, "print the audit log" },
    { "quality", cmd_quality, "report how complete, current and plausible the data is" },
    { "check", cmd_check, "check the store's internal consistency" },
    { "compact", cmd_compact, "rewrite the data file without its free pages (erased bytes)" },
    { "report", cmd_report, "report how each segment of a script is doing (text, or --html)" },
    { "render", cmd_render, "render a message template for each member of a segment" },
    { "changes", cmd_changes, "print who entered and left a segment since a stored run" },
    { "outbox", cmd_exec_serve, "list the webhook deliveries waiting in the outbox" },
    { "dedupe", cmd_dedupe, "find duplicate contacts, merge them, undo a merge" },
    { "serve", cmd_exec_serve, "keep segments live and answer an HTTP API (the resident runtime)" },
    { "version", cmd_version, "print the version of segrt (also: segrt --version)" },
};

static void usage(FILE *out)
{
    fprintf(out, "usage: segrt COMMAND [OPTIONS]\n\n"
                 "segrt keeps a CRM's contacts, events and consent records in an LMDB store\n"
                 "and segments them with Lua scripts.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nThe store is --db DIR, else $SEGRT_DB, else ./segrt.db.\n"
                 "segrt COMMAND --help describes a command.\n");
}

#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* The command named name, or NULL. */
static int (*command(const char *name))(int, char **)
{
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run;
    }
    return NULL;
}

/* An unknown command: the closest name, and where the list is; not the whole usage. */
static int unknown(const char *name)
{
    const char *names[NCOMMANDS];
    for (size_t i = 0; i < NCOMMANDS; i++)
        names[i] = commands[i].name;
    const char *hint = segrt_suggest_closest(name, names, NCOMMANDS);
    fprintf(stderr, "segrt: unknown command '%s'%s%s%s\n"
                    "usage: segrt COMMAND [OPTIONS] (segrt help lists the commands)\n",
            name, hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        (strcmp(argv[1], "help") == 0 && argc == 2)) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "help") == 0) { /* segrt help CMD: CMD --help */
        int (*run)(int, char **) = command(argv[2]);
        if (run == NULL)
            return unknown(argv[2]);
        char flag[] = "--help";
        char *help[] = { argv[0], argv[2], flag, NULL }; /* [0]: a command may exec */
        return run(2, help + 1);
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(argc - 1, argv + 1);
    int (*run)(int, char **) = command(argv[1]);
    return run ? run(argc - 1, argv + 1) : unknown(argv[1]);
}
