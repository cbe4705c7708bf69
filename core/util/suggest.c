/*
 * suggest.c — "did you mean": the closest known name to a misspelt one
 * (suggest.h, and its public face segrt_suggest_closest in segrt/common.h).
 */
#include "util/suggest.h"
#include "segrt/common.h"

#include <string.h>

/* Optimal-string-alignment distance (a transposition counts as one edit). */
static size_t distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 64 || nb > 64)
        return (size_t)-1;
    size_t d[65][65];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= na; i++) {
        for (size_t j = 1; j <= nb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[na][nb];
}

const char *suggest_closest(const char *want, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t best_d = strlen(want) / 3; /* at most a third of the name may differ */
    for (size_t i = 0; i < n; i++) {
        size_t d = distance(want, names[i]);
        if (d <= best_d && (best == NULL || d < best_d)) {
            best = names[i];
            best_d = d;
        }
    }
    return best;
}

const char *segrt_suggest_closest(const char *want, const char *const *names, size_t n)
{
    return suggest_closest(want, names, n);
}
