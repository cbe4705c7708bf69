/*
 * flag.h — the mark segrt check leaves on a store it found corrupt, which
 * segrt_store_open() refuses without SEGRT_OPEN_FLAGGED (flag.c).
 */
#ifndef SEGRT_FLAG_H
#define SEGRT_FLAG_H

#include "store/store.h"

#include <stddef.h>

/* What to do with a flagged store, in every message that names the flag. */
#define STORE_FLAG_ADVICE                                                                          \
    "restore it from a backup, or try segrt compact, which copies it out if LMDB can still read "  \
    "every table; segrt check clears this once the store passes, and --open-flagged opens it "   \
    "anyway"

/* 1 when the store in dir is flagged, with what check found in what (n bytes); else 0. */
int store_flag_read(const char *dir, char *what, size_t n);
/* Flag s with what check found. SEGRT_OK, or SEGRT_EIO when the file cannot be written. */
int store_flag_set(segrt_store *s, const char *what);
/*
 * When rc is SEGRT_ECORRUPT, flag s with its message (what was found), and
 * add to the message that the store is flagged and what to do; returns rc.
 */
int store_flag_finding(segrt_store *s, int rc);
/* Remove the flag, if any. SEGRT_OK, or SEGRT_EIO. */
int store_flag_clear(segrt_store *s);

#endif
