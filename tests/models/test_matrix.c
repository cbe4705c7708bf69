/*
 * test_matrix.c — unit tests of matrix.c: a row is usable only when every
 * value is finite; the column statistics count each finite value or only
 * whole finite rows, are the population mean and sd, keep a constant
 * column's value exact with sd 0, give 0 and 0 to a column with nothing
 * counted, and refuse a width whose scratch cannot be sized.
 *
 * Uses: cmocka, matrix.h.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "models/matrix.h"
#include "segrt.h"

static void test_matrix_row_finite_wants_every_value_finite(void **state)
{
    (void)state;
    const double ok[3] = { 1.0, -2.5, 0.0 }, nan[3] = { 1.0, NAN, 0.0 },
                 inf[3] = { 1.0, 2.0, -INFINITY };
    assert_true(matrix_row_finite(ok, 3));
    assert_false(matrix_row_finite(nan, 3));
    assert_false(matrix_row_finite(inf, 3));
    assert_true(matrix_row_finite(nan, 0)); /* no feature: nothing missing */
}

/* Column 0: 1, 2, 3, NAN -> mean 2 over three values; column 1: 10, 10, 10, 20. */
static const double x[4 * 2] = { 1.0, 10.0, 2.0, 10.0, 3.0, 10.0, NAN, 20.0 };

static void test_matrix_col_stats_counts_each_finite_value(void **state)
{
    (void)state;
    double mean[2], sd[2];
    assert_int_equal(matrix_col_stats(x, 4, 2, MATRIX_FINITE_VALUES, mean, sd), SEGRT_OK);
    assert_true(mean[0] == 2.0);
    assert_true(fabs(sd[0] - sqrt(2.0 / 3.0)) < 1e-15);
    assert_true(mean[1] == 12.5); /* the last row's 20 counts: only its other value is missing */
    assert_true(fabs(sd[1] - sqrt(75.0 / 4.0)) < 1e-15);
}

static void test_matrix_col_stats_counts_only_whole_finite_rows(void **state)
{
    (void)state;
    double mean[2], sd[2];
    assert_int_equal(matrix_col_stats(x, 4, 2, MATRIX_FINITE_ROWS, mean, sd), SEGRT_OK);
    assert_true(mean[0] == 2.0);
    assert_true(mean[1] == 10.0); /* the row with a NAN is left out whole */
    assert_true(sd[1] == 0.0);
}

static void test_matrix_col_stats_keeps_a_constant_column_exact(void **state)
{
    (void)state;
    /* 0.1 three times: the sum divided by 3 rounds away from 0.1, the value does not. */
    const double c[3] = { 0.1, 0.1, 0.1 };
    double mean, sd;
    assert_int_equal(matrix_col_stats(c, 3, 1, MATRIX_FINITE_VALUES, &mean, &sd), SEGRT_OK);
    assert_true(mean == 0.1);
    assert_true(sd == 0.0);
}

static void test_matrix_col_stats_gives_zero_to_a_column_with_nothing_counted(void **state)
{
    (void)state;
    const double c[2 * 2] = { NAN, 1.0, INFINITY, 3.0 };
    double mean[2] = { -1, -1 }, sd[2] = { -1, -1 };
    assert_int_equal(matrix_col_stats(c, 2, 2, MATRIX_FINITE_VALUES, mean, sd), SEGRT_OK);
    assert_true(mean[0] == 0.0 && sd[0] == 0.0);
    assert_true(mean[1] == 2.0 && sd[1] == 1.0);
    assert_int_equal(matrix_col_stats(c, 0, 2, MATRIX_FINITE_ROWS, mean, sd), SEGRT_OK);
    assert_true(mean[1] == 0.0 && sd[1] == 0.0); /* no rows at all */
}

static void test_matrix_col_stats_refuses_a_width_it_cannot_size(void **state)
{
    (void)state;
    double mean, sd;
    assert_int_equal(matrix_col_stats(x, 0, SIZE_MAX / 8, MATRIX_FINITE_VALUES, &mean, &sd),
                     SEGRT_ENOMEM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix_row_finite_wants_every_value_finite),
        cmocka_unit_test(test_matrix_col_stats_counts_each_finite_value),
        cmocka_unit_test(test_matrix_col_stats_counts_only_whole_finite_rows),
        cmocka_unit_test(test_matrix_col_stats_keeps_a_constant_column_exact),
        cmocka_unit_test(test_matrix_col_stats_gives_zero_to_a_column_with_nothing_counted),
        cmocka_unit_test(test_matrix_col_stats_refuses_a_width_it_cannot_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
