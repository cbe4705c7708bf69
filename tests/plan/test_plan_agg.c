/*
 * test_plan_agg.c — unit tests of one step of an event aggregate
 * (core/plan/plan_agg.h), shared by the whole-store and the one-contact
 * evaluators: sums and averages are exact in range, and past the range of
 * the numbers they wrap around in two's complement instead of overflowing
 * (undefined behaviour; the serve fuzzer found it with two purchases of
 * 7.7e12).
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

static void test_a_sum_past_the_range_wraps_around_without_overflowing(void **state)
{
    (void)state;
    const int64_t huge = INT64_C(7777777777601500000); /* 7,777,777,777,601.5 */
    const int64_t xs[] = { huge, huge, -huge };
    /* defined (no signed overflow: UBSan passes), and a refund brings it back */
    assert_int_equal(fold(AGG_SUM, xs, 2), (int64_t)((uint64_t)huge * 2));
    assert_int_equal(fold(AGG_SUM, xs, 3), huge);
    const int64_t low[] = { -huge, -huge };
    assert_int_equal(fold(AGG_SUM, low, 2), (int64_t)(0 - (uint64_t)huge * 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sums_and_averages_in_range_are_exact),
        cmocka_unit_test(test_a_sum_past_the_range_wraps_around_without_overflowing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
