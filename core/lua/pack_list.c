/*
 * pack_list.c — segrt_packs_foreach(): the installed and the bundled packs,
 * each run in a sandbox without a store to read its seg.pack declaration
 * (version, description), or why it failed to load.
 *
 * Uses: pack.h (finding packs), script.h (a script's Lua state and loading
 * a pack's chunk), sandbox.h (the limits it runs under).
 */
#include "util/buf.h"
#include "lua/pack.h"
#include "lua/sandbox.h"
#include "lua/script_lua.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char name[PACK_NAME_MAX + 1];
    pack_source src;
    char origin[PACK_PATH_MAX + 1];  /* "bundled", or the file or folder/ */
    char shadowed_by[PACK_PATH_MAX + 1]; /* bundled, hidden by an installed pack: its origin */
    char version[64];
    char description[256];
    char error[1024];                /* "" when it loaded */
} entry;

/* The entries, in a growable buffer (buf.h) of entry structs. */
typedef struct list {
    buf b;
    entry *v; /* b.p, valid until the next list_add */
    size_t n;
} list;

static entry *list_add(list *l, const char *name)
{
    if (buf_reserve(&l->b, sizeof(entry)) != 0)
        return NULL;
    l->v = (entry *)l->b.p;
    l->b.len += sizeof(entry);
    entry *e = memset(&l->v[l->n++], 0, sizeof *l->v);
    snprintf(e->name, sizeof e->name, "%s", name);
    return e;
}

static const entry *installed_named(const list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].src.bundled == NULL && strcmp(l->v[i].name, name) == 0)
            return &l->v[i];
    return NULL;
}

/* pack_installed_foreach: one entry per name, for the directory that wins. */
static int add_installed(void *ud, const char *name)
{
    list *l = ud;
    if (installed_named(l, name))
        return 0;
    entry *e = list_add(l, name);
    if (e == NULL)
        return SEGRT_ENOMEM;
    pack_locate_installed(name, &e->src);
    if (e->src.root[0])
        snprintf(e->origin, sizeof e->origin, "%s/", e->src.root);
    else
        snprintf(e->origin, sizeof e->origin, "%s", e->src.file);
    return 0;
}

static int add_bundled(list *l)
{
    for (size_t i = 0; i < embedded_script_count; i++) {
        const embedded_script *s = &embedded_scripts[i];
        const char *name = s->name + strlen("packs.");
        if (strncmp(s->name, "packs.", strlen("packs.")) != 0 || !pack_name_ok(name))
            continue; /* not a pack, or a module inside a folder pack */
        const entry *shadow = installed_named(l, name);
        size_t at = shadow ? (size_t)(shadow - l->v) : 0; /* list_add may move the entries */
        entry *e = list_add(l, name);
        if (e == NULL)
            return SEGRT_ENOMEM;
        e->src.bundled = s;
        snprintf(e->origin, sizeof e->origin, "bundled");
        if (shadow)
            snprintf(e->shadowed_by, sizeof e->shadowed_by, "%s", l->v[at].origin);
    }
    return SEGRT_OK;
}

/*
 * The declaration seg.pack { name = e->name } left in registry (at index
 * reg), else an error. The pack may have changed the registry: raw reads.
 */
static void read_declaration(lua_State *L, int reg, entry *e)
{
    if (script_rawfield(L, reg, "packs") != LUA_TTABLE ||
        script_rawfield(L, -1, e->name) != LUA_TTABLE) {
        snprintf(e->error, sizeof e->error, "it declares no seg.pack { name = \"%s\" }", e->name);
        return;
    }
    script_rawfield(L, -1, "version");
    script_rawfield(L, -2, "description");
    snprintf(e->version, sizeof e->version, "%s", lua_isstring(L, -2) ? lua_tostring(L, -2) : "");
    snprintf(e->description, sizeof e->description, "%s",
             lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
}

static void describe(entry *e)
{
    sandbox sb = { .limits = sandbox_default_limits() };
    snprintf(sb.name, sizeof sb.name, "%s", e->name);
    lua_State *L = sandbox_state(&sb);
    if (L == NULL) {
        snprintf(e->error, sizeof e->error, "out of memory");
        return;
    }
    sandbox_begin(&sb);
    lua_pushcfunction(L, script_open);
    int st = script_pcall(L, 0, 0);
    if (st == LUA_OK) { /* 1: the seg module's registry, as the pack starts */
        lua_getfield(L, LUA_REGISTRYINDEX, SCRIPT_MODULE_KEY);
        script_rawfield(L, 1, "_registry");
        lua_remove(L, 1);
    }
    if (st == LUA_OK && e->src.bundled == NULL) {
        /* as require "packs.NAME" would, so that a cycle back to it shows from it */
        lua_pushcfunction(L, script_l_require);
        lua_pushfstring(L, "packs.%s", e->name);
        st = script_pcall(L, 1, 0);
    } else if (st == LUA_OK && (st = script_load_pack(L, &e->src)) == LUA_OK) {
        st = script_pcall(L, 0, 0);
    }
    if (st == LUA_OK) {
        read_declaration(L, 1, e);
    } else {
        char why[256];
        const char *msg = sandbox_why(&sb, why, sizeof why);
        if (msg == NULL)
            msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : "error object is not a string";
        snprintf(e->error, sizeof e->error, "%s", msg);
    }
    lua_close(L);
}

/* By name; an installed pack before the bundled one it shadows. */
static int entry_cmp(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);
    return c ? c : (a->src.bundled != NULL) - (b->src.bundled != NULL);
}

int segrt_packs_foreach(segrt_pack_fn fn, void *ud)
{
    list l = { 0 };
    int rc = pack_installed_foreach(add_installed, &l);
    if (rc == SEGRT_OK)
        rc = add_bundled(&l);
    if (rc == SEGRT_OK && l.n > 1)
        qsort(l.v, l.n, sizeof *l.v, entry_cmp);
    for (size_t i = 0; rc == SEGRT_OK && i < l.n; i++) {
        entry *e = &l.v[i];
        describe(e);
        segrt_pack_info info = { .name = e->name, .version = e->version,
                                 .description = e->description, .origin = e->origin,
                                 .shadowed_by = e->shadowed_by[0] ? e->shadowed_by : NULL,
                                 .error = e->error[0] ? e->error : NULL };
        rc = fn(ud, &info);
    }
    free(l.b.p);
    return rc;
}
