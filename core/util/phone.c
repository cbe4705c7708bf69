/*
 * phone.c — reading telephone numbers into E.164 form (phone.h).
 */
#include "util/phone.h"

#include <string.h>
#include <strings.h>

#define MAX_DIGITS 15     /* E.164 */
#define MAX_WRITTEN 17    /* with a 00 prefix */

/* The numbering plans segrt checks. */
typedef struct plan {
    const char *iso;  /* ISO 3166 alpha-2 */
    const char *cc;   /* country calling code */
    size_t min, max;  /* digits of the national significant number */
    const char *first; /* digits it may start with */
    const char *rule; /* why a number does not fit */
} plan;

static const plan plans[] = {
    { "RO", "40", 9, 9, "23789",
      "not a Romanian number: +40 takes 9 digits, starting with 2, 3, 7, 8 or 9" },
    { "PL", "48", 9, 9, "123456789",
      "not a Polish number: +48 takes 9 digits, not starting with 0" },
    { "BG", "359", 8, 9, "23456789",
      "not a Bulgarian number: +359 takes 8 or 9 digits, starting with 2 to 9" },
};
#define NPLANS (sizeof plans / sizeof plans[0])

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static const plan *plan_of_country(const char *country, size_t n)
{
    while (n && is_space(*country)) {
        country++;
        n--;
    }
    while (n && is_space(country[n - 1]))
        n--;
    for (size_t i = 0; n == 2 && i < NPLANS; i++) {
        if ((country[0] & ~0x20) == plans[i].iso[0] && (country[1] & ~0x20) == plans[i].iso[1])
            return &plans[i];
    }
    return NULL;
}

static const plan *plan_of_code(const char *digits, size_t n)
{
    for (size_t i = 0; i < NPLANS; i++) {
        size_t k = strlen(plans[i].cc);
        if (n >= k && memcmp(digits, plans[i].cc, k) == 0)
            return &plans[i];
    }
    return NULL;
}

/*
 * The digits of s, with the separators between them dropped; *plus tells
 * whether s starts with '+'. NULL, or why s is not a number.
 */
static const char *read_digits(const char *s, size_t n, char digits[MAX_WRITTEN + 1],
                               size_t *ndigits, int *plus)
{
    size_t i = 0, k = 0;
    while (i < n && is_space(s[i]))
        i++;
    while (n > i && is_space(s[n - 1]))
        n--;
    if (i == n)
        return "is empty";
    *plus = s[i] == '+';
    i += (size_t)*plus;
    for (; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (k == MAX_WRITTEN)
                return "has more than 15 digits";
            digits[k++] = c;
        } else if (c == '+') {
            return "has a '+' that does not start it";
        } else if (!is_space(c) && !strchr("-./()", c)) {
            return "has characters other than digits, spaces, '-', '.', '/' and parentheses";
        }
    }
    digits[k] = '\0';
    *ndigits = k;
    return k ? NULL : "has no digits";
}

/* out := '+' cc nsn when nsn fits the plan. */
static const char *national(const plan *p, const char *nsn, size_t n, char out[PHONE_E164_MAX])
{
    if (n && nsn[0] == '0') { /* the trunk prefix: 0721... or +40 (0)721... */
        nsn++;
        n--;
    }
    if (n < p->min || n > p->max || strchr(p->first, nsn[0]) == NULL)
        return p->rule;
    size_t cc = strlen(p->cc);
    out[0] = '+';
    memcpy(out + 1, p->cc, cc);
    memcpy(out + 1 + cc, nsn, n);
    out[1 + cc + n] = '\0';
    return NULL;
}

const char *phone_e164(const char *s, size_t n, const char *country, size_t clen,
                       char out[PHONE_E164_MAX])
{
    char d[MAX_WRITTEN + 1];
    size_t nd = 0;
    int plus = 0;
    out[0] = '\0';
    const char *why = read_digits(s, n, d, &nd, &plus);
    if (why)
        return why;
    const char *digits = d;
    if (!plus && nd >= 2 && d[0] == '0' && d[1] == '0') { /* 00: international */
        plus = 1;
        digits += 2;
        nd -= 2;
    }
    if (!plus) {
        const plan *p = plan_of_country(country, clen);
        if (p == NULL)
            return "has no international prefix, and the contact's country is not RO, PL or BG";
        return national(p, digits, nd, out);
    }
    const plan *p = plan_of_code(digits, nd);
    if (p)
        return national(p, digits + strlen(p->cc), nd - strlen(p->cc), out);
    if (nd > MAX_DIGITS)
        return "has more than 15 digits";
    if (nd < 8 || digits[0] == '0')
        return "is not an international number (8 to 15 digits after '+', not starting with 0)";
    out[0] = '+';
    memcpy(out + 1, digits, nd);
    out[1 + nd] = '\0';
    return NULL;
}

int phone_plan_known(const char *country, size_t clen)
{
    static const char *const known[] = { "ro", "pl", "bg" };
    for (size_t i = 0; clen == 2 && i < sizeof known / sizeof known[0]; i++) {
        if (strncasecmp(country, known[i], 2) == 0)
            return 1;
    }
    return 0;
}
