/*
 * repl_rows.c — the members a REPL result shows (repl.h), in the session's
 * :mode — an aligned table (the default), CSV, JSON lines, or one field a
 * line — the first :limit of them (5 unless set; 0: all), the id and the
 * contact fields the statement reads. CSV and JSON lines print the rows
 * only, so that :once FILE writes a file another tool reads.
 *
 * Uses: segrt_set_rows_foreach / segrt_set_ids_foreach, jansson.
 */
#include "repl.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rows {
    repl *r;
    repl_table table;
    const cli_strings *fields;
    size_t n;
} rows;

enum { ROWS_FULL = 1 };

static void json_text(const json_t *v, char *out, size_t n)
{
    if (json_is_string(v)) {
        snprintf(out, n, "%s", json_string_value(v));
    } else if (json_is_integer(v)) {
        snprintf(out, n, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        snprintf(out, n, "%.15g", json_real_value(v));
    } else if (json_is_boolean(v)) {
        snprintf(out, n, "%s", json_is_true(v) ? "true" : "false");
    } else if (json_is_array(v)) {
        size_t i, len = 0;
        json_t *item;
        out[0] = '\0';
        json_array_foreach(v, i, item) {
            int w = snprintf(out + len, n - len, "%s%s", i ? ";" : "",
                             json_is_string(item) ? json_string_value(item) : "");
            len += w > 0 && (size_t)w < n - len ? (size_t)w : 0;
        }
    } else {
        out[0] = '\0';
    }
}

/* One row (cells: id, then the fields), in the mode. */
static void emit(rows *x, const char *const *cells)
{
    size_t ncols = 1 + x->fields->n;
    switch (x->r->mode) {
    case REPL_MODE_CSV:
        for (size_t i = 0; i < ncols; i++) {
            cli_csv_field(stdout, cells[i]);
            putchar(i + 1 < ncols ? ',' : '\n');
        }
        break;
    case REPL_MODE_LINE:
        printf("%s\n", cells[0]);
        for (size_t i = 1; i < ncols; i++)
            printf("  %s = %s\n", x->fields->v[i - 1], cells[i]);
        break;
    default:
        repl_table_add(&x->table, cells);
        break;
    }
}

static int full(const rows *x)
{
    return x->r->limit && x->n == x->r->limit;
}

static int add_row(void *ud, const char *json)
{
    rows *x = ud;
    if (full(x))
        return ROWS_FULL;
    x->n++;
    if (x->r->mode == REPL_MODE_JSONL)
        return puts(json) == EOF ? SEGRT_EIO : 0;
    json_t *row = json_loads(json, 0, NULL);
    if (row == NULL)
        return SEGRT_ENOMEM;
    size_t ncols = 1 + x->fields->n;
    char (*text)[128] = malloc(ncols * sizeof *text);
    const char **cells = malloc(ncols * sizeof *cells);
    if (text && cells) {
        json_text(json_object_get(row, "id"), text[0], sizeof text[0]);
        cells[0] = text[0];
        for (size_t i = 1; i < ncols; i++) {
            const char *category = repl_hidden(x->r, x->fields->v[i - 1]);
            if (category) /* Art. 9: the category, not the value, without :purpose */
                snprintf(text[i], sizeof text[i], "(%s)", category);
            else
                json_text(json_object_get(row, x->fields->v[i - 1]), text[i], sizeof text[i]);
            cells[i] = text[i];
        }
        emit(x, cells);
    }
    json_decref(row);
    free(text);
    free(cells);
    return text && cells ? 0 : SEGRT_ENOMEM;
}

static int add_id(void *ud, const char *id)
{
    rows *x = ud;
    if (full(x))
        return ROWS_FULL;
    x->n++;
    if (x->r->mode != REPL_MODE_JSONL) {
        emit(x, &id);
        return 0;
    }
    json_t *o = json_pack("{s:s}", "id", id);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    int rc = text && puts(text) != EOF ? 0 : SEGRT_EIO;
    free(text);
    json_decref(o);
    return rc;
}

void repl_print_rows(repl *r, const segrt_set *set, const cli_strings *fields)
{
    size_t ncols = 1 + fields->n;
    const char **header = malloc(ncols * sizeof *header);
    if (header == NULL) {
        repl_error(r, "out of memory");
        return;
    }
    header[0] = "id";
    for (size_t i = 1; i < ncols; i++)
        header[i] = fields->v[i - 1];
    rows x = { .r = r, .fields = fields };
    if (r->mode == REPL_MODE_TABLE)
        repl_table_init(&x.table, ncols, header, 0);
    else if (r->mode == REPL_MODE_CSV)
        emit(&x, header);
    int rc = fields->n ? segrt_set_rows_foreach(r->s, set, (const char *const *)fields->v,
                                                fields->n, add_row, &x)
                       : segrt_set_ids_foreach(r->s, set, add_id, &x);
    if (r->mode == REPL_MODE_TABLE && (rc == SEGRT_OK || rc == ROWS_FULL))
        repl_table_print(&x.table, 2);
    else if (r->mode == REPL_MODE_TABLE)
        repl_table_free(&x.table);
    uint64_t total = segrt_set_count(set);
    if ((rc == SEGRT_OK || rc == ROWS_FULL) && total > x.n &&
        (r->mode == REPL_MODE_TABLE || r->mode == REPL_MODE_LINE))
        printf("  ... %llu more (:limit N shows more)\n", (unsigned long long)(total - x.n));
    if (rc != SEGRT_OK && rc != ROWS_FULL)
        repl_fail(r, rc);
    free(header);
}
