/**
 * @file segrt/pack.h
 * @brief Packs: segment scripts found by name, bundled with the library or
 * installed on the pack search path. Listing them and the search path.
 */
#ifndef SEGRT_PUBLIC_PACK_H
#define SEGRT_PUBLIC_PACK_H

#include "segrt/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The longest pack name, in bytes. */
#define SEGRT_PACK_NAME_MAX 100

/**
 * Whether a text is a pack name: [A-Za-z_][A-Za-z0-9_]*, at most
 * SEGRT_PACK_NAME_MAX bytes. Only such names are looked up on the pack
 * search path, so nothing outside it is ever opened.
 * @param name the text
 * @return 1 when it is a pack name, else 0
 */
SEGRT_API int segrt_pack_name_ok(const char *name);

/**
 * Told about one bundled pack.
 * @param ud the ud given with the callback
 * @param name the pack's name (a static string)
 * @param summary its one-line summary (a static string)
 * @return 0 to go on; non-zero stops the iteration, which returns it
 */
typedef int (*segrt_bundled_pack_fn)(void *ud, const char *name, const char *summary);

/**
 * Call @p fn for every bundled pack, in name order.
 * @param fn called for each pack
 * @param ud passed to fn
 * @return SEGRT_OK or fn's non-zero return
 */
SEGRT_API int segrt_bundled_packs_foreach(segrt_bundled_pack_fn fn, void *ud);

/** A pack as segrt_packs_foreach() reports it; the strings are borrowed for the call of fn. */
typedef struct segrt_pack_info {
    const char *name;        /**< what a SCRIPT argument calls it */
    const char *version;     /**< as its seg.pack declares it; "" when it failed to load */
    const char *description; /**< as its seg.pack declares it; "" when it failed to load */
    const char *origin;      /**< "bundled", or the installed file (NAME.lua) or folder (NAME/) */
    const char *shadowed_by; /**< for a bundled pack hidden by an installed one: where that is */
    const char *error;       /**< why loading it failed (a missing dependency, a cycle, ...) */
} segrt_pack_info;

/**
 * Told about one pack.
 * @param ud the ud given with the callback
 * @param p the pack (borrowed for the call)
 * @return 0 to go on; non-zero stops the iteration, which returns it
 */
typedef int (*segrt_pack_fn)(void *ud, const segrt_pack_info *p);

/**
 * Call @p fn for every pack a script name can refer to: the packs installed
 * on the search path (segrt_packs_path()) and the bundled ones, in name
 * order, an installed pack before the bundled pack of the same name, which
 * it shadows (shadowed_by is then set and the name loads the installed
 * one). Each pack runs in a sandbox without a store, so that its seg.pack
 * declaration can be read; shadowed_by and error are NULL when they do not
 * apply.
 * @param fn called for each pack
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, or SEGRT_ENOMEM when out of memory
 */
SEGRT_API int segrt_packs_foreach(segrt_pack_fn fn, void *ud);

/**
 * The pack search path, where installed packs are found: $SEGRT_PACKS
 * (directories separated by ':'), else $XDG_DATA_HOME/segrt/packs, else
 * ~/.local/share/segrt/packs. A pack there is a file NAME.lua or a folder
 * NAME/ with init.lua (whose modules it requires as "NAME.module"); the
 * first directory that has NAME wins.
 * @param buf receives the path as snprintf writes it ("" when there is none)
 * @param n the size of buf
 * @return the length the path needs (without its NUL)
 */
SEGRT_API size_t segrt_packs_path(char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_PACK_H */
