/*
 * pack.h — where packs come from (pack_path.c): the bundled packs shipped in
 * the library, and installed packs found on the pack search path, as a file
 * NAME.lua or a folder NAME/ with init.lua and its own modules.
 *
 * The search path is $SEGRT_PACKS (directories separated by ':'), else
 * $XDG_DATA_HOME/segrt/packs, else ~/.local/share/segrt/packs. The first
 * directory holding a pack of a name wins, NAME.lua before NAME/init.lua in
 * one directory, and an installed pack shadows a bundled one of its name.
 * Names are checked before any path is built from them, so nothing outside
 * the search path is ever opened: no '/', no "..", no absolute names.
 */
#ifndef SEGRT_PACK_H
#define SEGRT_PACK_H

#include "lua/embedded.h"
#include "segrt.h"

#include <stddef.h>

#define PACK_NAME_MAX 100
#define PACK_PATH_MAX 1024

/* The code of one pack: shipped, or an installed file. */
typedef struct pack_source {
    const embedded_script *bundled; /* shipped in the library, else NULL */
    char file[PACK_PATH_MAX];       /* installed: the file to run (NAME.lua or NAME/init.lua) */
    char root[PACK_PATH_MAX];       /* installed folder pack: the folder, else "" */
} pack_source;

/* name is a pack name: [A-Za-z_][A-Za-z0-9_]*, at most PACK_NAME_MAX bytes. */
int pack_name_ok(const char *name);
/* The bundled pack called name, or NULL. */
const embedded_script *pack_find(const char *name);
/* The installed pack called name (1), or 0 when no directory of the search path has one. */
int pack_locate_installed(const char *name, pack_source *out);
/* The installed pack called name, else the bundled one (1), or 0. */
int pack_locate(const char *name, pack_source *out);
/*
 * The file of module "a.b" inside the folder pack at root: root/a/b.lua,
 * else root/a/b/init.lua (1), or 0 when there is none or a part of the name
 * is not [A-Za-z0-9_]+.
 */
int pack_module_file(const char *root, const char *module, char *out, size_t n);
/* What pack_installed_foreach calls with a pack's name: 0 goes on. */
typedef int (*pack_name_fn)(void *ud, const char *name);
/*
 * Call fn with the name of every installed pack on the search path (a name
 * held by several directories comes more than once; pack_locate_installed
 * says which wins). A non-zero return from fn stops and is returned.
 */
int pack_installed_foreach(pack_name_fn fn, void *ud);

#endif
