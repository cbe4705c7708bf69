/*
 * test_kmeans.c — unit tests of kmeans.c: four Gaussian blobs in 3-D with
 * known centres found again (through standardise / fit / unstandardise),
 * the same labels for the same seed and for any thread count, rows with
 * NAN or infinities left out without disturbing the rest, k above the
 * number of distinct rows, k = 1, standardising, and bad arguments.
 *
 * Uses: cmocka, kmeans.h, rng.h (to generate the data).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "models/kmeans.h"
#include "util/rng.h"
#include "segrt.h"

#define D 3

/* |a - b| <= tol, with the values in the message (cmocka 1.1.5 has no
 * assert_double_equal). */
#define assert_near(a, b, tol) assert_near_at((a), (b), (tol), #a, __FILE__, __LINE__)

static void assert_near_at(double a, double b, double tol, const char *what, const char *file,
                           int line)
{
    if (!(fabs(a - b) <= tol))
        fail_msg("%s:%d: %s = %.17g, expected %.17g within %g", file, line, what, a, b, tol);
}
#define BLOBS 4

/* Centres of very different scale per feature, so that fitting without
 * standardising would let feature 2 decide everything. */
static const double centre[BLOBS][D] = {
    { 0.0, 0.0, 0.0 },
    { 6.0, 0.0, 0.0 },
    { 0.0, 60.0, 0.0 },
    { 0.0, 0.0, 600.0 },
};
static const double scale[D] = { 1.0, 10.0, 100.0 }; /* blob sd = 0.3 * scale */

/* n rows (n×D) drawn from the blobs, blob of each row into blob (may be
 * NULL); the rows of different blobs are interleaved at random. */
static double *blobs(size_t n, uint64_t seed, int *blob)
{
    double *x = malloc(n * D * sizeof *x);
    assert_non_null(x);
    rng r;
    rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        int b = (int)rng_below(&r, BLOBS);
        if (blob)
            blob[i] = b;
        for (size_t j = 0; j < D; j++)
            x[i * D + j] = centre[b][j] + 0.3 * scale[j] * rng_normal(&r);
    }
    return x;
}

static double *copy(const double *x, size_t count)
{
    double *c = malloc(count * sizeof *c);
    assert_non_null(c);
    memcpy(c, x, count * sizeof *c);
    return c;
}

static void fit_ok(const double *x, size_t n, size_t d, size_t k, uint64_t seed, int max_iter,
                   unsigned nthreads, kmeans_result *res)
{
    int rc = kmeans_fit_threads(x, n, d, k, seed, max_iter, nthreads, res);
    if (rc != SEGRT_OK)
        fail_msg("kmeans_fit(n=%zu d=%zu k=%zu): %s", n, d, k, segrt_errname(rc));
}

static void assert_same_result(const kmeans_result *a, const kmeans_result *b)
{
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->k, b->k);
    assert_int_equal(a->iterations, b->iterations);
    assert_int_equal(a->converged, b->converged);
    assert_memory_equal(a->labels, b->labels, a->n * sizeof *a->labels);
    assert_memory_equal(a->centroids, b->centroids, a->k * a->d * sizeof *a->centroids);
    assert_memory_equal(a->sizes, b->sizes, a->k * sizeof *a->sizes);
    assert_memory_equal(&a->inertia, &b->inertia, sizeof a->inertia);
}

/* ---- recovery ---- */

static void test_kmeans_recovers_the_centres_of_four_blobs(void **state)
{
    (void)state;
    const size_t n = 2000;
    int *blob = malloc(n * sizeof *blob);
    assert_non_null(blob);
    double *x = blobs(n, 11, blob);
    double *z = copy(x, n * D);
    double mean[D], sd[D];
    kmeans_result res;

    assert_int_equal(kmeans_standardise(z, n, D, mean, sd), SEGRT_OK);
    fit_ok(z, n, D, BLOBS, 1, 0, 0, &res);
    kmeans_unstandardise(res.centroids, BLOBS, D, mean, sd);
    assert_true(res.converged);
    assert_int_equal(res.n_used, n);

    /* Each true centre has a fitted one within a small tolerance, and no
     * fitted centroid serves two of them. */
    int match[BLOBS], used[BLOBS] = { 0 };
    for (int b = 0; b < BLOBS; b++) {
        double best = INFINITY;
        for (int c = 0; c < BLOBS; c++) {
            double s = 0.0;
            for (int j = 0; j < D; j++) {
                double t = (res.centroids[c * D + j] - centre[b][j]) / scale[j];
                s += t * t;
            }
            if (s < best) {
                best = s;
                match[b] = c;
            }
        }
        for (int j = 0; j < D; j++) {
            double err = fabs(res.centroids[match[b] * D + j] - centre[b][j]);
            if (err > 0.05 * scale[j])
                fail_msg("blob %d feature %d: centroid %.4f, true centre %.4f", b, j,
                         res.centroids[match[b] * D + j], centre[b][j]);
        }
        assert_int_equal(used[match[b]]++, 0);
    }
    /* Well separated: every row is in its own blob's cluster. */
    size_t per_blob[BLOBS] = { 0 };
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(res.labels[i], match[blob[i]]);
        per_blob[blob[i]]++;
    }
    for (int b = 0; b < BLOBS; b++)
        assert_int_equal(res.sizes[match[b]], per_blob[b]);

    /* The inertia is the sum of squared distances in the units fitted. */
    double inertia = 0.0;
    double cz[BLOBS * D];
    memcpy(cz, res.centroids, sizeof cz);
    for (int c = 0; c < BLOBS; c++)
        for (int j = 0; j < D; j++)
            cz[c * D + j] = (cz[c * D + j] - mean[j]) / sd[j];
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < D; j++) {
            double t = z[i * D + j] - cz[res.labels[i] * D + j];
            inertia += t * t;
        }
    assert_near(res.inertia, inertia, 1e-9 * inertia);

    kmeans_result_free(&res);
    free(z);
    free(x);
    free(blob);
}

/* ---- determinism ---- */

static void test_kmeans_same_seed_gives_identical_results(void **state)
{
    (void)state;
    const size_t n = 3000;
    double *x = blobs(n, 12, NULL);
    assert_int_equal(kmeans_standardise(x, n, D, NULL, NULL), SEGRT_OK);
    kmeans_result a, b;

    /* k = 6 on 4 blobs: the split of the blobs depends on the seeding. */
    fit_ok(x, n, D, 6, 42, 0, 0, &a);
    fit_ok(x, n, D, 6, 42, 0, 0, &b);
    assert_same_result(&a, &b);
    kmeans_result_free(&b);

    /* Another seed is another valid fit of the same shape. */
    fit_ok(x, n, D, 6, 43, 0, 0, &b);
    assert_int_equal(b.n_used, n);
    size_t total = 0;
    for (size_t c = 0; c < 6; c++)
        total += b.sizes[c];
    assert_int_equal(total, n);

    kmeans_result_free(&a);
    kmeans_result_free(&b);
    free(x);
}

static void test_kmeans_thread_count_does_not_change_the_result(void **state)
{
    (void)state;
    const size_t n = 70000; /* several blocks of rows */
    double *x = blobs(n, 13, NULL);
    assert_int_equal(kmeans_standardise(x, n, D, NULL, NULL), SEGRT_OK);
    /* Some missing rows, so that blocks hold different numbers of usable rows. */
    for (size_t i = 5; i < n; i += 997)
        x[i * D + 1] = NAN;
    kmeans_result one, many;

    fit_ok(x, n, D, 7, 5, 0, 1, &one);
    for (unsigned t = 2; t <= 6; t++) { /* 6: more threads than blocks */
        fit_ok(x, n, D, 7, 5, 0, t, &many);
        assert_same_result(&one, &many);
        kmeans_result_free(&many);
    }
    fit_ok(x, n, D, 7, 5, 0, 0, &many); /* automatic */
    assert_same_result(&one, &many);

    kmeans_result_free(&one);
    kmeans_result_free(&many);
    free(x);
}

static void test_kmeans_iteration_limit_is_kept(void **state)
{
    (void)state;
    const size_t n = 2000;
    double *x = blobs(n, 14, NULL);
    kmeans_result res;

    fit_ok(x, n, D, 9, 3, 1, 0, &res);
    assert_int_equal(res.iterations, 1);
    assert_false(res.converged);
    /* The centroids are still the means of their clusters' rows. */
    for (size_t c = 0; c < 9; c++) {
        double sum = 0.0;
        for (size_t i = 0; i < n; i++)
            if (res.labels[i] == c)
                sum += x[i * D];
        if (res.sizes[c])
            assert_near(res.centroids[c * D], sum / (double)res.sizes[c], 1e-9);
    }
    kmeans_result_free(&res);
    free(x);
}

/* A converged fit is a fixed point of Lloyd's iteration: each row is in the
 * cluster of its nearest centroid (the lower index on a tie), and each
 * centroid is the mean of its rows. */
static void assert_lloyd_fixed_point(const double *x, size_t n, size_t d, const kmeans_result *res)
{
    assert_true(res->converged);
    for (size_t i = 0; i < n; i++) {
        if (res->labels[i] == KMEANS_MISSING)
            continue;
        double best = INFINITY;
        size_t bc = 0;
        for (size_t c = 0; c < res->k; c++) {
            double s = 0.0;
            for (size_t j = 0; j < d; j++) {
                double t = x[i * d + j] - res->centroids[c * d + j];
                s += t * t;
            }
            if (s < best) {
                best = s;
                bc = c;
            }
        }
        if (res->labels[i] != bc)
            fail_msg("row %zu: label %u, nearest centroid %zu", i, res->labels[i], bc);
    }
    for (size_t c = 0; c < res->k; c++) {
        for (size_t j = 0; j < d; j++) {
            double sum = 0.0;
            for (size_t i = 0; i < n; i++)
                if (res->labels[i] == c)
                    sum += x[i * d + j];
            if (res->sizes[c])
                assert_near(res->centroids[c * d + j], sum / (double)res->sizes[c], 1e-12);
        }
    }
}

static void test_kmeans_converges_to_a_lloyd_fixed_point(void **state)
{
    (void)state;
    /* Uniform data: no natural clusters, many rows near the boundaries,
     * where skipping rows by their distance bounds must not go wrong. */
    const size_t n = 20000, d = 5;
    double *x = malloc(n * d * sizeof *x);
    assert_non_null(x);
    rng r;
    rng_seed(&r, 99);
    for (size_t i = 0; i < n * d; i++)
        x[i] = rng_uniform(&r);
    kmeans_result res;

    fit_ok(x, n, d, 7, 4, 1000, 0, &res);
    assert_lloyd_fixed_point(x, n, d, &res);
    assert_true(res.iterations > 10);

    kmeans_result_free(&res);
    free(x);
}

static void test_kmeans_empty_cluster_takes_the_farthest_row(void **state)
{
    (void)state;
    /* With this input and seed (found by search) a cluster loses all its
     * rows during the fit and is re-seeded. */
    const double x[12 * 2] = { 5, 6, 2, 2, 7, 0, 7, 2, 0, 7, 7, 7,
                               7, 1, 9, 8, 3, 6, 9, 9, 2, 8, 8, 6 };
    kmeans_result res;

    fit_ok(x, 12, 2, 4, 2, 0, 0, &res);
    size_t total = 0;
    for (size_t c = 0; c < 4; c++) {
        assert_true(res.sizes[c] > 0);
        total += res.sizes[c];
    }
    assert_int_equal(total, 12);
    assert_lloyd_fixed_point(x, 12, 2, &res);
    kmeans_result_free(&res);
}

/* ---- missing values ---- */

static void test_kmeans_rows_with_nan_are_labelled_missing(void **state)
{
    (void)state;
    const size_t n = 1000, bad = 50, m = n + bad;
    double *clean = blobs(n, 15, NULL);
    double *x = malloc(m * D * sizeof *x);
    uint8_t *is_bad = calloc(m, 1);
    assert_non_null(x);
    assert_non_null(is_bad);

    /* Every 21st row of x is a bad one: NAN, or an infinity, in some feature. */
    for (size_t i = 0, src = 0; i < m; i++) {
        if (i % 21 == 3 && i / 21 < bad) {
            is_bad[i] = 1;
            for (size_t j = 0; j < D; j++)
                x[i * D + j] = 1.0;
            x[i * D + i % D] = (i / 21) % 5 == 4 ? INFINITY : NAN;
        } else {
            memcpy(x + i * D, clean + src * D, D * sizeof *x);
            src++;
        }
    }
    kmeans_result with, without;
    fit_ok(x, m, D, BLOBS, 8, 0, 0, &with);
    fit_ok(clean, n, D, BLOBS, 8, 0, 0, &without);

    assert_int_equal(with.n, m);
    assert_int_equal(with.n_used, n);
    size_t total = 0;
    for (size_t c = 0; c < BLOBS; c++)
        total += with.sizes[c];
    assert_int_equal(total, n);
    /* The bad rows are out, and the others are clustered as if they were
     * never there: same draws, same sums. */
    for (size_t i = 0, src = 0; i < m; i++) {
        if (is_bad[i]) {
            assert_int_equal(with.labels[i], KMEANS_MISSING);
        } else {
            assert_int_equal(with.labels[i], without.labels[src]);
            src++;
        }
    }
    assert_memory_equal(with.centroids, without.centroids, BLOBS * D * sizeof(double));
    assert_memory_equal(with.sizes, without.sizes, BLOBS * sizeof(size_t));
    assert_memory_equal(&with.inertia, &without.inertia, sizeof with.inertia);

    kmeans_result_free(&with);
    kmeans_result_free(&without);
    free(is_bad);
    free(x);
    free(clean);
}

static void test_kmeans_no_usable_row_is_an_error(void **state)
{
    (void)state;
    double x[4 * 2] = { NAN, 1, 2, NAN, INFINITY, 0, 1, -INFINITY };
    kmeans_result res;
    memset(&res, 0xab, sizeof res);

    assert_int_equal(kmeans_fit(x, 4, 2, 2, 1, 0, &res), SEGRT_EINVAL);
    assert_null(res.labels);
    assert_null(res.centroids);
    assert_null(res.sizes);
    assert_int_equal(kmeans_fit(x, 0, 2, 2, 1, 0, &res), SEGRT_EINVAL);
    kmeans_result_free(&res);
}

/* ---- degenerate k ---- */

static void test_kmeans_k_above_distinct_rows_leaves_clusters_empty(void **state)
{
    (void)state;
    /* 7 rows, 3 distinct points. */
    const double pts[3][2] = { { 0, 0 }, { 5, 5 }, { -3, 4 } };
    const int which[7] = { 0, 1, 2, 1, 0, 2, 1 };
    double x[7 * 2];
    for (int i = 0; i < 7; i++)
        memcpy(x + i * 2, pts[which[i]], sizeof pts[0]);

    for (size_t k = 3; k <= 10; k++) { /* up to more clusters than rows */
        kmeans_result res;
        fit_ok(x, 7, 2, k, k, 0, 0, &res);
        assert_true(res.converged);
        assert_true(res.inertia == 0.0);
        size_t nonempty = 0, total = 0;
        for (size_t c = 0; c < k; c++) {
            nonempty += res.sizes[c] != 0;
            total += res.sizes[c];
        }
        assert_int_equal(nonempty, 3);
        assert_int_equal(total, 7);
        for (int i = 0; i < 7; i++) {
            assert_true(res.labels[i] < k);
            for (int i2 = 0; i2 < 7; i2++)
                assert_int_equal(res.labels[i] == res.labels[i2], which[i] == which[i2]);
            assert_memory_equal(res.centroids + res.labels[i] * 2, pts[which[i]],
                                sizeof pts[0]);
        }
        kmeans_result_free(&res);
    }
}

static void test_kmeans_k_of_one_is_the_mean(void **state)
{
    (void)state;
    const size_t n = 500;
    double *x = blobs(n, 16, NULL);
    kmeans_result res;

    fit_ok(x, n, D, 1, 9, 0, 0, &res);
    assert_true(res.converged);
    assert_true(res.iterations <= 2);
    assert_int_equal(res.sizes[0], n);
    double mean[D] = { 0 }, inertia = 0.0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(res.labels[i], 0);
        for (size_t j = 0; j < D; j++)
            mean[j] += x[i * D + j] / (double)n;
    }
    for (size_t j = 0; j < D; j++)
        assert_near(res.centroids[j], mean[j], 1e-9 * scale[j]);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < D; j++)
            inertia += (x[i * D + j] - mean[j]) * (x[i * D + j] - mean[j]);
    assert_near(res.inertia, inertia, 1e-9 * inertia);

    kmeans_result_free(&res);
    free(x);
}

/* ---- standardising ---- */

static void test_kmeans_standardise_gives_mean_0_and_sd_1(void **state)
{
    (void)state;
    const size_t n = 1000;
    double *x = blobs(n, 17, NULL);
    x[7 * D + 2] = NAN; /* ignored, and left as it is */
    double *orig = copy(x, n * D);
    double mean[D], sd[D];

    assert_int_equal(kmeans_standardise(x, n, D, mean, sd), SEGRT_OK);
    assert_true(isnan(x[7 * D + 2]));
    for (size_t j = 0; j < D; j++) {
        double s = 0.0, ss = 0.0;
        size_t cnt = 0;
        for (size_t i = 0; i < n; i++) {
            double v = x[i * D + j];
            if (isnan(v))
                continue;
            s += v;
            ss += v * v;
            cnt++;
        }
        assert_near(s / (double)cnt, 0.0, 1e-12);
        assert_near(sqrt(ss / (double)cnt), 1.0, 1e-12);
    }
    /* Back to the original units. */
    for (size_t i = 0; i < n; i++) {
        kmeans_unstandardise(x + i * D, 1, D, mean, sd);
        for (size_t j = 0; j < D; j++)
            if (!isnan(orig[i * D + j]))
                assert_near(x[i * D + j], orig[i * D + j], 1e-9 * scale[j]);
    }
    free(orig);
    free(x);
}

static void test_kmeans_standardise_constant_feature_becomes_zero(void **state)
{
    (void)state;
    /* Column 0 constant at 0.1 (whose mean by summing is not exactly 0.1),
     * column 1 ordinary, column 2 has no finite value at all. */
    double x[5 * 3];
    for (int i = 0; i < 5; i++) {
        x[i * 3] = 0.1;
        x[i * 3 + 1] = i;
        x[i * 3 + 2] = NAN;
    }
    double mean[3], sd[3];

    assert_int_equal(kmeans_standardise(x, 5, 3, mean, sd), SEGRT_OK);
    assert_true(mean[0] == 0.1);
    assert_true(sd[0] == 0.0);
    assert_true(mean[2] == 0.0 && sd[2] == 0.0);
    assert_near(mean[1], 2.0, 1e-15);
    assert_near(sd[1], sqrt(2.0), 1e-15);
    for (int i = 0; i < 5; i++) {
        assert_true(x[i * 3] == 0.0);
        assert_true(isnan(x[i * 3 + 2]));
    }
    /* A fit on it still works: the column of zeros changes nothing. */
    kmeans_result res;
    for (int i = 0; i < 5; i++)
        x[i * 3 + 2] = 0.0;
    fit_ok(x, 5, 3, 2, 1, 0, 0, &res);
    assert_int_equal(res.n_used, 5);
    kmeans_result_free(&res);
}

/* ---- arguments ---- */

static void test_kmeans_rejects_bad_arguments(void **state)
{
    (void)state;
    double x[4] = { 1, 2, 3, 4 };
    kmeans_result res;

    assert_int_equal(kmeans_fit(x, 4, 1, 0, 1, 0, &res), SEGRT_EINVAL);
    assert_null(res.labels);
    assert_int_equal(kmeans_fit(x, 4, 0, 2, 1, 0, &res), SEGRT_EINVAL);
    assert_int_equal(kmeans_fit(NULL, 4, 1, 2, 1, 0, &res), SEGRT_EINVAL);
    assert_int_equal(kmeans_fit(x, 4, 1, 2, 1, 0, NULL), SEGRT_EINVAL);
    assert_int_equal(kmeans_fit(x, 4, 1, (size_t)UINT32_MAX, 1, 0, &res), SEGRT_EINVAL);
    /* A size whose arrays cannot be addressed: refused before any allocation. */
    assert_int_equal(kmeans_fit(x, SIZE_MAX / 4, 3, 2, 1, 0, &res), SEGRT_ENOMEM);
    assert_null(res.labels);
    assert_int_equal(kmeans_standardise(NULL, 4, 1, NULL, NULL), SEGRT_EINVAL);
    assert_int_equal(kmeans_standardise(NULL, 0, 1, NULL, NULL), SEGRT_OK);
    kmeans_result_free(&res);
    kmeans_result_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kmeans_recovers_the_centres_of_four_blobs),
        cmocka_unit_test(test_kmeans_same_seed_gives_identical_results),
        cmocka_unit_test(test_kmeans_thread_count_does_not_change_the_result),
        cmocka_unit_test(test_kmeans_iteration_limit_is_kept),
        cmocka_unit_test(test_kmeans_converges_to_a_lloyd_fixed_point),
        cmocka_unit_test(test_kmeans_empty_cluster_takes_the_farthest_row),
        cmocka_unit_test(test_kmeans_rows_with_nan_are_labelled_missing),
        cmocka_unit_test(test_kmeans_no_usable_row_is_an_error),
        cmocka_unit_test(test_kmeans_k_above_distinct_rows_leaves_clusters_empty),
        cmocka_unit_test(test_kmeans_k_of_one_is_the_mean),
        cmocka_unit_test(test_kmeans_standardise_gives_mean_0_and_sd_1),
        cmocka_unit_test(test_kmeans_standardise_constant_feature_becomes_zero),
        cmocka_unit_test(test_kmeans_rejects_bad_arguments),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
