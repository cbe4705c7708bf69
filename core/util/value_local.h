/*
 * value_local.h — values written the way a locale writes them, for imports:
 * numbers with a decimal comma and thousands separators ("1 234,56",
 * "1.234,56"), dates and timestamps in a strptime pattern ("%d.%m.%Y"), and
 * wall-clock times of an IANA zone turned into UTC.
 *
 * Provides: value_local_parse_number, value_local_parse_date,
 * value_local_parse_timestamp, value_local_to_utc. Uses: value.h, the C
 * library's strptime and mktime (the zone through TZ: not thread-safe while
 * a zone other than UTC is in use).
 */
#ifndef SEGRT_VALUE_LOCAL_H
#define SEGRT_VALUE_LOCAL_H

#include <stddef.h>
#include <stdint.h>

/*
 * A number with decimal mark `decimal` ('.' or ','), in micro-units as
 * value_parse_number. Thousands may be grouped by one kind of separator used
 * throughout: ' ', U+00A0, U+202F, '\'' and the other of '.' and ','; the
 * first group has 1-3 digits, the others 3: with ',' "1 234,56",
 * "1.234.567,8", "-0,5", "1234,5"; rejected: "1.5" (a group of 1), "1,2,3",
 * "1 234.567,0" (two separators).
 */
int value_local_parse_number(const char *s, size_t n, char decimal, int64_t *micros);
/* A date in strptime pattern fmt ("%d.%m.%Y") that must match all of s[0..n)
 * and be a real calendar day; days since 1970-01-01. */
int value_local_parse_date(const char *s, size_t n, const char *fmt, int64_t *days);
/*
 * A timestamp in strptime pattern fmt matching all of s[0..n); with %z in fmt
 * the written offset places it, else it is a wall-clock time in zone tz
 * (NULL: UTC). Seconds since the epoch (UTC).
 */
int value_local_parse_timestamp(const char *s, size_t n, const char *fmt, const char *tz,
                                int64_t *secs);
/*
 * The UTC instant of wall-clock time `local` (seconds since 1970-01-01 as
 * if it were UTC) in IANA zone tz (NULL or "UTC": the same). A time that
 * does not exist there (skipped by a DST change) is -1; one that exists
 * twice (the hour repeated in autumn) is the earlier instant.
 */
int value_local_to_utc(int64_t local, const char *tz, int64_t *utc);
/*
 * Keep the process's TZ at tz over many conversions (each would otherwise set
 * and restore it, reading the zone file twice): *saved receives the previous
 * TZ for value_local_zone_release(), which restores it and frees *saved.
 * -1 out of memory.
 */
int value_local_zone_hold(const char *tz, char **saved);
void value_local_zone_release(char *saved);

#endif
