/*
 * utf8.c — strict UTF-8 validation (utf8.h).
 *
 * Follows the well-formed byte sequences of Unicode table 3-7: the range of
 * the second byte rules out overlongs (E0, F0), surrogates (ED) and code
 * points above U+10FFFF (F4); C0, C1 and F5..FF never start a sequence.
 * Uses only the C library.
 */
#include "util/utf8.h"

#include <stdint.h>
#include <string.h>

#define HIGH_BITS 0x8080808080808080ull

/*
 * Length of the well-formed sequence at p[0..n) whose first byte is >= 0x80,
 * or 0 when it is ill-formed or cut short.
 */
static size_t sequence_length(const unsigned char *p, size_t n)
{
    unsigned char c = p[0], lo = 0x80, hi = 0xBF;
    size_t len;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    }
    return len;
}

/*
 * 1 when p[0..n) is all ASCII. The words are ORed with no branch, the last
 * one overlapping, since most texts (a CSV record) are ASCII throughout.
 */
static int all_ascii(const unsigned char *p, size_t n)
{
    uint64_t acc = 0, w;
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            acc |= p[i];
        return (acc & 0x80) == 0;
    }
    for (size_t i = 0; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        acc |= w;
    }
    memcpy(&w, p + n - 8, 8);
    return ((acc | w) & HIGH_BITS) == 0;
}

size_t utf8_invalid_at(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    if (all_ascii(p, n))
        return n;
    while (i < n) {
        if (n - i >= 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if ((w & HIGH_BITS) == 0) {
                i += 8;
                continue;
            }
        }
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t len = sequence_length(p + i, n - i);
        if (len == 0)
            return i;
        i += len;
    }
    return n;
}
