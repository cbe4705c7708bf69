/*
 * model_hclust.c — the "hclust" model kind: agglomerative clustering
 * (hclust.h) of a seeded sample of the contacts over their standardised
 * features, exact on the sample; the tree cut into k clusters (or where a
 * merge would pass the height `cut`), and every contact with all its
 * features given the cluster of the nearest sample centroid.
 *
 * Settings: features = { value, ... }, k (default 8) or cut (a height),
 * linkage ("ward", "average" or "complete"; default ward), sample (default
 * 1000, at most 10000), seed (default 1). Output: cluster, 1..k (missing
 * when a feature is). Fit record: the heights of the last merges, each
 * cluster's size over all contacts and its centroid in the features' units.
 */
#include "models/hclust.h"
#include "models/kmeans.h"
#include "models/model.h"
#include "util/rng.h"
#include "util/value.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SAMPLE 10000 /* the distance matrix takes 8 m^2 bytes: 800 MB at this */
#define HEIGHTS_SHOWN 10

static const char *const outputs[] = { "cluster", NULL };

static int complete_row(const double *x, size_t d, size_t i)
{
    for (size_t k = 0; k < d; k++) {
        if (!isfinite(x[i * d + k]))
            return 0;
    }
    return 1;
}

static int linkage_of(plan_ctx *cx, const tree *model, hclust_linkage *l)
{
    const char *name = tree_get_string(model, "linkage");
    static const char *const names[] = { "ward", "average", "complete" };
    for (int i = 0; i < 3; i++) {
        if (name == NULL || strcmp(name, names[i]) == 0) {
            *l = name ? (hclust_linkage)i : HCLUST_WARD;
            return SEGRT_OK;
        }
    }
    return plan_fail(cx, tree_get_string(model, "loc"), "hclust: linkage '%s' is not ward, "
                     "average or complete", name);
}

static int by_row(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* The sample: up to m complete rows drawn without replacement (reservoir), in row order. */
static size_t draw(const double *x, size_t n, size_t d, size_t m, uint64_t seed, size_t *rows)
{
    rng r;
    rng_seed(&r, seed);
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (!complete_row(x, d, i))
            continue;
        if (seen < m)
            rows[seen] = i;
        else if (rng_below(&r, seen + 1) < m)
            rows[rng_below(&r, m)] = i;
        seen++;
    }
    size_t got = seen < m ? seen : m;
    qsort(rows, got, sizeof *rows, by_row); /* row order: the fit does not depend on the draw's */
    return got;
}

static int compute(plan_ctx *cx, const tree *model, vec *outs, model_fit *fit)
{
    const char *loc = tree_get_string(model, "loc");
    double k = model_number(model, "k", 8), cut = model_number(model, "cut", NAN);
    double sample = model_number(model, "sample", 1000), seed = model_number(model, "seed", 1);
    hclust_linkage l = HCLUST_WARD;
    int rc = linkage_of(cx, model, &l);
    if (rc != SEGRT_OK)
        return rc;
    if (!(k >= 1 && k <= 1000) || !(sample >= 2 && sample <= MAX_SAMPLE))
        return plan_fail(cx, loc, "hclust: k must be 1 to 1000 and sample 2 to %d", MAX_SAMPLE);
    double *x;
    size_t d, n = cx->ncontacts;
    if ((rc = model_features(cx, model, "features", &x, &d)) != SEGRT_OK)
        return rc;
    size_t m = (size_t)sample, *rows = malloc(m * sizeof *rows);
    double *mean = malloc(d * sizeof *mean), *sd = malloc(d * sizeof *sd), *z = NULL, *cent = NULL;
    hclust_merge *merges = NULL;
    uint32_t *labels = NULL;
    double *sizes = NULL;
    outs[0].v = malloc((n ? n : 1) * sizeof *outs[0].v);
    rc = rows && mean && sd && outs[0].v ? kmeans_standardise(x, n, d, mean, sd) : SEGRT_ENOMEM;
    size_t got = rc == SEGRT_OK ? draw(x, n, d, m, (uint64_t)seed, rows) : 0;
    if (rc == SEGRT_OK && got < 2)
        rc = plan_fail(cx, loc, "hclust: fewer than 2 contacts have every feature");
    if (rc == SEGRT_OK) {
        z = malloc(got * d * sizeof *z);
        merges = malloc((got - 1) * sizeof *merges);
        labels = malloc(got * sizeof *labels);
        rc = z && merges && labels ? SEGRT_OK : SEGRT_ENOMEM;
    }
    for (size_t i = 0; rc == SEGRT_OK && i < got; i++)
        memcpy(z + i * d, x + rows[i] * d, d * sizeof *z);
    if (rc == SEGRT_OK)
        rc = hclust_fit(z, got, d, l, merges);
    size_t kk = k > (double)got ? got : (size_t)k;
    if (rc == SEGRT_OK && isfinite(cut)) { /* the clusters below the height cut */
        kk = 1;
        for (size_t s = 0; s + 1 < got; s++)
            kk += merges[s].height > cut;
    }
    if (rc == SEGRT_OK)
        rc = hclust_cut(merges, got, kk, labels);
    if (rc == SEGRT_OK) {
        cent = calloc(kk * d, sizeof *cent);
        sizes = calloc(kk, sizeof *sizes);
        rc = cent && sizes ? SEGRT_OK : SEGRT_ENOMEM;
    }
    for (size_t i = 0; rc == SEGRT_OK && i < got; i++) { /* the sample's centroids */
        sizes[labels[i]]++;
        for (size_t c = 0; c < d; c++)
            cent[labels[i] * d + c] += z[i * d + c];
    }
    for (size_t c = 0; rc == SEGRT_OK && c < kk * d; c++)
        cent[c] /= sizes[c / d];
    if (sizes)
        memset(sizes, 0, kk * sizeof *sizes);
    for (size_t i = 0; rc == SEGRT_OK && i < n; i++) { /* everyone: the nearest centroid */
        outs[0].v[i] = VALUE_MISSING;
        if (!complete_row(x, d, i))
            continue;
        size_t best = 0;
        double bd = INFINITY;
        for (size_t c = 0; c < kk; c++) {
            double s = 0;
            for (size_t j = 0; j < d; j++)
                s += (x[i * d + j] - cent[c * d + j]) * (x[i * d + j] - cent[c * d + j]);
            if (s < bd) {
                bd = s;
                best = c;
            }
        }
        sizes[best]++;
        outs[0].v[i] = (int64_t)(best + 1) * VALUE_NUMBER_SCALE;
    }
    if (rc == SEGRT_OK) {
        size_t shown = got - 1 < HEIGHTS_SHOWN ? got - 1 : HEIGHTS_SHOWN;
        double heights[HEIGHTS_SHOWN];
        for (size_t s = 0; s < shown; s++) /* the last merges, the highest first */
            heights[s] = merges[got - 2 - s].height;
        model_fit_array(fit, "last_heights", heights, shown);
        model_fit_array(fit, "sizes", sizes, kk);
        kmeans_unstandardise(cent, kk, d, mean, sd);
        for (size_t c = 0; c < kk; c++) {
            char key[32];
            snprintf(key, sizeof key, "centroid_%zu", c + 1);
            model_fit_array(fit, key, cent + c * d, d);
        }
        model_fit_number(fit, "sample", (double)got);
    }
    free(x);
    free(rows);
    free(mean);
    free(sd);
    free(z);
    free(cent);
    free(merges);
    free(labels);
    free(sizes);
    if (rc == SEGRT_ENOMEM)
        return store_fail(cx->s, rc, "out of memory in hclust");
    return rc;
}

const model_kind model_hclust = { "hclust", outputs, compute, NULL };
