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

_Static_assert(IMPORT_MEMO_SETS == 64, "set_of keeps 6 bits of its mix");

/* The set of a text of n bytes (1..IMPORT_MEMO_TEXT) whose first 8 are head. */
static unsigned set_of(uint64_t head, const char *p, size_t n)
{
    uint64_t tail = 0;
    if (n > 8)
        memcpy(&tail, p + n - 8, 8); /* overlaps head when n < 16 */
    uint64_t mix = (head ^ (tail << 29 | tail >> 35) ^ n) * 0x9E3779B97F4A7C15ull;
    return (unsigned)(mix >> 58); /* the top 6 bits: IMPORT_MEMO_SETS is 64 */
}

uint32_t import_memo_find(const import_memo *m, const char *p, size_t n)
{
    if (n == 0 || n > IMPORT_MEMO_TEXT)
        return 0;
    uint64_t head = head_of(p, n);
    const import_memo_slot *set = m->slot[set_of(head, p, n)];
    for (size_t i = 0; i < 2; i++) {
        if (set[i].head == head && set[i].len == n &&
            (n <= 8 || memcmp(set[i].text + 8, p + 8, n - 8) == 0))
            return set[i].code;
    }
    return 0;
}

void import_memo_put(import_memo *m, const char *p, size_t n, uint32_t code)
{
    if (n == 0 || n > IMPORT_MEMO_TEXT || code == 0)
        return;
    uint64_t head = head_of(p, n);
    unsigned set = set_of(head, p, n);
    import_memo_slot *slot = &m->slot[set][m->older[set]];
    m->older[set] ^= 1;
    slot->head = head;
    slot->len = (uint8_t)n;
    memcpy(slot->text, p, n);
    slot->code = code;
}

void import_memo_clear(import_memo *m)
{
    memset(m, 0, sizeof *m);
}
