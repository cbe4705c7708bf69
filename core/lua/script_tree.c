/*
 * script_tree.c — a Lua value copied into a tree (script_tree.h). The copy
 * runs as a protected C function: a Lua memory error unwinds it, and the
 * frames it skips own nothing (what was copied belongs to the caller's doc).
 *
 * Uses: util/tree.h, script_pcall.c, lua.h.
 */
#include "lua/script_tree.h"

#include "lua/script_lua.h"

#include <lauxlib.h>
#include <string.h>

typedef struct copier {
    tree_doc *doc;
    /* stack index of: table -> lightuserdata of its copy, or true while copying;
     * string -> lightuserdata of its node (a key or value met again is not copied again) */
    int memo;
    const tree *out;
} copier;

static tree *new_node(lua_State *L, copier *c, tree_kind kind)
{
    tree *t = tree_new(c->doc, kind);
    if (t == NULL)
        luaL_error(L, "out of memory");
    return t;
}

static void set_text(lua_State *L, copier *c, tree *t, const char *s, size_t len)
{
    if (tree_set_text(c->doc, t, s, len) != 0)
        luaL_error(L, "out of memory");
}

/* The value at idx (a number, or a string Lua converts) as Lua reads it: t->number, t->integer. */
static void set_numeric(lua_State *L, tree *t, int idx)
{
    int isint;
    t->numeric = 1;
    t->number = (double)lua_tonumber(L, idx);
    t->integer = (int64_t)lua_tointegerx(L, idx, &isint);
    t->integral = isint;
}

/*
 * Whether Lua could read s as a number: after spaces, a digit, a sign or a
 * point (names, locations and kinds, most of a registry's strings, cannot).
 */
static int may_be_number(const char *s)
{
    while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        s++;
    return (*s >= '0' && *s <= '9') || *s == '-' || *s == '+' || *s == '.';
}

static const tree *copy_value(lua_State *L, copier *c, int idx, int depth);

/* The string at idx: the node made for it before, or a new one. */
static const tree *copy_string(lua_State *L, copier *c, int idx)
{
    lua_pushvalue(L, idx);
    const tree *done = lua_rawget(L, c->memo) == LUA_TLIGHTUSERDATA ? lua_touserdata(L, -1)
                                                                     : NULL; /* memo[s] */
    lua_pop(L, 1);
    if (done)
        return done;
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    tree *t = new_node(L, c, TREE_STRING);
    set_text(L, c, t, s, len);
    if (may_be_number(s)) {
        int top = lua_gettop(L);
        if (lua_stringtonumber(L, s) == len + 1)          /* the whole string is a number */
            set_numeric(L, t, -1);
        lua_settop(L, top); /* also a number read from the part before an embedded NUL */
    }
    lua_pushvalue(L, idx);
    lua_pushlightuserdata(L, t);
    lua_rawset(L, c->memo);                               /* memo[s] = its node */
    return t;
}

/* How many string keys the table at idx has. */
static size_t string_keys(lua_State *L, int idx)
{
    size_t n = 0;
    for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) /* key, value */
        n += lua_type(L, -2) == LUA_TSTRING;
    return n;
}

/* The table at idx: its list part, then its string keys (in arrays of their exact size). */
static void copy_table(lua_State *L, copier *c, int idx, tree *t, int depth)
{
    lua_Unsigned n = lua_rawlen(L, idx);
    if (n > UINT32_MAX || tree_reserve(c->doc, t, string_keys(L, idx), (size_t)n) != 0)
        luaL_error(L, "out of memory");
    for (lua_Unsigned i = 1; i <= n; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i);              /* item */
        const tree *v = copy_value(L, c, lua_gettop(L), depth + 1);
        lua_pop(L, 1);
        if (tree_push(c->doc, t, v) != 0)
            luaL_error(L, "out of memory");
    }
    for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) { /* key, value */
        if (lua_type(L, -2) != LUA_TSTRING)
            continue;
        const tree *key = copy_string(L, c, lua_gettop(L) - 1);
        const tree *v = copy_value(L, c, lua_gettop(L), depth + 1);
        if (tree_put_held(c->doc, t, key->text, key->len, v) != 0)
            luaL_error(L, "out of memory");
    }
}

/* A table: the copy made before, a TREE_CYCLE or TREE_DEEP marker, or a new copy. */
static const tree *copy_shared(lua_State *L, copier *c, int idx, int depth)
{
    lua_pushvalue(L, idx);
    int seen = lua_rawget(L, c->memo);                    /* memo[t] */
    const tree *done = seen == LUA_TLIGHTUSERDATA ? lua_touserdata(L, -1) : NULL;
    lua_pop(L, 1);
    if (done)
        return done;
    if (seen == LUA_TBOOLEAN)
        return new_node(L, c, TREE_CYCLE);
    if (depth >= SCRIPT_TREE_MAX_DEPTH || !lua_checkstack(L, 8))
        return new_node(L, c, TREE_DEEP);
    tree *t = new_node(L, c, TREE_TABLE);
    lua_pushvalue(L, idx);
    lua_pushboolean(L, 1);
    lua_rawset(L, c->memo);                               /* memo[t] = true: being copied */
    copy_table(L, c, idx, t, depth);
    lua_pushvalue(L, idx);
    lua_pushlightuserdata(L, t);
    lua_rawset(L, c->memo);                               /* memo[t] = its copy */
    return t;
}

static const tree *copy_value(lua_State *L, copier *c, int idx, int depth)
{
    tree *t;
    size_t len;
    const char *s;
    switch (lua_type(L, idx)) {
    case LUA_TNONE:
    case LUA_TNIL: return new_node(L, c, TREE_NIL);
    case LUA_TBOOLEAN:
        t = new_node(L, c, TREE_BOOLEAN);
        t->boolean = lua_toboolean(L, idx);
        return t;
    case LUA_TNUMBER:
        t = new_node(L, c, lua_isinteger(L, idx) ? TREE_INTEGER : TREE_FLOAT);
        set_numeric(L, t, idx);
        lua_pushvalue(L, idx);
        s = lua_tolstring(L, -1, &len);                   /* the copy becomes its text */
        set_text(L, c, t, s, len);
        lua_pop(L, 1);
        return t;
    case LUA_TSTRING: return copy_string(L, c, idx);
    case LUA_TTABLE: return copy_shared(L, c, idx, depth);
    case LUA_TFUNCTION: return new_node(L, c, TREE_FUNCTION);
    default:
        t = new_node(L, c, TREE_OTHER);
        s = luaL_typename(L, idx);
        set_text(L, c, t, s, strlen(s));
        return t;
    }
}

/* Protected: 1 the value, 2 the copier. */
static int l_copy(lua_State *L)
{
    copier *c = lua_touserdata(L, 2);
    lua_newtable(L);                                      /* 3: the memo */
    c->memo = 3;
    c->out = copy_value(L, c, 1, 0);
    return 0;
}

int script_tree_copy(lua_State *L, int idx, tree_doc *doc, const tree **out)
{
    copier c = { .doc = doc };
    *out = NULL;
    if (!lua_checkstack(L, 4))
        return SEGRT_ENOMEM;
    idx = lua_absindex(L, idx);
    lua_pushcfunction(L, l_copy);
    lua_pushvalue(L, idx);
    lua_pushlightuserdata(L, &c);
    if (script_pcall(L, 2, 0) != LUA_OK) {
        lua_pop(L, 1);
        return SEGRT_ENOMEM;
    }
    *out = c.out;
    return SEGRT_OK;
}
