/*
 * column_scalar.h — a stored chunk of a scalar field's column read one way,
 * whatever its type and form: a string's codes (column.h, wide or narrow)
 * or a number's values (column_ints.h, wide or packed), each row an int64
 * that is a code or a value, VALUE_MISSING when the contact has none.
 *
 * Uses: column.h, column_ints.h, value.h.
 */
#ifndef SEGRT_COLUMN_SCALAR_H
#define SEGRT_COLUMN_SCALAR_H

#include "store/column.h"
#include "store/column_ints.h"
#include "util/value.h"

typedef struct column_scalar {
    int is_string;
    column_codes codes; /* a string's */
    column_ints ints;   /* a number's */
} column_scalar;

/* View the stored chunk v of a field of type t (not a set); -1 when its size is no form of t. */
static inline int column_scalar_of(const MDB_val *v, segrt_type t, column_scalar *out)
{
    *out = (column_scalar){ .is_string = t == SEGRT_T_STRING };
    return out->is_string ? column_codes_of(v, &out->codes) : column_ints_of(v, &out->ints);
}

/* Row i (below COL_CHUNK_ROWS): a code or a value, VALUE_MISSING when absent. */
static inline int64_t column_scalar_at(const column_scalar *c, uint32_t i)
{
    if (!c->is_string)
        return column_int_at(&c->ints, i);
    uint32_t code = column_code_at(&c->codes, i);
    return code ? (int64_t)code : VALUE_MISSING;
}

#endif
