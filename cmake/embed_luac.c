/*
 * embed_luac.c — a build tool of cmake/embed.cmake: compiles one shipped
 * Lua script to Lua bytecode under the chunk name the library loads it by,
 * so the library undumps it instead of parsing its text at every start.
 * Debug information stays (lua_dump without strip): error messages and
 * tracebacks keep the script's lines. A syntax error fails the build.
 *
 * Usage: embed_luac CHUNKNAME IN.lua OUT
 * Uses: Lua 5.4, the same headers and library the library is built with.
 */
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>

/* The whole of file f, malloc'ed, its length in *n; NULL on a read error or out of memory. */
static char *read_all(FILE *f, size_t *n)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (bigger == NULL)
            free(buf);
        buf = bigger;
        cap *= 2;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    *n = len;
    return buf;
}

static int write_part(lua_State *L, const void *p, size_t n, void *out)
{
    (void)L;
    return fwrite(p, 1, n, out) != n;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: embed_luac CHUNKNAME IN.lua OUT\n");
        return 2;
    }
    const char *chunk = argv[1], *in = argv[2], *out = argv[3];
    FILE *f = fopen(in, "rb");
    size_t n = 0;
    char *text = f ? read_all(f, &n) : NULL;
    if (f)
        fclose(f);
    if (text == NULL) {
        perror(in);
        return 1;
    }
    int code = 1;
    lua_State *L = luaL_newstate();
    FILE *o = NULL;
    if (L == NULL)
        fprintf(stderr, "embed_luac: out of memory\n");
    else if (luaL_loadbufferx(L, text, n, chunk, "t") != LUA_OK)
        fprintf(stderr, "embed_luac: %s: %s\n", in, lua_tostring(L, -1));
    else if ((o = fopen(out, "wb")) == NULL)
        perror(out);
    else if (lua_dump(L, write_part, o, 0) != 0 || ferror(o))
        fprintf(stderr, "embed_luac: %s: cannot write\n", out);
    else
        code = 0;
    if (o && fclose(o) != 0 && code == 0) {
        perror(out);
        code = 1;
    }
    if (L)
        lua_close(L);
    free(text);
    return code;
}
