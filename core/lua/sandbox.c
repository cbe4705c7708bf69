/*
 * sandbox.c — memory cap, instruction budget and deadline of script states
 * (sandbox.h).
 */
#include "lua/sandbox.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define HOOK_STEP 10000 /* instructions between two checks of the budget and clock */

segrt_limits sandbox_default_limits(void)
{
    return (segrt_limits){ .memory_bytes = (size_t)512 << 20,
                           .instructions = UINT64_C(1000000000),
                           .milliseconds = 30000 };
}

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    sandbox *sb = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        sb->used -= old;
        return NULL;
    }
    if (nsize > old && sb->used - old + nsize > sb->limits.memory_bytes) {
        sb->refused = 1;
        return NULL; /* Lua raises a memory error; the state stays consistent */
    }
    void *p = realloc(ptr, nsize);
    if (p)
        sb->used = sb->used - old + nsize;
    return p;
}

static void hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    sandbox *sb;
    lua_getallocf(L, (void **)&sb);
    if (sb->interrupt && *sb->interrupt)
        luaL_error(L, "interrupted");
    sb->spent += HOOK_STEP;
    char msg[256]; /* lua_pushfstring knows no %llu */
    if (sb->spent > sb->limits.instructions) {
        snprintf(msg, sizeof msg, "%s: stopped after %llu Lua instructions (the instruction budget)",
                 sb->name, (unsigned long long)sb->limits.instructions);
        luaL_error(L, "%s", msg);
    }
    if (now_ns() > sb->deadline_ns) {
        snprintf(msg, sizeof msg, "%s: stopped after %u ms (the time limit)", sb->name,
                 (unsigned)sb->limits.milliseconds);
        luaL_error(L, "%s", msg);
    }
}

lua_State *sandbox_state(sandbox *sb)
{
    lua_State *L = lua_newstate(sandbox_alloc, sb);
    if (L)
        lua_sethook(L, hook, LUA_MASKCOUNT, HOOK_STEP);
    return L;
}

void sandbox_begin(sandbox *sb)
{
    sb->spent = 0;
    sb->refused = 0;
    sb->deadline_ns = now_ns() + (int64_t)sb->limits.milliseconds * 1000000;
}

const char *sandbox_why(const sandbox *sb, char *buf, size_t n)
{
    if (!sb->refused)
        return NULL;
    snprintf(buf, n, "%s: stopped at the memory cap of %zu MiB", sb->name,
             sb->limits.memory_bytes >> 20);
    return buf;
}
