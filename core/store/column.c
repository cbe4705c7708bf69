/*
 * column.c — chunked column storage and the write-side chunk cache.
 *
 * Uses: store.h, value.h (VALUE_MISSING), column_ints.h (the numeric chunks' forms).
 */
#include "store/column.h"

#include "store/column_ints.h"
#include "util/value.h"

#include <stdlib.h>
#include <string.h>

#define COL_RECENT 64

typedef struct col_buf {
    uint64_t key; /* field << 48 | chunk << 32 | code, 0 = empty slot */
    unsigned char *data;
    size_t size;
} col_buf;

struct column_cache {
    col_buf *slots;  /* open addressing on key */
    size_t cap, n;
    size_t bytes;
    /*
     * Per field (field % COL_RECENT), the chunk it last used: rows arrive in
     * runs of ordinals, and each row sets its fields in turn.
     */
    col_buf *recent[COL_RECENT];
};

int column_or_bits(segrt_store *s, MDB_txn *txn, uint16_t field, uint32_t code, bitset *out)
{
    const size_t words = COL_CHUNK_ROWS / 64, total = bitset_words(out->nbits);
    for (size_t first = 0, ch = 0; first < total; first += words, ch++) {
        MDB_val v;
        int rc = column_chunk_get(s, txn, field, (uint32_t)ch, code, &v);
        if (rc == SEGRT_ENOTFOUND)
            continue;
        if (rc != SEGRT_OK)
            return rc;
        if (v.mv_size != COL_BITSET_BYTES)
            return store_fail(s, SEGRT_ECORRUPT, "column %u (value %u) has a chunk of %zu bytes, "
                              "not a bitset's %u", field, code, v.mv_size, COL_BITSET_BYTES);
        uint64_t tmp[COL_CHUNK_ROWS / 64]; /* the map's bytes may be unaligned for uint64_t */
        memcpy(tmp, v.mv_data, sizeof tmp);
        for (size_t i = 0; i < words && first + i < total; i++)
            out->w[first + i] |= tmp[i];
    }
    if (out->nbits & 63) /* bits past the last ordinal stay clear */
        out->w[total - 1] &= (UINT64_C(1) << (out->nbits & 63)) - 1;
    return SEGRT_OK;
}

static void chunk_key(unsigned char k[10], uint16_t field, uint32_t chunk, uint32_t code)
{
    k[0] = (unsigned char)(field >> 8);
    k[1] = (unsigned char)field;
    for (int i = 0; i < 4; i++) {
        k[2 + i] = (unsigned char)(chunk >> (24 - 8 * i));
        k[6 + i] = (unsigned char)(code >> (24 - 8 * i));
    }
}

column_cache *column_cache_new(void)
{
    return calloc(1, sizeof(column_cache));
}

void column_cache_reset(column_cache *c)
{
    for (size_t i = 0; i < c->cap; i++) {
        free(c->slots[i].data);
        c->slots[i] = (col_buf){ 0 };
    }
    c->n = 0;
    c->bytes = 0;
    memset(c->recent, 0, sizeof c->recent);
}

void column_cache_free(column_cache *c)
{
    if (c == NULL)
        return;
    column_cache_reset(c);
    free(c->slots);
    free(c);
}

size_t column_cache_bytes(const column_cache *c)
{
    return c->bytes;
}

static size_t slot_of(uint64_t key, size_t cap)
{
    uint64_t h = key * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 32) & (cap - 1);
}

static int cache_grow(column_cache *c)
{
    size_t cap = c->cap ? c->cap * 2 : 64;
    col_buf *slots = calloc(cap, sizeof *slots);
    if (slots == NULL)
        return -1;
    for (size_t i = 0; i < c->cap; i++) {
        if (c->slots[i].key == 0)
            continue;
        size_t j = slot_of(c->slots[i].key, cap);
        while (slots[j].key != 0)
            j = (j + 1) & (cap - 1);
        slots[j] = c->slots[i];
    }
    free(c->slots);
    c->slots = slots;
    c->cap = cap;
    memset(c->recent, 0, sizeof c->recent);
    return 0;
}

int column_chunk_get(segrt_store *s, MDB_txn *txn, uint16_t field, uint32_t chunk, uint32_t code,
                  MDB_val *out)
{
    unsigned char kb[10];
    chunk_key(kb, field, chunk, code);
    MDB_val k = { sizeof kb, kb };
    return store_get(s, txn, DB_COLUMNS, &k, out, "reading a column");
}

/* The cache key of a chunk: never 0, even for the live bitset of chunk 0. */
static uint64_t cache_key(uint16_t field, uint32_t chunk, uint32_t code)
{
    return (uint64_t)field << 48 | (uint64_t)chunk << 32 | code | 1ull << 47;
}

int column_chunk_peek(segrt_store *s, MDB_txn *txn, const column_cache *c, uint16_t field,
                   uint32_t chunk, uint32_t code, MDB_val *out)
{
    uint64_t key = cache_key(field, chunk, code);
    for (size_t j = c->cap ? slot_of(key, c->cap) : 0; c->cap && c->slots[j].key != 0;
         j = (j + 1) & (c->cap - 1)) {
        if (c->slots[j].key == key) {
            *out = (MDB_val){ c->slots[j].size, c->slots[j].data };
            return SEGRT_OK;
        }
    }
    return column_chunk_get(s, txn, field, chunk, code, out);
}

/* Fill a new chunk with "missing" for its kind of column. */
static void fill_missing(unsigned char *data, size_t size, size_t width)
{
    if (width != sizeof(int64_t)) {
        memset(data, 0, size);
        return;
    }
    int64_t m = VALUE_MISSING;
    for (size_t i = 0; i < size; i += sizeof m)
        memcpy(data + i, &m, sizeof m);
}

/* A narrow string chunk's codes as the u32 codes the cache writes into. */
static void widen(unsigned char *dst, const unsigned char *narrow)
{
    for (uint32_t i = 0; i < COL_CHUNK_ROWS; i++) {
        uint32_t code = narrow[i];
        memcpy(dst + (size_t)i * 4, &code, sizeof code);
    }
}

/* Whether the u32 codes of a string chunk all fit a byte; then narrow them in place, first bytes. */
static int narrow_codes(unsigned char *data)
{
    for (uint32_t i = 0; i < COL_CHUNK_ROWS; i++) {
        uint32_t code;
        memcpy(&code, data + (size_t)i * 4, sizeof code);
        if (code > UINT8_MAX)
            return 0;
    }
    for (uint32_t i = 0; i < COL_CHUNK_ROWS; i++) {
        uint32_t code;
        memcpy(&code, data + (size_t)i * 4, sizeof code);
        data[i] = (unsigned char)code; /* i <= 4 i: what is read next is not yet written */
    }
    return 1;
}

/*
 * The writable buffer of a chunk: from the cache, else copied from the store,
 * else new. width is the per-contact byte width, or 0 for a bitset.
 */
static int chunk_buf(segrt_store *s, MDB_txn *txn, column_cache *c, uint16_t field, uint32_t chunk,
                     uint32_t code, size_t width, unsigned char **data)
{
    uint64_t key = cache_key(field, chunk, code);
    col_buf **recent = &c->recent[field % COL_RECENT];
    if (*recent && (*recent)->key == key) {
        *data = (*recent)->data;
        return SEGRT_OK;
    }
    if ((c->n + 1) * 4 > c->cap * 3 && cache_grow(c) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory buffering columns");
    size_t j = slot_of(key, c->cap);
    while (c->slots[j].key != 0 && c->slots[j].key != key)
        j = (j + 1) & (c->cap - 1);
    col_buf *b = &c->slots[j];
    if (b->key == 0) {
        size_t size = width ? width * COL_CHUNK_ROWS : COL_BITSET_BYTES;
        unsigned char *p = malloc(size);
        if (p == NULL)
            return store_fail(s, SEGRT_ENOMEM, "out of memory buffering columns");
        MDB_val v;
        column_ints ints;
        int rc = column_chunk_get(s, txn, field, chunk, code, &v);
        int narrow = rc == SEGRT_OK && width == 4 && v.mv_size == COL_CHUNK_ROWS;
        int packed = rc == SEGRT_OK && width == 8 && column_ints_of(&v, &ints) == 0;
        if (rc == SEGRT_OK && v.mv_size != size && !narrow && !packed)
            rc = store_fail(s, SEGRT_ECORRUPT, "column %u chunk %u has %zu bytes, not %zu", field,
                            chunk, v.mv_size, size);
        if (rc == SEGRT_OK && narrow) {
            widen(p, v.mv_data);
        } else if (rc == SEGRT_OK && packed) {
            column_ints_unpack(&ints, (int64_t *)(void *)p, COL_CHUNK_ROWS);
        } else if (rc == SEGRT_OK) {
            memcpy(p, v.mv_data, size);
        } else if (rc == SEGRT_ENOTFOUND) {
            fill_missing(p, size, width);
        } else {
            free(p);
            return rc;
        }
        *b = (col_buf){ .key = key, .data = p, .size = size };
        c->n++;
        c->bytes += size;
    }
    *recent = b;
    *data = b->data;
    return SEGRT_OK;
}

/* Store one contact's fixed-width value in its chunk. */
static int set_cell(segrt_store *s, MDB_txn *txn, column_cache *c, uint16_t field, uint32_t ord,
                    const void *v, size_t width)
{
    unsigned char *data;
    int rc = chunk_buf(s, txn, c, field, ord >> COL_CHUNK_BITS, 0, width, &data);
    if (rc == SEGRT_OK)
        memcpy(data + (size_t)(ord & (COL_CHUNK_ROWS - 1)) * width, v, width);
    return rc;
}

int column_set_i64(segrt_store *s, MDB_txn *txn, column_cache *c, uint16_t field, uint32_t ord,
                int64_t v)
{
    return set_cell(s, txn, c, field, ord, &v, sizeof v);
}

int column_set_code(segrt_store *s, MDB_txn *txn, column_cache *c, uint16_t field, uint32_t ord,
                 uint32_t code)
{
    return set_cell(s, txn, c, field, ord, &code, sizeof code);
}

int column_set_bit(segrt_store *s, MDB_txn *txn, column_cache *c, uint16_t field, uint32_t code,
                uint32_t ord, int on)
{
    unsigned char *data;
    int rc = chunk_buf(s, txn, c, field, ord >> COL_CHUNK_BITS, code, 0, &data);
    if (rc != SEGRT_OK)
        return rc;
    uint32_t i = ord & (COL_CHUNK_ROWS - 1);
    unsigned char mask = (unsigned char)(1u << (i & 7));
    if (on)
        data[i >> 3] |= mask;
    else
        data[i >> 3] &= (unsigned char)~mask;
    return SEGRT_OK;
}

int column_cache_flush(segrt_store *s, MDB_txn *txn, column_cache *c)
{
    for (size_t i = 0; i < c->cap; i++) {
        col_buf *b = &c->slots[i];
        if (b->key == 0)
            continue;
        unsigned char kb[10];
        uint64_t key = b->key & ~(1ull << 47);
        chunk_key(kb, (uint16_t)(key >> 48), (uint32_t)(key >> 32) & 0x7fff, (uint32_t)key);
        /* Only a string column's chunks hold 4 bytes a contact, only a numeric one's 8. */
        column_ints form;
        int packed = b->size == (size_t)COL_CHUNK_ROWS * 8 &&
                     column_ints_choose((const int64_t *)(void *)b->data, &form);
        size_t size = packed ? column_ints_size(&form)
                      : b->size == (size_t)COL_CHUNK_ROWS * 4 && narrow_codes(b->data) ? COL_CHUNK_ROWS
                                                                                      : b->size;
        MDB_val k = { sizeof kb, kb }, v = { size, NULL };
        int mrc = mdb_put(txn, s->dbi[DB_COLUMNS], &k, &v, MDB_RESERVE);
        if (mrc != 0)
            return store_mdb_fail(s, mrc, "writing a column");
        if (packed)
            column_ints_pack((const int64_t *)(void *)b->data, &form, v.mv_data);
        else
            memcpy(v.mv_data, b->data, size);
    }
    column_cache_reset(c);
    return SEGRT_OK;
}
