/*
 * test_event.c — unit tests of event.c: timeline encode/decode round trips
 * with event ids and extra JSON, the compact value encode writes, the merge that
 * keeps re-imports idempotent (stable sort by ts, identical events counted
 * as multisets: k held and m new end as max(k, m), counts of an input's
 * earlier parts given, an event_id seen again replaces the earlier event), corrupt
 * values that must not decode, and the difference of two timelines.
 *
 * Uses: cmocka, event.h, value.h (VALUE_MISSING).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "store/event.h"
#include "util/value.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ helpers */

/* The parts of an event a test chooses; eid and extra may be NULL. */
typedef struct ev {
    int64_t ts;
    uint32_t type;
    int64_t amount;
    uint32_t category, channel;
    const char *eid, *extra;
} ev;

static void add(event_list *l, ev e)
{
    event_rec r = { .ts = e.ts, .amount = e.amount, .type = e.type, .category = e.category,
                 .channel = e.channel };
    const char *eid = e.eid ? e.eid : "", *extra = e.extra ? e.extra : "";
    assert_int_equal(event_list_add(l, &r, eid, strlen(eid), extra, strlen(extra)), 0);
}

static void add_all(event_list *l, const ev *evs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        add(l, evs[i]);
}

/* Whether record i of l has the event_id eid ("" for none) and extra JSON x. */
static void assert_var(const event_list *l, size_t i, const char *eid, const char *x)
{
    const char *e, *ex;
    size_t ne, nx;
    event_var(l, &l->recs[i], &e, &ne, &ex, &nx);
    assert_int_equal(ne, strlen(eid));
    assert_memory_equal(e, eid, ne);
    assert_int_equal(nx, strlen(x));
    assert_memory_equal(ex, x, nx);
}

/* The type codes of l in order into out; returns how many. */
static size_t types_of(const event_list *l, uint32_t *out, size_t cap)
{
    assert_true(l->n <= cap);
    for (size_t i = 0; i < l->n; i++)
        out[i] = l->recs[i].type;
    return l->n;
}

static void assert_types(const event_list *l, const uint32_t *want, size_t n)
{
    uint32_t got[32];
    size_t k = types_of(l, got, ARRAY_LEN(got));
    if (k != n || memcmp(got, want, n * sizeof *want) != 0) {
        char text[256] = "";
        size_t used = 0;
        for (size_t i = 0; i < k && used < sizeof text - 12; i++)
            used += (size_t)snprintf(text + used, sizeof text - used, "%u ", got[i]);
        fail_msg("types after merge: %s(%zu events, %zu expected)", text, k, n);
    }
}

/* Old events, merged, then the new ones merged into them. */
static void merge_into(event_list *l, const ev *old, size_t nold, const ev *new, size_t nnew)
{
    add_all(l, old, nold);
    assert_int_equal(event_list_merge(l, 0), 0);
    size_t at = l->n;
    add_all(l, new, nnew);
    assert_int_equal(event_list_merge(l, at), 0);
}

static int decodes(const void *p, size_t n)
{
    event_list l = { 0 };
    int rc = event_list_decode(&l, p, n);
    event_list_free(&l);
    return rc;
}

#define M VALUE_MISSING

/* ------------------------------------------------------------ encoding */

static void test_event_round_trip_keeps_records_ids_and_extra(void **state)
{
    (void)state;
    static const ev evs[] = {
        { 100, 1, 10100000, 2, 3, NULL, NULL },
        { 200, 2, M, 0, 0, "order-17", "{\"device\":\"ios\"}" },
        { 300, 1, -5, 4, 0, NULL, "{\"sku\":\"A1\"}" },
        { INT64_MAX, 3, -INT64_MAX, 0, 9, "z", NULL },
    };
    event_list in = { 0 }, out = { 0 };
    buf enc = { 0 };
    add_all(&in, evs, ARRAY_LEN(evs));
    assert_int_equal(event_list_encode(&in, &enc), 0);
    assert_int_equal(event_list_decode(&out, enc.p, enc.len), 0);
    assert_int_equal(out.n, ARRAY_LEN(evs));
    for (size_t i = 0; i < out.n; i++) {
        const event_rec *r = &out.recs[i];
        assert_true(r->ts == evs[i].ts);
        assert_true(r->amount == evs[i].amount);
        assert_int_equal(r->type, evs[i].type);
        assert_int_equal(r->category, evs[i].category);
        assert_int_equal(r->channel, evs[i].channel);
        assert_var(&out, i, evs[i].eid ? evs[i].eid : "", evs[i].extra ? evs[i].extra : "");
    }
    assert_int_equal(out.recs[0].var, 0); /* no variable part, no heap bytes */
    event_list_free(&in);
    event_list_free(&out);
    buf_free(&enc);
}

static void test_event_encode_writes_a_compact_count_the_records_and_the_heap(void **state)
{
    (void)state;
    event_list l = { 0 };
    buf enc = { 0 };
    add(&l, (ev){ 1, 1, M, 0, 0, "ab", "{}" });
    add(&l, (ev){ 2, 1, M, 0, 0, NULL, NULL });
    assert_int_equal(event_list_encode(&l, &enc), 0);
    uint32_t n, heap;
    memcpy(&n, enc.p, 4);
    memcpy(&heap, enc.p + 4, 4);
    assert_int_equal(n, 2u | 0x80000000u); /* the top bit: the compact form */
    assert_int_equal(heap, 1 + 2 + 1 + 2); /* varint 2, "ab", varint 2, "{}" */
    /* flags F_VAR, ts +1 (zigzag 2), type 1, var 1; flags 0, ts +1, type 1 */
    assert_int_equal(enc.len, 8 + 4 + 3 + heap);
    assert_memory_equal(enc.p + 8, "\x10\x02\x01\x01" "\x00\x02\x01", 7);
    assert_memory_equal(enc.p + 8 + 7, "\x02" "ab" "\x02" "{}", heap);
    event_list_free(&l);
    buf_free(&enc);
}

static void test_event_decode_appends_after_events_already_held(void **state)
{
    (void)state;
    event_list a = { 0 }, b = { 0 }, both = { 0 };
    buf ea = { 0 }, eb = { 0 };
    add(&a, (ev){ 1, 1, M, 0, 0, "first", "{\"k\":1}" });
    add(&b, (ev){ 2, 2, M, 0, 0, "second", "{\"k\":2}" });
    assert_int_equal(event_list_encode(&a, &ea), 0);
    assert_int_equal(event_list_encode(&b, &eb), 0);
    assert_int_equal(event_list_decode(&both, ea.p, ea.len), 0);
    assert_int_equal(event_list_decode(&both, eb.p, eb.len), 0);
    assert_int_equal(both.n, 2);
    assert_var(&both, 0, "first", "{\"k\":1}");
    assert_var(&both, 1, "second", "{\"k\":2}");
    event_list_free(&a);
    event_list_free(&b);
    event_list_free(&both);
    buf_free(&ea);
    buf_free(&eb);
}

/* ------------------------------------------------------------ merging */

static void test_event_merge_sorts_by_ts_keeping_input_order_for_equal_ts(void **state)
{
    (void)state;
    static const ev new[] = {
        { 30, 1, M, 0, 0, NULL, NULL }, { 10, 2, M, 0, 0, NULL, NULL },
        { 30, 3, M, 0, 0, NULL, NULL }, { 20, 4, M, 0, 0, NULL, NULL },
        { 30, 5, M, 0, 0, NULL, NULL }, { 10, 6, M, 0, 0, NULL, NULL },
    };
    static const uint32_t want[] = { 2, 6, 4, 1, 3, 5 };
    event_list l = { 0 };
    merge_into(&l, NULL, 0, new, ARRAY_LEN(new));
    assert_types(&l, want, ARRAY_LEN(want));
    event_list_free(&l);
}

static void test_event_merge_puts_stored_events_before_new_ones_of_equal_ts(void **state)
{
    (void)state;
    static const ev old[] = { { 10, 1, M, 0, 0, NULL, NULL }, { 20, 2, M, 0, 0, NULL, NULL } };
    static const ev new[] = { { 20, 3, M, 0, 0, NULL, NULL }, { 10, 4, M, 0, 0, NULL, NULL },
                              { 5, 5, M, 0, 0, NULL, NULL } };
    static const uint32_t want[] = { 5, 1, 4, 2, 3 };
    event_list l = { 0 };
    merge_into(&l, old, ARRAY_LEN(old), new, ARRAY_LEN(new));
    assert_types(&l, want, ARRAY_LEN(want));
    event_list_free(&l);
}

static void test_event_merge_drops_identical_event_at_same_ts(void **state)
{
    (void)state;
    static const ev old[] = {
        { 100, 1, 2500000, 7, 8, NULL, "{\"sku\":\"A\"}" },
        { 100, 2, M, 0, 0, NULL, NULL }, /* between the original and its copy */
    };
    static const ev new[] = {
        { 100, 1, 2500000, 7, 8, NULL, "{\"sku\":\"A\"}" },
        { 100, 2, M, 0, 0, NULL, NULL },
        { 50, 9, M, 0, 0, NULL, NULL },
        { 50, 9, M, 0, 0, NULL, NULL }, /* a copy within the same input: a second event */
    };
    static const uint32_t want[] = { 9, 9, 1, 2 };
    event_list l = { 0 };
    merge_into(&l, old, ARRAY_LEN(old), new, ARRAY_LEN(new));
    assert_types(&l, want, ARRAY_LEN(want));
    event_list_free(&l);
}

/* k held copies and m new ones of one event end as max(k, m), whatever else is held. */
static void test_event_merge_counts_identical_events_as_multisets(void **state)
{
    (void)state;
    static const ev a = { 100, 1, 990000, 0, 0, NULL, NULL }, b = { 100, 2, M, 0, 0, NULL, NULL };
    for (size_t k = 0; k <= 3; k++) {
        for (size_t m = 0; m <= 3; m++) {
            ev old[4] = { b }, new[4] = { b };
            for (size_t i = 0; i < k; i++)
                old[1 + i] = a;
            for (size_t i = 0; i < m; i++)
                new[1 + i] = a;
            event_list l = { 0 };
            merge_into(&l, old, 1 + k, new, 1 + m);
            assert_int_equal(l.n, 1 + (k > m ? k : m));
            /* merged again: nothing more */
            size_t at = l.n;
            add_all(&l, new, 1 + m);
            assert_int_equal(event_list_merge(&l, at), 0);
            assert_int_equal(l.n, 1 + (k > m ? k : m));
            event_list_free(&l);
        }
    }
}

/* Given prior counts: an event is the (prior + 1 + identical new ones before it)-th of its input. */
static void test_event_merge_prior_counts_earlier_parts_of_an_input(void **state)
{
    (void)state;
    static const ev a = { 100, 1, 990000, 0, 0, NULL, NULL };
    static const ev idd = { 100, 1, 990000, 0, 0, "x", NULL };
    event_list l = { 0 };
    add(&l, a); /* held: one copy, from the input's first part */
    size_t at = l.n;
    add(&l, a);
    add(&l, a);
    add(&l, idd);
    static const uint32_t prior[] = { 1, 1, 7 }; /* its 2nd and 3rd; an event_id's is not read */
    assert_int_equal(event_list_merge_prior(&l, at, prior), 0);
    assert_int_equal(l.n, 4);
    assert_int_equal(event_list_count_same(&l, l.n, &l.recs[0]), 3);
    at = l.n;
    add(&l, a);
    add(&l, a);
    assert_int_equal(event_list_merge_prior(&l, at, NULL), 0); /* 1st and 2nd: held */
    assert_int_equal(l.n, 4);
    at = l.n;
    add(&l, a);
    static const uint32_t three[] = { 3 };
    assert_int_equal(event_list_merge_prior(&l, at, three), 0); /* the 4th */
    assert_int_equal(l.n, 5);
    assert_int_equal(event_list_count_same(&l, l.n, &l.recs[0]), 4);
    assert_int_equal(event_list_count_same(&l, 0, &l.recs[0]), 0);
    event_list_free(&l);
}

static void test_event_merge_keeps_same_ts_with_different_content(void **state)
{
    (void)state;
    static const ev old[] = { { 100, 1, 1000000, 1, 1, NULL, "{\"a\":1}" } };
    static const ev new[] = {
        { 100, 1, 2000000, 1, 1, NULL, "{\"a\":1}" }, /* amount */
        { 100, 1, M, 1, 1, NULL, "{\"a\":1}" },       /* amount missing */
        { 100, 1, 1000000, 2, 1, NULL, "{\"a\":1}" }, /* category */
        { 100, 1, 1000000, 1, 2, NULL, "{\"a\":1}" }, /* channel */
        { 100, 1, 1000000, 1, 1, NULL, "{\"a\":2}" }, /* extra attributes */
        { 100, 1, 1000000, 1, 1, NULL, NULL },        /* no extra attributes */
        { 100, 2, 1000000, 1, 1, NULL, "{\"a\":1}" }, /* type */
        { 101, 1, 1000000, 1, 1, NULL, "{\"a\":1}" }, /* ts */
    };
    event_list l = { 0 };
    merge_into(&l, old, ARRAY_LEN(old), new, ARRAY_LEN(new));
    assert_int_equal(l.n, 1 + ARRAY_LEN(new));
    assert_true(l.recs[1].amount == 2000000);
    assert_true(l.recs[2].amount == M);
    assert_true(l.recs[l.n - 1].ts == 101);
    event_list_free(&l);
}

static void test_event_merge_replaces_by_event_id_even_at_another_ts(void **state)
{
    (void)state;
    static const ev old[] = {
        { 100, 1, 1000000, 0, 0, "x", "{\"v\":1}" },
        { 200, 2, M, 0, 0, "y", NULL },
    };
    static const ev new[] = {
        { 300, 1, 9900000, 0, 0, "x", "{\"v\":2}" }, /* x moves to a later ts */
        { 50, 3, M, 0, 0, "z", NULL },
        { 60, 4, M, 0, 0, "z", NULL },               /* z twice in one batch: the last wins */
    };
    static const uint32_t want[] = { 4, 2, 1 };
    event_list l = { 0 };
    merge_into(&l, old, ARRAY_LEN(old), new, ARRAY_LEN(new));
    assert_types(&l, want, ARRAY_LEN(want));
    assert_true(l.recs[0].ts == 60);
    assert_true(l.recs[2].ts == 300);
    assert_true(l.recs[2].amount == 9900000);
    assert_var(&l, 2, "x", "{\"v\":2}");
    event_list_free(&l);
}

static void test_event_merge_keeps_events_with_distinct_ids_and_equal_content(void **state)
{
    (void)state;
    static const ev old[] = { { 100, 1, 1000000, 0, 0, "a", NULL } };
    static const ev new[] = { { 100, 1, 1000000, 0, 0, "b", NULL },
                              { 100, 1, 1000000, 0, 0, "a", NULL } };
    event_list l = { 0 };
    merge_into(&l, old, ARRAY_LEN(old), new, ARRAY_LEN(new));
    assert_int_equal(l.n, 2);
    assert_var(&l, 0, "b", "");
    assert_var(&l, 1, "a", "");
    event_list_free(&l);
}

static void test_event_merge_then_encode_leaves_no_bytes_of_replaced_events(void **state)
{
    (void)state;
    static const ev old[] = { { 1, 1, M, 0, 0, "id", "{\"note\":\"a long attribute value "
                                                     "that the replacement drops\"}" } };
    static const ev new[] = { { 2, 1, M, 0, 0, "id", "{}" } };
    event_list l = { 0 }, back = { 0 };
    buf enc = { 0 };
    merge_into(&l, old, ARRAY_LEN(old), new, ARRAY_LEN(new));
    assert_int_equal(event_list_encode(&l, &enc), 0);
    assert_int_equal(enc.len, 8 + 4 + (1 + 2 + 1 + 2)); /* one record: flags, ts, type, var */
    assert_int_equal(event_list_decode(&back, enc.p, enc.len), 0);
    assert_int_equal(back.n, 1);
    assert_var(&back, 0, "id", "{}");
    event_list_free(&l);
    event_list_free(&back);
    buf_free(&enc);
}

/* ------------------------------------------------------------ corrupt values */

/* A valid two-event value with a variable part, to damage. */
static void valid_value(buf *enc)
{
    event_list l = { 0 };
    add(&l, (ev){ 1, 1, M, 0, 0, NULL, NULL });
    add(&l, (ev){ 2, 1, M, 0, 0, "e", "{\"k\":1}" });
    assert_int_equal(event_list_encode(&l, enc), 0);
    event_list_free(&l);
    assert_int_equal(decodes(enc->p, enc->len), 0);
}

static void put_u32(buf *b, size_t at, uint32_t v)
{
    memcpy(b->p + at, &v, 4);
}

static void test_event_decode_rejects_wrong_sizes(void **state)
{
    (void)state;
    buf enc = { 0 };
    valid_value(&enc);
    for (size_t k = 0; k < enc.len; k++) {
        if (decodes(enc.p, k) != -1)
            fail_msg("a value cut to %zu of %zu bytes decoded", k, enc.len);
    }
    assert_int_equal(buf_put(&enc, "", 1), 0); /* one byte too many */
    assert_int_equal(decodes(enc.p, enc.len), -1);
    enc.len--;
    put_u32(&enc, 0, 3u | 0x80000000u); /* three records claimed, two held */
    assert_int_equal(decodes(enc.p, enc.len), -1);
    put_u32(&enc, 0, 2); /* the fixed form's count: its records would take 64 bytes */
    assert_int_equal(decodes(enc.p, enc.len), -1);
    put_u32(&enc, 0, UINT32_MAX);
    assert_int_equal(decodes(enc.p, enc.len), -1);
    put_u32(&enc, 0, 2u | 0x80000000u);
    put_u32(&enc, 4, 0); /* heap size that does not add up */
    assert_int_equal(decodes(enc.p, enc.len), -1);
    buf_free(&enc);
}

static void test_event_decode_rejects_a_variable_part_overrunning_the_heap(void **state)
{
    (void)state;
    buf enc = { 0 };
    valid_value(&enc);
    uint32_t heap;
    memcpy(&heap, enc.p + 4, 4);
    const size_t heap_at = enc.len - heap;
    enc.p[heap_at] = 0x7f; /* event_id length 127 in a heap of 10 bytes */
    int long_id = decodes(enc.p, enc.len);
    valid_value(&enc);
    enc.p[heap_at + 2] = 0x7f; /* extra length 127 */
    int long_extra = decodes(enc.p, enc.len);
    buf_free(&enc);
    if (long_id != -1 || long_extra != -1)
        fail_msg("a variable part longer than the heap decoded to %d (event_id) and %d (extra)",
                 long_id, long_extra);
}

/* ------------------------------------------------------------ minus */

static void test_event_minus_takes_each_match_once_across_lists(void **state)
{
    (void)state;
    event_list a = { 0 }, b = { 0 }, out = { 0 };
    const ev in_a[] = {
        { 10, 1, 500, 0, 0, NULL, NULL },
        { 10, 1, 500, 0, 0, NULL, NULL },           /* twice in a, once in b */
        { 20, 2, VALUE_MISSING, 3, 0, "e1", NULL }, /* b has e1 with other content */
        { 30, 2, VALUE_MISSING, 0, 0, NULL, "{\"x\":1}" },
        { 40, 1, 700, 0, 0, NULL, NULL },
    };
    const ev in_b[] = {
        { 5, 9, VALUE_MISSING, 0, 0, "pad", "{\"heap\":\"before\"}" }, /* offsets differ */
        { 10, 1, 500, 0, 0, NULL, NULL },
        { 20, 2, VALUE_MISSING, 4, 0, "e1", NULL },
        { 30, 2, VALUE_MISSING, 0, 0, NULL, "{\"x\":1}" },
        { 40, 1, 700, 0, 0, NULL, NULL },
    };
    add_all(&a, in_a, ARRAY_LEN(in_a));
    add_all(&b, in_b, ARRAY_LEN(in_b));
    assert_int_equal(event_list_minus(&a, &b, &out), 0);
    assert_int_equal(out.n, 2);
    assert_int_equal(out.recs[0].ts, 10);
    assert_int_equal(out.recs[1].ts, 20);
    assert_var(&out, 1, "e1", "");
    assert_int_equal(out.recs[1].category, 3);
    event_list_clear(&out);
    assert_int_equal(event_list_minus(&b, &a, &out), 0);
    assert_int_equal(out.n, 2);
    assert_var(&out, 0, "pad", "{\"heap\":\"before\"}");
    assert_int_equal(out.recs[1].category, 4);
    event_list_clear(&out);
    assert_int_equal(event_list_minus(&a, &a, &out), 0);
    assert_int_equal(out.n, 0);
    event_list_free(&a);
    event_list_free(&b);
    event_list_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_round_trip_keeps_records_ids_and_extra),
        cmocka_unit_test(test_event_encode_writes_a_compact_count_the_records_and_the_heap),
        cmocka_unit_test(test_event_decode_appends_after_events_already_held),
        cmocka_unit_test(test_event_merge_sorts_by_ts_keeping_input_order_for_equal_ts),
        cmocka_unit_test(test_event_merge_puts_stored_events_before_new_ones_of_equal_ts),
        cmocka_unit_test(test_event_merge_drops_identical_event_at_same_ts),
        cmocka_unit_test(test_event_merge_counts_identical_events_as_multisets),
        cmocka_unit_test(test_event_merge_prior_counts_earlier_parts_of_an_input),
        cmocka_unit_test(test_event_merge_keeps_same_ts_with_different_content),
        cmocka_unit_test(test_event_merge_replaces_by_event_id_even_at_another_ts),
        cmocka_unit_test(test_event_merge_keeps_events_with_distinct_ids_and_equal_content),
        cmocka_unit_test(test_event_merge_then_encode_leaves_no_bytes_of_replaced_events),
        cmocka_unit_test(test_event_decode_rejects_wrong_sizes),
        cmocka_unit_test(test_event_decode_rejects_a_variable_part_overrunning_the_heap),
        cmocka_unit_test(test_event_minus_takes_each_match_once_across_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
