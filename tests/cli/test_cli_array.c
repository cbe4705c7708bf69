/*
 * test_cli_array.c — unit tests of the command's list helpers (cli.h):
 * CLI_ARRAY_RESERVE grows from CLI_ARRAY_MIN by doubling, keeps what the
 * array holds, does nothing while there is room, and leaves the array as it
 * was when the bytes would overflow; cli_strings owns copies of what it is
 * given and is empty again after cli_strings_free.
 *
 * Uses: cmocka, cli_array.c, cli_strings.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

#ifdef __SANITIZE_ADDRESS__
/* An allocation past SIZE_MAX returns NULL, as it does without ASan, instead of ending the test. */
const char *__asan_default_options(void) __attribute__((visibility("default")));
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}
#endif

/* ------------------------------------------------------------ CLI_ARRAY_RESERVE */

static void test_cli_array_reserve_doubles_from_the_minimum_and_keeps_the_elements(void **state)
{
    (void)state;
    uint64_t *a = NULL;
    size_t n = 0, cap = 0;
    while (n < 100) {
        assert_int_equal(CLI_ARRAY_RESERVE(a, cap, n + 1), 0);
        a[n] = 7 * n;
        n++;
    }
    assert_int_equal(cap, 8 * CLI_ARRAY_MIN); /* 16, 32, 64, 128 */
    for (size_t i = 0; i < n; i++)
        assert_int_equal(a[i], 7 * i);
    free(a);
}

static void test_cli_array_reserve_with_room_changes_nothing(void **state)
{
    (void)state;
    char *a = NULL;
    size_t cap = 0;
    assert_int_equal(CLI_ARRAY_RESERVE(a, cap, 40), 0);
    assert_int_equal(cap, 4 * CLI_ARRAY_MIN); /* doubled until 40 fit */
    char *before = a;
    assert_int_equal(CLI_ARRAY_RESERVE(a, cap, 64), 0);
    assert_ptr_equal(a, before);
    assert_int_equal(cap, 4 * CLI_ARRAY_MIN);
    free(a);
}

static void test_cli_array_reserve_refuses_a_size_past_size_max_unchanged(void **state)
{
    (void)state;
    uint32_t *a = NULL;
    size_t cap = 0;
    assert_int_equal(CLI_ARRAY_RESERVE(a, cap, 3), 0);
    a[2] = 42;
    uint32_t *before = a;
    assert_int_equal(CLI_ARRAY_RESERVE(a, cap, SIZE_MAX / 2), -1);
    assert_ptr_equal(a, before);
    assert_int_equal(cap, CLI_ARRAY_MIN);
    assert_int_equal(a[2], 42);
    free(a);
}

/* ------------------------------------------------------------ cli_strings */

static void test_cli_strings_add_keeps_copies_in_order(void **state)
{
    (void)state;
    cli_strings l = { 0 };
    char name[16];
    for (int i = 0; i < 50; i++) {
        snprintf(name, sizeof name, "segment_%d", i);
        assert_int_equal(cli_strings_add(&l, name), SEGRT_OK);
    }
    strcpy(name, "changed");
    assert_int_equal(l.n, 50);
    assert_string_equal(l.v[0], "segment_0");
    assert_string_equal(l.v[49], "segment_49");
    cli_strings_free(&l);
    assert_null(l.v);
    assert_int_equal(l.n, 0);
    assert_int_equal(l.cap, 0);
}

static void test_cli_strings_free_of_an_empty_list_is_harmless(void **state)
{
    (void)state;
    cli_strings l = { 0 };
    cli_strings_free(&l);
    cli_strings_free(&l);
    assert_int_equal(cli_strings_add(&l, ""), SEGRT_OK);
    assert_string_equal(l.v[0], "");
    cli_strings_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_array_reserve_doubles_from_the_minimum_and_keeps_the_elements),
        cmocka_unit_test(test_cli_array_reserve_with_room_changes_nothing),
        cmocka_unit_test(test_cli_array_reserve_refuses_a_size_past_size_max_unchanged),
        cmocka_unit_test(test_cli_strings_add_keeps_copies_in_order),
        cmocka_unit_test(test_cli_strings_free_of_an_empty_list_is_harmless),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
