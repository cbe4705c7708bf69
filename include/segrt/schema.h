/**
 * @file segrt/schema.h
 * @brief Contact fields and their types: declaring a field, listing the
 * fields and the values of a string field.
 */
#ifndef SEGRT_PUBLIC_SCHEMA_H
#define SEGRT_PUBLIC_SCHEMA_H

#include "segrt/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The types of contact fields. */
typedef enum segrt_type {
    SEGRT_T_INTEGER = 1,
    SEGRT_T_NUMBER,    /**< exact decimal, up to 6 fractional digits */
    SEGRT_T_STRING,    /**< categorical string */
    SEGRT_T_BOOLEAN,
    SEGRT_T_DATE,      /**< YYYY-MM-DD */
    SEGRT_T_TIMESTAMP, /**< YYYY-MM-DDTHH:MM:SSZ */
    SEGRT_T_SET        /**< string set: a;b;c in CSV, an array in JSONL */
} segrt_type;

/**
 * The name of a type.
 * @param t a type
 * @return its name ("integer"), a static string, or NULL for an unknown value
 */
SEGRT_API const char *segrt_type_name(segrt_type t);

/**
 * Parse a type name.
 * @param name "integer", "number", "string", "boolean", "date", "timestamp" or "set"
 * @param out receives the type
 * @return SEGRT_OK, or SEGRT_EINVAL when the name is unknown
 */
SEGRT_API int segrt_type_parse(const char *name, segrt_type *out);

/**
 * Declare a contact field with a type before importing it. Declaring an
 * existing field with the same type is a no-op.
 * @param s the store
 * @param name the field's name
 * @param type its type
 * @return SEGRT_OK, SEGRT_ESCHEMA when the field exists with another type,
 *         or another error code
 */
SEGRT_API int segrt_field_declare(segrt_store *s, const char *name, segrt_type type);

/**
 * Call @p fn for each contact field in declaration order.
 * @param s the store
 * @param fn called with @p ud, the field's name (borrowed for the call), its
 *        type and the number of contacts that have a value; a non-zero
 *        return stops the iteration
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, or an error code
 */
SEGRT_API int segrt_fields(segrt_store *s,
                           int (*fn)(void *ud, const char *name, segrt_type type,
                                     uint64_t present),
                           void *ud);

/**
 * Call @p fn for each distinct value of a string field, most frequent first.
 * @param s the store
 * @param name the field
 * @param fn called with @p ud, the value (borrowed for the call) and the
 *        number of contacts that have it; a non-zero return stops the iteration
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, or an error code
 */
SEGRT_API int segrt_field_value_counts(segrt_store *s, const char *name,
                                       int (*fn)(void *ud, const char *value, uint64_t n),
                                       void *ud);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_SCHEMA_H */
