/*
 * kmeans.h — k-means clustering of a dense n×d matrix of doubles (row-major),
 * for segmenting contacts by numeric features (issue 5: scoring models).
 *
 * The usual flow:
 *
 *     double *z = copy of x;                      (n×d)
 *     kmeans_standardise(z, n, d, mean, sd);      features to mean 0, sd 1
 *     kmeans_fit(z, n, d, k, seed, 0, &res);      cluster in standard units
 *     kmeans_unstandardise(res.centroids, k, d, mean, sd);  report in x's units
 *     ...
 *     kmeans_result_free(&res);
 *
 * A row holding a NAN (or an infinity) in any feature is "missing": it is
 * labelled KMEANS_MISSING and takes no part in the fit.
 *
 * The fit is deterministic: the same input and seed give the same labels,
 * centroids and counts on every run, whatever the number of threads used.
 *
 * Uses: rng.h, pthreads (the assignment step of large inputs), libm.
 */
#ifndef SEGRT_KMEANS_H
#define SEGRT_KMEANS_H

#include <stddef.h>
#include <stdint.h>

/* The label of a row with a missing (non-finite) feature. */
#define KMEANS_MISSING UINT32_MAX
/* The iteration limit used when kmeans_fit() is given max_iter <= 0. */
#define KMEANS_DEFAULT_MAX_ITER 300

/* The outcome of kmeans_fit(). The arrays are owned by the result and live
 * until kmeans_result_free(). */
typedef struct kmeans_result {
    size_t n, d, k;      /* the shape fitted */
    uint32_t *labels;    /* n: cluster of each row, or KMEANS_MISSING */
    double *centroids;   /* k×d row-major: the mean of each cluster's rows,
                          * in the units of the x given to kmeans_fit() */
    size_t *sizes;       /* k: rows in each cluster; 0 only when k exceeds the
                          * number of distinct usable rows */
    double inertia;      /* sum over usable rows of the squared distance to
                          * their centroid */
    size_t n_used;       /* rows clustered (n minus the missing ones) */
    int iterations;      /* assignment steps run, 1..max_iter */
    int converged;       /* 1 when the last step changed no assignment */
} kmeans_result;

/*
 * Standardise each column of x (n×d, row-major) in place to mean 0 and
 * standard deviation 1 (the population sd, divisor n). Non-finite values are
 * left as they are and ignored in the statistics. A constant column (or one
 * with no finite value) becomes all 0 and gets sd 0. mean_out and sd_out (d
 * each) receive the statistics, so results can be mapped back with
 * x = z * sd + mean (see kmeans_unstandardise()). Either may be NULL.
 * SEGRT_OK, or SEGRT_EINVAL when x is NULL while n and d are not 0.
 */
int kmeans_standardise(double *x, size_t n, size_t d, double *mean_out, double *sd_out);

/* Map k×d centroids from standard units back to the original ones, in place:
 * c = c * sd + mean, per column. */
void kmeans_unstandardise(double *centroids, size_t k, size_t d, const double *mean,
                          const double *sd);

/*
 * Cluster the n×d row-major matrix x into k clusters: k-means++ seeding from
 * a PRNG seeded with seed, then Lloyd iterations until no row changes its
 * cluster or max_iter steps have run (max_iter <= 0: KMEANS_DEFAULT_MAX_ITER).
 * A cluster that becomes empty is re-seeded with the usable row farthest
 * from its centroid (the lowest row index on a tie). Distances are
 * Euclidean in the units of x, so standardise first when features differ
 * in scale. Distance ties go to the lower cluster index.
 *
 * Uses up to two threads for large inputs; kmeans_fit_threads() sets the
 * number (0: automatic). The results do not depend on it.
 *
 * SEGRT_OK and *out filled; SEGRT_EINVAL when k or d is 0, k > UINT32_MAX - 1,
 * or no row is usable; SEGRT_ENOMEM. On failure *out is zeroed (its
 * pointers NULL), so kmeans_result_free() is always safe.
 */
int kmeans_fit(const double *x, size_t n, size_t d, size_t k, uint64_t seed, int max_iter,
               kmeans_result *out);
int kmeans_fit_threads(const double *x, size_t n, size_t d, size_t k, uint64_t seed,
                       int max_iter, unsigned nthreads, kmeans_result *out);

/* Free the arrays of a result and zero it; accepts NULL and a zeroed result. */
void kmeans_result_free(kmeans_result *r);

#endif
