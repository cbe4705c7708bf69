/*
 * test_csv_ahead.c — unit tests of CSV records parsed in a second thread
 * (core/util/csv_ahead.c): every record, good or bad, reaches the caller's
 * reader exactly as csv_next() reads it (fields, quoted flags, unescaped
 * text, messages, columns at fault, lines, positions), over many blocks of
 * the ring; the end repeats; stopping early or at once is clean.
 *
 * Each input is a heap copy with no byte to spare (ASan catches a read past
 * its end); run it in the TSan build (-DSEGRT_TSAN=ON) too.
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
#include "util/csv_ahead.h"

#define MAX_FIELD 64

static char *copy(const char *text, size_t n)
{
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, text, n);
    return p;
}

/* Read data[from..n) with csv_next and through a csv_ahead side by side: the same records. */
static size_t assert_same_records(const char *data, size_t n, size_t from, char delim)
{
    csv_reader direct, via;
    csv_reader_init(&direct, data + from, n - from, 7, MAX_FIELD);
    csv_set_delimiter(&direct, delim);
    csv_reader_init(&via, data + from, n - from, 7, MAX_FIELD);
    csv_set_delimiter(&via, delim);
    csv_ahead *a;
    assert_int_equal(csv_ahead_start(&a, &via), 0);
    size_t records = 0;
    for (;;) {
        uint64_t l1 = 0, l2 = 0;
        csv_status s1 = csv_next(&direct, &l1), s2 = csv_ahead_next(a, &via, &l2);
        assert_int_equal(s2, s1);
        assert_int_equal(l2, l1);
        assert_int_equal(via.nfields, direct.nfields);
        for (size_t i = 0; i < direct.nfields; i++) {
            assert_int_equal(via.fields[i].len, direct.fields[i].len);
            assert_int_equal(via.fields[i].quoted, direct.fields[i].quoted);
            assert_memory_equal(via.fields[i].ptr, direct.fields[i].ptr, direct.fields[i].len);
        }
        assert_int_equal(via.err_col, direct.err_col);
        assert_string_equal(via.err, direct.err);
        assert_ptr_equal(via.pos, direct.pos);
        assert_int_equal(via.line, direct.line);
        if (s1 == CSV_END)
            break;
        records++;
    }
    uint64_t line;
    assert_int_equal(csv_ahead_next(a, &via, &line), CSV_END); /* and again */
    csv_ahead_stop(a);
    csv_reader_free(&direct);
    csv_reader_free(&via);
    return records;
}

static void test_csv_ahead_reads_what_csv_next_reads(void **state)
{
    (void)state;
    static const char text[] =
        "id,name,note\r\n"
        "1,Ana,\"say \"\"hi\"\"\"\n"
        "\n"
        "2,\"Cluj, RO\",\"two\nlines\"\n"
        "3,bad\"quote,x\n"
        "4,\"closed\"late,x\n"
        "5,\xff\xfe,x\n"
        "6,0123456789012345678901234567890123456789012345678901234567890123456789,x\n"
        "7,\"never closed,x\n"
        "8,last,\"\"";
    char *data = copy(text, sizeof text - 1);
    assert_int_equal(assert_same_records(data, sizeof text - 1, 0, ','), 10);
    assert_int_equal(assert_same_records(data, sizeof text - 1, 14, ','), 9); /* from the second record */
    free(data);
}

/* Enough records for the ring of blocks to go round several times. */
static void test_csv_ahead_keeps_order_over_many_blocks(void **state)
{
    (void)state;
    buf b = { 0 };
    for (int i = 0; i < 60000; i++) {
        if (i % 997 == 0)
            assert_int_equal(buf_printf(&b, "%d;\"q\"\"%d\";bad\"%d\n", i, i, i) < 0, 0);
        else if (i % 501 == 0)
            assert_int_equal(buf_printf(&b, "%d;\"a;\"\"b\"\"\";c\r\n", i) < 0, 0);
        else
            assert_int_equal(buf_printf(&b, "%d;c%d;%d\n", i, i % 7, i * 3) < 0, 0);
    }
    char *data = copy((const char *)b.p, b.len);
    assert_int_equal(assert_same_records(data, b.len, 0, ';'), 60000);
    free(data);
    buf_free(&b);
}

static void test_csv_ahead_of_nothing_ends_at_once(void **state)
{
    (void)state;
    char *data = copy("", 0);
    assert_int_equal(assert_same_records(data, 0, 0, ','), 0);
    free(data);
}

/* Stopping with the thread blocked on a full ring, mid-block, or before any read. */
static void test_csv_ahead_stops_early(void **state)
{
    (void)state;
    buf b = { 0 };
    for (int i = 0; i < 50000; i++)
        assert_int_equal(buf_printf(&b, "%d,x\n", i) < 0, 0);
    char *data = copy((const char *)b.p, b.len);
    for (int reads = 0; reads <= 5000; reads += 2500) {
        csv_reader r;
        csv_reader_init(&r, data, b.len, 1, MAX_FIELD);
        csv_ahead *a;
        assert_int_equal(csv_ahead_start(&a, &r), 0);
        for (int i = 0; i < reads; i++) {
            uint64_t line;
            assert_int_equal(csv_ahead_next(a, &r, &line), CSV_ROW);
            assert_int_equal(line, (uint64_t)i + 1);
        }
        csv_ahead_stop(a);
        assert_int_equal(r.line, (uint64_t)reads + 1); /* where the caller is, not the thread */
        csv_reader_free(&r);
    }
    csv_ahead_stop(NULL);
    free(data);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_ahead_reads_what_csv_next_reads),
        cmocka_unit_test(test_csv_ahead_keeps_order_over_many_blocks),
        cmocka_unit_test(test_csv_ahead_of_nothing_ends_at_once),
        cmocka_unit_test(test_csv_ahead_stops_early),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
