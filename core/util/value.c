/*
 * value.c — strict parsers and formatters for typed field values (see value.h),
 * and the civil-calendar arithmetic behind dates, timestamps and ages; the
 * formatters' public face is segrt_value_format (segrt/schema.h).
 *
 * These run once per field on every imported row, so they avoid sscanf,
 * strtol, locale and allocation: digits are read by hand-rolled loops.
 *
 * Uses: the C library only.
 */
#include "util/value.h"
#include "segrt/schema.h"

#include <limits.h>
#include <string.h>

#define SECS_PER_DAY 86400
#define DAYS_PER_ERA 146097 /* 400 Gregorian years */
#define EPOCH_SHIFT 719468  /* days from 0000-03-01 to 1970-01-01 */
#define YEAR_FMT_MAX 999999 /* widest year the date and timestamp formats fit */

/* ---- integers and decimals ---- */

/* Length of an optional leading sign (0 or 1); *neg when it is '-'. */
static size_t sign_len(const char *s, size_t n, int *neg)
{
    *neg = n > 0 && s[0] == '-';
    return n > 0 && (s[0] == '-' || s[0] == '+');
}

/*
 * Reads s[0..n) as a run of at least one decimal digit, no larger than
 * INT64_MAX. Leading zeros are skipped first, so at most 19 significant
 * digits are accumulated and 19 nines still fit in a uint64: one range check
 * at the end replaces a per-digit overflow test.
 */
static int parse_magnitude(const char *s, size_t n, uint64_t *out)
{
    size_t i = 0;
    uint64_t v = 0;

    if (n == 0)
        return -1;
    while (i < n && s[i] == '0')
        i++;
    if (n - i > 19)
        return -1;
    for (; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9)
            return -1;
        v = v * 10 + d;
    }
    if (v > INT64_MAX)
        return -1;
    *out = v;
    return 0;
}

int value_parse_int(const char *s, size_t n, int64_t *out)
{
    int neg;
    size_t k = sign_len(s, n, &neg);
    uint64_t mag;

    if (parse_magnitude(s + k, n - k, &mag) != 0)
        return -1;
    *out = neg ? -(int64_t)mag : (int64_t)mag;
    return 0;
}

int value_parse_number(const char *s, size_t n, int64_t *micros)
{
    static const uint32_t scale_up[7] = { 1, 10, 100, 1000, 10000, 100000, 1000000 };
    int neg;
    size_t k = sign_len(s, n, &neg);
    const char *p = s + k;
    size_t len = n - k, ilen = 0;
    uint64_t ipart, frac = 0;

    while (ilen < len && (unsigned)(unsigned char)p[ilen] - '0' <= 9)
        ilen++;
    if (parse_magnitude(p, ilen, &ipart) != 0)
        return -1;
    if (ilen < len) {
        size_t flen = len - ilen - 1;
        if (p[ilen] != '.' || flen == 0 || flen > 6)
            return -1;
        if (parse_magnitude(p + ilen + 1, flen, &frac) != 0)
            return -1;
        frac *= scale_up[6 - flen];
    }
    if (ipart > (INT64_MAX - frac) / VALUE_NUMBER_SCALE)
        return -1;
    uint64_t mag = ipart * VALUE_NUMBER_SCALE + frac;
    *micros = neg ? -(int64_t)mag : (int64_t)mag;
    return 0;
}

/* ---- booleans ---- */

/* s[0..n) equals the lower-case word, ASCII letters compared without case. */
static int equals_folded(const char *s, const char *word, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i];
        if (c - 'A' < 26)
            c += 'a' - 'A';
        if (c != (unsigned char)word[i])
            return 0;
    }
    return 1;
}

int value_parse_bool(const char *s, size_t n, int64_t *out)
{
    static const struct {
        const char *word;
        size_t len;
        int64_t value;
    } words[] = {
        { "true", 4, 1 }, { "false", 5, 0 }, { "yes", 3, 1 },
        { "no", 2, 0 },   { "1", 1, 1 },     { "0", 1, 0 },
    };

    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (n == words[i].len && equals_folded(s, words[i].word, n)) {
            *out = words[i].value;
            return 0;
        }
    }
    return -1;
}

/* ---- calendar ---- */

static int64_t floor_div(int64_t a, int64_t b, int64_t *rem)
{
    int64_t q = a / b, r = a % b;

    if (r < 0) {
        r += b;
        q--;
    }
    *rem = r;
    return q;
}

static int is_leap(int64_t y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned char len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    return len[m - 1] + (m == 2 && is_leap(y));
}

/*
 * Howard Hinnant's days_from_civil: years start on 1 March so the leap day
 * ends the year, then count 400-year eras, years of the era, days of the year.
 * Static so the date and timestamp parsers get it inlined.
 */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t yoe, era;
    unsigned doy, doe;

    y -= m <= 2;
    era = floor_div(y, 400, &yoe);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = (unsigned)yoe * 365 + (unsigned)yoe / 4 - (unsigned)yoe / 100 + doy;
    return era * DAYS_PER_ERA + doe - EPOCH_SHIFT;
}

int64_t value_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    return days_from_civil(y, m, d);
}

/*
 * Hinnant's civil_from_days. The era is split off before the epoch shift is
 * added, so every int64 day count works without overflow.
 */
void value_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t r;
    int64_t era = floor_div(days, DAYS_PER_ERA, &r);

    r += EPOCH_SHIFT;
    era += r / DAYS_PER_ERA;
    unsigned doe = (unsigned)(r % DAYS_PER_ERA);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int value_age_years(int64_t birth_days, int64_t now_secs)
{
    int64_t rem, by, ny;
    unsigned bm, bd, nm, nd;

    value_civil_from_days(birth_days, &by, &bm, &bd);
    value_civil_from_days(floor_div(now_secs, SECS_PER_DAY, &rem), &ny, &nm, &nd);
    /* A 29 February birthday compares above 28 February and below 1 March,
     * which is exactly the "older on 1 March in non-leap years" rule. */
    int64_t age = ny - by - (nm < bm || (nm == bm && nd < bd));
    if (age > INT_MAX)
        return INT_MAX;
    if (age < INT_MIN)
        return INT_MIN;
    return (int)age;
}

/* ---- dates and timestamps ---- */

/* Digit value of s[i]; sets a bit in *bad when s[i] is not a digit. */
static unsigned digit_at(const char *s, size_t i, unsigned *bad)
{
    unsigned d = (unsigned)(unsigned char)s[i] - '0';

    *bad |= d > 9;
    return d;
}

/*
 * Reads YYYY-MM-DD from the first 10 bytes of s. Shape and ranges are
 * OR-ed into one flag so a well-formed date takes a single branch; only
 * then is the month length looked up.
 */
static int parse_ymd(const char *s, int64_t *days)
{
    unsigned bad = 0;
    unsigned y = digit_at(s, 0, &bad) * 1000;
    y += digit_at(s, 1, &bad) * 100;
    y += digit_at(s, 2, &bad) * 10;
    y += digit_at(s, 3, &bad);
    unsigned m = digit_at(s, 5, &bad) * 10;
    m += digit_at(s, 6, &bad);
    unsigned d = digit_at(s, 8, &bad) * 10;
    d += digit_at(s, 9, &bad);

    bad |= (s[4] != '-') | (s[7] != '-');
    bad |= (y == 0) | (m - 1 > 11) | (d == 0);
    if (bad || d > days_in_month(y, m))
        return -1;
    *days = days_from_civil(y, m, d);
    return 0;
}

int value_parse_date(const char *s, size_t n, int64_t *days)
{
    if (n != 10)
        return -1;
    return parse_ymd(s, days);
}

/* Two digits at s[i]; sets a bit in *bad when they are not digits. */
static unsigned two_digits(const char *s, size_t i, unsigned *bad)
{
    unsigned d = digit_at(s, i, bad) * 10;
    return d + digit_at(s, i + 1, bad);
}

/* The zone suffix s[0..n): "", "Z", +HH, +HH:MM or +HHMM (or '-'); seconds east of UTC. */
static int parse_zone(const char *s, size_t n, int64_t *offset, int *has_zone)
{
    unsigned bad = 0, hh, mm = 0;
    *offset = 0;
    *has_zone = n > 0;
    if (n == 0 || (n == 1 && s[0] == 'Z'))
        return 0;
    if ((s[0] != '+' && s[0] != '-') || (n != 3 && n != 5 && n != 6))
        return -1;
    hh = two_digits(s, 1, &bad);
    if (n == 6)
        bad |= s[3] != ':';
    if (n > 3)
        mm = two_digits(s, n - 2, &bad);
    if (bad || hh > 23 || mm > 59)
        return -1;
    *offset = (int64_t)(hh * 3600 + mm * 60) * (s[0] == '-' ? -1 : 1);
    return 0;
}

int value_parse_iso_timestamp(const char *s, size_t n, int64_t *secs, int *has_zone)
{
    unsigned bad = 0, ss = 0;
    int64_t days, offset;
    size_t i = 16;

    if (n < 16 || (s[10] != 'T' && s[10] != ' '))
        return -1;
    unsigned hh = two_digits(s, 11, &bad);
    unsigned mi = two_digits(s, 14, &bad);
    bad |= s[13] != ':';
    if (i + 2 < n && s[i] == ':') {
        ss = two_digits(s, i + 1, &bad);
        i += 3;
        if (i < n && s[i] == '.') { /* a fraction of a second: cut off */
            size_t f = ++i;
            while (i < n && (unsigned)(unsigned char)s[i] - '0' <= 9)
                i++;
            bad |= i == f;
        }
    }
    bad |= (hh > 23) | (mi > 59) | (ss > 59);
    if (bad || parse_ymd(s, &days) != 0 || parse_zone(s + i, n - i, &offset, has_zone) != 0)
        return -1;
    *secs = days * SECS_PER_DAY + (int64_t)(hh * 3600 + mi * 60 + ss) - offset;
    return 0;
}

int value_parse_timestamp(const char *s, size_t n, int64_t *secs)
{
    unsigned bad = 0;
    int64_t days;

    if (n != 20)
        return -1;
    unsigned hh = two_digits(s, 11, &bad);
    unsigned mi = two_digits(s, 14, &bad);
    unsigned ss = two_digits(s, 17, &bad);
    bad |= (s[10] != 'T') | (s[13] != ':') | (s[16] != ':') | (s[19] != 'Z');
    bad |= (hh > 23) | (mi > 59) | (ss > 59);
    if (bad || parse_ymd(s, &days) != 0)
        return -1;
    *secs = days * SECS_PER_DAY + (int64_t)(hh * 3600 + mi * 60 + ss);
    return 0;
}

/* ---- formatting ---- */

/* Writes v in decimal, zero-padded to at least width digits; returns the length. */
static size_t put_uint(char *out, uint64_t v, size_t width)
{
    char tmp[20];
    size_t n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n < width)
        tmp[n++] = '0';
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

/* |v| without overflow at INT64_MIN. */
static uint64_t magnitude(int64_t v)
{
    return v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
}

size_t value_format_int(int64_t v, char out[24])
{
    size_t n = 0;

    if (v < 0)
        out[n++] = '-';
    n += put_uint(out + n, magnitude(v), 1);
    out[n] = '\0';
    return n;
}

size_t value_format_number(int64_t micros, char out[32])
{
    uint64_t mag = magnitude(micros);
    uint64_t frac = mag % VALUE_NUMBER_SCALE;
    size_t n = 0;

    if (micros < 0)
        out[n++] = '-';
    n += put_uint(out + n, mag / VALUE_NUMBER_SCALE, 1);
    if (frac != 0) {
        out[n++] = '.';
        n += put_uint(out + n, frac, 6);
        while (out[n - 1] == '0')
            n--;
    }
    out[n] = '\0';
    return n;
}

/* Writes [-]YYYY-MM-DD (more year digits past 9999); 0 past YEAR_FMT_MAX. */
static size_t put_date(char *out, int64_t days)
{
    int64_t y;
    unsigned m, d;
    size_t n = 0;

    value_civil_from_days(days, &y, &m, &d);
    if (y > YEAR_FMT_MAX || y < -YEAR_FMT_MAX)
        return 0;
    if (y < 0)
        out[n++] = '-';
    n += put_uint(out + n, magnitude(y), 4);
    out[n++] = '-';
    n += put_uint(out + n, m, 2);
    out[n++] = '-';
    n += put_uint(out + n, d, 2);
    return n;
}

size_t value_format_date(int64_t days, char out[16])
{
    size_t n = put_date(out, days);

    out[n] = '\0';
    return n;
}

size_t value_format_timestamp(int64_t secs, char out[24])
{
    int64_t sod;
    size_t n = put_date(out, floor_div(secs, SECS_PER_DAY, &sod));

    if (n != 0) {
        out[n++] = 'T';
        n += put_uint(out + n, (uint64_t)sod / 3600, 2);
        out[n++] = ':';
        n += put_uint(out + n, (uint64_t)sod / 60 % 60, 2);
        out[n++] = ':';
        n += put_uint(out + n, (uint64_t)sod % 60, 2);
        out[n++] = 'Z';
    }
    out[n] = '\0';
    return n;
}

size_t segrt_value_format(segrt_type type, int64_t v, char out[SEGRT_VALUE_TEXT_MAX])
{
    switch (type) {
    case SEGRT_T_INTEGER: return value_format_int(v, out);
    case SEGRT_T_NUMBER: return value_format_number(v, out);
    case SEGRT_T_DATE: return value_format_date(v, out);
    case SEGRT_T_TIMESTAMP: return value_format_timestamp(v, out);
    case SEGRT_T_BOOLEAN: {
        const char *text = v ? "true" : "false";
        size_t n = strlen(text);
        memcpy(out, text, n + 1);
        return n;
    }
    case SEGRT_T_STRING:
    case SEGRT_T_SET: break;
    }
    out[0] = '\0';
    return 0;
}
