/*
 * store.h — the store handle, its LMDB databases and the transaction, scan
 * and counter helpers every other store unit uses.
 *
 * Layout (one LMDB environment per store directory, named databases):
 *   meta      string key -> small value: format, counters, schema
 *   ids       external id -> u32 ordinal
 *   contacts  u32 ordinal -> row record (row.h)
 *   columns   (field u16, chunk u32, code u32) big-endian -> chunk array (column.h)
 *   dict      (field u16, code u32) big-endian -> string bytes (dict.h)
 *   events    u32 ordinal -> the contact's events in time order (event.h)
 *   consents  u32 ordinal -> the contact's consent history (consent.h)
 *   audit     u64 sequence -> audit entry (audit.h)
 *   projections  per event type and chunk of contacts, parallel arrays of its events
 *                (projection.h, proj_part.h)
 *   segments  stored memberships and size history of segments (membership.h)
 *   merges    u64 merge id (its audit seq) -> what undoing the merge needs (merge_record.h)
 *   outbox    u64 sequence -> an action to deliver (outbox.h)
 *   notified  per segment and contact: notified as a member (outbox.h)
 *
 * A table added after format 2 (merges, outbox, notified) is created by the first write open
 * of an older store; a read-only open of such a store leaves its dbi 0
 * (store_has_db), and readers take it as empty.
 */
#ifndef SEGRT_STORE_H
#define SEGRT_STORE_H

#include "segrt.h"

#include <lmdb.h>
#include <stdarg.h>
#include <stdint.h>

enum store_db { DB_META, DB_IDS, DB_CONTACTS, DB_COLUMNS, DB_DICT, DB_EVENTS, DB_CONSENTS,
                DB_AUDIT, DB_PROJ, DB_SEGMENTS, DB_MERGES, DB_OUTBOX, DB_NOTIFIED, DB_COUNT };

#define STORE_FORMAT 5u

struct schema;

/* How the event projections are kept (proj_update.h); a 0 field takes its default. */
typedef struct store_proj_policy {
    uint32_t small, runs, ratio, bulk;
} store_proj_policy;

#define STORE_NOT_OPEN ((size_t)-1)

struct segrt_store {
    MDB_env *env;
    MDB_dbi dbi[DB_COUNT];
    int readonly;
    int64_t now;
    size_t mapsize;
    char *dir;
    struct schema *schema; /* contact fields, cached; reloaded on every write txn */
    int last_mdb_rc;       /* raw LMDB code of the last store_mdb_fail (MDB_MAP_FULL -> grow) */
    segrt_limits limits;   /* of scripts loaded with this store; 0 fields: the defaults */
    int live;              /* a live session (live.c) is open: it owns MDB_NOSYNC */
    struct proj_touched *touched; /* timelines the open write txn changes (proj_update.c) */
    store_proj_policy proj_policy;
    struct strmap *ids_kept; /* an import's complete id index, for the next import (import.c) */
    uint64_t ids_kept_gen;   /* the write_gen it is complete at */
    int guard;             /* lock.mdb holding compact.h's guard, or -1 */
    size_t synced_txnid;   /* the store's last transaction when opened or last synced; */
                           /* STORE_NOT_OPEN before its environment is open */
    char errmsg[1024];
};

/* Record a failure on the handle (printf-style); returns code. */
int store_fail(segrt_store *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Fail with SEGRT_EIO naming what this user may not access in the store dir (after EACCES). */
int store_access_denied(segrt_store *s, const char *dir);
/* Map an LMDB return code to a SEGRT code, recording "context: lmdb message". */
int store_mdb_fail(segrt_store *s, int rc, const char *context);
/*
 * Flush what the store's commits wrote (and the meta page, which commits
 * leave unsynced: MDB_NOMETASYNC) to its device; a failure is recorded.
 */
int store_sync(segrt_store *s);

/* Begin a transaction, following a map grown by another process. */
int store_txn_begin(segrt_store *s, unsigned flags, MDB_txn **txn);
/* Double the map size after MDB_MAP_FULL (no transaction may be open). */
int store_grow(segrt_store *s);
/* The map doublings one transaction may need before its MDB_MAP_FULL is final. */
#define STORE_MAX_GROW_ATTEMPTS 40
/* Grow the map (no transaction may be open) until bytes more than the store
 * uses fit in it: a big write then never meets MDB_MAP_FULL on the way. */
int store_reserve(segrt_store *s, size_t bytes);
/*
 * Close the environment (unsynced) and open the directory's store again,
 * keeping the handle's guard (compact.c, after it swapped the data file).
 * On failure the handle has no environment: it can only be closed.
 */
int store_reopen(segrt_store *s);

/* What runs inside a transaction: SEGRT_OK, or a code recorded on s with store_fail. */
typedef int (*store_txn_fn)(segrt_store *s, MDB_txn *txn, void *ud);

/*
 * Run fn in a write transaction and commit it; when the map fills, grow it
 * and run fn again from the start. fn must not have effects outside txn.
 */
int store_write(segrt_store *s, store_txn_fn fn, void *ud);

/*
 * Run fn in a read transaction (a snapshot of the store), closed on every
 * path when fn returns; returns what fn returned. Bytes fn reads from the
 * map are valid only until it returns.
 */
int store_read(segrt_store *s, store_txn_fn fn, void *ud);

/* A step that needs only the store and the transaction (a rebuild of derived data). */
typedef int (*store_step_fn)(segrt_store *s, MDB_txn *txn);
/* store_write for a step: its own write transaction, run again after the map grows. */
int store_write_step(segrt_store *s, store_step_fn fn);

/*
 * What store_scan calls for each key k and value v: SEGRT_OK goes on, any
 * other code stops the scan and is returned by it. k and v are borrowed
 * from the map until txn ends; fn must not change the scanned table (collect
 * what to change, then change it after the scan).
 */
typedef int (*store_scan_fn)(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                             const MDB_val *v);

/*
 * Call fn in key order for each entry of table db whose key starts with the
 * n bytes at prefix (n 0: every entry), in txn (read or write; NULL: in a
 * read snapshot of the scan's own, as store_read). The end of the entries is
 * not an error; an LMDB error is recorded as "what: ..." and returned. A
 * table the store does not have (store_has_db) reads as empty.
 */
int store_scan(segrt_store *s, MDB_txn *txn, enum store_db db, const void *prefix, size_t n,
               const char *what, store_scan_fn fn, void *ud);

/* What a store_scan_fn returns to end a scan early; the scan then returns SEGRT_OK. */
#define STORE_STOP 1

/*
 * store_scan from the first key at or after *start in the table's order
 * (an MDB_INTEGERKEY table: the first ordinal at or after it) to the end,
 * or until fn returns STORE_STOP. txn must not be NULL.
 */
int store_scan_from(segrt_store *s, MDB_txn *txn, enum store_db db, const MDB_val *start,
                    const char *what, store_scan_fn fn, void *ud);

/*
 * The value of key k in table db as of txn into *v (borrowed from the map
 * until txn ends, or in a write txn until its next update). SEGRT_OK;
 * SEGRT_ENOTFOUND, recorded nowhere (the caller says what is missing, or
 * that nothing is), when there is none or the store lacks the table; an
 * LMDB error recorded as "what: ...".
 */
int store_get(segrt_store *s, MDB_txn *txn, enum store_db db, const MDB_val *k, MDB_val *v,
              const char *what);

/*
 * What decoding contact ord's stored what ("events", "consents") gave: drc
 * 0 is SEGRT_OK; -2 is SEGRT_ENOMEM ("out of memory reading <what>"), any
 * other SEGRT_ECORRUPT ("<what> of contact <ord> are corrupt"), recorded on s.
 */
int store_decoded(segrt_store *s, int drc, const char *what, uint32_t ord);

/* Counters kept in meta under a name; missing reads as 0. */
int store_counter_get(segrt_store *s, MDB_txn *txn, const char *name, uint64_t *v);
int store_counter_add(segrt_store *s, MDB_txn *txn, const char *name, int64_t delta);
int store_counter_set(segrt_store *s, MDB_txn *txn, const char *name, uint64_t v);

/* Ordinal keys (MDB_INTEGERKEY). */
static inline MDB_val store_ord_key(uint32_t *ord)
{
    MDB_val k = { sizeof *ord, ord };
    return k;
}

/*
 * The ordinal held in val (an ordinal key, an id index value) into *ord;
 * SEGRT_ECORRUPT ("<what> has a bad size") when val is not 4 bytes.
 */
int store_ord_decode(segrt_store *s, const MDB_val *val, const char *what, uint32_t *ord);

/* Whether the store has table db (only a later table can be missing, read-only). */
static inline int store_has_db(const segrt_store *s, enum store_db db)
{
    return s->dbi[db] != 0;
}

/* Look up an external id; SEGRT_ENOTFOUND when unknown. */
int store_ord_of(segrt_store *s, MDB_txn *txn, const char *id, uint32_t *ord);

struct row;
/*
 * Decode the row record of contact ord into r (its id borrowed from the map:
 * valid until txn ends, or in a write txn until its next update).
 * SEGRT_ENOTFOUND when there is none.
 */
int store_row_get(segrt_store *s, MDB_txn *txn, uint32_t ord, struct row *r);

#endif
