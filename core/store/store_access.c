/*
 * store_access.c — the message for a store the user may not open: which
 * file or directory lacks which access, and whose the store is. LMDB needs
 * lock.mdb writable even to read (it registers every reader there), so a
 * store of another user is refused to reads too, with a plain EACCES.
 *
 * Uses: store.h.
 */
#include "store/store.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether this user may access dir/name (name "" for dir itself) in mode; its path into path. */
static int may(const char *dir, const char *name, int mode, char *path, size_t n)
{
    snprintf(path, n, "%s%s%s", dir, name[0] ? "/" : "", name);
    return access(path, mode) == 0;
}

int store_access_denied(segrt_store *s, const char *dir)
{
    char path[4096];
    const char *lacking = NULL, *why = "";
    int has_lock = may(dir, "lock.mdb", F_OK, path, sizeof path);
    if (!may(dir, "", X_OK, path, sizeof path)) {
        lacking = "enter";
    } else if (has_lock && !may(dir, "lock.mdb", R_OK | W_OK, path, sizeof path)) {
        lacking = "read and write";
        why = " (LMDB writes its table of readers there, even to read)";
    } else if (!has_lock && !may(dir, "", W_OK, path, sizeof path)) {
        lacking = "write in";
        why = " (LMDB makes lock.mdb there, even to read)";
    } else if (!may(dir, "data.mdb", s->readonly ? R_OK : R_OK | W_OK, path, sizeof path)) {
        lacking = s->readonly ? "read" : "read and write";
    }
    struct stat st;
    long owner = stat(dir, &st) == 0 ? (long)st.st_uid : -1;
    if (lacking == NULL)
        return store_fail(s, SEGRT_EIO, "%s: permission denied (uid %ld; the store belongs to "
                          "uid %ld)", dir, (long)geteuid(), owner);
    char advice[4200];
    if (owner == (long)geteuid())
        snprintf(advice, sizeof advice, "the store is yours: chmod -R u+rwX %s", dir);
    else
        snprintf(advice, sizeof advice, "run segrt as the store's owner (uid %ld) or get access "
                 "from them", owner);
    return store_fail(s, SEGRT_EIO, "%s: permission denied: this user (uid %ld) may not %s %s%s; "
                      "%s", dir, (long)geteuid(), lacking, path, why, advice);
}
