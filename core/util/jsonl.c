/*
 * jsonl.c — JSON Lines reader over a memory buffer (jsonl.h).
 *
 * Uses jansson to parse each line and utf8.h to validate it first, so that
 * an encoding error names the offending byte.
 */
#include "util/jsonl.h"

#include "util/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jsonl_reader_init(jsonl_reader *r, const char *buf, size_t len, uint64_t first_line)
{
    memset(r, 0, sizeof *r);
    r->pos = buf;
    r->end = buf + len;
    r->line = first_line;
}

void jsonl_reader_free(jsonl_reader *r)
{
    json_decref(r->obj);
    r->obj = NULL;
}

static int is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return 0;
    }
    return 1;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    case JSON_OBJECT: break;
    }
    return "an object";
}

/* 1-based column, in characters like jansson's, of the byte after valid p[0..n). */
static size_t char_column(const char *p, size_t n)
{
    size_t col = 1;
    for (size_t i = 0; i < n; i++)
        col += ((unsigned char)p[i] & 0xC0) != 0x80;
    return col;
}

/* Parse one line (without its LF; JSON takes a CR before it as whitespace). */
static jsonl_status parse_line(jsonl_reader *r, const char *p, size_t n)
{
    size_t bad = utf8_invalid_at(p, n);
    if (bad < n) {
        snprintf(r->err, sizeof r->err, "not valid UTF-8 (byte 0x%02x at column %zu)",
                 (unsigned char)p[bad], char_column(p, bad));
        return JSONL_BAD_ROW;
    }
    json_error_t jerr;
    json_t *v = json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (v == NULL) {
        snprintf(r->err, sizeof r->err, "not valid JSON at column %d: %.120s", jerr.column,
                 jerr.text);
        return JSONL_BAD_ROW;
    }
    if (!json_is_object(v)) {
        snprintf(r->err, sizeof r->err, "not a JSON object (found %s)", type_name(v));
        json_decref(v);
        return JSONL_BAD_ROW;
    }
    r->obj = v;
    return JSONL_ROW;
}

jsonl_status jsonl_next(jsonl_reader *r, uint64_t *line)
{
    json_decref(r->obj);
    r->obj = NULL;
    r->err[0] = '\0';
    *line = r->line;
    while (r->pos < r->end) {
        const char *p = r->pos;
        const char *nl = memchr(p, '\n', (size_t)(r->end - p));
        const char *eol = nl != NULL ? nl : r->end;
        size_t n = (size_t)(eol - p);
        *line = r->line;
        r->pos = nl != NULL ? nl + 1 : r->end;
        r->line++;
        if (is_blank(p, n))
            continue;
        return parse_line(r, p, n);
    }
    return JSONL_END;
}

/*
 * A real in the fewest significant digits that read back as the same
 * double, so 10.1 is "10.1" rather than "10.099999999999999645".
 */
static const char *format_real(jsonl_reader *r, double d, size_t *len)
{
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(r->num, sizeof r->num, "%.*g", prec, d);
        if (strtod(r->num, NULL) == d)
            break;
    }
    *len = (size_t)n;
    return r->num;
}

const char *jsonl_scalar_text(jsonl_reader *r, json_t *v, size_t *len, int *is_composite)
{
    *len = 0;
    *is_composite = 0;
    if (v == NULL)
        return NULL;
    switch (json_typeof(v)) {
    case JSON_STRING:
        *len = json_string_length(v);
        return json_string_value(v);
    case JSON_INTEGER:
        *len = (size_t)snprintf(r->num, sizeof r->num, "%" JSON_INTEGER_FORMAT,
                                json_integer_value(v));
        return r->num;
    case JSON_REAL:
        return format_real(r, json_real_value(v), len);
    case JSON_TRUE:
        *len = 4;
        return "true";
    case JSON_FALSE:
        *len = 5;
        return "false";
    case JSON_ARRAY:
    case JSON_OBJECT:
        *is_composite = 1;
        return NULL;
    case JSON_NULL:
        break;
    }
    return NULL;
}
