/*
 * test_seg_actions.c — actions declared in scripts (seg.on_enter,
 * seg.on_exit) through the public API: listed in declaration order with
 * their segment, kind and webhook, several per segment, on segments defined
 * later in the script; and every wrong declaration — an unknown segment
 * (with "did you mean"), a URL that is not http(s), a missing webhook or an
 * unknown key — fails the load naming the script line.
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

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_seg_data(*state, "id,v\na,1\n", NULL, NULL);
    return 0;
}

static void assert_action(const segrt_script *sc, size_t i, const char *segment, int on_enter,
                          const char *webhook)
{
    segrt_action a;
    assert_int_equal(segrt_script_action(sc, i, &a), SEGRT_OK);
    assert_string_equal(a.segment, segment);
    assert_int_equal(a.on_enter, on_enter);
    assert_string_equal(a.webhook, webhook);
}

static void test_seg_actions_are_listed_in_declaration_order(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "actions",
                                 TU_SEG_PRELUDE
                                 "seg.on_enter 'vip' { webhook = 'http://127.0.0.1:9000/in' }\n"
                                 "seg.segment 'vip' { where = F.v:ge(1) }\n"
                                 "seg.on_exit 'vip' { webhook = 'https://hooks.example.com/out?x=1' }\n"
                                 "seg.on_enter 'vip' { webhook = 'https://crm.example.com/vip' }\n"
                                 "seg.split 'ab' { A = 50 }\n"
                                 "seg.on_exit 'ab.A' { webhook = 'http://localhost/ab' }\n");
    assert_int_equal(segrt_script_action_count(sc), 4);
    assert_action(sc, 0, "vip", 1, "http://127.0.0.1:9000/in");
    assert_action(sc, 1, "vip", 0, "https://hooks.example.com/out?x=1");
    assert_action(sc, 2, "vip", 1, "https://crm.example.com/vip");
    assert_action(sc, 3, "ab.A", 0, "http://localhost/ab");
    segrt_action a = { .segment = "x" };
    assert_int_equal(segrt_script_action(sc, 4, &a), SEGRT_ENOTFOUND);
    assert_null(a.segment);
    assert_int_equal(segrt_script_action(sc, 0, NULL), SEGRT_EINVAL);
    assert_int_equal(segrt_script_action(NULL, 0, &a), SEGRT_EINVAL);
    assert_int_equal(segrt_script_action_count(NULL), 0);
    segrt_script_free(sc);
    sc = tu_script(s, "none", TU_SEG_PRELUDE "seg.segment 'vip' {}\n");
    assert_int_equal(segrt_script_action_count(sc), 0);
    segrt_script_free(sc);
}

#define BAD(chunk, code, ...) \
    tu_assert_script_error(s, chunk, TU_SEG_PRELUDE "seg.segment 'vip' {}\n" code, "vip", \
                           chunk ":4:", __VA_ARGS__, NULL)

static void test_seg_actions_wrong_declarations_name_the_line(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    BAD("unknown", "seg.on_enter 'vpi' { webhook = 'http://h/' }\n",
        "seg.on_enter names unknown segment 'vpi' (did you mean 'vip'?)");
    BAD("unknown_exit", "seg.on_exit 'zzzzzz' { webhook = 'http://h/' }\n",
        "seg.on_exit names unknown segment 'zzzzzz'");
    BAD("scheme", "seg.on_enter 'vip' { webhook = 'ftp://h/' }\n",
        "seg.on_enter \"vip\": webhook \"ftp://h/\" is not an http:// or https:// URL");
    BAD("no_host", "seg.on_exit 'vip' { webhook = 'http:///x' }\n", "is not an http:// or https://");
    BAD("space", "seg.on_exit 'vip' { webhook = 'http://h/a b' }\n", "is not an http:// or https://");
    BAD("missing", "seg.on_enter 'vip' {}\n", "seg.on_enter \"vip\" needs a webhook");
    BAD("type", "seg.on_enter 'vip' { webhook = 5 }\n", "needs a webhook");
    BAD("key", "seg.on_exit 'vip' { webhook = 'http://h/', retries = 3 }\n",
        "seg.on_exit \"vip\": unknown key 'retries' (webhook)");
    BAD("table", "seg.on_enter 'vip' 'http://h/'\n", "takes a table { webhook");
    BAD("name", "seg.on_enter(5) { webhook = 'http://h/' }\n", "seg.on_enter takes a segment name");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seg_actions_are_listed_in_declaration_order),
        cmocka_unit_test(test_seg_actions_wrong_declarations_name_the_line),
    };
    return cmocka_run_group_tests(tests, setup, tu_teardown_store);
}
