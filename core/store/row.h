/*
 * row.h — the contact row record: the external id and every present field
 * value, the source of truth behind the columns (show, export, upsert).
 *
 * Encoding: varint idlen, id bytes, varint count, then per value, in field
 * order: varint (field << 1 | is_set), then a zigzag varint value (int64
 * value, or dictionary code for strings) or a varint n and n codes. Then,
 * when any value knows when it was last written (rows written before that
 * have nothing more): a byte 1, a zigzag varint base (the newest time, unix
 * seconds) and per value a varint: 0 unknown, else base - time + 1.
 */
#ifndef SEGRT_ROW_H
#define SEGRT_ROW_H

#include "util/buf.h"

#include <stddef.h>
#include <stdint.h>

typedef struct row_value {
    uint16_t field;
    int is_set;
    int64_t v;        /* scalar value or string code */
    uint32_t nset;    /* set: number of codes */
    uint32_t set_off; /* set: first code in row.codes */
    int64_t at;       /* when it was last written (unix seconds), ROW_NO_TIME when unknown */
} row_value;

#define ROW_NO_TIME INT64_MIN

typedef struct row {
    const char *id; /* borrowed */
    size_t idlen;
    row_value *vals; /* sorted by field */
    size_t n, cap;
    uint32_t *codes;
    size_t ncodes, codes_cap;
} row;

void row_clear(row *r);
void row_free(row *r);
/* Decode data into r (id borrowed from data). -1 corrupt, -2 out of memory. */
int row_decode(row *r, const void *data, size_t size);
int row_encode(const row *r, buf *out);
/* Only the external id of a stored record (borrowed from data). -1 corrupt. */
int row_id(const void *data, size_t size, const char **id, size_t *idlen);
const row_value *row_get(const row *r, uint16_t field);
/* Set a scalar (nset == 0 and set == NULL) or a set value. -1 out of memory. */
int row_set(row *r, uint16_t field, int64_t v, const uint32_t *set, uint32_t nset, int is_set);
void row_unset(row *r, uint16_t field);
/* Note when the value of field (present) was written. */
void row_stamp(row *r, uint16_t field, int64_t at);
/* The codes of a set value. */
static inline const uint32_t *row_set_codes(const row *r, const row_value *v)
{
    return r->codes + v->set_off;
}

#endif
