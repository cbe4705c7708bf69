/*
 * model_kmeans.c — the "kmeans" model kind: k-means (kmeans.h) over the
 * contacts' standardised features, given as value expressions.
 *
 * Settings: features = { value, ... }, k (default 8), seed (default 1).
 * Output: label, the cluster 1..k (missing when a feature is missing).
 * Fit record: sizes, inertia, iterations and each centroid in the
 * features' own units (numbers in units, times and durations in days).
 */
#include "models/kmeans.h"
#include "models/model.h"
#include "util/value.h"

#include <stdlib.h>
#include <string.h>

static const char *const outputs[] = { "label", NULL };

static int compute(plan_ctx *cx, const tree *model, vec *outs, model_fit *fit)
{
    double k = model_number(model, "k", 8), seed = model_number(model, "seed", 1);
    if (!(k >= 1 && k <= 1000))
        return plan_fail(cx, "kmeans", "k must be between 1 and 1000");
    double *x;
    size_t d, n = cx->ncontacts;
    int rc = model_features(cx, model, "features", &x, &d);
    if (rc != SEGRT_OK)
        return rc;
    double *mean = malloc(d * sizeof *mean), *sd = malloc(d * sizeof *sd);
    kmeans_result res = { 0 };
    outs[0].v = malloc((n ? n : 1) * sizeof *outs[0].v);
    rc = mean && sd && outs[0].v ? kmeans_standardise(x, n, d, mean, sd) : SEGRT_ENOMEM;
    if (rc == SEGRT_OK)
        rc = kmeans_fit(x, n, d, (size_t)k, (uint64_t)seed, 0, &res);
    if (rc == SEGRT_OK) {
        kmeans_unstandardise(res.centroids, res.k, d, mean, sd);
        for (size_t i = 0; i < n; i++)
            outs[0].v[i] = res.labels[i] == KMEANS_MISSING
                               ? VALUE_MISSING
                               : (int64_t)(res.labels[i] + 1) * VALUE_NUMBER_SCALE;
        double *sizes = malloc(res.k * sizeof *sizes);
        for (size_t c = 0; sizes && c < res.k; c++)
            sizes[c] = (double)res.sizes[c];
        if (sizes)
            model_fit_array(fit, "sizes", sizes, res.k);
        else
            fit->failed = 1;
        free(sizes);
        for (size_t c = 0; c < res.k; c++) {
            char key[32];
            snprintf(key, sizeof key, "centroid_%zu", c + 1);
            model_fit_array(fit, key, res.centroids + c * d, d);
        }
        model_fit_number(fit, "inertia", res.inertia);
        model_fit_number(fit, "iterations", res.iterations);
        model_fit_number(fit, "clustered", (double)res.n_used);
    }
    kmeans_result_free(&res);
    free(x);
    free(mean);
    free(sd);
    if (rc == SEGRT_ENOMEM)
        return store_fail(cx->s, rc, "out of memory in k-means");
    return rc == SEGRT_OK ? rc : plan_fail(cx, "kmeans", "k-means failed (%s)", segrt_strerror(rc));
}

const model_kind model_kmeans = { "kmeans", outputs, compute, NULL };
