/*
 * test_phone.c — unit tests of phone.c: Romanian, Polish and Bulgarian
 * numbers in their national formats (trunk prefix 0, spaces, dashes, dots,
 * parentheses) and international ones (+, 00, "(0)"), the contact's country
 * for national numbers, other countries, and numbers that cannot be read.
 *
 * Uses: cmocka, phone.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/phone.h"

/* Read number as a contact of country; fail unless it gives want. */
static void assert_e164(const char *number, const char *country, const char *want)
{
    char out[PHONE_E164_MAX];
    const char *why = phone_e164(number, strlen(number), country, country ? strlen(country) : 0,
                                 out);
    if (why != NULL)
        fail_msg("\"%s\" (country %s) not read: %s; expected %s", number,
                 country ? country : "none", why, want);
    if (strcmp(out, want) != 0)
        fail_msg("\"%s\" (country %s) read as %s, expected %s", number,
                 country ? country : "none", out, want);
}

/* Fail unless number (of country) is refused with a reason containing needle. */
static void assert_refused(const char *number, const char *country, const char *needle)
{
    char out[PHONE_E164_MAX];
    const char *why = phone_e164(number, strlen(number), country, country ? strlen(country) : 0,
                                 out);
    if (why == NULL)
        fail_msg("\"%s\" (country %s) was read as %s, expected a refusal", number,
                 country ? country : "none", out);
    if (strstr(why, needle) == NULL)
        fail_msg("\"%s\" refused with \"%s\", expected it to contain \"%s\"", number, why,
                 needle);
    assert_string_equal(out, "");
}

static void test_phone_romanian_national_formats(void **state)
{
    (void)state;
    static const char *const mobile[] = { "0721 234 567", "0721-234-567", "0721.234.567",
                                          "0721234567", "(0721) 234 567", "  0721/234567 ",
                                          "721 234 567" };
    for (size_t i = 0; i < sizeof mobile / sizeof mobile[0]; i++)
        assert_e164(mobile[i], "RO", "+40721234567");
    assert_e164("(021) 312 34 56", "RO", "+40213123456"); /* Bucharest landline */
    assert_e164("0264 123 456", "ro", "+40264123456");    /* country in any case */
}

static void test_phone_romanian_international_formats(void **state)
{
    (void)state;
    static const char *const forms[] = { "+40 721 234 567", "+40721234567", "0040 721 234 567",
                                         "+40 (0)721 234 567", "0040-(0)721-234-567",
                                         "+40.721.234.567" };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        assert_e164(forms[i], "RO", "+40721234567");
        assert_e164(forms[i], "PL", "+40721234567"); /* the prefix wins over the country */
        assert_e164(forms[i], NULL, "+40721234567");
    }
}

static void test_phone_polish_numbers(void **state)
{
    (void)state;
    assert_e164("512 345 678", "PL", "+48512345678");
    assert_e164("512-345-678", "PL", "+48512345678");
    assert_e164("(22) 123 45 67", "PL", "+48221234567");
    assert_e164("0 22 123 45 67", "PL", "+48221234567"); /* the old trunk prefix */
    assert_e164("+48 512 345 678", "RO", "+48512345678");
    assert_e164("0048 12 345 67 89", NULL, "+48123456789");
}

static void test_phone_bulgarian_numbers(void **state)
{
    (void)state;
    assert_e164("0888 123 456", "BG", "+359888123456");  /* mobile: 9 digits */
    assert_e164("02 123 4567", "BG", "+35921234567");    /* Sofia: 8 digits */
    assert_e164("(032) 62 34 56", "BG", "+35932623456"); /* Plovdiv */
    assert_e164("+359 88 812 3456", NULL, "+359888123456");
    assert_e164("00359 2 123 4567", "RO", "+35921234567");
    assert_e164("+359 (0)88 812 3456", NULL, "+359888123456");
}

static void test_phone_country_decides_a_national_number(void **state)
{
    (void)state;
    assert_e164("0721 234 567", "RO", "+40721234567");
    assert_e164("0721 234 567", "BG", "+359721234567");
    assert_e164("0721 234 567", "PL", "+48721234567");
    assert_refused("7212345678", "PL", "Polish"); /* 10 digits, no trunk prefix */
    assert_refused("0721 234 567", "DE", "country is not RO, PL or BG");
    assert_refused("0721 234 567", NULL, "country is not RO, PL or BG");
    assert_refused("0721 234 567", "ROU", "country is not RO, PL or BG");
}

static void test_phone_other_countries_are_taken_as_they_are(void **state)
{
    (void)state;
    assert_e164("+49 30 1234567", "RO", "+49301234567");
    assert_e164("0049 (30) 123-4567", NULL, "+49301234567");
    assert_refused("+49 301", NULL, "8 to 15 digits");
    assert_refused("+0 721 234 567", NULL, "not starting with 0");
    assert_refused("+1 234 567 890 123 456", NULL, "more than 15 digits");
}

static void test_phone_bad_numbers_are_refused_with_a_reason(void **state)
{
    (void)state;
    assert_refused("12", "RO", "Romanian");
    assert_refused("0721 234 56", "RO", "Romanian");      /* 8 digits */
    assert_refused("0721 234 5678", "RO", "Romanian");    /* 10 digits */
    assert_refused("0121 234 567", "RO", "Romanian");     /* no RO number starts with 1 */
    assert_refused("+40 121 234 567", NULL, "Romanian");
    assert_refused("+48 012 345 678", NULL, "Polish");    /* 0 then 12 345 678: 8 digits */
    assert_refused("0888 123", "BG", "Bulgarian");        /* 7 digits */
    assert_refused("0888 123 45678", "BG", "Bulgarian");  /* 10 digits */
    assert_refused("0721 234 56a", "RO", "characters other than digits");
    assert_refused("0721 234 567 ext. 12", "RO", "characters other than digits");
    assert_refused("0721+234567", "RO", "'+' that does not start it");
    assert_refused("++40721234567", NULL, "'+' that does not start it");
    assert_refused("   ", "RO", "empty");
    assert_refused("(-)", "RO", "no digits");
    assert_refused("0040 0040 0040 0040 12", NULL, "more than 15 digits");
    assert_refused("0040 0040 0040 0040 1", NULL, "Romanian"); /* 13 digits after +40 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone_romanian_national_formats),
        cmocka_unit_test(test_phone_romanian_international_formats),
        cmocka_unit_test(test_phone_polish_numbers),
        cmocka_unit_test(test_phone_bulgarian_numbers),
        cmocka_unit_test(test_phone_country_decides_a_national_number),
        cmocka_unit_test(test_phone_other_countries_are_taken_as_they_are),
        cmocka_unit_test(test_phone_bad_numbers_are_refused_with_a_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
