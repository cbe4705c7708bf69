/*
 * test_row.c — unit tests of row.c: the contact row record. Encode/decode
 * round trips (scalars at the int64 limits, VALUE_MISSING, string sets, the
 * empty row, many fields, times), the byte layout of row.h, editing with
 * row_set, row_unset and row_stamp (fields found by binary search, in any
 * order of insertion), and corrupt inputs that must decode to -1.
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
        assert_true(x->at == y->at);
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

/* ------------------------------------------------------------ field search */

enum { NIDS = 200 };

/* 200 distinct field ids, ascending, from 0 to UINT16_MAX with uneven gaps. */
static void field_ids(uint16_t ids[NIDS])
{
    for (int i = 0; i < NIDS - 1; i++)
        ids[i] = (uint16_t)(i * 300 + i * i % 97);
    ids[NIDS - 1] = UINT16_MAX;
}

/* A value for field f that no other field of these tests has. */
static int64_t value_of(uint16_t f)
{
    return (int64_t)f * -7919 + 13;
}

/* r's fields are strictly increasing, and each of ids[0..n) has its value. */
static void assert_fields_found(const row *r, const uint16_t *ids, size_t n)
{
    assert_int_equal(r->n, n);
    for (size_t i = 1; i < r->n; i++) {
        if (r->vals[i - 1].field >= r->vals[i].field)
            fail_msg("fields %u then %u", r->vals[i - 1].field, r->vals[i].field);
    }
    for (size_t i = 0; i < n; i++) {
        const row_value *v = row_get(r, ids[i]);
        if (v == NULL || v->field != ids[i] || v->v != value_of(ids[i]))
            fail_msg("field %u is lost", ids[i]);
    }
}

/* Fields between, below and above those of field_ids are absent. */
static void assert_gaps_absent(const row *r, const uint16_t ids[NIDS])
{
    for (int i = 0; i + 1 < NIDS; i++) {
        for (uint32_t f = ids[i] + 1u; f < ids[i + 1]; f += 37)
            assert_null(row_get(r, (uint16_t)f));
        assert_null(row_get(r, (uint16_t)(ids[i + 1] - 1)));
    }
}

/*
 * Fields set in ascending order (each after the last), descending (each
 * before the first) and shuffled order: sorted, each found after every
 * step, absent ids not; setting each again replaces it in place.
 */
static void test_row_set_in_any_order_finds_every_field(void **state)
{
    (void)state;
    uint16_t ids[NIDS], order[NIDS];
    field_ids(ids);
    for (int how = 0; how < 3; how++) {
        row r = { 0 };
        uint64_t seed = 0x2545f4914f6cdd1du;
        for (int i = 0; i < NIDS; i++)
            order[i] = how == 1 ? ids[NIDS - 1 - i] : ids[i];
        for (int i = NIDS - 1; how == 2 && i > 0; i--) { /* Fisher-Yates */
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            int j = (int)((seed >> 33) % (uint64_t)(i + 1));
            uint16_t t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (int i = 0; i < NIDS; i++) {
            set_scalar(&r, order[i], value_of(order[i]));
            assert_fields_found(&r, order, (size_t)i + 1);
        }
        for (int i = 0; i < NIDS; i++)
            assert_int_equal(r.vals[i].field, ids[i]);
        assert_gaps_absent(&r, ids);
        for (int i = NIDS - 1; i >= 0; i--) /* again, last set first: replaced, not added */
            set_scalar(&r, order[i], -value_of(order[i]));
        assert_int_equal(r.n, NIDS);
        for (int i = 0; i < NIDS; i++) {
            assert_int_equal(r.vals[i].field, ids[i]);
            assert_true(row_get(&r, ids[i])->v == -value_of(ids[i]));
        }
        row_free(&r);
    }
}

/* The last field, set again or looked up, is found (not taken for one after it). */
static void test_row_last_field_is_found(void **state)
{
    (void)state;
    row r = { 0 };
    assert_null(row_get(&r, 0));
    set_scalar(&r, 5, 50);
    assert_true(row_get(&r, 5)->v == 50);
    set_scalar(&r, 5, 51);
    assert_int_equal(r.n, 1);
    assert_true(row_get(&r, 5)->v == 51);
    set_scalar(&r, 9, 90);
    set_scalar(&r, 9, 91);
    assert_int_equal(r.n, 2);
    assert_true(row_get(&r, 9)->v == 91);
    assert_null(row_get(&r, 10));
    assert_null(row_get(&r, 6));
    assert_null(row_get(&r, 4));
    row_free(&r);
}

/* Times of r's values, in storage order, as a string of 'x' (ROW_NO_TIME) and '*'. */
static void assert_stamped(const row *r, const char *want)
{
    assert_int_equal(r->n, strlen(want));
    for (size_t i = 0; i < r->n; i++) {
        if ((r->vals[i].at != ROW_NO_TIME) != (want[i] == '*'))
            fail_msg("value %zu (field %u) stamped %lld, want %c", i, r->vals[i].field,
                     (long long)r->vals[i].at, want[i]);
    }
}

/* row_stamp on a present field stamps it alone; on an absent one it changes nothing. */
static void test_row_stamp_stamps_only_that_field(void **state)
{
    (void)state;
    uint16_t ids[NIDS];
    row r = { 0 };
    row_stamp(&r, 3, 100); /* an empty row */
    assert_int_equal(r.n, 0);
    field_ids(ids);
    for (int i = NIDS - 1; i >= 0; i--)
        set_scalar(&r, ids[i], value_of(ids[i]));
    for (int i = 0; i < NIDS; i++)
        assert_true(r.vals[i].at == ROW_NO_TIME);
    row_stamp(&r, ids[0], 1000);        /* first */
    row_stamp(&r, ids[77], -5);         /* middle */
    row_stamp(&r, ids[NIDS - 1], 2000); /* last */
    row_stamp(&r, ids[77] + 1, 7);      /* absent: just after a present field */
    row_stamp(&r, ids[NIDS - 1] - 1, 7); /* and just before the last */
    for (int i = 0; i < NIDS; i++) {
        int64_t want = i == 0 ? 1000 : i == 77 ? -5 : i == NIDS - 1 ? 2000 : ROW_NO_TIME;
        if (r.vals[i].at != want || r.vals[i].v != value_of(ids[i]))
            fail_msg("field %u: at %lld, want %lld", ids[i], (long long)r.vals[i].at,
                     (long long)want);
    }
    row_stamp(&r, ids[77], 8); /* again: the newer time */
    assert_true(row_get(&r, ids[77])->at == 8);
    assert_int_equal(r.n, NIDS);
    row_free(&r);

    row s = { 0 };
    set_scalar(&s, 10, 1);
    set_scalar(&s, 20, 2);
    set_scalar(&s, 30, 3);
    row_stamp(&s, 0, 1);
    row_stamp(&s, 15, 1);
    row_stamp(&s, 31, 1);
    row_stamp(&s, UINT16_MAX, 1);
    assert_stamped(&s, "xxx");
    row_stamp(&s, 30, 1);
    assert_stamped(&s, "xx*");
    row_stamp(&s, 10, 1);
    assert_stamped(&s, "*x*");
    row_stamp(&s, 20, 1);
    assert_stamped(&s, "***");
    row_free(&s);
}

/* row_unset of the first, a middle and the last field, and of absent ones. */
static void test_row_unset_first_middle_last_and_absent(void **state)
{
    (void)state;
    static const uint16_t all[] = { 5, 10, 15, 20, 25, 30, 35, 40, 45, 50 };
    static const uint16_t left[] = { 10, 15, 20, 30, 35, 40, 45 };
    row r = { 0 };
    row_unset(&r, 5); /* an empty row */
    assert_int_equal(r.n, 0);
    for (size_t i = 0; i < ARRAY_LEN(all); i++) {
        set_scalar(&r, all[i], value_of(all[i]));
        row_stamp(&r, all[i], 1000 + all[i]);
    }
    row_unset(&r, 5);  /* first */
    row_unset(&r, 25); /* middle */
    row_unset(&r, 50); /* last */
    row_unset(&r, 5);  /* each absent: again, */
    row_unset(&r, 0);  /* below the first, */
    row_unset(&r, 27); /* between two, */
    row_unset(&r, 46); /* past the last, */
    row_unset(&r, UINT16_MAX);
    assert_fields_found(&r, left, ARRAY_LEN(left));
    for (size_t i = 0; i < ARRAY_LEN(left); i++) /* the times moved with their values */
        assert_true(r.vals[i].at == 1000 + left[i]);
    assert_null(row_get(&r, 5));
    assert_null(row_get(&r, 25));
    assert_null(row_get(&r, 50));
    set_scalar(&r, 50, value_of(50)); /* the last again, after the new last */
    set_scalar(&r, 5, value_of(5));
    assert_int_equal(r.n, ARRAY_LEN(left) + 2);
    assert_int_equal(r.vals[0].field, 5);
    assert_int_equal(r.vals[r.n - 1].field, 50);
    assert_true(row_get(&r, 50)->v == value_of(50));
    row_free(&r);
}

/*
 * Values and their times, set in shuffled order, come back from
 * row_encode/row_decode: stamped, unstamped, times before 1970 and far apart.
 */
static void test_row_round_trip_keeps_values_and_stamps(void **state)
{
    (void)state;
    static const uint16_t order[] = { 40, 3, 65535, 0, 17, 1000, 2, 41 };
    static const int64_t times[] = { 1700000000, ROW_NO_TIME, -86400, 0,
                                     ROW_NO_TIME, 1, INT64_C(4102444800), 1700000000 };
    static const uint32_t codes[] = { 9, 8, 7 };
    row in = { 0 }, out = { 0 };
    buf enc = { 0 };
    set_id(&in, "stamps");
    for (size_t i = 0; i < ARRAY_LEN(order); i++) {
        if (i % 3 == 1)
            set_codes(&in, order[i], codes, (uint32_t)(i % 4));
        else
            set_scalar(&in, order[i], value_of(order[i]));
        if (times[i] != ROW_NO_TIME)
            row_stamp(&in, order[i], times[i]);
    }
    round_trip(&in, &out, &enc);
    assert_int_equal(out.n, ARRAY_LEN(order));
    for (size_t i = 0; i < ARRAY_LEN(order); i++) {
        const row_value *v = row_get(&out, order[i]);
        assert_non_null(v);
        if (v->at != times[i])
            fail_msg("field %u: at %lld, want %lld", order[i], (long long)v->at,
                     (long long)times[i]);
        assert_int_equal(v->is_set, i % 3 == 1);
        if (!v->is_set)
            assert_true(v->v == value_of(order[i]));
        else
            assert_int_equal(v->nset, i % 4);
    }
    /* Without a stamp no time is written: the layout of rows written before. */
    row plain = { 0 };
    buf enc2 = { 0 };
    set_id(&plain, "stamps");
    for (size_t i = 0; i < in.n; i++) {
        const row_value *v = &in.vals[i];
        assert_int_equal(row_set(&plain, v->field, v->v, row_set_codes(&in, v), v->nset,
                                 v->is_set), 0);
    }
    round_trip(&plain, &out, &enc2);
    for (size_t i = 0; i < out.n; i++)
        assert_true(out.vals[i].at == ROW_NO_TIME);
    assert_true(enc2.len < enc.len);
    assert_memory_equal(enc.p, enc2.p, enc2.len);
    assert_int_equal(((const unsigned char *)enc.p)[enc2.len], 1);
    row_free(&in);
    row_free(&plain);
    row_free(&out);
    buf_free(&enc);
    buf_free(&enc2);
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
        cmocka_unit_test(test_row_set_in_any_order_finds_every_field),
        cmocka_unit_test(test_row_last_field_is_found),
        cmocka_unit_test(test_row_stamp_stamps_only_that_field),
        cmocka_unit_test(test_row_unset_first_middle_last_and_absent),
        cmocka_unit_test(test_row_round_trip_keeps_values_and_stamps),
        cmocka_unit_test(test_row_decode_rejects_every_truncation),
        cmocka_unit_test(test_row_decode_rejects_bad_lengths_and_trailing_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
