/*
 * test_seg_segments.c — segments that build on segments (SPEC §4):
 * seg.member (also of exclusive group members), member cycles, unknown
 * segments with "did you mean", seg.exclusive priority, seg.score with an
 * expression, seg.ntile (ties by external id, desc, among, bucket sizes when
 * N is not a multiple of n), and erased contacts, which never appear.
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

/* Imported out of id order, so ordinals and id order differ. */
static const char contacts_csv[] =
    "id,v,spend\n"
    "n7,5,6500\n"
    "n3,5,3000\n"
    "n5,,9500\n"
    "n1,5,9000\n"
    "n4,3,500\n"
    "n6,2,\n"
    "n2,1,6000\n";

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_fixture *f = *state;
    assert_int_equal(segrt_field_declare(f->s, "v", SEGRT_T_NUMBER), SEGRT_OK);
    assert_int_equal(segrt_field_declare(f->s, "spend", SEGRT_T_INTEGER), SEGRT_OK);
    tu_seg_data(f, contacts_csv, NULL, NULL);
    return 0;
}

#define WHERE(expr, ids) tu_assert_where(s, expr, ids)

static const char tiers_lua[] =
    TU_SEG_PRELUDE
    "seg.segment 'gold' { where = F.spend:ge(9000) }\n"
    "seg.segment 'silver' { where = F.spend:ge(5000) }\n"
    "seg.segment 'bronze' { where = F.spend:ge(1000) }\n"
    "seg.exclusive 'tier' { 'gold', 'silver', 'bronze' }\n"
    "seg.exclusive 'rev' { 'bronze', 'gold' }\n"
    "seg.segment 'silver_only' { where = seg.member 'silver' & ~seg.member 'gold' }\n"
    "seg.segment 'tier_silver' { where = seg.member 'tier.silver' }\n"
    "seg.segment 'not_bronze' { where = ~seg.member 'tier.bronze' }\n"
    "seg.segment 'chain' { where = seg.member 'silver_only' & F.v:present() }\n";

/* ------------------------------------------------------------ members */

static void test_seg_segments_member_of_another_segment(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "tiers", tiers_lua);
    tu_assert_members(s, sc, "gold", "n1 n5");
    tu_assert_members(s, sc, "silver", "n1 n2 n5 n7");
    tu_assert_members(s, sc, "silver_only", "n2 n7");
    tu_assert_members(s, sc, "chain", "n2 n7");
    segrt_script_free(sc);
}

static void test_seg_segments_exclusive_group_by_priority(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "tiers", tiers_lua);
    tu_assert_members(s, sc, "tier.gold", "n1 n5");
    tu_assert_members(s, sc, "tier.silver", "n2 n7");
    tu_assert_members(s, sc, "tier.bronze", "n3");
    tu_assert_members(s, sc, "rev.bronze", "n1 n2 n3 n5 n7");
    tu_assert_members(s, sc, "rev.gold", ""); /* all claimed by the first listed */
    tu_assert_members(s, sc, "tier_silver", "n2 n7");
    tu_assert_members(s, sc, "not_bronze", "n1 n2 n4 n5 n6 n7");
    segrt_script_free(sc);
}

static void test_seg_segments_exclusive_members_are_listed_as_group_dot_name(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "tiers", tiers_lua);
    static const char *const names[] = { "gold",     "silver",      "bronze",     "tier.gold",
                                         "tier.silver", "tier.bronze", "rev.bronze", "rev.gold",
                                         "silver_only", "tier_silver", "not_bronze", "chain" };
    assert_int_equal(segrt_script_segment_count(sc), sizeof names / sizeof names[0]);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_string_equal(segrt_script_segment_name(sc, i), names[i]);
    assert_null(segrt_script_segment_name(sc, sizeof names / sizeof names[0]));
    segrt_script_free(sc);
}

static void test_seg_segments_exclusive_may_name_segments_defined_later(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "later",
                                 TU_SEG_PRELUDE
                                 "seg.exclusive 'g' { 'big', 'small' }\n"
                                 "seg.segment 'big' { where = F.v:ge(5) }\n"
                                 "seg.segment 'small' { where = F.v:present() }\n");
    tu_assert_members(s, sc, "g.big", "n1 n3 n7");
    tu_assert_members(s, sc, "g.small", "n2 n4 n6");
    segrt_script_free(sc);
}

static void test_seg_segments_exclusive_naming_an_unknown_segment_fails(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "unknown_member",
                                 TU_SEG_PRELUDE
                                 "seg.segment 'big' { where = F.v:ge(5) }\n"
                                 "seg.exclusive 'g' { 'big', 'nope' }\n");
    tu_assert_members(s, sc, "g.big", "n1 n3 n7");
    tu_assert_eval_fails(s, sc, "g.nope", SEGRT_ELUA, "unknown segment 'nope'");
    tu_assert_errmsg(s, "unknown_member:4:");
    segrt_script_free(sc);
}

/* ------------------------------------------------------------ cycles, unknown names */

static void test_seg_segments_member_cycle_names_the_segment(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "cycle",
                                 TU_SEG_PRELUDE
                                 "seg.segment 'x' { where = seg.member 'y' }\n"
                                 "seg.segment 'y' { where = seg.member 'x' | F.v:eq(1) }\n"
                                 "seg.segment 'z' { where = seg.member 'z' }\n"
                                 "seg.exclusive 'g' { 'a' }\n"
                                 "seg.segment 'a' { where = seg.member 'g.a' }\n"
                                 "seg.segment 'ok' { where = F.v:eq(1) }\n");
    tu_assert_eval_fails(s, sc, "x", SEGRT_ELUA, "segment 'x' depends on itself");
    tu_assert_errmsg(s, "cycle:3:");
    tu_assert_eval_fails(s, sc, "y", SEGRT_ELUA, "segment 'y' depends on itself");
    tu_assert_eval_fails(s, sc, "z", SEGRT_ELUA, "segment 'z' depends on itself");
    tu_assert_eval_fails(s, sc, "g.a", SEGRT_ELUA, "depends on itself");
    tu_assert_members(s, sc, "ok", "n2"); /* the script still works */
    segrt_script_free(sc);
}

static void test_seg_segments_unknown_segment_suggests_a_name(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    /* a script with a broken segment does not load, whichever segment is asked for */
    tu_assert_script_error(s, "names", TU_SEG_PRELUDE
                           "seg.segment 'gold' { where = F.spend:ge(9000) }\n"
                           "seg.segment 'typo' { where = seg.member 'glod' }\n", "gold",
                           "1 of 2 segments does not compile", "names:4:",
                           "unknown segment 'glod' (did you mean 'gold'?)", NULL);
    segrt_script *sc = tu_script(s, "names",
                                 TU_SEG_PRELUDE
                                 "seg.segment 'gold' { where = F.spend:ge(9000) }\n");
    tu_assert_eval_fails(s, sc, "glod", SEGRT_ENOTFOUND, "did you mean 'gold'?");
    tu_assert_eval_fails(s, sc, "completely_different", SEGRT_ENOTFOUND,
                         "unknown segment 'completely_different'");
    segrt_script_free(sc);
}

/* ------------------------------------------------------------ scores */

static void test_seg_segments_score_expression(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "scores",
                                 TU_SEG_PRELUDE
                                 "seg.score 'double_spend' { expr = F.spend * 2 }\n"
                                 "seg.score 'quad' { expr = S.double_spend * 2 }\n"
                                 "seg.segment 'big' { where = S.double_spend:ge(18000) }\n"
                                 "seg.segment 'small' { where = S.quad:eq(2000) }\n"
                                 "seg.segment 'none' { where = S.quad:missing() }\n"
                                 "seg.segment 'vs' { where = S.double_spend:gt(F.spend + 6e3) }\n");
    tu_assert_members(s, sc, "big", "n1 n5");
    tu_assert_members(s, sc, "small", "n4");
    tu_assert_members(s, sc, "none", "n6");
    tu_assert_members(s, sc, "vs", "n1 n5 n7"); /* spend > 6000 */
    segrt_script_free(sc);
}

static void test_seg_segments_unknown_or_cyclic_score_fails(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    /* each broken segment is listed at its line */
    tu_assert_script_error(s, "bad_scores", TU_SEG_PRELUDE
                           "seg.score 'loop' { expr = S.loop + 1 }\n"
                           "seg.segment 'unknown' { where = S.nope:gt(1) }\n"
                           "seg.segment 'cyclic' { where = S.loop:gt(1) }\n", "unknown",
                           "2 of 2 segments do not compile", "bad_scores:4: unknown score 'nope'",
                           "bad_scores:3: score 'loop' depends on itself", NULL);
}

/* ------------------------------------------------------------ ntile */

static void test_seg_segments_ntile_ties_by_external_id(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    /* ascending: n2(1) n6(2) | n4(3) n1(5) | n3(5) | n7(5); 6 rows in 4: sizes 2 2 1 1 */
    WHERE("seg.ntile(F.v, 4):eq(1)", "n2 n6");
    WHERE("seg.ntile(F.v, 4):eq(2)", "n1 n4");
    WHERE("seg.ntile(F.v, 4):eq(3)", "n3");
    WHERE("seg.ntile(F.v, 4):eq(4)", "n7");
    WHERE("seg.ntile(F.v, 4):missing()", "n5");
}

static void test_seg_segments_ntile_descending(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    /* n1(5) n3(5) | n7(5) n4(3) | n6(2) | n2(1): ties still by id ascending */
    WHERE("seg.ntile(F.v, 4, { desc = true }):eq(1)", "n1 n3");
    WHERE("seg.ntile(F.v, 4, { desc = true }):eq(2)", "n4 n7");
    WHERE("seg.ntile(F.v, 4, { desc = true }):eq(3)", "n6");
    WHERE("seg.ntile(F.v, 4, { desc = true }):eq(4)", "n2");
}

static void test_seg_segments_ntile_among(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("seg.ntile(F.v, 4, { among = F.v:ge(3) }):eq(1)", "n4");
    WHERE("seg.ntile(F.v, 4, { among = F.v:ge(3) }):eq(2)", "n1");
    WHERE("seg.ntile(F.v, 4, { among = F.v:ge(3) }):eq(4)", "n7");
    WHERE("seg.ntile(F.v, 4, { among = F.v:ge(3) }):missing()", "n2 n5 n6");
    WHERE("seg.ntile(F.v, 2, { among = F.spend:present(), desc = true }):eq(1)", "n1 n3 n7");
}

static void test_seg_segments_ntile_bucket_sizes(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    /* 6 rows in 5 buckets: 2 1 1 1 1 */
    WHERE("seg.ntile(F.v, 5):eq(1)", "n2 n6");
    WHERE("seg.ntile(F.v, 5):eq(2)", "n4");
    WHERE("seg.ntile(F.v, 5):eq(5)", "n7");
    /* more buckets than rows: one row each, the last buckets empty */
    WHERE("seg.ntile(F.v, 10):eq(1)", "n2");
    WHERE("seg.ntile(F.v, 10):eq(6)", "n7");
    WHERE("seg.ntile(F.v, 10):ge(7)", "");
    WHERE("seg.ntile(F.v, 1):eq(1)", "n1 n2 n3 n4 n6 n7");
    /* 7 equal values in 3 buckets: sizes 3 2 2, in id order */
    WHERE("seg.ntile(1, 3):eq(1)", "n1 n2 n3");
    WHERE("seg.ntile(1, 3):eq(2)", "n4 n5");
    WHERE("seg.ntile(1, 3):eq(3)", "n6 n7");
}

/* ------------------------------------------------------------ erasure */

static void test_seg_segments_erased_contacts_never_appear(void **state)
{
    (void)state;
    void *own = NULL;
    assert_int_equal(tu_setup_store(&own), 0);
    tu_fixture *f = own;
    segrt_store *s = f->s;
    assert_int_equal(segrt_field_declare(s, "v", SEGRT_T_NUMBER), SEGRT_OK);
    tu_seg_data(f,
                "id,region,v\n"
                "z1,north,1\n"
                "z2,south,2\n"
                "z3,,3\n",
                "contact_id,ts,type,amount\n"
                "z1,2025-12-01T00:00:00Z,purchase,10.00\n"
                "z2,2025-12-01T00:00:00Z,purchase,20.00\n",
                "contact_id,purpose,status,legal_basis,ts,expires_at,source\n"
                "z1,email_marketing,granted,consent,2025-01-01T00:00:00Z,,web\n"
                "z2,email_marketing,granted,consent,2025-01-01T00:00:00Z,,web\n");
    static const char lua[] =
        TU_SEG_PRELUDE
        "local function no_z2(c) if c.id == 'z2' then error('saw z2') end return true end\n"
        "seg.consent 'email_marketing' { check = function(c, rec) return no_z2(c) end }\n"
        "seg.segment 'all' { where = seg.all{} }\n"
        "seg.segment 'not_nowhere' { where = ~F.region:eq 'nowhere' }\n"
        "seg.segment 'no_region' { where = F.region:missing() }\n"
        "seg.segment 'buyers' { where = E.purchase:exists() }\n"
        "seg.segment 'non_buyers' { where = E.purchase:none() }\n"
        "seg.segment 'no_sum' { where = ~E.purchase:sum 'amount' :gt(15) }\n"
        "seg.segment 'second_third' { where = seg.ntile(F.v, 3):eq(2) }\n"
        "seg.segment 'emailable' { purpose = 'email_marketing' }\n"
        "seg.segment 'filtered' { filter = no_z2 }\n"
        "seg.segment 'member' { where = ~seg.member 'buyers' }\n";
    segrt_script *sc = tu_script(s, "erase", lua);
    tu_assert_members(s, sc, "all", "z1 z2 z3");
    tu_assert_members(s, sc, "second_third", "z2");
    assert_int_equal(segrt_contact_erase(s, "z2", "test"), SEGRT_OK);
    tu_assert_members(s, sc, "all", "z1 z3");
    tu_assert_members(s, sc, "not_nowhere", "z1 z3");
    tu_assert_members(s, sc, "no_region", "z3");
    tu_assert_members(s, sc, "buyers", "z1");
    tu_assert_members(s, sc, "non_buyers", "z3");
    tu_assert_members(s, sc, "no_sum", "z1 z3");
    tu_assert_members(s, sc, "second_third", "z3");
    tu_assert_members(s, sc, "emailable", "z1");
    tu_assert_members(s, sc, "filtered", "z1 z3");
    tu_assert_members(s, sc, "member", "z3");
    segrt_script_free(sc);
    tu_teardown_store(&own);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seg_segments_member_of_another_segment),
        cmocka_unit_test(test_seg_segments_exclusive_group_by_priority),
        cmocka_unit_test(test_seg_segments_exclusive_members_are_listed_as_group_dot_name),
        cmocka_unit_test(test_seg_segments_exclusive_may_name_segments_defined_later),
        cmocka_unit_test(test_seg_segments_exclusive_naming_an_unknown_segment_fails),
        cmocka_unit_test(test_seg_segments_member_cycle_names_the_segment),
        cmocka_unit_test(test_seg_segments_unknown_segment_suggests_a_name),
        cmocka_unit_test(test_seg_segments_score_expression),
        cmocka_unit_test(test_seg_segments_unknown_or_cyclic_score_fails),
        cmocka_unit_test(test_seg_segments_ntile_ties_by_external_id),
        cmocka_unit_test(test_seg_segments_ntile_descending),
        cmocka_unit_test(test_seg_segments_ntile_among),
        cmocka_unit_test(test_seg_segments_ntile_bucket_sizes),
        cmocka_unit_test(test_seg_segments_erased_contacts_never_appear),
    };
    return cmocka_run_group_tests(tests, setup, tu_teardown_store);
}
