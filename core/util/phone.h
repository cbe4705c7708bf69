/*
 * phone.h — telephone numbers in E.164 form (+, country code, national
 * number), the key segrt dedupe --by phone compares.
 *
 * Read: digits with spaces, '-', '.', '/' and parentheses between them; an
 * international prefix '+' or "00"; "(0)" or a 0 after the country code
 * (the trunk prefix some write there). Romanian (+40), Polish (+48) and
 * Bulgarian (+359) numbers are checked against their numbering plans
 * (9 national digits for RO and PL, 8 or 9 for BG, no leading 0 after the
 * trunk prefix); a number without an international prefix is national, of
 * the contact's country (RO, PL or BG; a leading 0 is the trunk prefix).
 * Other countries' international numbers are taken as they are when they
 * have 8 to 15 digits (E.164's limit) without checking their plans.
 */
#ifndef SEGRT_PHONE_H
#define SEGRT_PHONE_H

#include <stddef.h>

/* Bytes of the longest E.164 form with its NUL: '+', 15 digits, NUL. */
#define PHONE_E164_MAX 17

/*
 * Write the E.164 form of the number s[0..n) to out. country[0..clen) is
 * the contact's country (ISO 3166 alpha-2, any case; clen 0 when unknown),
 * used when the number has no international prefix. Returns NULL when the
 * number was read, else a phrase saying why not (out is then "").
 */
const char *phone_e164(const char *s, size_t n, const char *country, size_t clen,
                       char out[PHONE_E164_MAX]);
/* Whether the numbering plan of country[0..clen) is one phone_e164 checks (RO, PL, BG). */
int phone_plan_known(const char *country, size_t clen);

#endif
