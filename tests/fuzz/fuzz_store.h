/*
 * fuzz_store.h — a throwaway store for the harnesses that write (fuzz_import),
 * evaluate (fuzz_script) or serve (fuzz_serve): made in a temporary
 * directory on first use, remade when asked, removed at exit.
 */
#ifndef SEGRT_FUZZ_STORE_H
#define SEGRT_FUZZ_STORE_H

#include "segrt.h"

/* The store, made if there is none (or remake is set) and seeded with seed_csv's contacts. */
segrt_store *fuzz_store(int remake, const char *seed_csv);
/*
 * The store made again with a few contacts (c1, c2, c3), their events
 * (purchases in 2025, an email_open) and a consent (c1, email_marketing),
 * its NOW 2026-01-01.
 */
segrt_store *fuzz_store_sample(void);

#endif
