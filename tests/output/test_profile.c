/*
 * test_profile.c — the segment profile (core/output/profile.h) on a small
 * store, where the SQL twin of tests/cli/test_profile.sh does not reach:
 * the rounding of shares and indexes at their halves; values tied at the
 * last place shown (by name), the values fewer contacts of the base hold
 * than min_base folded into "(other)" and min_base 0 naming all; booleans;
 * bins whose quintile cuts repeat and a field of one value; the top purchase
 * categories by count and by value apart, a purchase without amount or
 * category; the profile built inside a caller's session (as the report
 * will) is the one segrt_profile_build gives; bad options; NULL arguments.
 *
 * Uses: cmocka, output/profile.h, report.h (money), lua/script.h (sessions), segrt.h,
 * test_util.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output/profile.h"
#include "output/report.h"
#include "lua/script.h"
#include "segrt.h"
#include "test_util.h"

/* v: a x3, b c d x2, e x1; n: 1 x8, 2, 3; flag: true x3, false x2, missing x5. */
static const char contacts_csv[] = "id,v,n,flag,grp\n"
                                   "k01,a,1,true,in\n"
                                   "k02,a,1,true,in\n"
                                   "k03,a,1,true,in\n"
                                   "k04,b,1,false,out\n"
                                   "k05,b,1,false,out\n"
                                   "k06,c,1,,out\n"
                                   "k07,c,1,,out\n"
                                   "k08,d,1,,out\n"
                                   "k09,d,2,,in\n"
                                   "k10,e,3,,in\n";

/* In the segment: x bought often and cheap, y once and dear; one purchase bare. */
static const char events_csv[] = "contact_id,ts,type,amount,category\n"
                                 "k01,2025-06-01T00:00:00Z,purchase,1.10,x\n"
                                 "k02,2025-06-01T00:00:00Z,purchase,1.10,x\n"
                                 "k03,2025-06-01T00:00:00Z,purchase,1.10,x\n"
                                 "k09,2025-06-01T00:00:00Z,purchase,100.000001,y\n"
                                 "k10,2025-06-01T00:00:00Z,purchase,,\n"
                                 "k04,2025-06-01T00:00:00Z,purchase,50,y\n"
                                 "k04,2026-02-01T00:00:00Z,purchase,50,y\n"
                                 "k05,2025-06-01T00:00:00Z,login,,\n";

static const char segs_lua[] = TU_SEG_PRELUDE "seg.segment 'ins' { where = F.grp:eq 'in' }\n";

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_fixture *f = *state;
    assert_int_equal(segrt_field_declare(f->s, "n", SEGRT_T_INTEGER), SEGRT_OK);
    assert_int_equal(segrt_field_declare(f->s, "flag", SEGRT_T_BOOLEAN), SEGRT_OK);
    tu_seg_data(f, contacts_csv, events_csv, NULL);
    return 0;
}

/* The profile of 'ins' with opts changed by max_values and min_base (fields v, n, flag). */
static segrt_profile *profile(tu_fixture *f, uint32_t max_values, uint64_t min_base,
                              uint32_t top)
{
    static const char *const fields[] = { "v", "n", "flag" };
    segrt_script *sc = tu_script(f->s, "segs", segs_lua);
    segrt_profile_opts o;
    segrt_profile_defaults(&o);
    o.fields = fields;
    o.nfields = 3;
    o.max_values = max_values;
    o.min_base = min_base;
    o.top_categories = top;
    segrt_profile *p = NULL;
    int rc = segrt_profile_build(sc, "ins", &o, &p);
    if (rc != SEGRT_OK)
        fail_msg("segrt_profile_build: %s: %s", segrt_errname(rc), segrt_errmsg(f->s));
    segrt_script_free(sc);
    return p;
}

/* The rows as "label seg/base, ..." */
static const char *rows_text(const profile_rows *r)
{
    static char out[512];
    out[0] = '\0';
    for (size_t i = 0; i < r->n; i++)
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s %llu/%llu", i ? ", " : "",
                 r->v[i].label, (unsigned long long)r->v[i].seg,
                 (unsigned long long)r->v[i].base);
    return out;
}

static void test_profile_shares_and_index_round_half_up(void **state)
{
    (void)state;
    assert_int_equal(profile_share(1, 3), 3333);
    assert_int_equal(profile_share(2, 3), 6667);
    assert_int_equal(profile_share(1, 20000), 1); /* half a hundredth: up */
    assert_int_equal(profile_share(1, 20001), 0);
    assert_int_equal(profile_share(0, 0), -1);
    assert_int_equal(profile_index(1, 3, 1, 2), 67);   /* 66.67 */
    assert_int_equal(profile_index(1, 200, 1, 1), 1);  /* 0.5: up */
    assert_int_equal(profile_index(1, 201, 1, 1), 0);
    assert_int_equal(profile_index(1, 2, 1, 4), 200);
    assert_int_equal(profile_index(1, 0, 1, 4), -1);   /* no members */
    assert_int_equal(profile_index(0, 2, 0, 4), -1);   /* no base share */
    char s[24], i[24];
    profile_share_text(profile_share(1, 3), s);
    profile_index_text(-1, i);
    assert_string_equal(s, "33.33%");
    assert_string_equal(i, "-");
}

static void test_profile_values_tied_last_shown_by_name_rare_ones_folded(void **state)
{
    tu_fixture *f = *state;
    segrt_profile *p = profile(f, 2, 0, 10);
    assert_int_equal(p->size, 5);
    assert_int_equal(p->base, 10);
    /* a 3 in the segment; b, c, d tie on base 2: d is first by segment count (1) */
    assert_string_equal(rows_text(&p->fields[0].rows), "a 3/3, d 1/2, (other) 1/5");
    segrt_profile_free(p);
    p = profile(f, 4, 0, 10); /* b and c tie on 0/2 for the last place: b by name */
    assert_string_equal(rows_text(&p->fields[0].rows), "a 3/3, d 1/2, e 1/1, b 0/2, (other) 0/2");
    segrt_profile_free(p);
    p = profile(f, 10, 3, 10); /* held by fewer than 3: folded whatever the room */
    assert_string_equal(rows_text(&p->fields[0].rows), "a 3/3, (other) 2/7");
    segrt_profile_free(p);
    p = profile(f, 10, 0, 10); /* everything named, nothing folded */
    assert_string_equal(rows_text(&p->fields[0].rows), "a 3/3, d 1/2, e 1/1, b 0/2, c 0/2");
    segrt_profile_free(p);
}

static void test_profile_bins_drop_repeated_cuts_and_booleans_count(void **state)
{
    tu_fixture *f = *state;
    segrt_profile *p = profile(f, 10, 5, 10);
    /* values 1 x8, 2, 3: cuts at indexes 2, 4, 6, 8 are 1, 1, 1, 2: only 2 stays */
    assert_true(p->fields[1].binned);
    assert_string_equal(rows_text(&p->fields[1].rows), "[1, 2) 3/8, [2, 3] 2/2");
    assert_false(p->fields[2].binned);
    assert_string_equal(rows_text(&p->fields[2].rows), "(other) 3/5, (missing) 2/5");
    segrt_profile_free(p);
    p = profile(f, 10, 0, 10);
    assert_string_equal(rows_text(&p->fields[2].rows), "true 3/3, false 0/2, (missing) 2/5");
    segrt_profile_free(p);
}

static void test_profile_one_value_is_one_closed_bin(void **state)
{
    tu_fixture *f = *state;
    tu_seg_import(f, SEGRT_CONTACTS, "id,score\nk01,7\nk02,7\nk03,7\n");
    segrt_store_set_now(f->s, TU_NOW);
    segrt_script *sc = tu_script(f->s, "segs", segs_lua);
    static const char *const fields[] = { "score" };
    segrt_profile_opts o;
    segrt_profile_defaults(&o);
    o.fields = fields;
    o.nfields = 1;
    segrt_profile *p = NULL;
    assert_int_equal(segrt_profile_build(sc, "ins", &o, &p), SEGRT_OK);
    assert_string_equal(rows_text(&p->fields[0].rows), "[7, 7] 3/3, (missing) 2/7");
    segrt_profile_free(p);
    segrt_script_free(sc);
}

static void test_profile_categories_by_count_and_by_value(void **state)
{
    tu_fixture *f = *state;
    char money[32];
    segrt_profile *p = profile(f, 10, 5, 1);
    /* up to NOW: members 3 x, 1 y, 1 bare; the base adds one y of k04 (one after NOW) */
    assert_int_equal(p->purchases.seg, 5);
    assert_int_equal(p->purchases.base, 6);
    report_money(p->purchases.seg_value, money);
    assert_string_equal(money, "103.300001");
    assert_string_equal(rows_text(&p->by_count), "x 3/3");
    assert_string_equal(rows_text(&p->by_value), "y 1/2");
    report_money(p->by_value.v[0].base_value, money);
    assert_string_equal(money, "150.000001");
    segrt_profile_free(p);
    p = profile(f, 10, 5, 10);
    assert_string_equal(rows_text(&p->by_count), "x 3/3, y 1/2, (missing) 1/1"); /* ties by value */
    assert_string_equal(rows_text(&p->by_value), "y 1/2, x 3/3, (missing) 1/1");
    assert_string_equal(rows_text(&p->types), "login 0/1, purchase 5/6");
    segrt_profile_free(p);
}

/* profile_build_in for 'ins' inside a session, as the report calls it. */
static int in_session(plan_ctx *cx, void *ud)
{
    return profile_build_in(cx, "ins", NULL, ud);
}

static void test_profile_in_a_session_is_the_profile(void **state)
{
    tu_fixture *f = *state;
    segrt_script *sc = tu_script(f->s, "segs", segs_lua);
    segrt_profile *alone = NULL, *inside = NULL;
    char *a = NULL, *b = NULL;
    assert_int_equal(segrt_profile_build(sc, "ins", NULL, &alone), SEGRT_OK);
    assert_int_equal(script_session(sc, in_session, &inside), SEGRT_OK);
    assert_int_equal(segrt_profile_json(alone, &a), SEGRT_OK);
    assert_int_equal(segrt_profile_json(inside, &b), SEGRT_OK);
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "\"members\": 5"));
    segrt_free(a);
    segrt_free(b);
    segrt_profile_free(alone);
    segrt_profile_free(inside);
    segrt_script_free(sc);
}

static void test_profile_bad_options_and_arguments(void **state)
{
    tu_fixture *f = *state;
    segrt_script *sc = tu_script(f->s, "segs", segs_lua);
    segrt_profile *p = (segrt_profile *)1;
    segrt_profile_opts o;
    segrt_profile_defaults(&o);
    o.max_values = 0;
    assert_int_equal(segrt_profile_build(sc, "ins", &o, &p), SEGRT_EINVAL);
    assert_null(p);
    tu_assert_errmsg(f->s, "values per field; give 1 to 1000");
    segrt_profile_defaults(&o);
    o.top_categories = 1001;
    assert_int_equal(segrt_profile_build(sc, "ins", &o, &p), SEGRT_EINVAL);
    segrt_profile_defaults(&o);
    o.fields = (const char *const[]){ "v" };
    o.nfields = 0;
    assert_int_equal(segrt_profile_build(sc, "ins", &o, &p), SEGRT_EINVAL);
    assert_int_equal(segrt_profile_build(sc, NULL, NULL, &p), SEGRT_EINVAL);
    assert_int_equal(segrt_profile_build(sc, "nope", NULL, &p), SEGRT_ENOTFOUND);
    assert_null(p);
    char *text = (char *)1;
    assert_int_equal(segrt_profile_text(NULL, &text), SEGRT_EINVAL);
    assert_null(text);
    assert_int_equal(segrt_profile_json(NULL, &text), SEGRT_EINVAL);
    assert_int_equal(segrt_profile_html(NULL, &text), SEGRT_EINVAL);
    segrt_profile_free(NULL);
    segrt_script_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_shares_and_index_round_half_up),
        cmocka_unit_test_setup_teardown(test_profile_values_tied_last_shown_by_name_rare_ones_folded,
                                        setup, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_profile_bins_drop_repeated_cuts_and_booleans_count,
                                        setup, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_profile_one_value_is_one_closed_bin, setup,
                                        tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_profile_categories_by_count_and_by_value, setup,
                                        tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_profile_in_a_session_is_the_profile, setup,
                                        tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_profile_bad_options_and_arguments, setup,
                                        tu_teardown_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
