/*
 * test_seg_geo.c — seg.near: great-circle distances from a point.
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

/* Warsaw and Kraków are 252 km apart; nowhere has no coordinates. */
static const char contacts_csv[] =
    "id,lat,lon\n"
    "warsaw,52.2297,21.0122\n"
    "krakow,50.0647,19.9450\n"
    "nowhere,,\n";

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_seg_data(*state, contacts_csv, NULL, NULL);
    return 0;
}

static void test_seg_near_keeps_points_within_the_distance(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    tu_assert_where(s, "seg.near(F.lat, F.lon, 52.2297, 21.0122, 1)", "warsaw");
    tu_assert_where(s, "seg.near(F.lat, F.lon, 52.2297, 21.0122, 250)", "warsaw");
    tu_assert_where(s, "seg.near(F.lat, F.lon, 52.2297, 21.0122, 255)", "krakow warsaw");
    tu_assert_where(s, "~seg.near(F.lat, F.lon, 52.2297, 21.0122, 255)", "nowhere");
    tu_assert_where(s, "seg.near(F.lat, F.lon, 0, 0, 100)", "");
}

static void test_seg_near_checks_its_arguments(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    tu_assert_script_error(s, "geo", TU_SEG_PRELUDE
                           "seg.segment 't' { where = seg.near(F.lat, F.lon, 95, 0, 1) }\n",
                           "t", "latitude", NULL);
    tu_assert_script_error(s, "geo", TU_SEG_PRELUDE
                           "seg.segment 't' { where = seg.near(F.lat, F.lon, 'x', 0, 1) }\n",
                           "t", "numbers", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seg_near_keeps_points_within_the_distance),
        cmocka_unit_test(test_seg_near_checks_its_arguments),
    };
    return cmocka_run_group_tests(tests, setup, tu_teardown_store);
}
