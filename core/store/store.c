/*
 * store.c — opening and closing a store, error recording, transactions that
 * survive map growth (store_write, store_write_step) and read snapshots
 * (store_read), reading a key (store_get), walking a table or a key prefix
 * of it (store_scan), the meta counters, and reading a contact's row.
 *
 * Uses: LMDB, schema.h (loaded at open), row.h, proj_update.h (a write
 * transaction forgets what an aborted one touched; format 2 is converted),
 * compact.h (the guard every handle holds).
 */
#include "store/store.h"

#include "store/compact.h"
#include "store/flag.h"
#include "store/page_check.h"
#include "store/proj_update.h"
#include "store/row.h"
#include "store/schema.h"
#include "util/strmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define MAPSIZE_MIN ((size_t)64 << 20)

static const struct {
    const char *name;
    unsigned flags;
    int later; /* added after format 2: may be missing in a store opened read-only */
} db_specs[DB_COUNT] = {
    [DB_META] = { "meta", 0 },
    [DB_IDS] = { "ids", 0 },
    [DB_CONTACTS] = { "contacts", MDB_INTEGERKEY },
    [DB_COLUMNS] = { "columns", 0 },
    [DB_DICT] = { "dict", 0 },
    [DB_EVENTS] = { "events", MDB_INTEGERKEY },
    [DB_CONSENTS] = { "consents", MDB_INTEGERKEY },
    [DB_AUDIT] = { "audit", MDB_INTEGERKEY },
    [DB_PROJ] = { "projections", 0 },
    [DB_SEGMENTS] = { "segments", 0 },
    [DB_MERGES] = { "merges", MDB_INTEGERKEY, 1 },
    [DB_OUTBOX] = { "outbox", MDB_INTEGERKEY, 1 },
    [DB_NOTIFIED] = { "notified", 0, 1 },
};

int store_fail(segrt_store *s, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->errmsg, sizeof s->errmsg, fmt, ap);
    va_end(ap);
    return code;
}

/* Size of the store's data file, or -1 when there is none. */
static off_t data_file_size(const char *dir)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    if (stat(path, &st) != 0)
        return -1;
    return st.st_size;
}

#define FULL_MARGIN (1u << 20) /* less free than this on the device after a failed write: full */

/* What a write that failed with ENOSPC or EIO leaves; what a failed sync leaves. */
#define NOT_COMMITTED "this write was not committed, what was committed before it is kept and " \
                      "readable"
#define NOT_SYNCED "the changes are committed and readable, but may not all be on the device yet"

/*
 * After a write failed with ENOSPC or EIO: the message naming the device
 * holding the store as the cause, and what the failure left (outcome).
 * Full (less than FULL_MARGIN free) is said as such for either code, since
 * EIO is LMDB's word for a short write, which is how a full device shows.
 * With room on it, ENOSPC is the device's word (out of inodes, a quota),
 * EIO a failing device.
 */
static int device_fault(segrt_store *s, int rc, const char *context, const char *outcome)
{
    struct statvfs fs;
    if ((rc != ENOSPC && rc != EIO) || s->dir == NULL)
        return 0;
    if (statvfs(s->dir, &fs) != 0)
        return store_fail(s, SEGRT_EIO, "%s: the device holding %s reported %s: %s", context,
                          s->dir, rc == ENOSPC ? "no space left" : "an I/O error", outcome);
    uint64_t unit = fs.f_frsize ? fs.f_frsize : fs.f_bsize;
    uint64_t avail = (uint64_t)fs.f_bavail * unit, total = (uint64_t)fs.f_blocks * unit;
    off_t have = data_file_size(s->dir);
    double free_mib = (double)avail / (1 << 20), total_mib = (double)total / (1 << 20);
    double file_mib = have < 0 ? 0.0 : (double)have / (1 << 20);
    if (avail < FULL_MARGIN)
        return store_fail(s, SEGRT_EIO, "%s: no space left on the device holding %s (%.1f MiB "
                          "free of %.1f MiB; the store's file is %.1f MiB): %s; free space, then "
                          "run it again", context, s->dir, free_mib, total_mib, file_mib, outcome);
    if (rc == ENOSPC)
        return store_fail(s, SEGRT_EIO, "%s: the device holding %s reported no space left, with "
                          "%.1f MiB free of %.1f MiB (out of inodes, or over a quota?): %s; make "
                          "room, then run it again", context, s->dir, free_mib, total_mib, outcome);
    return store_fail(s, SEGRT_EIO, "%s: the device holding %s reported an I/O error (%.1f MiB "
                      "free of %.1f MiB): %s; check the device (the kernel log), then run it "
                      "again", context, s->dir, free_mib, total_mib, outcome);
}

/* store_mdb_fail, for a failure that left what outcome says when the device is at fault. */
static int mdb_fail_leaving(segrt_store *s, int rc, const char *context, const char *outcome)
{
    int code = SEGRT_ESTORE;
    s->last_mdb_rc = rc;
    if (device_fault(s, rc, context, outcome))
        return SEGRT_EIO;
    if (rc == ENOMEM)
        code = SEGRT_ENOMEM;
    else if (rc == MDB_CORRUPTED || rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH)
        code = SEGRT_ECORRUPT;
    else if (rc == EROFS)
        return store_fail(s, SEGRT_EIO, "%s: the store is on a read-only file system: commands "
                          "that only read it work, writing needs it writable", context);
    else if (rc == EACCES || rc == EIO || rc == ENOSPC || rc == ENOENT)
        code = SEGRT_EIO;
    return store_fail(s, code, "%s: %s", context, mdb_strerror(rc));
}

/* The id of the store's last committed transaction (0 when LMDB cannot say). */
static size_t last_txnid(segrt_store *s)
{
    MDB_envinfo info;
    return mdb_env_info(s->env, &info) == 0 ? info.me_last_txnid : 0;
}

int store_mdb_fail(segrt_store *s, int rc, const char *context)
{
    return mdb_fail_leaving(s, rc, context, NOT_COMMITTED);
}

int store_sync(segrt_store *s)
{
    int mrc = mdb_env_sync(s->env, 1);
    if (mrc != 0)
        return mdb_fail_leaving(s, mrc, "syncing the store", NOT_SYNCED);
    s->synced_txnid = last_txnid(s);
    return SEGRT_OK;
}


/*
 * A data file shorter than the pages its meta page says are in use (a copy
 * cut short, a disk that filled during a backup) would fault (SIGBUS) on
 * the first read past its end: refuse it. The file is measured after the
 * meta page is read, so a writer growing it meanwhile cannot look like this.
 */
static int check_length(segrt_store *s, const char *dir)
{
    MDB_envinfo info;
    MDB_stat st;
    mdb_filehandle_t fd;
    struct stat fs;
    int rc = mdb_env_info(s->env, &info);
    if (rc == 0)
        rc = mdb_env_stat(s->env, &st);
    if (rc == 0)
        rc = mdb_env_get_fd(s->env, &fd);
    if (rc != 0)
        return store_mdb_fail(s, rc, dir);
    if (fstat(fd, &fs) != 0)
        return store_fail(s, SEGRT_EIO, "%s/data.mdb: %s", dir, strerror(errno));
    uint64_t used = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
    if ((uint64_t)fs.st_size < used)
        return store_fail(s, SEGRT_ECORRUPT, "%s/data.mdb is truncated: it has %llu bytes, and the "
                          "store's pages end at %llu (a copy cut short or a full disk? restore a "
                          "backup)", dir, (unsigned long long)fs.st_size,
                          (unsigned long long)used);
    return SEGRT_OK;
}

/*
 * LMDB's assert callback: a page it walked is damaged, and LMDB aborts the
 * process when this returns. Before that: flag the store (so that every
 * command after this one refuses it with the finding) and end the process
 * with a message and exit status 1 instead of SIGABRT.
 */
static void on_damaged_page(MDB_env *env, const char *what)
{
    segrt_store *s = mdb_env_get_userctx(env);
    char finding[600];
    snprintf(finding, sizeof finding, "LMDB found a damaged page (%s)", what);
    int flagged = s && store_flag_set(s, finding) == SEGRT_OK;
    fprintf(stderr, "segrt: %s is corrupt: %s. Restore it from a backup, or copy out what is "
            "readable with segrt compact --open-flagged%s\n", s ? s->dir : "the store", finding,
            flagged ? "; the store is flagged until then" : "");
    _exit(1);
}

static int open_env(segrt_store *s, const char *dir, unsigned flags)
{
    unsigned envflags = MDB_NOTLS | MDB_NOMETASYNC | MDB_NORDAHEAD;
    int rc = mdb_env_create(&s->env);
    if (rc == 0)
        rc = mdb_env_set_userctx(s->env, s);
    if (rc == 0)
        rc = mdb_env_set_assert(s->env, on_damaged_page);
    if (rc != 0)
        return store_mdb_fail(s, rc, dir);
    if (s->readonly)
        envflags |= MDB_RDONLY;
    off_t have = data_file_size(dir);
    if (have < 0 && errno == EACCES)
        return store_access_denied(s, dir);
    /* Without CREATE, never let LMDB make a new data file in some directory. */
    if (have < 0 && !(flags & SEGRT_OPEN_CREATE))
        return store_fail(s, SEGRT_ENOTFOUND, "%s: no store here (run segrt import or segrt demo)",
                          dir);
    if (have == 0) /* LMDB would start a new store in it: the old one is gone, say so */
        return store_fail(s, SEGRT_ECORRUPT, "%s/data.mdb is empty (0 bytes): a copy cut short or "
                          "a full disk? restore a backup, or remove it to start a new store", dir);
    size_t twice = have > 0 ? (size_t)have * 2 : 0;
    s->mapsize = twice > MAPSIZE_MIN ? twice : MAPSIZE_MIN;
    rc = mdb_env_set_mapsize(s->env, s->mapsize);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(s->env, DB_COUNT);
    if (rc == 0)
        rc = mdb_env_set_maxreaders(s->env, 126);
    if (rc != 0)
        return store_mdb_fail(s, rc, dir);
    if (flags & SEGRT_OPEN_CREATE) {
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            return store_fail(s, SEGRT_EIO, "%s: cannot create directory: %s", dir,
                              strerror(errno));
    }
    /* Wait out a compact before LMDB reads the lock file; a reopen keeps its guard. */
    rc = s->guard < 0 ? compact_guard_enter(s) : SEGRT_OK;
    if (rc != SEGRT_OK)
        return rc;
    rc = mdb_env_open(s->env, dir, envflags, 0666);
    if (rc == ENOENT)
        return store_fail(s, SEGRT_ENOTFOUND, "%s: no store here (run segrt import or segrt demo)",
                          dir);
    if (rc == EACCES)
        return store_access_denied(s, dir);
    if (rc == MDB_INVALID) /* both meta pages unreadable, or some other file */
        return store_fail(s, SEGRT_ECORRUPT, "%s/data.mdb has no valid meta page: a damaged "
                          "store or no store file at all; restore it from a backup", dir);
    if (rc != 0)
        return store_mdb_fail(s, rc, dir);
    return check_length(s, dir);
}

static int put_format(segrt_store *s, MDB_txn *txn, MDB_val *k)
{
    uint32_t fmt = STORE_FORMAT;
    MDB_val v = { sizeof fmt, &fmt };
    int rc = mdb_put(txn, s->dbi[DB_META], k, &v, 0);
    return rc == 0 ? SEGRT_OK : store_mdb_fail(s, rc, "writing the store format");
}

/*
 * The store's format: written when there is none (a new store); formats 3
 * (numeric chunks all wide) and 4 (timelines and consent histories in fixed
 * records) read as they are and marked 5 by a write open, which may pack
 * chunks (column_ints.h), write timelines (event_blob.h) and histories
 * (consent.h) compact and projection parts without their empty columns
 * (proj_part.h), so that an older segrt refuses it; format 2
 * (one projection value per event type, rebuilt by every write) converted
 * by a write open (*converted set: proj_update_dirty then builds the
 * projections in chunks) and refused read-only.
 */
static int check_format(segrt_store *s, MDB_txn *txn, int *converted)
{
    MDB_val k = { 6, (void *)"format" }, v;
    int rc = mdb_get(txn, s->dbi[DB_META], &k, &v);
    if (rc == MDB_NOTFOUND && s->readonly)
        return store_fail(s, SEGRT_ECORRUPT, "%s: store has no format record", s->dir);
    if (rc == MDB_NOTFOUND)
        return put_format(s, txn, &k);
    if (rc != 0)
        return store_mdb_fail(s, rc, "reading the store format");
    uint32_t fmt;
    if (v.mv_size != sizeof fmt)
        return store_fail(s, SEGRT_ECORRUPT, "%s: bad format record", s->dir);
    memcpy(&fmt, v.mv_data, sizeof fmt);
    if (fmt == 2 && s->readonly)
        return store_fail(s, SEGRT_ECORRUPT,
                          "%s: store format 2, this segrt reads %u: open it for writing once "
                          "(any write, e.g. segrt import) to convert it, or import it again",
                          s->dir, STORE_FORMAT);
    if (fmt == 2) {
        rc = proj_update_convert(s, txn);
        *converted = rc == SEGRT_OK;
        return rc == SEGRT_OK ? put_format(s, txn, &k) : rc;
    }
    if (fmt != STORE_FORMAT && fmt != 3 && fmt != 4)
        return store_fail(s, SEGRT_ECORRUPT, "%s: store format %u, this segrt reads %u", s->dir,
                          fmt, STORE_FORMAT);
    /* formats 3 and 4 are format 5 before any packed chunk or compact value */
    return fmt != STORE_FORMAT && !s->readonly ? put_format(s, txn, &k) : SEGRT_OK;
}

static int open_dbs(segrt_store *s, int *converted)
{
    MDB_txn *txn;
    int rc = store_txn_begin(s, s->readonly ? MDB_RDONLY : 0, &txn);
    if (rc != SEGRT_OK)
        return rc;
    for (int i = 0; i < DB_COUNT; i++) {
        unsigned f = db_specs[i].flags | (s->readonly ? 0 : MDB_CREATE);
        int mrc = mdb_dbi_open(txn, db_specs[i].name, f, &s->dbi[i]);
        if (mrc == MDB_NOTFOUND && db_specs[i].later) {
            s->dbi[i] = 0; /* read-only, made before the table: store_has_db says no */
            continue;
        }
        if (mrc == MDB_NOTFOUND) {
            mdb_txn_abort(txn);
            return store_fail(s, SEGRT_ECORRUPT, "%s: not a segrt store (no '%s' table)", s->dir,
                              db_specs[i].name);
        }
        if (mrc != 0) {
            mdb_txn_abort(txn);
            return store_mdb_fail(s, mrc, "opening the store tables");
        }
    }
    rc = check_format(s, txn, converted);
    if (rc != SEGRT_OK) {
        mdb_txn_abort(txn);
        return rc;
    }
    int mrc = mdb_txn_commit(txn);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "opening the store");
    return SEGRT_OK;
}

/* The environment, the tables and the schema of s->dir; a format-2 store converted. */
/* What opening walks (the main table, the other tables' roots), checked before LMDB walks it. */
static int check_tables(segrt_store *s)
{
    MDB_txn *txn;
    int mrc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "opening the store");
    int rc = store_page_check_tables(s, txn);
    mdb_txn_abort(txn);
    return store_flag_finding(s, rc);
}

static int open_all(segrt_store *s, unsigned flags)
{
    int converted = 0;
    s->synced_txnid = STORE_NOT_OPEN;
    int rc = open_env(s, s->dir, flags);
    if (rc == SEGRT_OK)
        rc = check_tables(s);
    if (rc == SEGRT_OK) /* the store as found is as synced as it will be; close syncs what is new */
        s->synced_txnid = last_txnid(s);
    /* Opening writes (new tables, the format, a conversion): grown and run again when the map fills. */
    for (int attempt = 0; rc == SEGRT_OK; attempt++) {
        s->last_mdb_rc = 0;
        rc = open_dbs(s, &converted);
        if (rc == SEGRT_OK || s->last_mdb_rc != MDB_MAP_FULL || attempt >= STORE_MAX_GROW_ATTEMPTS)
            break;
        rc = store_grow(s);
    }
    if (rc == SEGRT_OK)
        rc = schema_load(s);
    if (rc == SEGRT_OK && converted)
        rc = proj_update_dirty(s);
    return rc;
}

int segrt_store_open(const char *dir, unsigned flags, segrt_store **out, char *errbuf,
                     size_t errlen)
{
    *out = NULL;
    if (dir == NULL || *dir == '\0') {
        if (errbuf && errlen)
            snprintf(errbuf, errlen, "no store directory given");
        return SEGRT_EINVAL;
    }
    segrt_store *s = calloc(1, sizeof *s);
    if (s == NULL) {
        if (errbuf && errlen)
            snprintf(errbuf, errlen, "out of memory");
        return SEGRT_ENOMEM;
    }
    s->readonly = (flags & SEGRT_OPEN_READONLY) != 0;
    s->guard = -1;
    s->now = (int64_t)time(NULL);
    s->dir = strdup(dir);
    char what[512];
    int rc = s->dir ? SEGRT_OK : SEGRT_ENOMEM;
    if (rc == SEGRT_OK && !(flags & SEGRT_OPEN_FLAGGED) && store_flag_read(dir, what, sizeof what))
        rc = store_fail(s, SEGRT_ECORRUPT, "%s was found corrupt (%s): " STORE_FLAG_ADVICE, dir,
                        what);
    if (rc == SEGRT_OK)
        rc = open_all(s, flags);
    if (rc != SEGRT_OK) {
        if (errbuf && errlen)
            snprintf(errbuf, errlen, "%s", s->errmsg[0] ? s->errmsg : segrt_strerror(rc));
        segrt_store_close(s);
        return rc;
    }
    *out = s;
    return SEGRT_OK;
}

void segrt_store_close(segrt_store *s)
{
    if (s == NULL)
        return;
    if (s->env) {
        /* Closing cannot report a failure: what a command wrote, it synced with store_sync. */
        if (!s->readonly && s->synced_txnid != STORE_NOT_OPEN && last_txnid(s) != s->synced_txnid)
            (void)mdb_env_sync(s->env, 1);
        mdb_env_close(s->env);
    }
    compact_guard_leave(s);
    schema_free(s->schema);
    proj_update_free(s);
    strmap_free(s->ids_kept);
    free(s->dir);
    free(s);
}

const char *segrt_errmsg(const segrt_store *s)
{
    if (s == NULL)
        return "no store";
    return s->errmsg;
}

void segrt_store_set_limits(segrt_store *s, const segrt_limits *limits)
{
    if (s && limits)
        s->limits = *limits;
}

void segrt_store_set_now(segrt_store *s, int64_t now)
{
    s->now = now;
}

int64_t segrt_store_now(const segrt_store *s)
{
    return s->now;
}

int segrt_store_set_mapsize(segrt_store *s, size_t bytes)
{
    int rc = mdb_env_set_mapsize(s->env, bytes);
    if (rc != 0)
        return store_mdb_fail(s, rc, "setting the map size");
    MDB_envinfo info;
    mdb_env_info(s->env, &info);
    s->mapsize = info.me_mapsize;
    return SEGRT_OK;
}

int store_reopen(segrt_store *s)
{
    mdb_env_close(s->env);
    s->env = NULL;
    memset(s->dbi, 0, sizeof s->dbi);
    int rc = open_all(s, 0);
    if (rc != SEGRT_OK && s->env) {
        mdb_env_close(s->env);
        s->env = NULL;
    }
    return rc;
}

int store_txn_begin(segrt_store *s, unsigned flags, MDB_txn **txn)
{
    if (s->env == NULL) {
        *txn = NULL;
        return store_fail(s, SEGRT_ESTORE, "%s: the store is closed (reopening it after a "
                                           "compact failed)", s->dir);
    }
    int rc = mdb_txn_begin(s->env, NULL, flags, txn);
    if (rc == MDB_MAP_RESIZED) {
        /* Another process grew the map: adopt its size and try again. */
        rc = mdb_env_set_mapsize(s->env, 0);
        if (rc == 0)
            rc = mdb_txn_begin(s->env, NULL, flags, txn);
    }
    if (rc != 0) {
        *txn = NULL;
        return store_mdb_fail(s, rc, "beginning a transaction");
    }
    if (!(flags & MDB_RDONLY))
        proj_update_reset(s); /* what an aborted write touched is gone with it */
    return SEGRT_OK;
}

int store_grow(segrt_store *s)
{
    MDB_envinfo info;
    int rc = mdb_env_info(s->env, &info);
    if (rc != 0)
        return store_mdb_fail(s, rc, "reading the map size");
    size_t next = info.me_mapsize * 2;
    rc = mdb_env_set_mapsize(s->env, next);
    if (rc != 0)
        return store_mdb_fail(s, rc, "growing the map");
    s->mapsize = next;
    return SEGRT_OK;
}

int store_reserve(segrt_store *s, size_t bytes)
{
    MDB_envinfo info;
    MDB_stat st;
    int rc = mdb_env_info(s->env, &info);
    if (rc == 0)
        rc = mdb_env_stat(s->env, &st);
    if (rc != 0)
        return store_mdb_fail(s, rc, "reading the map size");
    size_t used = ((size_t)info.me_last_pgno + 1) * st.ms_psize;
    if (bytes > SIZE_MAX / 2 - used || info.me_mapsize >= used + bytes)
        return SEGRT_OK; /* already room, or a size no map could have: growing on demand will do */
    rc = mdb_env_set_mapsize(s->env, used + bytes);
    if (rc != 0)
        return store_mdb_fail(s, rc, "growing the map");
    s->mapsize = used + bytes;
    return SEGRT_OK;
}

int store_write(segrt_store *s, store_txn_fn fn, void *ud)
{
    if (s->readonly)
        return store_fail(s, SEGRT_EINVAL, "the store is open read-only");
    for (int attempt = 0;; attempt++) {
        MDB_txn *txn;
        int rc = store_txn_begin(s, 0, &txn);
        if (rc != SEGRT_OK)
            return rc;
        s->last_mdb_rc = 0;
        rc = fn(s, txn, ud);
        if (rc == SEGRT_OK) {
            int mrc = mdb_txn_commit(txn);
            rc = mrc == 0 ? SEGRT_OK : store_mdb_fail(s, mrc, "committing");
        } else {
            mdb_txn_abort(txn);
        }
        if (rc == SEGRT_OK || s->last_mdb_rc != MDB_MAP_FULL || attempt >= STORE_MAX_GROW_ATTEMPTS)
            return store_page_diagnose(s, rc);
        rc = store_grow(s);
        if (rc != SEGRT_OK)
            return rc;
    }
}

int store_read(segrt_store *s, store_txn_fn fn, void *ud)
{
    MDB_txn *txn;
    int rc = store_txn_begin(s, MDB_RDONLY, &txn);
    if (rc != SEGRT_OK)
        return rc;
    s->last_mdb_rc = 0;
    rc = fn(s, txn, ud);
    mdb_txn_abort(txn);
    return store_page_diagnose(s, rc);
}

/* A function pointer cannot travel as void *: store_write_step wraps it. */
struct step_args {
    store_step_fn fn;
};

static int run_step(segrt_store *s, MDB_txn *txn, void *ud)
{
    const struct step_args *a = ud;
    return a->fn(s, txn);
}

int store_write_step(segrt_store *s, store_step_fn fn)
{
    struct step_args a = { fn };
    return store_write(s, run_step, &a);
}

struct scan_args {
    enum store_db db;
    const void *prefix;
    size_t n;
    const char *what;
    store_scan_fn fn;
    void *ud;
};

static int scan_snapshot(segrt_store *s, MDB_txn *txn, void *ud)
{
    const struct scan_args *a = ud;
    return store_scan(s, txn, a->db, a->prefix, a->n, a->what, a->fn, a->ud);
}

/*
 * The one cursor loop: from start (NULL: the first key), while the key has
 * the n-byte prefix (n 0: any key), until fn stops it (STORE_STOP is
 * SEGRT_OK when stop_ok is set).
 */
static int scan_loop(segrt_store *s, MDB_txn *txn, enum store_db db, const MDB_val *start,
                     size_t n, int stop_ok, const char *what, store_scan_fn fn, void *ud)
{
    if (!store_has_db(s, db))
        return SEGRT_OK;
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, s->dbi[db], &cur);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, what);
    MDB_val k = start ? *start : (MDB_val){ 0, NULL }, v;
    const void *prefix = start ? start->mv_data : NULL;
    int rc = SEGRT_OK;
    mrc = mdb_cursor_get(cur, &k, &v, start ? MDB_SET_RANGE : MDB_FIRST);
    while (mrc == 0 && (n == 0 || (k.mv_size >= n && memcmp(k.mv_data, prefix, n) == 0))) {
        rc = fn(s, txn, ud, &k, &v);
        if (rc != SEGRT_OK)
            break;
        mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc == STORE_STOP && stop_ok)
        rc = SEGRT_OK;
    if (rc == SEGRT_OK && mrc != 0 && mrc != MDB_NOTFOUND)
        rc = store_mdb_fail(s, mrc, what);
    return rc;
}

int store_scan(segrt_store *s, MDB_txn *txn, enum store_db db, const void *prefix, size_t n,
               const char *what, store_scan_fn fn, void *ud)
{
    if (txn == NULL) {
        struct scan_args a = { db, prefix, n, what, fn, ud };
        return store_read(s, scan_snapshot, &a);
    }
    MDB_val start = { n, (void *)prefix };
    return scan_loop(s, txn, db, n ? &start : NULL, n, 0, what, fn, ud);
}

int store_scan_from(segrt_store *s, MDB_txn *txn, enum store_db db, const MDB_val *start,
                    const char *what, store_scan_fn fn, void *ud)
{
    return scan_loop(s, txn, db, start, 0, 1, what, fn, ud);
}

int store_get(segrt_store *s, MDB_txn *txn, enum store_db db, const MDB_val *k, MDB_val *v,
              const char *what)
{
    if (!store_has_db(s, db))
        return SEGRT_ENOTFOUND;
    MDB_val key = *k; /* mdb_get does not change it, but takes it non-const */
    int mrc = mdb_get(txn, s->dbi[db], &key, v);
    if (mrc == MDB_NOTFOUND)
        return SEGRT_ENOTFOUND;
    return mrc == 0 ? SEGRT_OK : store_mdb_fail(s, mrc, what);
}

int store_decoded(segrt_store *s, int drc, const char *what, uint32_t ord)
{
    if (drc == 0)
        return SEGRT_OK;
    if (drc == -2)
        return store_fail(s, SEGRT_ENOMEM, "out of memory reading %s", what);
    return store_fail(s, SEGRT_ECORRUPT, "%s of contact %u are corrupt", what, ord);
}

int store_counter_get(segrt_store *s, MDB_txn *txn, const char *name, uint64_t *v)
{
    MDB_val k = { strlen(name), (void *)name }, d;
    *v = 0;
    int rc = store_get(s, txn, DB_META, &k, &d, name);
    if (rc != SEGRT_OK)
        return rc == SEGRT_ENOTFOUND ? SEGRT_OK : rc;
    if (d.mv_size != sizeof *v)
        return store_fail(s, SEGRT_ECORRUPT, "counter %s has a bad size", name);
    memcpy(v, d.mv_data, sizeof *v);
    return SEGRT_OK;
}

int store_counter_add(segrt_store *s, MDB_txn *txn, const char *name, int64_t delta)
{
    uint64_t v;
    int rc = store_counter_get(s, txn, name, &v);
    if (rc != SEGRT_OK || delta == 0)
        return rc;
    return store_counter_set(s, txn, name, v + (uint64_t)delta);
}

int store_counter_set(segrt_store *s, MDB_txn *txn, const char *name, uint64_t v)
{
    MDB_val k = { strlen(name), (void *)name }, d = { sizeof v, &v };
    int mrc = mdb_put(txn, s->dbi[DB_META], &k, &d, 0);
    return mrc == 0 ? SEGRT_OK : store_mdb_fail(s, mrc, name);
}

int store_ord_decode(segrt_store *s, const MDB_val *val, const char *what, uint32_t *ord)
{
    if (val->mv_size != sizeof *ord)
        return store_fail(s, SEGRT_ECORRUPT, "%s has a bad size", what);
    memcpy(ord, val->mv_data, sizeof *ord);
    return SEGRT_OK;
}

int store_ord_of(segrt_store *s, MDB_txn *txn, const char *id, uint32_t *ord)
{
    MDB_val k = { strlen(id), (void *)id }, v;
    if (k.mv_size == 0 || k.mv_size > 511)
        return store_fail(s, SEGRT_ENOTFOUND, "no contact with id '%s'", id);
    int rc = mdb_get(txn, s->dbi[DB_IDS], &k, &v);
    if (rc == MDB_NOTFOUND)
        return store_fail(s, SEGRT_ENOTFOUND, "no contact with id '%s'", id);
    if (rc != 0)
        return store_mdb_fail(s, rc, "looking up a contact id");
    if (v.mv_size != sizeof *ord)
        return store_fail(s, SEGRT_ECORRUPT, "id index entry of '%s' has a bad size", id);
    memcpy(ord, v.mv_data, sizeof *ord);
    return SEGRT_OK;
}

int store_row_get(segrt_store *s, MDB_txn *txn, uint32_t ord, row *r)
{
    MDB_val k = store_ord_key(&ord), v;
    int mrc = mdb_get(txn, s->dbi[DB_CONTACTS], &k, &v);
    if (mrc == MDB_NOTFOUND)
        return store_fail(s, SEGRT_ENOTFOUND, "no contact with ordinal %u", ord);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "reading a contact");
    int drc = row_decode(r, v.mv_data, v.mv_size);
    if (drc == -2)
        return store_fail(s, SEGRT_ENOMEM, "out of memory reading a contact");
    if (drc != 0)
        return store_fail(s, SEGRT_ECORRUPT, "contact %u has a corrupt record", ord);
    return SEGRT_OK;
}
