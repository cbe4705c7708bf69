/*
 * test_radix.c — the stable LSD radix sort (core/util/radix.c): keys that
 * vary in some bytes only (the places skipped), in every byte, all equal,
 * and the ties kept in their order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "util/radix.h"
#include "util/rng.h"

/* Sort n items whose keys are drawn by masking random words; check order and stability. */
static void sort_and_check(size_t n, uint64_t mask, uint64_t seed)
{
    rng g;
    rng_seed(&g, seed);
    radix_item *items = malloc((n ? n : 1) * sizeof *items);
    assert_non_null(items);
    for (size_t i = 0; i < n; i++)
        items[i] = (radix_item){ .key = rng_next(&g) & mask, .val = (uint32_t)i };
    assert_int_equal(radix_sort(items, n), 0);
    for (size_t i = 1; i < n; i++) {
        assert_true(items[i - 1].key <= items[i].key);
        if (items[i - 1].key == items[i].key) /* the items came in val order */
            assert_true(items[i - 1].val < items[i].val);
    }
    /* a permutation: every val once */
    char *seen = calloc(n ? n : 1, 1);
    assert_non_null(seen);
    for (size_t i = 0; i < n; i++) {
        assert_true(items[i].val < n && !seen[items[i].val]);
        seen[items[i].val] = 1;
    }
    free(seen);
    free(items);
}

static void test_radix_sorts_keys_of_every_byte(void **state)
{
    (void)state;
    sort_and_check(100000, UINT64_MAX, 1);
}

/* A day count or a purchase count: two bytes, or one, vary; the rest are skipped. */
static void test_radix_sorts_keys_of_a_few_low_bytes_with_many_ties(void **state)
{
    (void)state;
    sort_and_check(100000, 0xffff, 2);
    sort_and_check(100000, 0x7, 3);
}

/* Bytes that vary between places that do not: the skipped places leave the order alone. */
static void test_radix_sorts_keys_with_constant_bytes_between_varying_ones(void **state)
{
    (void)state;
    sort_and_check(50000, UINT64_C(0xff0000ff0000ff00), 4);
    sort_and_check(50000, UINT64_C(0x8000000000000001), 5); /* the sign bit, as ntile flips it */
}

static void test_radix_leaves_equal_keys_and_tiny_inputs_alone(void **state)
{
    (void)state;
    sort_and_check(1000, 0, 6);
    sort_and_check(0, UINT64_MAX, 7);
    sort_and_check(1, UINT64_MAX, 8);
    sort_and_check(2, UINT64_MAX, 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_radix_sorts_keys_of_every_byte),
        cmocka_unit_test(test_radix_sorts_keys_of_a_few_low_bytes_with_many_ties),
        cmocka_unit_test(test_radix_sorts_keys_with_constant_bytes_between_varying_ones),
        cmocka_unit_test(test_radix_leaves_equal_keys_and_tiny_inputs_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
