/*
 * hclust.c — agglomerative hierarchical clustering (hclust.h).
 */
#include "models/hclust.h"

#include "segrt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The working state: a symmetric distance matrix over the active clusters. */
typedef struct work {
    size_t n;
    double *dist;      /* n×n; Ward: squared distances */
    uint32_t *id;      /* the cluster number slot i holds */
    uint32_t *size;
    uint32_t *first;   /* the smallest point of the cluster, for ties */
    unsigned char *on; /* slot i holds an active cluster */
    size_t *nn;        /* slot i's nearest active slot */
} work;

#define D(w, i, j) ((w)->dist[(i) * (w)->n + (j)])

/* Whether (di, i, j) goes before (dk, k, l): the smaller distance, then the earlier points. */
static int before(const work *w, double di, size_t i, size_t j, double dk, size_t k, size_t l)
{
    if (di != dk)
        return di < dk;
    uint32_t a = w->first[i] < w->first[j] ? w->first[i] : w->first[j];
    uint32_t b = w->first[i] < w->first[j] ? w->first[j] : w->first[i];
    uint32_t c = w->first[k] < w->first[l] ? w->first[k] : w->first[l];
    uint32_t e = w->first[k] < w->first[l] ? w->first[l] : w->first[k];
    return a != c ? a < c : b < e;
}

static void find_nn(work *w, size_t i)
{
    size_t best = i;
    for (size_t j = 0; j < w->n; j++) {
        if (j != i && w->on[j] &&
            (best == i || before(w, D(w, i, j), i, j, D(w, i, best), i, best)))
            best = j;
    }
    w->nn[i] = best;
}

/* The Lance-Williams distance of the merge of i and j to k. */
static double merged(const work *w, hclust_linkage l, size_t i, size_t j, size_t k)
{
    double ni = w->size[i], nj = w->size[j], nk = w->size[k];
    switch (l) {
    case HCLUST_WARD:
        return ((ni + nk) * D(w, i, k) + (nj + nk) * D(w, j, k) - nk * D(w, i, j)) /
               (ni + nj + nk);
    case HCLUST_AVERAGE: return (ni * D(w, i, k) + nj * D(w, j, k)) / (ni + nj);
    default: return fmax(D(w, i, k), D(w, j, k));
    }
}

static void work_free(work *w)
{
    free(w->dist);
    free(w->id);
    free(w->size);
    free(w->first);
    free(w->on);
    free(w->nn);
}

int hclust_fit(const double *x, size_t n, size_t d, hclust_linkage l, hclust_merge *merges)
{
    if (n < 2 || n > 65535)
        return SEGRT_EINVAL;
    work w = { .n = n, .dist = malloc(n * n * sizeof *w.dist), .id = malloc(n * sizeof *w.id),
               .size = malloc(n * sizeof *w.size), .first = malloc(n * sizeof *w.first),
               .on = malloc(n), .nn = malloc(n * sizeof *w.nn) };
    if (!w.dist || !w.id || !w.size || !w.first || !w.on || !w.nn) {
        work_free(&w);
        return SEGRT_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        w.id[i] = w.first[i] = (uint32_t)i;
        w.size[i] = 1;
        w.on[i] = 1;
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (size_t k = 0; k < d; k++) {
                double t = x[i * d + k] - x[j * d + k];
                s += t * t;
            }
            D(&w, i, j) = l == HCLUST_WARD ? s : sqrt(s);
        }
    }
    for (size_t i = 0; i < n; i++)
        find_nn(&w, i);
    for (size_t step = 0; step + 1 < n; step++) {
        size_t i = SIZE_MAX;
        for (size_t k = 0; k < n; k++) {
            if (w.on[k] && (i == SIZE_MAX ||
                            before(&w, D(&w, k, w.nn[k]), k, w.nn[k], D(&w, i, w.nn[i]), i,
                                   w.nn[i])))
                i = k;
        }
        size_t j = w.nn[i];
        if (w.first[j] < w.first[i]) { /* the merged cluster lives in the slot of its first point */
            size_t t = i;
            i = j;
            j = t;
        }
        double h = D(&w, i, j);
        uint32_t a = w.id[i] < w.id[j] ? w.id[i] : w.id[j], b = w.id[i] ^ w.id[j] ^ a;
        merges[step] = (hclust_merge){ a, b, l == HCLUST_WARD ? sqrt(h) : h,
                                       w.size[i] + w.size[j] };
        for (size_t k = 0; k < n; k++) {
            if (w.on[k] && k != i && k != j)
                D(&w, i, k) = D(&w, k, i) = merged(&w, l, i, j, k);
        }
        w.size[i] += w.size[j];
        w.id[i] = (uint32_t)(n + step);
        w.on[j] = 0;
        for (size_t k = 0; k < n; k++) { /* neighbours that were i or j, or are now closer to i */
            if (!w.on[k])
                continue;
            if (k == i || w.nn[k] == i || w.nn[k] == j)
                find_nn(&w, k);
            else if (before(&w, D(&w, k, i), k, i, D(&w, k, w.nn[k]), k, w.nn[k]))
                w.nn[k] = i;
        }
    }
    work_free(&w);
    return SEGRT_OK;
}

int hclust_cut(const hclust_merge *m, size_t n, size_t k, uint32_t *labels)
{
    if (k < 1 || k > n)
        return SEGRT_EINVAL;
    /* the first n - k merges joined: each point's root, a label per root in point order */
    uint32_t *parent = malloc(2 * n * sizeof *parent), *label = malloc(2 * n * sizeof *label);
    if (parent == NULL || label == NULL) {
        free(parent);
        free(label);
        return SEGRT_ENOMEM;
    }
    for (size_t i = 0; i < 2 * n; i++) {
        parent[i] = (uint32_t)i;
        label[i] = UINT32_MAX;
    }
    for (size_t s = 0; s + k < n; s++)
        parent[m[s].a] = parent[m[s].b] = (uint32_t)(n + s);
    uint32_t next = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = (uint32_t)i;
        while (parent[r] != r)
            r = parent[r];
        if (label[r] == UINT32_MAX)
            label[r] = next++;
        labels[i] = label[r];
    }
    free(parent);
    free(label);
    return SEGRT_OK;
}
