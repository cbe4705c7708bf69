/*
 * test_array.c — unit tests of array.h: the next capacity (from ARRAY_MIN,
 * doubling, jumping to a large request, capped where bytes would overflow,
 * refused past it); ARRAY_RESERVE keeps the contents, does nothing while
 * there is room, and leaves the array as it was when the allocation fails
 * or would overflow; ARRAY_RESERVE_ZERO zeroes only what it adds.
 *
 * Uses: cmocka, array.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/array.h"

#ifdef __SANITIZE_ADDRESS__
/*
 * An impossible allocation returns NULL, as it does without ASan, instead of
 * ending the test. ASan looks this up at start: it must be visible.
 */
const char *__asan_default_options(void) __attribute__((visibility("default")));
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}
#endif

/* ------------------------------------------------------------ array_next_cap */

static void test_array_next_cap_starts_at_the_minimum_then_doubles(void **state)
{
    (void)state;
    assert_int_equal(array_next_cap(0, 1, 8), ARRAY_MIN);
    assert_int_equal(array_next_cap(0, ARRAY_MIN, 8), ARRAY_MIN);
    assert_int_equal(array_next_cap(ARRAY_MIN, ARRAY_MIN + 1, 8), 2 * ARRAY_MIN);
    assert_int_equal(array_next_cap(3, 4, 8), ARRAY_MIN); /* a small start counts as empty */
}

static void test_array_next_cap_doubles_until_a_large_request_fits(void **state)
{
    (void)state;
    assert_int_equal(array_next_cap(16, 1000, 4), 1024);
    assert_int_equal(array_next_cap(0, 1025, 1), 2048);
}

static void test_array_next_cap_stops_where_bytes_would_overflow(void **state)
{
    (void)state;
    size_t half = SIZE_MAX / 2 + 1;
    assert_true(array_next_cap(half, half + 1, 1) == SIZE_MAX); /* doubling would wrap */
    size_t big = SIZE_MAX / 4;                                   /* four of these fit */
    assert_int_equal(array_next_cap(0, 3, big), 3); /* ARRAY_MIN of them would not */
}

static void test_array_next_cap_refuses_what_cannot_be_counted_in_bytes(void **state)
{
    (void)state;
    assert_int_equal(array_next_cap(0, SIZE_MAX / 8 + 1, 8), 0);
    assert_int_equal(array_next_cap(16, SIZE_MAX, 2), 0);
}

/* ------------------------------------------------------------ ARRAY_RESERVE */

static void test_array_reserve_grows_an_empty_array_and_keeps_what_it_holds(void **state)
{
    (void)state;
    uint32_t *a = NULL;
    size_t n = 0, cap = 0;
    for (uint32_t i = 0; i < 1000; i++) {
        assert_int_equal(ARRAY_RESERVE(a, cap, n + 1), 0);
        assert_true(cap >= n + 1);
        a[n++] = i * 3;
    }
    assert_int_equal(cap, 1024);
    for (uint32_t i = 0; i < 1000; i++)
        assert_int_equal(a[i], i * 3);
    free(a);
}

static void test_array_reserve_with_room_leaves_the_array_alone(void **state)
{
    (void)state;
    double *a = NULL;
    size_t cap = 0;
    assert_int_equal(ARRAY_RESERVE(a, cap, 10), 0);
    double *before = a;
    assert_int_equal(ARRAY_RESERVE(a, cap, ARRAY_MIN), 0);
    assert_int_equal(ARRAY_RESERVE(a, cap, 0), 0);
    assert_ptr_equal(a, before);
    assert_int_equal(cap, ARRAY_MIN);
    free(a);
}

/* A request that overflows, then one the allocator cannot meet: both fail and change nothing. */
static void test_array_reserve_that_fails_leaves_the_array_as_it_was(void **state)
{
    (void)state;
    uint32_t *a = NULL;
    size_t cap = 0;
    assert_int_equal(ARRAY_RESERVE(a, cap, 3), 0);
    a[0] = 7, a[1] = 8, a[2] = 9;
    uint32_t *before = a;
    assert_int_equal(ARRAY_RESERVE(a, cap, SIZE_MAX / 2), -1); /* bytes overflow */
    assert_ptr_equal(a, before);
    assert_int_equal(cap, ARRAY_MIN);
    assert_int_equal(ARRAY_RESERVE(a, cap, SIZE_MAX / 8), -1); /* 2^63 bytes: no allocator has them */
    assert_ptr_equal(a, before);
    assert_int_equal(cap, ARRAY_MIN);
    assert_int_equal(a[0] + a[1] + a[2], 24);
    free(a);
}

static void test_array_reserve_zero_zeroes_only_the_added_elements(void **state)
{
    (void)state;
    int64_t *t = NULL;
    size_t cap = 0;
    assert_int_equal(ARRAY_RESERVE_ZERO(t, cap, 5), 0);
    for (size_t i = 0; i < cap; i++)
        assert_int_equal(t[i], 0);
    t[3] = 42, t[cap - 1] = -1;
    size_t old = cap;
    assert_int_equal(ARRAY_RESERVE_ZERO(t, cap, 100), 0); /* code 99 */
    assert_int_equal(cap, 128);
    assert_int_equal(t[3], 42);
    assert_int_equal(t[old - 1], -1);
    for (size_t i = old; i < cap; i++)
        assert_int_equal(t[i], 0);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_array_next_cap_starts_at_the_minimum_then_doubles),
        cmocka_unit_test(test_array_next_cap_doubles_until_a_large_request_fits),
        cmocka_unit_test(test_array_next_cap_stops_where_bytes_would_overflow),
        cmocka_unit_test(test_array_next_cap_refuses_what_cannot_be_counted_in_bytes),
        cmocka_unit_test(test_array_reserve_grows_an_empty_array_and_keeps_what_it_holds),
        cmocka_unit_test(test_array_reserve_with_room_leaves_the_array_alone),
        cmocka_unit_test(test_array_reserve_that_fails_leaves_the_array_as_it_was),
        cmocka_unit_test(test_array_reserve_zero_zeroes_only_the_added_elements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
