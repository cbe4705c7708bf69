/*
 * test_value_local.c — unit tests of value_local.c (numbers with a decimal
 * comma and thousands separators, strptime dates and timestamps, zone wall
 * clock to UTC around DST changes) and of value.c's ISO 8601 timestamp reader
 * that imports use.
 *
 * Uses: cmocka, value_local.h, value.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/value.h"
#include "util/value_local.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define SENTINEL INT64_C(0x5a5a5a5a5a5a5a5a)

static int64_t num(const char *s, char decimal)
{
    int64_t v = SENTINEL;
    if (value_local_parse_number(s, strlen(s), decimal, &v) != 0)
        fail_msg("refused \"%s\"", s);
    return v;
}

static void test_value_local_number_reads_decimal_comma_and_groups(void **state)
{
    (void)state;
    assert_true(num("1 234,56", ',') == 1234560000);
    assert_true(num("1.234,56", ',') == 1234560000);
    assert_true(num("1\xC2\xA0" "234,56", ',') == 1234560000); /* U+00A0 */
    assert_true(num("1\xE2\x80\xAF" "234,56", ',') == 1234560000); /* U+202F */
    assert_true(num("1'234'567,8", ',') == 1234567800000);
    assert_true(num("1.234.567", ',') == 1234567000000);
    assert_true(num("-0,5", ',') == -500000);
    assert_true(num("+12,000001", ',') == 12000001);
    assert_true(num("1234,5", ',') == 1234500000);
    assert_true(num("0,01", ',') == 10000); /* exact minor units */
    assert_true(num("1,234.56", '.') == 1234560000);
    assert_true(num("12.5", '.') == 12500000);
}

static void test_value_local_number_refuses_bad_grouping(void **state)
{
    static const char *const bad[] = {
        "1.5", "1,2,3", "1 234.567,0", "12 34,5", "1234 567", " 1,5", "1,5 ", ",5", "5,",
        "1..234", "1.234,", "1,1234567", "abc", "", "-", "1e3", "1 234,56 EUR", ".234,5",
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        int64_t v = SENTINEL;
        if (value_local_parse_number(bad[i], strlen(bad[i]), ',', &v) != -1)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_true(v == SENTINEL);
    }
}

static void test_value_local_date_reads_patterns_and_checks_days(void **state)
{
    int64_t d = SENTINEL;
    (void)state;
    assert_int_equal(value_local_parse_date("15.06.2024", 10, "%d.%m.%Y", &d), 0);
    assert_true(d == value_days_from_civil(2024, 6, 15));
    assert_int_equal(value_local_parse_date("29.02.2024", 10, "%d.%m.%Y", &d), 0);
    assert_int_equal(value_local_parse_date("06/15/2024", 10, "%m/%d/%Y", &d), 0);
    assert_true(d == value_days_from_civil(2024, 6, 15));
    d = SENTINEL;
    assert_int_equal(value_local_parse_date("29.02.2023", 10, "%d.%m.%Y", &d), -1);
    assert_int_equal(value_local_parse_date("31.04.2024", 10, "%d.%m.%Y", &d), -1);
    assert_int_equal(value_local_parse_date("15.06.2024x", 11, "%d.%m.%Y", &d), -1);
    assert_int_equal(value_local_parse_date("2024-06-15", 10, "%d.%m.%Y", &d), -1);
    /* only n bytes are read */
    assert_int_equal(value_local_parse_date("15.06.2024junk", 10, "%d.%m.%Y", &d), 0);
}

static int64_t utc(int y, unsigned m, unsigned d, int hh, int mi)
{
    return value_days_from_civil(y, m, d) * 86400 + hh * 3600 + mi * 60;
}

static void test_value_local_to_utc_around_dst_changes(void **state)
{
    int64_t t = SENTINEL;
    (void)state;
    /* Europe/Warsaw: 2026-03-29 02:00 CET -> 03:00 CEST; 2026-10-25 03:00 CEST -> 02:00 CET. */
    assert_int_equal(value_local_to_utc(utc(2026, 3, 29, 1, 59), "Europe/Warsaw", &t), 0);
    assert_true(t == utc(2026, 3, 29, 0, 59));
    assert_int_equal(value_local_to_utc(utc(2026, 3, 29, 3, 0), "Europe/Warsaw", &t), 0);
    assert_true(t == utc(2026, 3, 29, 1, 0));
    assert_int_equal(value_local_to_utc(utc(2026, 3, 29, 2, 30), "Europe/Warsaw", &t), -1);
    assert_int_equal(value_local_to_utc(utc(2026, 10, 25, 2, 30), "Europe/Warsaw", &t), 0);
    assert_true(t == utc(2026, 10, 25, 0, 30)); /* the earlier of the two */
    assert_int_equal(value_local_to_utc(utc(2026, 10, 25, 3, 30), "Europe/Warsaw", &t), 0);
    assert_true(t == utc(2026, 10, 25, 2, 30));
    /* Europe/Bucharest: 03:00 EET -> 04:00 EEST; 04:00 EEST -> 03:00 EET. */
    assert_int_equal(value_local_to_utc(utc(2026, 3, 29, 2, 59), "Europe/Bucharest", &t), 0);
    assert_true(t == utc(2026, 3, 29, 0, 59));
    assert_int_equal(value_local_to_utc(utc(2026, 3, 29, 3, 30), "Europe/Bucharest", &t), -1);
    assert_int_equal(value_local_to_utc(utc(2026, 3, 29, 4, 0), "Europe/Bucharest", &t), 0);
    assert_true(t == utc(2026, 3, 29, 1, 0));
    assert_int_equal(value_local_to_utc(utc(2026, 10, 25, 3, 30), "Europe/Bucharest", &t), 0);
    assert_true(t == utc(2026, 10, 25, 0, 30));
    assert_int_equal(value_local_to_utc(utc(2026, 11, 2, 10, 0), "Europe/Bucharest", &t), 0);
    assert_true(t == utc(2026, 11, 2, 8, 0));
    /* UTC and no zone: the same instant. */
    assert_int_equal(value_local_to_utc(utc(2026, 3, 29, 2, 30), NULL, &t), 0);
    assert_true(t == utc(2026, 3, 29, 2, 30));
    assert_int_equal(value_local_to_utc(utc(2026, 3, 29, 2, 30), "UTC", &t), 0);
    assert_true(t == utc(2026, 3, 29, 2, 30));
}

static void test_value_local_timestamp_reads_pattern_zone_and_offset(void **state)
{
    int64_t t = SENTINEL;
    const char *s = "29.03.2026 04:30";
    (void)state;
    assert_int_equal(value_local_parse_timestamp(s, strlen(s), "%d.%m.%Y %H:%M",
                                                 "Europe/Bucharest", &t), 0);
    assert_true(t == utc(2026, 3, 29, 1, 30));
    assert_int_equal(value_local_parse_timestamp(s, strlen(s), "%d.%m.%Y %H:%M", NULL, &t), 0);
    assert_true(t == utc(2026, 3, 29, 4, 30));
    s = "02.11.2026 10:00 +0200";
    assert_int_equal(value_local_parse_timestamp(s, strlen(s), "%d.%m.%Y %H:%M %z",
                                                 "Europe/Warsaw", &t), 0);
    assert_true(t == utc(2026, 11, 2, 8, 0));
    s = "29.03.2026 03:30";
    assert_int_equal(value_local_parse_timestamp(s, strlen(s), "%d.%m.%Y %H:%M",
                                                 "Europe/Bucharest", &t), -1);
    s = "29.03.2026";
    assert_int_equal(value_local_parse_timestamp(s, strlen(s), "%d.%m.%Y %H:%M", NULL, &t), -1);
}

static void test_value_iso_timestamp_reads_crm_forms(void **state)
{
    static const struct {
        const char *text;
        int64_t secs;
        int zone;
    } ok[] = {
        { "2026-11-02T10:00:00+02:00", 0, 1 },  { "2026-11-02T08:00:00Z", 0, 1 },
        { "2026-11-02 08:00:00", 0, 0 },        { "2026-11-02T08:00", 0, 0 },
        { "2026-11-02 08:00:00.123456Z", 0, 1 }, { "2026-11-02T04:00:00-0400", 0, 1 },
        { "2026-11-02T10:00:00+02", 0, 1 },     { "2026-11-02 08:00+00:00", 0, 1 },
    };
    static const char *const bad[] = {
        "2026-11-02", "2026-11-02T24:00:00Z", "2026-11-02T08:60", "2026-11-02X08:00",
        "2026-11-02T08:00:00+2:00", "2026-11-02T08:00:00+02:0", "2026-11-02T08:00:00.Z",
        "2026-11-02T08:00:00 Z", "2026-02-30T08:00:00Z", "2026-11-02T08:00:00+24:00",
        "2026-11-02T08:00:0", "2026-11-02T8:00",
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
        int64_t t = SENTINEL;
        int zone = -1;
        if (value_parse_iso_timestamp(ok[i].text, strlen(ok[i].text), &t, &zone) != 0)
            fail_msg("refused \"%s\"", ok[i].text);
        assert_true(t == utc(2026, 11, 2, 8, 0));
        assert_int_equal(zone, ok[i].zone);
    }
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        int64_t t = SENTINEL;
        int zone;
        if (value_parse_iso_timestamp(bad[i], strlen(bad[i]), &t, &zone) != -1)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_true(t == SENTINEL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_local_number_reads_decimal_comma_and_groups),
        cmocka_unit_test(test_value_local_number_refuses_bad_grouping),
        cmocka_unit_test(test_value_local_date_reads_patterns_and_checks_days),
        cmocka_unit_test(test_value_local_to_utc_around_dst_changes),
        cmocka_unit_test(test_value_local_timestamp_reads_pattern_zone_and_offset),
        cmocka_unit_test(test_value_iso_timestamp_reads_crm_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
