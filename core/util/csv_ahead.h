/*
 * csv_ahead.h — a CSV reader's records parsed in a second thread, a few
 * thousand records ahead of the thread that uses them.
 *
 * csv_ahead_start() takes a csv_reader's position, delimiter and field limit
 * and reads on from there in a thread of its own; each csv_ahead_next() then
 * fills the caller's reader exactly as csv_next() would have (fields,
 * nfields, err, err_col, pos, line), so code written for csv_next() reads
 * the records unchanged. Fields point into the buffer, or (quoted fields
 * with "" escapes) into memory of the csv_ahead that stays valid until the
 * next csv_ahead_next(), as the reader's scratch does.
 *
 * Provides: csv_ahead_start(), csv_ahead_next(), csv_ahead_prep_of(), csv_ahead_stop().
 * Uses: csv.h, pthreads.
 */
#ifndef SEGRT_CSV_AHEAD_H
#define SEGRT_CSV_AHEAD_H

#include "util/csv.h"

typedef struct csv_ahead csv_ahead;

/*
 * Work done on each record in the thread, after it is read: fn(ud, fields,
 * nfields, out) fills the size bytes at out (zeroed before) for a record
 * read whole (CSV_ROW). fn runs while the caller goes on: it may only read
 * what nobody changes until csv_ahead_stop().
 */
typedef struct csv_prep {
    size_t size;
    void (*fn)(void *ud, const csv_field *fields, size_t nfields, void *out);
    void *ud;
} csv_prep;

/*
 * Start reading the records of r's buffer from r's position in a new
 * thread, with prep's work done on each (prep NULL: none). r and prep are
 * only read. 0 and *out, or -1 (out of memory, no thread) with *out NULL:
 * read r with csv_next() then.
 */
int csv_ahead_start(csv_ahead **out, const csv_reader *r, const csv_prep *prep);
/*
 * The prep bytes of the k-th record after the one csv_ahead_next() gave
 * last (k = 0: that one), valid until the next csv_ahead_next(): all zero
 * for a record not read whole (not CSV_ROW: fn did not see it). NULL when
 * that record is not read yet or is in the next block of records (a few
 * thousand), or there is no prep.
 */
const void *csv_ahead_prep_of(const csv_ahead *a, size_t k);
/*
 * The next record into r, as csv_next(r, line) would read it; CSV_NOMEM when
 * the thread or this call ran out of memory. After CSV_END (or CSV_NOMEM)
 * every call returns the same.
 */
csv_status csv_ahead_next(csv_ahead *a, csv_reader *r, uint64_t *line);
/* Stop the thread and free a (NULL is fine). r keeps the position of the last record read. */
void csv_ahead_stop(csv_ahead *a);

#endif
