/*
 * test_import_memo.c — the memo of a column's recent strings (import_memo.c)
 * and its use by the import: what it keeps and forgets, and that codes
 * stay right when more strings than its slots rotate, when a strict feed of
 * a stream is aborted (its new strings leave the dictionary) and when a
 * name is checked again (a bad type is still rejected).
 *
 * Uses: cmocka, import.h (the stream), import_memo.h, test_util.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "import/import.h"
#include "import/import_memo.h"
#include "test_util.h"

/* ------------------------------------------------------------ the memo */

/*
 * Of 300 texts put in turn, every find gives the text's own code or 0; the
 * last two put are found; no more are found than the memo has slots.
 */
static void test_import_memo_finds_what_was_put_and_forgets_the_older_of_a_set(void **state)
{
    (void)state;
    import_memo m = { 0 };
    char text[16];
    assert_int_equal(import_memo_find(&m, "a", 1), 0);
    for (uint32_t i = 1; i <= 300; i++) {
        snprintf(text, sizeof text, "text%u", i);
        import_memo_put(&m, text, strlen(text), i);
        assert_int_equal(import_memo_find(&m, text, strlen(text)), i);
        if (i > 1) {
            snprintf(text, sizeof text, "text%u", i - 1);
            assert_int_equal(import_memo_find(&m, text, strlen(text)), i - 1);
        }
    }
    size_t found = 0;
    for (uint32_t i = 1; i <= 300; i++) {
        snprintf(text, sizeof text, "text%u", i);
        uint32_t code = import_memo_find(&m, text, strlen(text));
        assert_true(code == 0 || code == i);
        found += code != 0;
    }
    assert_true(found > 64 && found <= 2 * IMPORT_MEMO_SETS);
    assert_int_equal(import_memo_find(&m, "t", 1), 0); /* a prefix is another string */
    assert_int_equal(import_memo_find(&m, "text3000", 8), 0);
    import_memo_clear(&m);
    assert_int_equal(import_memo_find(&m, "text300", 7), 0);
}

/* The bench data's 18 event categories, put in turn, all stay: a row's category is a hit. */
static void test_import_memo_keeps_the_bench_categories_together(void **state)
{
    (void)state;
    static const char *const cats[] = { "apparel", "grinder", "yoga", "electronics", "pricing",
                                        "home", "ground_coffee", "books", "subscription",
                                        "accessories", "espresso_machine", "spinning", "product",
                                        "blog", "coffee_beans", "pilates", "checkout", "crossfit" };
    import_memo m = { 0 };
    for (uint32_t i = 0; i < 18; i++)
        import_memo_put(&m, cats[i], strlen(cats[i]), i + 1);
    for (uint32_t i = 0; i < 18; i++)
        assert_int_equal(import_memo_find(&m, cats[i], strlen(cats[i])), i + 1);
}

/* The first 8 bytes are compared as one number: texts that share them, or that differ only
 * by trailing zero bytes, are still told apart. */
static void test_import_memo_tells_texts_apart_past_their_first_8_bytes(void **state)
{
    (void)state;
    import_memo m = { 0 };
    import_memo_put(&m, "purchase", 8, 1);
    import_memo_put(&m, "purchase_a", 10, 2);
    import_memo_put(&m, "purchase_b", 10, 3);
    import_memo_put(&m, "a", 1, 4);
    import_memo_put(&m, "a\0", 2, 5);
    import_memo_put(&m, "abcdefgh\0", 9, 6);
    assert_int_equal(import_memo_find(&m, "purchase", 8), 1);
    assert_int_equal(import_memo_find(&m, "purchase_a", 10), 2);
    assert_int_equal(import_memo_find(&m, "purchase_b", 10), 3);
    assert_int_equal(import_memo_find(&m, "purchase_c", 10), 0);
    assert_int_equal(import_memo_find(&m, "purchas", 7), 0);
    assert_int_equal(import_memo_find(&m, "purchase_", 9), 0);
    assert_int_equal(import_memo_find(&m, "a", 1), 4);
    assert_int_equal(import_memo_find(&m, "a\0", 2), 5);
    assert_int_equal(import_memo_find(&m, "a\0\0", 3), 0);
    assert_int_equal(import_memo_find(&m, "abcdefgh", 8), 0);
    assert_int_equal(import_memo_find(&m, "abcdefgh\0", 9), 6);
    assert_int_equal(import_memo_find(&m, "abcdefgh\1", 9), 0);
}

static void test_import_memo_keeps_no_long_or_empty_text_and_no_code_0(void **state)
{
    (void)state;
    import_memo m = { 0 };
    char longest[IMPORT_MEMO_TEXT + 1];
    memset(longest, 'x', sizeof longest);
    import_memo_put(&m, longest, IMPORT_MEMO_TEXT, 5);
    assert_int_equal(import_memo_find(&m, longest, IMPORT_MEMO_TEXT), 5);
    import_memo_put(&m, longest, IMPORT_MEMO_TEXT + 1, 6);
    assert_int_equal(import_memo_find(&m, longest, IMPORT_MEMO_TEXT + 1), 0);
    import_memo_put(&m, "", 0, 7);
    assert_int_equal(import_memo_find(&m, "", 0), 0);
    import_memo_put(&m, "zero", 4, 0);
    assert_int_equal(import_memo_find(&m, "zero", 4), 0);
    assert_int_equal(import_memo_find(&m, longest, IMPORT_MEMO_TEXT), 5); /* still there */
}

/* ------------------------------------------------------------ the import */

static int note_type(void *ud, const char *name, uint64_t n)
{
    return tu_append_count(ud, name, n);
}

/* "type=count " for every event type of the store, by name. */
static void assert_types(segrt_store *s, const char *want)
{
    tu_counts got = { "" };
    assert_int_equal(segrt_event_types_foreach(s, note_type, &got), SEGRT_OK);
    assert_string_equal(got.text, want);
}

/* One JSON line of an event of contact id, of the type given, at second t of 2025. */
static void event_line(char *out, size_t n, const char *id, const char *type, int t)
{
    snprintf(out, n, "{\"contact_id\":\"%s\",\"ts\":\"2025-01-01T00:00:%02dZ\",\"type\":\"%s\","
                     "\"category\":\"a_category_name_longer_than_the_memo\"}\n", id, t % 60,
             type);
}

static void feed(import_ctx *c, const char *text, int strict, int want_rc)
{
    segrt_import_opts o = { .strict = strict };
    segrt_import_report rep;
    int rc = import_stream_feed(c, text, strlen(text), &o, &rep, NULL, NULL);
    if (rc != want_rc)
        fail_msg("feed: %s, expected %s", segrt_errname(rc), segrt_errname(want_rc));
}

static void test_import_memo_codes_stay_right_across_rotation_and_an_aborted_feed(void **state)
{
    tu_fixture *f = *state;
    tu_seg_import(f, SEGRT_CONTACTS, "id\nc1\nc2\n");
    import_ctx *c;
    assert_int_equal(import_stream_open(f->s, SEGRT_EVENTS, "stream", &c), SEGRT_OK);
    /* ten types in turn (the memo's sets forget some of them as they fill) */
    static const char *const types[] = { "t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8",
                                         "t9" };
    char text[8192] = "", line[256];
    for (int i = 0; i < 30; i++) {
        event_line(line, sizeof line, "c1", types[i % 10], i);
        strcat(text, line);
    }
    feed(c, text, 0, SEGRT_OK);
    /* a strict feed that fails after its first row: "new_type" is interned, then dropped */
    text[0] = '\0';
    event_line(line, sizeof line, "c2", "new_type", 1);
    strcat(text, line);
    event_line(line, sizeof line, "nobody", "t1", 2);
    strcat(text, line);
    feed(c, text, 1, SEGRT_EBADROW);
    /* the same stream goes on: another new type, then the dropped one, then a bad name */
    text[0] = '\0';
    event_line(line, sizeof line, "c2", "other_type", 3);
    strcat(text, line);
    event_line(line, sizeof line, "c2", "new_type", 4);
    strcat(text, line);
    event_line(line, sizeof line, "c2", "t0", 5);
    strcat(text, line);
    event_line(line, sizeof line, "c2", "bad-name", 6);
    strcat(text, line);
    segrt_import_opts o = { 0 };
    segrt_import_report rep;
    assert_int_equal(import_stream_feed(c, text, strlen(text), &o, &rep, NULL, NULL), SEGRT_OK);
    assert_int_equal(rep.rejected, 1); /* bad-name */
    import_stream_close(c);
    assert_types(f->s, "new_type=1 other_type=1 t0=4 t1=3 t2=3 t3=3 t4=3 t5=3 t6=3 t7=3 t8=3 t9=3 ");
    tu_assert_check_ok(f->s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_memo_finds_what_was_put_and_forgets_the_older_of_a_set),
        cmocka_unit_test(test_import_memo_keeps_the_bench_categories_together),
        cmocka_unit_test(test_import_memo_tells_texts_apart_past_their_first_8_bytes),
        cmocka_unit_test(test_import_memo_keeps_no_long_or_empty_text_and_no_code_0),
        TU_STORE_TEST(test_import_memo_codes_stay_right_across_rotation_and_an_aborted_feed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
