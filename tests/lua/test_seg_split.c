/*
 * test_seg_split.c — A/B splits (seg.split) through the public API: each
 * arm holds exactly the contacts of the population (everybody, `of` a
 * segment, or `where`) whose bucket lies in its range, arms laid out in byte
 * order of their names; arms are segments other segments name; an erased
 * contact is in no arm; and every wrong declaration fails naming the
 * script line.
 *
 * Uses: cmocka, segrt.h, test_util.h, plan/plan_split.h (the expected buckets).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "segrt.h"
#include "test_util.h"
#include "plan/plan_split.h"

#define NCONTACTS 300

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_fixture *f = *state;
    assert_int_equal(segrt_field_declare(f->s, "v", SEGRT_T_INTEGER), SEGRT_OK);
    static char csv[NCONTACTS * 16 + 16];
    size_t len = (size_t)snprintf(csv, sizeof csv, "id,v\n");
    for (int i = NCONTACTS - 1; i >= 0; i--) /* out of id order: ordinals differ from it */
        len += (size_t)snprintf(csv + len, sizeof csv - len, "s%03d,%d\n", i, i % 3);
    tu_seg_data(f, csv, NULL, NULL);
    return 0;
}

static uint32_t bucket(const char *split, const char *id)
{
    return plan_split_bucket(split, strlen(split), id, strlen(id));
}

/* Segment name holds contact s<i> exactly when want(i) says so. */
static void assert_arm(segrt_store *s, segrt_script *sc, const char *name,
                       int (*want)(const char *id, int i))
{
    segrt_set *m = NULL;
    if (segrt_segment_eval(sc, name, &m) != SEGRT_OK)
        fail_msg("segment %s: %s", name, segrt_errmsg(s));
    uint64_t n = 0;
    for (int i = 0; i < NCONTACTS; i++) {
        char id[16];
        int in;
        snprintf(id, sizeof id, "s%03d", i);
        assert_int_equal(segrt_set_contains(s, m, id, &in), SEGRT_OK);
        if (in != want(id, i))
            fail_msg("segment %s: contact %s (bucket %u) is %s", name, id, bucket(name, id),
                     in ? "in, expected out" : "out, expected in");
        n += (uint64_t)in;
    }
    assert_int_equal(segrt_set_count(m), n);
    segrt_set_free(m);
}

static int exp_a(const char *id, int i) { (void)i; return bucket("exp", id) < 50; }
static int exp_b(const char *id, int i) { (void)i; return bucket("exp", id) >= 50 && bucket("exp", id) < 80; }
static int sub_x(const char *id, int i) { return i % 3 == 1 && bucket("sub", id) < 40; }
static int sub_y(const char *id, int i) { return i % 3 == 1 && bucket("sub", id) >= 40; }
static int w_z(const char *id, int i) { (void)id; return i % 3 == 2; }
static int ref(const char *id, int i) { return i % 3 == 0 && exp_a(id, i); }
static int case_upper(const char *id, int i) { (void)i; return bucket("case", id) < 20; }
static int case_lower(const char *id, int i) { (void)i; return bucket("case", id) >= 20 && bucket("case", id) < 30; }

static const char splits_lua[] =
    TU_SEG_PRELUDE
    "seg.split 'exp' { B = 30, A = 50, description = 'pricing test' }\n"
    "seg.segment 'v1' { where = F.v:eq(1) }\n"
    "seg.split 'sub' { of = 'v1', y = 60, x = 40 }\n"
    "seg.split 'w' { z = 100, where = F.v:eq(2) }\n"
    "seg.segment 'ref' { where = seg.member 'exp.A' & F.v:eq(0) }\n"
    "seg.split 'case' { a = 10, B = 20 }\n";

static void test_seg_split_arms_hold_their_buckets_of_the_population(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "splits", splits_lua);
    assert_arm(s, sc, "exp.A", exp_a);
    assert_arm(s, sc, "exp.B", exp_b);
    assert_arm(s, sc, "sub.x", sub_x);
    assert_arm(s, sc, "sub.y", sub_y);
    assert_arm(s, sc, "w.z", w_z);
    assert_arm(s, sc, "ref", ref);
    /* byte order: 'B' (66) before 'a' (97) */
    assert_arm(s, sc, "case.B", case_upper);
    assert_arm(s, sc, "case.a", case_lower);
    segrt_script_free(sc);
}

static void test_seg_split_arms_are_segments_named_split_dot_arm(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "splits", splits_lua);
    static const char *const names[] = { "exp.A", "exp.B", "v1", "sub.x", "sub.y", "w.z",
                                         "ref", "case.B", "case.a" };
    assert_int_equal(segrt_script_segment_count(sc), sizeof names / sizeof names[0]);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_string_equal(segrt_script_segment_name(sc, i), names[i]);
    assert_string_equal(segrt_script_segment_description(sc, 0), "pricing test");
    assert_string_equal(segrt_script_segment_description(sc, 3), "");
    segrt_script_free(sc);
}

static void test_seg_split_erased_contacts_are_in_no_arm(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "all", TU_SEG_PRELUDE "seg.split 'all' { in_ = 100 }\n");
    segrt_set *m = NULL;
    assert_int_equal(segrt_segment_eval(sc, "all.in_", &m), SEGRT_OK);
    assert_int_equal(segrt_set_count(m), NCONTACTS);
    segrt_set_free(m);
    assert_int_equal(segrt_contact_erase(s, "s007", "test"), SEGRT_OK);
    assert_int_equal(segrt_segment_eval(sc, "all.in_", &m), SEGRT_OK);
    assert_int_equal(segrt_set_count(m), NCONTACTS - 1);
    segrt_set_free(m);
    segrt_script_free(sc);
}

#define BAD(chunk, code, ...) \
    tu_assert_script_error(s, chunk, TU_SEG_PRELUDE code, "e.A", chunk ":3:", __VA_ARGS__, NULL)

static void test_seg_split_wrong_declarations_name_the_line(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    BAD("over", "seg.split 'e' { A = 60, B = 50 }\n", "split 'e'", "add up to 110, more than 100");
    BAD("zero", "seg.split 'e' { A = 0, B = 50 }\n", "arm A takes a positive integer percentage");
    BAD("negative", "seg.split 'e' { A = -5 }\n", "arm A takes a positive integer percentage");
    BAD("fraction", "seg.split 'e' { A = 12.5 }\n", "arm A takes a positive integer", "12.5");
    BAD("text", "seg.split 'e' { A = '50' }\n", "arm A takes a positive integer");
    BAD("arm_name", "seg.split 'e' { ['bad arm'] = 50 }\n", "arm name bad arm is not");
    BAD("no_arms", "seg.split 'e' { of = 'x' }\n", "split 'e' has no arms");
    BAD("not_table", "seg.split 'e' (5)\n", "seg.split \"e\" takes a table");
    BAD("name", "seg.split 'e-1' { A = 50 }\n", "split name e-1 is not");
    BAD("both", "seg.split 'e' { A = 50, of = 'x', where = F.v:eq(1) }\n", "of or where, not both");
    BAD("of_type", "seg.split 'e' { A = 50, of = 5 }\n", "of must be a string");
    BAD("where_type", "seg.split 'e' { A = 50, where = F.v }\n", "where must be a predicate");
    tu_assert_script_error(s, "twice", TU_SEG_PRELUDE "seg.split 'e' { A = 50 }\n"
                           "seg.split 'e' { A = 10 }\n", "e.A", "twice:4:",
                           "segment 'e.A' is defined twice (first at twice:3)", NULL);
    /* found when the plan is compiled: still the split's line */
    BAD("of_unknown", "seg.split 'e' { A = 50, of = 'v_one' }\nseg.segment 'v_on' {}\n",
        "unknown segment 'v_one' (did you mean 'v_on'?)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seg_split_arms_hold_their_buckets_of_the_population),
        cmocka_unit_test(test_seg_split_arms_are_segments_named_split_dot_arm),
        cmocka_unit_test(test_seg_split_erased_contacts_are_in_no_arm),
        cmocka_unit_test(test_seg_split_wrong_declarations_name_the_line),
    };
    return cmocka_run_group_tests(tests, setup, tu_teardown_store);
}
