/*
 * test_seg_events.c — event selections of the seg language (SPEC §4):
 * count/sum/avg/min/max/first/last, the attribute of the first or last
 * event, exact decimal sums that skip missing
 * amounts, aggregates over no events (missing; count 0), :where with a
 * predicate or a table, chained :where, :within at the NOW - d boundary,
 * exists/none, ties on ts, seg.ntile over aggregates (queries.md S11), new
 * events seen after a second import, and a type whose events were all erased.
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

static const char contacts_csv[] =
    "id,income\n"
    "e1,120\n"
    "e2,\n"
    "e3,\n"
    "e4,\n"
    "e5,\n"
    "e6,\n";

/*
 * e1: purchases at NOW - 180 days exactly and one second before; e2: two
 * purchases at the same ts (NOW - 60 days) and one without an amount; e3: one
 * old purchase of 5000.01; e4: logins only, one a second before NOW - 45 days;
 * e5: no events; e6: one purchase without an amount, one page view.
 */
static const char events_csv[] =
    "contact_id,ts,type,amount,category,channel\n"
    "e1,2025-07-05T00:00:00Z,purchase,10.10,coffee_beans,web\n"
    "e1,2025-07-04T23:59:59Z,purchase,20.20,grinder,shop\n"
    "e1,2025-12-01T00:00:00Z,login,,,web\n"
    "e2,2025-12-31T00:00:00Z,purchase,,,web\n"
    "e2,2025-11-02T00:00:00Z,purchase,5000.00,espresso_machine,web\n"
    "e2,2025-11-02T00:00:00Z,purchase,0.01,coffee_beans,shop\n"
    "e3,2024-01-01T00:00:00Z,purchase,5000.01,grinder,web\n"
    "e4,2025-12-20T00:00:00Z,login,,,app\n"
    "e4,2025-11-16T23:59:59Z,login,,,app\n"
    "e6,2025-12-15T00:00:00Z,purchase,,ground_coffee,\n"
    "e6,2025-12-16T00:00:00Z,page_view,,,web\n";

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_seg_data(*state, contacts_csv, events_csv, NULL);
    return 0;
}

#define WHERE(expr, ids) tu_assert_where(s, expr, ids)

/* ------------------------------------------------------------ aggregates */

static void test_seg_events_count_is_zero_without_events(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("E.purchase:count():eq(0)", "e4 e5");
    WHERE("E.purchase:count():eq(1)", "e3 e6");
    WHERE("E.purchase:count():eq(2)", "e1");
    WHERE("E.purchase:count():eq(3)", "e2"); /* the two at one ts are two events */
    WHERE("E.purchase:count():ge(1)", "e1 e2 e3 e6");
    WHERE("E.purchase:count():missing()", "");
    WHERE("E.login:count():eq(0)", "e2 e3 e5 e6");
    WHERE("E.page_view:count():gt(0)", "e6");
}

static void test_seg_events_sum_is_exact_and_skips_missing_amounts(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("E.purchase:sum 'amount' :eq(30.30)", "e1"); /* 10.10 + 20.20 */
    WHERE("E.purchase:sum 'amount' :eq(5000.01)", "e2 e3");
    WHERE("E.purchase:sum 'amount' :gt(5000)", "e2 e3");
    WHERE("E.purchase:sum 'amount' :le(30.30)", "e1");
    WHERE("E.purchase:sum 'amount' :missing()", "e4 e5 e6"); /* e6: no amount at all */
    WHERE("~E.purchase:sum 'amount' :gt(5000)", "e1 e4 e5 e6");
    WHERE("E.purchase:sum 'amount' :gt(F.income / 12)", "e1");
}

static void test_seg_events_avg_min_max_over_present_amounts(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("E.purchase:avg 'amount' :eq(15.15)", "e1");
    WHERE("E.purchase:avg 'amount' :eq(2500.005)", "e2"); /* the missing one is not counted */
    WHERE("E.purchase:avg 'amount' :eq(5000.01)", "e3");
    WHERE("E.purchase:avg 'amount' :missing()", "e4 e5 e6");
    WHERE("E.purchase:min 'amount' :eq(0.01)", "e2");
    WHERE("E.purchase:min 'amount' :eq(10.10)", "e1");
    WHERE("E.purchase:max 'amount' :eq(20.20)", "e1");
    WHERE("E.purchase:max 'amount' :ge(5000)", "e2 e3");
    WHERE("E.purchase:min 'amount' :missing()", "e4 e5 e6");
    WHERE("E.purchase:max 'amount' :missing()", "e4 e5 e6");
}

static void test_seg_events_first_and_last(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("E.purchase:first():eq '2025-07-04T23:59:59Z'", "e1");
    WHERE("E.purchase:first():eq '2025-11-02T00:00:00Z'", "e2");
    WHERE("E.purchase:last():eq '2025-12-31T00:00:00Z'", "e2");
    WHERE("E.purchase:last():eq '2025-12-15T00:00:00Z'", "e6");
    WHERE("E.purchase:min 'ts' :eq '2025-07-04T23:59:59Z'", "e1");
    WHERE("E.purchase:max 'ts' :eq '2025-12-31T00:00:00Z'", "e2");
    WHERE("E.purchase:last():older_than(days(90))", "e1 e3"); /* queries.md S3 */
    WHERE("E.purchase:last():within(days(60))", "e2 e6");
    WHERE("E.purchase:first():eq(E.purchase:last())", "e3 e6");
}

/* :first/:last "attr": the attribute of that event, not the smallest or largest value. */
static void test_seg_events_first_and_last_of_an_attribute(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("E.purchase:last 'category' :eq 'coffee_beans'", "e1");
    WHERE("E.purchase:first 'category' :eq 'grinder'", "e1 e3");
    WHERE("E.purchase:last 'category' :missing()", "e2 e4 e5"); /* e2's last has none */
    WHERE("E.purchase:last 'amount' :eq(10.10)", "e1");           /* the max is 20.20 */
    WHERE("E.purchase:first 'amount' :eq(20.20)", "e1");
    WHERE("E.purchase:last 'channel' :eq 'web'", "e1 e2 e3");
    WHERE("E.purchase:within(days(60)):last 'category' :eq 'ground_coffee'", "e6");
    WHERE("E.purchase:where{ category = 'coffee_beans' }:last 'channel' :eq 'shop'", "e2");
    WHERE("E.purchase:last 'category' :one_of{ 'grinder', 'ground_coffee' }", "e3 e6");
    tu_assert_script_error(s, "typo", TU_SEG_PRELUDE
                           "seg.segment 't' { where = E.purchase:last 'categroy' :present() }\n",
                           "t", "typo:3:", "unknown event attribute", "did you mean 'category'",
                           NULL);
    tu_assert_script_error(s, "sum", TU_SEG_PRELUDE
                           "seg.segment 't' { where = E.purchase:sum 'category' :present() }\n",
                           "t", "only amount can be summed", NULL);
}

static void test_seg_events_aggregates_over_no_events_are_missing(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("E.purchase:last():missing()", "e4 e5");
    WHERE("E.purchase:first():present()", "e1 e2 e3 e6");
    WHERE("E.purchase:last():lt(seg.now())", "e1 e2 e3 e6");
    WHERE("~E.purchase:last():older_than(days(90))", "e2 e4 e5 e6");
    WHERE("E.login:last():ge(seg.time '2000-01-01T00:00:00Z')", "e1 e4");
    WHERE("E.page_view:sum 'amount' :missing()", "e1 e2 e3 e4 e5 e6");
    WHERE("E.purchase:where{ category = 'no_such_category' }:sum 'amount' :missing()",
          "e1 e2 e3 e4 e5 e6");
    WHERE("E.purchase:where{ category = 'no_such_category' }:count():eq(0)",
          "e1 e2 e3 e4 e5 e6");
}

/* ------------------------------------------------------------ :where */

static void test_seg_events_where_with_a_predicate(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("E.purchase:where(F.amount:gt(5000)):exists()", "e3");
    WHERE("E.purchase:where(F.amount:ge(5000)):exists()", "e2 e3");
    WHERE("E.purchase:where(F.amount:missing()):count():eq(1)", "e2 e6");
    WHERE("E.purchase:where(F.amount:present()):count():eq(0)", "e4 e5 e6");
    WHERE("E.purchase:where(F.ts:ge(seg.time '2025-11-02T00:00:00Z')):count():eq(3)", "e2");
    WHERE("E.purchase:where(F.ts:within(days(60))):count():eq(1)", "e6");
    WHERE("E.purchase:where(F.category:eq 'coffee_beans' | F.channel:eq 'shop'):count():eq(2)",
          "e1");
    WHERE("E.purchase:where(F.category:eq 'coffee_beans' | F.channel:eq 'shop'):count():eq(1)",
          "e2");
    /* ~ inside an event :where includes events whose category is missing */
    WHERE("E.purchase:where(~F.category:eq 'coffee_beans'):count():eq(2)", "e2");
    WHERE("E.purchase:where(F.category:ne 'coffee_beans'):count():eq(1)", "e1 e2 e3 e6");
}

static void test_seg_events_where_with_a_table(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("E.purchase:where{ category = 'coffee_beans' }:exists()", "e1 e2");
    WHERE("E.purchase:where{ category = { 'grinder', 'espresso_machine' } }:exists()",
          "e1 e2 e3");
    WHERE("E.purchase:where{ category = 'no_such_category' }:exists()", "");
    WHERE("E.purchase:where{ category = 'coffee_beans', channel = 'web' }:exists()", "e1");
    WHERE("E.purchase:where{ channel = 'shop' }:sum 'amount' :eq(20.20)", "e1");
    WHERE("E.purchase:where{ amount = 5000.01 }:exists()", "e3");
    /* queries.md S5 */
    WHERE("E.purchase:where{ category = { 'grinder', 'espresso_machine' } }:exists()"
          " & ~E.purchase:where{ category = { 'coffee_beans', 'ground_coffee' } }:exists()",
          "e3");
}

static void test_seg_events_chained_where_all_apply(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("E.purchase:where{ category = 'coffee_beans' }:where{ channel = 'shop' }:exists()",
          "e2");
    WHERE("E.purchase:where(F.amount:gt(1)):where(F.amount:lt(5000)):count():eq(2)", "e1");
    WHERE("E.purchase:within(days(180)):where{ channel = 'web' }:count():eq(1)", "e1");
    WHERE("E.purchase:where{ channel = 'web' }:within(days(180)):count():eq(2)", "e2");
    /* a selection is a value: deriving from it leaves the original alone */
    tu_assert_where(s,
                    "(function() local p = E.purchase; local beans = p:where{ category = "
                    "'coffee_beans' }; return p:count():eq(2) & beans:count():eq(1) end)()",
                    "e1");
}

/* ------------------------------------------------------------ windows */

static void test_seg_events_within_includes_now_minus_d(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("E.purchase:within(days(180)):count():eq(1)", "e1 e6"); /* e1: not 1 s before */
    WHERE("E.purchase:within(days(180)):sum 'amount' :eq(10.10)", "e1");
    WHERE("E.purchase:within(days(60)):count():eq(3)", "e2"); /* both at NOW - 60 days */
    WHERE("E.login:within(days(45)):count():eq(1)", "e1 e4");
    WHERE("E.login:within(days(45)):none()", "e2 e3 e5 e6"); /* queries.md S6 */
    WHERE("E.login:where(F.ts:lt(seg.ago(days(45)))):exists()", "e4");
    WHERE("E.purchase:where(F.amount:ge(5000)):within(days(180)):exists()", "e2");
}

/* ------------------------------------------------------------ exists, none */

static void test_seg_events_exists_and_none(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("E.login:exists()", "e1 e4");
    WHERE("E.login:none()", "e2 e3 e5 e6"); /* e5 has no events at all */
    WHERE("E.purchase:none()", "e4 e5");
    WHERE("~E.purchase:exists()", "e4 e5");
    WHERE("E.page_view:none()", "e1 e2 e3 e4 e5");
    WHERE("E.purchase:exists() & E.login:exists()", "e1");
}

static void test_seg_events_ties_on_ts_are_separate_events(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    WHERE("E.purchase:where(F.ts:eq '2025-11-02T00:00:00Z'):count():eq(2)", "e2");
    WHERE("E.purchase:where(F.ts:eq '2025-11-02T00:00:00Z'):sum 'amount' :eq(5000.01)", "e2");
    WHERE("E.purchase:where{ category = 'coffee_beans' }:last():eq '2025-11-02T00:00:00Z'", "e2");
}

/* ------------------------------------------------------------ ranks (queries.md S11) */

static void test_seg_events_ntile_over_aggregates(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    /* F: counts e3 1, e6 1, e1 2, e2 3 among purchasers; e4 and e5 count 0 otherwise */
    WHERE("seg.ntile(E.purchase:count(), 2, { among = E.purchase:exists() }):eq(1)", "e3 e6");
    WHERE("seg.ntile(E.purchase:count(), 2):eq(1)", "e3 e4 e5");
    /* R: days since the last purchase, descending: e3 731, e1 180 | e6 17, e2 1 */
    WHERE("seg.ntile(seg.floor((seg.now() - E.purchase:last()) / days(1)), 2, { desc = true })"
          ":eq(2)",
          "e2 e6");
    /* M: e6 has no amount, so no rank; e2 and e3 tie on 5000.01 */
    WHERE("seg.ntile(E.purchase:sum 'amount', 2):eq(1)", "e1 e2");
    WHERE("seg.ntile(E.purchase:sum 'amount', 2):missing()", "e4 e5 e6");
}

/* ------------------------------------------------------------ updates */

static void test_seg_events_new_events_are_seen_after_another_import(void **state)
{
    (void)state;
    void *own = NULL;
    assert_int_equal(tu_setup_store(&own), 0);
    tu_fixture *f = own;
    segrt_store *s = f->s;
    tu_seg_data(f, contacts_csv, events_csv, NULL);
    segrt_script *sc = tu_script(s, "vip",
                                 TU_SEG_PRELUDE
                                 "seg.segment 'vip' { where = E.purchase:sum 'amount' :gt(5000) }\n"
                                 "seg.segment 'scans' { where = E.card_scan:count():eq(1) }\n");
    tu_assert_members(s, sc, "vip", "e2 e3");
    tu_seg_import(f, SEGRT_EVENTS,
                  "contact_id,ts,type,amount\n"
                  "e1,2025-12-30T00:00:00Z,purchase,4969.71\n"
                  "e5,2025-12-30T00:00:00Z,card_scan,\n");
    tu_assert_members(s, sc, "vip", "e1 e2 e3"); /* 30.30 + 4969.71 = 5000.01 */
    tu_assert_members(s, sc, "scans", "e5");     /* a type that did not exist at load */
    segrt_script_free(sc);
    tu_teardown_store(&own);
}

/*
 * After erasure a type can have no events left. Evaluated in a child process
 * (own store handle) so that a sanitizer abort fails this test only.
 */
static void test_seg_events_type_whose_events_were_all_erased(void **state)
{
    (void)state;
    void *own = NULL;
    assert_int_equal(tu_setup_store(&own), 0);
    tu_fixture *f = own;
    tu_seg_data(f, "id\nz1\nz2\n",
                "contact_id,ts,type,amount,category\n"
                "z1,2025-12-01T00:00:00Z,purchase,1.00,x\n"
                "z2,2025-12-01T00:00:00Z,login,1.00,x\n",
                NULL);
    assert_int_equal(segrt_contact_erase(f->s, "z2", "test"), SEGRT_OK);
    static const char code[] =
        TU_SEG_PRELUDE
        "seg.segment 'amount' { where = E.login:where(F.amount:gt(0)):exists() }\n"
        "seg.segment 'ts' { where = E.login:where(F.ts:gt '2020-01-01'):none() }\n"
        "seg.segment 'category' { where = E.login:where{ category = 'x' }:count():eq(0) }\n";
    pid_t pid = tu_fork();
    if (pid == 0) {
        segrt_store *s = NULL;
        segrt_script *sc = NULL;
        if (segrt_store_open(f->store, 0, &s, NULL, 0) != SEGRT_OK ||
            segrt_script_load_string(s, "erased", code, strlen(code), &sc) != SEGRT_OK)
            _exit(2);
        segrt_store_set_now(s, TU_NOW);
        static const char *const want[][2] = { { "amount", "" }, { "ts", "z1" },
                                               { "category", "z1" } };
        for (size_t i = 0; i < 3; i++) {
            tu_ids got;
            if (tu_eval_ids(s, sc, want[i][0], &got) != SEGRT_OK || strcmp(got.text, want[i][1]))
                _exit(3 + (int)i);
        }
        _exit(0);
    }
    int rc = tu_wait(pid, "evaluating a type without events");
    tu_teardown_store(&own);
    if (rc != 0)
        fail_msg("evaluating a type without events: exit status %d (2: load, 3+: segment)", rc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seg_events_count_is_zero_without_events),
        cmocka_unit_test(test_seg_events_sum_is_exact_and_skips_missing_amounts),
        cmocka_unit_test(test_seg_events_avg_min_max_over_present_amounts),
        cmocka_unit_test(test_seg_events_first_and_last),
        cmocka_unit_test(test_seg_events_first_and_last_of_an_attribute),
        cmocka_unit_test(test_seg_events_aggregates_over_no_events_are_missing),
        cmocka_unit_test(test_seg_events_where_with_a_predicate),
        cmocka_unit_test(test_seg_events_where_with_a_table),
        cmocka_unit_test(test_seg_events_chained_where_all_apply),
        cmocka_unit_test(test_seg_events_within_includes_now_minus_d),
        cmocka_unit_test(test_seg_events_exists_and_none),
        cmocka_unit_test(test_seg_events_ties_on_ts_are_separate_events),
        cmocka_unit_test(test_seg_events_ntile_over_aggregates),
        cmocka_unit_test(test_seg_events_new_events_are_seen_after_another_import),
        cmocka_unit_test(test_seg_events_type_whose_events_were_all_erased),
    };
    return cmocka_run_group_tests(tests, setup, tu_teardown_store);
}
