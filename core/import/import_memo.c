/*
 * import_memo.c — a column's recently interned strings (import_memo.h).
 */
#include "import/import_memo.h"

#include <string.h>

uint32_t import_memo_find(const import_memo *m, const char *p, size_t n)
{
    for (size_t i = 0; i < IMPORT_MEMO_SLOTS; i++) {
        if (m->slot[i].len == n && n && memcmp(m->slot[i].text, p, n) == 0)
            return m->slot[i].code;
    }
    return 0;
}

void import_memo_put(import_memo *m, const char *p, size_t n, uint32_t code)
{
    if (n == 0 || n > IMPORT_MEMO_TEXT || code == 0)
        return;
    unsigned i = m->next++ % IMPORT_MEMO_SLOTS;
    m->slot[i].len = (uint8_t)n;
    memcpy(m->slot[i].text, p, n);
    m->slot[i].code = code;
}

void import_memo_clear(import_memo *m)
{
    memset(m, 0, sizeof *m);
}
