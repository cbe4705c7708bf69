/*
 * test_seg_tag.c — tags kept by rules (seg.tag) through the public API:
 * segrt_script_tags_write() adds the tag to the rule's members and removes
 * it from everyone else, leaves the other strings of `tags` alone, changes
 * nothing the second time, is what F.tags:contains then reads, gives a
 * store without `tags` the set field and refuses a `tags` that is not a
 * set; wrong declarations name the script line.
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
    "id,v,tags\n"
    "t1,5,vip;old\n"
    "t2,1,big\n"
    "t3,7,\n"
    "t4,2,big;x\n"
    "t5,9,big\n";

static const char tag_lua[] =
    TU_SEG_PRELUDE
    "seg.tag 'big' { where = F.v:ge(5), description = 'v of 5 or more' }\n"
    "seg.segment 'tagged' { where = F.tags:contains 'big' }\n"
    "seg.segment 'x' { where = F.tags:contains 'x' }\n";

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_fixture *f = *state;
    assert_int_equal(segrt_field_declare(f->s, "v", SEGRT_T_INTEGER), SEGRT_OK);
    tu_seg_data(f, contacts_csv, NULL, NULL);
    return 0;
}

/* The tags of contact id as "a;b" ("" when it has none). */
static const char *tags_of(segrt_store *s, const char *id, char *out, size_t n)
{
    json_t *v = tu_contact_field(s, id, "tags");
    size_t i, used = 0;
    json_t *item;
    out[0] = '\0';
    json_array_foreach(v, i, item)
        used += (size_t)snprintf(out + used, n - used, "%s%s", i ? ";" : "",
                                 json_string_value(item));
    json_decref(v);
    return out;
}

static void assert_tags(segrt_store *s, const char *id, const char *want)
{
    char got[256];
    if (strcmp(tags_of(s, id, got, sizeof got), want) != 0)
        fail_msg("contact %s has tags \"%s\", expected \"%s\"", id, got, want);
}

/* Evaluate the script's segments named and write its tags for them; the count written. */
static uint64_t write_tags(segrt_store *s, segrt_script *sc, size_t n, const char *const names[])
{
    segrt_set *sets[4] = { 0 };
    uint64_t changed = 99;
    assert_true(n <= 4);
    for (size_t i = 0; i < n; i++) {
        if (segrt_segment_eval(sc, names[i], &sets[i]) != SEGRT_OK)
            fail_msg("segment %s: %s", names[i], segrt_errmsg(s));
    }
    int rc = segrt_script_tags_write(sc, n, names, (const segrt_set *const *)sets, &changed);
    for (size_t i = 0; i < n; i++)
        segrt_set_free(sets[i]);
    if (rc != SEGRT_OK)
        fail_msg("segrt_script_tags_write: %s: %s", segrt_errname(rc), segrt_errmsg(s));
    return changed;
}

static void test_seg_tag_is_written_for_exactly_the_rule_s_members(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "tag", tag_lua);
    tu_assert_members(s, sc, "big", "t1 t3 t5");
    tu_assert_members(s, sc, "tagged", "t2 t4 t5"); /* the imported tags, before a write */
    static const char *const names[] = { "tagged", "big", "x" };
    assert_int_equal(write_tags(s, sc, 3, names), 4); /* t1 t3 gain it, t2 t4 lose it */
    assert_tags(s, "t1", "vip;old;big");
    assert_tags(s, "t2", "");
    assert_tags(s, "t3", "big");
    assert_tags(s, "t4", "x");
    assert_tags(s, "t5", "big");
    tu_assert_members(s, sc, "tagged", "t1 t3 t5");
    tu_assert_members(s, sc, "x", "t4");
    tu_assert_check_ok(s);
    assert_int_equal(write_tags(s, sc, 3, names), 0); /* nothing left to change */
    /* the rule moves: t1 leaves it and loses the tag alone */
    tu_seg_import((tu_fixture *)*state, SEGRT_CONTACTS, "id,v\nt1,2\n");
    assert_int_equal(write_tags(s, sc, 1, names + 1), 1);
    assert_tags(s, "t1", "vip;old");
    tu_assert_members(s, sc, "tagged", "t3 t5");
    segrt_script_free(sc);
}

static void test_seg_tag_names_that_are_not_tags_change_nothing(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "tag", tag_lua);
    static const char *const names[] = { "tagged", "x" };
    assert_int_equal(write_tags(s, sc, 2, names), 0);
    assert_tags(s, "t2", "big");
    uint64_t changed = 7;
    assert_int_equal(segrt_script_tags_write(sc, 0, NULL, NULL, &changed), SEGRT_OK);
    assert_int_equal(changed, 0);
    assert_int_equal(segrt_script_tags_write(NULL, 0, NULL, NULL, &changed), SEGRT_EINVAL);
    assert_int_equal(segrt_script_tags_write(sc, 1, NULL, NULL, &changed), SEGRT_EINVAL);
    const char *big[] = { "big" };
    const segrt_set *none[] = { NULL };
    assert_int_equal(segrt_script_tags_write(sc, 1, big, none, &changed), SEGRT_EINVAL);
    tu_assert_errmsg(s, "no set given for tag 'big'");
    segrt_script_free(sc);
}

static void test_seg_tag_gives_a_store_without_tags_the_set_field(void **state)
{
    (void)state;
    void *own = NULL;
    assert_int_equal(tu_setup_store(&own), 0);
    tu_fixture *f = own;
    assert_int_equal(segrt_field_declare(f->s, "v", SEGRT_T_INTEGER), SEGRT_OK);
    tu_seg_data(f, "id,v\na,1\nb,6\n", NULL, NULL);
    segrt_script *sc = tu_script(f->s, "tag", tag_lua);
    static const char *const names[] = { "big" };
    assert_int_equal(write_tags(f->s, sc, 1, names), 1);
    assert_tags(f->s, "a", "");
    assert_tags(f->s, "b", "big");
    segrt_script_free(sc); /* the field is new: a script loaded now compiles F.tags */
    sc = tu_script(f->s, "tag", tag_lua);
    tu_assert_members(f->s, sc, "tagged", "b");
    tu_assert_check_ok(f->s);
    segrt_script_free(sc);
    tu_teardown_store(&own);
}

static void test_seg_tag_refuses_a_tags_field_that_is_not_a_set(void **state)
{
    (void)state;
    void *own = NULL;
    assert_int_equal(tu_setup_store(&own), 0);
    tu_fixture *f = own;
    assert_int_equal(segrt_field_declare(f->s, "tags", SEGRT_T_STRING), SEGRT_OK);
    tu_seg_data(f, "id,tags\na,one\n", NULL, NULL);
    segrt_script *sc = tu_script(f->s, "tag", TU_SEG_PRELUDE "seg.tag 'all' { where = seg.all{} }\n");
    segrt_set *m = NULL;
    assert_int_equal(segrt_segment_eval(sc, "all", &m), SEGRT_OK);
    const char *names[] = { "all" };
    const segrt_set *sets[] = { m };
    assert_int_equal(segrt_script_tags_write(sc, 1, names, sets, NULL), SEGRT_ESCHEMA);
    tu_assert_errmsg(f->s, "the store's 'tags' is a string");
    char got[64];
    assert_string_equal(tu_contact_str(f->s, "a", "tags", got, sizeof got), "one");
    segrt_set_free(m);
    segrt_script_free(sc);
    tu_teardown_store(&own);
}

#define BAD(chunk, code, ...) \
    tu_assert_script_error(s, chunk, TU_SEG_PRELUDE code, "t", chunk ":3:", __VA_ARGS__, NULL)

static void test_seg_tag_wrong_declarations_name_the_line(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    BAD("no_where", "seg.tag 't' {}\n", "tag 't' needs a where");
    BAD("key", "seg.tag 't' { wher = F.v:eq(1) }\n", "tag 't': unknown key 'wher'");
    BAD("pred", "seg.tag 't' { where = F.v }\n", "tag 't' where: expected a predicate");
    BAD("name", "seg.tag 'a b' { where = F.v:eq(1) }\n", "tag name a b is not");
    BAD("table", "seg.tag 't' (1)\n", "seg.tag \"t\" takes a table");
    BAD("desc", "seg.tag 't' { where = F.v:eq(1), description = 5 }\n",
        "description must be a string");
    tu_assert_script_error(s, "twice", TU_SEG_PRELUDE "seg.segment 't' {}\n"
                           "seg.tag 't' { where = F.v:eq(1) }\n", "t", "twice:4:",
                           "segment 't' is defined twice (first at twice:3)", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_seg_tag_is_written_for_exactly_the_rule_s_members,
                                        setup, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_seg_tag_names_that_are_not_tags_change_nothing,
                                        setup, tu_teardown_store),
        cmocka_unit_test(test_seg_tag_gives_a_store_without_tags_the_set_field),
        cmocka_unit_test(test_seg_tag_refuses_a_tags_field_that_is_not_a_set),
        cmocka_unit_test_setup_teardown(test_seg_tag_wrong_declarations_name_the_line, setup,
                                        tu_teardown_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
