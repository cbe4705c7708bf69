/*
 * buf.h — a growable byte buffer and LEB128 varints, for encoding records;
 * formatted text appended to a buffer (buf_printf, in buf.c).
 *
 * Uses: array.h (the buffer grows as any array does, from BUF_MIN bytes).
 */
#ifndef SEGRT_BUF_H
#define SEGRT_BUF_H

#include "util/array.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf {
    unsigned char *p;
    size_t len, cap;
} buf;

/* The capacity of a buffer's first allocation. */
#define BUF_MIN 256

/* Make room for n more bytes; -1 when out of memory (or len + n overflows). */
static inline int buf_reserve(buf *b, size_t n)
{
    if (n > SIZE_MAX - b->len)
        return -1;
    size_t want = b->len + n;
    return ARRAY_RESERVE(b->p, b->cap, want > BUF_MIN ? want : BUF_MIN);
}

static inline int buf_put(buf *b, const void *data, size_t n)
{
    if (buf_reserve(b, n) != 0)
        return -1;
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    return 0;
}

/*
 * Append printf-style text (without its terminating NUL, which is written
 * past len when there is room) to b; -1 when out of memory or the format
 * fails, with b's contents as they were.
 */
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline int buf_put_varint(buf *b, uint64_t v)
{
    if (buf_reserve(b, 10) != 0)
        return -1;
    while (v >= 0x80) {
        b->p[b->len++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    b->p[b->len++] = (unsigned char)v;
    return 0;
}

static inline uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/*
 * v as a zigzag delta from a value before it, and back: wrapping arithmetic,
 * so that the delta of any two int64 values round-trips.
 */
static inline uint64_t zigzag_delta(int64_t v, int64_t from)
{
    return zigzag((int64_t)((uint64_t)v - (uint64_t)from));
}

static inline int64_t unzigzag_delta(uint64_t z, int64_t from)
{
    return (int64_t)((uint64_t)from + (uint64_t)unzigzag(z));
}

/* Read a varint from *p (bounded by end); -1 on truncation or overflow. */
static inline int get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    uint64_t r = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (*p >= end)
            return -1;
        unsigned char c = *(*p)++;
        r |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = r;
            return 0;
        }
    }
    return -1;
}

/* A run of bytes inside a record being decoded: borrowed from the record's bytes. */
typedef struct buf_view {
    const unsigned char *p;
    size_t n;
} buf_view;

/* Append a blob: varint length, then the bytes. */
static inline int buf_put_blob(buf *b, const void *p, size_t n)
{
    return buf_put_varint(b, n) || buf_put(b, p, n) ? -1 : 0;
}

/* Read a blob from *p (bounded by end) into *out, pointing into the input; -1 when truncated. */
static inline int get_blob(const unsigned char **p, const unsigned char *end, buf_view *out)
{
    uint64_t n;
    if (get_varint(p, end, &n) != 0 || n > (uint64_t)(end - *p))
        return -1;
    out->p = *p;
    out->n = (size_t)n;
    *p += n;
    return 0;
}

/* Read a varint that must fit 32 bits; -1 when truncated or larger. */
static inline int get_u32(const unsigned char **p, const unsigned char *end, uint32_t *v)
{
    uint64_t n;
    if (get_varint(p, end, &n) != 0 || n > UINT32_MAX)
        return -1;
    *v = (uint32_t)n;
    return 0;
}

static inline void buf_free(buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

#endif
