/*
 * test_seg_errors.c — wrong scripts (SPEC §4, §7 sandbox): each fails with
 * SEGRT_ELUA and a message that names the chunk and line and says what is
 * wrong (with "did you mean" where a name is close) — whether the mistake
 * is found when the script loads or when its plan is compiled at
 * evaluation. The sandbox has no os, io, debug, package or binary chunks,
 * require knows only "segrt", and nothing leaks from one script to the next.
 * Scripts that would crash the host (200 000 nested operators, durations
 * beyond the range of times) run in a child process.
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
    "id,region,income,birth_date,last_contacted_at,tags\n"
    "r1,north,5000,1990-01-01,2025-12-01T00:00:00Z,vip\n"
    "r2,south,6000,1980-01-01,2025-06-01T00:00:00Z,\n";

static const char events_csv[] =
    "contact_id,ts,type,amount,category,channel\n"
    "r1,2025-12-01T00:00:00Z,purchase,10.00,coffee_beans,web\n";

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_seg_data(*state, contacts_csv, events_csv, NULL);
    return 0;
}

/*
 * `seg.segment 't' { where = <where> }` on line 3 of chunk "errs" fails
 * with a message containing "errs:3:" and needle.
 */
static void assert_where_error(segrt_store *s, const char *where, const char *needle)
{
    char code[2048];
    snprintf(code, sizeof code, TU_SEG_PRELUDE "seg.segment 't' { where = %s }\n", where);
    tu_assert_script_error(s, "errs", code, "t", "errs:3:", needle, NULL);
}

/* ------------------------------------------------------------ Lua itself */

static void test_seg_errors_lua_syntax_error(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    tu_assert_script_error(s, "syntax",
                           TU_SEG_PRELUDE
                           "seg.segment 't' { where = F.income:gt(5)) }\n",
                           "t", "syntax:3:", "expected", NULL);
    tu_assert_script_error(s, "eof", TU_SEG_PRELUDE "seg.segment 't' { where = F.income:gt(5)\n",
                           "t", "eof:4:", "to close '{' at line 3", NULL);
    tu_assert_script_error(s, "runtime", "local seg = require 'segrt'\nerror('custom failure')\n",
                           "t", "runtime:2:", "custom failure", NULL);
}

/* ------------------------------------------------------------ names */

static void test_seg_errors_unknown_field_with_suggestion(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_where_error(s, "F.incme:gt(5)", "unknown field 'incme' (did you mean 'income'?)");
    assert_where_error(s, "seg.field 'regin':eq 'x'", "did you mean 'region'?");
    assert_where_error(s, "F.zzzzzzzzzz:gt(5)", "unknown field 'zzzzzzzzzz'");
}

static void test_seg_errors_unknown_event_type_with_suggestion(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_where_error(s, "E.purchse:exists()",
                       "unknown event type 'purchse' (did you mean 'purchase'?)");
    assert_where_error(s, "seg.events 'purchases':count():gt(1)", "did you mean 'purchase'?");
    assert_where_error(s, "E.teleport:count():gt(1)", "unknown event type 'teleport'");
}

static void test_seg_errors_unknown_event_attribute_in_where(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_where_error(s, "E.purchase:where{ categry = 'x' }:exists()",
                       "unknown event attribute 'categry' (did you mean 'category'?)");
    assert_where_error(s, "E.purchase:where(F.income:gt(1)):exists()",
                       "unknown event attribute 'income'");
}

static void test_seg_errors_duplicate_segment_name(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    tu_assert_script_error(s, "dup",
                           TU_SEG_PRELUDE
                           "seg.segment 'a' { where = F.income:gt(1) }\n"
                           "seg.segment 'a' { where = F.income:gt(2) }\n",
                           "a", "dup:4:", "segment 'a' is defined twice", "dup:3", NULL);
    tu_assert_script_error(s, "dedupe_group",
                           TU_SEG_PRELUDE
                           "seg.exclusive 'g' { 'a', 'a' }\n",
                           "g.a", "dedupe_group:3:", "defined twice", NULL);
}

static void test_seg_errors_bad_names_and_keys(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    tu_assert_script_error(s, "names", TU_SEG_PRELUDE "seg.segment 'bad name' {}\n", "t",
                           "names:3:", "bad name", NULL);
    tu_assert_script_error(s, "keys",
                           TU_SEG_PRELUDE "seg.segment 'k' { wher = F.income:gt(1) }\n", "k",
                           "keys:3:", "unknown key 'wher'", NULL);
    tu_assert_script_error(s, "time",
                           TU_SEG_PRELUDE
                           "seg.segment 't' { where = F.last_contacted_at:after("
                           "seg.time '2025-13-01') }\n",
                           "t", "time:3:", "2025-13-01", NULL);
}

/* ------------------------------------------------------------ types */

static void test_seg_errors_type_mismatch(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_where_error(s, "F.region:gt(5)", "type mismatch");
    assert_where_error(s, "F.region:gt(5)", "region");
    assert_where_error(s, "F.income:eq 'abc'", "not a number");
    assert_where_error(s, "F.income:eq(true)", "type mismatch");
    assert_where_error(s, "F.birth_date:gt(5)", "type mismatch");
    assert_where_error(s, "F.tags:eq 'vip'", "string set");
    assert_where_error(s, "F.region:contains 'x'", ":contains needs a string set");
    assert_where_error(s, "F.income:within(days(5))", ":within needs a date or time");
    assert_where_error(s, "F.last_contacted_at:within(5)", ":within takes a duration");
    assert_where_error(s, "(F.income + F.region):gt(1)", "cannot compute");
    assert_where_error(s, "(F.last_contacted_at + 5):gt(1)", "cannot compute");
    assert_where_error(s, "F.income:one_of{ 1, 'x' }", "not a number");
}

/* A constant beyond the exact range is refused, and the message shows it. */
static void test_seg_errors_number_out_of_range_is_named(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_where_error(s, "F.income:eq(1e300)", "1e+300");
    assert_where_error(s, "F.income:gt(10000000000000000)", "10000000000000000");
    assert_where_error(s, "F.income:gt(0/0)", NULL);
    if (strstr(segrt_errmsg(s), "(null)"))
        fail_msg("message \"%s\" prints a NULL string", segrt_errmsg(s));
}

static void test_seg_errors_aggregate_of_a_non_amount_attribute(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_where_error(s, "E.purchase:sum 'category' :gt(1)", "only amount can be summed");
    assert_where_error(s, "E.purchase:avg 'ts' :gt(1)", "only amount can be summed");
    assert_where_error(s, "E.purchase:sum():gt(1)", "needs an attribute");
    assert_where_error(s, "E.purchase:where(E.purchase:count():gt(1)):exists()",
                       "cannot be used inside an event :where");
}

static void test_seg_errors_where_must_be_a_predicate(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_where_error(s, "F.income", "expected a predicate");
    assert_where_error(s, "E.purchase", "expected a predicate");
    assert_where_error(s, "5", "expected a predicate");
    assert_where_error(s, "F.income:gt(1) & F.income", "expected a predicate");
    assert_where_error(s, "F.income & F.income:gt(1)", "compare the value first");
    assert_where_error(s, "seg.all{ F.income }", "seg.all item 1");
    assert_where_error(s, "E.purchase:where(F.amount):exists()", "predicate");
}

/* ------------------------------------------------------------ sandbox */

static void test_seg_errors_require_knows_only_segrt(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    tu_assert_script_error(s, "req", "local seg = require 'segrt'\nlocal os = require 'os'\n", "t",
                           "req:2:", "module 'os' not found", NULL);
    tu_assert_script_error(s, "req", "local io = require 'io'\n", "t", "req:1:", "'io'", NULL);
}

static void test_seg_errors_os_io_and_friends_are_nil(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "sandbox",
                                 TU_SEG_PRELUDE
                                 "for _, name in ipairs { 'os', 'io', 'debug', 'package', 'dofile',\n"
                                 "                        'loadfile' } do\n"
                                 "  assert(rawget(_G, name) == nil, name)\n"
                                 "  assert(not pcall(function() return _G[name] end), name .. ' read')\n"
                                 "end\n"
                                 "local f, err = load(string.dump(function() return 1 end))\n"
                                 "assert(f == nil and err, 'a binary chunk loaded')\n"
                                 "assert(load('return 2')() == 2, 'text chunks load')\n"
                                 "seg.segment 'ok' { where = F.income:gt(5500) }\n");
    tu_assert_members(s, sc, "ok", "r2");
    segrt_script_free(sc);
    tu_assert_script_error(s, "os_exec", "os.execute('true')\n", "t", "os_exec:1:",
                           "undefined global 'os'", NULL);
}

/* After every kind of failure, a fresh script loads and evaluates as usual. */
static void test_seg_errors_no_state_leaks_between_scripts(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    tu_assert_script_error(s, "bad1", "local leaked = 1\nerror('x')\n", "t", "bad1:2:", NULL);
    tu_assert_script_error(s, "bad2", "leaked = 1\n", "t", "bad2:1:", "undeclared global 'leaked'",
                           NULL);
    assert_where_error(s, "F.incme:gt(5)", "incme");
    segrt_script *a = tu_script(s, "a",
                                TU_SEG_PRELUDE
                                "rawset(_G, 'shared_global', 'a')\n"
                                "seg.segment 'only_in_a' { where = F.income:gt(1) }\n"
                                "seg.segment 'rich' { where = F.income:gt(5500) }\n");
    segrt_script *b = tu_script(s, "b",
                                TU_SEG_PRELUDE
                                "assert(rawget(_G, 'leaked') == nil, 'leaked')\n"
                                "assert(rawget(_G, 'shared_global') == nil, 'shared_global')\n"
                                "seg.segment 'rich' { where = F.income:lt(5500) }\n");
    assert_int_equal(segrt_script_segment_count(a), 2);
    assert_int_equal(segrt_script_segment_count(b), 1); /* 'rich' is not a duplicate */
    tu_assert_members(s, a, "rich", "r2");
    tu_assert_members(s, b, "rich", "r1");
    tu_assert_eval_fails(s, b, "only_in_a", SEGRT_ENOTFOUND, "only_in_a");
    tu_assert_script_error(s, "c", TU_SEG_PRELUDE "seg.segment 'uses_a' { where = seg.member "
                           "'only_in_a' }\n", "uses_a", "unknown segment 'only_in_a'", NULL);
    segrt_script_free(a);
    segrt_script_free(b);
}

/* ------------------------------------------------------------ robustness */

/*
 * Evaluate segment 't' of code in a child process with its own store handle
 * (LMDB handles do not survive fork): exit 0 when it has the members want,
 * CHILD_ELUA on SEGRT_ELUA, CHILD_OTHER on anything else; a crash fails the
 * test (sanitizers exit with 1).
 */
enum { CHILD_ELUA = 10, CHILD_OTHER = 11 };

static int eval_in_child(const tu_fixture *f, const char *code, const char *want)
{
    pid_t pid = tu_fork();
    if (pid == 0) {
        segrt_store *s = NULL;
        segrt_script *sc = NULL;
        segrt_set *m = NULL;
        tu_ids got = { "" };
        if (segrt_store_open(f->store, 0, &s, NULL, 0) != SEGRT_OK)
            _exit(CHILD_OTHER);
        segrt_store_set_now(s, TU_NOW);
        int rc = segrt_script_load_string(s, "deep", code, strlen(code), &sc);
        if (rc == SEGRT_OK)
            rc = segrt_segment_eval(sc, "t", &m);
        if (rc == SEGRT_OK)
            rc = segrt_set_ids_foreach(s, m, tu_add_id, &got);
        if (rc == SEGRT_OK)
            _exit(strcmp(got.text, want) == 0 ? 0 : CHILD_OTHER);
        _exit(rc == SEGRT_ELUA ? CHILD_ELUA : CHILD_OTHER);
    }
    return tu_wait(pid, "evaluating a deep expression");
}

/* A script must not crash its host: very deep expressions are an error, or they work. */
static void test_seg_errors_deep_nesting_does_not_crash_the_host(void **state)
{
    tu_fixture *f = *state;
    static const char nots[] =
        TU_SEG_PRELUDE
        "local p = F.income:gt(5500)\n"
        "for i = 1, 200000 do p = ~p end\n"
        "seg.segment 't' { where = p }\n";
    int rc = eval_in_child(f, nots, "r2");
    assert_true(rc == 0 || rc == CHILD_ELUA);
    static const char alls[] =
        TU_SEG_PRELUDE
        "local p = F.income:gt(5500)\n"
        "for i = 1, 200000 do p = seg.all{ p } end\n"
        "seg.segment 't' { where = p }\n";
    rc = eval_in_child(f, alls, "r2");
    assert_true(rc == 0 || rc == CHILD_ELUA);
    static const char sums[] =
        TU_SEG_PRELUDE
        "local v = F.income\n"
        "for i = 1, 200000 do v = v + 0 end\n"
        "seg.segment 't' { where = v:gt(5500) }\n";
    rc = eval_in_child(f, sums, "r2");
    assert_true(rc == 0 || rc == CHILD_ELUA);
}

/* A node made by hand to contain itself is named as such, at the line that made it. */
static void test_seg_errors_an_expression_containing_itself(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    tu_assert_script_error(s, "cyc",
                           TU_SEG_PRELUDE
                           "local p = F.income:gt(1)\n"
                           "rawset(p, 'a', p)\n"
                           "seg.segment 't' { where = p }\n",
                           "t", "cyc:3:", "the expression contains itself", NULL);
}

/* Durations beyond the range of times are refused or saturate; they never overflow. */
static void test_seg_errors_huge_durations_do_not_overflow(void **state)
{
    tu_fixture *f = *state;
    static const struct {
        const char *where, *want;
    } cases[] = {
        { "E.purchase:within(days(1e15)):exists()", "r1" },
        { "F.last_contacted_at:within(days(1e15))", "r1 r2" },
        { "F.last_contacted_at:ge(seg.ago(days(1e15)))", "r1 r2" },
        { "F.last_contacted_at:older_than(days(1e15))", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char code[512];
        snprintf(code, sizeof code, TU_SEG_PRELUDE "seg.segment 't' { where = %s }\n",
                 cases[i].where);
        int rc = eval_in_child(f, code, cases[i].want);
        if (rc != 0 && rc != CHILD_ELUA)
            fail_msg("where %s: exit status %d (a sanitizer report is above)", cases[i].where, rc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seg_errors_lua_syntax_error),
        cmocka_unit_test(test_seg_errors_unknown_field_with_suggestion),
        cmocka_unit_test(test_seg_errors_unknown_event_type_with_suggestion),
        cmocka_unit_test(test_seg_errors_unknown_event_attribute_in_where),
        cmocka_unit_test(test_seg_errors_duplicate_segment_name),
        cmocka_unit_test(test_seg_errors_bad_names_and_keys),
        cmocka_unit_test(test_seg_errors_type_mismatch),
        cmocka_unit_test(test_seg_errors_number_out_of_range_is_named),
        cmocka_unit_test(test_seg_errors_aggregate_of_a_non_amount_attribute),
        cmocka_unit_test(test_seg_errors_where_must_be_a_predicate),
        cmocka_unit_test(test_seg_errors_require_knows_only_segrt),
        cmocka_unit_test(test_seg_errors_os_io_and_friends_are_nil),
        cmocka_unit_test(test_seg_errors_no_state_leaks_between_scripts),
        cmocka_unit_test(test_seg_errors_deep_nesting_does_not_crash_the_host),
        cmocka_unit_test(test_seg_errors_an_expression_containing_itself),
        cmocka_unit_test(test_seg_errors_huge_durations_do_not_overflow),
    };
    return cmocka_run_group_tests(tests, setup, tu_teardown_store);
}
