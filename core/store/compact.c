/*
 * compact.c — store_compact (segrt_store_compact): the store copied without its free pages
 * (which keep deleted bytes, an erased contact's among them, until a write
 * reuses them) nor any other deleted byte (compact_copy.c), and the copy
 * swapped in for the data file; and the guard that keeps every other
 * handle off the store meanwhile (compact.h).
 *
 * Why a guard and not LMDB's write lock: LMDB's lock file (lock.mdb) holds
 * the last transaction id, and a transaction picks its meta page by that
 * id's parity, while a compacting copy starts again at transaction 1 with
 * an empty meta page 0. A process that had the store open across the swap
 * would keep writing into the replaced file, and one that opened it beside
 * such a process would read the new file through the old lock file: an
 * empty or torn store. So every handle holds one byte of lock.mdb, far past
 * LMDB's own (byte 0 and the bytes at reader pids), with a shared open file
 * description lock: owned by the handle, not the process, so two handles of
 * one process count as two, and kept when LMDB closes its own descriptor.
 * Compact upgrades its handle's lock to exclusive, which fails at once
 * while any other handle has the store open (nothing is changed then) and
 * makes new opens wait. When the swap is done it reopens the store, which
 * LMDB then sees as its only user and so rebuilds lock.mdb from the new
 * file, and downgrades the lock: the waiting opens go on, on the new file.
 * LMDB tools outside segrt (mdb_stat) take no guard: compact refuses to
 * start while one has the store open, but must not be run beside them.
 *
 * A crash leaves the old file or the new one whole: the copy is written in
 * compact.tmp/ beside data.mdb (by way of compact.tmp/scratch/), its audit
 * entry committed and synced there,
 * then renamed over data.mdb (atomic) and the directory synced. Opens ignore
 * a leftover compact.tmp/; the next compact removes it.
 *
 * Uses: store.h, audit.h, compact_copy.c; Linux open file description locks
 * (F_OFD_SETLK).
 */
#include "store/compact.h"

#include "store/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The guard's byte of lock.mdb: LMDB locks byte 0 and bytes at pids (< 2^22). */
#define GUARD_BYTE ((off_t)1 << 62)
/* Where the copy is made, in the store's directory (the same file system). */
#define TMP_DIR "compact.tmp"
/* Where compact_copy makes its scratch copy, in TMP_DIR. */
#define SCRATCH_DIR "scratch"

/* dir/name into path; SEGRT_EINVAL recorded on s when it does not fit. */
static int path_in(segrt_store *s, char *path, size_t n, const char *dir, const char *name)
{
    int w = snprintf(path, n, "%s/%s", dir, name);
    if (w < 0 || (size_t)w >= n)
        return store_fail(s, SEGRT_EINVAL, "%s: path too long", dir);
    return SEGRT_OK;
}

/* Lock the guard's byte of fd (F_RDLCK, F_WRLCK), waiting or not; 0 or errno. */
static int guard_lock(int fd, short type, int wait)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = GUARD_BYTE, .l_len = 1 };
    int rc = fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl);
    while (rc != 0 && errno == EINTR)
        rc = fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl);
    return rc == 0 ? 0 : errno;
}

int compact_guard_enter(segrt_store *s)
{
    char path[4096];
    int rc = path_in(s, path, sizeof path, s->dir, "lock.mdb");
    if (rc != SEGRT_OK)
        return rc;
    /* LMDB opens (or makes) this file next; a read-only handle may only read it. */
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0 && (errno == EACCES || errno == EROFS))
        fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return SEGRT_OK;
    int err = guard_lock(fd, F_RDLCK, 1);
    if (err != 0) {
        close(fd);
        return store_fail(s, SEGRT_EIO, "%s: cannot lock: %s", path, strerror(err));
    }
    s->guard = fd;
    return SEGRT_OK;
}

void compact_guard_leave(segrt_store *s)
{
    if (s->guard >= 0)
        close(s->guard);
    s->guard = -1;
}

/* The pid of another process holding LMDB's lock of the store (its byte 0); 0: none. */
static pid_t lmdb_user(const segrt_store *s)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
    if (fcntl(s->guard, F_GETLK, &fl) != 0 || fl.l_type == F_UNLCK)
        return 0;
    return fl.l_pid;
}

static int busy(segrt_store *s, pid_t pid)
{
    if (pid > 0)
        return store_fail(s, SEGRT_EBUSY, "%s is open in another process (pid %ld): compact "
                                          "needs the store to itself", s->dir, (long)pid);
    return store_fail(s, SEGRT_EBUSY, "%s is open elsewhere (another handle, or a process "
                                      "opening it): compact needs the store to itself", s->dir);
}

/* The guard exclusively, with no other LMDB user of the store; else nothing changes. */
static int take_alone(segrt_store *s)
{
    int err = guard_lock(s->guard, F_WRLCK, 0);
    if (err == EAGAIN || err == EACCES)
        return busy(s, lmdb_user(s));
    if (err != 0)
        return store_fail(s, SEGRT_EIO, "%s: cannot lock: %s", s->dir, strerror(err));
    pid_t pid = lmdb_user(s);
    if (pid == 0)
        return SEGRT_OK;
    guard_lock(s->guard, F_RDLCK, 0); /* a downgrade never conflicts */
    return busy(s, pid);
}

static int file_size(segrt_store *s, const char *path, uint64_t *n)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return store_fail(s, SEGRT_EIO, "%s: %s", path, strerror(errno));
    *n = (uint64_t)st.st_size;
    return SEGRT_OK;
}

/* Remove the LMDB files in dir and dir itself; none there is fine. */
static int remove_env_dir(segrt_store *s, const char *dir)
{
    static const char *const names[] = { "data.mdb", "lock.mdb" };
    char path[4096];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        int rc = path_in(s, path, sizeof path, dir, names[i]);
        if (rc != SEGRT_OK)
            return rc;
        if (unlink(path) != 0 && errno != ENOENT)
            return store_fail(s, SEGRT_EIO, "removing %s: %s", path, strerror(errno));
    }
    if (rmdir(dir) != 0 && errno != ENOENT)
        return store_fail(s, SEGRT_EIO, "removing %s: %s", dir, strerror(errno));
    return SEGRT_OK;
}

/* Remove what a copy left in tmp (an interrupted compact's, or this one's), its scratch first. */
static int remove_tmp(segrt_store *s, const char *tmp)
{
    char scratch[4096];
    struct stat st;
    int rc = path_in(s, scratch, sizeof scratch, tmp, SCRATCH_DIR);
    if (rc == SEGRT_OK && stat(scratch, &st) == 0) /* else none, or tmp is no directory */
        rc = remove_env_dir(s, scratch);
    return rc == SEGRT_OK ? remove_env_dir(s, tmp) : rc;
}

typedef struct compact_audit {
    const char *actor;
    char detail[96];
} compact_audit;

/* The audit entry, and no erasure awaits a compact any more; it ran now. */
static int audit_in(segrt_store *t, MDB_txn *txn, void *ud)
{
    const compact_audit *a = ud;
    int rc = audit_append(t, txn, a->actor, "compact", SEGRT_AUDIT_STORE, a->detail);
    if (rc == SEGRT_OK)
        rc = store_counter_set(t, txn, COMPACT_ERASED_AWAITING, 0);
    return rc == SEGRT_OK ? store_counter_set(t, txn, COMPACT_LAST, (uint64_t)time(NULL)) : rc;
}

/* Open the copy in tmp as a store and add the audit entry, synced; errors go to s. */
static int audit_copy(segrt_store *s, const char *tmp, const char *actor, uint64_t before,
                      uint64_t copied)
{
    segrt_store *t;
    int rc = segrt_store_open(tmp, 0, &t, s->errmsg, sizeof s->errmsg);
    if (rc != SEGRT_OK)
        return rc;
    compact_audit a = { actor, "" };
    snprintf(a.detail, sizeof a.detail, "data file %llu bytes, compacted to %llu",
             (unsigned long long)before, (unsigned long long)copied);
    rc = store_write(t, audit_in, &a);
    if (rc == SEGRT_OK)
        rc = store_sync(t);
    if (rc != SEGRT_OK)
        snprintf(s->errmsg, sizeof s->errmsg, "%s", t->errmsg);
    segrt_store_close(t);
    return rc;
}

static int sync_dir(segrt_store *s, const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int err = fd < 0 ? errno : fsync(fd) != 0 ? errno : 0;
    if (fd >= 0)
        close(fd);
    return err ? store_fail(s, SEGRT_EIO, "syncing %s: %s", dir, strerror(err)) : SEGRT_OK;
}

/* Rename the copy over data.mdb and reopen s on it (whatever the directory's sync says). */
static int swap_in(segrt_store *s, const char *copy, const char *data)
{
    if (rename(copy, data) != 0)
        return store_fail(s, SEGRT_EIO, "replacing %s: %s", data, strerror(errno));
    int rc = sync_dir(s, s->dir);
    int rrc = store_reopen(s);
    return rc != SEGRT_OK ? rc : rrc;
}

/* Copy, audit and swap, with the guard held exclusively. */
static int compact_alone(segrt_store *s, const char *actor, compact_mark_fn mark,
                         uint64_t *before)
{
    char data[4096], tmp[4096], copy[4096], scratch[4096];
    uint64_t copied = 0;
    int rc = path_in(s, data, sizeof data, s->dir, "data.mdb");
    if (rc == SEGRT_OK)
        rc = path_in(s, tmp, sizeof tmp, s->dir, TMP_DIR);
    if (rc == SEGRT_OK)
        rc = path_in(s, copy, sizeof copy, tmp, "data.mdb");
    if (rc == SEGRT_OK)
        rc = path_in(s, scratch, sizeof scratch, tmp, SCRATCH_DIR);
    if (rc == SEGRT_OK)
        rc = file_size(s, data, before);
    if (rc == SEGRT_OK)
        rc = remove_tmp(s, tmp);
    if (rc != SEGRT_OK)
        return rc;
    if (mkdir(tmp, 0777) != 0)
        return store_fail(s, SEGRT_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    rc = compact_copy(s, scratch, copy, mark);
    if (rc == SEGRT_OK) /* the scratch's bytes are the copy's: it goes before the swap */
        rc = remove_env_dir(s, scratch);
    if (rc == SEGRT_OK)
        rc = file_size(s, copy, &copied);
    if (rc == SEGRT_OK)
        rc = audit_copy(s, tmp, actor, *before, copied);
    if (rc == SEGRT_OK)
        rc = swap_in(s, copy, data);
    if (rc == SEGRT_OK)
        return remove_tmp(s, tmp);
    /* What is left of the copy goes; the message stays the first failure's. */
    char msg[sizeof s->errmsg];
    memcpy(msg, s->errmsg, sizeof msg);
    remove_tmp(s, tmp);
    memcpy(s->errmsg, msg, sizeof msg);
    return rc;
}

int store_compact(segrt_store *s, const char *actor, compact_mark_fn mark, uint64_t *before,
                  uint64_t *after)
{
    uint64_t b = 0, a = 0;
    int rc = SEGRT_OK;
    if (before)
        *before = 0;
    if (after)
        *after = 0;
    if (s->readonly)
        rc = store_fail(s, SEGRT_EINVAL, "compact needs the store open for writing");
    else if (s->live)
        rc = store_fail(s, SEGRT_EBUSY, "a live session is open on this store: close it first");
    else if (s->env == NULL)
        rc = store_fail(s, SEGRT_ESTORE, "%s: the store is closed", s->dir);
    else if (s->guard < 0)
        rc = store_fail(s, SEGRT_EIO, "%s: no lock file to guard the compact", s->dir);
    if (rc == SEGRT_OK)
        rc = take_alone(s);
    if (rc != SEGRT_OK)
        return rc;
    rc = compact_alone(s, actor, mark, &b);
    int err = guard_lock(s->guard, F_RDLCK, 0); /* the waiting opens go on */
    if (err != 0 && rc == SEGRT_OK)
        rc = store_fail(s, SEGRT_EIO, "%s: cannot unlock: %s", s->dir, strerror(err));
    char data[4096];
    if (rc == SEGRT_OK)
        rc = path_in(s, data, sizeof data, s->dir, "data.mdb");
    if (rc == SEGRT_OK)
        rc = file_size(s, data, &a);
    if (rc == SEGRT_OK && before)
        *before = b;
    if (rc == SEGRT_OK && after)
        *after = a;
    return rc;
}
