/*
 * import_prep.h — a CSV row's work that needs nothing of the store, done
 * ahead in the thread that reads the rows (see import_prep.c).
 *
 * import_prep_new() snapshots the columns; import_prep_csv() is the
 * csv_ahead prep that reads and hashes each row; import_prep_take() puts a
 * row's results into the current cells; import_prep_prefetch() loads the
 * index slots of the rows a little ahead.
 */
#ifndef SEGRT_IMPORT_PREP_H
#define SEGRT_IMPORT_PREP_H

#include "import/import.h"
#include "util/csv_ahead.h"

typedef struct import_prep import_prep;

/* What the thread does with the first ncols columns of c (the CSV header's), as they are
 * now; NULL when out of memory. */
import_prep *import_prep_new(const import_ctx *c, size_t ncols);
void import_prep_free(import_prep *p); /* accepts NULL */
/* The csv_ahead prep of p (p must outlive the reading). */
csv_prep import_prep_csv(import_prep *p);
/* Into c's cells (set from the row's fields) and c->email_hash: what the thread found for
 * the row (prepared: csv_ahead_prep_of(a, 0), NULL for nothing; c->email_hashed is the
 * caller's to clear first). */
void import_prep_take(import_ctx *c, const import_prep *p, const void *prepared);
/* Prefetch the index slots (ids, the e-mail dictionary and index) of the rows ahead of a's
 * current one. */
void import_prep_prefetch(import_ctx *c, const import_prep *p, const csv_ahead *a);

#endif
