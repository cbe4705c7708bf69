/*
 * cli.h — what the segrt subcommands share: common options (--db, --now,
 * --actor, --help), opening the store, messages and exit codes (STYLE §13).
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
enum { OPT_DB = 256, OPT_NOW, OPT_ACTOR, OPT_HELP, OPT_FIRST_CMD };
#define CLI_COMMON_OPTIONS                                                                    \
    { "db", required_argument, NULL, OPT_DB }, { "now", required_argument, NULL, OPT_NOW },   \
        { "actor", required_argument, NULL, OPT_ACTOR }, { "help", no_argument, NULL, OPT_HELP }

typedef struct cli {
    const char *cmd;   /* the subcommand, for messages */
    const char *usage; /* its usage text */
    const char *db;    /* --db, else $SEGRT_DB, else ./segrt.db */
    const char *actor; /* --actor, else $USER */
    int64_t now;
    int has_now;
    char **argv;       /* for messages about bad options */
} cli;

/* Initialise defaults for a subcommand (resets getopt). */
void cli_init(cli *c, const char *cmd, const char *usage, char **argv);
/*
 * Parse argv's options: common ones here, others through fn (which returns
 * EXIT_OK or an exit code). Returns CLI_GO_ON when the command should run,
 * else the exit code (after --help: EXIT_OK). Positional arguments are left
 * at argv[optind..argc).
 */
#define CLI_GO_ON (-1)
int cli_parse(cli *c, int argc, char **argv, const struct option *opts,
              int (*fn)(cli *c, int opt, const char *arg, void *ud), void *ud);
/* Print "segrt: cmd: message" to stderr. */
void cli_error(const cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print the usage hint for a usage error; returns EXIT_USAGE. */
int cli_usage_error(const cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Open the store (applying --now); prints the error and returns NULL on failure. */
segrt_store *cli_open(const cli *c, unsigned flags);
/* Report a failed library call on the store; returns EXIT_FAIL. */
int cli_fail(const cli *c, segrt_store *s, int rc);
/*
 * The start of most commands: parse the options, check that exactly nargs
 * positional arguments follow (missing says what to give when there are
 * none), open the store. NULL with *code set when the command must stop.
 */
segrt_store *cli_begin(cli *c, int argc, char **argv, const struct option *opts,
                       int (*fn)(cli *c, int opt, const char *arg, void *ud), void *ud,
                       int nargs, const char *missing, unsigned flags, int *code);
/* The end: close the store and turn a library result into an exit code. */
int cli_end(const cli *c, segrt_store *s, int rc);

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

/* ------------------------------------------------------------ cli_runs.c */

/* Whether the script defines segment. */
int cli_script_defines(const segrt_script *sc, const char *segment);
/*
 * Segment has no stored run: say how to store one when the script defines
 * it, else that it is unknown, with a hint from the script's segments and
 * the stored ones. Returns EXIT_FAIL.
 */
int cli_no_stored_runs(const cli *c, segrt_store *s, segrt_script *sc, const char *script,
                       const char *segment);

/* Subcommands: argc/argv start at the subcommand name. */
int cmd_import(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_erase(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_count(int argc, char **argv);
int cmd_members(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_packs(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_overlap(int argc, char **argv);
int cmd_repl(int argc, char **argv);
int cmd_consent(int argc, char **argv);
int cmd_retention(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_changes(int argc, char **argv);
int cmd_dedupe(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
