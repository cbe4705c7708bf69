/*
 * jsonl.h — a JSON Lines reader over a memory buffer, on top of jansson.
 *
 * Provides: jsonl_reader, jsonl_next(). Uses: jansson, utf8.h.
 *
 * Each non-blank line holds one JSON object; CRLF or LF. A line that is not
 * valid JSON, not an object, or not valid UTF-8 is reported as bad and the
 * reader goes on with the next line.
 */
#ifndef SEGRT_JSONL_H
#define SEGRT_JSONL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct jsonl_reader {
    const char *pos, *end;
    uint64_t line;   /* physical line of pos */
    json_t *obj;     /* current object, owned by the reader until the next call */
    char err[160];   /* bad line: reason */
    char num[32];    /* jsonl_scalar_text(): the last number formatted */
} jsonl_reader;

typedef enum jsonl_status { JSONL_ROW, JSONL_BAD_ROW, JSONL_END } jsonl_status;

void jsonl_reader_init(jsonl_reader *r, const char *buf, size_t len, uint64_t first_line);
void jsonl_reader_free(jsonl_reader *r);
/* Next object in r->obj; *line = its physical line. */
jsonl_status jsonl_next(jsonl_reader *r, uint64_t *line);
/*
 * The text of a scalar member as CSV would carry it: strings as is, integers
 * and reals in decimal, true/false, NULL for null/absent. *len is set.
 * Arrays and objects return NULL and set *is_composite. The pointer is
 * valid until the next call on the same reader.
 */
const char *jsonl_scalar_text(jsonl_reader *r, json_t *v, size_t *len, int *is_composite);

#endif
