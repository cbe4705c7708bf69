/*
 * fuzz_store.c — the throwaway store of fuzz_store.h.
 */
#include "fuzz_store.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];
static segrt_store *store;

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void drop(void)
{
    segrt_store_close(store);
    store = NULL;
    if (dir[0])
        nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
    dir[0] = '\0';
}

segrt_store *fuzz_store(int remake, const char *seed_csv)
{
    static int registered;
    if (store && !remake)
        return store;
    drop();
    if (!registered)
        registered = atexit(drop) == 0;
    snprintf(dir, sizeof dir, "/tmp/segrt-fuzz.XXXXXX");
    char path[96], err[512];
    if (mkdtemp(dir) == NULL)
        abort();
    snprintf(path, sizeof path, "%s/db", dir);
    if (segrt_store_open(path, SEGRT_OPEN_CREATE, &store, err, sizeof err) != SEGRT_OK) {
        fprintf(stderr, "fuzz: cannot make a store: %s\n", err);
        abort();
    }
    if (seed_csv && segrt_import_buffer(store, SEGRT_CONTACTS, "seed", seed_csv, strlen(seed_csv),
                                        0, NULL, NULL) != SEGRT_OK) {
        fprintf(stderr, "fuzz: cannot seed the store: %s\n", segrt_errmsg(store));
        abort();
    }
    return store;
}
