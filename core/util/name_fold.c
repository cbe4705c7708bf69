/*
 * name_fold.c — the comparison form of a name (name_fold.h).
 *
 * The name is decomposed (NFKD) and case-folded by utf8proc in one pass;
 * then the marks that follow a Latin letter go, the Latin letters Unicode
 * does not decompose are replaced, white space is collapsed, and what is
 * left is composed again (NFC), which rebuilds й from и and its breve.
 */
#include "util/name_fold.h"

#include <stdlib.h>
#include <utf8proc.h>

/* Latin letters without a decomposition, after case folding. */
static const struct {
    utf8proc_int32_t cp;
    utf8proc_int32_t to[2];
} latin_extra[] = {
    { 0x0142, { 'l', 0 } },   /* ł */
    { 0x0111, { 'd', 0 } },   /* đ */
    { 0x00F8, { 'o', 0 } },   /* ø */
    { 0x0127, { 'h', 0 } },   /* ħ */
    { 0x0167, { 't', 0 } },   /* ŧ */
    { 0x0131, { 'i', 0 } },   /* ı */
    { 0x00E6, { 'a', 'e' } }, /* æ */
    { 0x0153, { 'o', 'e' } }, /* œ */
};

static int is_latin(utf8proc_int32_t cp)
{
    return cp < 0x0250 || (cp >= 0x1E00 && cp <= 0x1EFF) || (cp >= 0x2C60 && cp <= 0x2C7F) ||
           (cp >= 0xA720 && cp <= 0xA7FF);
}

static int is_mark(utf8proc_category_t c)
{
    return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_ME;
}

static int is_space(utf8proc_int32_t cp, utf8proc_category_t c)
{
    return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL ||
           c == UTF8PROC_CATEGORY_ZP || c == UTF8PROC_CATEGORY_CC || cp == 0xFEFF;
}

/* Decompose and case-fold s into *cps (malloc'd); the count, or a utf8proc error (< 0). */
static utf8proc_ssize_t decompose(const char *s, size_t n, utf8proc_int32_t **cps)
{
    const utf8proc_option_t opt =
        UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD;
    utf8proc_ssize_t cap = (utf8proc_ssize_t)n + 8, got;
    *cps = NULL;
    for (;;) {
        utf8proc_int32_t *p = realloc(*cps, (size_t)cap * sizeof *p);
        if (p == NULL)
            return UTF8PROC_ERROR_NOMEM;
        *cps = p;
        got = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, p, cap, opt);
        if (got <= cap)
            return got;
        cap = got;
    }
}

/*
 * Copy cps[0..n) to dst (room for 2n), dropping the marks of Latin letters,
 * mapping the undecomposable ones and collapsing white space; the count.
 */
static utf8proc_ssize_t fold(const utf8proc_int32_t *cps, utf8proc_ssize_t n,
                             utf8proc_int32_t *dst)
{
    utf8proc_ssize_t out = 0;
    int after_latin = 0, space = 0;
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        utf8proc_int32_t cp = cps[i];
        utf8proc_category_t cat = utf8proc_category(cp);
        if (is_mark(cat)) {
            if (!after_latin)
                dst[out++] = cp;
            continue;
        }
        if (is_space(cp, cat)) {
            space = out > 0;
            after_latin = 0;
            continue;
        }
        if (space)
            dst[out++] = ' ';
        space = 0;
        after_latin = is_latin(cp);
        size_t k = 0;
        while (k < sizeof latin_extra / sizeof latin_extra[0] && latin_extra[k].cp != cp)
            k++;
        if (k == sizeof latin_extra / sizeof latin_extra[0]) {
            dst[out++] = cp;
            continue;
        }
        dst[out++] = latin_extra[k].to[0];
        if (latin_extra[k].to[1])
            dst[out++] = latin_extra[k].to[1];
    }
    return out;
}

int name_fold(const char *s, size_t n, buf *out)
{
    utf8proc_int32_t *cps, *folded = NULL;
    out->len = 0;
    utf8proc_ssize_t k = decompose(s, n, &cps);
    int rc = k == UTF8PROC_ERROR_NOMEM ? -1 : k < 0 ? -2 : 0;
    if (rc == 0 && (folded = malloc(((size_t)k * 2 + 1) * sizeof *folded)) == NULL)
        rc = -1;
    if (rc == 0) {
        k = fold(cps, k, folded);
        /* Compose again and encode in place: UTF-8 never needs more bytes than UTF-32. */
        utf8proc_ssize_t bytes = utf8proc_reencode(folded, k, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
        rc = bytes < 0 ? -1 : buf_put(out, folded, (size_t)bytes);
    }
    free(folded);
    free(cps);
    return rc;
}
