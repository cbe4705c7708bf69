/*
 * csv.c — strict RFC 4180 record reader over a memory buffer (csv.h).
 *
 * Fields point into the buffer unless they are quoted with "" escapes; those
 * are unescaped into the reader's scratch buffer. Uses utf8.h to validate
 * each record, array.h and buf.h for the fields and the scratch buffer.
 */
#include "util/csv.h"

#include "util/array.h"
#include "util/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

void csv_reader_init(csv_reader *r, const char *data, size_t len, uint64_t first_line,
                     size_t max_field)
{
    memset(r, 0, sizeof *r);
    r->pos = data;
    r->end = data + len;
    r->line = first_line;
    r->max_field = max_field;
    r->err_col = -1;
    csv_set_delimiter(r, ',');
}

void csv_set_delimiter(csv_reader *r, char delim)
{
    memset(r->special, 0, sizeof r->special);
    r->special['\n'] = r->special['\r'] = r->special['"'] = 1;
    r->special[(unsigned char)delim] = 1;
    r->delim = delim;
    r->blk_len = 0; /* the block's bits were for the old delimiter */
}

void csv_reader_free(csv_reader *r)
{
    free(r->fields);
    buf_free(&r->scratch);
    r->fields = NULL;
    r->nfields = r->fields_cap = 0;
}

static csv_field *push_field(csv_reader *r)
{
    if (ARRAY_RESERVE(r->fields, r->fields_cap, r->nfields + 1) != 0)
        return NULL;
    return &r->fields[r->nfields++];
}

static uint64_t count_newlines(const char *p, const char *end)
{
    uint64_t n = 0;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    while (nl != NULL) {
        n++;
        nl = memchr(nl + 1, '\n', (size_t)(end - nl - 1));
    }
    return n;
}

/* Position after the first newline at or after p (or end), counting it. */
static const char *skip_line(csv_reader *r, const char *p)
{
    const char *nl = memchr(p, '\n', (size_t)(r->end - p));
    if (nl == NULL)
        return r->end;
    r->line++;
    return nl + 1;
}

static void set_error(csv_reader *r, size_t col, const char *msg)
{
    r->err_col = (int)col;
    snprintf(r->err, sizeof r->err, "%s", msg);
}

/* Bit i set: p[i] ends the tight scan of an unquoted field; n <= 64, one byte at a time. */
static uint64_t special_bits_slow(const csv_reader *r, const char *p, size_t n)
{
    uint64_t bits = 0;
    for (size_t i = 0; i < n; i++)
        bits |= (uint64_t)r->special[(unsigned char)p[i]] << i;
    return bits;
}

#ifdef __SSE2__
/* The same for 64 readable bytes, 16 at a time: the four special bytes compared at once. */
static uint64_t special_bits_64(const csv_reader *r, const char *p)
{
    const __m128i delim = _mm_set1_epi8(r->delim), lf = _mm_set1_epi8('\n'),
                  cr = _mm_set1_epi8('\r'), quote = _mm_set1_epi8('"');
    uint64_t bits = 0;
    for (unsigned i = 0; i < 4; i++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, delim), _mm_cmpeq_epi8(x, lf)),
                                   _mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, quote)));
        bits |= (uint64_t)(uint32_t)_mm_movemask_epi8(hit) << (16 * i);
    }
    return bits;
}
#else
static uint64_t special_bits_64(const csv_reader *r, const char *p)
{
    return special_bits_slow(r, p, 64);
}
#endif

/* Describe the (up to) 64 bytes from p, p < end, in the reader's block. */
static void load_block(csv_reader *r, const char *p)
{
    size_t left = (size_t)(r->end - p);
    r->blk = p;
    r->blk_len = left < 64 ? left : 64;
    r->blk_special = left < 64 ? special_bits_slow(r, p, left) : special_bits_64(r, p);
}

/*
 * The first special byte at or after p, or end. A block's bits serve every
 * field in it: fields are short, so most take one shift and one count.
 */
static const char *next_special(csv_reader *r, const char *p)
{
    for (;;) {
        size_t off = (size_t)((uintptr_t)p - (uintptr_t)r->blk); /* huge when p is before blk */
        if (off < r->blk_len) {
            uint64_t bits = r->blk_special >> off;
            if (bits != 0)
                return p + __builtin_ctzll(bits);
            p = r->blk + r->blk_len;
        }
        if (p >= r->end)
            return r->end;
        load_block(r, p);
    }
}

/*
 * End of the unquoted field starting at p: the delimiter, LF, CRLF, a quote
 * (which makes the record bad) or the end of the buffer. A CR not followed by
 * LF is data.
 */
static const char *scan_unquoted(csv_reader *r, const char *p, const char *end)
{
    for (;;) {
        p = next_special(r, p);
        if (p == end || *p != '\r' || (p + 1 < end && p[1] == '\n'))
            return p;
        p++;
    }
}

static int ends_field(const csv_reader *r, const char *p, const char *end)
{
    return p == end || *p == r->delim || *p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n');
}

typedef enum { QUOTED_OK, QUOTED_UNTERMINATED, QUOTED_NOMEM } quoted_result;

/*
 * The quoted field whose opening quote is at *pp; on QUOTED_OK *pp is left
 * after the closing quote. A field with "" escapes is appended to scratch
 * and gets a NULL ptr until the record is complete, since scratch may move.
 */
static quoted_result read_quoted(csv_reader *r, csv_field *f, const char **pp)
{
    const char *start = *pp + 1, *seg = start;
    size_t scratch_start = r->scratch.len;
    int escaped = 0;
    for (;;) {
        const char *q = memchr(seg, '"', (size_t)(r->end - seg));
        if (q == NULL)
            return QUOTED_UNTERMINATED;
        r->line += count_newlines(seg, q);
        if (q + 1 < r->end && q[1] == '"') {
            if (buf_put(&r->scratch, seg, (size_t)(q + 1 - seg)) != 0)
                return QUOTED_NOMEM;
            escaped = 1;
            seg = q + 2;
            continue;
        }
        f->quoted = 1;
        if (escaped) {
            if (buf_put(&r->scratch, seg, (size_t)(q - seg)) != 0)
                return QUOTED_NOMEM;
            f->ptr = NULL;
            f->len = r->scratch.len - scratch_start;
        } else {
            f->ptr = start;
            f->len = (size_t)(q - start);
        }
        *pp = q + 1;
        return QUOTED_OK;
    }
}

/* Point the fields unescaped into scratch at their bytes, in field order. */
static void fix_scratch_fields(csv_reader *r)
{
    size_t off = 0;
    for (size_t i = 0; i < r->nfields; i++) {
        csv_field *f = &r->fields[i];
        if (f->ptr == NULL) {
            f->ptr = (const char *)r->scratch.p + off;
            off += f->len;
        }
    }
}

/* Length and UTF-8 checks of a structurally sound record; 0 when it is good. */
static int check_fields(csv_reader *r, const char *rec, const char *rec_end)
{
    size_t raw = (size_t)(rec_end - rec);
    int long_possible = raw > r->max_field;
    if (!long_possible && utf8_invalid_at(rec, raw) == raw)
        return 0;
    for (size_t i = 0; i < r->nfields; i++) {
        const csv_field *f = &r->fields[i];
        if (f->len > r->max_field) {
            r->err_col = (int)i;
            snprintf(r->err, sizeof r->err, "is longer than %zu bytes (%zu bytes)",
                     r->max_field, f->len);
            return -1;
        }
        size_t bad = utf8_invalid_at(f->ptr, f->len);
        if (bad < f->len) {
            r->err_col = (int)i;
            snprintf(r->err, sizeof r->err, "is not valid UTF-8 (byte 0x%02x at offset %zu)",
                     (unsigned char)f->ptr[bad], bad);
            return -1;
        }
    }
    return 0;
}

/*
 * Skip a record whose quoted field never closes: resume on the line after
 * the record's first line, so the rows the open quote swallowed are read.
 */
static csv_status unterminated(csv_reader *r, const char *rec, uint64_t rec_line, size_t col)
{
    set_error(r, col, "has an opening quote that is never closed (unterminated quoted field)");
    r->nfields = col;
    fix_scratch_fields(r);
    r->line = rec_line;
    r->pos = skip_line(r, rec);
    return CSV_BAD_ROW;
}

csv_status csv_next(csv_reader *r, uint64_t *line)
{
    const char *p = r->pos, *end = r->end, *rec = p;
    uint64_t rec_line = r->line;
    *line = rec_line;
    r->nfields = 0;
    r->scratch.len = 0;
    r->err_col = -1;
    r->err[0] = '\0';
    if (p >= end)
        return CSV_END;
    for (;;) {
        size_t col = r->nfields;
        csv_field *f = push_field(r);
        if (f == NULL)
            return CSV_NOMEM;
        if (p < end && *p == '"') {
            quoted_result q = read_quoted(r, f, &p);
            if (q == QUOTED_NOMEM)
                return CSV_NOMEM;
            if (q == QUOTED_UNTERMINATED)
                return unterminated(r, rec, rec_line, col);
            if (!ends_field(r, p, end)) {
                set_error(r, col, "has text after its closing quote (a quoted field must "
                                  "end at a delimiter or the end of the line)");
                r->nfields = col;
                fix_scratch_fields(r);
                r->pos = skip_line(r, p);
                return CSV_BAD_ROW;
            }
        } else {
            const char *stop = scan_unquoted(r, p, end);
            if (stop < end && *stop == '"') {
                set_error(r, col, "has a stray quote (\") in an unquoted field");
                r->nfields = col;
                fix_scratch_fields(r);
                r->pos = skip_line(r, stop);
                return CSV_BAD_ROW;
            }
            f->ptr = p;
            f->len = (size_t)(stop - p);
            f->quoted = 0;
            p = stop;
        }
        if (p < end && *p == r->delim) {
            p++;
            continue;
        }
        break;
    }
    const char *rec_end = p;
    if (p < end) {
        p += *p == '\r' ? 2 : 1;
        r->line++;
    }
    r->pos = p;
    fix_scratch_fields(r);
    if (check_fields(r, rec, rec_end) != 0)
        return CSV_BAD_ROW;
    return CSV_ROW;
}

/*
 * Fields of the next record; 0 after a quoting fault. A UTF-8 or length fault
 * keeps every field (err_col < nfields): the text may be in another encoding.
 */
static size_t sniff_record(csv_reader *r, uint64_t *line)
{
    csv_status st = csv_next(r, line);
    if (st == CSV_ROW || (st == CSV_BAD_ROW && r->err_col >= 0 && (size_t)r->err_col < r->nfields))
        return r->nfields;
    return 0;
}

char csv_sniff_delimiter(const char *data, size_t len, unsigned lines)
{
    static const char candidates[] = { ',', ';', '\t', '|' };
    char best = ',';
    size_t best_fields = 1;
    for (size_t i = 0; i < sizeof candidates; i++) {
        csv_reader r;
        uint64_t line;
        csv_reader_init(&r, data, len, 1, (size_t)-1);
        csv_set_delimiter(&r, candidates[i]);
        size_t header = sniff_record(&r, &line), n = header;
        for (unsigned k = 0; k < lines && n == header && r.pos < r.end; k++)
            n = sniff_record(&r, &line);
        /* Ties go to the earlier candidate: ',' first. */
        if (n == header && header > best_fields) {
            best = candidates[i];
            best_fields = header;
        }
        csv_reader_free(&r);
    }
    return best;
}
