/**
 * @file segrt/common.h
 * @brief What every part of the segrt API shares: the export macro, error
 * codes and their messages, releasing returned memory, times, and "did you
 * mean".
 *
 * Conventions of the whole API:
 *  - Handles are opaque. Every _open/_new has a _close/_free that accepts NULL.
 *  - Fallible calls return int: SEGRT_OK (0) or a negative SEGRT_E... code;
 *    outputs come last and are set to NULL/0 on failure.
 *  - segrt_errmsg() of a store gives a human-readable detail of the last
 *    failure on that handle (file:line, LMDB context). It is owned by the
 *    handle and valid until the next call on it.
 *  - Strings returned through char ** are malloc'd; release them with
 *    segrt_free(). Strings and structs passed to a callback are borrowed for
 *    the duration of that call.
 *  - Times are unix seconds (UTC). Dates are days since 1970-01-01.
 */
#ifndef SEGRT_PUBLIC_COMMON_H
#define SEGRT_PUBLIC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Marks the functions the library exports (the rest of it is hidden). */
#if defined(SEGRT_BUILDING)
#define SEGRT_API __attribute__((visibility("default")))
#else
#define SEGRT_API
#endif

/**
 * One table generates the error codes, their names and their messages:
 * X(name, code, message) for each; SEGRT_name is the code.
 */
#define SEGRT_ERRORS(X)                                                        \
    X(OK, 0, "success")                                                        \
    X(EINVAL, -1, "invalid argument")                                          \
    X(ENOMEM, -2, "out of memory")                                             \
    X(EIO, -3, "input/output error")                                           \
    X(ENOTFOUND, -4, "not found")                                              \
    X(ESTORE, -5, "store error")                                               \
    X(ECORRUPT, -6, "store is corrupt or of an unknown format")                \
    X(EBADROW, -7, "input row rejected")                                       \
    X(ESCHEMA, -8, "schema conflict")                                          \
    X(EBUSY, -9, "store is busy")                                              \
    X(ELUA, -10, "script error")

/** The error codes: SEGRT_OK (0) and the negative SEGRT_E... codes. */
enum {
#define SEGRT_ENUM_(name, code, msg) SEGRT_##name = (code),
    SEGRT_ERRORS(SEGRT_ENUM_)
#undef SEGRT_ENUM_
};

/**
 * The message of an error code.
 * @param code an error code (SEGRT_OK or SEGRT_E...)
 * @return its message ("not found"), a static string; never NULL
 */
SEGRT_API const char *segrt_strerror(int code);

/**
 * The symbolic name of an error code.
 * @param code an error code (SEGRT_OK or SEGRT_E...)
 * @return its name ("SEGRT_ENOTFOUND"), a static string; never NULL
 */
SEGRT_API const char *segrt_errname(int code);

/**
 * Release memory the library returned through a char ** out-parameter.
 * @param p what the library returned; NULL is accepted
 */
SEGRT_API void segrt_free(void *p);

/**
 * Told about one contact, by its external id.
 * @param ud the ud given with the callback
 * @param id the contact's external id (borrowed for the call)
 * @return 0 to go on; non-zero stops, and the function that called it
 *         returns that value
 */
typedef int (*segrt_id_fn)(void *ud, const char *id);

/**
 * Parse a time.
 * @param text YYYY-MM-DDTHH:MM:SSZ, or YYYY-MM-DD (midnight UTC)
 * @param out receives the time in unix seconds (0 on failure)
 * @return SEGRT_OK, or SEGRT_EINVAL when text is neither form
 */
SEGRT_API int segrt_time_parse(const char *text, int64_t *out);

/**
 * Format a time as YYYY-MM-DDTHH:MM:SSZ.
 * @param t unix seconds
 * @param out receives the text, NUL-terminated (at least 21 bytes)
 */
SEGRT_API void segrt_time_format(int64_t t, char out[21]);

/**
 * "Did you mean": the known name closest to a misspelt one, by edit
 * distance (a transposition counts as one edit), when at most a third of
 * it differs.
 * @param want the misspelt name
 * @param names the known names
 * @param n how many names there are
 * @return one of names (borrowed from the caller), or NULL when none is close
 */
SEGRT_API const char *segrt_suggest_closest(const char *want, const char *const *names,
                                            size_t n);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_COMMON_H */
