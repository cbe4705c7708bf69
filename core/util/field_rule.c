/*
 * field_rule.c — declared checks of field values (field_rule.h), and
 * segrt_rules_free().
 */
#include "util/field_rule.h"

#include "util/array.h"
#include "util/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int field_rule_parse(segrt_type t, const char *p, size_t n, int64_t *v)
{
    switch (t) {
    case SEGRT_T_INTEGER: return value_parse_int(p, n, v);
    case SEGRT_T_NUMBER: return value_parse_number(p, n, v);
    case SEGRT_T_BOOLEAN: return value_parse_bool(p, n, v);
    case SEGRT_T_DATE: return value_parse_date(p, n, v);
    case SEGRT_T_TIMESTAMP: return value_parse_timestamp(p, n, v);
    default: return -1;
    }
}

int field_rule_has_builtin(const char *field)
{
    return strcmp(field, "birth_date") == 0 || strcmp(field, "income") == 0 ||
           strcmp(field, "amount") == 0;
}

const char *field_rule_builtin(const char *field, segrt_type t, int64_t v, int64_t today)
{
    if (strcmp(field, "birth_date") == 0 && t == SEGRT_T_DATE)
        return v > today ? "is in the future"
             : v < value_days_from_civil(1900, 1, 1) ? "is before 1900" : NULL;
    if ((strcmp(field, "income") == 0 || strcmp(field, "amount") == 0) &&
        (t == SEGRT_T_INTEGER || t == SEGRT_T_NUMBER))
        return v < 0 ? "is negative" : NULL;
    return NULL;
}

static void rule_free(field_rule *r)
{
    free(r->name);
    free(r->loc);
    free(r->min);
    free(r->max);
    for (size_t i = 0; i < r->n_one_of; i++)
        free(r->one_of[i]);
    free(r->one_of);
    if (r->pattern)
        regfree(&r->re);
    free(r->pattern);
}

void segrt_rules_free(segrt_rules *rs)
{
    if (rs == NULL)
        return;
    for (size_t i = 0; i < rs->n; i++)
        rule_free(&rs->rules[i]);
    free(rs->rules);
    free(rs);
}

/* strdup that keeps NULL; *bad is set when it runs out of memory. */
static char *copy(const char *s, int *bad)
{
    char *d = s ? strdup(s) : NULL;
    *bad |= s && !d;
    return d;
}

int field_rules_add(segrt_rules *rs, const field_rule_spec *r, char *why, size_t n)
{
    if (field_rules_find(rs, r->name, strlen(r->name))) {
        snprintf(why, n, "%s: field '%s' has rules already", r->loc, r->name);
        return -1;
    }
    if (ARRAY_RESERVE(rs->rules, rs->cap, rs->n + 1) != 0) {
        snprintf(why, n, "out of memory");
        return -1;
    }
    int bad = 0;
    field_rule d = { .type = r->type, .n_one_of = r->n_one_of };
    d.name = copy(r->name, &bad);
    d.loc = copy(r->loc, &bad);
    d.min = copy(r->min, &bad);
    d.max = copy(r->max, &bad);
    d.one_of = r->n_one_of ? calloc(r->n_one_of, sizeof *d.one_of) : NULL;
    bad |= r->n_one_of && !d.one_of;
    for (size_t i = 0; d.one_of && i < r->n_one_of; i++)
        d.one_of[i] = copy(r->one_of[i], &bad);
    if (!bad && r->pattern) {
        size_t len = strlen(r->pattern) + 5;
        char *anchored = malloc(len);
        bad |= anchored == NULL;
        if (anchored) {
            snprintf(anchored, len, "^(%s)$", r->pattern);
            int rc = regcomp(&d.re, anchored, REG_EXTENDED | REG_NOSUB);
            free(anchored);
            if (rc != 0) {
                char msg[128];
                regerror(rc, NULL, msg, sizeof msg);
                snprintf(why, n, "%s: field '%s': pattern '%s' is not a regular expression: %s",
                         r->loc, r->name, r->pattern, msg);
                rule_free(&d);
                return -1;
            }
            d.pattern = copy(r->pattern, &bad);
            if (d.pattern == NULL)
                regfree(&d.re);
        }
    }
    if (bad) {
        rule_free(&d);
        snprintf(why, n, "out of memory");
        return -1;
    }
    rs->rules[rs->n++] = d;
    return 0;
}

const field_rule *field_rules_find(const segrt_rules *rs, const char *name, size_t n)
{
    for (size_t i = 0; rs && i < rs->n; i++) {
        if (strlen(rs->rules[i].name) == n && memcmp(rs->rules[i].name, name, n) == 0)
            return &rs->rules[i];
    }
    return NULL;
}

/* A bound of r (min or max) against v: 1 when v is beyond it; -1 when the bound does not read. */
static int beyond(const char *bound, segrt_type t, int64_t v, int below)
{
    int64_t b;
    if (field_rule_parse(t, bound, strlen(bound), &b) != 0)
        return -1;
    return below ? v < b : v > b;
}

const char *field_rule_check(const field_rule *r, segrt_type t, const char *p, size_t n, int64_t v,
                             char *why, size_t whysize)
{
    int text = t == SEGRT_T_STRING || t == SEGRT_T_SET;
    for (int k = 0; !text && k < 2; k++) {
        const char *bound = k ? r->max : r->min;
        int b = bound ? beyond(bound, t, v, !k) : 0;
        if (b < 0)
            snprintf(why, whysize, "the rule's %s '%s' (%s) is not a %s", k ? "max" : "min",
                     bound, r->loc, segrt_type_name(t));
        else if (b)
            snprintf(why, whysize, "%s '%.*s' is %s the %s %s (rule at %s)", r->name, (int)n, p,
                     k ? "above" : "below", k ? "maximum" : "minimum", bound, r->loc);
        if (b)
            return why;
    }
    if (r->n_one_of) {
        size_t i = 0;
        while (i < r->n_one_of && !(strlen(r->one_of[i]) == n && memcmp(r->one_of[i], p, n) == 0))
            i++;
        if (i == r->n_one_of) {
            snprintf(why, whysize, "%s '%.*s' is not one of the values the rule at %s allows",
                     r->name, (int)n, p, r->loc);
            return why;
        }
    }
    if (r->pattern) {
        char *s = strndup(p, n);
        int miss = s == NULL || regexec(&r->re, s, 0, NULL, 0) != 0;
        free(s);
        if (miss) {
            snprintf(why, whysize, "%s '%.*s' does not match the pattern %s (rule at %s)",
                     r->name, (int)n, p, r->pattern, r->loc);
            return why;
        }
    }
    return NULL;
}
