/**
 * @file segrt/lua.h
 * @brief For hosts that work in a script's Lua state, as an interactive
 * prompt does: the state, the seg module's registry, running more scripts
 * in it, interrupting it, and evaluating a seg predicate or value found on
 * its stack.
 *
 * Not included by segrt.h: this is the one public header that needs
 * <lua.h>, so a host that includes it compiles with Lua 5.4's flags too
 * (pkg-config --cflags lua5.4). Lua code run here is sandboxed as the
 * script is; run it with segrt_lua_pcall() (or lua_pcall) after
 * segrt_lua_begin_call(), so that the limits of a call apply to it.
 */
#ifndef SEGRT_PUBLIC_LUA_H
#define SEGRT_PUBLIC_LUA_H

#include "segrt/segment.h"

#include <lua.h>
#include <signal.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The Lua state of a script, where its segments were defined and where more
 * Lua code may define more.
 * @param sc the script
 * @return the state, borrowed until segrt_script_free()
 */
SEGRT_API lua_State *segrt_lua_state(segrt_script *sc);

/**
 * Push a table of the seg module's registry, where it keeps what scripts
 * define: "by_name" (segment definitions by name), "scores", "models",
 * "groups", "templates", ...; or the registry itself.
 * @param sc the script
 * @param key the table's key, or NULL for the registry
 */
SEGRT_API void segrt_lua_push_registry(segrt_script *sc, const char *key);

/**
 * Push a function that runs a script in the state: a file, a folder pack
 * (its init.lua, its modules found inside it), or else the name of a pack,
 * installed or bundled. Failing to find or load it raises an error when the
 * function is called. After it ran, segrt_lua_refresh_segments() makes its
 * segments known.
 * @param sc the script whose state runs it
 * @param script the path or pack name
 */
SEGRT_API void segrt_lua_push_script(segrt_script *sc, const char *script);

/**
 * Start a call into the state: its instruction budget and deadline restart.
 * @param sc the script
 */
SEGRT_API void segrt_lua_begin_call(segrt_script *sc);

/**
 * Call the function below nargs arguments on the state's stack, protected,
 * as the library calls into a script: an error's message is followed by a
 * traceback of the frames the script's author wrote (not C, not the seg
 * module) when the error passed through a function of theirs other than
 * the main chunks and the function called; otherwise it is the message alone.
 * @param sc the script
 * @param nargs the arguments above the function
 * @param nresults the results wanted, or LUA_MULTRET
 * @return lua_pcall()'s status; on an error, the message is on the stack
 */
SEGRT_API int segrt_lua_pcall(segrt_script *sc, int nargs, int nresults);

/**
 * Stop running Lua code, with an error "interrupted", whenever a flag is
 * non-zero (e.g. set by a SIGINT handler).
 * @param sc the script
 * @param flag the flag, which must outlive the script or be unset first;
 *        NULL: none
 */
SEGRT_API void segrt_lua_set_interrupt(segrt_script *sc, volatile sig_atomic_t *flag);

/**
 * Read the list of segments again after Lua code defined more
 * (segrt_script_segment_count() and the like then see them).
 * @param sc the script
 * @return SEGRT_OK or SEGRT_ENOMEM
 */
SEGRT_API int segrt_lua_refresh_segments(segrt_script *sc);

/**
 * Evaluate the seg predicate (what seg.F.x:gt(1) or a where = ... builds) at
 * a stack index at the store's NOW, as a segment would be.
 * @param sc the script
 * @param idx the predicate's stack index in segrt_lua_state()
 * @param out receives its members (NULL on failure); release them with segrt_set_free()
 * @return SEGRT_OK, SEGRT_ELUA (with a message in segrt_errmsg()) when it is
 *         no predicate or raises, or another error code
 */
SEGRT_API int segrt_lua_eval_predicate(segrt_script *sc, int idx, segrt_set **out);

/** What a seg value expression computes. */
typedef enum segrt_value_kind {
    SEGRT_VALUE_NUMBER = 1, /**< in micro-units (SEGRT_NUMBER_SCALE) */
    SEGRT_VALUE_TIME,       /**< unix seconds */
    SEGRT_VALUE_DURATION,   /**< seconds */
    SEGRT_VALUE_STRING,     /**< values are codes internal to the store */
    SEGRT_VALUE_BOOLEAN,    /**< 0 or 1 */
    SEGRT_VALUE_SET,        /**< a string set; values are internal codes */
    SEGRT_VALUE_PREDICATE   /**< true or false for each contact */
} segrt_value_kind;

/** A value expression over the live contacts: who has a value, and its range. */
typedef struct segrt_value_summary {
    segrt_value_kind kind; /**< what it computes */
    uint64_t present;      /**< contacts with a value */
    int64_t min;           /**< the least value in the kind's unit (INT64_MAX when none) */
    int64_t max;           /**< the greatest value in the kind's unit (INT64_MIN when none) */
    double mean;           /**< the mean value in that unit; for a boolean, the share of true */
} segrt_value_summary;

/**
 * Evaluate the seg value expression (what seg.F.x or E.t:count() builds) at
 * a stack index over the live contacts at the store's NOW.
 * @param sc the script
 * @param idx the expression's stack index in segrt_lua_state()
 * @param sum receives the summary (zeroed on failure)
 * @param present receives the contacts with a value (NULL on failure);
 *        release them with segrt_set_free()
 * @return SEGRT_OK, SEGRT_ELUA (with a message in segrt_errmsg()) when it is
 *         no value expression or raises, or another error code
 */
SEGRT_API int segrt_lua_eval_value(segrt_script *sc, int idx, segrt_value_summary *sum,
                                   segrt_set **present);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_LUA_H */
