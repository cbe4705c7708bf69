/*
 * repl.h — what the files of `segrt repl` (SPEC §6) share: the session.
 *
 *   cmd_repl.c      the command: options, the session, the read-eval loop
 *   repl_input.c    reading statements: libedit and history on a terminal,
 *                   plain lines when piped
 *   repl_eval.c     running a statement in the script's Lua state (expression
 *                   first, like lua.c), errors with a short traceback, Ctrl-C
 *   repl_print.c    printing results: predicates, values, segments, Lua values
 *   repl_meta.c     the :commands
 *   repl_complete.c tab completion
 *   repl_rows.c     the members a result shows, in the :mode, up to the :limit
 *   repl_table.c    aligned text tables
 */
#ifndef SEGRT_REPL_H
#define SEGRT_REPL_H

#include "cli.h"
#include "segrt/lua.h"

#include <lua.h>
#include <stddef.h>

struct editline; /* histedit.h stays in repl_input.c and repl_complete.c */
struct history;

typedef struct repl {
    cli *c;
    segrt_store *s;
    segrt_script *sc;
    lua_State *L;          /* segrt_lua_state(sc): scripts and statements share it */
    int tty;               /* stdin is a terminal: prompts, line editing */
    int colour;            /* stderr is a terminal: errors in red */
    int timing;            /* :time — print how long evaluations took */
    int mode;              /* :mode — how members are shown (REPL_MODE_...) */
    size_t limit;          /* :limit — members shown (0: all) */
    int once_saved;        /* :once — stdout's descriptor while the next result goes to a file */
    int once_armed;        /* :once was the last command: keep the redirection */
    int quit;              /* :quit was given */
    unsigned long errors;  /* statements that failed */
    unsigned long n;       /* statements read; names the chunks input#N */
    uint64_t contacts;     /* live contacts: the whole of every share */
    int env_ref;           /* the _ENV of statements: writes reach _G and are noticed */
    int written_ref;       /* function: was a global written since the last call? */
    int module_ref;        /* the seg module, whatever the global seg holds */
    int mt_ref[3];         /* metatables of seg predicates, values, event selections */
    cli_strings saved;    /* statements that defined something, for :save */
    cli_strings loaded;   /* scripts loaded, named in :save's header */
    cli_strings fields;   /* contact field names (completion), loaded on first use */
    cli_strings types;    /* event type names (completion) */
    int names_loaded;
    struct editline *el;
    struct history *hist;
    char hist_path[4096];
    int continued;         /* the prompt asks for the rest of a statement */
    char purpose[65];      /* :purpose — resting on explicit consent: Art. 9 values shown */
} repl;

/* The category of a special-category field whose values the session hides, or NULL. */
const char *repl_hidden(const repl *r, const char *field);

/* ------------------------------------------------------------ repl_eval.c */

enum { REPL_DONE, REPL_MORE };
enum { NODE_NONE = -1, NODE_PRED, NODE_VALUE, NODE_EVENTS };

/* Globals, the statements' _ENV, node metatables, the Ctrl-C hook and handler. */
int repl_setup(repl *r);
/*
 * Run statement text (one or more lines). REPL_MORE when it is incomplete and
 * more lines may finish it (unless final: then the syntax error is reported).
 */
int repl_eval(repl *r, const char *text, int final);
/* Run a script file in the shared state (its segments join the session's). */
int repl_load_file(repl *r, const char *path);
/* Call the function below nargs arguments with a traceback; report errors. */
int repl_pcall(repl *r, int nargs, int nresults);
/* Report a failed library call (segrt_errmsg) and count the error. */
void repl_fail(repl *r, int rc);
/* Print an error message to stderr (red on a terminal) and count it. */
void repl_error(repl *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Which seg node the value at idx is (NODE_NONE for anything else). */
int repl_node_kind(repl *r, int idx);
/* Ctrl-C: was it pressed since the last clear? */
int repl_interrupted(void);
void repl_interrupt_clear(void);

/* ------------------------------------------------------------ repl_print.c */

/* Print the values at stack indices first..last (a statement's results). */
void repl_print_results(repl *r, int first, int last);
/* Print a segment: its definition, size and first members. */
void repl_print_segment(repl *r, const char *name);
/* One line for a segment a statement just defined: its size. */
void repl_print_defined(repl *r, const char *name);
/* "12.34%" of the live contacts into buf. */
const char *repl_share(const repl *r, uint64_t n, char buf[16]);

/* ------------------------------------------------------------ repl_meta.c */

/* Run a :command line. */
void repl_meta(repl *r, const char *line);
/* After a statement or command: output goes back to the terminal once :once's result is out. */
void repl_once_end(repl *r);
/* The :commands, for completion: NULL-terminated. */
extern const char *const repl_meta_names[];

/* ------------------------------------------------------------ repl_input.c */

/* Line editing and history on a terminal; nothing to open when piped. */
int repl_input_open(repl *r);
/*
 * The next line (malloc'd, without its newline), or NULL at end of input.
 * *interrupted is set when Ctrl-C cancelled the line being typed.
 */
char *repl_input_read(repl *r, int *interrupted);
/* Add a statement to the history. */
void repl_input_remember(repl *r, const char *text);
/* Save the history and release libedit. */
void repl_input_close(repl *r);

/* ------------------------------------------------------------ repl_complete.c */

/* Bind Tab to completion on the EditLine. */
int repl_complete_install(repl *r);

/* ------------------------------------------------------------ repl_rows.c */

enum { REPL_MODE_TABLE, REPL_MODE_CSV, REPL_MODE_JSONL, REPL_MODE_LINE }; /* :mode's order */
#define REPL_LIMIT_DEFAULT 5
/* The members of set (id and fields), as r's mode says, the first r->limit of them. */
void repl_print_rows(repl *r, const segrt_set *set, const cli_strings *fields);

/* ------------------------------------------------------------ repl_table.c */

typedef struct repl_table {
    size_t ncols, nrows;
    char **cells;        /* nrows x ncols, row 0 is the header */
    size_t cap;          /* cells allocated */
    unsigned right;      /* bit i: column i is right-aligned (numbers) */
    int oom;
} repl_table;

/* Start a table with its header (ncols names). */
void repl_table_init(repl_table *t, size_t ncols, const char *const *header, unsigned right);
/* Add a row of ncols cells (copied; NULL prints as empty). */
void repl_table_add(repl_table *t, const char *const *cells);
/* Print with columns padded to their widths, indented by indent spaces; free. */
void repl_table_print(repl_table *t, int indent);
void repl_table_free(repl_table *t);

/* The counts of a field's values as "a 12, b 7, ..." (the first `limit`), and how many. */
typedef struct repl_values {
    char text[200];
    size_t len;
    unsigned limit, shown, distinct;
} repl_values;
/* A segrt_field_values_foreach() callback filling a repl_values. */
int repl_add_value(void *ud, const char *value, uint64_t n);

#endif
