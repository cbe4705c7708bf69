/*
 * dump_cell.c — cells of a dump's rows in CSV, TSV or JSON lines
 * (dump_cell.h). CSV quotes a text when it must, and always an empty one
 * (an empty unquoted cell is missing); TSV escapes as PostgreSQL's COPY
 * text format does, \N missing; JSON lines leave a missing value out.
 *
 * Uses: dump_cell.h, buf.h.
 */
#include "output/dump_cell.h"

#include <errno.h>
#include <string.h>

#define FLUSH_BYTES (1u << 20)

static void put(dump_out *o, const char *p, size_t n)
{
    o->oom |= buf_put(&o->b, p, n) != 0;
}

static void puts_(dump_out *o, const char *p)
{
    put(o, p, strlen(p));
}

/* What comes before a cell: a separator, or in JSON the key. */
static void cell_start(dump_out *o)
{
    size_t i = o->col++;
    if (o->format == SEGRT_DUMP_JSONL) {
        puts_(o, i ? ",\"" : "{\"");
        puts_(o, o->cols->names[i]);
        puts_(o, "\":");
    } else if (i) {
        puts_(o, o->format == SEGRT_DUMP_CSV ? "," : "\t");
    }
}

static void json_string(dump_out *o, buf *to, const char *p, size_t n)
{
    int bad = buf_put(to, "\"", 1);
    for (size_t i = 0; i < n && !bad; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '"' || c == '\\')
            bad = buf_put(to, "\\", 1) || buf_put(to, p + i, 1);
        else if (c < 0x20)
            bad = buf_printf(to, "\\u%04x", c);
        else
            bad = buf_put(to, p + i, 1);
    }
    o->oom |= bad || buf_put(to, "\"", 1);
}

static void csv_text(dump_out *o, const char *p, size_t n)
{
    int quote = n == 0 || memchr(p, ',', n) || memchr(p, '"', n) || memchr(p, '\n', n) ||
                memchr(p, '\r', n);
    if (!quote) {
        put(o, p, n);
        return;
    }
    put(o, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"')
            put(o, "\"\"", 2);
        else
            put(o, p + i, 1);
    }
    put(o, "\"", 1);
}

static void tsv_text(dump_out *o, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *esc = p[i] == '\\' ? "\\\\" : p[i] == '\t' ? "\\t" : p[i] == '\n' ? "\\n"
                        : p[i] == '\r' ? "\\r" : NULL;
        if (esc)
            puts_(o, esc);
        else
            put(o, p + i, 1);
    }
}

void dump_cell_null(dump_out *o)
{
    if (o->format == SEGRT_DUMP_JSONL) {
        o->col++; /* left out */
        return;
    }
    cell_start(o);
    if (o->format == SEGRT_DUMP_TSV)
        puts_(o, "\\N");
}

void dump_cell_text(dump_out *o, const char *text, size_t n)
{
    cell_start(o);
    if (o->format == SEGRT_DUMP_JSONL)
        json_string(o, &o->b, text, n);
    else if (o->format == SEGRT_DUMP_CSV)
        csv_text(o, text, n);
    else
        tsv_text(o, text, n);
}

void dump_cell_raw(dump_out *o, const char *text)
{
    cell_start(o);
    puts_(o, text);
}

void dump_cell_set_begin(dump_out *o)
{
    o->set.len = 0;
    o->nset = 0;
    o->oom |= buf_put(&o->set, o->format == SEGRT_DUMP_JSONL ? "[" : "{", 1) != 0;
}

void dump_cell_set_item(dump_out *o, const char *text, size_t n)
{
    if (o->nset++)
        o->oom |= buf_put(&o->set, ",", 1) != 0;
    if (o->format == SEGRT_DUMP_JSONL) {
        json_string(o, &o->set, text, n);
        return;
    }
    int bad = buf_put(&o->set, "\"", 1); /* an element of a PostgreSQL array */
    for (size_t i = 0; i < n && !bad; i++)
        bad = ((text[i] == '"' || text[i] == '\\') && buf_put(&o->set, "\\", 1)) ||
              buf_put(&o->set, text + i, 1);
    o->oom |= bad || buf_put(&o->set, "\"", 1);
}

void dump_cell_set_end(dump_out *o)
{
    o->oom |= buf_put(&o->set, o->format == SEGRT_DUMP_JSONL ? "]" : "}", 1) != 0;
    if (o->format == SEGRT_DUMP_JSONL) {
        cell_start(o);
        put(o, (const char *)o->set.p, o->set.len);
    } else {
        dump_cell_text(o, (const char *)o->set.p, o->set.len);
    }
}

static int flush(segrt_store *s, dump_out *o)
{
    if (o->oom)
        return store_fail(s, SEGRT_ENOMEM, "out of memory writing %s", o->path);
    if (o->b.len && fwrite(o->b.p, 1, o->b.len, o->fp) != o->b.len)
        return store_fail(s, SEGRT_EIO, "cannot write %s: %s", o->path, strerror(errno));
    o->b.len = 0;
    return SEGRT_OK;
}

int dump_cell_row_end(segrt_store *s, dump_out *o)
{
    puts_(o, o->format == SEGRT_DUMP_JSONL ? (o->col ? "}\n" : "{}\n") : "\n");
    o->col = 0;
    return o->b.len >= FLUSH_BYTES || o->oom ? flush(s, o) : SEGRT_OK;
}

int dump_cell_open(segrt_store *s, dump_out *o, int format, const char *dir,
                   const sql_columns *cols)
{
    static const char *const ext[] = { "", "csv", "tsv", "jsonl" };
    *o = (dump_out){ .format = format, .cols = cols };
    snprintf(o->path, sizeof o->path, "%s/%s.%s", dir, cols->table, ext[format]);
    if ((o->fp = fopen(o->path, "w")) == NULL)
        return store_fail(s, SEGRT_EIO, "cannot write %s: %s", o->path, strerror(errno));
    if (format == SEGRT_DUMP_JSONL)
        return SEGRT_OK;
    for (size_t i = 0; i < cols->n; i++)
        dump_cell_text(o, cols->names[i], strlen(cols->names[i]));
    return dump_cell_row_end(s, o);
}

int dump_cell_close(segrt_store *s, dump_out *o)
{
    int rc = o->fp ? flush(s, o) : SEGRT_OK;
    if (o->fp && fclose(o->fp) != 0 && rc == SEGRT_OK)
        rc = store_fail(s, SEGRT_EIO, "cannot write %s: %s", o->path, strerror(errno));
    o->fp = NULL;
    buf_free(&o->b);
    buf_free(&o->set);
    return rc;
}
