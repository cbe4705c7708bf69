/*
 * test_buf.c — unit tests of buf_printf (buf.c): formatted text appended
 * after what the buffer holds, without its NUL in len (but written after
 * it); text longer than the room left grows the buffer and comes out whole;
 * an empty result changes nothing; many appends in a row.
 *
 * Uses: cmocka, buf.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"

static void test_buf_printf_appends_after_what_is_there(void **state)
{
    (void)state;
    buf b = { 0 };
    assert_int_equal(buf_put(&b, "ab", 2), 0);
    assert_int_equal(buf_printf(&b, "-%d-%s", 42, "x"), 0);
    assert_int_equal(b.len, 7);
    assert_memory_equal(b.p, "ab-42-x", 7);
    assert_int_equal(b.p[7], '\0'); /* written, not counted */
    buf_free(&b);
}

static void test_buf_printf_grows_for_text_longer_than_the_room(void **state)
{
    (void)state;
    buf b = { 0 };
    char big[3 * BUF_MIN];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(buf_printf(&b, "%c", 'x'), 0);
    assert_true(b.cap - b.len < sizeof big); /* the room is too small */
    assert_int_equal(buf_printf(&b, "[%s]", big), 0);
    assert_int_equal(b.len, 1 + 1 + strlen(big) + 1);
    assert_int_equal(b.p[0], 'x');
    assert_int_equal(b.p[1], '[');
    assert_memory_equal(b.p + 2, big, strlen(big));
    assert_int_equal(b.p[b.len - 1], ']');
    buf_free(&b);
}

static void test_buf_printf_of_nothing_changes_nothing(void **state)
{
    (void)state;
    buf b = { 0 };
    assert_int_equal(buf_printf(&b, "%s", ""), 0);
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_put(&b, "z", 1), 0);
    assert_int_equal(buf_printf(&b, "%.0s", "ignored"), 0);
    assert_int_equal(b.len, 1);
    buf_free(&b);
}

static void test_buf_printf_many_appends_make_one_text(void **state)
{
    (void)state;
    buf b = { 0 };
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_printf(&b, "%s%d", i ? "," : "", i), 0);
    assert_int_equal(buf_put(&b, "", 1), 0);
    const char *text = (const char *)b.p;
    assert_int_equal(strncmp(text, "0,1,2,3,", 8), 0);
    assert_non_null(strstr(text, ",998,999"));
    assert_int_equal(strlen(text), b.len - 1);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_printf_appends_after_what_is_there),
        cmocka_unit_test(test_buf_printf_grows_for_text_longer_than_the_room),
        cmocka_unit_test(test_buf_printf_of_nothing_changes_nothing),
        cmocka_unit_test(test_buf_printf_many_appends_make_one_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
