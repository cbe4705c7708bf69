/*
 * report_locale.c — money in a report as its readers write it (report.h):
 * the locale's digit grouping and decimal mark, and its currency before or
 * after the amount ("3.600.178,26 lei", "3 600 178,26 zł", "€3,600,178.26").
 * The digits are report_money's, so an amount stays exact: more than two
 * decimals only when the amount has them.
 *
 * Polish and Bulgarian group thousands with a no-break space (U+00A0) so
 * that an amount never wraps across lines.
 */
#include "output/report.h"

#include <stdio.h>
#include <string.h>

/* Without a locale: the exact decimal alone, as in machine-read output ("3600178.26"). */
static const report_locale no_locale = { "plain", "", ".", "", 0 };

static const report_locale locales[] = {
    { "en", ",", ".", "€", 1 },
    { "ro", ".", ",", "lei", 0 },
    { "pl", "\xc2\xa0", ",", "zł", 0 },
    { "bg", "\xc2\xa0", ",", "лв.", 0 },
};

const report_locale *report_locale_find(const char *name)
{
    if (name == NULL)
        return &no_locale;
    for (size_t i = 0; i < sizeof locales / sizeof locales[0]; i++) {
        if (strcmp(locales[i].name, name) == 0)
            return &locales[i];
    }
    return NULL;
}

/* The digits of the exact decimal text in (sign, integer part, fraction), grouped. */
static size_t group_digits(const report_locale *loc, const char *in, char *out, size_t cap)
{
    const char *dot = strchr(in, '.'), *digits = in[0] == '-' ? in + 1 : in;
    size_t n = 0, nint = (size_t)(dot - digits), glen = strlen(loc->group);
    if (in[0] == '-' && n + 1 < cap)
        out[n++] = '-';
    for (size_t i = 0; i < nint && n + glen + 1 < cap; i++) {
        if (i && (nint - i) % 3 == 0) {
            memcpy(out + n, loc->group, glen);
            n += glen;
        }
        out[n++] = digits[i];
    }
    size_t dlen = strlen(loc->decimal), flen = strlen(dot + 1);
    if (n + dlen + flen < cap) {
        memcpy(out + n, loc->decimal, dlen);
        memcpy(out + n + dlen, dot + 1, flen);
        n += dlen + flen;
    }
    out[n] = '\0';
    return n;
}

void report_money_local(const segrt_report *r, int64_t micros, char out[REPORT_MONEY_LEN])
{
    char plain[32], digits[40];
    report_money(micros, plain);
    group_digits(r->locale, plain, digits, sizeof digits);
    const char *cur = r->currency, *body = digits, *sign = "";
    int first = r->locale->currency_first && cur[0];
    if (first && digits[0] == '-') { /* "-€12.50" */
        sign = "-";
        body = digits + 1;
    }
    /* the currency is at most REPORT_CURRENCY_MAX bytes (check_opts), so this fits */
    int n = snprintf(out, REPORT_MONEY_LEN, "%s%s%s%s%s", sign, first ? cur : "", body,
                     !first && cur[0] ? " " : "", !first ? cur : "");
    if (n < 0)
        out[0] = '\0';
}
