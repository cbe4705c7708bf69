/*
 * test_hclust.c — hierarchical clustering (hclust.c) against a brute force
 * written here from the linkage definitions (Ward: sqrt(2 nA nB / (nA + nB))
 * |cA - cB|; average: the mean pairwise distance; complete: the largest),
 * recomputed from the clusters' members at every step: the same merges in
 * the same order with the same heights, for each linkage, on random points;
 * a cut gives k clusters that are unions of the merges; bad sizes refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "segrt.h"
#include "models/hclust.h"
#include "util/rng.h"

#define N 40
#define DIM 3

static double dist(const double *x, size_t i, size_t j)
{
    double s = 0;
    for (size_t k = 0; k < DIM; k++)
        s += (x[i * DIM + k] - x[j * DIM + k]) * (x[i * DIM + k] - x[j * DIM + k]);
    return sqrt(s);
}

/* The linkage distance of clusters A and B (member lists) straight from its definition. */
static double linkage(const double *x, hclust_linkage l, const uint32_t *a, size_t na,
                      const uint32_t *b, size_t nb)
{
    if (l == HCLUST_WARD) {
        double s = 0;
        for (size_t k = 0; k < DIM; k++) {
            double ca = 0, cb = 0;
            for (size_t i = 0; i < na; i++)
                ca += x[a[i] * DIM + k] / (double)na;
            for (size_t i = 0; i < nb; i++)
                cb += x[b[i] * DIM + k] / (double)nb;
            s += (ca - cb) * (ca - cb);
        }
        return sqrt(2.0 * (double)na * (double)nb / (double)(na + nb) * s);
    }
    double acc = l == HCLUST_AVERAGE ? 0 : -1;
    for (size_t i = 0; i < na; i++) {
        for (size_t j = 0; j < nb; j++) {
            double dij = dist(x, a[i], b[j]);
            acc = l == HCLUST_AVERAGE ? acc + dij / (double)(na * nb) : fmax(acc, dij);
        }
    }
    return acc;
}

static void brute_force(const double *x, hclust_linkage l, hclust_merge *out)
{
    uint32_t members[N][N], count[N], id[N];
    int on[N];
    for (size_t i = 0; i < N; i++) {
        members[i][0] = (uint32_t)i;
        count[i] = 1;
        id[i] = (uint32_t)i;
        on[i] = 1;
    }
    for (size_t step = 0; step + 1 < N; step++) {
        size_t bi = 0, bj = 0;
        double best = INFINITY;
        for (size_t i = 0; i < N; i++) { /* slots in order of their first point: ties go first */
            for (size_t j = i + 1; j < N; j++) {
                if (!on[i] || !on[j])
                    continue;
                double h = linkage(x, l, members[i], count[i], members[j], count[j]);
                if (h < best) { /* strict: a tie keeps the earlier pair */
                    best = h;
                    bi = i;
                    bj = j;
                }
            }
        }
        uint32_t a = id[bi] < id[bj] ? id[bi] : id[bj], b = id[bi] ^ id[bj] ^ a;
        out[step] = (hclust_merge){ a, b, best, count[bi] + count[bj] };
        memcpy(members[bi] + count[bi], members[bj], count[bj] * sizeof members[0][0]);
        count[bi] += count[bj];
        id[bi] = (uint32_t)(N + step);
        on[bj] = 0;
    }
}

static void test_hclust_matches_the_brute_force_for_each_linkage(void **state)
{
    (void)state;
    double x[N * DIM];
    rng r;
    rng_seed(&r, 7);
    for (size_t i = 0; i < N * DIM; i++)
        x[i] = rng_uniform(&r) * 10 + (i / DIM % 3) * 4.0; /* loose groups */
    static const char *const names[] = { "ward", "average", "complete" };
    for (int l = HCLUST_WARD; l <= HCLUST_COMPLETE; l++) {
        hclust_merge got[N - 1], want[N - 1];
        assert_int_equal(hclust_fit(x, N, DIM, (hclust_linkage)l, got), SEGRT_OK);
        brute_force(x, (hclust_linkage)l, want);
        for (size_t s = 0; s + 1 < N; s++) {
            if (got[s].a != want[s].a || got[s].b != want[s].b || got[s].size != want[s].size ||
                fabs(got[s].height - want[s].height) > 1e-9 * (1 + want[s].height))
                fail_msg("%s merge %zu: (%u %u %.12g %u), brute force (%u %u %.12g %u)",
                         names[l], s, got[s].a, got[s].b, got[s].height, got[s].size, want[s].a,
                         want[s].b, want[s].height, want[s].size);
            if (s) /* the three linkages are monotone */
                assert_true(got[s].height >= got[s - 1].height - 1e-9);
        }
        assert_int_equal(got[N - 2].size, N);
        uint32_t labels[N];
        assert_int_equal(hclust_cut(got, N, 4, labels), SEGRT_OK);
        uint32_t seen[4] = { 0 };
        for (size_t i = 0; i < N; i++) {
            assert_true(labels[i] < 4);
            seen[labels[i]]++;
        }
        for (size_t c = 0; c < 4; c++)
            assert_true(seen[c] > 0);
        assert_int_equal(labels[0], 0); /* numbered by their smallest point */
        assert_int_equal(hclust_cut(got, N, 1, labels), SEGRT_OK);
        for (size_t i = 0; i < N; i++)
            assert_int_equal(labels[i], 0);
        assert_int_equal(hclust_cut(got, N, N, labels), SEGRT_OK);
        for (size_t i = 0; i < N; i++)
            assert_int_equal(labels[i], i);
    }
}

static void test_hclust_refuses_bad_sizes(void **state)
{
    (void)state;
    double x[2] = { 0, 1 };
    hclust_merge m[1];
    uint32_t labels[2];
    assert_int_equal(hclust_fit(x, 1, 1, HCLUST_WARD, m), SEGRT_EINVAL);
    assert_int_equal(hclust_fit(x, 2, 1, HCLUST_WARD, m), SEGRT_OK);
    assert_true(fabs(m[0].height - 1.0) < 1e-12); /* sqrt(2 * 1 * 1 / 2) * 1 */
    assert_int_equal(hclust_cut(m, 2, 0, labels), SEGRT_EINVAL);
    assert_int_equal(hclust_cut(m, 2, 3, labels), SEGRT_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hclust_matches_the_brute_force_for_each_linkage),
        cmocka_unit_test(test_hclust_refuses_bad_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
