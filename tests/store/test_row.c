/*
 * test_row.c — unit tests of row.c: the contact row record. Encode/decode
 * round trips (scalars at the int64 limits, VALUE_MISSING, string sets, the
 * empty row, many fields), the byte layout of row.h, editing with row_set
 * and row_unset, and corrupt inputs that must decode to -1.
 *
 * Uses: cmocka, row.h, value.h (VALUE_MISSING).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "store/row.h"
#include "util/value.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ helpers */

static void set_id(row *r, const char *id)
{
    r->id = id;
    r->idlen = strlen(id);
}

static void set_scalar(row *r, uint16_t field, int64_t v)
{
    assert_int_equal(row_set(r, field, v, NULL, 0, 0), 0);
}

static void set_codes(row *r, uint16_t field, const uint32_t *codes, uint32_t n)
{
    assert_int_equal(row_set(r, field, 0, codes, n, 1), 0);
}

/* Field ids of r in storage order into out; returns how many. */
static size_t fields_of(const row *r, uint16_t *out, size_t cap)
{
    assert_true(r->n <= cap);
    for (size_t i = 0; i < r->n; i++)
        out[i] = r->vals[i].field;
    return r->n;
}

static void assert_rows_equal(const row *a, const row *b)
{
    assert_int_equal(a->idlen, b->idlen);
    if (a->idlen)
        assert_memory_equal(a->id, b->id, a->idlen);
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const row_value *x = &a->vals[i], *y = &b->vals[i];
        assert_int_equal(x->field, y->field);
        assert_int_equal(x->is_set, y->is_set);
        if (!x->is_set) {
            assert_true(x->v == y->v);
            continue;
        }
        assert_int_equal(x->nset, y->nset);
        for (uint32_t k = 0; k < x->nset; k++)
            assert_int_equal(row_set_codes(a, x)[k], row_set_codes(b, y)[k]);
    }
}

/* Encode in, decode into out (which owns nothing borrowed but enc's bytes). */
static void round_trip(const row *in, row *out, buf *enc)
{
    assert_int_equal(row_encode(in, enc), 0);
    assert_int_equal(row_decode(out, enc->p, enc->len), 0);
    assert_rows_equal(in, out);
}

static int decodes(const unsigned char *bytes, size_t n)
{
    row r = { 0 };
    int rc = row_decode(&r, bytes, n);
    row_free(&r);
    return rc;
}

/* ------------------------------------------------------------ round trips */

static void test_row_round_trip_keeps_scalars_at_int64_limits(void **state)
{
    (void)state;
    static const int64_t values[] = { 0, -1, 1, 63, -64, 64, INT64_MAX, -INT64_MAX,
                                      VALUE_MISSING, INT64_C(1) << 40, -(INT64_C(1) << 52) };
    row in = { 0 }, out = { 0 };
    buf enc = { 0 };
    set_id(&in, "c42");
    for (size_t i = 0; i < ARRAY_LEN(values); i++)
        set_scalar(&in, (uint16_t)(i + 1), values[i]);
    round_trip(&in, &out, &enc);
    assert_int_equal(out.n, ARRAY_LEN(values));
    for (size_t i = 0; i < ARRAY_LEN(values); i++) {
        const row_value *v = row_get(&out, (uint16_t)(i + 1));
        assert_non_null(v);
        assert_false(v->is_set);
        if (v->v != values[i])
            fail_msg("field %zu: wrote %lld, read %lld", i + 1, (long long)values[i],
                     (long long)v->v);
    }
    assert_true(row_get(&out, 5)->v == -64);
    assert_true(row_get(&out, 9)->v == VALUE_MISSING);
    row_free(&in);
    row_free(&out);
    buf_free(&enc);
}

static void test_row_round_trip_keeps_sets_and_their_order(void **state)
{
    (void)state;
    static const uint32_t tags[] = { 3, 1, UINT32_MAX, 200 };
    static const uint32_t one[] = { 7 };
    row in = { 0 }, out = { 0 };
    buf enc = { 0 };
    set_id(&in, "s");
    set_codes(&in, 10, tags, ARRAY_LEN(tags));
    set_scalar(&in, 11, 5);
    set_codes(&in, 12, one, 1);
    set_codes(&in, 13, NULL, 0); /* an empty set stays a set */
    round_trip(&in, &out, &enc);
    const row_value *v = row_get(&out, 10);
    assert_non_null(v);
    assert_true(v->is_set);
    assert_int_equal(v->nset, 4);
    assert_int_equal(row_set_codes(&out, v)[2], UINT32_MAX);
    assert_int_equal(row_set_codes(&out, row_get(&out, 12))[0], 7);
    assert_true(row_get(&out, 13)->is_set);
    assert_int_equal(row_get(&out, 13)->nset, 0);
    assert_true(row_get(&out, 11)->v == 5);
    row_free(&in);
    row_free(&out);
    buf_free(&enc);
}

static void test_row_round_trip_of_empty_row_is_three_bytes(void **state)
{
    (void)state;
    row in = { 0 }, out = { 0 };
    buf enc = { 0 };
    set_id(&in, "x");
    round_trip(&in, &out, &enc);
    static const unsigned char want[] = { 1, 'x', 0 };
    assert_int_equal(enc.len, sizeof want);
    assert_memory_equal(enc.p, want, sizeof want);
    assert_int_equal(out.n, 0);
    assert_null(row_get(&out, 1));
    row_free(&in);
    row_free(&out);
    buf_free(&enc);
}

static void test_row_round_trip_keeps_many_fields_sorted(void **state)
{
    (void)state;
    enum { N = 1000 };
    row in = { 0 }, out = { 0 };
    buf enc = { 0 };
    set_id(&in, "many");
    for (int f = N; f >= 1; f--) { /* reverse order: every insert goes to the front */
        uint32_t codes[2] = { (uint32_t)f, (uint32_t)f * 3 };
        if (f % 3 == 0)
            set_codes(&in, (uint16_t)f, codes, 2);
        else
            set_scalar(&in, (uint16_t)f, (int64_t)f * -1000003);
    }
    round_trip(&in, &out, &enc);
    assert_int_equal(out.n, N);
    for (size_t i = 0; i < out.n; i++)
        assert_int_equal(out.vals[i].field, i + 1);
    const row_value *v = row_get(&out, 999);
    assert_true(v->is_set);
    assert_int_equal(row_set_codes(&out, v)[1], 2997);
    assert_true(row_get(&out, 1000)->v == INT64_C(-1000003000));
    row_free(&in);
    row_free(&out);
    buf_free(&enc);
}

static void test_row_encode_writes_the_documented_layout(void **state)
{
    (void)state;
    static const uint32_t codes[] = { 1, 200 };
    row in = { 0 };
    buf enc = { 0 };
    set_id(&in, "ab");
    set_scalar(&in, 3, -2);
    set_codes(&in, 300, codes, 2);
    assert_int_equal(row_encode(&in, &enc), 0);
    /* idlen, id, count; (3 << 1 | 0), zigzag(-2) = 3; (300 << 1 | 1) = 601, n, codes */
    static const unsigned char want[] = { 2, 'a', 'b', 2, 6, 3, 0xD9, 0x04, 2, 1, 0xC8, 0x01 };
    assert_int_equal(enc.len, sizeof want);
    assert_memory_equal(enc.p, want, sizeof want);
    row_free(&in);
    buf_free(&enc);
}

static void test_row_decode_borrows_the_id_and_forgets_the_previous_row(void **state)
{
    (void)state;
    row a = { 0 }, b = { 0 }, r = { 0 };
    buf ea = { 0 }, eb = { 0 };
    set_id(&a, "first");
    set_scalar(&a, 1, 1);
    set_scalar(&a, 2, 2);
    set_scalar(&a, 3, 3);
    set_id(&b, "second");
    set_scalar(&b, 2, 20);
    assert_int_equal(row_encode(&a, &ea), 0);
    assert_int_equal(row_encode(&b, &eb), 0);
    assert_int_equal(row_decode(&r, ea.p, ea.len), 0);
    assert_int_equal(row_decode(&r, eb.p, eb.len), 0);
    assert_ptr_equal(r.id, (const char *)eb.p + 1);
    assert_int_equal(r.n, 1);
    assert_null(row_get(&r, 1));
    assert_true(row_get(&r, 2)->v == 20);
    row_free(&a);
    row_free(&b);
    row_free(&r);
    buf_free(&ea);
    buf_free(&eb);
}

/* ------------------------------------------------------------ editing */

static void test_row_set_inserts_in_field_order(void **state)
{
    (void)state;
    static const uint16_t order[] = { 7, 2, 9, 1, 5 };
    static const uint16_t sorted[] = { 1, 2, 5, 7, 9 };
    row r = { 0 };
    for (size_t i = 0; i < ARRAY_LEN(order); i++)
        set_scalar(&r, order[i], order[i] * 10);
    uint16_t got[8];
    assert_int_equal(fields_of(&r, got, 8), ARRAY_LEN(sorted));
    assert_memory_equal(got, sorted, sizeof sorted);
    assert_true(row_get(&r, 9)->v == 90);
    row_free(&r);
}

static void test_row_set_replaces_a_value_in_place(void **state)
{
    (void)state;
    static const uint32_t s1[] = { 4, 5, 6 }, s2[] = { 9 };
    row r = { 0 }, out = { 0 };
    buf enc = { 0 };
    set_id(&r, "r");
    set_scalar(&r, 1, 10);
    set_scalar(&r, 2, 20);
    set_scalar(&r, 2, 21);                /* scalar -> scalar */
    set_codes(&r, 1, s1, ARRAY_LEN(s1));  /* scalar -> set */
    set_codes(&r, 1, s2, ARRAY_LEN(s2));  /* set -> another set */
    set_codes(&r, 3, s1, ARRAY_LEN(s1));
    set_scalar(&r, 3, -3);                /* set -> scalar */
    assert_int_equal(r.n, 3);
    const row_value *v1 = row_get(&r, 1);
    assert_true(v1->is_set);
    assert_int_equal(v1->nset, 1);
    assert_int_equal(row_set_codes(&r, v1)[0], 9);
    assert_true(row_get(&r, 2)->v == 21);
    assert_false(row_get(&r, 3)->is_set);
    assert_true(row_get(&r, 3)->v == -3);
    round_trip(&r, &out, &enc);
    assert_int_equal(out.ncodes, 1); /* replaced codes are not written */
    row_free(&r);
    row_free(&out);
    buf_free(&enc);
}

static void test_row_unset_removes_only_that_field(void **state)
{
    (void)state;
    static const uint32_t codes[] = { 1, 2 };
    row r = { 0 };
    set_scalar(&r, 1, 1);
    set_codes(&r, 2, codes, 2);
    set_scalar(&r, 3, 3);
    row_unset(&r, 2);
    uint16_t got[4];
    assert_int_equal(fields_of(&r, got, 4), 2);
    assert_int_equal(got[0], 1);
    assert_int_equal(got[1], 3);
    assert_null(row_get(&r, 2));
    row_unset(&r, 42); /* absent: nothing happens */
    assert_int_equal(r.n, 2);
    row_unset(&r, 1);
    row_unset(&r, 3);
    assert_int_equal(r.n, 0);
    set_scalar(&r, 2, 7); /* and the row is usable again */
    assert_true(row_get(&r, 2)->v == 7);
    row_free(&r);
}

/* ------------------------------------------------------------ corrupt input */

static void test_row_decode_rejects_every_truncation(void **state)
{
    (void)state;
    static const uint32_t codes[] = { 1, 300, 70000 };
    row in = { 0 };
    buf enc = { 0 };
    set_id(&in, "trunc");
    set_scalar(&in, 1, INT64_MAX);
    set_codes(&in, 2, codes, 3);
    set_scalar(&in, 500, -70000);
    assert_int_equal(row_encode(&in, &enc), 0);
    assert_int_equal(decodes(enc.p, enc.len), 0);
    for (size_t k = 0; k < enc.len; k++) {
        if (decodes(enc.p, k) != -1)
            fail_msg("a row cut to %zu of %zu bytes decoded", k, enc.len);
    }
    row_free(&in);
    buf_free(&enc);
}

static void test_row_decode_rejects_bad_lengths_and_trailing_bytes(void **state)
{
    (void)state;
    static const unsigned char id_too_long[] = { 5, 'a', 'b', 0 };
    static const unsigned char set_too_long[] = { 1, 'a', 1, 3, 50, 1 };
    static const unsigned char trailing[] = { 1, 'a', 0, 0 };
    static const unsigned char count_too_big[] = { 1, 'a', 2, 2, 4 };
    /* field 65536: tag 65536 << 1 */
    static const unsigned char field_too_big[] = { 1, 'a', 1, 0x80, 0x80, 0x08, 0 };
    static const unsigned char code_too_big[] = { 1, 'a', 1, 3, 1, 0x80, 0x80, 0x80, 0x80, 0x10 };
    static const unsigned char overlong_varint[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                                     0x80, 0x80, 0x80, 0x80, 0x01 };
    static const unsigned char empty[] = { 0 };
    static const struct {
        const unsigned char *p;
        size_t n;
    } bad[] = {
        { id_too_long, sizeof id_too_long },     { set_too_long, sizeof set_too_long },
        { trailing, sizeof trailing },           { count_too_big, sizeof count_too_big },
        { field_too_big, sizeof field_too_big }, { code_too_big, sizeof code_too_big },
        { overlong_varint, sizeof overlong_varint }, { empty, 0 },
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        if (decodes(bad[i].p, bad[i].n) != -1)
            fail_msg("corrupt row %zu decoded", i);
    }
    /* The largest field id and code still decode. */
    static const unsigned char max_field[] = { 1, 'a', 1, 0xFE, 0xFF, 0x07, 0 };
    static const unsigned char max_code[] = { 1, 'a', 1, 3, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F };
    assert_int_equal(decodes(max_field, sizeof max_field), 0);
    assert_int_equal(decodes(max_code, sizeof max_code), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_round_trip_keeps_scalars_at_int64_limits),
        cmocka_unit_test(test_row_round_trip_keeps_sets_and_their_order),
        cmocka_unit_test(test_row_round_trip_of_empty_row_is_three_bytes),
        cmocka_unit_test(test_row_round_trip_keeps_many_fields_sorted),
        cmocka_unit_test(test_row_encode_writes_the_documented_layout),
        cmocka_unit_test(test_row_decode_borrows_the_id_and_forgets_the_previous_row),
        cmocka_unit_test(test_row_set_inserts_in_field_order),
        cmocka_unit_test(test_row_set_replaces_a_value_in_place),
        cmocka_unit_test(test_row_unset_removes_only_that_field),
        cmocka_unit_test(test_row_decode_rejects_every_truncation),
        cmocka_unit_test(test_row_decode_rejects_bad_lengths_and_trailing_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
