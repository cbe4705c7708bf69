/*
 * column_verify.h — what segrt check asks of the contact columns
 * (column.h, column_ints.h): every scalar field's column, wide, narrow or
 * packed, holds each live contact's value as its record (row.h) holds it.
 *
 * Uses: column.h, column_ints.h, row.h, schema.h, store.h.
 */
#ifndef SEGRT_COLUMN_VERIFY_H
#define SEGRT_COLUMN_VERIFY_H

#include "store/store.h"

/*
 * SEGRT_OK, or SEGRT_ECORRUPT with a message ("check: the column of field
 * 'x' ...") at the first chunk of a size no form has or the first value
 * that differs. Set fields (a bitset a value) are not compared. Memory: one
 * chunk of each field's column, borrowed from the map.
 */
int column_verify(segrt_store *s, MDB_txn *txn);

#endif
