/*
 * value_local.c — locale-written numbers, strptime dates and timestamps,
 * zone wall-clock to UTC (value_local.h).
 *
 * Numbers are rewritten into value_parse_number's form and parsed by it, so
 * both agree on range and exactness. Zones go through TZ and mktime: the
 * process's TZ is set for the call and restored after it.
 */
#include "util/value_local.h"

#include "util/value.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_LOCAL_TEXT 96 /* longer text is no local number, date or time */

/* Length of a thousands separator at s[0..n) (other than the decimal mark), or 0. */
static size_t separator_len(const char *s, size_t n, char decimal)
{
    if (s[0] == ' ' || s[0] == '\'' || s[0] == (decimal == ',' ? '.' : ','))
        return 1;
    if (n >= 2 && memcmp(s, "\xC2\xA0", 2) == 0) /* U+00A0 no-break space */
        return 2;
    if (n >= 3 && memcmp(s, "\xE2\x80\xAF", 3) == 0) /* U+202F narrow no-break space */
        return 3;
    return 0;
}

int value_local_parse_number(const char *s, size_t n, char decimal, int64_t *micros)
{
    char out[MAX_LOCAL_TEXT];
    size_t o = 0, i = 0, group = 0, groups = 0, sep_len = 0;
    const char *sep = NULL;

    if (n >= sizeof out)
        return -1;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        out[o++] = s[i++];
    for (; i < n && s[i] != decimal; i++) {
        if ((unsigned)(unsigned char)s[i] - '0' <= 9) {
            out[o++] = s[i];
            group++;
            continue;
        }
        size_t k = separator_len(s + i, n - i, decimal);
        /* One kind of separator; the first group 1-3 digits, the next ones 3. */
        if (k == 0 || group == 0 || group > 3 || (groups > 0 && group != 3) ||
            (sep && (k != sep_len || memcmp(sep, s + i, k) != 0)))
            return -1;
        sep = s + i;
        sep_len = k;
        groups++;
        group = 0;
        i += k - 1;
    }
    if (groups > 0 && group != 3)
        return -1;
    if (i < n) { /* the decimal mark and the fraction */
        out[o++] = '.';
        for (i++; i < n; i++)
            out[o++] = s[i];
    }
    return value_parse_number(out, o, micros);
}

/* strptime over s[0..n) that must consume all of it; 0 on a match. */
static int match(const char *s, size_t n, const char *fmt, struct tm *tm)
{
    char text[MAX_LOCAL_TEXT];
    if (n >= sizeof text || memchr(s, '\0', n) != NULL)
        return -1;
    memcpy(text, s, n);
    text[n] = '\0';
    memset(tm, 0, sizeof *tm);
    tm->tm_mday = 1;
    const char *end = strptime(text, fmt, tm);
    return end != NULL && *end == '\0' ? 0 : -1;
}

/* The day of tm's fields, when they name a real calendar day in 0001..9999. */
static int day_of(const struct tm *tm, int64_t *days)
{
    int64_t y = (int64_t)tm->tm_year + 1900, yy;
    unsigned m = (unsigned)tm->tm_mon + 1, d = (unsigned)tm->tm_mday, mm, dd;
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    *days = value_days_from_civil(y, m, d);
    value_civil_from_days(*days, &yy, &mm, &dd);
    return yy == y && mm == m && dd == d ? 0 : -1;
}

int value_local_parse_date(const char *s, size_t n, const char *fmt, int64_t *days)
{
    struct tm tm;
    return match(s, n, fmt, &tm) == 0 ? day_of(&tm, days) : -1;
}

int value_local_parse_timestamp(const char *s, size_t n, const char *fmt, const char *tz,
                                int64_t *secs)
{
    struct tm tm;
    int64_t days;
    if (match(s, n, fmt, &tm) != 0 || day_of(&tm, &days) != 0 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 59)
        return -1;
    int64_t local = days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    if (strstr(fmt, "%z") != NULL) {
        *secs = local - tm.tm_gmtoff;
        return 0;
    }
    return value_local_to_utc(local, tz, secs);
}

/* mktime of the wall-clock fields of `local` with isdst; -1 when they do not exist. */
static int try_dst(int64_t local, int isdst, int64_t *utc)
{
    time_t t = (time_t)local;
    struct tm want, tm, back;
    gmtime_r(&t, &want);
    tm = want;
    tm.tm_isdst = isdst;
    time_t r = mktime(&tm);
    if (r == (time_t)-1 || localtime_r(&r, &back) == NULL)
        return -1;
    if (back.tm_year != want.tm_year || back.tm_mon != want.tm_mon ||
        back.tm_mday != want.tm_mday || back.tm_hour != want.tm_hour ||
        back.tm_min != want.tm_min || back.tm_sec != want.tm_sec)
        return -1; /* normalised: the time is in a DST gap */
    *utc = (int64_t)r;
    return 0;
}

/* Point TZ at zone (NULL: unset it) and make the C library read it. */
static int set_tz(const char *zone)
{
    int rc = zone ? setenv("TZ", zone, 1) : unsetenv("TZ");
    tzset();
    return rc;
}

int value_local_zone_hold(const char *tz, char **saved)
{
    const char *old = getenv("TZ");
    *saved = old ? strdup(old) : NULL;
    if (old && *saved == NULL)
        return -1;
    return set_tz(tz);
}

void value_local_zone_release(char *saved)
{
    set_tz(saved);
    free(saved);
}

int value_local_to_utc(int64_t local, const char *tz, int64_t *utc)
{
    if (tz == NULL || strcmp(tz, "UTC") == 0) {
        *utc = local;
        return 0;
    }
    const char *cur = getenv("TZ");
    char *saved = NULL;
    int held = cur && strcmp(cur, tz) == 0; /* a caller holds the zone: no switch */
    if (!held && value_local_zone_hold(tz, &saved) != 0)
        return -1;
    int64_t summer = 0, winter = 0;
    int has_summer = try_dst(local, 1, &summer) == 0;
    int has_winter = try_dst(local, 0, &winter) == 0;
    if (!held)
        value_local_zone_release(saved);
    if (!has_summer && !has_winter)
        return -1;
    *utc = has_summer && (!has_winter || summer < winter) ? summer : winter;
    return 0;
}
