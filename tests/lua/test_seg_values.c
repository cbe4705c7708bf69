/*
 * test_seg_values.c — the seg language on contact fields (SPEC §4): every
 * comparison on integer, number, string, boolean, date and timestamp fields,
 * :between, :one_of, :present/:missing, string sets, & | ~ and seg.all/any,
 * arithmetic (missing in, missing out; exact decimals), times and durations
 * at the NOW boundaries, and age from birth_date.
 *
 * Every check evaluates a one-segment script over a five-contact store and
 * compares the exact member ids. c4 has no values at all, so it shows where
 * missing goes: comparisons are false for it, ~ of a comparison is true.
 *
 * Uses: cmocka, segrt.h, test_util.h.
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

/*
 * c1 last contacted exactly NOW - 30 days, c2 one second before that, c5 at
 * NOW. x + y is 30.30 for c1; c2 divides by zero; c5 has no y.
 */
static const char contacts_csv[] =
    "id,region,income,x,y,vip,birth_date,last_contacted_at,tags\n"
    "c1,mazowieckie,5000,10.10,20.20,true,1990-06-15,2025-12-02T00:00:00Z,vip;new\n"
    "c2,pomorskie,6000,5000.00,0,false,1985-02-28,2025-12-01T23:59:59Z,new\n"
    "c3,slaskie,4000,-1.5,2,true,2000-01-01,2024-01-01T00:00:00Z,\n"
    "c4,,,,,,,,\n"
    "c5,mazowieckie,7000,3,,false,,2026-01-01T00:00:00Z,vip\n";

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_fixture *f = *state;
    assert_int_equal(segrt_field_declare(f->s, "x", SEGRT_T_NUMBER), SEGRT_OK);
    assert_int_equal(segrt_field_declare(f->s, "y", SEGRT_T_NUMBER), SEGRT_OK);
    assert_int_equal(segrt_field_declare(f->s, "vip", SEGRT_T_BOOLEAN), SEGRT_OK);
    tu_seg_data(f, contacts_csv, NULL, NULL);
    return 0;
}

#define WHERE(expr, ids) tu_assert_where(s, expr, ids)

/* ------------------------------------------------------------ comparisons */

static void test_seg_values_integer_comparisons(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("F.income:eq(5000)", "c1");
    WHERE("F.income:ne(5000)", "c2 c3 c5");
    WHERE("F.income:lt(5000)", "c3");
    WHERE("F.income:le(5000)", "c1 c3");
    WHERE("F.income:gt(5000)", "c2 c5");
    WHERE("F.income:ge(6000)", "c2 c5");
    WHERE("F.income:between(5000, 6000)", "c1 c2");
    WHERE("F.income:between(4000.01, 5999.99)", "c1");
    WHERE("F.income:one_of{ 4000, 7000, 1 }", "c3 c5");
    WHERE("F.income:eq(5000.00)", "c1");
    WHERE("F.income:eq '5000'", "c1");
    WHERE("(F.income / 1000):gt(F.x)", "c3 c5"); /* a value on both sides */
}

static void test_seg_values_number_comparisons_are_exact(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("(F.x + F.y):eq(30.30)", "c1");
    WHERE("(F.x + F.y):eq '30.30'", "c1");
    WHERE("F.x:eq(5000)", "c2");
    WHERE("F.x:eq(5000.00)", "c2");
    WHERE("F.x:eq '5000.00'", "c2");
    WHERE("F.x:ne(10.1)", "c2 c3 c5");
    WHERE("F.x:lt(0)", "c3");
    WHERE("F.x:le(3)", "c3 c5");
    WHERE("F.x:gt(10.1)", "c2");
    WHERE("F.x:ge(10.10)", "c1 c2");
    WHERE("F.x:between(-1.5, 10.10)", "c1 c3 c5");
    WHERE("F.x:one_of{ 10.10, -1.5 }", "c1 c3");
    WHERE("F.x:gt(F.y)", "c2");
}

static void test_seg_values_string_comparisons_use_byte_order(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("F.region:eq 'mazowieckie'", "c1 c5");
    WHERE("F.region:ne 'mazowieckie'", "c2 c3");
    WHERE("F.region:lt 'pomorskie'", "c1 c5");
    WHERE("F.region:le 'pomorskie'", "c1 c2 c5");
    WHERE("F.region:gt 'pomorskie'", "c3");
    WHERE("F.region:ge 'pomorskie'", "c2 c3");
    WHERE("F.region:between('n', 's')", "c2"); /* 'slaskie' > 's' */
    WHERE("F.region:between('pomorskie', 'slaskie')", "c2 c3");
    WHERE("F.region:one_of{ 'slaskie', 'nowhere' }", "c3");
    WHERE("F.region:eq 'Mazowieckie'", ""); /* case-sensitive */
}

static void test_seg_values_string_constant_no_contact_has(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("F.region:eq 'nowhere'", "");
    WHERE("F.region:ne 'nowhere'", "c1 c2 c3 c5"); /* :ne excludes the missing c4 */
    WHERE("F.region:one_of{ 'nowhere', 'elsewhere' }", "");
    WHERE("F.region:lt 'nowhere'", "c1 c5");
}

static void test_seg_values_boolean_comparisons(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("F.vip:eq(true)", "c1 c3");
    WHERE("F.vip:eq(false)", "c2 c5");
    WHERE("F.vip:ne(true)", "c2 c5");
    WHERE("F.vip:eq 'true'", "c1 c3");
    WHERE("F.vip:one_of{ true }", "c1 c3");
    WHERE("F.vip:missing()", "c4");
}

static void test_seg_values_date_comparisons(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("F.birth_date:eq '1990-06-15'", "c1");
    WHERE("F.birth_date:eq(seg.time '1990-06-15T00:00:00Z')", "c1");
    WHERE("F.birth_date:ne '1990-06-15'", "c2 c3");
    WHERE("F.birth_date:lt '1990-06-15'", "c2");
    WHERE("F.birth_date:le '1990-06-15'", "c1 c2");
    WHERE("F.birth_date:gt '1990-06-15'", "c3");
    WHERE("F.birth_date:ge '1990-06-15'", "c1 c3");
    WHERE("F.birth_date:between('1985-02-28', '1990-06-15')", "c1 c2");
    WHERE("F.birth_date:before '2000-01-01'", "c1 c2");
    WHERE("F.birth_date:after '1985-02-28'", "c1 c3");
    WHERE("F.birth_date:missing()", "c4 c5");
}

static void test_seg_values_timestamp_comparisons(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("F.last_contacted_at:eq '2025-12-02T00:00:00Z'", "c1");
    WHERE("F.last_contacted_at:ne '2025-12-02T00:00:00Z'", "c2 c3 c5");
    WHERE("F.last_contacted_at:lt '2025-12-02T00:00:00Z'", "c2 c3");
    WHERE("F.last_contacted_at:le '2025-12-02T00:00:00Z'", "c1 c2 c3");
    WHERE("F.last_contacted_at:gt '2025-12-02T00:00:00Z'", "c5");
    WHERE("F.last_contacted_at:ge '2025-12-02T00:00:00Z'", "c1 c5");
    WHERE("F.last_contacted_at:between('2025-12-01T23:59:59Z', '2025-12-02T00:00:00Z')", "c1 c2");
    WHERE("F.last_contacted_at:eq(seg.now())", "c5");
    WHERE("seg.now():gt(F.last_contacted_at)", "c1 c2 c3"); /* constant on the left */
}

/* ------------------------------------------------------------ missing */

static void test_seg_values_missing_compares_false_and_negation_includes_it(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("F.income:gt(0)", "c1 c2 c3 c5");
    WHERE("~F.income:gt(5000)", "c1 c3 c4");
    WHERE("~~F.income:gt(5000)", "c2 c5");
    WHERE("~F.region:eq 'mazowieckie'", "c2 c3 c4");
    WHERE("~F.vip:eq(true)", "c2 c4 c5");
    WHERE("~F.birth_date:before '2000-01-01'", "c3 c4 c5");
    WHERE("F.income:present()", "c1 c2 c3 c5");
    WHERE("F.income:missing()", "c4");
    WHERE("~F.income:missing()", "c1 c2 c3 c5");
    WHERE("F.region:eq 'mazowieckie' | F.region:ne 'mazowieckie'", "c1 c2 c3 c5");
    WHERE("F.income:between(0, 99999) | ~F.income:between(0, 99999)", "c1 c2 c3 c4 c5");
}

/* ------------------------------------------------------------ sets */

static void test_seg_values_set_contains_and_presence(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("F.tags:contains 'vip'", "c1 c5");
    WHERE("F.tags:contains 'new'", "c1 c2");
    WHERE("F.tags:contains 'nobody_has_this'", "");
    WHERE("~F.tags:contains 'nobody_has_this'", "c1 c2 c3 c4 c5");
    WHERE("F.tags:contains 'vip' & F.tags:contains 'new'", "c1");
    WHERE("~F.tags:contains 'vip'", "c2 c3 c4");
    WHERE("F.tags:present()", "c1 c2 c5");
    WHERE("F.tags:missing()", "c3 c4");
}

/* ------------------------------------------------------------ logic */

static void test_seg_values_and_or_not(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("F.region:eq 'mazowieckie' & F.income:gt(5000)", "c5");
    WHERE("F.region:eq 'slaskie' | F.income:gt(6000)", "c3 c5");
    WHERE("~(F.region:eq 'slaskie' | F.income:gt(6000))", "c1 c2 c4");
    WHERE("(F.vip:eq(true) | F.vip:eq(false)) & ~(F.income:lt(5000) | F.income:gt(6000))",
          "c1 c2");
}

static void test_seg_values_all_and_any_including_empty_lists(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("seg.all{}", "c1 c2 c3 c4 c5");
    WHERE("seg.any{}", "");
    WHERE("~seg.all{}", "");
    WHERE("~seg.any{}", "c1 c2 c3 c4 c5");
    WHERE("seg.all{ F.vip:eq(true) }", "c1 c3");
    WHERE("seg.any{ F.vip:eq(true), F.tags:contains 'vip' }", "c1 c3 c5");
    WHERE("seg.all{ F.vip:eq(true), F.income:ge(5000), F.tags:present() }", "c1");
    WHERE("seg.any{ seg.all{ F.vip:eq(true), ~F.region:eq 'slaskie' },"
          " F.income:eq(7000) & ~F.tags:contains 'new', seg.any{} }",
          "c1 c5");
    WHERE("seg.all{ seg.any{ F.income:lt(5000), F.x:gt(100) }, seg.all{} }", "c2 c3");
}

static void test_seg_values_segment_without_where_has_every_contact(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "everyone",
                                 "local seg = require 'segrt'\n"
                                 "seg.segment 'everyone' { description = 'all of them' }\n");
    assert_int_equal(segrt_script_segment_count(sc), 1);
    assert_string_equal(segrt_script_segment_name(sc, 0), "everyone");
    assert_string_equal(segrt_script_segment_description(sc, 0), "all of them");
    tu_assert_members(s, sc, "everyone", "c1 c2 c3 c4 c5");
    segrt_script_free(sc);
}

/* ------------------------------------------------------------ arithmetic */

static void test_seg_values_arithmetic_on_numbers(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("(F.x * F.y):eq(204.02)", "c1"); /* 10.10 * 20.20, exactly */
    WHERE("(F.x / F.y):eq(0.5)", "c1");
    WHERE("(F.x / F.y):eq(-0.75)", "c3");
    WHERE("(F.x - F.y):eq(-10.10)", "c1");
    WHERE("(F.income - 1000 * 2):eq(3000)", "c1");
    WHERE("(F.x + 1):eq(11.1)", "c1");
    WHERE("(1 + F.x):eq(11.1)", "c1");
    WHERE("(10 - F.x):eq(11.5)", "c3");
    WHERE("(-F.x):eq(1.5)", "c3");
    WHERE("(F.income / 12):gt(F.x)", "c1 c3 c5"); /* SPEC's sum :gt(F.income / 12) shape */
}

static void test_seg_values_arithmetic_missing_in_missing_out(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("(F.x + F.y):missing()", "c4 c5");
    WHERE("(F.x + F.y):present()", "c1 c2 c3");
    WHERE("(F.x * F.y):ge(-1000000)", "c1 c2 c3");
    WHERE("(F.x / F.y):missing()", "c2 c4 c5"); /* c2: y = 0 */
    WHERE("(F.income / 0):missing()", "c1 c2 c3 c4 c5");
    WHERE("~(F.x / F.y):gt(0)", "c2 c3 c4 c5");
}

static void test_seg_values_floor(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("seg.floor(F.x):eq(10)", "c1");
    WHERE("seg.floor(F.x):eq(-2)", "c3");
    WHERE("seg.floor(F.x / F.y):eq(0)", "c1");
    WHERE("seg.floor(F.x / F.y):eq(-1)", "c3");
    WHERE("seg.floor(F.x):missing()", "c4");
    WHERE("seg.floor(F.x):eq(F.x)", "c2 c5"); /* already whole */
}

/* ------------------------------------------------------------ times */

static void test_seg_values_within_inclusive_older_than_strict(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("F.last_contacted_at:within(days(30))", "c1 c5");
    WHERE("F.last_contacted_at:within(hours(720))", "c1 c5");
    WHERE("F.last_contacted_at:older_than(days(30))", "c2 c3");
    WHERE("~F.last_contacted_at:within(days(30))", "c2 c3 c4");
    WHERE("F.last_contacted_at:ge(seg.ago(days(30)))", "c1 c5");
    WHERE("F.last_contacted_at:lt(seg.ago(days(30)))", "c2 c3");
    WHERE("F.last_contacted_at:before(seg.time '2025-12-02T00:00:00Z')", "c2 c3");
    WHERE("F.last_contacted_at:after(seg.time '2025-12-02T00:00:00Z')", "c5");
    WHERE("F.last_contacted_at:before(seg.ago(days(30)))", "c2 c3");
    WHERE("F.last_contacted_at:after(seg.now())", "");
}

static void test_seg_values_time_minus_time_is_a_duration(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("(seg.now() - F.last_contacted_at):eq(days(30))", "c1");
    WHERE("(seg.now() - F.last_contacted_at):gt(days(30))", "c2 c3");
    WHERE("(seg.now() - F.last_contacted_at):le(days(29) + hours(24))", "c1 c5");
    WHERE("((seg.now() - F.last_contacted_at) / days(1)):eq(30)", "c1");
    WHERE("seg.floor((seg.now() - F.last_contacted_at) / days(1)):eq(30)", "c1 c2");
    WHERE("(F.last_contacted_at + days(30)):ge(seg.now())", "c1 c5");
    WHERE("(F.last_contacted_at - F.birth_date):missing()", "c4 c5");
}

static void test_seg_values_duration_arithmetic(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("F.last_contacted_at:ge(seg.now() - days(15) * 2)", "c1 c5");
    WHERE("F.last_contacted_at:ge(seg.now() - 2 * days(15))", "c1 c5");
    WHERE("F.last_contacted_at:ge(seg.now() - days(60) / 2)", "c1 c5");
    WHERE("F.last_contacted_at:ge(seg.now() - (days(31) - hours(24)))", "c1 c5");
    WHERE("(days(1) / hours(1)):eq(24) & F.income:eq(5000)", "c1");
}

/* A computed duration is as good as seg.days(n) wherever a duration is taken. */
static void test_seg_values_within_takes_a_computed_duration(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("F.last_contacted_at:within(days(15) * 2)", "c1 c5");
    WHERE("F.last_contacted_at:older_than(days(29) + hours(24))", "c2 c3");
    WHERE("F.last_contacted_at:ge(seg.ago(days(15) * 2))", "c1 c5");
}

/* seg.ago and seg.now are resolved when a segment is evaluated, not when it is loaded. */
static void test_seg_values_relative_times_follow_now_at_evaluation(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "rel",
                                 TU_SEG_PRELUDE
                                 "local t = F.last_contacted_at\n"
                                 "seg.segment 'recent' { where = t:within(days(30)) }\n"
                                 "seg.segment 'ago' { where = t:ge(seg.ago(days(30))) }\n"
                                 "seg.segment 'now' { where = t:eq(seg.now()) }\n");
    tu_assert_members(s, sc, "recent", "c1 c5");
    tu_assert_members(s, sc, "ago", "c1 c5");
    tu_assert_members(s, sc, "now", "c5");
    segrt_store_set_now(s, TU_NOW + 1);
    tu_assert_members(s, sc, "recent", "c5");
    tu_assert_members(s, sc, "ago", "c5");
    tu_assert_members(s, sc, "now", "");
    segrt_store_set_now(s, TU_NOW - 1);
    tu_assert_members(s, sc, "recent", "c1 c2 c5"); /* no upper bound */
    segrt_store_set_now(s, TU_NOW);
    segrt_script_free(sc);
}

/* ------------------------------------------------------------ age */

#define AT_2026_02_28_235959 INT64_C(1772323199)
#define AT_2026_03_01 INT64_C(1772323200)
#define AT_2028_02_28 INT64_C(1835308800)
#define AT_2028_02_29 INT64_C(1835395200)

static void test_seg_values_age_in_whole_years_and_29_february(void **state)
{
    (void)state;
    void *own = NULL;
    assert_int_equal(tu_setup_store(&own), 0);
    tu_fixture *f = own;
    segrt_store *s = f->s;
    tu_seg_data(f,
                "id,birth_date\n"
                "p1,2000-02-29\n"
                "p2,1990-01-02\n"
                "p3,2001-01-01\n"
                "p4,1990-01-01\n"
                "p5,\n"
                "p6,1960-02-29\n"
                "p7,1900-01-01\n",
                NULL, NULL);
    WHERE("F.age:eq(25)", "p1 p3");
    WHERE("F.age:eq(35)", "p2");
    WHERE("F.age:eq(36)", "p4");
    WHERE("F.age:between(25, 35)", "p1 p2 p3"); /* queries.md S10 */
    WHERE("F.age:missing()", "p5");
    WHERE("F.age:eq(65)", "p6"); /* before 1970 */
    WHERE("F.age:eq(126)", "p7"); /* the earliest birth date the built-in rule allows */
    segrt_store_set_now(s, AT_2026_02_28_235959);
    WHERE("F.age:eq(25)", "p1 p3"); /* the day before a non-leap 1 March */
    segrt_store_set_now(s, AT_2026_03_01);
    WHERE("F.age:eq(26)", "p1");
    WHERE("F.age:eq(25)", "p3");
    segrt_store_set_now(s, AT_2028_02_28);
    WHERE("F.age:eq(27)", "p1 p3");
    segrt_store_set_now(s, AT_2028_02_29);
    WHERE("F.age:eq(28)", "p1");
    tu_teardown_store(&own);
}

/* ------------------------------------------------------------ updates */

static void test_seg_values_follow_contact_updates(void **state)
{
    (void)state;
    void *own = NULL;
    assert_int_equal(tu_setup_store(&own), 0);
    tu_fixture *f = own;
    segrt_store *s = f->s;
    tu_seg_data(f,
                "id,region,income,tags\n"
                "u1,north,100,vip;new\n"
                "u2,south,200,new\n",
                NULL, NULL);
    segrt_script *sc = tu_script(s, "upd",
                                 TU_SEG_PRELUDE
                                 "seg.segment 'north' { where = F.region:eq 'north' }\n"
                                 "seg.segment 'vip' { where = F.tags:contains 'vip' }\n"
                                 "seg.segment 'tagged' { where = F.tags:present() }\n"
                                 "seg.segment 'no_income' { where = F.income:missing() }\n");
    tu_assert_members(s, sc, "north", "u1");
    tu_assert_members(s, sc, "vip", "u1");
    tu_assert_members(s, sc, "tagged", "u1 u2");
    tu_assert_members(s, sc, "no_income", "");
    static const char update[] = "id,region,income,tags\n"
                                 "u1,south,,\n"
                                 "u2,north,200,vip\n";
    tu_seg_import(f, SEGRT_CONTACTS, update); /* blank cells keep u1's income and tags */
    tu_assert_members(s, sc, "vip", "u1 u2");
    tu_assert_members(s, sc, "no_income", "");
    const segrt_import_opts clear = { .blank = SEGRT_BLANK_CLEAR };
    segrt_import_report rep;
    assert_int_equal(segrt_import_buffer(s, SEGRT_CONTACTS, "update", update, strlen(update), 0,
                                         &clear, &rep),
                     SEGRT_OK);
    assert_int_equal(rep.rejected, 0);
    tu_assert_members(s, sc, "north", "u2");
    tu_assert_members(s, sc, "vip", "u2");
    tu_assert_members(s, sc, "tagged", "u2");
    tu_assert_members(s, sc, "no_income", "u1");
    segrt_script_free(sc);
    tu_teardown_store(&own);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seg_values_integer_comparisons),
        cmocka_unit_test(test_seg_values_number_comparisons_are_exact),
        cmocka_unit_test(test_seg_values_string_comparisons_use_byte_order),
        cmocka_unit_test(test_seg_values_string_constant_no_contact_has),
        cmocka_unit_test(test_seg_values_boolean_comparisons),
        cmocka_unit_test(test_seg_values_date_comparisons),
        cmocka_unit_test(test_seg_values_timestamp_comparisons),
        cmocka_unit_test(test_seg_values_missing_compares_false_and_negation_includes_it),
        cmocka_unit_test(test_seg_values_set_contains_and_presence),
        cmocka_unit_test(test_seg_values_and_or_not),
        cmocka_unit_test(test_seg_values_all_and_any_including_empty_lists),
        cmocka_unit_test(test_seg_values_segment_without_where_has_every_contact),
        cmocka_unit_test(test_seg_values_arithmetic_on_numbers),
        cmocka_unit_test(test_seg_values_arithmetic_missing_in_missing_out),
        cmocka_unit_test(test_seg_values_floor),
        cmocka_unit_test(test_seg_values_within_inclusive_older_than_strict),
        cmocka_unit_test(test_seg_values_time_minus_time_is_a_duration),
        cmocka_unit_test(test_seg_values_duration_arithmetic),
        cmocka_unit_test(test_seg_values_within_takes_a_computed_duration),
        cmocka_unit_test(test_seg_values_relative_times_follow_now_at_evaluation),
        cmocka_unit_test(test_seg_values_age_in_whole_years_and_29_february),
        cmocka_unit_test(test_seg_values_follow_contact_updates),
    };
    return cmocka_run_group_tests(tests, setup, tu_teardown_store);
}
