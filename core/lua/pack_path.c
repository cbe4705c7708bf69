/*
 * pack_path.c — finding packs (pack.h): bundled ones by name in the shipped
 * scripts, installed ones on the pack search path, and the modules inside an
 * installed folder pack.
 *
 * Uses: embedded.h (the shipped scripts), POSIX stat/opendir.
 */
#include "lua/pack.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

int pack_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > PACK_NAME_MAX || (name[0] >= '0' && name[0] <= '9'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_word_char(name[i]))
            return 0;
    return 1;
}

const embedded_script *pack_find(const char *name)
{
    char module[PACK_NAME_MAX + 8];
    if (!pack_name_ok(name))
        return NULL;
    snprintf(module, sizeof module, "packs.%s", name);
    return embedded_find(module);
}

size_t segrt_packs_path(char *buf, size_t n)
{
    const char *env = getenv("SEGRT_PACKS");
    if (env && env[0])
        return (size_t)snprintf(buf, n, "%s", env);
    /* XDG: a relative XDG_DATA_HOME is invalid and ignored */
    const char *xdg = getenv("XDG_DATA_HOME");
    if (xdg && xdg[0] == '/')
        return (size_t)snprintf(buf, n, "%s/segrt/packs", xdg);
    const char *home = getenv("HOME");
    if (home && home[0])
        return (size_t)snprintf(buf, n, "%s/.local/share/segrt/packs", home);
    return (size_t)snprintf(buf, n, "%s", "");
}

/*
 * The next directory of the search path at *at into dir (empty entries
 * skipped): 1, or 0 at the end. Too long a directory is skipped too.
 */
static int next_dir(const char **at, char *dir, size_t n)
{
    while (**at) {
        const char *colon = strchr(*at, ':');
        size_t len = colon ? (size_t)(colon - *at) : strlen(*at);
        const char *from = *at;
        *at += len + (colon != NULL);
        if (len > 0 && len < n) {
            memcpy(dir, from, len);
            dir[len] = '\0';
            return 1;
        }
    }
    return 0;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* dir/base.lua (root "") or else dir/base/init.lua (root dir/base) into out: 1, or 0. */
static int find_lua(const char *dir, const char *base, pack_source *out)
{
    if ((size_t)snprintf(out->file, sizeof out->file, "%s/%s.lua", dir, base) < sizeof out->file &&
        is_file(out->file)) {
        out->root[0] = '\0';
        return 1;
    }
    if ((size_t)snprintf(out->root, sizeof out->root, "%s/%s", dir, base) < sizeof out->root &&
        (size_t)snprintf(out->file, sizeof out->file, "%s/init.lua", out->root) < sizeof out->file &&
        is_file(out->file))
        return 1;
    out->root[0] = out->file[0] = '\0';
    return 0;
}

int pack_locate_installed(const char *name, pack_source *out)
{
    char path[8192], dir[PACK_PATH_MAX];
    out->bundled = NULL;
    if (!pack_name_ok(name))
        return 0;
    segrt_packs_path(path, sizeof path);
    for (const char *at = path; next_dir(&at, dir, sizeof dir);)
        if (find_lua(dir, name, out))
            return 1;
    return 0;
}

int pack_locate(const char *name, pack_source *out)
{
    if (pack_locate_installed(name, out))
        return 1;
    out->bundled = pack_find(name);
    return out->bundled != NULL;
}

int pack_module_file(const char *root, const char *module, char *out, size_t n)
{
    /* "a.b" -> "a/b": every part a word, so the path stays inside root */
    char rel[PACK_PATH_MAX];
    size_t len = strlen(module);
    if (len == 0 || len >= sizeof rel)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = module[i];
        int dot = c == '.';
        if (!is_word_char(c) && !(dot && i > 0 && i + 1 < len && module[i + 1] != '.'))
            return 0;
        rel[i] = dot ? '/' : c;
    }
    rel[len] = '\0';
    pack_source src;
    if (!find_lua(root, rel, &src) || strlen(src.file) >= n)
        return 0;
    memcpy(out, src.file, strlen(src.file) + 1);
    return 1;
}

/* entry of a search path directory is a pack: NAME.lua, or NAME/ holding init.lua. */
static int pack_entry(const char *dir, const char *entry, char *name)
{
    size_t len = strlen(entry);
    if (len > 4 && strcmp(entry + len - 4, ".lua") == 0) {
        len -= 4;
    }
    if (len > PACK_NAME_MAX)
        return 0;
    memcpy(name, entry, len);
    name[len] = '\0';
    pack_source src;
    return pack_name_ok(name) && find_lua(dir, name, &src);
}

int pack_installed_foreach(pack_name_fn fn, void *ud)
{
    char path[8192], dir[PACK_PATH_MAX];
    int rc = 0;
    segrt_packs_path(path, sizeof path);
    for (const char *at = path; rc == 0 && next_dir(&at, dir, sizeof dir);) {
        DIR *d = opendir(dir);
        if (d == NULL)
            continue; /* a directory of the path that does not exist holds no pack */
        for (struct dirent *e = readdir(d); rc == 0 && e; e = readdir(d)) {
            char name[PACK_NAME_MAX + 1];
            if (pack_entry(dir, e->d_name, name))
                rc = fn(ud, name);
        }
        closedir(d);
    }
    return rc;
}
