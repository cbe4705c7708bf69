/*
 * test_merge_record.c — unit tests of merge_record.c: an undo record of a
 * merge survives encoding and decoding with every part in place, every
 * truncation of it and a wrong version are refused, and portable values
 * (strings, sets, scalars) read back in order, a lying count refused.
 *
 * Uses: cmocka, merge_record.h, segrt.h (types).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dedupe/merge_record.h"
#include "dedupe/pval.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static buf_view blob(const char *s)
{
    return (buf_view){ (const unsigned char *)s, strlen(s) };
}

static void assert_blob(buf_view got, const char *want)
{
    assert_int_equal(got.n, strlen(want));
    assert_memory_equal(got.p, want, got.n);
}

static void test_merge_record_round_trip_keeps_every_part(void **state)
{
    (void)state;
    uint32_t seqs[] = { 4, 5, 300 };
    merge_gone gone[] = {
        { 7, blob("c0000007"), blob("vals7"), blob("events7"), blob(""), blob("held7") },
        { 70000, blob("c0070000"), blob(""), blob(""), blob("consents"), blob("") },
    };
    merge_record in = { SEGRT_DEDUPE_PHONE, 12, -86400, blob("filled"), blob("added"),
                        blob(""), seqs, ARRAY_LEN(seqs), gone, ARRAY_LEN(gone) };
    buf enc = { 0 };
    merge_record out;
    assert_int_equal(merge_record_encode(&in, &enc), 0);
    assert_int_equal(merge_record_decode(enc.p, enc.len, &out), 0);
    assert_int_equal(out.by, SEGRT_DEDUPE_PHONE);
    assert_int_equal(out.survivor, 12);
    assert_int_equal(out.now, -86400);
    assert_blob(out.filled, "filled");
    assert_blob(out.added, "added");
    assert_blob(out.replaced, "");
    assert_int_equal(out.nseqs, 3);
    assert_memory_equal(out.seqs, seqs, sizeof seqs);
    assert_int_equal(out.ngone, 2);
    assert_int_equal(out.gone[1].ord, 70000);
    assert_blob(out.gone[0].id, "c0000007");
    assert_blob(out.gone[0].held, "held7");
    assert_blob(out.gone[1].consents, "consents");
    assert_blob(out.gone[1].values, "");
    merge_record_free(&out);

    /* Every truncation and a wrong version are refused. */
    for (size_t n = 0; n < enc.len; n++) {
        if (merge_record_decode(enc.p, n, &out) != -1)
            fail_msg("a record cut to %zu of %zu bytes decoded", n, enc.len);
        merge_record_free(&out);
    }
    enc.p[0] = 2;
    assert_int_equal(merge_record_decode(enc.p, enc.len, &out), -1);
    merge_record_free(&out);
    buf_free(&enc);
}

/* Append the head of a portable value: its field and type. */
static void put_head(buf *b, uint16_t field, segrt_type type)
{
    unsigned char t = (unsigned char)type;
    assert_int_equal(buf_put_varint(b, field), 0);
    assert_int_equal(buf_put(b, &t, 1), 0);
}

static void put_text(buf *b, const char *s)
{
    assert_int_equal(buf_put_varint(b, strlen(s)), 0);
    assert_int_equal(buf_put(b, s, strlen(s)), 0);
}

static void test_merge_record_portable_values_read_back_in_order(void **state)
{
    (void)state;
    buf body = { 0 }, vals = { 0 };
    put_head(&body, 3, SEGRT_T_STRING);
    put_text(&body, "Iași");
    put_head(&body, 4, SEGRT_T_SET);
    assert_int_equal(buf_put_varint(&body, 2), 0);
    put_text(&body, "vip");
    put_text(&body, "");
    put_head(&body, 9, SEGRT_T_INTEGER);
    assert_int_equal(buf_put_varint(&body, zigzag(-7)), 0);
    assert_int_equal(pval_finish(&body, 3, &vals), 0);

    pval_iter it;
    pval v;
    assert_int_equal(pval_iter_init(&it, (buf_view){ vals.p, vals.len }), 0);
    assert_int_equal(pval_next(&it, &v), 1);
    assert_int_equal(v.field, 3);
    assert_int_equal(v.type, SEGRT_T_STRING);
    assert_int_equal(v.n, strlen("Iași"));
    assert_memory_equal(v.p, "Iași", v.n);
    assert_int_equal(pval_next(&it, &v), 1);
    assert_int_equal(v.type, SEGRT_T_SET);
    assert_int_equal(v.nitems, 2);
    assert_int_equal(v.n, 1 + 3 + 1); /* two blobs: "vip" and "" */
    assert_int_equal(pval_next(&it, &v), 1);
    assert_int_equal(v.field, 9);
    assert_int_equal(v.v, -7);
    assert_int_equal(pval_next(&it, &v), 0);

    /* A count larger than the values, or bytes after the last, are corrupt. */
    assert_int_equal(pval_finish(&body, 4, &vals), 0);
    assert_int_equal(pval_iter_init(&it, (buf_view){ vals.p, vals.len }), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(pval_next(&it, &v), 1);
    assert_int_equal(pval_next(&it, &v), -1);
    assert_int_equal(pval_finish(&body, 2, &vals), 0);
    assert_int_equal(pval_iter_init(&it, (buf_view){ vals.p, vals.len }), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pval_next(&it, &v), 1);
    assert_int_equal(pval_next(&it, &v), -1);
    /* No values at all: an empty blob. */
    assert_int_equal(pval_iter_init(&it, (buf_view){ NULL, 0 }), 0);
    assert_int_equal(pval_next(&it, &v), 0);
    buf_free(&body);
    buf_free(&vals);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_record_round_trip_keeps_every_part),
        cmocka_unit_test(test_merge_record_portable_values_read_back_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
