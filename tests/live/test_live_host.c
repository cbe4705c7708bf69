/*
 * test_live_host.c — the live-session calls a resident host (segrt serve)
 * uses, through the public API: strict batches that keep nothing, rejects
 * by line; members as a set of their own, paged with segrt_set_ids_after;
 * erasure out of every segment without a report; a new NOW that moves time
 * windows, reports exactly the changes and writes the tags they move;
 * several scripts loaded as one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "segrt.h"
#include "test_util.h"

#define DAY 86400

static const char contacts[] = "id,email\na1,a1@example.com\na2,a2@example.com\n"
                               "a3,a3@example.com\nb1,b1@example.com\n";
static const char events[] = "contact_id,ts,type,amount\n"
                             "a1,2025-12-31T12:00:00Z,login,\n"
                             "a2,2025-12-20T12:00:00Z,login,\n"
                             "a3,2025-12-31T20:00:00Z,purchase,40\n";
static const char script[] = TU_SEG_PRELUDE
    "seg.segment 'recent_login' { where = E.login:within(days(3)):exists() }\n"
    "seg.segment 'buyers' { where = E.purchase:exists() }\n"
    "seg.segment 'everyone' { }\n";

static int64_t at(const char *text)
{
    int64_t t;
    assert_int_equal(segrt_time_parse(text, &t), SEGRT_OK);
    return t;
}

static int setup(void **state)
{
    int rc = tu_setup_store(state);
    tu_fixture *f = *state;
    segrt_store_set_now(f->s, at("2026-01-01T00:00:00Z"));
    tu_import_text(f, SEGRT_CONTACTS, "c.csv", contacts, NULL);
    tu_import_text(f, SEGRT_EVENTS, "e.csv", events, NULL);
    return rc;
}

/* The changes a call reported, "+id segment" / "-id segment", space-separated. */
typedef struct changes {
    char text[1024];
} changes;

static int note(void *ud, const char *id, const char *segment, int entered)
{
    changes *c = ud;
    size_t used = strlen(c->text);
    snprintf(c->text + used, sizeof c->text - used, "%s%c%s %s", used ? " " : "",
             entered ? '+' : '-', id, segment);
    return 0;
}

static uint64_t count(segrt_live *lv, const char *segment)
{
    uint64_t n = 0;
    assert_int_equal(segrt_live_count(lv, segment, &n), SEGRT_OK);
    return n;
}

static void test_strict_batch_keeps_nothing_and_lenient_reports_lines(void **state)
{
    tu_fixture *f = *state;
    segrt_script *sc = tu_script(f->s, "t", script);
    segrt_live *lv = NULL;
    assert_int_equal(segrt_live_open(sc, &lv), SEGRT_OK);
    const char rows[] =
        "{\"contact_id\":\"b1\",\"ts\":\"2025-12-30T00:00:00Z\",\"type\":\"purchase\"}\n"
        "{\"contact_id\":\"b1\",\"ts\":\"yesterday\",\"type\":\"purchase\"}\n";
    tu_rejects rej = { 0 };
    segrt_import_opts strict = { .strict = 1, .on_reject = tu_on_reject, .ud = &rej };
    segrt_import_report rep;
    changes ch = { "" };
    assert_int_equal(segrt_live_apply_opts(lv, SEGRT_EVENTS, rows, strlen(rows), &strict, note, &ch,
                                           &rep),
                     SEGRT_EBADROW);
    assert_int_equal(rej.n, 1);
    assert_int_equal(rej.line[0], 2);
    assert_string_equal(ch.text, "");
    assert_int_equal(count(lv, "buyers"), 1); /* b1's good row was not kept either */

    segrt_import_opts lenient = { .on_reject = tu_on_reject, .ud = &rej };
    rej = (tu_rejects){ 0 };
    assert_int_equal(segrt_live_apply_opts(lv, SEGRT_EVENTS, rows, strlen(rows), &lenient, note,
                                           &ch, &rep),
                     SEGRT_OK);
    assert_int_equal(rep.accepted, 1);
    assert_int_equal(rej.n, 1);
    assert_int_equal(rej.line[0], 2);
    assert_string_equal(ch.text, "+b1 buyers");
    assert_int_equal(segrt_live_sync(lv), SEGRT_OK);
    assert_int_equal(segrt_live_sync(NULL), SEGRT_EINVAL);
    assert_int_equal(segrt_live_close(lv), SEGRT_OK);
    tu_assert_members(f->s, sc, "buyers", "a3 b1");
    segrt_script_free(sc);
}

static int add(void *ud, const char *id)
{
    return tu_add_id(ud, id);
}

static int stop_after_two(void *ud, const char *id)
{
    tu_ids *t = ud;
    if (strchr(t->text, ' '))
        return 1;
    return tu_add_id(ud, id);
}

static void test_members_are_a_copy_and_page_in_byte_order(void **state)
{
    tu_fixture *f = *state;
    segrt_script *sc = tu_script(f->s, "t", script);
    segrt_live *lv = NULL;
    assert_int_equal(segrt_live_open(sc, &lv), SEGRT_OK);
    segrt_set *m = NULL;
    assert_int_equal(segrt_live_members(lv, "no_such", &m), SEGRT_ENOTFOUND);
    assert_null(m);
    assert_int_equal(segrt_live_members(lv, "everyone", &m), SEGRT_OK);
    const char rows[] = "{\"id\":\"a0\",\"email\":\"a0@example.com\"}\n";
    assert_int_equal(segrt_live_apply(lv, SEGRT_CONTACTS, rows, strlen(rows), NULL, NULL, NULL),
                     SEGRT_OK);
    assert_int_equal(segrt_set_count(m), 4); /* the copy does not follow the session */
    assert_int_equal(count(lv, "everyone"), 5);
    tu_ids page = { "" };
    assert_int_equal(segrt_set_ids_after(f->s, m, NULL, stop_after_two, &page), 1);
    assert_string_equal(page.text, "a1 a2");
    page = (tu_ids){ "" };
    assert_int_equal(segrt_set_ids_after(f->s, m, "a2", add, &page), SEGRT_OK);
    assert_string_equal(page.text, "a3 b1");
    page = (tu_ids){ "" };
    assert_int_equal(segrt_set_ids_after(f->s, m, "a25", add, &page), SEGRT_OK); /* not an id */
    assert_string_equal(page.text, "a3 b1");
    page = (tu_ids){ "" };
    assert_int_equal(segrt_set_ids_after(f->s, m, "zz", add, &page), SEGRT_OK);
    assert_string_equal(page.text, "");
    segrt_set_free(m);
    /* a small set takes the other path (lookups, then a sort) */
    assert_int_equal(segrt_live_members(lv, "buyers", &m), SEGRT_OK);
    page = (tu_ids){ "" };
    assert_int_equal(segrt_set_ids_after(f->s, m, "a1", add, &page), SEGRT_OK);
    assert_string_equal(page.text, "a3");
    page = (tu_ids){ "" };
    assert_int_equal(segrt_set_ids_after(f->s, m, "a3", add, &page), SEGRT_OK);
    assert_string_equal(page.text, "");
    segrt_set_free(m);
    assert_int_equal(segrt_live_close(lv), SEGRT_OK);
    segrt_script_free(sc);
}

static void test_erase_leaves_every_segment_unreported(void **state)
{
    tu_fixture *f = *state;
    segrt_script *sc = tu_script(f->s, "t", script);
    segrt_live *lv = NULL;
    assert_int_equal(segrt_live_open(sc, &lv), SEGRT_OK);
    assert_int_equal(segrt_live_erase(lv, "nobody", "test"), SEGRT_ENOTFOUND);
    assert_int_equal(segrt_live_erase(lv, "a3", "test"), SEGRT_OK);
    int in = 1;
    assert_int_equal(segrt_live_contains(lv, "buyers", "a3", &in), SEGRT_ENOTFOUND);
    assert_int_equal(count(lv, "buyers"), 0);
    assert_int_equal(count(lv, "everyone"), 3);
    /* the import stream sees the erasure: a3 comes back as a new contact */
    const char rows[] = "{\"id\":\"a3\",\"email\":\"a3@example.com\"}\n";
    assert_int_equal(segrt_live_apply(lv, SEGRT_CONTACTS, rows, strlen(rows), NULL, NULL, NULL),
                     SEGRT_OK);
    assert_int_equal(count(lv, "everyone"), 4);
    assert_int_equal(count(lv, "buyers"), 0);
    assert_int_equal(segrt_live_close(lv), SEGRT_OK);
    tu_assert_check_ok(f->s);
    segrt_script_free(sc);
}

static void test_tick_moves_time_windows_and_reports_the_changes(void **state)
{
    tu_fixture *f = *state;
    segrt_script *sc = tu_script(f->s, "t", script);
    segrt_live *lv = NULL;
    assert_int_equal(segrt_live_open(sc, &lv), SEGRT_OK);
    assert_int_equal(count(lv, "recent_login"), 1); /* a1 logged in 12 h ago, a2 12 days */
    changes ch = { "" };
    int64_t now = at("2026-01-01T00:00:00Z");
    assert_int_equal(segrt_live_tick(lv, now + DAY, note, &ch), SEGRT_OK);
    assert_string_equal(ch.text, ""); /* still within 3 days */
    /* a login arrives between ticks; its contact is evaluated at the session's NOW */
    const char rows[] =
        "{\"contact_id\":\"b1\",\"ts\":\"2026-01-01T18:00:00Z\",\"type\":\"login\"}\n";
    assert_int_equal(segrt_live_apply(lv, SEGRT_EVENTS, rows, strlen(rows), note, &ch, NULL),
                     SEGRT_OK);
    assert_string_equal(ch.text, "+b1 recent_login");
    ch = (changes){ "" };
    assert_int_equal(segrt_live_tick(lv, now + 3 * DAY, note, &ch), SEGRT_OK);
    assert_string_equal(ch.text, "-a1 recent_login");
    assert_int_equal(count(lv, "recent_login"), 1);
    ch = (changes){ "" };
    assert_int_equal(segrt_live_tick(lv, now + 10 * DAY, NULL, NULL), SEGRT_OK);
    assert_int_equal(count(lv, "recent_login"), 0);
    /* the session still applies rows after ticks */
    assert_int_equal(segrt_live_apply(lv, SEGRT_EVENTS, rows, strlen(rows), note, &ch, NULL),
                     SEGRT_OK);
    assert_int_equal(segrt_live_tick(NULL, now, NULL, NULL), SEGRT_EINVAL);
    assert_int_equal(segrt_live_close(lv), SEGRT_OK);
    tu_assert_check_ok(f->s);
    segrt_script_free(sc);
}

/* Whether contact id carries tag in its tags field. */
static int has_tag(segrt_store *s, const char *id, const char *tag)
{
    json_t *tags = tu_contact_field(s, id, "tags"), *t;
    size_t i;
    int found = 0;
    json_array_foreach(tags, i, t) found |= strcmp(json_string_value(t), tag) == 0;
    json_decref(tags);
    return found;
}

static void test_tick_writes_the_tags_time_moves(void **state)
{
    tu_fixture *f = *state;
    segrt_script *sc = tu_script(f->s, "t", TU_SEG_PRELUDE
        "seg.tag 'logged_in' { where = E.login:within(days(3)):exists() }\n");
    segrt_live *lv = NULL;
    assert_int_equal(segrt_live_open(sc, &lv), SEGRT_OK);
    const char rows[] =
        "{\"contact_id\":\"b1\",\"ts\":\"2025-12-31T18:00:00Z\",\"type\":\"login\"}\n";
    changes ch = { "" };
    assert_int_equal(segrt_live_apply(lv, SEGRT_EVENTS, rows, strlen(rows), note, &ch, NULL),
                     SEGRT_OK);
    assert_string_equal(ch.text, "+b1 logged_in");
    assert_true(has_tag(f->s, "b1", "logged_in"));
    ch = (changes){ "" };
    /* a1 logged in 2025-12-31T12:00, b1 six hours later: a1 leaves first */
    assert_int_equal(segrt_live_tick(lv, at("2026-01-03T15:00:00Z"), note, &ch), SEGRT_OK);
    assert_string_equal(ch.text, "-a1 logged_in");
    assert_false(has_tag(f->s, "a1", "logged_in"));
    assert_true(has_tag(f->s, "b1", "logged_in"));
    assert_int_equal(segrt_live_tick(lv, at("2026-01-10T00:00:00Z"), NULL, NULL), SEGRT_OK);
    assert_false(has_tag(f->s, "b1", "logged_in")); /* written with no one told */
    assert_int_equal(segrt_live_close(lv), SEGRT_OK);
    tu_assert_check_ok(f->s);
    segrt_script_free(sc);
}

static void test_several_scripts_load_as_one(void **state)
{
    tu_fixture *f = *state;
    char a[TU_PATH_MAX], b[TU_PATH_MAX];
    tu_write(a, f->dir, "a.lua",
             TU_SEG_PRELUDE "seg.segment 'buyers' { where = E.purchase:exists() }\n");
    tu_write(b, f->dir, "b.lua",
             TU_SEG_PRELUDE "seg.segment 'loyal' { where = seg.member 'buyers' }\n");
    segrt_script *sc = NULL;
    const char *both[] = { a, b };
    assert_int_equal(segrt_script_load_many(f->s, 2, both, &sc), SEGRT_OK);
    assert_int_equal(segrt_script_segment_count(sc), 2);
    tu_assert_members(f->s, sc, "loyal", "a3");
    segrt_script_free(sc);
    const char *twice[] = { a, a };
    assert_int_equal(segrt_script_load_many(f->s, 2, twice, &sc), SEGRT_ELUA);
    assert_null(sc);
    tu_assert_errmsg(f->s, "buyers");
    const char *missing[] = { a, "no_such_pack" };
    assert_int_equal(segrt_script_load_many(f->s, 2, missing, &sc), SEGRT_ELUA);
    tu_assert_errmsg(f->s, "no_such_pack");
    assert_int_equal(segrt_script_load_many(f->s, 0, both, &sc), SEGRT_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_strict_batch_keeps_nothing_and_lenient_reports_lines,
                                        setup, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_members_are_a_copy_and_page_in_byte_order, setup,
                                        tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_erase_leaves_every_segment_unreported, setup,
                                        tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_tick_moves_time_windows_and_reports_the_changes,
                                        setup, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_tick_writes_the_tags_time_moves, setup,
                                        tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_several_scripts_load_as_one, setup,
                                        tu_teardown_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
