/*
 * test_catalog.c — unit tests of catalog.c: a registry tree (as the Lua
 * layer copies it) read through the catalog — the segments' names in
 * definition order (an unnamed one as ""), lookups by name of segments,
 * scores, models, consents and templates (absent ones NULL), the C models'
 * outputs, and which scores are profiling (themselves, or through their
 * model's "model." prefix).
 *
 * Uses: cmocka, plan/catalog.h, util/tree.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "plan/catalog.h"

static tree *table(tree_doc *d)
{
    tree *t = tree_new(d, TREE_TABLE);
    assert_non_null(t);
    return t;
}

static void put(tree_doc *d, tree *t, const char *key, const tree *v)
{
    assert_int_equal(tree_put(d, t, key, strlen(key), v), 0);
}

static const tree *string(tree_doc *d, const char *s)
{
    tree *t = tree_new(d, TREE_STRING);
    assert_non_null(t);
    assert_int_equal(tree_set_text(d, t, s, strlen(s)), 0);
    return t;
}

static const tree *boolean(tree_doc *d, int b)
{
    tree *t = tree_new(d, TREE_BOOLEAN);
    assert_non_null(t);
    t->boolean = b;
    return t;
}

/* A definition { name = name } added to the list and to by_name. */
static tree *segment(tree_doc *d, tree *list, tree *by_name, const char *name)
{
    tree *def = table(d);
    if (name) {
        put(d, def, "name", string(d, name));
        put(d, by_name, name, def);
    }
    assert_int_equal(tree_push(d, list, def), 0);
    return def;
}

/*
 * A registry: segments a, b and one without a name; scores plain and
 * marked; models clv (profiling) and lone; consent email; template hello.
 */
static catalog *sample(void)
{
    tree_doc *d = tree_doc_new();
    assert_non_null(d);
    tree *reg = table(d), *segs = table(d), *by_name = table(d), *scores = table(d),
         *models = table(d), *consents = table(d), *templates = table(d);
    segment(d, segs, by_name, "a");
    segment(d, segs, by_name, "b");
    segment(d, segs, by_name, NULL);
    tree *plain = table(d), *marked = table(d), *clv = table(d), *lone = table(d);
    put(d, marked, "profiling", boolean(d, 1));
    put(d, scores, "plain", plain);
    put(d, scores, "marked", marked);
    put(d, scores, "clv.extra", table(d));
    put(d, clv, "profiling", boolean(d, 1));
    put(d, models, "clv", clv);
    put(d, models, "lone", lone);
    put(d, consents, "email", table(d));
    put(d, templates, "hello", table(d));
    put(d, reg, "segments", segs);
    put(d, reg, "by_name", by_name);
    put(d, reg, "scores", scores);
    put(d, reg, "models", models);
    put(d, reg, "consents", consents);
    put(d, reg, "templates", templates);
    catalog *cat = catalog_new(d, reg);
    assert_non_null(cat);
    return cat;
}

static void test_catalog_names_segments_in_definition_order(void **state)
{
    (void)state;
    catalog *cat = sample();
    assert_int_equal(cat->nseg, 3);
    assert_string_equal(cat->names[0], "a");
    assert_string_equal(cat->names[1], "b");
    assert_string_equal(cat->names[2], "");
    assert_int_equal(catalog_segment_index(cat, "b"), 1);
    assert_int_equal(catalog_segment_index(cat, "c"), -1);
    assert_non_null(catalog_segment(cat, "a"));
    assert_null(catalog_segment(cat, "c"));
    catalog_free(cat);
}

static void test_catalog_finds_definitions_by_name(void **state)
{
    (void)state;
    catalog *cat = sample();
    assert_non_null(catalog_score(cat, "plain"));
    assert_null(catalog_score(cat, "nope"));
    assert_non_null(catalog_model(cat, "clv"));
    assert_non_null(catalog_consent(cat, "email"));
    assert_null(catalog_consent(cat, "sms"));
    assert_non_null(catalog_template(cat, "hello"));
    assert_null(catalog_template(cat, "bye"));
    catalog_free(cat);
}

static void test_catalog_knows_the_outputs_it_is_told(void **state)
{
    (void)state;
    catalog *cat = sample();
    assert_false(catalog_is_output(cat, "clv.p_alive"));
    assert_int_equal(catalog_add_output(cat, "clv.p_alive"), 0);
    assert_true(catalog_is_output(cat, "clv.p_alive"));
    assert_false(catalog_is_output(cat, "clv.p"));
    catalog_free(cat);
}

static void test_catalog_profiling_comes_from_the_score_or_its_model(void **state)
{
    (void)state;
    catalog *cat = sample();
    assert_false(catalog_is_profiling(cat, "plain"));
    assert_true(catalog_is_profiling(cat, "marked"));
    assert_true(catalog_is_profiling(cat, "clv.p_alive")); /* a model output */
    assert_true(catalog_is_profiling(cat, "clv.extra"));   /* a score named after the model */
    assert_false(catalog_is_profiling(cat, "lone.x"));
    assert_false(catalog_is_profiling(cat, "nope.x"));
    catalog_free(cat);
}

static void test_catalog_of_an_empty_registry(void **state)
{
    (void)state;
    tree_doc *d = tree_doc_new();
    catalog *cat = catalog_new(d, tree_new(d, TREE_TABLE));
    assert_non_null(cat);
    assert_int_equal(cat->nseg, 0);
    assert_null(catalog_score(cat, "x"));
    assert_int_equal(catalog_segment_index(cat, "x"), -1);
    assert_false(catalog_is_profiling(cat, "m.x"));
    catalog_free(cat);
    catalog_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalog_names_segments_in_definition_order),
        cmocka_unit_test(test_catalog_finds_definitions_by_name),
        cmocka_unit_test(test_catalog_knows_the_outputs_it_is_told),
        cmocka_unit_test(test_catalog_profiling_comes_from_the_score_or_its_model),
        cmocka_unit_test(test_catalog_of_an_empty_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
