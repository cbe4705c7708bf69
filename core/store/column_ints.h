/*
 * column_ints.h — the stored forms of a numeric column's chunk (integer,
 * number, boolean, date, timestamp: an int64 a contact, VALUE_MISSING when
 * absent).
 *
 * A chunk is stored wide, COL_CHUNK_ROWS int64 values, or packed: a header
 * of two int64 (base, step) and then each contact's value as an unsigned
 * offset of 1, 2 or 4 bytes, value = base + step * offset; the largest
 * offset of the width (all ones) is VALUE_MISSING. Packing takes the
 * smallest width the chunk's range allows once divided by the greatest
 * common divisor of the values' distances from the smallest: dates (days)
 * and incomes in tens fit 2 bytes, timestamps of a few years 4. Fewer bytes
 * to map is what a cold scan pays for. The size tells the forms apart.
 */
#ifndef SEGRT_COLUMN_INTS_H
#define SEGRT_COLUMN_INTS_H

#include "store/column.h"
#include "util/value.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define COLUMN_INTS_HEADER 16 /* base, step; keeps the offsets 8-byte aligned on LMDB's pages */

/* A stored numeric chunk, read in place. */
typedef struct column_ints {
    const unsigned char *p; /* the int64 values (wide) or the offsets (packed) */
    size_t width;           /* 8 (wide), or 4, 2, 1 (packed) */
    int64_t base;           /* packed only */
    uint64_t step;          /* packed only: at least 1 */
    uint32_t missing;       /* packed only: the offset of VALUE_MISSING */
} column_ints;

/* View the stored chunk v; -1 when its size is none of the forms (or its step is 0). */
int column_ints_of(const MDB_val *v, column_ints *out);

/* The value of row i (below COL_CHUNK_ROWS), VALUE_MISSING when absent. */
static inline int64_t column_int_at(const column_ints *c, uint32_t i)
{
    uint32_t off;
    switch (c->width) {
    case 8: {
        int64_t x;
        memcpy(&x, c->p + (size_t)i * 8, sizeof x);
        return x;
    }
    case 4: memcpy(&off, c->p + (size_t)i * 4, sizeof off); break;
    case 2: {
        uint16_t o16;
        memcpy(&o16, c->p + (size_t)i * 2, sizeof o16);
        off = o16;
        break;
    }
    default: off = c->p[i];
    }
    return off == c->missing ? VALUE_MISSING : (int64_t)((uint64_t)c->base + c->step * off);
}

/* Rows [0, n) of the chunk as int64 values into dst. */
void column_ints_unpack(const column_ints *c, int64_t *dst, uint32_t n);

/*
 * The smallest packed form of the wide chunk wide[0..COL_CHUNK_ROWS) into
 * *form (p unset); 0 when no packed width holds its range (store it wide).
 */
int column_ints_choose(const int64_t *wide, column_ints *form);
/* The stored bytes of a packed form. */
size_t column_ints_size(const column_ints *form);
/* Write the wide chunk in the packed form into out (column_ints_size bytes). */
void column_ints_pack(const int64_t *wide, const column_ints *form, unsigned char *out);

/*
 * The offsets of a packed chunk whose values lie in [lo, hi] (VALUE_MISSING
 * never does): [*olo, *ohi]; 0 when there are none.
 */
int column_ints_span(const column_ints *c, int64_t lo, int64_t hi, uint32_t *olo, uint32_t *ohi);

#endif
