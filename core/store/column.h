/*
 * column.h — chunked columns of contact fields, read in place.
 *
 * Every contact field is also kept as a column indexed by ordinal, split in
 * chunks of COL_CHUNK_ROWS contacts, one LMDB value each, key (field u16,
 * chunk u32, code u32) big-endian:
 *   integer, number, boolean, date, timestamp  int64 per contact, VALUE_MISSING when absent,
 *                                              or packed in 1, 2 or 4 bytes a contact
 *                                              (column_ints.h)
 *   string                                     u32 dictionary code, 0 when absent; a
 *                                              chunk whose codes are all below 256 is
 *                                              stored one byte a contact ("narrow":
 *                                              a quarter of the bytes to map and scan)
 *   set                                        one bitset per value code (code in the key)
 *   FIELD_LIVE                                 bitset of live (not erased) contacts
 * Chunks are large, so LMDB keeps them on overflow pages: 8-byte aligned,
 * readable as arrays straight from the map.
 *
 * Writers patch chunks through a column_cache that copies each touched chunk
 * once per transaction and writes it back in column_cache_flush().
 */
#ifndef SEGRT_COLUMN_H
#define SEGRT_COLUMN_H

#include "store/store.h"
#include "util/bitset.h"

#include <stdint.h>
#include <string.h>

#define COL_CHUNK_BITS 16
#define COL_CHUNK_ROWS (1u << COL_CHUNK_BITS)
#define COL_BITSET_BYTES (COL_CHUNK_ROWS / 8)

typedef struct column_cache column_cache;

column_cache *column_cache_new(void);
void column_cache_free(column_cache *c);
/* Forget every buffered chunk (after an aborted transaction). */
void column_cache_reset(column_cache *c);
/* Write every touched chunk to txn, then forget them. */
int column_cache_flush(segrt_store *s, MDB_txn *txn, column_cache *c);
/* Bytes of chunk data buffered (to bound a batch's memory). */
size_t column_cache_bytes(const column_cache *c);

int column_set_i64(segrt_store *s, MDB_txn *txn, column_cache *c, uint16_t field, uint32_t ord,
                int64_t v);
int column_set_code(segrt_store *s, MDB_txn *txn, column_cache *c, uint16_t field, uint32_t ord,
                 uint32_t code);
/* Set or clear bit ord of the bitset column (field, code). */
int column_set_bit(segrt_store *s, MDB_txn *txn, column_cache *c, uint16_t field, uint32_t code,
                uint32_t ord, int on);

/* The stored chunk, borrowed until txn ends; SEGRT_ENOTFOUND when never written. */
int column_chunk_get(segrt_store *s, MDB_txn *txn, uint16_t field, uint32_t chunk, uint32_t code,
                  MDB_val *out);

/*
 * The chunk as the transaction sees it with c's writes: the cache's copy when
 * it holds one (valid until c changes), else the stored chunk (borrowed until
 * txn ends); SEGRT_ENOTFOUND when neither exists.
 */
int column_chunk_peek(segrt_store *s, MDB_txn *txn, const column_cache *c, uint16_t field,
                   uint32_t chunk, uint32_t code, MDB_val *out);
/*
 * OR the stored bitset column (field, code) into out, a word at a time, for
 * the ordinals below out->nbits (a chunk never written adds nothing); a chunk
 * that is not a bitset is SEGRT_ECORRUPT.
 */
int column_or_bits(segrt_store *s, MDB_txn *txn, uint16_t field, uint32_t code, bitset *out);

/* The codes of a stored chunk of a string column, wide or narrow. */
typedef struct column_codes {
    const unsigned char *p;
    size_t width; /* 4, or 1 for a narrow chunk */
} column_codes;

/* View the stored string chunk v; -1 when its size is neither form. */
static inline int column_codes_of(const MDB_val *v, column_codes *out)
{
    out->p = v->mv_data;
    out->width = v->mv_size == (size_t)COL_CHUNK_ROWS * 4 ? 4 : v->mv_size == COL_CHUNK_ROWS ? 1 : 0;
    return out->width ? 0 : -1;
}

/* The code of row i (below COL_CHUNK_ROWS) of a chunk. */
static inline uint32_t column_code_at(const column_codes *c, uint32_t i)
{
    uint32_t code;
    if (c->width == 1)
        return c->p[i];
    memcpy(&code, c->p + (size_t)i * 4, sizeof code);
    return code;
}

#endif
