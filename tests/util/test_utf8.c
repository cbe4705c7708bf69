/*
 * test_utf8.c — unit tests of utf8_invalid_at() (core/util/utf8.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/utf8.h"

/* utf8_invalid_at() on a string literal, without its terminating NUL. */
#define INVALID_AT(lit) utf8_invalid_at(lit, sizeof(lit) - 1)

static void test_utf8_empty_is_valid(void **state)
{
    (void)state;
    assert_int_equal(utf8_invalid_at("", 0), 0);
}

static void test_utf8_ascii_is_valid(void **state)
{
    (void)state;
    assert_int_equal(INVALID_AT("hello, world; 0123456789"), 24);
}

static void test_utf8_nul_byte_is_valid(void **state)
{
    (void)state;
    assert_int_equal(INVALID_AT("a\0b"), 3);
}

static void test_utf8_multibyte_sequences_are_valid(void **state)
{
    (void)state;
    assert_int_equal(INVALID_AT("\xC3\xA9"), 2);             /* é U+00E9 */
    assert_int_equal(INVALID_AT("\xC2\x80"), 2);             /* U+0080, lowest 2-byte */
    assert_int_equal(INVALID_AT("\xDF\xBF"), 2);             /* U+07FF */
    assert_int_equal(INVALID_AT("\xE0\xA0\x80"), 3);         /* U+0800, lowest 3-byte */
    assert_int_equal(INVALID_AT("\xE2\x82\xAC"), 3);         /* € U+20AC */
    assert_int_equal(INVALID_AT("\xED\x9F\xBF"), 3);         /* U+D7FF, below surrogates */
    assert_int_equal(INVALID_AT("\xEE\x80\x80"), 3);         /* U+E000, above surrogates */
    assert_int_equal(INVALID_AT("\xEF\xBF\xBF"), 3);         /* U+FFFF */
    assert_int_equal(INVALID_AT("\xF0\x90\x80\x80"), 4);     /* U+10000, lowest 4-byte */
    assert_int_equal(INVALID_AT("\xF0\x9F\x98\x80"), 4);     /* 😀 U+1F600 */
    assert_int_equal(INVALID_AT("\xF4\x8F\xBF\xBF"), 4);     /* U+10FFFF, the highest */
}

static void test_utf8_mixed_text_is_valid(void **state)
{
    (void)state;
    const char s[] = "Bucure\xC8\x99ti, \xD0\xA1\xD0\xBE\xD1\x84\xD0\xB8\xD1\x8F and plain ASCII";
    assert_int_equal(utf8_invalid_at(s, sizeof s - 1), sizeof s - 1);
}

static void test_utf8_byte_ff_is_invalid(void **state)
{
    (void)state;
    assert_int_equal(INVALID_AT("abc\xFF"), 3);
    assert_int_equal(INVALID_AT("\xFE"), 0);
}

static void test_utf8_bytes_f5_and_above_never_start_a_sequence(void **state)
{
    (void)state;
    assert_int_equal(INVALID_AT("\xF5\x80\x80\x80"), 0);
    assert_int_equal(INVALID_AT("\xF7\xBF\xBF\xBF"), 0);
}

static void test_utf8_stray_continuation_byte_is_invalid(void **state)
{
    (void)state;
    assert_int_equal(INVALID_AT("ab\x80"), 2);
    assert_int_equal(INVALID_AT("\xC3\xA9\xA9"), 2);
}

static void test_utf8_truncated_two_byte_sequence_is_invalid(void **state)
{
    (void)state;
    assert_int_equal(INVALID_AT("\xC3("), 0);
    assert_int_equal(INVALID_AT("x\xC3"), 1);
}

static void test_utf8_truncated_three_byte_sequence_at_end_is_invalid(void **state)
{
    (void)state;
    assert_int_equal(INVALID_AT("\xE2\x82"), 0);
    assert_int_equal(INVALID_AT("price: \xE2\x82"), 7);
}

static void test_utf8_truncated_four_byte_sequence_is_invalid(void **state)
{
    (void)state;
    assert_int_equal(INVALID_AT("\xF0\x9F\x98"), 0);
    assert_int_equal(INVALID_AT("\xF0\x9F\x98x"), 0);
}

static void test_utf8_overlongs_are_invalid(void **state)
{
    (void)state;
    assert_int_equal(INVALID_AT("\xC0\xAF"), 0);         /* '/' in 2 bytes */
    assert_int_equal(INVALID_AT("\xC1\xBF"), 0);
    assert_int_equal(INVALID_AT("\xE0\x80\xAF"), 0);     /* '/' in 3 bytes */
    assert_int_equal(INVALID_AT("\xE0\x9F\xBF"), 0);     /* U+07FF in 3 bytes */
    assert_int_equal(INVALID_AT("\xF0\x80\x80\xAF"), 0); /* '/' in 4 bytes */
    assert_int_equal(INVALID_AT("\xF0\x8F\xBF\xBF"), 0); /* U+FFFF in 4 bytes */
}

static void test_utf8_surrogates_are_invalid(void **state)
{
    (void)state;
    assert_int_equal(INVALID_AT("\xED\xA0\x80"), 0);             /* U+D800 */
    assert_int_equal(INVALID_AT("\xED\xBF\xBF"), 0);             /* U+DFFF */
    assert_int_equal(INVALID_AT("\xED\xA0\xBD\xED\xB8\x80"), 0); /* CESU-8 pair */
}

static void test_utf8_code_points_above_10ffff_are_invalid(void **state)
{
    (void)state;
    assert_int_equal(INVALID_AT("\xF4\x90\x80\x80"), 0); /* U+110000 */
}

static void test_utf8_bad_continuation_in_long_sequence_is_invalid(void **state)
{
    (void)state;
    assert_int_equal(INVALID_AT("\xE2\x82("), 0);
    assert_int_equal(INVALID_AT("\xF0\x9F\xC3\xA9"), 0);
}

/*
 * The all-ASCII check (whole words, the last one overlapping) and the 8-byte
 * fast path must hand over to the slow path at every length and offset. Each
 * text is a heap block of exactly its length, so ASan sees any read past it.
 */
static void test_utf8_invalid_byte_found_at_every_offset_of_every_length(void **state)
{
    (void)state;
    for (size_t n = 1; n <= 64; n++) {
        char *s = malloc(n);
        assert_non_null(s);
        memset(s, 'a', n);
        assert_int_equal(utf8_invalid_at(s, n), n);
        for (size_t at = 0; at < n; at++) {
            memset(s, 'a', n);
            s[at] = (char)0xFF;
            assert_int_equal(utf8_invalid_at(s, n), at);
        }
        free(s);
    }
}

static void test_utf8_valid_sequence_straddling_words_is_valid(void **state)
{
    (void)state;
    char s[40];
    for (size_t at = 0; at + 4 <= sizeof s; at++) {
        memset(s, 'a', sizeof s);
        memcpy(s + at, "\xF0\x9F\x98\x80", 4);
        assert_int_equal(utf8_invalid_at(s, sizeof s), sizeof s);
    }
}

static void test_utf8_length_bounds_the_scan(void **state)
{
    (void)state;
    /* Only the first 2 bytes are examined: the é is cut short by n. */
    assert_int_equal(utf8_invalid_at("a\xC3\xA9", 2), 1);
    /* Bytes past n are never read, however invalid. */
    assert_int_equal(utf8_invalid_at("abcdefgh\xFF", 8), 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_empty_is_valid),
        cmocka_unit_test(test_utf8_ascii_is_valid),
        cmocka_unit_test(test_utf8_nul_byte_is_valid),
        cmocka_unit_test(test_utf8_multibyte_sequences_are_valid),
        cmocka_unit_test(test_utf8_mixed_text_is_valid),
        cmocka_unit_test(test_utf8_byte_ff_is_invalid),
        cmocka_unit_test(test_utf8_bytes_f5_and_above_never_start_a_sequence),
        cmocka_unit_test(test_utf8_stray_continuation_byte_is_invalid),
        cmocka_unit_test(test_utf8_truncated_two_byte_sequence_is_invalid),
        cmocka_unit_test(test_utf8_truncated_three_byte_sequence_at_end_is_invalid),
        cmocka_unit_test(test_utf8_truncated_four_byte_sequence_is_invalid),
        cmocka_unit_test(test_utf8_overlongs_are_invalid),
        cmocka_unit_test(test_utf8_surrogates_are_invalid),
        cmocka_unit_test(test_utf8_code_points_above_10ffff_are_invalid),
        cmocka_unit_test(test_utf8_bad_continuation_in_long_sequence_is_invalid),
        cmocka_unit_test(test_utf8_invalid_byte_found_at_every_offset_of_every_length),
        cmocka_unit_test(test_utf8_valid_sequence_straddling_words_is_valid),
        cmocka_unit_test(test_utf8_length_bounds_the_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
