/*
 * test_plan_agg.c — unit tests of one step of an event aggregate
 * (core/plan/plan_agg.h), shared by the whole-store and the one-contact
 * evaluators: sums and averages are exact in range, and past the range of
 * the numbers they are clamped to the largest (smallest) number instead of
 * wrapping (undefined behaviour; the serve fuzzer found it with two
 * purchases of 7.7e12) or landing on the missing value.
 *
 * Uses: cmocka, plan_agg.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "plan/plan_agg.h"

#define S ((int64_t)VALUE_NUMBER_SCALE)

/* op folded over xs[0..n) (timestamps and NOW do not matter to sum and avg), then ended. */
static int64_t fold(int op, const int64_t *xs, size_t n)
{
    int64_t v = plan_agg_start(op);
    uint32_t count = 0;
    for (size_t i = 0; i < n; i++)
        plan_agg_step(op, 0, 0, &v, &count, (int64_t)i, xs[i]);
    return plan_agg_end(op, v, count);
}

static void test_sums_and_averages_in_range_are_exact(void **state)
{
    (void)state;
    const int64_t xs[] = { 2499 * S, VALUE_MISSING, 1 * S / 2, -3 * S };
    assert_int_equal(fold(AGG_SUM, xs, 4), 2499 * S + S / 2 - 3 * S);
    assert_int_equal(fold(AGG_AVG, xs, 4), (2499 * S + S / 2 - 3 * S) / 3);
    assert_int_equal(fold(AGG_SUM, xs + 1, 1), VALUE_MISSING); /* no event with the attribute */
}

static void test_a_sum_past_the_largest_number_is_clamped_to_it(void **state)
{
    (void)state;
    const int64_t huge = INT64_C(7777777777601500000); /* 7,777,777,777,601.5 */
    const int64_t xs[] = { 2499 * S, huge, huge, -1 * S };
    assert_int_equal(fold(AGG_SUM, xs, 3), INT64_MAX);
    assert_int_equal(fold(AGG_AVG, xs, 3), INT64_MAX / 3);
    /* clamped, not sticky: a later refund is taken off the largest number */
    assert_int_equal(fold(AGG_SUM, xs, 4), INT64_MAX - S);
}

static void test_a_sum_past_the_smallest_number_is_not_missing(void **state)
{
    (void)state;
    const int64_t low = -INT64_C(7777777777601500000);
    const int64_t xs[] = { low, low, low };
    int64_t sum = fold(AGG_SUM, xs, 3);
    assert_true(sum != VALUE_MISSING);
    assert_int_equal(sum, VALUE_MISSING + 1);
    /* exactly onto VALUE_MISSING (INT64_MIN) is past the range too */
    const int64_t edge[] = { VALUE_MISSING + 1, -1 };
    assert_int_equal(fold(AGG_SUM, edge, 2), VALUE_MISSING + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sums_and_averages_in_range_are_exact),
        cmocka_unit_test(test_a_sum_past_the_largest_number_is_clamped_to_it),
        cmocka_unit_test(test_a_sum_past_the_smallest_number_is_not_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
