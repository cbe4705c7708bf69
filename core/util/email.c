/*
 * email.c — e-mail normalisation (email.h).
 */
#include "util/email.h"

#include <inttypes.h>
#include <stdio.h>
#include <utf8proc.h>
#include <xxhash.h>

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

int email_normalize(const char *s, size_t n, buf *out)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end && is_space(*p))
        p++;
    while (end > p && is_space(end[-1]))
        end--;
    out->len = 0;
    if (buf_reserve(out, (size_t)(end - p) * 2 + 4) != 0)
        return -1;
    while (p < end) {
        if (*p < 0x80) {
            unsigned char c = *p++;
            out->p[out->len++] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p, end - p, &cp);
        if (k <= 0) { /* callers validate UTF-8 first; keep the byte as is */
            out->p[out->len++] = *p++;
            continue;
        }
        p += k;
        if (buf_reserve(out, 4) != 0)
            return -1;
        out->len += (size_t)utf8proc_encode_char(utf8proc_tolower(cp), out->p + out->len);
    }
    return 0;
}

int email_plausible(const char *s, size_t n)
{
    size_t at = n;
    for (size_t i = 0; i < n; i++) {
        if (is_space((unsigned char)s[i]))
            return 0;
        if (s[i] == '@') {
            if (at != n)
                return 0;
            at = i;
        }
    }
    return at > 0 && at + 1 < n;
}

int email_id(const char *s, size_t n, buf *scratch, char out[EMAIL_ID_BYTES])
{
    scratch->len = 0;
    out[0] = '\0';
    if (email_normalize(s, n, scratch) != 0)
        return -1;
    if (scratch->len == 0)
        return 0;
    uint64_t h = XXH64(scratch->p, scratch->len, 0);
    return snprintf(out, EMAIL_ID_BYTES, "e:%016" PRIx64, h);
}
