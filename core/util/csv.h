/*
 * csv.h — a strict RFC 4180 record reader over a memory buffer (the hot path
 * of CSV import, hand-written because it must be faster than any library).
 *
 * Provides: csv_reader, csv_next(), csv_set_delimiter(), csv_sniff_delimiter(). Uses: utf8.h, buf.h.
 *
 * Fields are separated by a delimiter: ',' unless csv_set_delimiter() says
 * otherwise; csv_sniff_delimiter() guesses it from the first records.
 * Records end with CRLF or LF; fields may be quoted ("a,b", "say ""hi""",
 * newlines inside quotes). A quote inside an unquoted field, an unterminated
 * quoted field, characters after a closing quote, a field over max_field
 * bytes and invalid UTF-8 make the record bad: csv_next() reports it and
 * resumes at the next record, so one bad row never loses the rows after it.
 *
 * An empty line is a record of one empty unquoted field (the caller reports
 * the wrong column count); a CR not followed by LF is data. A final record
 * needs no line end. After a stray quote or text after a closing quote the
 * reader resumes on the next physical line; after an unterminated quote, on
 * the line after the record's first line.
 */
#ifndef SEGRT_CSV_H
#define SEGRT_CSV_H

#include "util/buf.h"

#include <stddef.h>
#include <stdint.h>

/* A field of the current record; borrowed until the next csv_next(). */
typedef struct csv_field {
    const char *ptr;
    size_t len;
    int quoted; /* the field was written in quotes (the import reads "" as blank too) */
} csv_field;

typedef struct csv_reader {
    const char *pos, *end; /* unread part of the buffer */
    uint64_t line;         /* physical line number of pos (1-based) */
    size_t max_field;      /* longest accepted field in bytes */
    csv_field *fields;     /* fields of the current record */
    size_t nfields, fields_cap;
    buf scratch;           /* unescaped copies of quoted fields with "" */
    char delim;            /* the field delimiter */
    unsigned char special[256]; /* bytes that end the tight scan of an unquoted field */
    const char *blk;       /* the bytes blk[0..blk_len), blk_len <= 64, whose special bytes ... */
    size_t blk_len;
    uint64_t blk_special;  /* ... are bit i set for blk[i] */
    int err_col;           /* bad record: 0-based column at fault, or -1 */
    char err[160];         /* bad record: reason, e.g. "is not valid UTF-8 (byte 0xff at offset 3)" */
} csv_reader;

typedef enum csv_status {
    CSV_ROW,     /* a record is in fields/nfields */
    CSV_BAD_ROW, /* a bad record was skipped; err/err_col say why; fields/nfields hold
                    its complete fields: all of them after a UTF-8 or length fault, those
                    before the faulty field after a quoting fault */
    CSV_END,     /* no more records */
    CSV_NOMEM    /* allocation failed */
} csv_status;

/* Start reading data[0..len) whose first byte is on physical line first_line. */
void csv_reader_init(csv_reader *r, const char *data, size_t len, uint64_t first_line,
                     size_t max_field);
/* Separate fields with delim (',', ';', '\t', '|', ...) instead of ','. */
void csv_set_delimiter(csv_reader *r, char delim);
/*
 * The delimiter among ',', ';', tab and '|' that splits the header record of
 * data[0..len) into the most fields (more than one) and the next `lines`
 * records (or as many as there are) into as many; ',' when none does, and
 * on ties the earlier candidate.
 */
char csv_sniff_delimiter(const char *data, size_t len, unsigned lines);
/* Release the reader's memory (not the buffer). */
void csv_reader_free(csv_reader *r);
/*
 * Read the next record. *line is set to the physical line where the record
 * starts. On CSV_BAD_ROW, err holds a phrase that completes "field N ..."
 * when err_col >= 0, or a whole sentence when err_col < 0.
 */
csv_status csv_next(csv_reader *r, uint64_t *line);

#endif
