/*
 * flag.c — the mark segrt check leaves on a store it found corrupt (flag.h):
 * a small text file beside the data file, DIR/corrupt.flag, holding when and
 * what check found. A file, not a record in the store, because the store is
 * what cannot be trusted; and it survives every command that refuses to run
 * until the store is restored or repaired (check clears it once the store
 * passes) or opened with SEGRT_OPEN_FLAGGED to look at it or salvage it.
 *
 * Uses: store.h, value.h (the time).
 */
#include "store/flag.h"

#include "util/value.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void flag_path(const char *dir, char *out, size_t n)
{
    snprintf(out, n, "%s/corrupt.flag", dir);
}

int store_flag_read(const char *dir, char *what, size_t n)
{
    char path[4096];
    flag_path(dir, path, sizeof path);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    size_t len = n ? fread(what, 1, n - 1, f) : 0;
    fclose(f);
    while (len && (what[len - 1] == '\n' || what[len - 1] == '\r'))
        len--;
    if (n)
        what[len] = '\0';
    return 1;
}

int store_flag_set(segrt_store *s, const char *what)
{
    char path[4096], when[24];
    flag_path(s->dir, path, sizeof path);
    value_format_timestamp((int64_t)time(NULL), when);
    FILE *f = fopen(path, "w");
    int ok = f && fprintf(f, "at %s: %s\n", when, what) > 0;
    if (f && fclose(f) != 0)
        ok = 0;
    return ok ? SEGRT_OK : SEGRT_EIO;
}

int store_flag_clear(segrt_store *s)
{
    char path[4096];
    flag_path(s->dir, path, sizeof path);
    return remove(path) == 0 || errno == ENOENT ? SEGRT_OK : SEGRT_EIO;
}

int store_flag_finding(segrt_store *s, int rc)
{
    if (rc != SEGRT_ECORRUPT)
        return rc;
    char what[sizeof s->errmsg];
    snprintf(what, sizeof what, "%s", s->errmsg);
    if (store_flag_set(s, what) != SEGRT_OK)
        store_fail(s, rc, "%s (and the store could not be flagged corrupt: %s)", what,
                   strerror(errno));
    else
        store_fail(s, rc, "%s; the store is flagged corrupt: " STORE_FLAG_ADVICE, what);
    return rc;
}
