/*
 * mdb_fail.c — LMDB fault injection for segrt_faults: its own code (linked
 * with --wrap of the LMDB calls below) calls these instead of LMDB's. With
 * SEGRT_FAIL_MDB_RC=MDB_MAP_FULL, ENOSPC or EIO and SEGRT_FAIL_MDB_AT=N,
 * the N-th call that could fail with that code returns it without being
 * made:
 *   MDB_MAP_FULL: mdb_put, mdb_del, mdb_drop (each may need a new page) and
 *     mdb_txn_commit (it writes the free list);
 *   ENOSPC, EIO: those (a put or a delete may spill dirty pages to the
 *     file; a commit writes them), mdb_env_sync and mdb_env_copyfd2.
 * segrt calls neither mdb_cursor_put nor mdb_cursor_del.
 *
 * As in LMDB, a write that failed leaves its transaction unusable: every
 * later write in it fails with MDB_BAD_TXN, and so does its commit, which
 * then frees it (so code that went on after the error, or committed a
 * transaction that had failed, shows). A commit that fails frees its
 * transaction, as LMDB's does.
 *
 * With SEGRT_MDB_REPORT=FILE, the process writes at exit the number of such
 * calls it made and, when one failed, where (fault.h).
 *
 * Uses: fault.h, LMDB.
 */
#include "fault.h"

#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The real call (LMDB's) and its wrapper, which segrt's own code calls. */
#define WRAPPED(ret, name, params) ret __real_##name params; ret __wrap_##name params

WRAPPED(int, mdb_put, (MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned flags));
WRAPPED(int, mdb_del, (MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data));
WRAPPED(int, mdb_drop, (MDB_txn *txn, MDB_dbi dbi, int del));
WRAPPED(int, mdb_txn_commit, (MDB_txn *txn));
WRAPPED(void, mdb_txn_abort, (MDB_txn *txn));
WRAPPED(int, mdb_env_sync, (MDB_env *env, int force));
WRAPPED(int, mdb_env_copyfd2, (MDB_env *env, mdb_filehandle_t fd, unsigned flags));

static fault_point writes;
static int fail_rc;      /* the code the failed call returns; 0: no injection */
static MDB_txn *broken;  /* the transaction a failed write left unusable */

static void report(void)
{
    fault_point_report(&writes);
}

__attribute__((constructor)) static void init(void)
{
    static const struct {
        const char *name;
        int rc;
    } codes[] = { { "MDB_MAP_FULL", MDB_MAP_FULL }, { "ENOSPC", ENOSPC }, { "EIO", EIO } };
    const char *name = getenv("SEGRT_FAIL_MDB_RC");
    fault_point_init(&writes, "SEGRT_FAIL_MDB_AT", "SEGRT_MDB_REPORT");
    fail_rc = MDB_MAP_FULL;
    if (name) {
        fail_rc = 0;
        for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
            if (strcmp(name, codes[i].name) == 0)
                fail_rc = codes[i].rc;
        if (fail_rc == 0) {
            fprintf(stderr, "mdb_fail: SEGRT_FAIL_MDB_RC=%s: want MDB_MAP_FULL, ENOSPC or EIO\n",
                    name);
            exit(2);
        }
    }
    atexit(report);
}

/* Whether this call (from caller; a write in txn, or NULL) fails; it may break txn. */
static int fail_write(MDB_txn *txn, void *caller)
{
    if (!fault_point_hit(&writes, caller))
        return 0;
    broken = txn;
    return 1;
}

/* Whether a call that can only fail with ENOSPC or EIO, from caller, fails. */
static int fail_io(void *caller)
{
    return fail_rc != MDB_MAP_FULL && fault_point_hit(&writes, caller);
}

int __wrap_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned flags)
{
    if (txn == broken)
        return MDB_BAD_TXN;
    if (fail_write(txn, __builtin_return_address(0)))
        return fail_rc;
    return __real_mdb_put(txn, dbi, key, data, flags);
}

int __wrap_mdb_del(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data)
{
    if (txn == broken)
        return MDB_BAD_TXN;
    if (fail_write(txn, __builtin_return_address(0)))
        return fail_rc;
    return __real_mdb_del(txn, dbi, key, data);
}

int __wrap_mdb_drop(MDB_txn *txn, MDB_dbi dbi, int del)
{
    if (txn == broken)
        return MDB_BAD_TXN;
    if (fail_write(txn, __builtin_return_address(0)))
        return fail_rc;
    return __real_mdb_drop(txn, dbi, del);
}

int __wrap_mdb_txn_commit(MDB_txn *txn)
{
    int rc = 0;
    if (txn == broken)
        rc = MDB_BAD_TXN;
    else if (fault_point_hit(&writes, __builtin_return_address(0)))
        rc = fail_rc;
    if (rc == 0)
        return __real_mdb_txn_commit(txn);
    broken = NULL;
    __real_mdb_txn_abort(txn);
    return rc;
}

/* LMDB reuses a write transaction's handle: the next one is not broken. */
void __wrap_mdb_txn_abort(MDB_txn *txn)
{
    if (txn == broken)
        broken = NULL;
    __real_mdb_txn_abort(txn);
}

int __wrap_mdb_env_sync(MDB_env *env, int force)
{
    return fail_io(__builtin_return_address(0)) ? fail_rc : __real_mdb_env_sync(env, force);
}

int __wrap_mdb_env_copyfd2(MDB_env *env, mdb_filehandle_t fd, unsigned flags)
{
    return fail_io(__builtin_return_address(0)) ? fail_rc : __real_mdb_env_copyfd2(env, fd, flags);
}
