/*
 * test_plan_memo.c — unit tests of plan_memo.c: entries by name (added
 * empty on first use, found again after many more moved the array), copies
 * of memoised vectors, a score's expression evaluated once at the
 * evaluation's NOW and again (not memoised) at another NOW, and freeing a
 * memo with values and a fit.
 *
 * Uses: cmocka, plan/plan_memo.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan/plan_memo.h"

static void test_plan_memo_entries_are_found_by_name(void **state)
{
    (void)state;
    plan_memo m = { 0 };
    plan_memo_entry *e = plan_memo_get(&m, "rfm.R");
    assert_non_null(e);
    assert_false(e->done);
    e->done = 1;
    char name[32];
    for (int i = 0; i < 1000; i++) { /* the array moves as it grows */
        snprintf(name, sizeof name, "s%d", i);
        assert_non_null(plan_memo_get(&m, name));
    }
    e = plan_memo_get(&m, "rfm.R");
    assert_true(e->done);
    assert_int_equal(m.n, 1001);
    plan_memo_free(&m);
    assert_int_equal(m.n, 0);
}

static void test_plan_memo_copies_are_the_caller_s(void **state)
{
    (void)state;
    plan_ctx cx = { .ncontacts = 3 };
    int64_t *v = malloc(3 * sizeof *v);
    assert_non_null(v);
    v[0] = 1, v[1] = 2, v[2] = 3;
    vec memo = { .v = v }, out;
    assert_int_equal(plan_memo_copy(&cx, &memo, &out), SEGRT_OK);
    assert_ptr_not_equal(out.v, memo.v);
    assert_int_equal(out.v[2], 3);
    vec_free(&out);
    vec k = { .is_const = 1, .k = 7 };
    assert_int_equal(plan_memo_copy(&cx, &k, &out), SEGRT_OK);
    assert_true(out.is_const && out.k == 7);
    vec_free(&memo);
}

static void test_plan_memo_score_is_evaluated_once_at_the_session_now(void **state)
{
    (void)state;
    plan_memo m = { 0 };
    plan_ctx cx = { .memo = &m, .now = 100, .session_now = 100, .ncontacts = 2 };
    pnode k = { .kind = P_CONST, .type = VT_NUM, .k = 5 };
    pnode score = { .kind = P_SCORE, .type = VT_NUM, .str = (char *)"s", .a = &k };
    vec out;
    assert_int_equal(plan_memo_score(&cx, &score, &out), SEGRT_OK);
    assert_true(out.is_const && out.k == 5);
    k.k = 6; /* a second evaluation reuses the first value */
    assert_int_equal(plan_memo_score(&cx, &score, &out), SEGRT_OK);
    assert_int_equal(out.k, 5);
    cx.now = 50; /* at another NOW (a model's cut-off) it is evaluated afresh */
    assert_int_equal(plan_memo_score(&cx, &score, &out), SEGRT_OK);
    assert_int_equal(out.k, 6);
    plan_memo_free(&m);
}

static void test_plan_memo_free_releases_values_and_fits(void **state)
{
    (void)state;
    plan_memo m = { 0 };
    plan_memo_entry *e = plan_memo_get(&m, "clv.p_alive");
    assert_non_null(e);
    e->score.v = calloc(4, sizeof *e->score.v);
    e->fit = tree_doc_new();
    e->fit_root = tree_new(e->fit, TREE_TABLE);
    plan_memo_free(&m); /* the sanitizer build checks nothing leaks */
    plan_memo_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_memo_entries_are_found_by_name),
        cmocka_unit_test(test_plan_memo_copies_are_the_caller_s),
        cmocka_unit_test(test_plan_memo_score_is_evaluated_once_at_the_session_now),
        cmocka_unit_test(test_plan_memo_free_releases_values_and_fits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
