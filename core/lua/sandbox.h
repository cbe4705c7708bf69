/*
 * sandbox.h — the limits a script's Lua state runs under (DESIGN "Lua
 * sandbox"): a memory cap (its allocator refuses to grow past it), and per
 * call an instruction budget and a wall-clock deadline (a count hook stops
 * the call). A stopped call raises a Lua error naming the script and the
 * limit; the state stays usable and the next call starts afresh.
 */
#ifndef SEGRT_SANDBOX_H
#define SEGRT_SANDBOX_H

#include "segrt.h"

#include <lua.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sandbox {
    segrt_limits limits;
    size_t used;          /* bytes allocated by the state */
    int refused;          /* the allocator refused a request since the call began */
    uint64_t spent;       /* instructions of the current call (in hook steps) */
    int64_t deadline_ns;  /* CLOCK_MONOTONIC */
    char name[128];       /* the script, for messages */
    volatile sig_atomic_t *interrupt; /* when set and non-zero, the call stops (Ctrl-C) */
} sandbox;

/* The defaults: 512 MiB, 10^9 instructions (a few seconds of Lua), 30 s per call. */
segrt_limits sandbox_default_limits(void);
/* A new Lua state allocating through sb, with the hook installed. NULL: no memory. */
lua_State *sandbox_state(sandbox *sb);
/* Start a call: the budget and the deadline begin now. */
void sandbox_begin(sandbox *sb);
/* After a failed call: a message for the limit that stopped it, or NULL. */
const char *sandbox_why(const sandbox *sb, char *buf, size_t n);

#endif
