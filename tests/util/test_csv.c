/*
 * test_csv.c — unit tests of the CSV record reader (core/util/csv.c).
 *
 * Each test reads from a heap copy of its input with no byte to spare, so
 * AddressSanitizer catches any read past the end of the buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/csv.h"
#include "util/rng.h"

#define MAX_FIELD 65536

typedef struct fixture {
    csv_reader r;
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
    csv_reader_free(&fx->r);
    free(fx->buf);
    free(fx);
    return 0;
}

/* Start reading a copy of data[0..len), first line 1. */
static csv_reader *open_buf(void **state, const char *data, size_t len, size_t max_field)
{
    fixture *fx = *state;
    fx->buf = malloc(len ? len : 1);
    assert_non_null(fx->buf);
    memcpy(fx->buf, data, len);
    csv_reader_init(&fx->r, fx->buf, len, 1, max_field);
    return &fx->r;
}

#define OPEN(lit) open_buf(state, lit, sizeof(lit) - 1, MAX_FIELD)

static csv_status next(void **state)
{
    fixture *fx = *state;
    return csv_next(&fx->r, &fx->line);
}

#define LINE() (((fixture *)*state)->line)

#define assert_field(r, i, lit, q)                                   \
    do {                                                             \
        assert_true((i) < (r)->nfields);                             \
        assert_int_equal((r)->fields[i].len, sizeof(lit) - 1);       \
        assert_memory_equal((r)->fields[i].ptr, lit, sizeof(lit) - 1); \
        assert_int_equal((r)->fields[i].quoted, q);                  \
    } while (0)

#define assert_row(line_no, nf)                       \
    do {                                              \
        assert_int_equal(next(state), CSV_ROW);       \
        assert_int_equal(LINE(), line_no);            \
        assert_int_equal(((fixture *)*state)->r.nfields, nf); \
    } while (0)

#define assert_bad_row(line_no, col)                  \
    do {                                              \
        assert_int_equal(next(state), CSV_BAD_ROW);   \
        assert_int_equal(LINE(), line_no);            \
        assert_int_equal(((fixture *)*state)->r.err_col, col); \
    } while (0)

static void test_csv_empty_buffer_is_end(void **state)
{
    csv_reader *r = open_buf(state, "", 0, MAX_FIELD);
    assert_int_equal(next(state), CSV_END);
    assert_int_equal(r->nfields, 0);
}

static void test_csv_lf_records_are_read_with_line_numbers(void **state)
{
    csv_reader *r = OPEN("id,name,city\n1,Ana,Cluj\n2,Bob,Iasi\n");
    assert_row(1, 3);
    assert_field(r, 0, "id", 0);
    assert_field(r, 1, "name", 0);
    assert_field(r, 2, "city", 0);
    assert_row(2, 3);
    assert_field(r, 0, "1", 0);
    assert_field(r, 2, "Cluj", 0);
    assert_row(3, 3);
    assert_field(r, 1, "Bob", 0);
    assert_int_equal(next(state), CSV_END);
    assert_int_equal(next(state), CSV_END);
}

static void test_csv_crlf_records_exclude_the_cr(void **state)
{
    csv_reader *r = OPEN("a,b\r\n1,2\r\n");
    assert_row(1, 2);
    assert_field(r, 1, "b", 0);
    assert_row(2, 2);
    assert_field(r, 0, "1", 0);
    assert_field(r, 1, "2", 0);
    assert_int_equal(next(state), CSV_END);
}

static void test_csv_final_record_without_newline_is_read(void **state)
{
    csv_reader *r = OPEN("a,b\n1,2");
    assert_row(1, 2);
    assert_row(2, 2);
    assert_field(r, 1, "2", 0);
    assert_int_equal(next(state), CSV_END);
}

static void test_csv_final_quoted_record_without_newline_is_read(void **state)
{
    csv_reader *r = OPEN("a\r\n\"x,y\"");
    assert_row(1, 1);
    assert_row(2, 1);
    assert_field(r, 0, "x,y", 1);
    assert_int_equal(next(state), CSV_END);
}

static void test_csv_first_line_sets_the_line_numbers(void **state)
{
    fixture *fx = *state;
    static const char data[] = "1,2\n3,4\n";
    fx->buf = malloc(sizeof data - 1);
    assert_non_null(fx->buf);
    memcpy(fx->buf, data, sizeof data - 1);
    csv_reader_init(&fx->r, fx->buf, sizeof data - 1, 2, MAX_FIELD);
    assert_row(2, 2);
    assert_row(3, 2);
}

static void test_csv_empty_unquoted_fields_are_empty(void **state)
{
    csv_reader *r = OPEN(",,\na,\n");
    assert_row(1, 3);
    assert_field(r, 0, "", 0);
    assert_field(r, 1, "", 0);
    assert_field(r, 2, "", 0);
    assert_row(2, 2);
    assert_field(r, 0, "a", 0);
    assert_field(r, 1, "", 0);
}

static void test_csv_trailing_comma_at_end_of_buffer_gives_empty_field(void **state)
{
    csv_reader *r = OPEN("a,");
    assert_row(1, 2);
    assert_field(r, 1, "", 0);
    assert_int_equal(next(state), CSV_END);
}

static void test_csv_empty_quoted_field_is_marked_quoted(void **state)
{
    csv_reader *r = OPEN("\"\",,\"\"\n");
    assert_row(1, 3);
    assert_field(r, 0, "", 1);
    assert_field(r, 1, "", 0);
    assert_field(r, 2, "", 1);
}

static void test_csv_quoted_field_keeps_commas(void **state)
{
    csv_reader *r = OPEN("1,\"Cluj, RO\",x\n");
    assert_row(1, 3);
    assert_field(r, 0, "1", 0);
    assert_field(r, 1, "Cluj, RO", 1);
    assert_field(r, 2, "x", 0);
}

static void test_csv_quoted_field_without_escapes_points_into_buffer(void **state)
{
    fixture *fx = *state;
    csv_reader *r = OPEN("\"abc\",d\n");
    assert_row(1, 2);
    assert_ptr_equal(r->fields[0].ptr, fx->buf + 1);
    assert_ptr_equal(r->fields[1].ptr, fx->buf + 6);
}

static void test_csv_embedded_double_quotes_are_unescaped(void **state)
{
    csv_reader *r = OPEN("\"say \"\"hi\"\"\",\"\"\"\"\"\",\"a\"\"\"\n");
    assert_row(1, 3);
    assert_field(r, 0, "say \"hi\"", 1);
    assert_field(r, 1, "\"\"", 1);
    assert_field(r, 2, "a\"", 1);
}

static void test_csv_escaped_fields_mixed_with_plain_fields(void **state)
{
    csv_reader *r = OPEN("p,\"a\"\"b\",\"plain\",\"c\"\"d\"\"e\",q,\"\"\"\"\n");
    assert_row(1, 6);
    assert_field(r, 0, "p", 0);
    assert_field(r, 1, "a\"b", 1);
    assert_field(r, 2, "plain", 1);
    assert_field(r, 3, "c\"d\"e", 1);
    assert_field(r, 4, "q", 0);
    assert_field(r, 5, "\"", 1);
}

static void test_csv_escaped_fields_of_one_record_do_not_leak_into_the_next(void **state)
{
    csv_reader *r = OPEN("\"x\"\"\",\"y\"\"\"\n\"z\"\"\"\n");
    assert_row(1, 2);
    assert_field(r, 0, "x\"", 1);
    assert_field(r, 1, "y\"", 1);
    assert_row(2, 1);
    assert_field(r, 0, "z\"", 1);
}

static void test_csv_quoted_field_with_newline_keeps_start_line(void **state)
{
    csv_reader *r = OPEN("a,b\n1,\"two\nlines\"\n3,\"x\n\ny\"\n4,z\n");
    assert_row(1, 2);
    assert_row(2, 2);
    assert_field(r, 1, "two\nlines", 1);
    assert_row(4, 2);
    assert_field(r, 1, "x\n\ny", 1);
    assert_row(7, 2);
    assert_field(r, 0, "4", 0);
    assert_int_equal(next(state), CSV_END);
}

static void test_csv_quoted_field_keeps_crlf_inside(void **state)
{
    csv_reader *r = OPEN("\"a\r\nb\"\r\nc\r\n");
    assert_row(1, 1);
    assert_field(r, 0, "a\r\nb", 1);
    assert_row(3, 1);
    assert_field(r, 0, "c", 0);
}

static void test_csv_quoted_field_with_escapes_and_newlines_counts_lines(void **state)
{
    csv_reader *r = OPEN("\"\"\"a\"\"\n\"\"b\"\"\n\",x\nnext\n");
    assert_row(1, 2);
    assert_field(r, 0, "\"a\"\n\"b\"\n", 1);
    assert_row(4, 1);
    assert_field(r, 0, "next", 0);
}

static void test_csv_empty_line_is_a_record_with_one_empty_field(void **state)
{
    csv_reader *r = OPEN("a,b\n\n1,2\r\n\r\n3,4\n");
    assert_row(1, 2);
    assert_row(2, 1);
    assert_field(r, 0, "", 0);
    assert_row(3, 2);
    assert_row(4, 1);
    assert_field(r, 0, "", 0);
    assert_row(5, 2);
    assert_field(r, 1, "4", 0);
    assert_int_equal(next(state), CSV_END);
}

static void test_csv_lone_cr_is_data(void **state)
{
    csv_reader *r = OPEN("a\rb,c\r\nd\r");
    assert_row(1, 2);
    assert_field(r, 0, "a\rb", 0);
    assert_field(r, 1, "c", 0);
    assert_row(2, 1);
    assert_field(r, 0, "d\r", 0);
    assert_int_equal(next(state), CSV_END);
}

static void test_csv_nul_byte_is_data(void **state)
{
    csv_reader *r = OPEN("a\0b,c\n");
    assert_row(1, 2);
    assert_field(r, 0, "a\0b", 0);
}

static void test_csv_valid_utf8_fields_are_accepted(void **state)
{
    csv_reader *r = OPEN("Bucure\xC8\x99ti,\"\xE2\x82\xAC \"\"5\"\"\",\xF0\x9F\x98\x80\n");
    assert_row(1, 3);
    assert_field(r, 0, "Bucure\xC8\x99ti", 0);
    assert_field(r, 1, "\xE2\x82\xAC \"5\"", 1);
    assert_field(r, 2, "\xF0\x9F\x98\x80", 0);
}

static void test_csv_stray_quote_is_bad_row_and_next_row_is_read(void **state)
{
    csv_reader *r = OPEN("a,b\"c,d\n1,2\n");
    assert_bad_row(1, 1);
    assert_string_equal(r->err, "has a stray quote (\") in an unquoted field");
    assert_row(2, 2);
    assert_field(r, 0, "1", 0);
    assert_field(r, 1, "2", 0);
    assert_int_equal(next(state), CSV_END);
}

static void test_csv_stray_quote_with_crlf_resumes_on_next_line(void **state)
{
    csv_reader *r = OPEN("x\"\r\n1,2\r\n");
    assert_bad_row(1, 0);
    assert_row(2, 2);
    assert_field(r, 1, "2", 0);
}

static void test_csv_stray_quote_after_multiline_field_resumes_on_next_line(void **state)
{
    csv_reader *r = OPEN("\"a\nb\",c\"d\nok\n");
    assert_bad_row(1, 1);
    assert_row(3, 1);
    assert_field(r, 0, "ok", 0);
}

static void test_csv_stray_quote_on_last_line_ends_the_input(void **state)
{
    OPEN("1\nab\"c");
    assert_row(1, 1);
    assert_bad_row(2, 0);
    assert_int_equal(next(state), CSV_END);
}

static void test_csv_text_after_closing_quote_is_bad_row(void **state)
{
    csv_reader *r = OPEN("1,\"ab\"c,d\n2,e\n");
    assert_bad_row(1, 1);
    assert_non_null(strstr(r->err, "after its closing quote"));
    assert_row(2, 2);
    assert_field(r, 1, "e", 0);
}

static void test_csv_space_after_closing_quote_is_bad_row(void **state)
{
    csv_reader *r = OPEN("\"a\" ,b\n\"c\"\r\n");
    assert_bad_row(1, 0);
    assert_row(2, 1);
    assert_field(r, 0, "c", 1);
}

static void test_csv_lone_cr_after_closing_quote_is_bad_row(void **state)
{
    csv_reader *r = OPEN("\"a\"\rb\nc\n");
    assert_bad_row(1, 0);
    assert_row(2, 1);
    assert_field(r, 0, "c", 0);
}

static void test_csv_text_after_closing_quote_of_multiline_field_resumes_on_next_line(void **state)
{
    csv_reader *r = OPEN("\"a\n\nb\"x\nnext\n");
    assert_bad_row(1, 0);
    assert_row(4, 1);
    assert_field(r, 0, "next", 0);
}

static void test_csv_unterminated_quote_resumes_after_first_line(void **state)
{
    csv_reader *r = OPEN("id,name\n7,\"Ana\n8,Bob\n9,Cy\n");
    assert_row(1, 2);
    assert_bad_row(2, 1);
    assert_non_null(strstr(r->err, "unterminated quoted field"));
    assert_row(3, 2);
    assert_field(r, 0, "8", 0);
    assert_field(r, 1, "Bob", 0);
    assert_row(4, 2);
    assert_field(r, 1, "Cy", 0);
    assert_int_equal(next(state), CSV_END);
}

static void test_csv_unterminated_quote_after_escapes_restores_line_count(void **state)
{
    csv_reader *r = OPEN("\"a\"\"b\n\"\"\"\"\ne,f\n");
    assert_bad_row(1, 0);
    assert_row(2, 1);
    assert_field(r, 0, "\"", 1);
    assert_row(3, 2);
    assert_field(r, 1, "f", 0);
}

static void test_csv_unterminated_quote_on_last_line_ends_the_input(void **state)
{
    OPEN("1\n2,\"abc");
    assert_row(1, 1);
    assert_bad_row(2, 1);
    assert_int_equal(next(state), CSV_END);
}

static void test_csv_lone_opening_quote_is_unterminated(void **state)
{
    OPEN("\"");
    assert_bad_row(1, 0);
    assert_int_equal(next(state), CSV_END);
}

static void test_csv_field_at_max_length_is_accepted(void **state)
{
    size_t n = MAX_FIELD;
    char *data = malloc(n + 3);
    assert_non_null(data);
    memset(data, 'x', n);
    memcpy(data + n, ",y", 2);
    csv_reader *r = open_buf(state, data, n + 2, MAX_FIELD);
    free(data);
    assert_row(1, 2);
    assert_int_equal(r->fields[0].len, n);
    assert_field(r, 1, "y", 0);
}

static void test_csv_field_longer_than_max_is_bad_row(void **state)
{
    size_t n = MAX_FIELD + 1;
    char *data = malloc(n + 8);
    assert_non_null(data);
    memcpy(data, "a,", 2);
    memset(data + 2, 'x', n);
    memcpy(data + 2 + n, "\nb,c\n", 5);
    csv_reader *r = open_buf(state, data, n + 7, MAX_FIELD);
    free(data);
    assert_bad_row(1, 1);
    assert_string_equal(r->err, "is longer than 65536 bytes (65537 bytes)");
    assert_row(2, 2);
    assert_field(r, 0, "b", 0);
}

static void test_csv_long_escaped_quoted_field_is_bad_row(void **state)
{
    /* 40000 escaped quotes: 80002 bytes raw, 40000 once unescaped. */
    size_t pairs = 40000, len = 2 * pairs + 2;
    char *data = malloc(len + 3);
    assert_non_null(data);
    memset(data, '"', len);
    memcpy(data + len, "\nz", 2);
    csv_reader *r = open_buf(state, data, len + 2, pairs - 1);
    free(data);
    assert_bad_row(1, 0);
    assert_string_equal(r->err, "is longer than 39999 bytes (40000 bytes)");
    assert_row(2, 1);
    assert_field(r, 0, "z", 0);
}

static void test_csv_record_longer_than_max_with_short_fields_is_accepted(void **state)
{
    csv_reader *r = open_buf(state, "abc,def,ghi\n", 12, 4);
    assert_row(1, 3);
    assert_field(r, 2, "ghi", 0);
}

static void test_csv_byte_ff_is_bad_row_naming_the_byte(void **state)
{
    csv_reader *r = OPEN("ok,abc\xFF\n1,2\n");
    assert_bad_row(1, 1);
    assert_string_equal(r->err, "is not valid UTF-8 (byte 0xff at offset 3)");
    assert_row(2, 2);
    assert_field(r, 1, "2", 0);
}

static void test_csv_truncated_two_byte_sequence_is_bad_row(void **state)
{
    csv_reader *r = OPEN("\xC3(,b\nc\n");
    assert_bad_row(1, 0);
    assert_string_equal(r->err, "is not valid UTF-8 (byte 0xc3 at offset 0)");
    assert_row(2, 1);
}

static void test_csv_truncated_sequence_at_end_of_final_record_is_bad_row(void **state)
{
    csv_reader *r = OPEN("a\nb,x\xE2\x82");
    assert_row(1, 1);
    assert_bad_row(2, 1);
    assert_string_equal(r->err, "is not valid UTF-8 (byte 0xe2 at offset 1)");
    assert_int_equal(next(state), CSV_END);
}

static void test_csv_sequence_cut_by_comma_is_bad_row(void **state)
{
    csv_reader *r = OPEN("a,\xE2\x82,\xAC\n");
    assert_bad_row(1, 1);
    assert_string_equal(r->err, "is not valid UTF-8 (byte 0xe2 at offset 0)");
}

static void test_csv_overlong_encoding_is_bad_row(void **state)
{
    csv_reader *r = OPEN("\xC0\xAF\nok\n");
    assert_bad_row(1, 0);
    assert_string_equal(r->err, "is not valid UTF-8 (byte 0xc0 at offset 0)");
    assert_row(2, 1);
}

static void test_csv_surrogate_is_bad_row(void **state)
{
    csv_reader *r = OPEN("x,y,\"z\xED\xA0\x80\"\r\nok\r\n");
    assert_bad_row(1, 2);
    assert_string_equal(r->err, "is not valid UTF-8 (byte 0xed at offset 1)");
    assert_row(2, 1);
}

static void test_csv_invalid_utf8_offset_is_in_unescaped_text(void **state)
{
    csv_reader *r = OPEN("\"\"\"a\xFF\"\n");
    assert_bad_row(1, 0);
    assert_string_equal(r->err, "is not valid UTF-8 (byte 0xff at offset 2)");
}

static void test_csv_invalid_utf8_in_multiline_field_resumes_after_the_record(void **state)
{
    csv_reader *r = OPEN("\"x\ny\xFF\"\nok\n");
    assert_bad_row(1, 0);
    assert_row(3, 1);
    assert_field(r, 0, "ok", 0);
}

/* Each escaped field grows scratch: pointers must follow it when it moves. */
static void test_csv_many_escaped_fields_survive_scratch_realloc(void **state)
{
    enum { N = 10000 };
    char *data = malloc((size_t)N * 16 + 1);
    assert_non_null(data);
    size_t len = 0;
    for (int i = 0; i < N; i++)
        len += (size_t)sprintf(data + len, "%s\"%d\"\"q\"", i ? "," : "", i);
    data[len++] = '\n';
    csv_reader *r = open_buf(state, data, len, MAX_FIELD);
    free(data);
    assert_row(1, N);
    for (int i = 0; i < N; i++) {
        char want[16];
        int n = sprintf(want, "%d\"q", i);
        assert_int_equal(r->fields[i].len, n);
        assert_memory_equal(r->fields[i].ptr, want, (size_t)n);
        assert_int_equal(r->fields[i].quoted, 1);
    }
    assert_int_equal(next(state), CSV_END);
}

static void test_csv_fields_array_is_reused_across_records(void **state)
{
    enum { N = 1000 };
    char *data = malloc(2 * N + 4);
    assert_non_null(data);
    size_t len = 0;
    for (int i = 0; i < N; i++) {
        data[len++] = 'v';
        data[len++] = i + 1 < N ? ',' : '\n';
    }
    memcpy(data + len, "\"w\"", 3);
    len += 3;
    csv_reader *r = open_buf(state, data, len, MAX_FIELD);
    free(data);
    assert_row(1, N);
    assert_field(r, N - 1, "v", 0);
    size_t cap = r->fields_cap;
    assert_row(2, 1);
    assert_field(r, 0, "w", 1);
    assert_int_equal(r->fields_cap, cap);
}

static void test_csv_many_records_keep_exact_line_numbers(void **state)
{
    enum { N = 5000 };
    char *data = malloc((size_t)N * 24);
    assert_non_null(data);
    size_t len = 0;
    for (int i = 0; i < N; i++) {
        if (i % 3 == 0)
            len += (size_t)sprintf(data + len, "%d,\"multi\nline\"\r\n", i);
        else
            len += (size_t)sprintf(data + len, "%d,plain\n", i);
    }
    csv_reader *r = open_buf(state, data, len, MAX_FIELD);
    free(data);
    uint64_t line = 1;
    for (int i = 0; i < N; i++) {
        char want[16];
        int n = sprintf(want, "%d", i);
        assert_row(line, 2);
        assert_int_equal(r->fields[0].len, n);
        assert_memory_equal(r->fields[0].ptr, want, (size_t)n);
        line += i % 3 == 0 ? 2 : 1;
    }
    assert_int_equal(next(state), CSV_END);
}

static void test_csv_bad_row_resets_error_on_next_good_row(void **state)
{
    csv_reader *r = OPEN("a\"\nb\n");
    assert_bad_row(1, 0);
    assert_row(2, 1);
    assert_int_equal(r->err_col, -1);
    assert_string_equal(r->err, "");
}


/* ---- delimiters ---- */

static void test_csv_semicolon_delimiter_splits_and_quotes(void **state)
{
    csv_reader *r = OPEN("a;\"b;c\";d\r\n1,5;\"x\r\ny\";\n");
    csv_set_delimiter(r, ';');
    assert_row(1, 3);
    assert_field(r, 1, "b;c", 1);
    assert_row(2, 3);
    assert_field(r, 0, "1,5", 0);
    assert_field(r, 1, "x\r\ny", 1);
    assert_field(r, 2, "", 0);
    assert_int_equal(next(state), CSV_END);
}

static void test_csv_tab_delimiter_keeps_commas(void **state)
{
    csv_reader *r = OPEN("a\tb\n1,2\t3\n");
    csv_set_delimiter(r, '\t');
    assert_row(1, 2);
    assert_row(2, 2);
    assert_field(r, 0, "1,2", 0);
}

static void test_csv_sniff_picks_each_candidate(void **state)
{
    (void)state;
    static const char semi[] = "id;name;amount\r\n1;\"A;B\";1,5\r\n2;C;2\r\n";
    static const char tab[] = "id\tname\n1\tA, B\n";
    static const char pipe[] = "id|name\n1|x\n";
    static const char comma[] = "id,name\n1,\"a;b\"\n";
    assert_int_equal(csv_sniff_delimiter(semi, sizeof semi - 1, 20), ';');
    assert_int_equal(csv_sniff_delimiter(tab, sizeof tab - 1, 20), '\t');
    assert_int_equal(csv_sniff_delimiter(pipe, sizeof pipe - 1, 20), '|');
    assert_int_equal(csv_sniff_delimiter(comma, sizeof comma - 1, 20), ',');
}

static void test_csv_sniff_needs_equal_counts_and_prefers_comma(void **state)
{
    (void)state;
    /* ';' splits the header but not every row the same way: ',' does. */
    static const char uneven[] = "a;b,c;d\n1;2,3;4\n5,6;7\n";
    /* both split into two fields everywhere: the tie goes to ','. */
    static const char tie[] = "a,b;c\n1,2;3\n";
    /* one column: nothing splits it, ',' is the default. */
    static const char single[] = "id\n1\n";
    /* a quoted header written for ';' does not parse with ','. */
    static const char quoted[] = "\"Email Address\";\"First Name\"\n\"a@b.c\";\"Ann, Jr\"\n";
    /* bytes that are not UTF-8 (cp1250) do not hide the delimiter. */
    static const char legacy[] = "id;name\n1;\xa3\xf3" "d\xbf\n";
    assert_int_equal(csv_sniff_delimiter(uneven, sizeof uneven - 1, 20), ',');
    assert_int_equal(csv_sniff_delimiter(tie, sizeof tie - 1, 20), ',');
    assert_int_equal(csv_sniff_delimiter(single, sizeof single - 1, 20), ',');
    assert_int_equal(csv_sniff_delimiter(quoted, sizeof quoted - 1, 20), ';');
    assert_int_equal(csv_sniff_delimiter(legacy, sizeof legacy - 1, 20), ';');
    assert_int_equal(csv_sniff_delimiter("", 0, 20), ',');
}

/* ---- the scan in 64-byte blocks, against records written out and read back ---- */

enum { GEN_RECORDS = 3000, GEN_MAX_FIELDS = 8, GEN_MAX_LEN = 150 };

typedef struct gen_field {
    char text[GEN_MAX_LEN];
    size_t len;
    int quoted;
} gen_field;

/*
 * A random field: mostly short, now and then longer than a block, made of
 * bytes the reader stops at (delimiters, CR, LF, quotes) and bytes it skips.
 * It is quoted when it must be, and now and then when it need not be.
 */
static void gen_field_make(rng *g, char delim, gen_field *f)
{
    static const char *const pieces[] = { "a", "x", "7", " ", "\xC3\xA9", "\r", "\n", "\"",
                                          ",", ";", "\t" };
    size_t want = rng_next(g) % 8 == 0 ? rng_next(g) % GEN_MAX_LEN : rng_next(g) % 12;
    f->len = 0;
    for (;;) {
        const char *piece = pieces[rng_next(g) % (sizeof pieces / sizeof *pieces)];
        size_t n = strlen(piece);
        if (f->len + n > want)
            break;
        memcpy(f->text + f->len, piece, n);
        f->len += n;
    }
    int must = memchr(f->text, delim, f->len) || memchr(f->text, '\n', f->len) ||
               memchr(f->text, '"', f->len) || (f->len && f->text[f->len - 1] == '\r');
    f->quoted = must || rng_next(g) % 10 == 0;
}

/* Append f as CSV at out; the number of bytes written. */
static size_t gen_field_write(const gen_field *f, char *out)
{
    size_t n = 0;
    if (f->quoted)
        out[n++] = '"';
    for (size_t i = 0; i < f->len; i++) {
        if (f->text[i] == '"')
            out[n++] = '"';
        out[n++] = f->text[i];
    }
    if (f->quoted)
        out[n++] = '"';
    return n;
}

static void read_back_random_records(void **state, char delim, uint64_t seed)
{
    rng g;
    rng_seed(&g, seed);
    gen_field *want = malloc(sizeof(gen_field) * GEN_RECORDS * GEN_MAX_FIELDS);
    size_t *nfields = malloc(sizeof(size_t) * GEN_RECORDS);
    char *text = malloc((size_t)GEN_RECORDS * GEN_MAX_FIELDS * (2 * GEN_MAX_LEN + 3) + 1);
    assert_true(want && nfields && text);
    size_t len = 0;
    for (size_t i = 0; i < GEN_RECORDS; i++) {
        nfields[i] = 1 + rng_next(&g) % GEN_MAX_FIELDS;
        for (size_t k = 0; k < nfields[i]; k++) {
            if (k)
                text[len++] = delim;
            gen_field *f = &want[i * GEN_MAX_FIELDS + k];
            gen_field_make(&g, delim, f);
            len += gen_field_write(f, text + len);
        }
        if (rng_next(&g) % 2)
            text[len++] = '\r';
        text[len++] = '\n';
    }
    csv_reader *r = open_buf(state, text, len, MAX_FIELD);
    csv_set_delimiter(r, delim);
    free(text);
    uint64_t line = 1;
    for (size_t i = 0; i < GEN_RECORDS; i++) {
        assert_row(line, nfields[i]);
        for (size_t k = 0; k < nfields[i]; k++) {
            const gen_field *f = &want[i * GEN_MAX_FIELDS + k];
            assert_int_equal(r->fields[k].len, f->len);
            assert_memory_equal(r->fields[k].ptr, f->text, f->len);
            assert_int_equal(r->fields[k].quoted, f->quoted);
            for (size_t b = 0; b < f->len; b++)
                line += f->text[b] == '\n';
        }
        line++;
    }
    assert_int_equal(next(state), CSV_END);
    free(want);
    free(nfields);
}

static void test_csv_random_records_read_back_with_commas(void **state)
{
    read_back_random_records(state, ',', 1);
}

static void test_csv_random_records_read_back_with_tabs(void **state)
{
    read_back_random_records(state, '\t', 2);
}

/* The block's bits were found for the old delimiter: a new one must not use them. */
static void test_csv_delimiter_changed_between_records_splits_the_next(void **state)
{
    csv_reader *r = OPEN("a,b\nc;d,e\n");
    assert_row(1, 2);
    csv_set_delimiter(r, ';');
    assert_row(2, 2);
    assert_field(r, 0, "c", 0);
    assert_field(r, 1, "d,e", 0);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

static void test_csv_bad_row_keeps_fields_before_a_stray_quote(void **state)
{
    csv_reader *r = OPEN("c1,a@b.c,\"q\"\"x\",na\"me,z\n");
    assert_bad_row(1, 3);
    assert_int_equal(r->nfields, 3);
    assert_field(r, 0, "c1", 0);
    assert_field(r, 1, "a@b.c", 0);
    assert_field(r, 2, "q\"x", 1);
}

static void test_csv_bad_row_keeps_every_field_after_a_utf8_fault(void **state)
{
    csv_reader *r = OPEN("c1,a@b.c,x\xff,z\n");
    assert_bad_row(1, 2);
    assert_int_equal(r->nfields, 4);
    assert_field(r, 1, "a@b.c", 0);
    assert_field(r, 3, "z", 0);
}

static void test_csv_bad_row_keeps_fields_before_an_unterminated_quote(void **state)
{
    csv_reader *r = OPEN("c1,a@b.c,\"open\nc2,x\n");
    assert_bad_row(1, 2);
    assert_int_equal(r->nfields, 2);
    assert_field(r, 1, "a@b.c", 0);
    assert_row(2, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_csv_bad_row_keeps_fields_before_a_stray_quote),
        TEST(test_csv_bad_row_keeps_every_field_after_a_utf8_fault),
        TEST(test_csv_bad_row_keeps_fields_before_an_unterminated_quote),
        TEST(test_csv_empty_buffer_is_end),
        TEST(test_csv_random_records_read_back_with_commas),
        TEST(test_csv_random_records_read_back_with_tabs),
        TEST(test_csv_delimiter_changed_between_records_splits_the_next),
        TEST(test_csv_lf_records_are_read_with_line_numbers),
        TEST(test_csv_crlf_records_exclude_the_cr),
        TEST(test_csv_final_record_without_newline_is_read),
        TEST(test_csv_final_quoted_record_without_newline_is_read),
        TEST(test_csv_first_line_sets_the_line_numbers),
        TEST(test_csv_empty_unquoted_fields_are_empty),
        TEST(test_csv_trailing_comma_at_end_of_buffer_gives_empty_field),
        TEST(test_csv_empty_quoted_field_is_marked_quoted),
        TEST(test_csv_quoted_field_keeps_commas),
        TEST(test_csv_quoted_field_without_escapes_points_into_buffer),
        TEST(test_csv_embedded_double_quotes_are_unescaped),
        TEST(test_csv_escaped_fields_mixed_with_plain_fields),
        TEST(test_csv_escaped_fields_of_one_record_do_not_leak_into_the_next),
        TEST(test_csv_quoted_field_with_newline_keeps_start_line),
        TEST(test_csv_quoted_field_keeps_crlf_inside),
        TEST(test_csv_quoted_field_with_escapes_and_newlines_counts_lines),
        TEST(test_csv_empty_line_is_a_record_with_one_empty_field),
        TEST(test_csv_lone_cr_is_data),
        TEST(test_csv_nul_byte_is_data),
        TEST(test_csv_valid_utf8_fields_are_accepted),
        TEST(test_csv_stray_quote_is_bad_row_and_next_row_is_read),
        TEST(test_csv_stray_quote_with_crlf_resumes_on_next_line),
        TEST(test_csv_stray_quote_after_multiline_field_resumes_on_next_line),
        TEST(test_csv_stray_quote_on_last_line_ends_the_input),
        TEST(test_csv_text_after_closing_quote_is_bad_row),
        TEST(test_csv_space_after_closing_quote_is_bad_row),
        TEST(test_csv_lone_cr_after_closing_quote_is_bad_row),
        TEST(test_csv_text_after_closing_quote_of_multiline_field_resumes_on_next_line),
        TEST(test_csv_unterminated_quote_resumes_after_first_line),
        TEST(test_csv_unterminated_quote_after_escapes_restores_line_count),
        TEST(test_csv_unterminated_quote_on_last_line_ends_the_input),
        TEST(test_csv_lone_opening_quote_is_unterminated),
        TEST(test_csv_field_at_max_length_is_accepted),
        TEST(test_csv_semicolon_delimiter_splits_and_quotes),
        TEST(test_csv_tab_delimiter_keeps_commas),
        TEST(test_csv_sniff_picks_each_candidate),
        TEST(test_csv_sniff_needs_equal_counts_and_prefers_comma),
        TEST(test_csv_field_longer_than_max_is_bad_row),
        TEST(test_csv_long_escaped_quoted_field_is_bad_row),
        TEST(test_csv_record_longer_than_max_with_short_fields_is_accepted),
        TEST(test_csv_byte_ff_is_bad_row_naming_the_byte),
        TEST(test_csv_truncated_two_byte_sequence_is_bad_row),
        TEST(test_csv_truncated_sequence_at_end_of_final_record_is_bad_row),
        TEST(test_csv_sequence_cut_by_comma_is_bad_row),
        TEST(test_csv_overlong_encoding_is_bad_row),
        TEST(test_csv_surrogate_is_bad_row),
        TEST(test_csv_invalid_utf8_offset_is_in_unescaped_text),
        TEST(test_csv_invalid_utf8_in_multiline_field_resumes_after_the_record),
        TEST(test_csv_many_escaped_fields_survive_scratch_realloc),
        TEST(test_csv_fields_array_is_reused_across_records),
        TEST(test_csv_many_records_keep_exact_line_numbers),
        TEST(test_csv_bad_row_resets_error_on_next_good_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
