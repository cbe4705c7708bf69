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

/** A number value is held exactly in micro-units: 12.5 is 12500000. */
#define SEGRT_NUMBER_SCALE 1000000

/** Bytes segrt_value_format() may write, its NUL included. */
#define SEGRT_VALUE_TEXT_MAX 32

/**
 * Format a field value as an import reads it.
 * @param type SEGRT_T_INTEGER, SEGRT_T_NUMBER (the value in micro-units,
 *        written as the shortest exact decimal: 12.5, 3, -0.000001),
 *        SEGRT_T_BOOLEAN (true or false), SEGRT_T_DATE (the value in days
 *        since 1970-01-01, written YYYY-MM-DD) or SEGRT_T_TIMESTAMP (unix
 *        seconds, written YYYY-MM-DDTHH:MM:SSZ); years outside 0000..9999
 *        get a '-' sign or more digits
 * @param v the value
 * @param out receives the text, NUL-terminated (SEGRT_VALUE_TEXT_MAX bytes)
 * @return the length written; 0, with "" written, for another type or a
 *         date beyond years +-999999
 */
SEGRT_API size_t segrt_value_format(segrt_type type, int64_t v, char out[SEGRT_VALUE_TEXT_MAX]);

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
 * Told about one contact field.
 * @param ud the ud given with the callback
 * @param name the field's name (borrowed for the call)
 * @param type its type
 * @param present the number of contacts that have a value
 * @return 0 to go on; non-zero stops the iteration, which returns it
 */
typedef int (*segrt_field_fn)(void *ud, const char *name, segrt_type type, uint64_t present);

/**
 * Call @p fn for each contact field in declaration order.
 * @param s the store
 * @param fn called for each field
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, or an error code
 */
SEGRT_API int segrt_fields_foreach(segrt_store *s, segrt_field_fn fn, void *ud);

/**
 * Type an extra event attribute (beyond ts, type, amount, category, channel
 * and event_id) before importing it; otherwise the first import that meets
 * it types it from its values. Every later value must read as that type.
 * Typing an attribute again with the same type is a no-op.
 * @param s the store
 * @param path the attribute: a name, or names joined by '.' for a key of a
 *        nested JSON object ("campaign.id")
 * @param type any type but SEGRT_T_SET
 * @return SEGRT_OK, SEGRT_ESCHEMA when it has another type, SEGRT_EINVAL for
 *         a bad path or type, or another error code
 */
SEGRT_API int segrt_event_attr_declare(segrt_store *s, const char *path, segrt_type type);

/**
 * Told about one extra event attribute.
 * @param ud the ud given with the callback
 * @param path its dotted path (borrowed for the call)
 * @param type its type
 * @return 0 to go on; non-zero stops the iteration, which returns it
 */
typedef int (*segrt_event_attr_fn)(void *ud, const char *path, segrt_type type);

/**
 * Call @p fn for each extra event attribute of the store, in path order.
 * @param s the store
 * @param fn called for each attribute
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, or an error code
 */
SEGRT_API int segrt_event_attrs_foreach(segrt_store *s, segrt_event_attr_fn fn, void *ud);

/**
 * Told about one value of a string field.
 * @param ud the ud given with the callback
 * @param value the value (borrowed for the call)
 * @param n the number of contacts that have it
 * @return 0 to go on; non-zero stops the iteration, which returns it
 */
typedef int (*segrt_field_value_fn)(void *ud, const char *value, uint64_t n);

/**
 * Call @p fn for each distinct value of a string field, most frequent first.
 * @param s the store
 * @param name the field
 * @param fn called for each value
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, or an error code
 */
SEGRT_API int segrt_field_values_foreach(segrt_store *s, const char *name,
                                         segrt_field_value_fn fn, void *ud);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_SCHEMA_H */
