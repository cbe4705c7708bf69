/*
 * restriction.c — the column of contacts with a restriction record (restriction.h).
 *
 * Uses: column.h, schema.h (FIELD_RESTRICTION).
 */
#include "store/restriction.h"

#include "store/column.h"
#include "store/schema.h"

#include <string.h>

int restriction_note(segrt_store *s, MDB_txn *txn, uint32_t ord)
{
    column_cache *cc = column_cache_new();
    if (cc == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    int rc = column_set_bit(s, txn, cc, FIELD_RESTRICTION, 0, ord, 1);
    if (rc == SEGRT_OK)
        rc = column_cache_flush(s, txn, cc);
    column_cache_free(cc);
    return rc;
}

/* The chunk of the column holding ordinals from chunk * COL_CHUNK_ROWS, or none (size 0). */
static int chunk(segrt_store *s, MDB_txn *txn, uint32_t ch, MDB_val *v)
{
    int rc = column_chunk_get(s, txn, FIELD_RESTRICTION, ch, 0, v);
    if (rc == SEGRT_ENOTFOUND) {
        *v = (MDB_val){ 0, NULL };
        return SEGRT_OK;
    }
    if (rc == SEGRT_OK && v->mv_size != COL_BITSET_BYTES)
        return store_fail(s, SEGRT_ECORRUPT, "the restriction column has a chunk of %zu bytes",
                          v->mv_size);
    return rc;
}

int restriction_candidates(segrt_store *s, MDB_txn *txn, bitset *out)
{
    return column_or_bits(s, txn, FIELD_RESTRICTION, 0, out);
}

int restriction_candidate(segrt_store *s, MDB_txn *txn, uint32_t ord)
{
    MDB_val v;
    int rc = chunk(s, txn, ord / COL_CHUNK_ROWS, &v);
    if (rc != SEGRT_OK)
        return rc;
    uint32_t i = ord % COL_CHUNK_ROWS;
    return v.mv_size ? ((const unsigned char *)v.mv_data)[i / 8] >> (i % 8) & 1 : 0;
}
