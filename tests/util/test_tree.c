/*
 * test_tree.c — unit tests of tree.c: building tables (keys kept in byte
 * order, a key set twice keeps its last value, list parts), reading them
 * back with the accessors (absent keys, non-tables, NULL), the Lua-like
 * conversions (numbers, integers, booleans, type names), a doc holding
 * many nodes and long strings, keys the doc already holds (tree_put_held),
 * and tables sized before they are filled (tree_reserve).
 *
 * Uses: cmocka, util/tree.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/tree.h"

static int setup_doc(void **state)
{
    *state = tree_doc_new();
    return *state ? 0 : -1;
}

static int teardown_doc(void **state)
{
    tree_doc_free(*state);
    return 0;
}

static const tree *string_node(tree_doc *d, const char *s)
{
    tree *t = tree_new(d, TREE_STRING);
    assert_non_null(t);
    assert_int_equal(tree_set_text(d, t, s, strlen(s)), 0);
    return t;
}

static void test_tree_put_keeps_keys_in_byte_order(void **state)
{
    tree_doc *d = *state;
    tree *t = tree_new(d, TREE_TABLE);
    const char *keys[] = { "where", "a", "loc", "b", "name", "ab", "" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_int_equal(tree_put(d, t, keys[i], strlen(keys[i]), string_node(d, keys[i])), 0);
    assert_int_equal(t->nfields, 7);
    for (size_t i = 1; i < t->nfields; i++)
        assert_true(strcmp(t->fields[i - 1].key, t->fields[i].key) < 0);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_string_equal(tree_get_string(t, keys[i]), keys[i]);
}

static void test_tree_put_twice_replaces_the_value(void **state)
{
    tree_doc *d = *state;
    tree *t = tree_new(d, TREE_TABLE);
    assert_int_equal(tree_put(d, t, "k", 1, string_node(d, "first")), 0);
    assert_int_equal(tree_put(d, t, "k", 1, string_node(d, "second")), 0);
    assert_int_equal(t->nfields, 1);
    assert_string_equal(tree_get_string(t, "k"), "second");
}

static void test_tree_keys_with_a_nul_are_byte_exact(void **state)
{
    tree_doc *d = *state;
    tree *t = tree_new(d, TREE_TABLE);
    assert_int_equal(tree_put(d, t, "a\0b", 3, string_node(d, "nul")), 0);
    assert_int_equal(tree_put(d, t, "a", 1, string_node(d, "plain")), 0);
    assert_int_equal(t->nfields, 2);
    assert_string_equal(tree_get_string(t, "a"), "plain"); /* not the key with the NUL */
    assert_int_equal(t->fields[1].len, 3);
}

static void test_tree_list_part_reads_in_order(void **state)
{
    tree_doc *d = *state;
    tree *t = tree_new(d, TREE_TABLE);
    char text[16];
    for (int i = 0; i < 100; i++) {
        snprintf(text, sizeof text, "item%d", i);
        assert_int_equal(tree_push(d, t, string_node(d, text)), 0);
    }
    assert_int_equal(tree_count(t), 100);
    assert_string_equal(tree_tostring(tree_item(t, 0)), "item0");
    assert_string_equal(tree_tostring(tree_item(t, 99)), "item99");
    assert_null(tree_item(t, 100));
}

static void test_tree_reading_absent_things_gives_null(void **state)
{
    tree_doc *d = *state;
    tree *t = tree_new(d, TREE_TABLE);
    const tree *s = string_node(d, "x");
    assert_null(tree_get(t, "missing"));
    assert_null(tree_get(s, "x"));          /* not a table */
    assert_null(tree_get(NULL, "x"));
    assert_int_equal(tree_count(s), 0);
    assert_null(tree_item(NULL, 0));
    assert_null(tree_get_string(t, "missing"));
    assert_null(tree_tostring(t));           /* a table has no text */
}

static void test_tree_conversions_follow_lua(void **state)
{
    tree_doc *d = *state;
    double v;
    int64_t i;
    tree *n = tree_new_number(d, 2.5);
    assert_true(tree_tonumber(n, &v));
    assert_true(v == 2.5);
    assert_false(tree_tointeger(n, &i)); /* built numbers are not integral unless said so */
    tree *k = tree_new(d, TREE_INTEGER);
    k->numeric = k->integral = 1;
    k->integer = 7;
    k->number = 7;
    assert_true(tree_tointeger(k, &i));
    assert_int_equal(i, 7);
    const tree *s = string_node(d, "abc");
    assert_false(tree_tonumber(s, &v));
    assert_false(tree_tonumber(NULL, &v));
    tree *f = tree_new(d, TREE_BOOLEAN);
    assert_false(tree_toboolean(f));
    f->boolean = 1;
    assert_true(tree_toboolean(f));
    assert_false(tree_toboolean(NULL));
    assert_false(tree_toboolean(tree_new(d, TREE_NIL)));
    assert_true(tree_toboolean(s));
    assert_true(tree_toboolean(tree_new(d, TREE_FUNCTION)));
}

static void test_tree_type_names_follow_lua(void **state)
{
    tree_doc *d = *state;
    assert_string_equal(tree_typename(NULL), "nil");
    assert_string_equal(tree_typename(tree_new(d, TREE_NIL)), "nil");
    assert_string_equal(tree_typename(tree_new(d, TREE_INTEGER)), "number");
    assert_string_equal(tree_typename(tree_new(d, TREE_FLOAT)), "number");
    assert_string_equal(tree_typename(tree_new(d, TREE_TABLE)), "table");
    assert_string_equal(tree_typename(tree_new(d, TREE_CYCLE)), "table");
    assert_string_equal(tree_typename(tree_new(d, TREE_FUNCTION)), "function");
    tree *u = tree_new(d, TREE_OTHER);
    assert_string_equal(tree_typename(u), "userdata");
    assert_int_equal(tree_set_text(d, u, "thread", 6), 0);
    assert_string_equal(tree_typename(u), "thread");
}

static void test_tree_doc_holds_many_nodes_and_long_strings(void **state)
{
    tree_doc *d = *state;
    tree *t = tree_new(d, TREE_TABLE);
    static char big[100000];
    memset(big, 'x', sizeof big - 1);
    assert_int_equal(tree_put(d, t, "big", 3, string_node(d, big)), 0);
    char key[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "k%05d", 19999 - i); /* descending: each goes first */
        assert_int_equal(tree_put(d, t, key, strlen(key), tree_new_number(d, i)), 0);
    }
    assert_int_equal(t->nfields, 20001);
    double v;
    assert_true(tree_tonumber(tree_get(t, "k00000"), &v));
    assert_true(v == 19999);
    assert_int_equal(strlen(tree_get_string(t, "big")), sizeof big - 1);
}

static void test_tree_put_held_shares_the_key_it_is_given(void **state)
{
    tree_doc *d = *state;
    tree *a = tree_new(d, TREE_TABLE), *b = tree_new(d, TREE_TABLE);
    const tree *k = string_node(d, "loc");
    assert_int_equal(tree_put_held(d, a, k->text, k->len, string_node(d, "x.lua:1")), 0);
    assert_int_equal(tree_put_held(d, b, k->text, k->len, string_node(d, "x.lua:2")), 0);
    assert_ptr_equal(a->fields[0].key, k->text); /* not copied */
    assert_ptr_equal(b->fields[0].key, k->text);
    assert_string_equal(tree_get_string(a, "loc"), "x.lua:1");
    assert_int_equal(tree_put_held(d, a, k->text, k->len, string_node(d, "x.lua:3")), 0);
    assert_int_equal(a->nfields, 1); /* set twice: replaced */
    assert_string_equal(tree_get_string(a, "loc"), "x.lua:3");
    assert_int_equal(tree_put(d, a, "k", 1, string_node(d, "cmp")), 0);
    assert_string_equal(tree_get_string(a, "k"), "cmp");
    assert_string_equal(tree_get_string(a, "loc"), "x.lua:3");
}

static void test_tree_reserve_sizes_a_table_exactly(void **state)
{
    tree_doc *d = *state;
    tree *t = tree_new(d, TREE_TABLE);
    assert_int_equal(tree_reserve(d, t, 3, 5), 0);
    assert_int_equal(t->fields_cap, 3);
    assert_int_equal(t->items_cap, 5);
    const tree_field *fields = t->fields;
    assert_int_equal(tree_put(d, t, "c", 1, string_node(d, "3")), 0);
    assert_int_equal(tree_put(d, t, "a", 1, string_node(d, "1")), 0);
    assert_int_equal(tree_put(d, t, "b", 1, string_node(d, "2")), 0);
    assert_ptr_equal(t->fields, fields); /* filled in place */
    for (int i = 0; i < 5; i++)
        assert_int_equal(tree_push(d, t, tree_new_number(d, i)), 0);
    assert_int_equal(t->items_cap, 5);
    assert_int_equal(tree_reserve(d, t, 0, 0), 0); /* never shrinks */
    assert_int_equal(t->fields_cap, 3);
    assert_int_equal(tree_put(d, t, "d", 1, string_node(d, "4")), 0); /* grows past it */
    assert_int_equal(tree_push(d, t, tree_new_number(d, 5)), 0);
    assert_int_equal(t->nfields, 4);
    assert_int_equal(tree_count(t), 6);
    assert_string_equal(tree_get_string(t, "a"), "1");
    assert_string_equal(tree_get_string(t, "d"), "4");
    double v;
    assert_true(tree_tonumber(tree_item(t, 5), &v) && v == 5);
    assert_int_equal(tree_reserve(d, t, (size_t)UINT32_MAX + 1, 0), -1); /* no such table */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tree_put_keeps_keys_in_byte_order, setup_doc,
                                        teardown_doc),
        cmocka_unit_test_setup_teardown(test_tree_put_twice_replaces_the_value, setup_doc,
                                        teardown_doc),
        cmocka_unit_test_setup_teardown(test_tree_keys_with_a_nul_are_byte_exact, setup_doc,
                                        teardown_doc),
        cmocka_unit_test_setup_teardown(test_tree_list_part_reads_in_order, setup_doc,
                                        teardown_doc),
        cmocka_unit_test_setup_teardown(test_tree_reading_absent_things_gives_null, setup_doc,
                                        teardown_doc),
        cmocka_unit_test_setup_teardown(test_tree_conversions_follow_lua, setup_doc, teardown_doc),
        cmocka_unit_test_setup_teardown(test_tree_type_names_follow_lua, setup_doc, teardown_doc),
        cmocka_unit_test_setup_teardown(test_tree_put_held_shares_the_key_it_is_given, setup_doc,
                                        teardown_doc),
        cmocka_unit_test_setup_teardown(test_tree_reserve_sizes_a_table_exactly, setup_doc,
                                        teardown_doc),
        cmocka_unit_test_setup_teardown(test_tree_doc_holds_many_nodes_and_long_strings,
                                        setup_doc, teardown_doc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
