/*
 * profile_rows.c — the rows of a profile's tables (profile.h): appended
 * with their own labels, ordered by segment count with the tail and the
 * rare values folded into one "(other)" row, and freed.
 *
 * Uses: array.h.
 */
#include "output/profile.h"

#include "util/array.h"

#include <stdlib.h>
#include <string.h>

int profile_rows_add(profile_rows *r, const char *label, uint64_t seg, uint64_t base)
{
    if (ARRAY_RESERVE(r->v, r->cap, r->n + 1) != 0)
        return -1;
    profile_row *row = &r->v[r->n];
    *row = (profile_row){ .label = strdup(label), .seg = seg, .base = base };
    if (row->label == NULL)
        return -1;
    r->n++;
    return 0;
}

void profile_rows_free(profile_rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].label);
    free(r->v);
    *r = (profile_rows){ 0 };
}

static int by_count(const void *a, const void *b)
{
    const profile_row *x = a, *y = b;
    if (x->seg != y->seg)
        return x->seg < y->seg ? 1 : -1;
    if (x->base != y->base)
        return x->base < y->base ? 1 : -1;
    return strcmp(x->label, y->label);
}

int profile_rows_top(profile_rows *r, uint32_t max, uint64_t min_base, profile_fold *fold)
{
    if (r->n > 1)
        qsort(r->v, r->n, sizeof *r->v, by_count);
    size_t kept = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (kept < max && r->v[i].base >= min_base) {
            r->v[kept++] = r->v[i];
            continue;
        }
        fold->seg += r->v[i].seg;
        fold->base += r->v[i].base;
        fold->any = 1;
        free(r->v[i].label);
    }
    r->n = kept;
    return fold->any ? profile_rows_add(r, "(other)", fold->seg, fold->base) : 0;
}
