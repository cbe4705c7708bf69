/*
 * test_script_pcall.c — unit tests of script_pcall.c: a mistake of the
 * function called keeps its one-line message; an error raised deeper in the
 * author's functions carries a traceback of their frames only (no C, no seg
 * module frames); error objects that are not strings; an error raised again
 * through an inner protected call keeps a single traceback; a memory error;
 * the stack as lua_pcall leaves it.
 *
 * Uses: cmocka, lua/script_lua.h, Lua 5.4.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lua/script_lua.h"

#include <lauxlib.h>
#include <lualib.h>

static int setup(void **state)
{
    lua_State *L = luaL_newstate();
    if (L == NULL)
        return -1;
    luaL_openlibs(L);
    *state = L;
    return 0;
}

static int teardown(void **state)
{
    lua_close(*state);
    return 0;
}

/* Load code as chunk name, run it with script_pcall; the error text (static), or NULL. */
static const char *run(lua_State *L, const char *name, const char *code)
{
    static char text[4096];
    int top = lua_gettop(L);
    assert_int_equal(luaL_loadbufferx(L, code, strlen(code), name, "t"), LUA_OK);
    int status = script_pcall(L, 0, 0);
    if (status == LUA_OK) {
        assert_int_equal(lua_gettop(L), top);
        return NULL;
    }
    assert_int_equal(lua_gettop(L), top + 1);
    snprintf(text, sizeof text, "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
    return text;
}

/* Push the value code returns, run as chunk name. */
static void push_value(lua_State *L, const char *name, const char *code)
{
    assert_int_equal(luaL_loadbufferx(L, code, strlen(code), name, "t"), LUA_OK);
    lua_call(L, 0, 1);
}

static void test_script_pcall_success_leaves_the_results(void **state)
{
    lua_State *L = *state;
    assert_int_equal(luaL_loadstring(L, "return 1, 2"), LUA_OK);
    assert_int_equal(script_pcall(L, 0, 2), LUA_OK);
    assert_int_equal(lua_gettop(L), 2);
    assert_int_equal(lua_tointeger(L, -1), 2);
    lua_settop(L, 0);
}

static void test_script_pcall_an_error_of_the_main_chunk_is_one_line(void **state)
{
    const char *msg = run(*state, "=script", "local x = 1\nerror('bad line')\n");
    assert_string_equal(msg, "script:2: bad line");
}

static void test_script_pcall_an_error_in_a_helper_has_the_authors_frames(void **state)
{
    const char *msg = run(*state, "=script", "local function helper()\n"
                                             "  error('deep')\n"
                                             "end\n"
                                             "helper()\n");
    assert_non_null(strstr(msg, "script:2: deep\nstack traceback:\n\tscript:2: in "));
    assert_non_null(strstr(msg, "\n\tscript:4: in main chunk"));
    assert_null(strstr(msg, "[C]")); /* error itself, and the caller of the chunk */
}

static void test_script_pcall_a_called_function_s_own_error_is_one_line(void **state)
{
    lua_State *L = *state;
    push_value(L, "=f", "return function(x) error('no ' .. x) end");
    lua_pushliteral(L, "way");
    assert_int_equal(script_pcall(L, 1, 1), LUA_ERRRUN);
    assert_string_equal(lua_tostring(L, -1), "f:1: no way"); /* a filter's own mistake */
    lua_settop(L, 0);
}

static void test_script_pcall_seg_module_frames_are_left_out(void **state)
{
    lua_State *L = *state;
    /* a "segrt" chunk (the seg module) raising for the line that called it */
    push_value(L, "=segrt", "return function(m) error(m, 3) end");
    lua_setglobal(L, "fail");
    const char *msg = run(L, "=script", "local function define() fail('x') end\n"
                                        "local function wrap() define() end\n"
                                        "wrap()\n");
    assert_non_null(strstr(msg, "stack traceback:"));
    assert_null(strstr(msg, "segrt:"));
    assert_non_null(strstr(msg, "in upvalue 'define'"));
}

static void test_script_pcall_error_objects_that_are_not_strings(void **state)
{
    lua_State *L = *state;
    assert_string_equal(run(L, "=t", "error({})"), "(error object is a table value)");
    assert_string_equal(run(L, "=t", "error(setmetatable({}, { __tostring = function() "
                                      "return 'custom' end }))"),
                        "custom");
    assert_string_equal(run(L, "=t", "error(42)"), "42");
}

/* Protected: call upvalue 1 through script_pcall and raise its error again. */
static int l_rethrow(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    if (script_pcall(L, 0, 0) != LUA_OK)
        return lua_error(L);
    return 0;
}

static void test_script_pcall_an_error_raised_again_keeps_one_traceback(void **state)
{
    lua_State *L = *state;
    push_value(L, "=inner", "return function() local function h() error('x') end h() end");
    lua_pushcclosure(L, l_rethrow, 1);
    lua_setglobal(L, "rethrow");
    const char *msg = run(L, "=outer", "rethrow()\n");
    const char *first = strstr(msg, "stack traceback:");
    assert_non_null(first);
    assert_null(strstr(first + 1, "stack traceback:"));
}

static void *refusing_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    int *refuse = ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    return *refuse ? NULL : realloc(ptr, nsize);
}

static void test_script_pcall_a_memory_error_is_reported(void **state)
{
    (void)state;
    int refuse = 0;
    lua_State *L = lua_newstate(refusing_alloc, &refuse);
    assert_non_null(L);
    assert_int_equal(luaL_loadstring(L, "local t = {} for i = 1, 1e6 do t[i] = {} end"), LUA_OK);
    refuse = 1;
    assert_int_equal(script_pcall(L, 0, 0), LUA_ERRMEM);
    assert_int_equal(lua_gettop(L), 1);
    refuse = 0;
    lua_close(L);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_script_pcall_success_leaves_the_results),
        cmocka_unit_test(test_script_pcall_an_error_of_the_main_chunk_is_one_line),
        cmocka_unit_test(test_script_pcall_an_error_in_a_helper_has_the_authors_frames),
        cmocka_unit_test(test_script_pcall_a_called_function_s_own_error_is_one_line),
        cmocka_unit_test(test_script_pcall_seg_module_frames_are_left_out),
        cmocka_unit_test(test_script_pcall_error_objects_that_are_not_strings),
        cmocka_unit_test(test_script_pcall_an_error_raised_again_keeps_one_traceback),
        cmocka_unit_test(test_script_pcall_a_memory_error_is_reported),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
