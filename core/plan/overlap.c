/*
 * overlap.c — pairwise overlaps of segments (overlap.h): the intersection
 * matrix, and the table segrt overlap and segrt report print; for hosts,
 * both at once over sets (segrt_overlap_table, segrt/segment.h).
 *
 * Uses: bitset.h, segset.h.
 */
#include "plan/overlap.h"
#include "plan/segset.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void overlap_matrix(size_t n, const bitset *const sets[], uint64_t *m)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i; j < n; j++)
            m[i * n + j] = m[j * n + i] = bitset_count_and(sets[i], sets[j]);
    }
}

/* "N (P%)" of the row's size, or "N (-)" for an empty row. */
static void cell_text(char *out, size_t n, uint64_t inter, uint64_t row_size)
{
    if (row_size == 0)
        snprintf(out, n, "%" PRIu64 " (-)", inter);
    else
        snprintf(out, n, "%" PRIu64 " (%.1f%%)", inter, 100.0 * (double)inter / (double)row_size);
}

int overlap_print(FILE *f, size_t n, const char *const names[], const uint64_t *m)
{
    int *w = calloc(n + 1, sizeof *w);
    if (w == NULL)
        return -1;
    w[0] = (int)strlen("segment");
    for (size_t i = 0; i < n; i++) {
        int len = (int)strlen(names[i]);
        w[0] = len > w[0] ? len : w[0];
        w[i + 1] = len;
    }
    char cell[64];
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            cell_text(cell, sizeof cell, m[i * n + j], m[i * n + i]);
            int len = (int)strlen(cell);
            w[j + 1] = len > w[j + 1] ? len : w[j + 1];
        }
    }
    fprintf(f, "%-*s", w[0], "segment");
    for (size_t j = 0; j < n; j++)
        fprintf(f, "  %*s", w[j + 1], names[j]);
    fprintf(f, "\n");
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%-*s", w[0], names[i]);
        for (size_t j = 0; j < n; j++) {
            cell_text(cell, sizeof cell, m[i * n + j], m[i * n + i]);
            fprintf(f, "  %*s", w[j + 1], cell);
        }
        fprintf(f, "\n");
    }
    free(w);
    return 0;
}

int segrt_overlap_table(size_t n, const char *const names[], const segrt_set *const sets[],
                        char **text)
{
    if (text)
        *text = NULL;
    if (text == NULL || (n > 0 && (names == NULL || sets == NULL)))
        return SEGRT_EINVAL;
    uint64_t *m = calloc(n > 0 ? n * n : 1, sizeof *m);
    const bitset **bits = calloc(n ? n : 1, sizeof *bits);
    size_t len;
    FILE *f = m && bits ? open_memstream(text, &len) : NULL;
    int rc = f ? SEGRT_OK : SEGRT_ENOMEM;
    if (rc == SEGRT_OK) {
        for (size_t i = 0; i < n; i++)
            bits[i] = &sets[i]->bits;
        overlap_matrix(n, bits, m);
        rc = overlap_print(f, n, names, m) == 0 ? SEGRT_OK : SEGRT_ENOMEM;
    }
    if (f && fclose(f) != 0)
        rc = SEGRT_ENOMEM;
    if (rc != SEGRT_OK) {
        free(*text);
        *text = NULL;
    }
    free(m);
    free(bits);
    return rc;
}
