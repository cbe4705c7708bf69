/*
 * test_script_tree.c — unit tests of script_tree.c: Lua values copied into
 * trees — scalars with Lua's number semantics (integers, floats, numeric
 * strings), tables read raw (list part and string keys, no metamethods),
 * shared tables copied once, a table containing itself and one nested too
 * deep marked rather than followed, functions and userdata as markers, the
 * Lua stack left as it was, and a Lua memory error reported as SEGRT_ENOMEM.
 *
 * Uses: cmocka, lua/script_tree.h, Lua 5.4.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lua/script_tree.h"
#include "segrt.h"

#include <lauxlib.h>
#include <lualib.h>

typedef struct fixture {
    lua_State *L;
    tree_doc *doc;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL || (f->L = luaL_newstate()) == NULL || (f->doc = tree_doc_new()) == NULL)
        return -1;
    luaL_openlibs(f->L);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tree_doc_free(f->doc);
    lua_close(f->L);
    free(f);
    return 0;
}

/* Copy the value of Lua expression expr; the stack stays as it was. */
static const tree *copy_of(fixture *f, const char *expr)
{
    char code[4096];
    snprintf(code, sizeof code, "return %s", expr);
    if (luaL_dostring(f->L, code) != LUA_OK)
        fail_msg("%s: %s", expr, lua_tostring(f->L, -1));
    int top = lua_gettop(f->L);
    const tree *t = NULL;
    assert_int_equal(script_tree_copy(f->L, -1, f->doc, &t), SEGRT_OK);
    assert_int_equal(lua_gettop(f->L), top);
    lua_settop(f->L, 0);
    assert_non_null(t);
    return t;
}

static void test_script_tree_scalars_keep_lua_number_semantics(void **state)
{
    fixture *f = *state;
    int64_t i;
    double v;
    const tree *t = copy_of(f, "42");
    assert_int_equal(t->kind, TREE_INTEGER);
    assert_true(tree_tointeger(t, &i) && i == 42);
    assert_string_equal(tree_tostring(t), "42");
    t = copy_of(f, "2.5");
    assert_int_equal(t->kind, TREE_FLOAT);
    assert_true(tree_tonumber(t, &v) && v == 2.5);
    assert_false(tree_tointeger(t, &i));
    assert_string_equal(tree_tostring(t), "2.5");
    t = copy_of(f, "3.0"); /* a float with an integer value converts, as lua_tointegerx */
    assert_int_equal(t->kind, TREE_FLOAT);
    assert_true(tree_tointeger(t, &i) && i == 3);
    assert_string_equal(tree_tostring(t), "3.0");
    t = copy_of(f, "1e300");
    assert_false(tree_tointeger(t, &i));
    t = copy_of(f, "math.maxinteger");
    assert_true(tree_tointeger(t, &i) && i == INT64_MAX);
    t = copy_of(f, "true");
    assert_int_equal(t->kind, TREE_BOOLEAN);
    assert_true(tree_toboolean(t));
    t = copy_of(f, "nil");
    assert_int_equal(t->kind, TREE_NIL);
}

static void test_script_tree_numeric_strings_read_as_lua_reads_them(void **state)
{
    fixture *f = *state;
    int64_t i;
    double v;
    const tree *t = copy_of(f, "' 0x10 '");
    assert_int_equal(t->kind, TREE_STRING);
    assert_string_equal(tree_tostring(t), " 0x10 ");
    assert_true(tree_tointeger(t, &i) && i == 16);
    t = copy_of(f, "'1e3'");
    assert_true(tree_tonumber(t, &v) && v == 1000);
    assert_true(tree_tointeger(t, &i) && i == 1000);
    t = copy_of(f, "'abc'");
    assert_false(tree_tonumber(t, &v));
    t = copy_of(f, "'12\\0x'"); /* a number before an embedded NUL is not the string's value */
    assert_int_equal(t->len, 4);
    assert_false(tree_tonumber(t, &v));
}

static void test_script_tree_tables_are_read_raw(void **state)
{
    fixture *f = *state;
    const tree *t = copy_of(f, "setmetatable({ 'a', 'b', k = 'v', [10] = 'far', [true] = 1 },"
                               " { __index = function() return 'meta' end })");
    assert_int_equal(t->kind, TREE_TABLE);
    assert_int_equal(tree_count(t), 2);
    assert_string_equal(tree_tostring(tree_item(t, 1)), "b");
    assert_string_equal(tree_get_string(t, "k"), "v");
    assert_int_equal(t->nfields, 1);         /* neither [10] nor [true] */
    assert_null(tree_get(t, "other"));       /* no __index */
}

static void test_script_tree_shared_tables_are_copied_once(void **state)
{
    fixture *f = *state;
    const tree *t = copy_of(f, "(function() local x = { k = 'x' } return { a = x, b = { x } } end)()");
    const tree *a = tree_get(t, "a");
    assert_ptr_equal(a, tree_item(tree_get(t, "b"), 0));
    assert_string_equal(tree_get_string(a, "k"), "x");
}

/* A string met again, as a key or a value, is the same node: a script's many nodes share
 * their "k" and "loc" keys and repeated values. */
static void test_script_tree_equal_strings_are_copied_once(void **state)
{
    fixture *f = *state;
    const tree *t = copy_of(f, "{ { k = 'cmp', loc = 'x.lua:1' }, { k = 'cmp', loc = 'x.lua:1' },"
                               "  cmp = '10', ['1x'] = 'k' }");
    const tree *a = tree_item(t, 0), *b = tree_item(t, 1);
    assert_ptr_not_equal(a, b);                    /* equal tables stay two tables */
    assert_ptr_equal(tree_get(a, "k"), tree_get(b, "k"));
    assert_ptr_equal(tree_get(a, "loc"), tree_get(b, "loc"));
    assert_ptr_equal(a->fields[0].key, b->fields[0].key);
    assert_string_equal(tree_get_string(a, "k"), "cmp");
    int64_t i;
    assert_true(tree_tointeger(tree_get(t, "cmp"), &i) && i == 10); /* still read as a number */
    assert_false(tree_tointeger(tree_get(t, "1x"), &i));
    assert_string_equal(tree_get_string(t, "1x"), "k");
}

static void test_script_tree_a_table_containing_itself_is_marked(void **state)
{
    fixture *f = *state;
    const tree *t = copy_of(f, "(function() local x = { k = 'x' } x.self = x return x end)()");
    assert_int_equal(tree_get(t, "self")->kind, TREE_CYCLE);
    assert_string_equal(tree_get_string(t, "k"), "x");
}

static void test_script_tree_deep_nesting_is_marked_not_followed(void **state)
{
    fixture *f = *state;
    const tree *t = copy_of(f, "(function() local x = {} for i = 1, 100000 do x = { a = x } end "
                               "return x end)()");
    int depth = 0;
    while (t->kind == TREE_TABLE) {
        t = tree_get(t, "a");
        depth++;
    }
    assert_int_equal(t->kind, TREE_DEEP);
    assert_int_equal(depth, SCRIPT_TREE_MAX_DEPTH);
}

static void test_script_tree_functions_and_userdata_are_markers(void **state)
{
    fixture *f = *state;
    const tree *t = copy_of(f, "{ fn = print, co = coroutine.create(print), f = io.stdout }");
    assert_int_equal(tree_get(t, "fn")->kind, TREE_FUNCTION);
    assert_int_equal(tree_get(t, "co")->kind, TREE_OTHER);
    assert_string_equal(tree_typename(tree_get(t, "co")), "thread");
    assert_string_equal(tree_typename(tree_get(t, "f")), "userdata");
}

/* An allocator that refuses once the state has used more than its budget. */
typedef struct budget {
    size_t used, cap;
} budget;

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    budget *b = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        b->used -= old;
        free(ptr);
        return NULL;
    }
    if (nsize > old && b->used - old + nsize > b->cap)
        return NULL;
    void *p = realloc(ptr, nsize);
    if (p)
        b->used = b->used - old + nsize;
    return p;
}

static void test_script_tree_a_lua_memory_error_is_enomem(void **state)
{
    (void)state;
    budget b = { 0, (size_t)64 << 20 };
    lua_State *L = lua_newstate(capped_alloc, &b);
    assert_non_null(L);
    /* many tables: the memo that remembers them outgrows what is left */
    assert_int_equal(luaL_dostring(L, "local t = {} for i = 1, 200000 do t[i] = {} end return t"),
                     LUA_OK);
    b.cap = b.used + 4096;
    tree_doc *doc = tree_doc_new();
    const tree *t = (const tree *)1;
    int top = lua_gettop(L);
    assert_int_equal(script_tree_copy(L, -1, doc, &t), SEGRT_ENOMEM);
    assert_null(t);
    assert_int_equal(lua_gettop(L), top);
    tree_doc_free(doc);
    lua_close(L);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_script_tree_scalars_keep_lua_number_semantics),
        cmocka_unit_test(test_script_tree_numeric_strings_read_as_lua_reads_them),
        cmocka_unit_test(test_script_tree_tables_are_read_raw),
        cmocka_unit_test(test_script_tree_shared_tables_are_copied_once),
        cmocka_unit_test(test_script_tree_equal_strings_are_copied_once),
        cmocka_unit_test(test_script_tree_a_table_containing_itself_is_marked),
        cmocka_unit_test(test_script_tree_deep_nesting_is_marked_not_followed),
        cmocka_unit_test(test_script_tree_functions_and_userdata_are_markers),
        cmocka_unit_test(test_script_tree_a_lua_memory_error_is_enomem),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
