/*
 * import_rules.c — plausible values at entry: the checks a schema script
 * declares (opts->rules, util/field_rule.h) and the built-in ones of the
 * well-known fields — a birth date from 1900 to NOW, income and event
 * amounts not negative, a phone number valid for the row's country (RO,
 * PL, BG: the numbering plans phone.h knows). A
 * declared rule for a field replaces its built-in one. (E-mail addresses
 * must be RFC 5322 addr-specs: import_contacts.c.) A value breaking a rule
 * rejects its row, naming the rule.
 *
 * Uses: import.h, field_rule.h (the rules, built-in ones too), phone.h.
 */
#include "import/import.h"

#include "util/field_rule.h"
#include "util/phone.h"

#include <stdio.h>
#include <string.h>

#define SECS_PER_DAY 86400

/* What a built-in rule's message adds: how to change it. */
#define DECLARE_HINT "declare seg.field \"%s\" { min = ..., max = ... } in a --schema script to change it"

/*
 * Plan each column's checks once, not per row: its declared rule, whether
 * its name has a built-in one, and which columns are the phone and the
 * country. Planned again when the rules or the columns change (a stream's
 * next feed, a JSON line with a new key).
 */
static void plan(import_ctx *c)
{
    if (c->rules_ncols == c->ncols && c->rules_of == c->opts->rules)
        return;
    c->phone_col = c->country_col = -1;
    for (size_t i = 0; i < c->ncols; i++) {
        import_col *col = &c->cols[i];
        if (col->role != ROLE_FIELD)
            continue;
        col->rule = field_rules_find(c->opts->rules, col->name, strlen(col->name));
        col->has_builtin = field_rule_has_builtin(col->name);
        if (strcmp(col->name, "phone") == 0)
            c->phone_col = (long)i;
        else if (strcmp(col->name, "country") == 0)
            c->country_col = (long)i;
    }
    c->rules_of = c->opts->rules;
    c->rules_ncols = c->ncols;
}

/* The built-in rule of a field, when it has one: SEGRT_OK or a reject. */
static int builtin(import_ctx *c, const import_col *col, const cell *cl, int64_t v)
{
    int64_t now = segrt_store_now(c->s), today = now / SECS_PER_DAY - (now % SECS_PER_DAY < 0);
    const char *why = field_rule_builtin(col->name, col->type, v, today);
    if (why == NULL)
        return SEGRT_OK;
    return import_reject(c, "%s '%s' %s (built-in rule: %s; " DECLARE_HINT ")", col->name,
                         import_quote(c, cl->p, cl->n), why,
                         col->type == SEGRT_T_DATE ? "from 1900-01-01 to NOW" : "not negative",
                         col->name);
}

/* The row's phone is a number of its country (when it gives one whose plan phone.h knows). */
static int phone_in_country(import_ctx *c)
{
    if (c->phone_col < 0 || c->country_col < 0 || c->cols[c->phone_col].rule)
        return SEGRT_OK;
    const cell *phone = &c->cells[c->phone_col], *country = &c->cells[c->country_col];
    if (phone->state != CELL_TEXT || country->state != CELL_TEXT ||
        !phone_plan_known(country->p, country->n))
        return SEGRT_OK;
    char e164[PHONE_E164_MAX];
    const char *why = phone_e164(phone->p, phone->n, country->p, country->n, e164);
    if (why == NULL)
        return SEGRT_OK;
    char q[64];
    snprintf(q, sizeof q, "%.*s", (int)(country->n < 8 ? country->n : 8), country->p);
    return import_reject(c, "phone '%s' is not a phone number of country %s: %s (built-in rule: "
                         "valid E.164 for the country)", import_quote(c, phone->p, phone->n), q,
                         why);
}

int import_rules_contact(import_ctx *c)
{
    char why[512];
    plan(c);
    for (size_t i = 0; i < c->ncols; i++) {
        const import_col *col = &c->cols[i];
        const cell *cl = &c->cells[i];
        if (col->role != ROLE_FIELD || (cl->state != CELL_TEXT && cl->state != CELL_ARRAY))
            continue;
        const field_rule *r = col->rule;
        int rc = SEGRT_OK;
        if (r == NULL && col->has_builtin && col->type != SEGRT_T_STRING &&
            col->type != SEGRT_T_SET)
            rc = builtin(c, col, cl, c->parsed[i]);
        if (r && col->type == SEGRT_T_SET) {
            for (size_t k = 0; k < c->items_n[i] && rc == SEGRT_OK; k++) {
                const char *p = c->items[c->items_at[i] + k].p;
                size_t n = c->items[c->items_at[i] + k].n;
                if (field_rule_check(r, SEGRT_T_STRING, p, n, 0, why, sizeof why))
                    rc = import_reject(c, "%s", why);
            }
        } else if (r && field_rule_check(r, col->type, cl->p, cl->n, c->parsed[i], why,
                                         sizeof why)) {
            rc = import_reject(c, "%s", why);
        }
        if (rc != SEGRT_OK)
            return rc;
    }
    return phone_in_country(c);
}

int import_rules_amount(import_ctx *c, const cell *cl, int64_t amount)
{
    char why[512];
    const field_rule *r = field_rules_find(c->opts->rules, "amount", 6);
    if (r && field_rule_check(r, SEGRT_T_NUMBER, cl->p, cl->n, amount, why, sizeof why))
        return import_reject(c, "%s", why);
    if (r == NULL && field_rule_builtin("amount", SEGRT_T_NUMBER, amount, 0))
        return import_reject(c, "amount '%s' is negative (built-in rule: not negative; "
                             DECLARE_HINT ")", import_quote(c, cl->p, cl->n), "amount");
    return SEGRT_OK;
}
