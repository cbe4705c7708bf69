/*
 * test_csv_ahead.c — unit tests of CSV records parsed in a second thread
 * (core/util/csv_ahead.c): every record, good or bad, reaches the caller's
 * reader exactly as csv_next() reads it (fields, quoted flags, unescaped
 * text, messages, columns at fault, lines, positions), over many blocks of
 * the ring; the end repeats; stopping early or at once is clean. The prep
 * work done in the thread reaches each good record (csv_ahead_prep_of), in
 * zeroed memory; a bad record's prep stays zero.
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
    assert_int_equal(csv_ahead_start(&a, &via, NULL), 0);
    assert_null(csv_ahead_prep_of(a, 0));
    size_t records = 0;
    for (;;) {
        uint64_t l1 = 0, l2 = 0;
        csv_status s1 = csv_next(&direct, &l1), s2 = csv_ahead_next(a, &via, &l2);
        assert_int_equal(s2, s1);
        assert_null(csv_ahead_prep_of(a, 0)); /* no prep: never any */
        assert_null(csv_ahead_prep_of(a, 1));
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
        assert_int_equal(csv_ahead_start(&a, &r, NULL), 0);
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

/* ------------------------------------------------------------ prep */

#define BLOCK_RECS 4096 /* records in a block of csv_ahead.c: prep_of sees no further */
#define LOOK 10         /* how far ahead the tests ask prep_of */

/* What prep_fn makes of a record: a pure function of its fields and the salt. */
typedef struct prep_out {
    uint32_t nfields;
    uint32_t first_len;
    uint64_t digest;  /* FNV-1a of the salt and each field's length, quoting and bytes */
    uint8_t was_zero; /* out held only zero bytes when prep_fn began */
} prep_out;

typedef struct prep_ud {
    uint64_t salt; /* only read in the thread */
    size_t calls;  /* written in the thread: read only after csv_ahead_stop */
} prep_ud;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * UINT64_C(1099511628211);
    return h;
}

static prep_out prep_of_fields(uint64_t salt, const csv_field *fields, size_t nfields)
{
    prep_out o = { .nfields = (uint32_t)nfields, .was_zero = 1 };
    uint64_t h = fnv(UINT64_C(14695981039346656037), &salt, sizeof salt);
    for (size_t i = 0; i < nfields; i++) {
        h = fnv(h, &fields[i].len, sizeof fields[i].len);
        h = fnv(h, &fields[i].quoted, sizeof fields[i].quoted);
        h = fnv(h, fields[i].ptr, fields[i].len);
    }
    o.first_len = nfields ? (uint32_t)fields[0].len : UINT32_MAX;
    o.digest = h;
    return o;
}

static void prep_fn(void *ud, const csv_field *fields, size_t nfields, void *out)
{
    prep_ud *u = ud;
    prep_out o = prep_of_fields(u->salt, fields, nfields);
    const unsigned char *p = out;
    for (size_t i = 0; i < sizeof o; i++)
        o.was_zero &= p[i] == 0;
    memcpy(out, &o, sizeof o);
    u->calls++;
}

static void assert_prep_is(const void *got, const prep_out *want, size_t rec, size_t k)
{
    prep_out o;
    memcpy(&o, got, sizeof o);
    if (o.nfields != want->nfields || o.first_len != want->first_len
        || o.digest != want->digest || o.was_zero != want->was_zero)
        fail_msg("record %zu (k = %zu): prep %u/%u/%llx/%u, want %u/%u/%llx/%u", rec + k, k,
                 o.nfields, o.first_len, (unsigned long long)o.digest, o.was_zero,
                 want->nfields, want->first_len, (unsigned long long)want->digest,
                 want->was_zero);
}

static int all_zero(const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != 0)
            return 0;
    }
    return 1;
}

/*
 * Read data[0..n) through a csv_ahead with prep_fn and check, at every
 * record, csv_ahead_prep_of(a, k) for k = 0..LOOK against what prep_fn
 * makes of the record csv_next() reads there: the same bytes for a good
 * record, zero bytes for a bad one (NULL allowed only in the next block),
 * NULL past the end (at CSV_END itself csv_ahead.h allows NULL or zeros).
 * prep_fn ran once per good record. Returns the good ones.
 */
static size_t assert_preps(const char *data, size_t n, char delim)
{
    size_t cap = 16, nrecs = 0, good = 0;
    csv_status *sts = malloc(cap * sizeof *sts);
    prep_out *want = malloc(cap * sizeof *want);
    prep_ud ud = { .salt = UINT64_C(0x9e3779b97f4a7c15), .calls = 0 };
    csv_reader r;
    assert_non_null(sts);
    assert_non_null(want);
    csv_reader_init(&r, data, n, 1, MAX_FIELD);
    csv_set_delimiter(&r, delim);
    for (;;) { /* what to expect, from csv_next */
        uint64_t line;
        if (nrecs == cap) {
            cap *= 2;
            sts = realloc(sts, cap * sizeof *sts);
            want = realloc(want, cap * sizeof *want);
            assert_non_null(sts);
            assert_non_null(want);
        }
        sts[nrecs] = csv_next(&r, &line);
        if (sts[nrecs] == CSV_ROW) {
            want[nrecs] = prep_of_fields(ud.salt, r.fields, r.nfields);
            good++;
        }
        if (sts[nrecs++] == CSV_END)
            break;
    }
    csv_reader_free(&r);

    csv_prep prep = { .size = sizeof(prep_out), .fn = prep_fn, .ud = &ud };
    csv_ahead *a;
    csv_reader_init(&r, data, n, 1, MAX_FIELD);
    csv_set_delimiter(&r, delim);
    assert_int_equal(csv_ahead_start(&a, &r, &prep), 0);
    assert_null(csv_ahead_prep_of(a, 0)); /* nothing given yet */
    assert_null(csv_ahead_prep_of(a, 1));
    for (size_t i = 0; i < nrecs; i++) {
        uint64_t line;
        assert_int_equal(csv_ahead_next(a, &r, &line), sts[i]);
        for (size_t k = 0; k <= LOOK; k++) {
            const void *p = csv_ahead_prep_of(a, k);
            if (i + k >= nrecs - 1) { /* past the last record: nothing, or zeros at CSV_END */
                if (p != NULL && (i + k > nrecs - 1 || !all_zero(p, sizeof(prep_out))))
                    fail_msg("record %zu (k = %zu) past the end has a prep", i + k, k);
            } else if (p == NULL) {
                if (k == 0 || i % BLOCK_RECS + k < BLOCK_RECS)
                    fail_msg("record %zu (k = %zu) has no prep in the same block", i + k, k);
            } else if (sts[i + k] != CSV_ROW) {
                if (!all_zero(p, sizeof(prep_out)))
                    fail_msg("bad record %zu (k = %zu) has a prep not all zero", i + k, k);
            } else {
                assert_prep_is(p, &want[i + k], i, k);
            }
        }
        assert_null(csv_ahead_prep_of(a, SIZE_MAX));
    }
    const void *p = csv_ahead_prep_of(a, 0);
    assert_true(p == NULL || all_zero(p, sizeof(prep_out)));
    assert_null(csv_ahead_prep_of(a, 1));
    uint64_t line;
    assert_int_equal(csv_ahead_next(a, &r, &line), CSV_END); /* and again */
    p = csv_ahead_prep_of(a, 0);
    assert_true(p == NULL || all_zero(p, sizeof(prep_out)));
    assert_null(csv_ahead_prep_of(a, 1));
    csv_ahead_stop(a);
    assert_int_equal(ud.calls, good); /* the thread has ended: its writes are seen */
    csv_reader_free(&r);
    free(sts);
    free(want);
    return good;
}

/*
 * More than four blocks (the ring goes round, so prep memory is reused and
 * must be zeroed again), with bad records (a stray quote, invalid UTF-8) in
 * the middle, first and last of a block, fields unescaped from "" (fn sees
 * them at their final place) and records of 1 to 5 fields.
 */
static void test_csv_ahead_prep_of_each_record_over_many_blocks(void **state)
{
    (void)state;
    enum { N = 20000 };
    buf b = { 0 };
    int bad = 0;
    for (int i = 0; i < N; i++) {
        int rc;
        bad += i == 4096 || i == 8191 || i % 1000 == 999 || i % 1000 == 500;
        if (i == 4096 || i == 8191 || i % 1000 == 999)
            rc = buf_printf(&b, "%d,bad\"quote,x\n", i);
        else if (i % 1000 == 500)
            rc = buf_printf(&b, "%d,\xff\xfe,x\n", i);
        else if (i % 37 == 0)
            rc = buf_printf(&b, "%d,\"say \"\"hi\"\" %d\",\"\"\n", i, i);
        else if (i % 11 == 0)
            rc = buf_printf(&b, "%d,a,bb,ccc,%d\n", i, i * 7);
        else if (i % 2003 == 1)
            rc = buf_printf(&b, "\n"); /* one empty field */
        else
            rc = buf_printf(&b, "%d,c%d,%d\n", i, i % 7, i * 3);
        assert_false(rc < 0);
    }
    char *data = copy((const char *)b.p, b.len);
    assert_int_equal(assert_preps(data, b.len, ','), N - bad);
    free(data);
    buf_free(&b);
}

/* The mixed good and bad records of the first test, in one block, and no records at all. */
static void test_csv_ahead_prep_of_bad_records_is_zero(void **state)
{
    (void)state;
    static const char text[] =
        "id;name;note\r\n"
        "1;Ana;\"say \"\"hi\"\"\"\n"
        "\n"
        "2;\"Cluj; RO\";\"two\nlines\"\n"
        "3;bad\"quote;x\n"
        "4;\"closed\"late;x\n"
        "5;\xff\xfe;x\n"
        "6;0123456789012345678901234567890123456789012345678901234567890123456789;x\n"
        "7;\"never closed;x\n"
        "8;last;\"\"";
    char *data = copy(text, sizeof text - 1);
    assert_int_equal(assert_preps(data, sizeof text - 1, ';'), 5);
    free(data);
    data = copy("", 0);
    assert_int_equal(assert_preps(data, 0, ','), 0);
    free(data);
}

/* A prep too big for a block of records (its size times 4096 overflows): no thread. */
static void test_csv_ahead_start_refuses_a_prep_too_big(void **state)
{
    (void)state;
    prep_ud ud = { 0 };
    csv_prep prep = { .size = SIZE_MAX / BLOCK_RECS + 1, .fn = prep_fn, .ud = &ud };
    char *data = copy("a,b\n", 4);
    csv_reader r;
    csv_reader_init(&r, data, 4, 1, MAX_FIELD);
    csv_ahead *a = (void *)&ud; /* anything but NULL */
    assert_int_equal(csv_ahead_start(&a, &r, &prep), -1);
    assert_null(a);
    assert_ptr_equal(r.pos, data); /* r is left to csv_next */
    uint64_t line;
    assert_int_equal(csv_next(&r, &line), CSV_ROW);
    assert_int_equal(r.nfields, 2);
    assert_int_equal(ud.calls, 0);
    csv_reader_free(&r);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_ahead_reads_what_csv_next_reads),
        cmocka_unit_test(test_csv_ahead_keeps_order_over_many_blocks),
        cmocka_unit_test(test_csv_ahead_of_nothing_ends_at_once),
        cmocka_unit_test(test_csv_ahead_stops_early),
        cmocka_unit_test(test_csv_ahead_prep_of_each_record_over_many_blocks),
        cmocka_unit_test(test_csv_ahead_prep_of_bad_records_is_zero),
        cmocka_unit_test(test_csv_ahead_start_refuses_a_prep_too_big),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
