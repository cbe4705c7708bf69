/*
 * test_isotonic.c — unit tests of isotonic.c: pooling worked by hand
 * (violators merged, equal rates merged, equal scores one block), linear
 * interpolation and flat ends, NAN rows left out, the same map whatever the
 * row order; on random data with ties the knots of the max-min formula and
 * a non-decreasing map; bad arguments.
 *
 * Uses: cmocka, isotonic.h, rng.h (random data).
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

#include "models/isotonic.h"
#include "util/rng.h"
#include "segrt.h"

#define assert_near(a, b) assert_near_at((a), (b), #a, __FILE__, __LINE__)

static void assert_near_at(double a, double b, const char *what, const char *file, int line)
{
    if (!(fabs(a - b) <= 1e-12))
        fail_msg("%s:%d: %s = %.17g, expected %.17g", file, line, what, a, b);
}

/* Scores 1..6, labels 0 1 0 1 1 1: 2 and 3 pool (rate 1/2), 4, 5, 6 pool
 * (rate 1 equals rate 1: merged): blocks {1} 0, {2, 3} 0.5, {4, 5, 6} 1,
 * knots at each block's ends: (1, 0), (2, .5), (3, .5), (4, 1), (6, 1). */
static void test_isotonic_pools_violators_and_interpolates(void **state)
{
    (void)state;
    const double s[] = { 1, 2, 3, 4, 5, 6 };
    const uint8_t y[] = { 0, 1, 0, 1, 1, 1 };
    isotonic m;
    assert_int_equal(isotonic_fit(s, y, 6, &m), SEGRT_OK);
    assert_int_equal(m.blocks, 3);
    assert_int_equal(m.n, 5);
    const double kx[] = { 1, 2, 3, 4, 6 }, ky[] = { 0, 0.5, 0.5, 1, 1 };
    for (size_t k = 0; k < 5; k++) {
        assert_near(m.x[k], kx[k]);
        assert_near(m.y[k], ky[k]);
    }
    assert_near(isotonic_apply(&m, 0.5), 0);
    assert_near(isotonic_apply(&m, 1), 0);
    assert_near(isotonic_apply(&m, 1.5), 0.25);
    assert_near(isotonic_apply(&m, 2.5), 0.5);
    assert_near(isotonic_apply(&m, 3.25), 0.625);
    assert_near(isotonic_apply(&m, 5), 1);
    assert_near(isotonic_apply(&m, 9), 1);
    assert_true(isnan(isotonic_apply(&m, NAN)));
    isotonic_free(&m);
    assert_null(m.x);
    isotonic_free(&m);
    isotonic_free(NULL);
}

/* Equal scores are one block: 1, 1 (rate 1/2) then 2, 2 (rate 0) pool into
 * one block of rate 1/4 from 1 to 2; NAN rows are left out; the row order
 * does not matter. */
static void test_isotonic_ties_nan_and_order(void **state)
{
    (void)state;
    const double s[] = { 2, NAN, 1, 2, 1 };
    const uint8_t y[] = { 0, 1, 1, 0, 0 };
    isotonic m;
    assert_int_equal(isotonic_fit(s, y, 5, &m), SEGRT_OK);
    assert_int_equal(m.blocks, 1);
    assert_int_equal(m.n, 2);
    assert_near(m.x[0], 1);
    assert_near(m.x[1], 2);
    assert_near(isotonic_apply(&m, -3), 0.25);
    assert_near(isotonic_apply(&m, 1.5), 0.25);
    isotonic_free(&m);

    /* a score equal in two rows with different labels stays one knot */
    const double t[] = { 3, 1, 3 };
    const uint8_t z[] = { 1, 0, 0 };
    assert_int_equal(isotonic_fit(t, z, 3, &m), SEGRT_OK);
    assert_int_equal(m.blocks, 2);
    assert_int_equal(m.n, 2);
    assert_near(m.x[1], 3);
    assert_near(m.y[1], 0.5);
    isotonic_free(&m);
}

static void test_isotonic_random_data_matches_the_max_min_formula(void **state)
{
    (void)state;
    enum { N = 5000, G = 200 };
    double *s = malloc(N * sizeof *s);
    uint8_t *y = malloc(N);
    assert_non_null(s);
    assert_non_null(y);
    double cnt[G] = { 0 }, pos[G] = { 0 }, fit[G];
    rng r;
    rng_seed(&r, 7);
    for (size_t i = 0; i < N; i++) {
        size_t g = (size_t)rng_below(&r, G);
        s[i] = (double)g / 10.0;
        y[i] = rng_uniform(&r) < 1.0 / (1.0 + exp(-(s[i] - 10.0) / 3.0));
        cnt[g] += 1;
        pos[g] += y[i];
    }
    for (size_t i = 0; i < G; i++) {
        fit[i] = -1.0;
        for (size_t a = 0; a <= i; a++) {
            double lo = 2.0, n = 0, p = 0;
            for (size_t b = a; b < G; b++) {
                n += cnt[b];
                p += pos[b];
                if (b >= i && n > 0 && p / n < lo)
                    lo = p / n;
            }
            fit[i] = lo > fit[i] ? lo : fit[i];
        }
    }
    isotonic m;
    assert_int_equal(isotonic_fit(s, y, N, &m), SEGRT_OK);
    size_t k = 0, blocks = 0;
    for (size_t g = 0; g < G;) {
        if (cnt[g] == 0) {
            g++;
            continue;
        }
        size_t h = g, last = g; /* the run of equal fitted rates, its last group with rows */
        for (; h < G && (cnt[h] == 0 || fit[h] == fit[g]); h++)
            last = cnt[h] > 0 ? h : last;
        blocks++;
        for (size_t end = g;; end = last) {
            assert_true(k < m.n);
            assert_near(m.x[k], (double)end / 10.0);
            assert_near(m.y[k], fit[g]);
            k++;
            if (end == last)
                break;
        }
        g = h;
    }
    assert_int_equal(m.blocks, blocks);
    assert_int_equal(m.n, k);
    double prev = -1.0;
    for (double v = -1.0; v <= 21.0; v += 0.01) {
        double p = isotonic_apply(&m, v);
        assert_true(p >= prev && p >= 0.0 && p <= 1.0);
        prev = p;
    }
    isotonic_free(&m);
    free(s);
    free(y);
}

static void test_isotonic_rejects_bad_arguments(void **state)
{
    (void)state;
    const double s[] = { NAN, INFINITY };
    const uint8_t y[] = { 1, 0 };
    isotonic m;
    assert_int_equal(isotonic_fit(s, y, 2, &m), SEGRT_EINVAL);
    assert_int_equal(m.n, 0);
    assert_null(m.x);
    assert_int_equal(isotonic_fit(NULL, NULL, 0, &m), SEGRT_EINVAL);
    assert_int_equal(isotonic_fit(s, y, 2, NULL), SEGRT_EINVAL);
    assert_int_equal(isotonic_fit(NULL, y, 2, &m), SEGRT_EINVAL);
    assert_true(isnan(isotonic_apply(NULL, 1.0)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_isotonic_pools_violators_and_interpolates),
        cmocka_unit_test(test_isotonic_ties_nan_and_order),
        cmocka_unit_test(test_isotonic_random_data_matches_the_max_min_formula),
        cmocka_unit_test(test_isotonic_rejects_bad_arguments),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
