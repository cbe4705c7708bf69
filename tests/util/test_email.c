/*
 * test_email.c — unit tests of email.c: normalisation (trimming, ASCII and
 * Unicode lower-casing, including characters whose lower case is longer in
 * UTF-8, and bytes that are not UTF-8) and the plausibility check.
 *
 * Uses: cmocka, email.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/email.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ helpers */

/* Normalise in; fail unless the result is exactly want. */
static void assert_normalizes(const char *in, const char *want)
{
    buf out = { 0 };
    assert_int_equal(email_normalize(in, strlen(in), &out), 0);
    if (out.len != strlen(want) || (out.len && memcmp(out.p, want, out.len) != 0))
        fail_msg("\"%s\" normalised to \"%.*s\", expected \"%s\"", in, (int)out.len,
                 out.p ? (const char *)out.p : "", want);
    buf_free(&out);
}

static int plausible(const char *s)
{
    return email_plausible(s, strlen(s));
}

/* ------------------------------------------------------------ normalisation */

static void test_email_normalize_trims_ascii_white_space(void **state)
{
    (void)state;
    assert_normalizes("  ana@ex.ro\t", "ana@ex.ro");
    assert_normalizes("\r\n\v\fana@ex.ro \r\n", "ana@ex.ro");
    assert_normalizes("ana @ex.ro", "ana @ex.ro"); /* inner spaces are kept */
    assert_normalizes("   ", "");
    assert_normalizes("", "");
}

static void test_email_normalize_lower_cases_ascii_only_letters(void **state)
{
    (void)state;
    assert_normalizes("Ana.Pop+NEWS@Example.COM", "ana.pop+news@example.com");
    assert_normalizes("AZaz09@[]^_`{}~", "azaz09@[]^_`{}~"); /* the neighbours of A-Z stay */
}

static void test_email_normalize_lower_cases_non_ascii_letters(void **state)
{
    (void)state;
    assert_normalizes("ȘTEFAN@EX.RO", "ștefan@ex.ro");
    assert_normalizes("ŁUKASZ.ŻÓŁW@PRZYKŁAD.PL", "łukasz.żółw@przykład.pl");
    assert_normalizes("ГЕОРГИ@ПРИМЕР.БГ", "георги@пример.бг");
    assert_normalizes(" ΣΟΦΙΑ@EX.GR ", "σοφια@ex.gr");
    assert_normalizes("ștefan@ex.ro", "ștefan@ex.ro"); /* already lower */
}

static void test_email_normalize_grows_when_lower_case_is_longer(void **state)
{
    (void)state;
    /* U+023A (2 bytes) lower-cases to U+2C65 (3 bytes); many of them overrun a
     * buffer sized from the input. */
    char in[3 * 2 * 40 + 8] = "", want[3 * 3 * 40 + 8] = "";
    for (int i = 0; i < 40; i++) {
        strcat(in, "\xC8\xBA");
        strcat(want, "\xE2\xB1\xA5");
    }
    strcat(in, "@X");
    strcat(want, "@x");
    assert_normalizes(in, want);
}

static void test_email_normalize_keeps_bytes_that_are_not_utf8(void **state)
{
    (void)state;
    assert_normalizes("A\xFF" "B@X", "a\xFF" "b@x");
    assert_normalizes("\xC8@X", "\xC8@x"); /* a lead byte without its continuation */
}

static void test_email_normalize_reuses_the_output_buffer(void **state)
{
    (void)state;
    buf out = { 0 };
    assert_int_equal(email_normalize("LONG.ADDRESS@EXAMPLE.COM", 24, &out), 0);
    assert_int_equal(email_normalize(" A@B ", 5, &out), 0);
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.p, "a@b", 3);
    assert_int_equal(email_normalize("XY@Z.COM", 4, &out), 0); /* n bounds the input */
    assert_int_equal(out.len, 4);
    assert_memory_equal(out.p, "xy@z", 4);
    buf_free(&out);
}

/* ------------------------------------------------------------ plausibility */

static void test_email_plausible_accepts_local_at_domain(void **state)
{
    (void)state;
    static const char *const good[] = { "a@b", "ana.pop@ex.ro", "ștefan@ex.ro",
                                        "x+tag@sub.example.com", "\"q\"@h",
                                        "\"ana pop\"@ex.ro", "\"a@b\"@ex.ro", "o'neil@ex.ie",
                                        "a@[192.0.2.1]", "{x}|~@ex.ro", "a@münchen.de" };
    for (size_t i = 0; i < ARRAY_LEN(good); i++) {
        if (!plausible(good[i]))
            fail_msg("\"%s\" was found implausible", good[i]);
    }
}

static void test_email_plausible_rejects_what_is_not_an_address(void **state)
{
    (void)state;
    static const char *const bad[] = { "", "@", "ana", "@ex.ro", "ana@", "a@b@c", "a@@b",
                                       "ana pop@ex.ro", "ana@ex.ro ", "ana@ex\t.ro", "a\n@b",
                                       "tom,x@example.com", "a..b@ex.ro", ".a@ex.ro", "a.@ex.ro",
                                       "a@ex..ro", "a@ex.ro.", "a(b)@ex.ro", "a@ex,ro",
                                       "\"a\"b@ex.ro", "a@[1.2 .3]", "a\\b@ex.ro",
                                       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.ro" };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        if (plausible(bad[i]))
            fail_msg("\"%s\" was found plausible", bad[i]);
    }
    assert_false(email_plausible("a@bc", 2)); /* n bounds the input: "a@" */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_email_normalize_trims_ascii_white_space),
        cmocka_unit_test(test_email_normalize_lower_cases_ascii_only_letters),
        cmocka_unit_test(test_email_normalize_lower_cases_non_ascii_letters),
        cmocka_unit_test(test_email_normalize_grows_when_lower_case_is_longer),
        cmocka_unit_test(test_email_normalize_keeps_bytes_that_are_not_utf8),
        cmocka_unit_test(test_email_normalize_reuses_the_output_buffer),
        cmocka_unit_test(test_email_plausible_accepts_local_at_domain),
        cmocka_unit_test(test_email_plausible_rejects_what_is_not_an_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
