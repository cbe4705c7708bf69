/*
 * test_plan_memo.c — unit tests of plan_memo.c: entries by name (added
 * empty on first use, found again after many more moved the array), copies
 * of memoised vectors, a score's expression evaluated once at the
 * evaluation's NOW and again (not memoised) at another NOW, values filled
 * once for every name the fill memoised (a failed fill memoises nothing),
 * values replaced, and freeing a memo with values and a fit.
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

/* A plan_memo_fill_fn that fills two names at once, as a model does, and counts its calls. */
static int fills;

static int fill_pair(plan_ctx *cx, const pnode *p)
{
    (void)p;
    fills++;
    vec a = { .is_const = 1, .k = 1 }, b = { .is_const = 1, .k = 2 };
    if (plan_memo_set(cx->memo, "m.a", &a) == NULL || plan_memo_set(cx->memo, "m.b", &b) == NULL)
        return SEGRT_ENOMEM;
    for (int i = 0; i < 100; i++) { /* and moves the memos while at it */
        char name[16];
        vec x = { .is_const = 1 };
        snprintf(name, sizeof name, "x%d", i);
        if (plan_memo_set(cx->memo, name, &x) == NULL)
            return SEGRT_ENOMEM;
    }
    return SEGRT_OK;
}

static int fill_fails(plan_ctx *cx, const pnode *p)
{
    (void)cx;
    (void)p;
    fills++;
    return SEGRT_ELUA;
}

/* A memo and an evaluation using it, fresh for each plan_memo_value test. */
typedef struct memo_fixture {
    plan_memo m;
    plan_ctx cx;
} memo_fixture;

static int memo_setup(void **state)
{
    memo_fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    f->cx = (plan_ctx){ .memo = &f->m, .ncontacts = 2 };
    fills = 0;
    *state = f;
    return 0;
}

static int memo_teardown(void **state)
{
    memo_fixture *f = *state;
    plan_memo_free(&f->m);
    free(f);
    return 0;
}

/* plan_memo_value of name through fill: its code, and the (constant) value in *k. */
static int value_of(memo_fixture *f, const char *name, plan_memo_fill_fn fill, int64_t *k)
{
    vec out = { 0 };
    int rc = plan_memo_value(&f->cx, name, fill, NULL, &out);
    *k = rc == SEGRT_OK && out.is_const ? out.k : -1;
    return rc;
}

static void test_plan_memo_value_fills_once_for_every_name_filled(void **state)
{
    memo_fixture *f = *state;
    int64_t k;
    assert_int_equal(value_of(f, "m.b", fill_pair, &k), SEGRT_OK);
    assert_int_equal(k, 2);
    assert_int_equal(value_of(f, "m.a", fill_pair, &k), SEGRT_OK);
    assert_int_equal(k, 1);
    assert_int_equal(fills, 1);
}

static void test_plan_memo_value_passes_on_a_failed_fill_and_tries_again(void **state)
{
    memo_fixture *f = *state;
    int64_t k;
    assert_int_equal(value_of(f, "m.a", fill_fails, &k), SEGRT_ELUA);
    assert_int_equal(value_of(f, "m.a", fill_fails, &k), SEGRT_ELUA);
    assert_int_equal(fills, 2); /* nothing was memoised */
    assert_int_equal(value_of(f, "m.a", fill_pair, &k), SEGRT_OK);
    assert_int_equal(k, 1);
}

static void test_plan_memo_set_replaces_what_was_memoised(void **state)
{
    (void)state;
    plan_memo m = { 0 };
    vec first = { .v = calloc(3, sizeof(int64_t)) }, second = { .is_const = 1, .k = 9 };
    assert_non_null(first.v);
    plan_memo_entry *e = plan_memo_set(&m, "s", &first);
    assert_non_null(e);
    assert_true(e->done);
    e = plan_memo_set(&m, "s", &second); /* the first values are freed (the sanitizer checks) */
    assert_true(e->score.is_const && e->score.k == 9);
    assert_int_equal(m.n, 1);
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
        cmocka_unit_test_setup_teardown(test_plan_memo_value_fills_once_for_every_name_filled,
                                        memo_setup, memo_teardown),
        cmocka_unit_test_setup_teardown(
            test_plan_memo_value_passes_on_a_failed_fill_and_tries_again, memo_setup,
            memo_teardown),
        cmocka_unit_test(test_plan_memo_set_replaces_what_was_memoised),
        cmocka_unit_test(test_plan_memo_free_releases_values_and_fits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
