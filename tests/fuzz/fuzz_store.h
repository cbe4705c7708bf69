/*
 * fuzz_store.h — a throwaway store for the harnesses that write (fuzz_import)
 * or evaluate (fuzz_script): made in a temporary directory on first use,
 * remade when asked, removed at exit.
 */
#ifndef SEGRT_FUZZ_STORE_H
#define SEGRT_FUZZ_STORE_H

#include "segrt.h"

/* The store, made if there is none (or remake is set) and seeded with seed_csv's contacts. */
segrt_store *fuzz_store(int remake, const char *seed_csv);

#endif
