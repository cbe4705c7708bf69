/*
 * test_calib.c — unit tests of calib.c against values computed by hand on
 * tiny data: the Brier score, the top-decile lift (a whole top row, a tied
 * group at the boundary counted by share, fewer than ten rows), the
 * reliability table (a row per bin, tied rows in one bin), rows with a NAN
 * score ignored, the same numbers whatever the row order, no positive, no
 * row, bad arguments.
 *
 * Uses: cmocka, calib.h.
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

#include "models/calib.h"
#include "segrt.h"

#define assert_near(a, b) assert_near_at((a), (b), #a, __FILE__, __LINE__)

static void assert_near_at(double a, double b, const char *what, const char *file, int line)
{
    if (!(fabs(a - b) <= 1e-12))
        fail_msg("%s:%d: %s = %.17g, expected %.17g", file, line, what, a, b);
}

static calib_report evaluate(const double *p, const uint8_t *y, size_t n)
{
    calib_report r;
    assert_int_equal(calib_evaluate(p, y, n, &r), SEGRT_OK);
    return r;
}

/* Ten distinct scores 0.1 .. 1.0: a row per bin. By hand: squared errors
 * .01 .04 .09 .36 .25 .36 .09 .64 .01 0 sum to 1.85; the top 10% is the
 * one row at 1.0, a positive: rate 1 over base rate 0.4. */
static void test_calib_distinct_scores(void **state)
{
    (void)state;
    const double p[] = { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0 };
    const uint8_t y[] = { 0, 0, 0, 1, 0, 0, 1, 0, 1, 1 };
    calib_report r = evaluate(p, y, 10);
    assert_int_equal(r.n, 10);
    assert_int_equal(r.n_pos, 4);
    assert_near(r.base_rate, 0.4);
    assert_near(r.brier, 0.185);
    assert_near(r.lift_top, 2.5);
    for (size_t b = 0; b < CALIB_BINS; b++) {
        assert_int_equal(r.count[b], 1);
        assert_near(r.mean_score[b], p[b]);
        assert_near(r.observed[b], y[b]);
    }
}

/* 20 rows: 4 tied at 0.9 (2 positive), 16 at 0.2 (4 positive). The top 10%
 * is 2 rows, taken as half of each tied row at 0.9: 1 positive in 2, rate
 * 0.5, base rate 6/20, lift 5/3. Table: the 0.2 rows start at rank 0 (bin
 * 0), the 0.9 rows at rank 16 (bin 8); the other bins are empty. Brier:
 * (2 * .01 + 2 * .81 + 4 * .64 + 12 * .04) / 20 = 4.68 / 20. */
static void test_calib_ties_share_the_boundary_and_a_bin(void **state)
{
    (void)state;
    double p[20];
    uint8_t y[20];
    for (size_t i = 0; i < 20; i++) {
        p[i] = i < 4 ? 0.9 : 0.2;
        y[i] = i < 2 || (i >= 4 && i < 8);
    }
    calib_report r = evaluate(p, y, 20);
    assert_near(r.base_rate, 0.3);
    assert_near(r.brier, 4.68 / 20);
    assert_near(r.lift_top, 0.5 / 0.3);
    for (size_t b = 0; b < CALIB_BINS; b++) {
        size_t want = b == 0 ? 16 : b == 8 ? 4 : 0;
        assert_int_equal(r.count[b], want);
        if (want == 0) {
            assert_true(isnan(r.mean_score[b]) && isnan(r.observed[b]));
        }
    }
    assert_near(r.mean_score[0], 0.2);
    assert_near(r.observed[0], 0.25);
    assert_near(r.mean_score[8], 0.9);
    assert_near(r.observed[8], 0.5);

    /* Reversed, and with NAN rows in between: the same numbers. */
    double q[30];
    uint8_t z[30];
    for (size_t i = 0; i < 30; i++) {
        q[i] = i % 3 == 2 ? NAN : p[19 - (i - i / 3)];
        z[i] = i % 3 == 2 ? 1 : y[19 - (i - i / 3)];
    }
    calib_report s = evaluate(q, z, 30);
    assert_int_equal(s.n, 20);
    assert_int_equal(s.n_pos, 6);
    assert_near(s.brier, r.brier);
    assert_near(s.lift_top, r.lift_top);
    for (size_t b = 0; b < CALIB_BINS; b++)
        assert_int_equal(s.count[b], r.count[b]);
    assert_near(s.observed[0], 0.25);
}

/* Five rows: the top 10% is half a row, the top one (a negative here, so
 * the lift is 0; the runner-up, a positive, does not count). Ranks 0..4
 * fall in bins 0, 2, 4, 6, 8. */
static void test_calib_fewer_rows_than_bins(void **state)
{
    (void)state;
    const double p[] = { 0.5, 0.1, 0.9, 0.3, 0.7 };
    const uint8_t y[] = { 0, 0, 0, 1, 1 };
    calib_report r = evaluate(p, y, 5);
    assert_near(r.lift_top, 0.0);
    const size_t want[CALIB_BINS] = { 1, 0, 1, 0, 1, 0, 1, 0, 1, 0 };
    for (size_t b = 0; b < CALIB_BINS; b++)
        assert_int_equal(r.count[b], want[b]);
    assert_near(r.mean_score[6], 0.7);
    assert_near(r.observed[6], 1.0);
}

static void test_calib_without_positives_or_rows(void **state)
{
    (void)state;
    const double p[] = { 0.2, 0.4, NAN };
    const uint8_t y[] = { 0, 0, 1 };
    calib_report r = evaluate(p, y, 3);
    assert_int_equal(r.n, 2);
    assert_near(r.base_rate, 0.0);
    assert_near(r.brier, (0.04 + 0.16) / 2);
    assert_true(isnan(r.lift_top));

    r = evaluate(p + 2, y + 2, 1); /* only a NAN */
    assert_int_equal(r.n, 0);
    assert_true(isnan(r.base_rate) && isnan(r.brier) && isnan(r.lift_top));
    for (size_t b = 0; b < CALIB_BINS; b++)
        assert_int_equal(r.count[b], 0);
    r = evaluate(NULL, NULL, 0);
    assert_int_equal(r.n, 0);
}

static void test_calib_rejects_bad_arguments(void **state)
{
    (void)state;
    const double p[] = { 0.5 };
    const uint8_t y[] = { 1 };
    calib_report r;
    assert_int_equal(calib_evaluate(p, y, 1, NULL), SEGRT_EINVAL);
    assert_int_equal(calib_evaluate(NULL, y, 1, &r), SEGRT_EINVAL);
    assert_int_equal(calib_evaluate(p, NULL, 1, &r), SEGRT_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calib_distinct_scores),
        cmocka_unit_test(test_calib_ties_share_the_boundary_and_a_bin),
        cmocka_unit_test(test_calib_fewer_rows_than_bins),
        cmocka_unit_test(test_calib_without_positives_or_rows),
        cmocka_unit_test(test_calib_rejects_bad_arguments),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
