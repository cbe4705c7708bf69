/*
 * import_memo.c — a column's recently interned strings (import_memo.h).
 */
#include "import/import_memo.h"

#include <string.h>

/* The first 8 bytes of p[0..n), zero-padded, as one number (a short text's whole). */
static uint64_t head_of(const char *p, size_t n)
{
    uint64_t h = 0;
    if (n >= sizeof h) {
        memcpy(&h, p, sizeof h);
        return h;
    }
    for (size_t k = 0; k < n; k++)
        h |= (uint64_t)(unsigned char)p[k] << (8 * k);
    return h;
}

uint32_t import_memo_find(const import_memo *m, const char *p, size_t n)
{
    if (n == 0 || n > IMPORT_MEMO_TEXT)
        return 0;
    uint64_t head = head_of(p, n);
    for (size_t i = 0; i < IMPORT_MEMO_SLOTS; i++) {
        if (m->slot[i].head == head && m->slot[i].len == n &&
            (n <= 8 || memcmp(m->slot[i].text + 8, p + 8, n - 8) == 0))
            return m->slot[i].code;
    }
    return 0;
}

void import_memo_put(import_memo *m, const char *p, size_t n, uint32_t code)
{
    if (n == 0 || n > IMPORT_MEMO_TEXT || code == 0)
        return;
    unsigned i = m->next++ % IMPORT_MEMO_SLOTS;
    m->slot[i].head = head_of(p, n);
    m->slot[i].len = (uint8_t)n;
    memcpy(m->slot[i].text, p, n);
    m->slot[i].code = code;
}

void import_memo_clear(import_memo *m)
{
    memset(m, 0, sizeof *m);
}
