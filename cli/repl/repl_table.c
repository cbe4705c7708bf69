/*
 * repl_table.c — aligned text tables for the REPL (repl.h): the sample
 * members of a predicate, :fields, :events, :segments. Widths count UTF-8
 * characters, so names with diacritics line up.
 */
#include "repl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void repl_table_init(repl_table *t, size_t ncols, const char *const *header, unsigned right)
{
    *t = (repl_table){ .ncols = ncols, .right = right };
    repl_table_add(t, header);
}

void repl_table_add(repl_table *t, const char *const *cells)
{
    if (CLI_ARRAY_RESERVE(t->cells, t->cap, (t->nrows + 1) * t->ncols) != 0) {
        t->oom = 1;
        return;
    }
    char **row = t->cells + t->nrows * t->ncols;
    for (size_t i = 0; i < t->ncols; i++) {
        row[i] = strdup(cells[i] ? cells[i] : "");
        t->oom |= row[i] == NULL;
    }
    t->nrows++;
}

/* Characters of UTF-8 text (continuation bytes do not count). */
static int text_width(const char *s)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        w += (*p & 0xC0) != 0x80;
    return w;
}

void repl_table_print(repl_table *t, int indent)
{
    int width[32] = { 0 };
    size_t ncols = t->ncols < 32 ? t->ncols : 32;
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < ncols; c++) {
            const char *cell = t->cells[r * t->ncols + c];
            width[c] = cli_max(width[c], cell ? text_width(cell) : 0);
        }
    }
    for (size_t r = 0; r < t->nrows; r++) {
        printf("%*s", indent, "");
        for (size_t c = 0; c < ncols; c++) {
            const char *cell = t->cells[r * t->ncols + c];
            if (cell == NULL)
                cell = "";
            int pad = width[c] - text_width(cell);
            int last = c + 1 == ncols;
            if (t->right & (1u << c))
                printf("%*s%s", pad, "", cell);
            else
                printf("%s%*s", cell, last ? 0 : pad, "");
            if (!last)
                fputs("  ", stdout);
        }
        putchar('\n');
    }
    if (t->oom)
        fputs("(out of memory: the table is incomplete)\n", stderr);
    repl_table_free(t);
}

void repl_table_free(repl_table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    *t = (repl_table){ 0 };
}

int repl_add_value(void *ud, const char *value, uint64_t n)
{
    repl_values *l = ud;
    if (l->shown < l->limit && l->len < sizeof l->text) {
        int w = snprintf(l->text + l->len, sizeof l->text - l->len, "%s%s %llu",
                         l->shown ? ", " : "", value, (unsigned long long)n);
        l->len += w > 0 ? (size_t)w : 0;
        l->shown++;
    }
    l->distinct++;
    return 0;
}
