/*
 * compact_copy.c — compact_copy(): the compacting copy of a store, which
 * holds no byte of deleted data.
 *
 * LMDB's own compacting copy (MDB_CP_COMPACT) leaves out the free pages
 * but writes the pages in use as they are, and those keep deleted bytes
 * too: a branch page keeps a deleted key as the separator of its children
 * (an erased contact's id in the id index), and the unused middle of a
 * page keeps what was deleted from it. So every record of every table is
 * copied instead, in key order (MDB_APPEND), into a scratch environment
 * whose pages never held anything else; LMDB's compacting copy of that
 * then drops the few free pages its batched commits left. Of the event and
 * consent dictionaries only the strings still in use are copied
 * (compact_used.c): an erased contact's event category, say.
 *
 * Uses: store.h, compact.h (compact_used); LMDB.
 */
#include "store/compact.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Records copied per scratch transaction, in bytes: what its dirty pages hold in memory. */
#define BATCH_BYTES ((size_t)64 << 20)

typedef struct copier {
    segrt_store *s;
    const compact_used *used; /* which dictionary records to keep */
    MDB_env *to;
    MDB_txn *txn;   /* the scratch's write transaction */
    size_t pending; /* bytes put in it */
} copier;

/* Commit the scratch's transaction and begin the next; an LMDB code. */
static int next_batch(copier *c)
{
    int mrc = mdb_txn_commit(c->txn);
    c->txn = NULL;
    c->pending = 0;
    return mrc == 0 ? mdb_txn_begin(c->to, NULL, 0, &c->txn) : mrc;
}

/* Copy the records of table name in from (a read transaction) into the scratch. */
static int copy_table(copier *c, MDB_txn *from, const char *name)
{
    MDB_dbi src, dst;
    unsigned flags;
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    int mrc = mdb_dbi_open(from, name, 0, &src);
    if (mrc == 0)
        mrc = mdb_dbi_flags(from, src, &flags);
    if (mrc == 0)
        mrc = mdb_dbi_open(c->txn, name, flags | MDB_CREATE, &dst);
    if (mrc == 0)
        mrc = mdb_cursor_open(from, src, &cur);
    if (mrc == 0)
        mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (mrc == 0) {
        if (src == c->s->dbi[DB_DICT] && !compact_used_keeps(c->used, &k)) {
            mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            continue;
        }
        mrc = mdb_put(c->txn, dst, &k, &v, MDB_APPEND);
        c->pending += k.mv_size + v.mv_size;
        if (mrc == 0 && c->pending >= BATCH_BYTES)
            mrc = next_batch(c);
        if (mrc == 0)
            mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    if (cur)
        mdb_cursor_close(cur);
    if (mrc != 0 && mrc != MDB_NOTFOUND) {
        char what[600];
        snprintf(what, sizeof what, "copying table '%s'", name);
        return store_mdb_fail(c->s, mrc, what);
    }
    return SEGRT_OK;
}

/* Copy every table of from (the records of its main table name them) into the scratch. */
static int copy_all(copier *c, MDB_txn *from)
{
    MDB_dbi main;
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    int rc = SEGRT_OK;
    int mrc = mdb_dbi_open(from, NULL, 0, &main);
    if (mrc == 0)
        mrc = mdb_cursor_open(from, main, &cur);
    if (mrc == 0)
        mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (mrc == 0 && rc == SEGRT_OK) {
        char name[512];
        if (k.mv_size >= sizeof name)
            rc = store_fail(c->s, SEGRT_ECORRUPT, "a table name of %zu bytes", k.mv_size);
        else {
            memcpy(name, k.mv_data, k.mv_size);
            name[k.mv_size] = '\0';
            rc = copy_table(c, from, name);
        }
        if (rc == SEGRT_OK)
            mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    if (cur)
        mdb_cursor_close(cur);
    if (rc == SEGRT_OK && mrc != MDB_NOTFOUND)
        rc = store_mdb_fail(c->s, mrc, "listing the tables to compact");
    return rc;
}

/* Copy s as of one snapshot into the scratch, with the dictionary strings still used. */
static int copy_tables(copier *c, compact_mark_fn mark)
{
    MDB_txn *from;
    compact_used used = { 0 };
    int mrc = mdb_txn_begin(c->s->env, NULL, MDB_RDONLY, &from);
    if (mrc != 0)
        return store_mdb_fail(c->s, mrc, "reading the store to compact");
    int rc = compact_used_scan(c->s, from, &used);
    if (rc == SEGRT_OK && mark)
        rc = mark(c->s, from, &used);
    c->used = &used;
    if (rc == SEGRT_OK && (mrc = mdb_txn_begin(c->to, NULL, 0, &c->txn)) != 0)
        rc = store_mdb_fail(c->s, mrc, "writing the compacted copy");
    if (rc == SEGRT_OK)
        rc = copy_all(c, from);
    if (rc == SEGRT_OK) {
        mrc = mdb_txn_commit(c->txn);
        c->txn = NULL;
        if (mrc != 0)
            rc = store_mdb_fail(c->s, mrc, "writing the compacted copy");
    }
    if (c->txn)
        mdb_txn_abort(c->txn);
    c->txn = NULL;
    c->used = NULL;
    mdb_txn_abort(from);
    compact_used_free(&used);
    return rc;
}

/* Write LMDB's compacting copy of env into path, synced. */
static int write_copy(segrt_store *s, MDB_env *env, const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0)
        return store_fail(s, SEGRT_EIO, "%s: %s", path, strerror(errno));
    int mrc = mdb_env_copyfd2(env, fd, MDB_CP_COMPACT);
    int err = mrc == 0 && fsync(fd) != 0 ? errno : 0;
    if (close(fd) != 0 && mrc == 0 && err == 0)
        err = errno;
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "writing the compacted copy");
    if (err != 0)
        return store_fail(s, SEGRT_EIO, "%s: %s", path, strerror(err));
    return SEGRT_OK;
}

int compact_copy(segrt_store *s, const char *scratch, const char *path, compact_mark_fn mark)
{
    copier c = { .s = s };
    if (mkdir(scratch, 0700) != 0)
        return store_fail(s, SEGRT_EIO, "%s: cannot create: %s", scratch, strerror(errno));
    int mrc = mdb_env_create(&c.to);
    if (mrc == 0)
        mrc = mdb_env_set_mapsize(c.to, s->mapsize * 2);
    if (mrc == 0)
        mrc = mdb_env_set_maxdbs(c.to, 64);
    /* No syncs: the scratch is only read back by this process, before it goes. */
    if (mrc == 0)
        mrc = mdb_env_open(c.to, scratch, MDB_NOSYNC | MDB_NOTLS | MDB_NORDAHEAD, 0600);
    int rc = mrc == 0 ? copy_tables(&c, mark) : store_mdb_fail(s, mrc, scratch);
    if (rc == SEGRT_OK)
        rc = write_copy(s, c.to, path);
    if (c.to)
        mdb_env_close(c.to);
    return rc;
}
