/*
 * test_script_host.c — what a host working in a script's Lua state gets
 * (segrt/lua.h, script_host.c): the state and the seg registry, evaluating
 * a predicate and a value found on the stack (and refusing anything else),
 * running another script in the state, a Ctrl-C flag, the budget that each
 * call restarts; and the pack-name check of segrt/pack.h.
 *
 * Uses: cmocka, segrt.h, segrt/lua.h, test_util.h.
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
#include "segrt/lua.h"
#include "test_util.h"

#include <lauxlib.h>

static const char contacts_csv[] = "id,income\n"
                                   "c1,100\n"
                                   "c2,200\n"
                                   "c3,300\n"
                                   "c4,\n";

/* A segment, and a predicate and a value left as globals for the host. */
static const char script[] = TU_SEG_PRELUDE
    "seg.segment 'rich' { where = F.income:ge(200) }\n"
    "rawset(_G, 'rich_pred', F.income:ge(200))\n"
    "rawset(_G, 'income', F.income)\n";

typedef struct host {
    tu_fixture *f;
    segrt_script *sc;
    lua_State *L;
} host;

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_fixture *f = *state;
    tu_seg_data(f, contacts_csv, NULL, NULL);
    host *h = calloc(1, sizeof *h);
    if (h == NULL)
        return -1;
    h->f = f;
    h->sc = tu_script(f->s, "host", script);
    h->L = segrt_lua_state(h->sc);
    *state = h;
    return 0;
}

static int teardown(void **state)
{
    host *h = *state;
    segrt_script_free(h->sc);
    *state = h->f;
    free(h);
    return tu_teardown_store(state);
}

/* Run code in the state (after segrt_lua_begin_call); its status, the error popped into err. */
static int run(host *h, const char *code, char *err, size_t n)
{
    segrt_lua_begin_call(h->sc);
    int status = luaL_loadstring(h->L, code);
    if (status == LUA_OK)
        status = lua_pcall(h->L, 0, 0, 0);
    if (status != LUA_OK) {
        snprintf(err, n, "%s", lua_tostring(h->L, -1));
        lua_pop(h->L, 1);
    }
    return status;
}

static void test_script_host_registry_holds_the_definitions(void **state)
{
    host *h = *state;
    int top = lua_gettop(h->L);
    segrt_lua_push_registry(h->sc, "by_name");
    assert_int_equal(lua_getfield(h->L, -1, "rich"), LUA_TTABLE);
    lua_pop(h->L, 2);
    segrt_lua_push_registry(h->sc, NULL);
    assert_int_equal(lua_getfield(h->L, -1, "by_name"), LUA_TTABLE);
    lua_pop(h->L, 2);
    assert_int_equal(lua_gettop(h->L), top);
}

static void test_script_host_evaluates_a_predicate_on_the_stack(void **state)
{
    host *h = *state;
    segrt_set *set = NULL;
    tu_ids ids = { "" };
    lua_getglobal(h->L, "rich_pred");
    assert_int_equal(segrt_lua_eval_predicate(h->sc, -1, &set), SEGRT_OK);
    lua_pop(h->L, 1);
    assert_int_equal(segrt_set_ids_foreach(h->f->s, set, tu_add_id, &ids), SEGRT_OK);
    assert_string_equal(ids.text, "c2 c3");
    segrt_set_free(set);
}

static void test_script_host_summarises_a_value_on_the_stack(void **state)
{
    host *h = *state;
    segrt_value_summary sum;
    segrt_set *present = NULL;
    lua_getglobal(h->L, "income");
    assert_int_equal(segrt_lua_eval_value(h->sc, -1, &sum, &present), SEGRT_OK);
    lua_pop(h->L, 1);
    assert_int_equal(sum.kind, SEGRT_VALUE_NUMBER);
    assert_int_equal(sum.present, 3);
    assert_int_equal(sum.min, 100 * SEGRT_NUMBER_SCALE);
    assert_int_equal(sum.max, 300 * SEGRT_NUMBER_SCALE);
    assert_true(sum.mean == 200.0 * SEGRT_NUMBER_SCALE);
    assert_int_equal(segrt_set_count(present), 3);
    segrt_set_free(present);
}

static void test_script_host_refuses_what_is_no_node(void **state)
{
    host *h = *state;
    segrt_set *set = (segrt_set *)h; /* must come back NULL */
    segrt_value_summary sum = { .present = 99 };
    lua_pushinteger(h->L, 42);
    assert_int_equal(segrt_lua_eval_predicate(h->sc, -1, &set), SEGRT_ELUA);
    assert_null(set);
    set = (segrt_set *)h;
    assert_int_equal(segrt_lua_eval_value(h->sc, -1, &sum, &set), SEGRT_ELUA);
    assert_null(set);
    assert_int_equal(sum.present, 0);
    lua_pop(h->L, 1);
}

static void test_script_host_runs_another_script_in_the_state(void **state)
{
    host *h = *state;
    char path[TU_PATH_MAX];
    tu_write(path, h->f->dir, "more.lua",
             "local seg = require 'segrt'\n"
             "seg.segment 'poor' { where = seg.F.income:lt(200) }\n");
    assert_int_equal(segrt_script_segment_count(h->sc), 1);
    segrt_lua_push_script(h->sc, path);
    segrt_lua_begin_call(h->sc);
    assert_int_equal(lua_pcall(h->L, 0, 0, 0), LUA_OK);
    assert_int_equal(segrt_lua_refresh_segments(h->sc), SEGRT_OK);
    assert_int_equal(segrt_script_segment_count(h->sc), 2);
    assert_string_equal(segrt_script_segment_name(h->sc, 1), "poor");
    tu_assert_members(h->f->s, h->sc, "poor", "c1");
}

static void test_script_host_missing_script_raises_when_called(void **state)
{
    host *h = *state;
    segrt_lua_push_script(h->sc, "no_such_pack_anywhere");
    segrt_lua_begin_call(h->sc);
    assert_int_not_equal(lua_pcall(h->L, 0, 0, 0), LUA_OK);
    assert_non_null(strstr(lua_tostring(h->L, -1), "no_such_pack_anywhere"));
    lua_pop(h->L, 1);
}

static void test_script_host_interrupt_flag_stops_lua(void **state)
{
    host *h = *state;
    volatile sig_atomic_t flag = 1;
    char err[256] = "";
    segrt_lua_set_interrupt(h->sc, &flag);
    assert_int_not_equal(run(h, "while true do end", err, sizeof err), LUA_OK);
    assert_non_null(strstr(err, "interrupted"));
    flag = 0;
    assert_int_equal(run(h, "local n = 0 for i = 1, 100000 do n = n + i end", err, sizeof err),
                     LUA_OK);
    segrt_lua_set_interrupt(h->sc, NULL);
}

static void test_script_host_each_call_gets_a_fresh_budget(void **state)
{
    host *h = *state;
    char err[256] = "";
    segrt_limits limits = { .instructions = 200000 };
    segrt_script_set_limits(h->sc, &limits);
    static const char loop[] = "local n = 0 for i = 1, 70000 do n = n + i end";
    assert_int_equal(run(h, loop, err, sizeof err), LUA_OK); /* within one budget */
    assert_int_equal(run(h, loop, err, sizeof err), LUA_OK); /* and again: begun afresh */
    assert_int_not_equal(run(h, "while true do end", err, sizeof err), LUA_OK);
    assert_non_null(strstr(err, "instruction budget"));
}

static void test_script_host_pack_names_are_checked(void **state)
{
    (void)state;
    char longest[SEGRT_PACK_NAME_MAX + 2];
    memset(longest, 'a', SEGRT_PACK_NAME_MAX);
    longest[SEGRT_PACK_NAME_MAX] = '\0';
    assert_true(segrt_pack_name_ok("rfm_lifecycle"));
    assert_true(segrt_pack_name_ok("_x9"));
    assert_true(segrt_pack_name_ok(longest));
    longest[SEGRT_PACK_NAME_MAX] = 'a';
    longest[SEGRT_PACK_NAME_MAX + 1] = '\0';
    assert_false(segrt_pack_name_ok(longest));
    assert_false(segrt_pack_name_ok("9lives"));
    assert_false(segrt_pack_name_ok("../etc"));
    assert_false(segrt_pack_name_ok("a.b"));
    assert_false(segrt_pack_name_ok(""));
    assert_false(segrt_pack_name_ok(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_script_host_registry_holds_the_definitions),
        T(test_script_host_evaluates_a_predicate_on_the_stack),
        T(test_script_host_summarises_a_value_on_the_stack),
        T(test_script_host_refuses_what_is_no_node),
        T(test_script_host_runs_another_script_in_the_state),
        T(test_script_host_missing_script_raises_when_called),
        T(test_script_host_interrupt_flag_stops_lua),
        T(test_script_host_each_call_gets_a_fresh_budget),
#undef T
        cmocka_unit_test(test_script_host_pack_names_are_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
