/*
 * test_changes.c — the stored runs of segments through the public API
 * (segrt/run.h): recording runs of evaluated segments, a segment's history
 * and last run, the names of the stored segments, and their unhappy paths
 * (unknown segments, bad or repeated names, missing arguments, a callback
 * that stops). Who entered and left since a run is test_membership.c's.
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
                                   "c3,300\n";

static const char script[] = TU_SEG_PRELUDE
    "seg.segment 'rich' { where = F.income:ge(200) }\n"
    "seg.segment 'poor' { where = F.income:lt(200) }\n";

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_seg_data(*state, contacts_csv, NULL, NULL);
    return 0;
}

/* Evaluate the script's two segments and record them as one run at NOW. */
static void record(segrt_store *s, const char *code, segrt_run runs[2])
{
    segrt_script *sc = tu_script(s, "runs", code);
    static const char *const names[] = { "rich", "poor" };
    const char *purposes[2];
    segrt_set *sets[2] = { NULL, NULL };
    for (size_t i = 0; i < 2; i++) {
        purposes[i] = segrt_script_segment_purpose(sc, i);
        assert_int_equal(segrt_segment_eval(sc, names[i], &sets[i]), SEGRT_OK);
    }
    int rc = segrt_run_record(s, 2, names, purposes, (const segrt_set *const *)sets, runs);
    for (size_t i = 0; i < 2; i++)
        segrt_set_free(sets[i]);
    segrt_script_free(sc);
    if (rc != SEGRT_OK)
        fail_msg("segrt_run_record: %s: %s", segrt_errname(rc), segrt_errmsg(s));
}

/* The runs of a segment as "run@now:size+entered-exited " */
typedef struct history {
    char text[512];
    int calls, stop_at;
} history;

static int add_run(void *ud, const segrt_run *r)
{
    history *h = ud;
    size_t used = strlen(h->text);
    snprintf(h->text + used, sizeof h->text - used, "%llu@%lld:%llu+%llu-%llu ",
             (unsigned long long)r->run, (long long)r->now, (unsigned long long)r->size,
             (unsigned long long)r->entered, (unsigned long long)r->exited);
    return ++h->calls == h->stop_at ? 7 : 0;
}

static int add_name(void *ud, const char *name)
{
    return tu_add_id(ud, name);
}

static void test_changes_runs_are_recorded_and_read_back_oldest_first(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_run runs[2];
    record(s, script, runs);
    assert_int_equal(runs[0].run, 1);
    assert_int_equal(runs[0].size, 2);
    assert_int_equal(runs[0].entered, 2);
    assert_int_equal(runs[1].run, 1);
    assert_int_equal(runs[1].size, 1);
    segrt_store_set_now(s, TU_NOW + 86400);
    record(s, TU_SEG_PRELUDE "seg.segment 'rich' { where = F.income:ge(300) }\n"
              "seg.segment 'poor' { where = F.income:lt(300) }\n", runs);
    assert_int_equal(runs[0].run, 2);
    history h = { .stop_at = -1 };
    assert_int_equal(segrt_segment_runs_foreach(s, "rich", add_run, &h), SEGRT_OK);
    char want[128];
    snprintf(want, sizeof want, "1@%lld:2+2-0 2@%lld:1+0-1 ", (long long)TU_NOW,
             (long long)TU_NOW + 86400);
    assert_string_equal(h.text, want);
    segrt_run last;
    assert_int_equal(segrt_segment_last_run(s, "poor", &last), SEGRT_OK);
    assert_int_equal(last.run, 2);
    assert_int_equal(last.now, TU_NOW + 86400);
    assert_int_equal(last.size, 2);
    assert_int_equal(last.entered, 1);
    assert_int_equal(last.exited, 0);
}

static void test_changes_stored_segments_come_in_byte_order(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    tu_ids names = { "" };
    assert_int_equal(segrt_stored_segments_foreach(s, add_name, &names), SEGRT_OK);
    assert_string_equal(names.text, "");
    record(s, script, NULL);
    assert_int_equal(segrt_stored_segments_foreach(s, add_name, &names), SEGRT_OK);
    assert_string_equal(names.text, "poor rich");
}

static void test_changes_unknown_segment_has_no_runs(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    record(s, script, NULL);
    history h = { .stop_at = -1 };
    assert_int_equal(segrt_segment_runs_foreach(s, "richer", add_run, &h), SEGRT_ENOTFOUND);
    tu_assert_errmsg(s, "richer");
    assert_int_equal(h.calls, 0);
    segrt_run last = { .run = 99 };
    assert_int_equal(segrt_segment_last_run(s, "richer", &last), SEGRT_ENOTFOUND);
    assert_int_equal(last.run, 0);
}

static void test_changes_callback_stops_the_history(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    record(s, script, NULL);
    record(s, script, NULL);
    history h = { .stop_at = 1 };
    assert_int_equal(segrt_segment_runs_foreach(s, "rich", add_run, &h), 7);
    assert_int_equal(h.calls, 1);
}

static void test_changes_bad_names_record_nothing(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "runs", script);
    segrt_set *set = NULL;
    assert_int_equal(segrt_segment_eval(sc, "rich", &set), SEGRT_OK);
    const segrt_set *sets[2] = { set, set };
    static const char *const twice[] = { "rich", "rich" };
    assert_int_equal(segrt_run_record(s, 2, twice, NULL, sets, NULL), SEGRT_EINVAL);
    tu_assert_errmsg(s, "twice");
    char long_name[SEGRT_SEGMENT_NAME_MAX + 2];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    const char *too_long[] = { long_name };
    assert_int_equal(segrt_run_record(s, 1, too_long, NULL, sets, NULL), SEGRT_EINVAL);
    static const char *const empty[] = { "" };
    assert_int_equal(segrt_run_record(s, 1, empty, NULL, sets, NULL), SEGRT_EINVAL);
    segrt_set_free(set);
    segrt_script_free(sc);
    tu_ids names = { "" };
    assert_int_equal(segrt_stored_segments_foreach(s, add_name, &names), SEGRT_OK);
    assert_string_equal(names.text, "");
}

static void test_changes_missing_arguments_are_invalid(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    history h = { .stop_at = -1 };
    segrt_run last;
    static const char *const one[] = { "rich" };
    assert_int_equal(segrt_run_record(NULL, 0, NULL, NULL, NULL, NULL), SEGRT_EINVAL);
    assert_int_equal(segrt_run_record(s, 1, one, NULL, NULL, NULL), SEGRT_EINVAL);
    assert_int_equal(segrt_segment_runs_foreach(s, NULL, add_run, &h), SEGRT_EINVAL);
    assert_int_equal(segrt_segment_runs_foreach(s, "rich", NULL, NULL), SEGRT_EINVAL);
    assert_int_equal(segrt_segment_last_run(NULL, "rich", &last), SEGRT_EINVAL);
    assert_int_equal(segrt_segment_last_run(s, "rich", NULL), SEGRT_EINVAL);
    assert_int_equal(segrt_stored_segments_foreach(s, NULL, NULL), SEGRT_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, tu_teardown_store)
        T(test_changes_runs_are_recorded_and_read_back_oldest_first),
        T(test_changes_stored_segments_come_in_byte_order),
        T(test_changes_unknown_segment_has_no_runs),
        T(test_changes_callback_stops_the_history),
        T(test_changes_bad_names_record_nothing),
        T(test_changes_missing_arguments_are_invalid),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
