/*
 * dump_cell.h — writing the rows of one table of a dump (segrt_dump) in
 * CSV, TSV (PostgreSQL's text format) or JSON lines, cell by cell: a
 * missing value, a text, a number or boolean as it is written, a string set
 * (a PostgreSQL array {"a","b"} in CSV and TSV, a JSON array in JSON lines).
 *
 * Uses: sql.h (the table's columns), buf.h.
 */
#ifndef SEGRT_DUMP_CELL_H
#define SEGRT_DUMP_CELL_H

#include "output/sql.h"

#include <stdio.h>

typedef struct dump_out {
    int format;              /* segrt_dump_format */
    FILE *fp;
    char path[4096];
    const sql_columns *cols;
    buf b;                   /* the rows not yet written */
    buf set;                 /* the set cell being built */
    size_t col;              /* the next cell's column */
    size_t nset;             /* items of the set cell so far */
    int oom;
} dump_out;

/* Create dir/TABLE.EXT and write its header; SEGRT_EIO naming the file (on s). */
int dump_cell_open(segrt_store *s, dump_out *o, int format, const char *dir,
                   const sql_columns *cols);
void dump_cell_null(dump_out *o);
void dump_cell_text(dump_out *o, const char *text, size_t n);
/* A number or boolean, written as it is (unquoted). */
void dump_cell_raw(dump_out *o, const char *text);
void dump_cell_set_begin(dump_out *o);
void dump_cell_set_item(dump_out *o, const char *text, size_t n);
void dump_cell_set_end(dump_out *o);
/* End the row (written out now and then); SEGRT_OK, or SEGRT_EIO / SEGRT_ENOMEM on s. */
int dump_cell_row_end(segrt_store *s, dump_out *o);
/* Write what is left and close; SEGRT_EIO naming the file on s. */
int dump_cell_close(segrt_store *s, dump_out *o);

#endif
