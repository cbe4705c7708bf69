/*
 * test_jsonl.c — unit tests of the JSON Lines reader (core/util/jsonl.c).
 *
 * Each test reads from a heap copy of its input with no byte to spare, so
 * AddressSanitizer catches any read past the end of the buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/jsonl.h"

typedef struct fixture {
    jsonl_reader r;
    char *buf;
    uint64_t line;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (fx == NULL)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    jsonl_reader_free(&fx->r);
    free(fx->buf);
    free(fx);
    return 0;
}

static jsonl_reader *open_buf(void **state, const char *data, size_t len, uint64_t first_line)
{
    fixture *fx = *state;
    fx->buf = malloc(len ? len : 1);
    assert_non_null(fx->buf);
    memcpy(fx->buf, data, len);
    jsonl_reader_init(&fx->r, fx->buf, len, first_line);
    return &fx->r;
}

#define OPEN(lit) open_buf(state, lit, sizeof(lit) - 1, 1)

static jsonl_status next(void **state)
{
    fixture *fx = *state;
    return jsonl_next(&fx->r, &fx->line);
}

#define LINE() (((fixture *)*state)->line)

#define assert_row(line_no)                         \
    do {                                            \
        assert_int_equal(next(state), JSONL_ROW);   \
        assert_int_equal(LINE(), line_no);          \
    } while (0)

#define assert_bad_row(line_no)                       \
    do {                                              \
        assert_int_equal(next(state), JSONL_BAD_ROW); \
        assert_int_equal(LINE(), line_no);            \
    } while (0)

/* The text of member key of the current object, or NULL. */
static const char *member_text(jsonl_reader *r, const char *key, size_t *len, int *composite)
{
    return jsonl_scalar_text(r, json_object_get(r->obj, key), len, composite);
}

#define assert_member_text(r, key, lit)                             \
    do {                                                            \
        size_t len_;                                                \
        int composite_;                                             \
        const char *t_ = member_text(r, key, &len_, &composite_);   \
        assert_non_null(t_);                                        \
        assert_int_equal(composite_, 0);                            \
        assert_int_equal(len_, sizeof(lit) - 1);                    \
        assert_memory_equal(t_, lit, sizeof(lit) - 1);              \
    } while (0)

static void test_jsonl_empty_buffer_is_end(void **state)
{
    jsonl_reader *r = open_buf(state, "", 0, 1);
    assert_int_equal(next(state), JSONL_END);
    assert_null(r->obj);
}

static void test_jsonl_objects_are_read_with_line_numbers(void **state)
{
    jsonl_reader *r = OPEN("{\"id\":\"c1\"}\n{\"id\":\"c2\",\"n\":2}\n");
    assert_row(1);
    assert_member_text(r, "id", "c1");
    assert_row(2);
    assert_member_text(r, "id", "c2");
    assert_member_text(r, "n", "2");
    assert_int_equal(next(state), JSONL_END);
    assert_null(r->obj);
    assert_int_equal(next(state), JSONL_END);
}

static void test_jsonl_crlf_lines_are_read(void **state)
{
    jsonl_reader *r = OPEN("{\"a\":\"x\"}\r\n{\"a\":\"y\"}\r\n");
    assert_row(1);
    assert_member_text(r, "a", "x");
    assert_row(2);
    assert_member_text(r, "a", "y");
    assert_int_equal(next(state), JSONL_END);
}

static void test_jsonl_final_line_without_newline_is_read(void **state)
{
    jsonl_reader *r = OPEN("{\"a\":1}\n{\"a\":2}");
    assert_row(1);
    assert_row(2);
    assert_member_text(r, "a", "2");
    assert_int_equal(next(state), JSONL_END);
}

static void test_jsonl_blank_lines_are_skipped_and_counted(void **state)
{
    jsonl_reader *r = OPEN("\n{\"a\":1}\n\r\n  \t\n{\"a\":2}\n\n");
    assert_row(2);
    assert_member_text(r, "a", "1");
    assert_row(5);
    assert_member_text(r, "a", "2");
    assert_int_equal(next(state), JSONL_END);
}

static void test_jsonl_first_line_sets_the_line_numbers(void **state)
{
    open_buf(state, "{}\n\n{}\n", 7, 10);
    assert_row(10);
    assert_row(12);
}

static void test_jsonl_object_spread_with_spaces_is_read(void **state)
{
    jsonl_reader *r = OPEN("  { \"a\" : [1, 2] , \"b\" : {} }  \n");
    assert_row(1);
    assert_int_equal(json_object_size(r->obj), 2);
}

static void test_jsonl_bad_json_is_reported_and_next_line_is_read(void **state)
{
    jsonl_reader *r = OPEN("{\"a\":1}\n{\"a\":}\n{\"a\":3}\n");
    assert_row(1);
    assert_bad_row(2);
    assert_null(r->obj);
    assert_non_null(strstr(r->err, "not valid JSON at column 6"));
    assert_row(3);
    assert_member_text(r, "a", "3");
    assert_string_equal(r->err, "");
}

static void test_jsonl_truncated_object_is_bad_row(void **state)
{
    jsonl_reader *r = OPEN("{\"a\":\"x\n{\"a\":\"y\"}\n");
    assert_bad_row(1);
    assert_non_null(strstr(r->err, "not valid JSON"));
    assert_row(2);
    assert_member_text(r, "a", "y");
}

static void test_jsonl_text_after_object_is_bad_row(void **state)
{
    jsonl_reader *r = OPEN("{\"a\":1} {\"b\":2}\n{}\n");
    assert_bad_row(1);
    assert_non_null(strstr(r->err, "not valid JSON"));
    assert_row(2);
}

static void test_jsonl_array_line_is_not_an_object(void **state)
{
    jsonl_reader *r = OPEN("[1,2]\n{}\n");
    assert_bad_row(1);
    assert_string_equal(r->err, "not a JSON object (found an array)");
    assert_null(r->obj);
    assert_row(2);
}

static void test_jsonl_scalar_lines_are_not_objects(void **state)
{
    jsonl_reader *r = OPEN("42\n\"s\"\nnull\ntrue\n");
    assert_bad_row(1);
    assert_string_equal(r->err, "not a JSON object (found a number)");
    assert_bad_row(2);
    assert_string_equal(r->err, "not a JSON object (found a string)");
    assert_bad_row(3);
    assert_string_equal(r->err, "not a JSON object (found null)");
    assert_bad_row(4);
    assert_string_equal(r->err, "not a JSON object (found a boolean)");
    assert_int_equal(next(state), JSONL_END);
}

static void test_jsonl_duplicate_key_is_bad_row(void **state)
{
    jsonl_reader *r = OPEN("{\"a\":1,\"a\":2}\n{\"a\":3}\n");
    assert_bad_row(1);
    assert_non_null(strstr(r->err, "duplicate"));
    assert_row(2);
    assert_member_text(r, "a", "3");
}

static void test_jsonl_invalid_utf8_is_bad_row_naming_the_byte(void **state)
{
    jsonl_reader *r = OPEN("{\"a\":\"\xFF\"}\n{\"a\":\"\xC3\xA9\"}\n");
    assert_bad_row(1);
    assert_string_equal(r->err, "not valid UTF-8 (byte 0xff at column 7)");
    assert_row(2);
    assert_member_text(r, "a", "\xC3\xA9");
}

static void test_jsonl_overlong_and_surrogate_are_bad_rows(void **state)
{
    jsonl_reader *r = OPEN("{\"a\":\"\xC0\xAF\"}\n{\"a\":\"\xED\xA0\x80\"}\r\n{}");
    assert_bad_row(1);
    assert_string_equal(r->err, "not valid UTF-8 (byte 0xc0 at column 7)");
    assert_bad_row(2);
    assert_string_equal(r->err, "not valid UTF-8 (byte 0xed at column 7)");
    assert_row(3);
}

static void test_jsonl_utf8_error_column_counts_characters(void **state)
{
    jsonl_reader *r = OPEN("{\"\xC3\xA9\":\"\xE2\x82\n");
    assert_bad_row(1);
    assert_string_equal(r->err, "not valid UTF-8 (byte 0xe2 at column 7)");
}

static void test_jsonl_scalar_text_string_is_as_is(void **state)
{
    jsonl_reader *r = OPEN("{\"s\":\"Bucure\\u0219ti, \\\"quoted\\\"\",\"e\":\"\"}\n");
    assert_row(1);
    assert_member_text(r, "s", "Bucure\xC8\x99ti, \"quoted\"");
    assert_member_text(r, "e", "");
}

static void test_jsonl_scalar_text_integers_are_decimal(void **state)
{
    jsonl_reader *r = OPEN("{\"big\":12345678901234,\"neg\":-7,\"zero\":0,"
                           "\"max\":9223372036854775807}\n");
    assert_row(1);
    assert_member_text(r, "big", "12345678901234");
    assert_member_text(r, "neg", "-7");
    assert_member_text(r, "zero", "0");
    assert_member_text(r, "max", "9223372036854775807");
}

static void test_jsonl_scalar_text_reals_are_shortest_decimal(void **state)
{
    jsonl_reader *r = OPEN("{\"a\":10.1,\"b\":1e3,\"c\":-0.5,\"d\":0.1,\"e\":1.0,"
                           "\"f\":0.30000000000000004,\"g\":392.77,\"h\":1e-7,"
                           "\"i\":2.5e300}\n");
    assert_row(1);
    assert_member_text(r, "a", "10.1");
    assert_member_text(r, "b", "1000");
    assert_member_text(r, "c", "-0.5");
    assert_member_text(r, "d", "0.1");
    assert_member_text(r, "e", "1");
    assert_member_text(r, "f", "0.30000000000000004");
    assert_member_text(r, "g", "392.77");
    assert_member_text(r, "h", "1e-07");
    assert_member_text(r, "i", "2.5e+300");
}

static void test_jsonl_scalar_text_reals_round_trip(void **state)
{
    static const double values[] = {
        1.0 / 3, 2.0 / 3, 0.1 + 0.2, 1e-300, 5e-324, 1.7976931348623157e308,
        123456.789, -98765.4321e-10, 4.35, 0.000123,
    };
    jsonl_reader *r = open_buf(state, "", 0, 1);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        json_t *v = json_real(values[i]);
        size_t len;
        int composite;
        const char *t = jsonl_scalar_text(r, v, &len, &composite);
        assert_non_null(t);
        assert_int_equal(len, strlen(t));
        assert_true(strtod(t, NULL) == values[i]);
        json_decref(v);
    }
}

static void test_jsonl_scalar_text_booleans_are_words(void **state)
{
    jsonl_reader *r = OPEN("{\"t\":true,\"f\":false}\n");
    assert_row(1);
    assert_member_text(r, "t", "true");
    assert_member_text(r, "f", "false");
}

static void test_jsonl_scalar_text_null_and_absent_are_null(void **state)
{
    jsonl_reader *r = OPEN("{\"n\":null}\n");
    assert_row(1);
    size_t len = 99;
    int composite = 99;
    assert_null(member_text(r, "n", &len, &composite));
    assert_int_equal(len, 0);
    assert_int_equal(composite, 0);
    len = 99;
    composite = 99;
    assert_null(member_text(r, "absent", &len, &composite));
    assert_int_equal(len, 0);
    assert_int_equal(composite, 0);
}

static void test_jsonl_scalar_text_arrays_and_objects_are_composite(void **state)
{
    jsonl_reader *r = OPEN("{\"tags\":[\"a\",\"b\"],\"empty\":[],\"o\":{\"k\":1}}\n");
    assert_row(1);
    size_t len;
    int composite = 0;
    assert_null(member_text(r, "tags", &len, &composite));
    assert_int_equal(composite, 1);
    composite = 0;
    assert_null(member_text(r, "empty", &len, &composite));
    assert_int_equal(composite, 1);
    composite = 0;
    assert_null(member_text(r, "o", &len, &composite));
    assert_int_equal(composite, 1);
}

static void test_jsonl_reader_free_releases_the_current_object(void **state)
{
    fixture *fx = *state;
    OPEN("{\"a\":[1,2,3]}\n");
    assert_row(1);
    jsonl_reader_free(&fx->r);
    assert_null(fx->r.obj);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_jsonl_empty_buffer_is_end),
        TEST(test_jsonl_objects_are_read_with_line_numbers),
        TEST(test_jsonl_crlf_lines_are_read),
        TEST(test_jsonl_final_line_without_newline_is_read),
        TEST(test_jsonl_blank_lines_are_skipped_and_counted),
        TEST(test_jsonl_first_line_sets_the_line_numbers),
        TEST(test_jsonl_object_spread_with_spaces_is_read),
        TEST(test_jsonl_bad_json_is_reported_and_next_line_is_read),
        TEST(test_jsonl_truncated_object_is_bad_row),
        TEST(test_jsonl_text_after_object_is_bad_row),
        TEST(test_jsonl_array_line_is_not_an_object),
        TEST(test_jsonl_scalar_lines_are_not_objects),
        TEST(test_jsonl_duplicate_key_is_bad_row),
        TEST(test_jsonl_invalid_utf8_is_bad_row_naming_the_byte),
        TEST(test_jsonl_overlong_and_surrogate_are_bad_rows),
        TEST(test_jsonl_utf8_error_column_counts_characters),
        TEST(test_jsonl_scalar_text_string_is_as_is),
        TEST(test_jsonl_scalar_text_integers_are_decimal),
        TEST(test_jsonl_scalar_text_reals_are_shortest_decimal),
        TEST(test_jsonl_scalar_text_reals_round_trip),
        TEST(test_jsonl_scalar_text_booleans_are_words),
        TEST(test_jsonl_scalar_text_null_and_absent_are_null),
        TEST(test_jsonl_scalar_text_arrays_and_objects_are_composite),
        TEST(test_jsonl_reader_free_releases_the_current_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
