/*
 * cli.h — what the segrt subcommands share: the command descriptor that
 * cli_main runs (common options --db, --now, --actor, --help; positional
 * arguments; opening the store and the script), messages and exit codes
 * (STYLE §13), segments evaluated for printing, lists, output formats.
 */
#ifndef SEGRT_CLI_H
#define SEGRT_CLI_H

#include "segrt.h"

#include <getopt.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Long options every subcommand accepts; values >= 256 so short options stay free. */
enum { OPT_DB = 256, OPT_NOW, OPT_ACTOR, OPT_HELP, OPT_OPEN_FLAGGED, OPT_FIRST_CMD };
/* The most long options of its own a command may have (cli_main adds the common ones). */
#define CLI_OPTIONS_MAX 24
/* Rows of cli_command.options: an option that takes a value, and a flag. */
#define CLI_OPTION(name, code) { (name), required_argument, NULL, (code) }
#define CLI_FLAG(name, code) { (name), no_argument, NULL, (code) }
/* cli_arity.max: no limit. */
#define CLI_ANY_ARGS 0x7fff

typedef struct cli {
    const char *cmd;   /* the subcommand, for messages */
    const char *usage; /* its usage text */
    const char *db;    /* --db, else $SEGRT_DB, else ./segrt.db */
    const char *actor; /* --actor, else $USER, else NULL: read it with cli_actor */
    int64_t now;
    int has_now;
    int open_flagged;  /* --open-flagged: open a store segrt check flagged corrupt */
    char **argv;       /* for messages about bad options */
    char **args;       /* the positional arguments, after the options */
    int nargs;
    segrt_store *s;    /* the store: opened by cli_main (CLI_READ, CLI_WRITE) or by run */
    segrt_script *sc;  /* the script: loaded by cli_main (CLI_SCRIPT) or by run */
} cli;

/* What cli_main opens before it calls run (cli_command.flags). */
enum {
    CLI_READ = 1 << 0,      /* the store, read-only, as c->s */
    CLI_WRITE = 1 << 1,     /* the store, for writing, as c->s */
    CLI_SCRIPT = 1 << 2,    /* then the script named by the first argument, as c->sc */
    CLI_HELP_ONLY = 1 << 3, /* no --db, --now or --actor: --help is the only option */
    CLI_FLAGGED = 1 << 4,   /* opens a store segrt check flagged corrupt (check, compact) */
};

/* How many positional arguments a command takes; { 0 }: none. */
typedef struct cli_arity {
    int min, max;        /* max CLI_ANY_ARGS: no limit */
    const char *missing; /* the usage error when fewer than min are given */
} cli_arity;

/*
 * A subcommand as cli_main runs it: how its command line reads and what it
 * needs opened. A new command is a cmd_<name>() that passes one of these and
 * its option values to cli_main, and a line in main.c.
 */
typedef struct cli_command {
    const char *name;                /* as typed after segrt; messages say "segrt: name: " */
    const char *usage;               /* --help prints it; a usage error its first line */
    const struct option *options;    /* its own long options, { 0 }-terminated; NULL: none */
    /* Take one of them (arg NULL for a flag): EXIT_OK, or an exit code after a message. */
    int (*option)(cli *c, int opt, const char *arg, void *ud);
    cli_arity arity;
    unsigned flags;                  /* CLI_READ, CLI_WRITE, CLI_SCRIPT, CLI_HELP_ONLY */
    /*
     * The command, with c->args, c->s and c->sc ready: SEGRT_OK, a SEGRT_E...
     * code (cli_main prints segrt_errmsg), or an exit code after a message.
     */
    int (*run)(cli *c, void *ud);
} cli_command;

/*
 * Run a subcommand (argv[0] its name): parse the options into ud through
 * cmd->option, check the positional arguments, open what cmd->flags say,
 * run it, then close what is open (also what run opened into c->s, c->sc).
 * Returns the exit code: EXIT_OK after --help, EXIT_USAGE after a usage error.
 */
int cli_main(const cli_command *cmd, int argc, char **argv, void *ud);
/* Defaults for messages before cli_main (resets getopt); cli_main calls it too. */
void cli_init(cli *c, const cli_command *cmd, char **argv);
/*
 * Who the audit log records as acting: --actor, else $USER, else the name
 * of the effective user (looked up on the first call), else "unknown".
 */
const char *cli_actor(const cli *c);
/* Print "segrt: cmd: message" to stderr. */
void cli_error(const cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print the usage hint for a usage error; returns EXIT_USAGE. */
int cli_usage_error(const cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Which of choices (NULL-terminated) arg is, into *index; else the usage
 * error "OPTION 'ARG' is not a, b or c". EXIT_OK or EXIT_USAGE.
 */
int cli_choice(const cli *c, const char *option, const char *arg, const char *const *choices,
               int *index);
/* Open the store (applying --now); prints the error and returns NULL on failure. */
segrt_store *cli_open(const cli *c, unsigned flags);
/* Report a failed library call on the store (NULL: none); returns EXIT_FAIL. */
int cli_fail(const cli *c, const segrt_store *s, int rc);
/* Report that the command itself ran out of memory; returns EXIT_FAIL. */
int cli_oom(const cli *c);

/* Milliseconds of a monotonic clock, for timings. */
double cli_now_ms(void);
/* Decimal digits of v, and the larger of two widths: for aligned tables. */
int cli_digits(uint64_t v);
static inline int cli_max(int a, int b)
{
    return a > b ? a : b;
}

/* Write one CSV field to f, quoted when it holds a comma, quote or line break (RFC 4180). */
void cli_csv_field(FILE *f, const char *s);
/*
 * Print o as one compact JSON line on stdout, keys in order, and release it
 * (NULL: out of memory). SEGRT_OK, SEGRT_ENOMEM or SEGRT_EIO.
 */
int cli_json_line(json_t *o);

/* ------------------------------------------------------------ cli_array.c */

/* The capacity an empty array grows to first. */
#define CLI_ARRAY_MIN 16
/*
 * Room for n elements of elem bytes in the array whose pointer is at pp (a
 * T **) holding *cap: the capacity doubles (from CLI_ARRAY_MIN) until it
 * holds n. 0, or -1 when out of memory or the size in bytes would overflow
 * (then the array and *cap are unchanged).
 */
int cli_array_reserve(void *pp, size_t *cap, size_t n, size_t elem);
/* Room for n elements in array a (a pointer lvalue) of capacity cap (a size_t lvalue). */
#define CLI_ARRAY_RESERVE(a, cap, n) cli_array_reserve(&(a), &(cap), (n), sizeof *(a))

/* ------------------------------------------------------------ cli_strings.c */

/* A list of strings that owns copies of them; { 0 } is empty. */
typedef struct cli_strings {
    char **v;
    size_t n, cap;
} cli_strings;
/* Append a copy of s: SEGRT_OK, or SEGRT_ENOMEM (the list unchanged). */
int cli_strings_add(cli_strings *l, const char *s);
/* Free the copies and the list, which is empty again. */
void cli_strings_free(cli_strings *l);

/* ------------------------------------------------------------ cli_segments.c */

/* Segments of the script evaluated at NOW, for the commands that print or store them. */
typedef struct cli_segments {
    size_t n;
    const char **names; /* borrowed from the script or the command line */
    segrt_set **sets;   /* their members */
    double *ms;         /* how long each evaluation took */
} cli_segments;
/*
 * Evaluate n segments of c->sc, in order: those named in names, or with
 * names NULL the first n the script defines; stop at the first failure.
 * SEGRT_OK, the failed evaluation's code, or EXIT_FAIL after "out of
 * memory". Free e with cli_segments_free whatever this returns.
 */
int cli_segments_eval(const cli *c, cli_segments *e, size_t n, char *const *names);
void cli_segments_free(cli_segments *e);
/* EXIT_OK when c->sc defines a segment; else says how to define one, EXIT_FAIL. */
int cli_segments_defined(const cli *c);

/* ------------------------------------------------------------ cli_runs.c */

/* The index of segment among the script's segments, or -1 when it defines none of that name. */
long cli_segment_index(const segrt_script *sc, const char *segment);
/*
 * Segment has no stored run: say how to store one when c->sc (the script
 * c->args[0]) defines it, else that it is unknown, with a hint from the
 * script's segments and the stored ones. Returns EXIT_FAIL.
 */
int cli_no_stored_runs(const cli *c, const char *segment);

/* Subcommands: argc/argv start at the subcommand name. */
int cmd_import(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_erase(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_unset(int argc, char **argv);
int cmd_restrict(int argc, char **argv);
int cmd_quality(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_compact(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_count(int argc, char **argv);
int cmd_members(int argc, char **argv);
int cmd_segments(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_packs(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_overlap(int argc, char **argv);
int cmd_sql(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_repl(int argc, char **argv);
int cmd_consent(int argc, char **argv);
int cmd_retention(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_changes(int argc, char **argv);
int cmd_outbox(int argc, char **argv);
int cmd_dedupe(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_serve(int argc, char **argv);
/* segrt serve and segrt outbox: exec segrt-serve beside this program (cmd_exec_serve.c). */
int cmd_exec_serve(int argc, char **argv);

/*
 * The card of contact id (cli_special.c): special-category fields (sc's
 * seg.sensitive) show their category, not their value, unless purpose (one
 * resting on explicit consent, or NULL) is granted by the contact (then
 * *shown, when not NULL, is 1).
 */
int cli_special_card(segrt_store *s, segrt_script *sc, const char *id, const char *purpose,
                     char **text, int *shown);

#endif
