/*
 * import_memo.h — strings a column interned lately, with their codes.
 *
 * An event's type, category and channel and a consent's purpose and source
 * take a few dozen values at most, row after row: a memo hit costs one or two
 * compares where the dictionary costs a hash of the text, a probe and, for a
 * type or purpose, the check of the name again. A text's set is picked by its
 * length and first and last 8 bytes, so that the bench data's 18 categories
 * all stay (8 slots taken in turn kept none of them). An entry was checked
 * when it was put, and its code is the dictionary's for as long as that
 * dictionary is loaded: import.c clears every memo when it frees the
 * dictionaries.
 */
#ifndef SEGRT_IMPORT_MEMO_H
#define SEGRT_IMPORT_MEMO_H

#include <stddef.h>
#include <stdint.h>

#define IMPORT_MEMO_SETS 64 /* of two slots each: a text can be in its set's two only */
#define IMPORT_MEMO_TEXT 23 /* longer strings are not kept */

typedef struct import_memo_slot {
    uint64_t head; /* the text's first 8 bytes, zero-padded: most compares end here */
    uint8_t len;   /* 0: an empty slot (an empty string is never interned) */
    char text[IMPORT_MEMO_TEXT];
    uint32_t code;
} import_memo_slot;

typedef struct import_memo {
    import_memo_slot slot[IMPORT_MEMO_SETS][2];
    uint8_t older[IMPORT_MEMO_SETS]; /* the slot of each set the next put there takes */
} import_memo;

/* The code kept for p[0..n), or 0 when m does not hold it. */
uint32_t import_memo_find(const import_memo *m, const char *p, size_t n);
/*
 * Keep p[0..n) with code (nonzero), in place of the older entry of its set;
 * a long text is not kept.
 */
void import_memo_put(import_memo *m, const char *p, size_t n, uint32_t code);
void import_memo_clear(import_memo *m);

#endif
