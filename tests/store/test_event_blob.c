/*
 * test_event_blob.c — unit tests of event_blob.c: the compact form round
 * trips any record (extreme times in any order, amounts missing, whole
 * cents or not, at the ends of int64; codes up to UINT32_MAX), a typical
 * event takes 11 bytes, the fixed form of format 4 still reads the same
 * events, and corrupt values (unknown flags, impossible amounts, codes past
 * 32 bits, truncated or trailing records, a count the bytes cannot hold, a
 * var outside the heap in either form) do not read.
 *
 * Uses: cmocka, event_blob.h, event.h, value.h (VALUE_MISSING).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "store/event_blob.h"
#include "util/value.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A compact value of the records r[0..n) and the heap bytes given. */
static void compact_value(buf *out, const event_rec *r, size_t n, const char *heap, size_t heaplen)
{
    int64_t prev = 0;
    out->len = 0;
    assert_int_equal(buf_put(out, "12345678", 8), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(event_blob_put(out, &r[i], &prev), 0);
    assert_int_equal(buf_put(out, heap, heaplen), 0);
    event_blob_header(out->p, (uint32_t)n, (uint32_t)heaplen);
}

/* The fixed value format 4 wrote: count, heap bytes, event_rec images, heap. */
static void fixed_value(buf *out, const event_rec *r, size_t n, const char *heap, size_t heaplen)
{
    uint32_t n32 = (uint32_t)n, h32 = (uint32_t)heaplen;
    out->len = 0;
    assert_int_equal(buf_put(out, &n32, 4) | buf_put(out, &h32, 4) |
                         buf_put(out, r, n * sizeof *r) | buf_put(out, heap, heaplen), 0);
}

/* The records of a value; -1 when it does not read. */
static int read_all(const buf *v, event_rec *out, size_t cap, size_t *n)
{
    event_blob b;
    *n = 0;
    if (event_blob_open(&b, v->p, v->len) != 0)
        return -1;
    for (;;) {
        event_rec r;
        int got = event_blob_next(&b, &r);
        if (got != 1)
            return got;
        assert_true(*n < cap);
        out[(*n)++] = r;
    }
}

static void assert_same_recs(const event_rec *a, const event_rec *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i].ts != b[i].ts || a[i].amount != b[i].amount || a[i].type != b[i].type ||
            a[i].category != b[i].category || a[i].channel != b[i].channel || a[i].var != b[i].var)
            fail_msg("record %zu: ts %lld amount %lld type %u category %u channel %u var %u, "
                     "expected %lld %lld %u %u %u %u", i, (long long)a[i].ts,
                     (long long)a[i].amount, a[i].type, a[i].category, a[i].channel, a[i].var,
                     (long long)b[i].ts, (long long)b[i].amount, b[i].type, b[i].category,
                     b[i].channel, b[i].var);
    }
}

/* A heap holding one variable part at offset 0 ("e", "{}"): var 1 points at it. */
static const char HEAP[] = "\x01" "e" "\x02" "{}";
#define HEAPLEN (sizeof HEAP - 1)

/* ------------------------------------------------------------ round trips */

static void test_event_blob_round_trips_extreme_records_in_any_order(void **state)
{
    (void)state;
    const int64_t M = VALUE_MISSING;
    static const int64_t big_cents = INT64_MAX / 10000 * 10000, low_cents = INT64_MIN / 10000 * 10000;
    const event_rec want[] = {
        { .ts = INT64_MAX, .amount = M, .type = 1 },
        { .ts = INT64_MIN, .amount = INT64_MAX, .type = UINT32_MAX, .category = UINT32_MAX,
          .channel = UINT32_MAX, .var = 1 },
        { .ts = 0, .amount = INT64_MIN + 1, .type = 0 },
        { .ts = -1, .amount = big_cents, .category = 1 },
        { .ts = 1767225600, .amount = low_cents, .channel = 7 },
        { .ts = 1767225600, .amount = 0, .type = 3 },
        { .ts = 1767225599, .amount = -10000, .var = 1 },
        { .ts = 1767225601, .amount = 12345, .type = 2 },
        { .ts = 1767225602, .amount = -1, .type = 2 },
        { .ts = 1767225602, .amount = 392770000, .type = 2, .category = 5, .channel = 2 },
    };
    event_rec got[ARRAY_LEN(want)];
    size_t n;
    buf v = { 0 };
    compact_value(&v, want, ARRAY_LEN(want), HEAP, HEAPLEN);
    assert_int_equal(read_all(&v, got, ARRAY_LEN(got), &n), 0);
    assert_int_equal(n, ARRAY_LEN(want));
    assert_same_recs(got, want, n);
    /* the same records in the fixed form of format 4 read the same */
    fixed_value(&v, want, ARRAY_LEN(want), HEAP, HEAPLEN);
    assert_int_equal(read_all(&v, got, ARRAY_LEN(got), &n), 0);
    assert_int_equal(n, ARRAY_LEN(want));
    assert_same_recs(got, want, n);
    buf_free(&v);
}

static void test_event_blob_takes_eleven_bytes_for_a_typical_event(void **state)
{
    (void)state;
    /* a purchase of 392.77 a month after the previous event, with category and channel */
    event_rec prev = { .ts = 1735689600, .type = 2, .amount = VALUE_MISSING };
    event_rec r = { .ts = 1735689600 + 30 * 86400, .type = 2, .amount = 392770000, .category = 5,
                    .channel = 2 };
    buf out = { 0 };
    int64_t at = 0;
    assert_int_equal(event_blob_put(&out, &prev, &at), 0);
    size_t first = out.len;
    assert_int_equal(event_blob_put(&out, &r, &at), 0);
    assert_int_equal(at, r.ts);
    assert_int_equal(out.len - first, 11); /* flags 1, ts 4, type 1, amount 3, codes 2 */
    assert_int_equal(first, 1 + 5 + 1);    /* the first ts is from 0 */
    buf_free(&out);
}

static void test_event_blob_reads_the_header_of_either_form(void **state)
{
    (void)state;
    const event_rec r[] = { { .ts = 5, .amount = VALUE_MISSING, .type = 1 },
                            { .ts = 9, .amount = 100, .type = 1, .var = 1 } };
    buf v = { 0 };
    for (int fixed = 0; fixed < 2; fixed++) {
        (fixed ? fixed_value : compact_value)(&v, r, 2, HEAP, HEAPLEN);
        event_blob b;
        assert_int_equal(event_blob_open(&b, v.p, v.len), 0);
        assert_int_equal(b.n, 2);
        assert_int_equal(b.compact, !fixed);
        assert_int_equal(b.heaplen, HEAPLEN);
        assert_memory_equal(b.heap, HEAP, HEAPLEN);
        uint32_t n;
        int64_t newest;
        assert_int_equal(event_list_count(v.p, v.len, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(event_list_newest(v.p, v.len, &newest), 0);
        assert_int_equal(newest, 9);
        event_list l = { 0 };
        assert_int_equal(event_list_decode(&l, v.p, v.len), 0);
        assert_int_equal(l.n, 2);
        const char *eid, *x;
        size_t ne, nx;
        event_var(&l, &l.recs[1], &eid, &ne, &x, &nx);
        assert_int_equal(ne, 1);
        assert_memory_equal(eid, "e", 1);
        assert_int_equal(nx, 2);
        event_list_free(&l);
    }
    buf_free(&v);
}

static void test_event_blob_an_empty_timeline_reads_as_no_events(void **state)
{
    (void)state;
    buf v = { 0 };
    compact_value(&v, NULL, 0, "", 0);
    assert_int_equal(v.len, 8);
    size_t n;
    event_rec r;
    assert_int_equal(read_all(&v, &r, 1, &n), 0);
    assert_int_equal(n, 0);
    int64_t newest;
    assert_int_equal(event_list_newest(v.p, v.len, &newest), 0);
    assert_true(newest == VALUE_MISSING);
    buf_free(&v);
}

/* ------------------------------------------------------------ corrupt values */

/* A compact value of one record: flags, then the varints given (as bytes), no heap. */
static int reads_record(const unsigned char *rec, size_t len)
{
    buf v = { 0 };
    uint32_t n = 1u | 0x80000000u, heap = 0;
    assert_int_equal(buf_put(&v, &n, 4) | buf_put(&v, &heap, 4) | buf_put(&v, rec, len), 0);
    event_rec r[2];
    size_t got;
    int rc = read_all(&v, r, 2, &got);
    buf_free(&v);
    return rc;
}

static void test_event_blob_rejects_impossible_records(void **state)
{
    (void)state;
    /* sound: flags 0, ts 2, type 1 */
    static const unsigned char ok[] = { 0x00, 0x02, 0x01 };
    assert_int_equal(reads_record(ok, sizeof ok), 0);
    static const struct {
        const char *what;
        unsigned char rec[16];
        size_t len;
    } bad[] = {
        { "an unknown flag", { 0x20, 0x02, 0x01 }, 3 },
        { "cents without an amount", { 0x02, 0x02, 0x01 }, 3 },
        { "an amount that is the missing marker",
          { 0x01, 0x02, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 }, 13 },
        /* zigzag 2^60 = 2^59 cents, past int64 in micro-units */
        { "cents past int64",
          { 0x03, 0x02, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10 }, 12 },
        { "a type past 32 bits", { 0x00, 0x02, 0x80, 0x80, 0x80, 0x80, 0x10 }, 7 },
        { "a category past 32 bits", { 0x04, 0x02, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10 }, 8 },
        { "a var with no heap", { 0x10, 0x02, 0x01, 0x01 }, 4 },
        { "a truncated ts", { 0x00, 0x82 }, 2 },
        { "a missing channel", { 0x08, 0x02, 0x01 }, 3 },
        { "a byte past the record", { 0x00, 0x02, 0x01, 0x00 }, 4 },
        { "no record at all", { 0 }, 0 },
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        if (reads_record(bad[i].rec, bad[i].len) != -1)
            fail_msg("a record with %s read", bad[i].what);
    }
}

static void test_event_blob_rejects_a_count_the_bytes_cannot_hold(void **state)
{
    (void)state;
    /* seven bytes: flags, ts, type, amount (3), category */
    const event_rec r = { .ts = 1, .amount = 12345, .type = 1, .category = 1 };
    buf v = { 0 };
    compact_value(&v, &r, 1, "", 0);
    assert_int_equal(v.len, 8 + 7);
    event_blob b;
    assert_int_equal(event_blob_open(&b, v.p, v.len), 0);
    event_blob_header(v.p, 2, 0); /* two claimed, one held: found at the end */
    assert_int_equal(event_blob_open(&b, v.p, v.len), 0);
    size_t n;
    event_rec got[2];
    assert_int_equal(read_all(&v, got, 2, &n), -1);
    event_blob_header(v.p, 3, 0); /* more than three bytes each can hold: at open */
    assert_int_equal(event_blob_open(&b, v.p, v.len), -1);
    event_blob_header(v.p, 0x7fffffff, 0);
    assert_int_equal(event_blob_open(&b, v.p, v.len), -1);
    event_list l = { 0 };
    assert_int_equal(event_list_decode(&l, v.p, v.len), -1);
    assert_int_equal(l.n, 0);
    event_list_free(&l);
    event_blob_header(v.p, 1, 1); /* a heap the value has no room for beside the record */
    assert_int_equal(read_all(&v, got, 2, &n), -1);
    event_blob_header(v.p, 1, 100); /* a heap longer than the value */
    assert_int_equal(event_blob_open(&b, v.p, v.len), -1);
    assert_int_equal(event_blob_open(&b, v.p, 7), -1);
    buf_free(&v);
}

static void test_event_blob_a_failed_decode_leaves_the_list_as_it_was(void **state)
{
    (void)state;
    const event_rec r[] = { { .ts = 1, .amount = VALUE_MISSING, .type = 1, .var = 1 },
                            { .ts = 2, .amount = VALUE_MISSING, .type = 1, .var = 99 } };
    buf good = { 0 }, bad = { 0 };
    for (int fixed = 0; fixed < 2; fixed++) {
        void (*value)(buf *, const event_rec *, size_t, const char *, size_t) =
            fixed ? fixed_value : compact_value;
        value(&good, r, 1, HEAP, HEAPLEN);
        value(&bad, r, 2, HEAP, HEAPLEN); /* the second var points past the heap */
        event_list l = { 0 };
        assert_int_equal(event_list_decode(&l, good.p, good.len), 0);
        assert_int_equal(event_list_decode(&l, bad.p, bad.len), -1);
        assert_int_equal(l.n, 1);
        assert_int_equal(l.heap.len, HEAPLEN);
        assert_int_equal(event_list_decode(&l, good.p, good.len), 0);
        assert_int_equal(l.n, 2);
        assert_int_equal(l.recs[1].var, 1 + HEAPLEN); /* the second copy's part, after the first */
        event_list_free(&l);
    }
    buf_free(&good);
    buf_free(&bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_blob_round_trips_extreme_records_in_any_order),
        cmocka_unit_test(test_event_blob_takes_eleven_bytes_for_a_typical_event),
        cmocka_unit_test(test_event_blob_reads_the_header_of_either_form),
        cmocka_unit_test(test_event_blob_an_empty_timeline_reads_as_no_events),
        cmocka_unit_test(test_event_blob_rejects_impossible_records),
        cmocka_unit_test(test_event_blob_rejects_a_count_the_bytes_cannot_hold),
        cmocka_unit_test(test_event_blob_a_failed_decode_leaves_the_list_as_it_was),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
