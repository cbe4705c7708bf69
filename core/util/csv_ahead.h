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
 * Provides: csv_ahead_start(), csv_ahead_next(), csv_ahead_stop(). Uses: csv.h, pthreads.
 */
#ifndef SEGRT_CSV_AHEAD_H
#define SEGRT_CSV_AHEAD_H

#include "util/csv.h"

typedef struct csv_ahead csv_ahead;

/*
 * Start reading the records of r's buffer from r's position in a new
 * thread. r is only read. 0 and *out, or -1 (out of memory, no thread) with
 * *out NULL: read r with csv_next() then.
 */
int csv_ahead_start(csv_ahead **out, const csv_reader *r);
/*
 * The next record into r, as csv_next(r, line) would read it; CSV_NOMEM when
 * the thread or this call ran out of memory. After CSV_END (or CSV_NOMEM)
 * every call returns the same.
 */
csv_status csv_ahead_next(csv_ahead *a, csv_reader *r, uint64_t *line);
/* Stop the thread and free a (NULL is fine). r keeps the position of the last record read. */
void csv_ahead_stop(csv_ahead *a);

#endif
