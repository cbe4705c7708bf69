/*
 * suggest.h — "did you mean": the closest known name to a misspelt one.
 */
#ifndef SEGRT_SUGGEST_H
#define SEGRT_SUGGEST_H

#include <stddef.h>

/* The closest of names to want (edit distance), or NULL when none is close. */
const char *suggest_closest(const char *want, const char *const *names, size_t n);

#endif
