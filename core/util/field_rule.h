/*
 * field_rule.h — checks of field values a schema script declares
 * (seg.field "nps" { type = "integer", min = 0, max = 10 }, one_of, pattern),
 * applied as rows are imported (import_rules.c): a value breaking one
 * rejects its row naming the rule and where it was declared. Built by the
 * Lua layer (lua/rules_load.c, segrt_rules_load), read by the importer.
 *
 * Uses: value.h, POSIX regex (patterns are extended regular expressions,
 * matched against the whole value).
 */
#ifndef SEGRT_FIELD_RULE_H
#define SEGRT_FIELD_RULE_H

#include "segrt.h"

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

typedef struct field_rule {
    char *name;            /* the field (or event attribute "amount") */
    char *loc;             /* "file:line" of the declaration */
    segrt_type type;       /* declared type, 0 when none */
    char *min, *max;       /* bounds as written (numbers, dates, times), NULL when none */
    char **one_of;         /* the allowed values, n_one_of of them */
    size_t n_one_of;
    char *pattern;         /* as written, NULL when none */
    regex_t re;            /* compiled ^(pattern)$ */
} field_rule;

struct segrt_rules {
    field_rule *rules;
    size_t n, cap;
};

/*
 * The built-in rule of a well-known field for a value v of type t (domain
 * of field_rule_parse; today in days since 1970): what breaks it ("is in the
 * future", "is before 1900", "is negative"), or NULL. Fields without one:
 * NULL. (E-mail: email_plausible; phone: phone_e164 for a known plan.)
 */
const char *field_rule_builtin(const char *field, segrt_type t, int64_t v, int64_t today);
/* Whether field has a built-in rule for some type and value (its name is one of those). */
int field_rule_has_builtin(const char *field);
/* A text value read as type t (not string or set) in the store's domain; 0, or -1. */
int field_rule_parse(segrt_type t, const char *p, size_t n, int64_t *v);
/* A rule as declared: what field_rules_add copies. */
typedef struct field_rule_spec {
    const char *name, *loc, *min, *max, *pattern;
    segrt_type type;
    const char *const *one_of;
    size_t n_one_of;
} field_rule_spec;

/*
 * Add the rule r declares (its strings copied, its pattern compiled). -1
 * with why (naming r->loc) for a bad pattern, a second rule for the field, or
 * no memory.
 */
int field_rules_add(segrt_rules *rs, const field_rule_spec *r, char *why, size_t n);
/* The rule of a field, or NULL. */
const field_rule *field_rules_find(const segrt_rules *rs, const char *name, size_t n);
/*
 * Check one value of a field of type t: the text p[0..n) (a string, a set's
 * item) or, for the other types, v as field_rule_parse gives it. NULL when it
 * holds, else why not, written into why.
 */
const char *field_rule_check(const field_rule *r, segrt_type t, const char *p, size_t n, int64_t v,
                             char *why, size_t whysize);

#endif
