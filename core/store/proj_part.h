/*
 * proj_part.h — one stored part of an event projection (projection.h): its
 * key, its value, and the growable columns a part is written from.
 *
 * The "projections" table holds, per event type T and chunk C of contact
 * ordinals (C = ord >> PROJ_CHUNK_BITS, the chunking of the columns):
 *   key (T, C, 0)   the base: the events of type T of the chunk's contacts
 *   key (T, C, R)   R >= 1: a run a write appended; for each contact it
 *                   names (an entry), its events of type T now, replacing
 *                   those of the base and of every older run (smaller R)
 *   key (PROJ_DIRTY, C, 0)  an empty value: chunk C's projections are not
 *                   kept (a bulk import is under way); readers build them
 *                   from the timelines until proj_update rebuilds them
 * Keys are three u32, big-endian, so that a type's parts are one key range
 * in (chunk, age) order.
 *
 * Value: u32 n, u32 nent, u32 version (2), u32 the columns left out, then
 * the events sorted by (ord, ts) as parallel arrays ts[n] i64, amount[n]
 * i64, ord[n] u32, category[n] u32, channel[n] u32, seq[n] u32, except
 * that amount, category and channel are left out (bits 1, 2, 4) when no
 * event of the part has one (most types have no amount; version 1 left
 * nothing out, and is still read), then nent entries (a run's;
 * a base has none) sorted by ord: u32 ord, lo, hi (its events [lo, hi)),
 * base_lo, base_hi (its events in the base when the run was written; the
 * base only changes by compaction, which folds in and drops every run).
 *
 * Large values sit on overflow pages (a page boundary plus 16 bytes), so the
 * arrays are read in place; a small one lives in a leaf page, 2-byte
 * aligned, and is copied.
 *
 * Uses: store.h, column.h (the chunk size), projection.h (the arrays).
 */
#ifndef SEGRT_PROJ_PART_H
#define SEGRT_PROJ_PART_H

#include "store/column.h"
#include "store/projection.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

#define PROJ_CHUNK_BITS COL_CHUNK_BITS
#define PROJ_DIRTY UINT32_MAX      /* the "type" of a dirty chunk's marker */
#define PROJ_TYPE_LIMIT (1u << 20) /* a larger type code in a timeline is corruption */
#define PROJ_KEY_BYTES 12

/* The first ordinal of a chunk, and the one after its last (UINT32_MAX for the last chunk). */
static inline uint32_t proj_chunk_first(uint32_t chunk)
{
    return chunk << PROJ_CHUNK_BITS;
}

static inline uint32_t proj_chunk_end(uint32_t chunk)
{
    return chunk >= UINT32_MAX >> PROJ_CHUNK_BITS ? UINT32_MAX : (chunk + 1) << PROJ_CHUNK_BITS;
}

typedef struct proj_key {
    uint32_t type, chunk, part;
} proj_key;

/* The key k as LMDB bytes in buf. */
MDB_val proj_key_val(const proj_key *k, unsigned char buf[PROJ_KEY_BYTES]);
/* Decode a stored key; -1 when it is not PROJ_KEY_BYTES long. */
int proj_key_decode(const MDB_val *v, proj_key *k);

/* A run's entry: one contact's current events of the type. */
typedef struct proj_entry {
    uint32_t ord, lo, hi, base_lo, base_hi;
} proj_entry;

typedef struct proj_part {
    uint32_t id;             /* the key's part: 0 the base, else a run (larger: newer) */
    projection ev;           /* the events (span unused) */
    const proj_entry *ent;   /* a run's entries, sorted by ord */
    size_t nent;
    void *copy;              /* the value, copied when it was not aligned */
} proj_part;

/*
 * Decode the value v of part key k into *out, borrowing from the map (valid
 * as v is) unless it has to be copied. Checks the layout: sizes, a base
 * without entries, a run's entries sorted by ord, in k's chunk, their event
 * ranges covering [0, n) in order and holding their contact's events only.
 * SEGRT_ECORRUPT (with a message naming the type and chunk) or
 * SEGRT_ENOMEM; *out is zeroed on failure.
 */
int proj_part_decode(segrt_store *s, const proj_key *k, const MDB_val *v, proj_part *out);
/* Free the copy of p, if any, and zero it; accepts a zeroed part. */
void proj_part_free(proj_part *p);

/* Growable parallel arrays: the events of a part being written. */
typedef struct proj_cols {
    int64_t *ts, *amount;
    uint32_t *ord, *category, *channel, *seq;
    size_t n, cap;
} proj_cols;

/* Room for want events; -1 when out of memory (the arrays are kept). */
int proj_cols_reserve(proj_cols *c, size_t want);
/* Append events [lo, hi) of src; -1 when out of memory. */
int proj_cols_append(proj_cols *c, const projection *src, size_t lo, size_t hi);
/* Append one event; -1 when out of memory. */
int proj_cols_push(proj_cols *c, uint32_t ord, int64_t ts, int64_t amount, uint32_t category,
                   uint32_t channel, uint32_t seq);
/* The arrays of c as a projection (borrowed from c; no spans). */
void proj_cols_view(const proj_cols *c, projection *out);
void proj_cols_free(proj_cols *c);

/* Write part k: the events of c and nent entries (a run's; 0 for a base). */
int proj_part_put(segrt_store *s, MDB_txn *txn, const proj_key *k, const proj_cols *c,
                  const proj_entry *ent, size_t nent);
/* Delete part k; one that is not there is no error. */
int proj_part_del(segrt_store *s, MDB_txn *txn, const proj_key *k);

#endif
