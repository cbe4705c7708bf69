/*
 * script_pcall.c — the one protected call from C into a script
 * (script_lua.h): lua_pcall with a message handler in the manner of lua.c's
 * msghandler, whose traceback keeps only the frames the script's author
 * wrote (not C, not the seg module, not tail-call marks).
 *
 * The traceback is added when it says more than the message: when the
 * error passed through a function of the author's other than the main
 * chunks and the function C called (a filter, a score function, a check).
 * A mistake on the line that made a call keeps its one-line message, as
 * before; an error deep inside a helper names the path to it. The REPL
 * calls it through segrt_lua_pcall (segrt/lua.h).
 *
 * Uses: lua.h, lauxlib.h.
 */
#include "lua/script_lua.h"

#include <lauxlib.h>
#include <string.h>

#define TRACEBACK "\nstack traceback:"

/* A traceback frame the author wrote (not C, not the seg module, not a tail-call mark). */
static int user_frame(const char *line, size_t n)
{
    static const char *const skip[] = { "\t[C]:", "\tsegrt:", "\t(...tail calls...)" };
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++) {
        if (n >= strlen(skip[i]) && strncmp(line, skip[i], strlen(skip[i])) == 0)
            return 0;
    }
    return 1;
}

/* Message handler: msg (1), then the author's frames when they add something. */
static int msgh(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;                                  /* the __tostring text */
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    if (strstr(msg, TRACEBACK "\n"))                   /* raised again after an inner call */
        return 1;
    luaL_traceback(L, L, NULL, 1);                     /* msg, traceback */
    const char *tb = strchr(lua_tostring(L, -1), '\n');
    luaL_Buffer b;
    luaL_buffinit(L, &b);                              /* msg, traceback, buffer... */
    int inner = 0, last_inner = 0;
    for (const char *p = tb ? tb + 1 : ""; *p;) {
        size_t n = strcspn(p, "\n");
        if (user_frame(p, n)) {
            luaL_addchar(&b, '\n');
            luaL_addlstring(&b, p, n);
            last_inner = !memmem(p, n, "in main chunk", strlen("in main chunk"));
            inner += last_inner;
        }
        p += n + (p[n] == '\n');
    }
    luaL_pushresult(&b);                               /* msg, traceback, frames */
    if (inner - last_inner > 0) /* the outermost frame is the function C called */
        lua_pushfstring(L, "%s" TRACEBACK "%s", msg, lua_tostring(L, -1));
    else
        lua_pushstring(L, msg);
    return 1;
}

void script_push_msgh(lua_State *L)
{
    lua_pushcfunction(L, msgh);
}

int script_pcall(lua_State *L, int nargs, int nresults)
{
    int base = lua_gettop(L) - nargs;                  /* the function */
    lua_pushcfunction(L, msgh);
    lua_insert(L, base);                               /* msgh below the function */
    int status = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    return status;
}
