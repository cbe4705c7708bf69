/*
 * import_memo.h — the last few strings a column interned, with their codes.
 *
 * An event's type, category and channel and a consent's purpose and source
 * take a handful of values, row after row: a memo hit costs a few compares
 * where the dictionary costs a hash of the text, a probe and, for a type or
 * purpose, the check of the name again. An entry was checked when it was
 * put, and its code is the dictionary's for as long as that dictionary is
 * loaded: import.c clears every memo when it frees the dictionaries.
 */
#ifndef SEGRT_IMPORT_MEMO_H
#define SEGRT_IMPORT_MEMO_H

#include <stddef.h>
#include <stdint.h>

#define IMPORT_MEMO_SLOTS 8
#define IMPORT_MEMO_TEXT 23 /* longer strings are not kept */

typedef struct import_memo {
    struct {
        uint64_t head; /* the text's first 8 bytes, zero-padded: most compares end here */
        uint8_t len;   /* 0: an empty slot (an empty string is never interned) */
        char text[IMPORT_MEMO_TEXT];
        uint32_t code;
    } slot[IMPORT_MEMO_SLOTS];
    unsigned next; /* the slot the next put takes, round robin */
} import_memo;

/* The code kept for p[0..n), or 0 when m does not hold it. */
uint32_t import_memo_find(const import_memo *m, const char *p, size_t n);
/* Keep p[0..n) with code (nonzero), in place of the oldest entry; a long text is not kept. */
void import_memo_put(import_memo *m, const char *p, size_t n, uint32_t code);
void import_memo_clear(import_memo *m);

#endif
