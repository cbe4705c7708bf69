/*
 * test_overlap.c — the overlap table of sets (segrt_overlap_table): sizes on
 * the diagonal, each cell's share of its row, "(-)" for an empty row, no
 * segments, and missing arguments.
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

static const char contacts_csv[] = "id,income\n"
                                   "c1,100\n"
                                   "c2,200\n"
                                   "c3,300\n"
                                   "c4,400\n";

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_seg_data(*state, contacts_csv, NULL, NULL);
    return 0;
}

/* The overlap table of the script's segments, in definition order (malloc'd). */
static char *table_of(segrt_store *s, const char *code)
{
    segrt_script *sc = tu_script(s, "overlap", code);
    size_t n = segrt_script_segment_count(sc);
    const char *names[8];
    segrt_set *sets[8] = { NULL };
    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++) {
        names[i] = segrt_script_segment_name(sc, i);
        assert_int_equal(segrt_segment_eval(sc, names[i], &sets[i]), SEGRT_OK);
    }
    char *text = NULL;
    int rc = segrt_overlap_table(n, names, (const segrt_set *const *)sets, &text);
    for (size_t i = 0; i < n; i++)
        segrt_set_free(sets[i]);
    segrt_script_free(sc);
    assert_int_equal(rc, SEGRT_OK);
    return text;
}

static void test_overlap_table_has_sizes_on_the_diagonal_and_shares_of_rows(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    char *text = table_of(s, TU_SEG_PRELUDE
                          "seg.segment 'high' { where = F.income:ge(200) }\n"
                          "seg.segment 'mid' { where = F.income:between(200, 300) }\n"
                          "seg.segment 'none' { where = F.income:gt(1000) }\n");
    assert_string_equal(text, "segment        high         mid      none\n"
                              "high     3 (100.0%)   2 (66.7%)  0 (0.0%)\n"
                              "mid      2 (100.0%)  2 (100.0%)  0 (0.0%)\n"
                              "none          0 (-)       0 (-)     0 (-)\n");
    segrt_free(text);
}

static void test_overlap_table_of_no_segments_is_its_header(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    char *text = table_of(s, TU_SEG_PRELUDE);
    assert_string_equal(text, "segment\n");
    segrt_free(text);
}

static void test_overlap_table_without_arguments_is_invalid(void **state)
{
    (void)state;
    char *text = (char *)"untouched";
    assert_int_equal(segrt_overlap_table(1, NULL, NULL, &text), SEGRT_EINVAL);
    assert_null(text);
    assert_int_equal(segrt_overlap_table(0, NULL, NULL, NULL), SEGRT_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, tu_teardown_store)
        T(test_overlap_table_has_sizes_on_the_diagonal_and_shares_of_rows),
        T(test_overlap_table_of_no_segments_is_its_header),
        T(test_overlap_table_without_arguments_is_invalid),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
