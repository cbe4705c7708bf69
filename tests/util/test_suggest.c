/*
 * test_suggest.c — "did you mean" (suggest.c, and its public face
 * segrt_suggest_closest): the closest name within a third of the misspelt
 * one's length, a transposition as one edit, nothing when nothing is close.
 *
 * Uses: cmocka, suggest.h, segrt/common.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "segrt/common.h"
#include "util/suggest.h"

static const char *const names[] = { "vip_emailable", "recent_buyers", "churn_risk" };

static void test_suggest_closest_finds_a_misspelt_name(void **state)
{
    (void)state;
    assert_string_equal(suggest_closest("recent_buyer", names, 3), "recent_buyers");
    assert_string_equal(suggest_closest("churn_rsik", names, 3), "churn_risk"); /* one swap */
}

static void test_suggest_closest_offers_nothing_far_away(void **state)
{
    (void)state;
    assert_null(suggest_closest("whales", names, 3));
    assert_null(suggest_closest("vip", names, 3));
    assert_null(suggest_closest("anything", names, 0));
}

static void test_suggest_segrt_suggest_closest_is_the_same(void **state)
{
    (void)state;
    assert_ptr_equal(segrt_suggest_closest("vip_emailabel", names, 3), names[0]);
    assert_null(segrt_suggest_closest("whales", names, 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suggest_closest_finds_a_misspelt_name),
        cmocka_unit_test(test_suggest_closest_offers_nothing_far_away),
        cmocka_unit_test(test_suggest_segrt_suggest_closest_is_the_same),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
