/*
 * value.h — parsing and formatting of typed field values (SPEC §2).
 *
 * Every parser takes (s, n) — not NUL-terminated — and returns 0 on success,
 * -1 when the text is not a value of that type. Parsers are strict: no
 * leading/trailing spaces, no locale. All values are held as int64:
 *   integer    the integer
 *   number     exact decimal in micro-units (12.5 -> 12500000), <= 6 decimals
 *   boolean    0 or 1 (true/false, yes/no, 1/0, any case)
 *   date       days since 1970-01-01
 *   timestamp  seconds since 1970-01-01T00:00:00Z
 * VALUE_MISSING marks a missing value in columns; no parser produces it, so
 * integers and numbers range over +-INT64_MAX (INT64_MIN is rejected).
 *
 * Accepted forms:
 *   integer    [+-]digits                       "-12", "+7", "007"
 *   number     [+-]digits[.1-6 digits]          "12.5", "+3.000001", "0.5"
 *              rejected: ".5", "5.", "1e3", "12,50", "1 000", "12.5 EUR"
 *   date       YYYY-MM-DD, a real calendar day in 0001..9999
 *   timestamp  YYYY-MM-DDTHH:MM:SSZ, upper-case T and Z, no fraction or offset
 *   iso timestamp (value_parse_iso_timestamp: what imports accept) ISO 8601 as
 *              CRMs write it: YYYY-MM-DD[T or space]HH:MM[:SS[.fraction]] then
 *              Z, +HH:MM, +HHMM, +HH (or -), or nothing; the fraction is cut off:
 *              "2026-11-02T10:00:00+02:00", "2026-11-02 10:00:00", "2026-11-02 10:00"
 */
#ifndef SEGRT_VALUE_H
#define SEGRT_VALUE_H

#include <stddef.h>
#include <stdint.h>

#define VALUE_MISSING INT64_MIN
#define VALUE_NUMBER_SCALE 1000000

int value_parse_int(const char *s, size_t n, int64_t *out);
int value_parse_number(const char *s, size_t n, int64_t *micros);
int value_parse_bool(const char *s, size_t n, int64_t *out);
int value_parse_date(const char *s, size_t n, int64_t *days);
/* YYYY-MM-DDTHH:MM:SSZ; years 0001..9999; leap seconds are not accepted. */
int value_parse_timestamp(const char *s, size_t n, int64_t *secs);
/* The iso timestamp forms above; *has_zone is 0 when no zone was written (*secs then reads
 * the time as UTC: the caller may place it in another zone). */
int value_parse_iso_timestamp(const char *s, size_t n, int64_t *secs, int *has_zone);

/* Civil calendar <-> days since 1970-01-01 (proleptic Gregorian).
 * days_from_civil wants m in 1..12, d in 1..31 and |y| < 2^40;
 * civil_from_days takes any int64. */
int64_t value_days_from_civil(int64_t y, unsigned m, unsigned d);
void value_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* Whole years completed at NOW's UTC date (SPEC §2 `age`; 29 Feb -> 1 Mar). */
int value_age_years(int64_t birth_days, int64_t now_secs);

/* Formatting into out (NUL-terminated); return the length written. Dates and
 * timestamps use the formats above, with a '-' sign and more digits for years
 * outside 0000..9999; beyond years +-999999 they write "" and return 0. */
size_t value_format_int(int64_t v, char out[24]);
size_t value_format_number(int64_t micros, char out[32]); /* shortest exact: 12.5, 3, -0.000001 */
size_t value_format_date(int64_t days, char out[16]);
size_t value_format_timestamp(int64_t secs, char out[24]);

#endif
