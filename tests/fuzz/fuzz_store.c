/*
 * fuzz_store.c — the throwaway store of fuzz_store.h.
 */
#include "fuzz_store.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char contacts[] =
    "id,email,city,income,birth_date,tags\n"
    "c1,a@example.com,Kraków,1200,1980-02-03,vip;new\n"
    "c2,b@example.com,Cluj,,1999-12-31,\n"
    "c3,,Sofia,300,,new\n";
static const char events[] =
    "contact_id,ts,type,amount,category\n"
    "c1,2025-01-02T03:04:05Z,purchase,10.5,beans\n"
    "c2,2025-06-01T00:00:00Z,purchase,3,tea\n"
    "c1,2025-07-01T00:00:00Z,email_open,,\n";
static const char consents[] =
    "contact_id,purpose,status,legal_basis,ts,expires_at,source\n"
    "c1,email_marketing,granted,consent,2025-01-01T00:00:00Z,,web\n";

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

segrt_store *fuzz_store_sample(void)
{
    segrt_store *s = fuzz_store(1, contacts);
    if (segrt_import_buffer(s, SEGRT_EVENTS, "events", events, strlen(events), 0, NULL, NULL) ||
        segrt_import_buffer(s, SEGRT_CONSENTS, "consents", consents, strlen(consents), 0, NULL,
                            NULL)) {
        fprintf(stderr, "fuzz: cannot seed the store: %s\n", segrt_errmsg(s));
        abort();
    }
    segrt_store_set_now(s, 1767225600); /* 2026-01-01 */
    return s;
}
