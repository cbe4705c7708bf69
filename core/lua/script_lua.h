/*
 * script_lua.h — the Lua side of a loaded script, for core/lua/ and the
 * REPL: its state (safe libraries only: base without file access, string,
 * table, math, utf8; a require that knows "segrt", the shipped scripts and
 * the packs, script_require.c), the seg module's registry, the memo of the
 * evaluation in progress, and the contact `c` handed to Lua hatches.
 *
 * Uses: script.h, sandbox.h, lua.h.
 */
#ifndef SEGRT_SCRIPT_LUA_H
#define SEGRT_SCRIPT_LUA_H

#include "lua/sandbox.h"
#include "lua/script.h"
#include "store/column_scalar.h"
#include "util/bitset.h"

#include <lua.h>

/* Per segment, during one evaluation: cycle detection and reuse. */
typedef struct seg_memo {
    int state;  /* 0 not yet, 1 in progress, 2 done */
    bitset bits;
} seg_memo;

struct segrt_script {
    segrt_store *s;
    lua_State *L;
    sandbox sb;            /* its limits; the state allocates through it */
    int registry_ref;      /* the seg module's registry table */
    struct catalog *cat;   /* the registry as evaluations read it (script_catalog.c) */
    int cat_stale;         /* Lua ran since it was copied: copy it again */
    char **names;          /* segments in definition order (as of the last refresh) */
    char **descs;
    char **purposes;       /* "" when a segment has none */
    size_t nseg;
    seg_memo *seg_memo;    /* of the evaluation in progress, per segment of its catalog */
    struct script_action *actions; /* seg.on_enter, seg.on_exit (script_actions.c) */
    size_t nactions;
};

struct catalog;
/* Check the actions of cat (their segments exist) and copy them into sc (freeing the old). */
int script_actions_collect(segrt_script *sc, const struct catalog *cat);
void script_actions_free(segrt_script *sc);

/* A score's Lua fn over all live contacts (memoised per evaluation; a plan hook). */
int script_eval_score_fn(plan_ctx *cx, const pnode *p, vec *out);
/* The members of another segment (memoised per evaluation; cycles are errors; a plan hook). */
int script_eval_member(plan_ctx *cx, const pnode *p, bitset *out);

/*
 * For the REPL: evaluate the seg predicate at stack index idx at NOW (errors
 * as for segments), or summarise the value expression there.
 */
int script_eval_predicate(segrt_script *sc, int idx, segrt_set **out);
int script_eval_value(segrt_script *sc, int idx, value_summary *sum, segrt_set **present);

/* The contact `c` of filter and score functions (contact_proxy.c). */
#define CONTACT_PROXY_SLOTS 16
#define CONTACT_PROXY_FIELDS 256
typedef struct contact_proxy {
    plan_ctx *cx;
    uint32_t ord;
    struct chunk_slot {  /* the last column chunk read per field (by field id mod slots) */
        int used;
        uint16_t field;
        uint32_t chunk;
        int stored;      /* else the chunk was never written: every value is missing */
        column_scalar c; /* borrowed from the read transaction */
    } slots[CONTACT_PROXY_SLOTS];
    char type_name[64];  /* the event type c:events asked for last, and its code */
    uint32_t type_code;
    int allow_sensitive; /* the purpose accepts only explicit consent (Art. 9) */
    unsigned char plain[CONTACT_PROXY_FIELDS]; /* per field id: 1 once known not sensitive */
    char who[160];       /* "segment 'x'", for messages */
} contact_proxy;
/*
 * Push a proxy (one per evaluation, moved from contact to contact) for the
 * function of who; purpose (or NULL) decides whether it may read Art. 9
 * fields. Runs protected: SEGRT_ELUA (nothing pushed) when Lua fails.
 */
int contact_proxy_push(lua_State *L, plan_ctx *cx, const char *purpose, const char *who,
                       contact_proxy **out);
void contact_proxy_at(contact_proxy *p, uint32_t ord);
/* The evaluation ended: a script that kept `c` gets an error, not stale memory. */
void contact_proxy_done(contact_proxy *p);

/*
 * A Lua function of the script called once per contact (script_hatch.c):
 * registry[kind][name][key] (a segment's filter, a score's fn, a purpose's
 * check), handed the proxy `c` (a proxy exists when the function does).
 */
typedef struct script_hatch {
    plan_ctx *cx;
    lua_State *L;
    int top;               /* the stack as it was before the open */
    int msgh;              /* script_pcall's message handler, pushed once */
    int fn;                /* the function's index; the proxy is above it */
    contact_proxy *proxy;  /* NULL when there is no function */
} script_hatch;
/* Push the function and, when there is one, its proxy (purpose as for contact_proxy_push). */
int script_hatch_open(plan_ctx *cx, const char *kind, const char *name, const char *key,
                      const char *purpose, const char *who, script_hatch *h);
/* Push the function and `c` moved to contact ord. */
void script_hatch_push(script_hatch *h, uint32_t ord);
/* Call what is pushed (as script_pcall does, its handler pushed once per hatch). */
int script_hatch_call(script_hatch *h, int nargs, int nresults);
/* `c` ends (a script that kept it gets an error); the stack is as before the open. */
void script_hatch_close(script_hatch *h);

/* Packs (pack.c): the store has what the script's packs need. */
int pack_check_requirements(segrt_script *sc);

/* Registry keys of a script's Lua state (script.c creates them, script_require.c uses them). */
#define SCRIPT_MODULE_CHUNK "=segrt"
#define SCRIPT_MODULE_KEY "segrt.module"    /* the seg module */
#define SCRIPT_LOADED_KEY "segrt.loaded"    /* modules required so far: name -> value */
#define SCRIPT_LOADING_KEY "segrt.loading"  /* the modules being required, outermost first */
#define SCRIPT_ROOTS_KEY "segrt.roots"      /* folder packs given by path: name -> folder */

/*
 * lua_pcall through a message handler (script_pcall.c): on error, the message
 * is left as lua_pcall leaves it, followed by a traceback of the script
 * author's frames when the error passed through a function of theirs below
 * the one called (not for a main chunk's own mistakes). Every protected call
 * from C into Lua goes through here.
 */
int script_pcall(lua_State *L, int nargs, int nresults);
/* Push script_pcall's message handler, for lua_pcall's calls repeated per contact (hatches). */
void script_push_msgh(lua_State *L);

/*
 * Compile every segment of a loaded script against the store (fields, event
 * types and attributes, scores, other segments): SEGRT_OK, or SEGRT_ELUA
 * naming each one that does not compile at its file:line (script_eval.c).
 */
int script_check_segments(segrt_script *sc);
/* A lua_CFunction to run protected in a new state: the safe libraries and the seg module. */
int script_open(lua_State *L);
/*
 * The libraries a script may use (base without dofile/loadfile, table,
 * string, math, utf8; load of text only; require), and globals made strict:
 * reading or assigning an undeclared one is an error. Raises on failure.
 */
void script_safe_libs(lua_State *L);
/* The limits of a store's scripts: its own where set (segrt_store_set_limits), else the defaults. */
segrt_limits script_store_limits(const segrt_store *s);

/* require and where() of scripts (script_require.c). */
int script_l_require(lua_State *L);
int script_l_where(lua_State *L);
struct pack_source;
/*
 * Load (not run) the chunk of the pack src, as luaL_loadbufferx does: its
 * file as text, a bundled one as its bytecode.
 */
int script_load_pack(lua_State *L, const struct pack_source *src);
/*
 * Push a function that runs each SCRIPT of scripts in order: a file, a
 * folder pack (its init.lua, its modules found inside it), or else the name
 * of a pack, installed or bundled. Failures to find or load one are raised
 * when it is called.
 */
void script_push_scripts(lua_State *L, size_t n, const char *const scripts[]);

/* Push t[key] of the table t at idx without metamethods; returns its type. */
int script_rawfield(lua_State *L, int idx, const char *key);
/* Push registry[key] (a table) of the script's seg module. */
void script_push_registry(segrt_script *sc, const char *key);

#endif
