/*
 * test_sandbox.c — scripts run in a sandbox: no unsafe libraries, no
 * undeclared globals, and limits on memory, instructions and time. Every
 * attack fails with a clear error and the same process then evaluates a
 * normal segment correctly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "segrt.h"
#include "test_util.h"

static const char contacts_csv[] =
    "id,region,income\n"
    "r1,north,5000\n"
    "r2,south,6000\n";

/*
 * Small memory and instruction limits, so the runaway cases end fast; the
 * deadline is far, so that what stops them does not depend on how loaded
 * the machine is (the deadline's own tests set a short one).
 */
static const segrt_limits tight = { .memory_bytes = (size_t)64 << 20,
                                    .instructions = UINT64_C(50000000),
                                    .milliseconds = 600000 };

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_seg_data(*state, contacts_csv, NULL, NULL);
    segrt_store_set_limits(((tu_fixture *)*state)->s, &tight);
    return 0;
}

/* After an attack, a normal script in the same process still works. */
static void assert_still_works(segrt_store *s)
{
    segrt_script *sc = tu_script(s, "normal",
                                 TU_SEG_PRELUDE "seg.segment 'rich' { where = F.income:gt(5500) }\n");
    tu_assert_members(s, sc, "rich", "r2");
    segrt_script_free(sc);
}

/* The attack in code (run while the script loads) fails naming needle. */
static void assert_refused(segrt_store *s, const char *code, const char *needle)
{
    char full[1024];
    snprintf(full, sizeof full, TU_SEG_PRELUDE "%s\nseg.segment 't' { where = F.income:gt(0) }\n",
             code);
    tu_assert_script_error(s, "attack", full, "t", "attack", needle, NULL);
    assert_still_works(s);
}

static void test_sandbox_unsafe_libraries_are_absent(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_refused(s, "os.execute('touch /tmp/segrt-sandbox-pwned')", "undefined global 'os'");
    assert_refused(s, "io.open('/etc/passwd')", "undefined global 'io'");
    assert_refused(s, "debug.sethook()", "undefined global 'debug'");
    assert_refused(s, "dofile('/etc/passwd')", "undefined global 'dofile'");
    assert_refused(s, "require 'os'", "module 'os' not found");
    assert_refused(s, "assert(load(string.dump(function() end)))", "attempt to load a binary chunk");
    FILE *f = fopen("/tmp/segrt-sandbox-pwned", "r");
    if (f)
        fclose(f);
    assert_null(f);
}

static void test_sandbox_globals_must_be_declared(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_refused(s, "x = 1", "assignment to undeclared global 'x'");
    assert_refused(s, "local y = undefined_name + 1", "undefined global 'undefined_name'");
}

static void test_sandbox_runaway_code_is_stopped(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    time_t t0 = time(NULL);
    assert_refused(s, "while true do end", "instruction budget");
    /* Lua's stack limit or the memory cap, whichever comes first: either names the script */
    assert_refused(s, "local function f() return f() + 1 end f()", "attack");
    assert_true(time(NULL) - t0 < 30);
}

static void test_sandbox_the_deadline_stops_slow_calls(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_limits slow = { .instructions = UINT64_C(1) << 60, .milliseconds = 200 };
    segrt_store_set_limits(s, &slow);
    assert_refused(s, "while true do end", "200 ms");
    segrt_store_set_limits(s, &tight);
}

static void test_sandbox_allocation_bombs_hit_the_memory_cap(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    /* Only the cap may stop them, however many instructions filling it takes. */
    segrt_limits cap_only = { .memory_bytes = tight.memory_bytes,
                              .instructions = UINT64_C(1) << 60, .milliseconds = 600000 };
    segrt_store_set_limits(s, &cap_only);
    assert_refused(s, "local x = string.rep('x', 1024 * 1024 * 1024)", "memory cap");
    assert_refused(s, "local x = string.rep('x', 4 * 1024 * 1024 * 1024)", "too large");
    assert_refused(s, "local t = {} for i = 1, 1e9 do t[i] = i end", "memory cap");
    assert_refused(s, "local t = {} while true do t[#t + 1] = {} end", "memory cap");
    segrt_store_set_limits(s, &tight);
}

/* A filter that runs away is stopped during evaluation; the script then evaluates others. */
static void test_sandbox_limits_apply_per_evaluation(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "filters",
                                 TU_SEG_PRELUDE
                                 "seg.segment 'spin' { filter = function(c) while true do end end }\n"
                                 "seg.segment 'rich' { where = F.income:gt(5500) }\n");
    tu_assert_eval_fails(s, sc, "spin", SEGRT_ELUA, "instruction budget");
    tu_assert_members(s, sc, "rich", "r2");
    segrt_limits more = { .instructions = UINT64_C(1) << 40, .milliseconds = 100 };
    segrt_script_set_limits(sc, &more);
    tu_assert_eval_fails(s, sc, "spin", SEGRT_ELUA, "100 ms");
    tu_assert_members(s, sc, "rich", "r2");
    segrt_script_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sandbox_unsafe_libraries_are_absent),
        cmocka_unit_test(test_sandbox_globals_must_be_declared),
        cmocka_unit_test(test_sandbox_runaway_code_is_stopped),
        cmocka_unit_test(test_sandbox_the_deadline_stops_slow_calls),
        cmocka_unit_test(test_sandbox_allocation_bombs_hit_the_memory_cap),
        cmocka_unit_test(test_sandbox_limits_apply_per_evaluation),
    };
    return cmocka_run_group_tests(tests, setup, tu_teardown_store);
}
