/*
 * utf8.h — UTF-8 validation (RFC 3629: no overlongs, no surrogates, at most
 * U+10FFFF) with an ASCII fast path.
 */
#ifndef SEGRT_UTF8_H
#define SEGRT_UTF8_H

#include <stddef.h>

/* Offset of the first invalid byte in s[0..n), or n when s is valid UTF-8. */
size_t utf8_invalid_at(const char *s, size_t n);

#endif
