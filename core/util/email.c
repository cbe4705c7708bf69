/*
 * email.c — e-mail normalisation (email.h).
 */
#include "util/email.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
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

/* RFC 5322 atext, and (RFC 6531) any byte of a UTF-8 sequence. */
static int is_atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c >= 0x80 || (c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* A dot-atom: atoms of atext joined by single dots. */
static int dot_atom(const unsigned char *p, size_t n)
{
    int atom = 0; /* bytes in the current atom */
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '.' && atom == 0)
            return 0; /* leading or doubled dot */
        if (p[i] == '.')
            atom = 0;
        else if (is_atext(p[i]))
            atom++;
        else
            return 0;
    }
    return atom > 0; /* not empty, no trailing dot */
}

/* A quoted-string: printable ASCII (or UTF-8) but '"' and '\\', or a '\\'-quoted one. */
static int quoted_string(const unsigned char *p, size_t n)
{
    if (n < 2 || p[0] != '"' || p[n - 1] != '"')
        return 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (p[i] == '\\' && i + 2 < n && p[i + 1] >= 0x20 && p[i + 1] < 0x7f)
            i++;
        else if (p[i] == '"' || p[i] == '\\' || p[i] < 0x20 || p[i] == 0x7f)
            return 0;
    }
    return 1;
}

/* A domain-literal: [ dtext ] (printable ASCII but [ ] \\ and space). */
static int domain_literal(const unsigned char *p, size_t n)
{
    if (n < 3 || p[0] != '[' || p[n - 1] != ']')
        return 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (p[i] <= 0x20 || p[i] >= 0x7f || p[i] == '[' || p[i] == ']' || p[i] == '\\')
            return 0;
    }
    return 1;
}

int email_plausible(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    if (n == 0 || n > EMAIL_MAX_BYTES)
        return 0;
    size_t at = n;
    while (at > 0 && p[at - 1] != '@') /* the last '@': a quoted local part may hold one */
        at--;
    if (at == 0)
        return 0;
    size_t local = at - 1, domain = n - at;
    return local > 0 && local <= EMAIL_MAX_LOCAL && domain > 0 &&
           (dot_atom(p, local) || quoted_string(p, local)) &&
           (dot_atom(p + at, domain) || domain_literal(p + at, domain));
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
