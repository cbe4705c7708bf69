/*
 * import_decode.c — an input in another character encoding (cp1250,
 * ISO-8859-2, ...) converted to UTF-8 before the CSV or JSONL reader sees it.
 *
 * Uses glibc's iconv; an invalid byte is reported at its file:line.
 */
#include "import/import.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

/* The physical line (1-based) of in[at]. */
static unsigned long long line_of(const char *in, size_t at)
{
    unsigned long long line = 1;
    for (const char *p = in; (p = memchr(p, '\n', (size_t)(in + at - p))) != NULL; p++)
        line++;
    return line;
}

int import_decode(segrt_store *s, const char *file, const char *encoding, const char *in,
                  size_t len, char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    iconv_t cd = iconv_open("UTF-8", encoding);
    if (cd == (iconv_t)-1)
        return store_fail(s, SEGRT_EINVAL, "unknown encoding '%s'", encoding);
    size_t cap = len * 2 + 16, used = 0; /* most single-byte text needs at most twice */
    char *dst = malloc(cap);
    char *ip = (char *)in;
    size_t ileft = len;
    int rc = dst ? SEGRT_OK : store_fail(s, SEGRT_ENOMEM, "out of memory decoding %s", file);
    while (rc == SEGRT_OK && ileft > 0) {
        char *op = dst + used;
        size_t oleft = cap - used;
        size_t r = iconv(cd, &ip, &ileft, &op, &oleft);
        used = (size_t)(op - dst);
        if (r != (size_t)-1)
            break;
        if (errno == E2BIG) {
            char *bigger = realloc(dst, cap * 2);
            if (bigger == NULL)
                rc = store_fail(s, SEGRT_ENOMEM, "out of memory decoding %s", file);
            dst = bigger ? bigger : dst;
            cap *= 2;
            continue;
        }
        size_t at = (size_t)(ip - in);
        rc = store_fail(s, SEGRT_EINVAL, "%s:%llu: byte 0x%02x is not valid %s%s", file,
                        line_of(in, at), (unsigned char)in[at], encoding,
                        errno == EINVAL ? " (the file ends inside a character)" : "");
    }
    iconv_close(cd);
    if (rc != SEGRT_OK) {
        free(dst);
        return rc;
    }
    /* A NUL after the text, as a mapped file has: C-string readers of the header
     * (strndup) stop there. */
    if (used == cap) {
        char *bigger = realloc(dst, cap + 1);
        if (bigger == NULL) {
            free(dst);
            return store_fail(s, SEGRT_ENOMEM, "out of memory decoding %s", file);
        }
        dst = bigger;
    }
    dst[used] = '\0';
    *out = dst;
    *out_len = used;
    return SEGRT_OK;
}
