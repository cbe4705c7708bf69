/*
 * test_value.c — unit tests of value.c: strict parsing of integers, exact
 * decimals, booleans, dates and timestamps; calendar arithmetic; ages;
 * formatting and format/parse round trips; the public segrt_value_format.
 *
 * Uses: cmocka, value.h, segrt/schema.h.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "segrt/schema.h"
#include "util/value.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers: a sentinel in *out shows a rejected parse leaves it alone ---- */

#define SENTINEL INT64_C(0x5a5a5a5a5a5a5a5a)

typedef int (*parser)(const char *s, size_t n, int64_t *out);

static int64_t parsed(parser p, const char *s)
{
    int64_t v = SENTINEL;

    assert_int_equal(p(s, strlen(s), &v), 0);
    return v;
}

static void assert_all_rejected(parser p, const char *const *bad, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t v = SENTINEL;
        if (p(bad[i], strlen(bad[i]), &v) != -1)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_true(v == SENTINEL);
    }
}

static int64_t date_of(const char *s)
{
    return parsed(value_parse_date, s);
}

static int64_t ts_of(const char *s)
{
    return parsed(value_parse_timestamp, s);
}

static int64_t xorshift(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return (int64_t)*state;
}

/* ---- integer ---- */

static void test_value_parse_int_accepts_signs_and_digits(void **state)
{
    (void)state;
    assert_true(parsed(value_parse_int, "0") == 0);
    assert_true(parsed(value_parse_int, "-12") == -12);
    assert_true(parsed(value_parse_int, "+7") == 7);
    assert_true(parsed(value_parse_int, "-0") == 0);
    assert_true(parsed(value_parse_int, "007") == 7);
    assert_true(parsed(value_parse_int, "123456789") == 123456789);
}

static void test_value_parse_int_accepts_int64_limits(void **state)
{
    (void)state;
    assert_true(parsed(value_parse_int, "9223372036854775807") == INT64_MAX);
    assert_true(parsed(value_parse_int, "-9223372036854775807") == -INT64_MAX);
    assert_true(parsed(value_parse_int, "+0009223372036854775807") == INT64_MAX);
    assert_true(parsed(value_parse_int, "0000000000000000000000000000001") == 1);
}

static void test_value_parse_int_rejects_overflow(void **state)
{
    static const char *const bad[] = {
        "9223372036854775808",
        "-9223372036854775809",
        "9999999999999999999",
        "18446744073709551615",
        "18446744073709551616",
        "99999999999999999999999999",
        "-99999999999999999999999999",
    };
    (void)state;
    assert_all_rejected(value_parse_int, bad, ARRAY_LEN(bad));
}

static void test_value_parse_int_rejects_missing_marker(void **state)
{
    static const char *const bad[] = { "-9223372036854775808" };
    (void)state;
    assert_all_rejected(value_parse_int, bad, ARRAY_LEN(bad));
}

static void test_value_parse_int_rejects_malformed(void **state)
{
    static const char *const bad[] = {
        "", "-", "+", "--1", "+-1", "-+1", " 1", "1 ", "1\n", "1.0", "1.", ".1",
        "1e3", "0x10", "1,000", "1 000", "1_000", "12a", "a12", "N/A", "NaN",
        "inf", "\xd9\xa1", "\xef\xbc\x91",
    };
    (void)state;
    assert_all_rejected(value_parse_int, bad, ARRAY_LEN(bad));
}

static void test_value_parse_int_reads_only_n_bytes(void **state)
{
    int64_t v = 0;
    (void)state;
    assert_int_equal(value_parse_int("123", 2, &v), 0);
    assert_true(v == 12);
    assert_int_equal(value_parse_int("12\0" "3", 4, &v), -1);
    assert_int_equal(value_parse_int("-5,x", 2, &v), 0);
    assert_true(v == -5);
    assert_int_equal(value_parse_int("7", 0, &v), -1);
}

/* ---- number ---- */

static void test_value_parse_number_accepts_decimal_forms(void **state)
{
    (void)state;
    assert_true(parsed(value_parse_number, "-12") == -12000000);
    assert_true(parsed(value_parse_number, "12.5") == 12500000);
    assert_true(parsed(value_parse_number, "+3.000001") == 3000001);
    assert_true(parsed(value_parse_number, "0.5") == 500000);
    assert_true(parsed(value_parse_number, "-0.000001") == -1);
    assert_true(parsed(value_parse_number, "0") == 0);
    assert_true(parsed(value_parse_number, "-0.0") == 0);
    assert_true(parsed(value_parse_number, "12.50") == 12500000);
    assert_true(parsed(value_parse_number, "012.500000") == 12500000);
    assert_true(parsed(value_parse_number, "5000") == 5000000000);
    assert_true(parsed(value_parse_number, "1234.56") == 1234560000);
}

static void test_value_parse_number_accepts_int64_limits(void **state)
{
    (void)state;
    assert_true(parsed(value_parse_number, "9223372036854.775807") == INT64_MAX);
    assert_true(parsed(value_parse_number, "-9223372036854.775807") == -INT64_MAX);
    assert_true(parsed(value_parse_number, "9223372036854") == INT64_C(9223372036854000000));
    assert_true(parsed(value_parse_number, "9223372036854.7758") == INT64_C(9223372036854775800));
}

static void test_value_parse_number_rejects_overflow(void **state)
{
    static const char *const bad[] = {
        "9223372036854.775808", "-9223372036854.775808", "9223372036855",
        "9223372036854.8", "-9223372036855", "9223372036854775807",
        "99999999999999999999.5", "18446744073709.551616",
    };
    (void)state;
    assert_all_rejected(value_parse_number, bad, ARRAY_LEN(bad));
}

static void test_value_parse_number_rejects_more_than_six_decimals(void **state)
{
    static const char *const bad[] = {
        "0.0000001", "1.1234567", "1.0000000", "-0.0000005", "3.14159265358979",
    };
    (void)state;
    assert_all_rejected(value_parse_number, bad, ARRAY_LEN(bad));
}

static void test_value_parse_number_rejects_partial_forms(void **state)
{
    static const char *const bad[] = {
        "", "-", "+", ".", ".5", "-.5", "+.5", "5.", "-5.", "1..2", "1.2.3",
        "--1", "+-1", "-+1", "1.-2", "1.+2", "0x1A", "1e3", "1E3", "1.5e2",
        "nan", "inf", "Infinity",
    };
    (void)state;
    assert_all_rejected(value_parse_number, bad, ARRAY_LEN(bad));
}

/* The dirty amounts of gen_crm.py's Dirty._bad_amount, and relatives. */
static void test_value_parse_number_rejects_dirty_amounts(void **state)
{
    static const char *const bad[] = {
        "12,50", "\"12,50\"", "€12.50", "12.50€", "N/A",
        "12.50 EUR", "1 12.50", "1,234.50", "1.234,50", "$12.50", "12.50$",
        " 12.50", "12.50 ", "\t12.50", "12.50\r", "12 .50", "12. 50", "- 12.50",
        "n/a", "NULL", "-", "12.5O", "1'234.50", "(12.50)",
    };
    (void)state;
    assert_all_rejected(value_parse_number, bad, ARRAY_LEN(bad));
}

static void test_value_parse_number_sums_exactly(void **state)
{
    int64_t total = 0;
    (void)state;
    assert_true(parsed(value_parse_number, "10.10") + parsed(value_parse_number, "20.20")
                == parsed(value_parse_number, "30.30"));
    assert_true(parsed(value_parse_number, "0.1") + parsed(value_parse_number, "0.2")
                == parsed(value_parse_number, "0.3"));
    for (int i = 0; i < 1000; i++)
        total += parsed(value_parse_number, "0.01");
    assert_true(total == parsed(value_parse_number, "10"));
}

static void test_value_parse_number_reads_only_n_bytes(void **state)
{
    int64_t v = 0;
    (void)state;
    assert_int_equal(value_parse_number("12.5 EUR", 4, &v), 0);
    assert_true(v == 12500000);
    assert_int_equal(value_parse_number("12.5", 3, &v), -1);
    assert_int_equal(value_parse_number("1.5\0" "0", 5, &v), -1);
}

/* ---- boolean ---- */

static void test_value_parse_bool_accepts_words_in_any_case(void **state)
{
    static const char *const yes[] = { "true", "TRUE", "True", "tRuE", "yes", "YES", "Yes", "1" };
    static const char *const no[] = { "false", "FALSE", "False", "fAlSe", "no", "NO", "No", "0" };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(yes); i++)
        assert_true(parsed(value_parse_bool, yes[i]) == 1);
    for (size_t i = 0; i < ARRAY_LEN(no); i++)
        assert_true(parsed(value_parse_bool, no[i]) == 0);
}

static void test_value_parse_bool_rejects_other_text(void **state)
{
    static const char *const bad[] = {
        "", "t", "f", "y", "n", "on", "off", "2", "-1", "00", "01", "10", "tru",
        "truee", "fals", "yess", " true", "true ", "yes\n", "\x14rue", "n\x0f",
        "\x11", "\x10", "nO!", "ja", "oui",
    };
    (void)state;
    assert_all_rejected(value_parse_bool, bad, ARRAY_LEN(bad));
}

/* ---- calendar ---- */

static void test_value_days_from_civil_matches_known_days(void **state)
{
    (void)state;
    assert_true(value_days_from_civil(1970, 1, 1) == 0);
    assert_true(value_days_from_civil(1969, 12, 31) == -1);
    assert_true(value_days_from_civil(2000, 3, 1) == 11017);
    assert_true(value_days_from_civil(2000, 2, 29) == 11016);
    assert_true(value_days_from_civil(2026, 1, 1) == 20454);
    assert_true(value_days_from_civil(1, 1, 1) == -719162);
    assert_true(value_days_from_civil(0, 3, 1) == -719468);
    assert_true(value_days_from_civil(9999, 12, 31) == 2932896);
    assert_true(value_days_from_civil(-1, 12, 31) == -719529);
    assert_true(value_days_from_civil(-400, 3, 1) == -719468 - 146097);
}

/* Walks every day from -10000-01-01 to 10000-12-31 and checks that the
 * calendar steps by exactly one day each time, both ways. */
static void test_value_civil_from_days_walks_every_day(void **state)
{
    static const unsigned month_len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int64_t y = -10000;
    unsigned m = 1, d = 1;
    int64_t first = value_days_from_civil(y, m, d);
    int64_t last = value_days_from_civil(10000, 12, 31);
    (void)state;

    for (int64_t days = first; days <= last; days++) {
        int64_t cy;
        unsigned cm, cd;
        value_civil_from_days(days, &cy, &cm, &cd);
        if (cy != y || cm != m || cd != d)
            fail_msg("day %lld: got %lld-%u-%u, want %lld-%u-%u", (long long)days,
                     (long long)cy, cm, cd, (long long)y, m, d);
        assert_true(value_days_from_civil(cy, cm, cd) == days);
        unsigned len = month_len[m - 1];
        if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
            len++;
        if (++d > len) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
}

static void test_value_civil_from_days_survives_int64_extremes(void **state)
{
    int64_t y;
    unsigned m, d;
    (void)state;
    value_civil_from_days(INT64_MAX, &y, &m, &d);
    assert_true(y > INT64_C(25000000000000000));
    assert_in_range(m, 1, 12);
    assert_in_range(d, 1, 31);
    value_civil_from_days(INT64_MIN, &y, &m, &d);
    assert_true(y < -INT64_C(25000000000000000));
    assert_in_range(m, 1, 12);
    assert_in_range(d, 1, 31);
}

/* ---- date ---- */

static void test_value_parse_date_accepts_calendar_days(void **state)
{
    (void)state;
    assert_true(date_of("1970-01-01") == 0);
    assert_true(date_of("1969-12-31") == -1);
    assert_true(date_of("2026-01-01") == 20454);
    assert_true(date_of("0001-01-01") == -719162);
    assert_true(date_of("9999-12-31") == 2932896);
    assert_true(date_of("2024-12-31") == value_days_from_civil(2024, 12, 31));
    assert_true(date_of("2023-04-30") == value_days_from_civil(2023, 4, 30));
}

static void test_value_parse_date_follows_leap_years(void **state)
{
    static const char *const bad[] = {
        "2023-02-29", "1900-02-29", "2100-02-29", "2024-02-30", "2000-02-30", "0001-02-29",
    };
    (void)state;
    assert_true(date_of("2024-02-29") == date_of("2024-03-01") - 1);
    assert_true(date_of("2000-02-29") == date_of("2000-03-01") - 1);
    assert_true(date_of("2400-02-29") == date_of("2400-03-01") - 1);
    assert_true(date_of("0004-02-29") == date_of("0004-03-01") - 1);
    assert_true(date_of("1900-03-01") - date_of("1900-02-28") == 1);
    assert_all_rejected(value_parse_date, bad, ARRAY_LEN(bad));
}

static void test_value_parse_date_rejects_impossible_days(void **state)
{
    static const char *const bad[] = {
        "2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32", "2024-04-31",
        "2024-06-31", "2024-09-31", "2024-11-31", "2024-99-99", "0000-01-01",
        "0000-12-31",
    };
    (void)state;
    assert_all_rejected(value_parse_date, bad, ARRAY_LEN(bad));
}

/* The dirty dates of gen_crm.py's Dirty._bad_date, and relatives. */
static void test_value_parse_date_rejects_dirty_forms(void **state)
{
    static const char *const bad[] = {
        "31/12/2024", "31.12.2024 14:03", "2024-02-30", "2024-13-31", "yesterday",
        "2024-12-31T25:61:00Z", "2024-12-31T14:03:00Z", "2024-12-31 14:03",
        "2024/12/31", "2024.12.31", "12/31/2024", "20241231", "2024-1-31",
        "2024-12-1", "24-12-31", "+2024-12-31", "-2024-12-31", " 2024-12-31",
        "2024-12-31 ", "2024-12-3 ", "2024-12- 1", "2024-12-+1", "2024-+2-01",
        "2O24-12-31", "2024_12_31", "", "2024-12", "today", "NULL",
        "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x94-12-31",
    };
    (void)state;
    assert_all_rejected(value_parse_date, bad, ARRAY_LEN(bad));
}

/* ---- timestamp ---- */

static void test_value_parse_timestamp_accepts_utc_seconds(void **state)
{
    (void)state;
    assert_true(ts_of("1970-01-01T00:00:00Z") == 0);
    assert_true(ts_of("1969-12-31T23:59:59Z") == -1);
    assert_true(ts_of("2026-01-01T00:00:00Z") == INT64_C(20454) * 86400);
    assert_true(ts_of("2024-12-31T14:03:07Z") ==
                value_days_from_civil(2024, 12, 31) * 86400 + 14 * 3600 + 3 * 60 + 7);
    assert_true(ts_of("2024-02-29T23:59:59Z") + 1 == ts_of("2024-03-01T00:00:00Z"));
    assert_true(ts_of("0001-01-01T00:00:00Z") == INT64_C(-719162) * 86400);
    assert_true(ts_of("9999-12-31T23:59:59Z") == INT64_C(2932897) * 86400 - 1);
    assert_true(ts_of("2038-01-19T03:14:08Z") == INT64_C(2147483648));
}

static void test_value_parse_timestamp_rejects_out_of_range_time(void **state)
{
    static const char *const bad[] = {
        "2024-12-31T25:61:00Z", "2024-12-31T24:00:00Z", "2024-12-31T23:60:00Z",
        "2024-12-31T23:59:60Z", "2024-12-31T99:99:99Z", "2024-12-31T30:00:00Z",
        "2024-12-31T00:70:00Z", "2024-12-31T00:00:61Z",
    };
    (void)state;
    assert_all_rejected(value_parse_timestamp, bad, ARRAY_LEN(bad));
}

static void test_value_parse_timestamp_rejects_impossible_dates(void **state)
{
    static const char *const bad[] = {
        "2024-02-30T00:00:00Z", "2023-02-29T12:00:00Z", "1900-02-29T12:00:00Z",
        "2024-13-01T00:00:00Z", "2024-00-01T00:00:00Z", "2024-01-00T00:00:00Z",
        "0000-01-01T00:00:00Z", "2024-04-31T00:00:00Z",
    };
    (void)state;
    assert_all_rejected(value_parse_timestamp, bad, ARRAY_LEN(bad));
}

static void test_value_parse_timestamp_rejects_other_shapes(void **state)
{
    static const char *const bad[] = {
        "31/12/2024", "yesterday", "2024-12-31 14:03", "31.12.2024 14:03",
        "2024-12-31", "2024-12-31T14:03Z", "2024-12-31T14:03:00",
        "2024-12-31 14:03:00Z", "2024-12-31t14:03:00Z", "2024-12-31T14:03:00z",
        "2024-12-31T14:03:00+00:00", "2024-12-31T14:03:00.000Z",
        "2024-12-31T14:03:00ZZ", "2024-12-31T14-03-00Z", "2024-12-31T14:03:0 Z",
        "2024-12-31T 4:03:00Z", "2024-12-31T14:03:+0Z", "2024/12/31T14:03:00Z",
        "20241231T140300Z", "+2024-12-31T14:03:00Z", " 2024-12-31T14:03:00Z",
        "2024-12-31T14:03:00Z ", "", "now",
        "2024-12-31T14:03:00X", "2024-12-31X14:03:00Z", "2024-12-31T14.03.00Z",
    };
    (void)state;
    assert_all_rejected(value_parse_timestamp, bad, ARRAY_LEN(bad));
}

static void test_value_parse_timestamp_reads_only_n_bytes(void **state)
{
    int64_t v = 0;
    (void)state;
    assert_int_equal(value_parse_timestamp("1970-01-01T00:00:01Zjunk", 20, &v), 0);
    assert_true(v == 1);
    assert_int_equal(value_parse_timestamp("1970-01-01T00:00:01Z", 19, &v), -1);
    assert_int_equal(value_parse_date("1970-01-02T00:00:01Z", 10, &v), 0);
    assert_true(v == 1);
}

/* ---- age ---- */

static int age_at(const char *birth, const char *now)
{
    return value_age_years(date_of(birth), ts_of(now));
}

static void test_value_age_years_matches_s10_range(void **state)
{
    static const char now[] = "2026-01-01T00:00:00Z";
    (void)state;
    assert_int_equal(age_at("1990-01-01", now), 36);
    assert_int_equal(age_at("1990-01-02", now), 35);
    assert_int_equal(age_at("2001-01-01", now), 25);
    assert_int_equal(age_at("2001-01-02", now), 24);
    /* Every day of the S10 range is 25..35 and no day outside it is. */
    for (int64_t d = date_of("1985-01-01"); d <= date_of("2006-01-01"); d++) {
        int age = value_age_years(d, ts_of(now));
        int inside = d >= date_of("1990-01-02") && d <= date_of("2001-01-01");
        assert_int_equal(age >= 25 && age <= 35, inside);
    }
}

static void test_value_age_years_turns_on_the_birthday(void **state)
{
    (void)state;
    assert_int_equal(age_at("1990-06-15", "2020-06-14T23:59:59Z"), 29);
    assert_int_equal(age_at("1990-06-15", "2020-06-15T00:00:00Z"), 30);
    assert_int_equal(age_at("1990-06-15", "2020-06-15T23:59:59Z"), 30);
    assert_int_equal(age_at("1990-12-31", "2021-01-01T00:00:00Z"), 30);
    assert_int_equal(age_at("1991-01-01", "2020-12-31T23:59:59Z"), 29);
}

static void test_value_age_years_moves_leap_day_birthdays_to_march_first(void **state)
{
    (void)state;
    assert_int_equal(age_at("2000-02-29", "2023-02-28T12:00:00Z"), 22);
    assert_int_equal(age_at("2000-02-29", "2023-03-01T00:00:00Z"), 23);
    assert_int_equal(age_at("2000-02-29", "2024-02-28T23:59:59Z"), 23);
    assert_int_equal(age_at("2000-02-29", "2024-02-29T00:00:00Z"), 24);
    assert_int_equal(age_at("2000-02-29", "2100-02-28T00:00:00Z"), 99);
    assert_int_equal(age_at("2000-02-29", "2100-03-01T00:00:00Z"), 100);
}

static void test_value_age_years_handles_newborns_and_old_dates(void **state)
{
    (void)state;
    assert_int_equal(age_at("2026-01-01", "2026-01-01T00:00:00Z"), 0);
    assert_int_equal(age_at("2025-01-02", "2026-01-01T00:00:00Z"), 0);
    assert_int_equal(age_at("2026-01-02", "2026-01-01T00:00:00Z"), -1);
    assert_int_equal(age_at("1900-03-01", "1969-12-31T23:59:59Z"), 69);
    assert_int_equal(age_at("1950-07-01", "1960-06-30T00:00:00Z"), 9);
    assert_int_equal(age_at("0001-01-01", "9999-12-31T23:59:59Z"), 9998);
    assert_int_equal(value_age_years(0, INT64_MAX), INT_MAX);
    assert_int_equal(value_age_years(INT64_MAX, 0), INT_MIN);
}

/* ---- formatting ---- */

static void test_value_format_int_writes_extremes(void **state)
{
    char out[24];
    (void)state;
    assert_int_equal(value_format_int(0, out), 1);
    assert_string_equal(out, "0");
    assert_int_equal(value_format_int(-1, out), 2);
    assert_string_equal(out, "-1");
    assert_int_equal(value_format_int(1234567890, out), 10);
    assert_string_equal(out, "1234567890");
    assert_int_equal(value_format_int(INT64_MAX, out), 19);
    assert_string_equal(out, "9223372036854775807");
    assert_int_equal(value_format_int(INT64_MIN, out), 20);
    assert_string_equal(out, "-9223372036854775808");
}

static void test_value_format_number_writes_shortest_exact(void **state)
{
    static const struct {
        int64_t micros;
        const char *text;
    } cases[] = {
        { 12500000, "12.5" },
        { 3000000, "3" },
        { -1, "-0.000001" },
        { 0, "0" },
        { 1, "0.000001" },
        { 10, "0.00001" },
        { 500000, "0.5" },
        { -500000, "-0.5" },
        { 30300000, "30.3" },
        { 3000001, "3.000001" },
        { 1234560000, "1234.56" },
        { -12000000, "-12" },
        { 100000000, "100" },
        { INT64_MAX, "9223372036854.775807" },
        { INT64_MIN, "-9223372036854.775808" },
        { INT64_MIN + 1, "-9223372036854.775807" },
    };
    char out[32];
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        size_t n = value_format_number(cases[i].micros, out);
        assert_string_equal(out, cases[i].text);
        assert_int_equal(n, strlen(cases[i].text));
    }
}

static void test_value_format_date_writes_iso_days(void **state)
{
    char out[16];
    (void)state;
    assert_int_equal(value_format_date(0, out), 10);
    assert_string_equal(out, "1970-01-01");
    value_format_date(-1, out);
    assert_string_equal(out, "1969-12-31");
    value_format_date(-719162, out);
    assert_string_equal(out, "0001-01-01");
    value_format_date(2932896, out);
    assert_string_equal(out, "9999-12-31");
    value_format_date(11016, out);
    assert_string_equal(out, "2000-02-29");
    value_format_date(-719468, out);
    assert_string_equal(out, "0000-03-01");
    value_format_date(-719529, out);
    assert_string_equal(out, "-0001-12-31");
    value_format_date(2932897, out);
    assert_string_equal(out, "10000-01-01");
}

static void test_value_format_date_refuses_years_beyond_format(void **state)
{
    char out[16];
    (void)state;
    assert_int_equal(value_format_date(value_days_from_civil(999999, 12, 31), out), 12);
    assert_string_equal(out, "999999-12-31");
    assert_int_equal(value_format_date(value_days_from_civil(-999999, 1, 1), out), 13);
    assert_string_equal(out, "-999999-01-01");
    assert_int_equal(value_format_date(value_days_from_civil(1000000, 1, 1), out), 0);
    assert_string_equal(out, "");
    assert_int_equal(value_format_date(value_days_from_civil(-1000000, 12, 31), out), 0);
    assert_int_equal(value_format_date(INT64_MAX, out), 0);
    assert_int_equal(value_format_date(INT64_MIN, out), 0);
    assert_string_equal(out, "");
}

static void test_value_format_timestamp_writes_iso_seconds(void **state)
{
    char out[24];
    (void)state;
    assert_int_equal(value_format_timestamp(0, out), 20);
    assert_string_equal(out, "1970-01-01T00:00:00Z");
    value_format_timestamp(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59Z");
    value_format_timestamp(-86400, out);
    assert_string_equal(out, "1969-12-31T00:00:00Z");
    value_format_timestamp(-86401, out);
    assert_string_equal(out, "1969-12-30T23:59:59Z");
    value_format_timestamp(INT64_C(-719162) * 86400, out);
    assert_string_equal(out, "0001-01-01T00:00:00Z");
    value_format_timestamp(INT64_C(2932897) * 86400 - 1, out);
    assert_string_equal(out, "9999-12-31T23:59:59Z");
    value_format_timestamp(INT64_C(1735653787), out);
    assert_string_equal(out, "2024-12-31T14:03:07Z");
    assert_int_equal(value_format_timestamp(value_days_from_civil(-999999, 1, 1) * 86400, out),
                     23);
    assert_string_equal(out, "-999999-01-01T00:00:00Z");
    assert_int_equal(value_format_timestamp(INT64_MAX, out), 0);
    assert_string_equal(out, "");
    assert_int_equal(value_format_timestamp(INT64_MIN, out), 0);
}

/* ---- round trips ---- */

static void test_value_segrt_value_format_writes_each_type_as_imported(void **state)
{
    (void)state;
    static const struct {
        segrt_type type;
        int64_t v;
        const char *want;
    } cases[] = {
        { SEGRT_T_INTEGER, -12, "-12" },
        { SEGRT_T_NUMBER, 12500000, "12.5" },
        { SEGRT_T_NUMBER, -1, "-0.000001" },
        { SEGRT_T_BOOLEAN, 1, "true" },
        { SEGRT_T_BOOLEAN, 0, "false" },
        { SEGRT_T_DATE, 0, "1970-01-01" },
        { SEGRT_T_TIMESTAMP, 86399, "1970-01-01T23:59:59Z" },
        { SEGRT_T_TIMESTAMP, INT64_MIN, "" },  /* beyond the format's years */
        { SEGRT_T_STRING, 3, "" },             /* a code, not a value */
        { SEGRT_T_SET, 3, "" },
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char out[SEGRT_VALUE_TEXT_MAX];
        memset(out, 'x', sizeof out);
        size_t n = segrt_value_format(cases[i].type, cases[i].v, out);
        assert_string_equal(out, cases[i].want);
        assert_int_equal(n, strlen(cases[i].want));
    }
    assert_int_equal(VALUE_NUMBER_SCALE, SEGRT_NUMBER_SCALE);
}

static void test_value_number_round_trips(void **state)
{
    static const int64_t edges[] = {
        0, 1, -1, 9, 10, 999999, 1000000, 1000001, -1000000, 12500000,
        INT64_MAX, -INT64_MAX, INT64_MAX - 1, INT64_C(9223372036854000000),
    };
    uint64_t seed = 0x9e3779b97f4a7c15u;
    char out[32];
    (void)state;
    for (int i = 0; i < 200000; i++) {
        int64_t v = i < (int)ARRAY_LEN(edges) ? edges[i] : xorshift(&seed) >> (i % 64);
        if (v == INT64_MIN)
            continue;
        size_t n = value_format_number(v, out);
        int64_t back = SENTINEL;
        assert_int_equal(value_parse_number(out, n, &back), 0);
        assert_true(back == v);
    }
}

static void test_value_int_round_trips(void **state)
{
    uint64_t seed = 0x2545f4914f6cdd1du;
    char out[24];
    (void)state;
    for (int i = 0; i < 200000; i++) {
        int64_t v = xorshift(&seed) >> (i % 64);
        if (v == INT64_MIN)
            continue;
        size_t n = value_format_int(v, out);
        int64_t back = SENTINEL;
        assert_int_equal(value_parse_int(out, n, &back), 0);
        assert_true(back == v);
    }
}

static void test_value_date_round_trips_from_year_1_to_9999(void **state)
{
    int64_t first = value_days_from_civil(1, 1, 1), last = value_days_from_civil(9999, 12, 31);
    char out[16];
    (void)state;
    for (int64_t d = first; d <= last; d++) {
        size_t n = value_format_date(d, out);
        int64_t back = SENTINEL;
        assert_int_equal(n, 10);
        assert_int_equal(value_parse_date(out, n, &back), 0);
        assert_true(back == d);
    }
    assert_int_equal(value_parse_date(out, value_format_date(first - 1, out), &(int64_t){ 0 }), -1);
    assert_int_equal(value_parse_date(out, value_format_date(last + 1, out), &(int64_t){ 0 }), -1);
}

static void test_value_timestamp_round_trips(void **state)
{
    int64_t first = INT64_C(-719162) * 86400, last = INT64_C(2932897) * 86400 - 1;
    uint64_t seed = 0xdeadbeefcafef00du;
    char out[24];
    (void)state;
    for (int64_t i = 0; i < 86400 * 2 + 200000; i++) {
        /* every second of 1969-12-31 and 1970-01-01, then random instants */
        int64_t t = i - 86400;
        if (i >= 86400 * 2)
            t = first + (int64_t)((uint64_t)xorshift(&seed) % (uint64_t)(last - first + 1));
        size_t n = value_format_timestamp(t, out);
        int64_t back = SENTINEL;
        assert_int_equal(n, 20);
        assert_int_equal(value_parse_timestamp(out, n, &back), 0);
        assert_true(back == t);
    }
    assert_int_equal(value_format_timestamp(first, out), 20);
    assert_int_equal(value_format_timestamp(last, out), 20);
    assert_int_equal(value_parse_timestamp(out, value_format_timestamp(first - 1, out),
                                           &(int64_t){ 0 }), -1);
    assert_int_equal(value_parse_timestamp(out, value_format_timestamp(last + 1, out),
                                           &(int64_t){ 0 }), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_parse_int_accepts_signs_and_digits),
        cmocka_unit_test(test_value_parse_int_accepts_int64_limits),
        cmocka_unit_test(test_value_parse_int_rejects_overflow),
        cmocka_unit_test(test_value_parse_int_rejects_missing_marker),
        cmocka_unit_test(test_value_parse_int_rejects_malformed),
        cmocka_unit_test(test_value_parse_int_reads_only_n_bytes),
        cmocka_unit_test(test_value_parse_number_accepts_decimal_forms),
        cmocka_unit_test(test_value_parse_number_accepts_int64_limits),
        cmocka_unit_test(test_value_parse_number_rejects_overflow),
        cmocka_unit_test(test_value_parse_number_rejects_more_than_six_decimals),
        cmocka_unit_test(test_value_parse_number_rejects_partial_forms),
        cmocka_unit_test(test_value_parse_number_rejects_dirty_amounts),
        cmocka_unit_test(test_value_parse_number_sums_exactly),
        cmocka_unit_test(test_value_parse_number_reads_only_n_bytes),
        cmocka_unit_test(test_value_parse_bool_accepts_words_in_any_case),
        cmocka_unit_test(test_value_parse_bool_rejects_other_text),
        cmocka_unit_test(test_value_days_from_civil_matches_known_days),
        cmocka_unit_test(test_value_civil_from_days_walks_every_day),
        cmocka_unit_test(test_value_civil_from_days_survives_int64_extremes),
        cmocka_unit_test(test_value_parse_date_accepts_calendar_days),
        cmocka_unit_test(test_value_parse_date_follows_leap_years),
        cmocka_unit_test(test_value_parse_date_rejects_impossible_days),
        cmocka_unit_test(test_value_parse_date_rejects_dirty_forms),
        cmocka_unit_test(test_value_parse_timestamp_accepts_utc_seconds),
        cmocka_unit_test(test_value_parse_timestamp_rejects_out_of_range_time),
        cmocka_unit_test(test_value_parse_timestamp_rejects_impossible_dates),
        cmocka_unit_test(test_value_parse_timestamp_rejects_other_shapes),
        cmocka_unit_test(test_value_parse_timestamp_reads_only_n_bytes),
        cmocka_unit_test(test_value_age_years_matches_s10_range),
        cmocka_unit_test(test_value_age_years_turns_on_the_birthday),
        cmocka_unit_test(test_value_age_years_moves_leap_day_birthdays_to_march_first),
        cmocka_unit_test(test_value_age_years_handles_newborns_and_old_dates),
        cmocka_unit_test(test_value_format_int_writes_extremes),
        cmocka_unit_test(test_value_format_number_writes_shortest_exact),
        cmocka_unit_test(test_value_format_date_writes_iso_days),
        cmocka_unit_test(test_value_format_date_refuses_years_beyond_format),
        cmocka_unit_test(test_value_format_timestamp_writes_iso_seconds),
        cmocka_unit_test(test_value_segrt_value_format_writes_each_type_as_imported),
        cmocka_unit_test(test_value_number_round_trips),
        cmocka_unit_test(test_value_int_round_trips),
        cmocka_unit_test(test_value_date_round_trips_from_year_1_to_9999),
        cmocka_unit_test(test_value_timestamp_round_trips),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
