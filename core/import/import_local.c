/*
 * import_local.c — cells written in a local or CRM format rewritten into
 * segrt's canonical text before a row is applied: ISO 8601 timestamps with
 * offsets or a space ("2026-11-02 10:00:00", "...+02:00"), --tz for those
 * without an offset, --date-format, --timestamp-format and --decimal; and
 * what type inference learns from them (a column typed per new field, with a
 * note naming the flag when its values look local but no flag was given).
 *
 * Uses: value.h, value_local.h, field_rule.h (a canonical value read once, kept in its cell).
 */
#include "import/import.h"

#include "util/field_rule.h"
#include "util/value.h"
#include "util/value_local.h"

#include <stdlib.h>
#include <string.h>

/* The type a column's cells must have (0: not one this file rewrites). */
static segrt_type cell_type(const import_ctx *c, size_t i)
{
    const import_col *col = &c->cols[i];
    switch (col->role) {
    case ROLE_FIELD: return col->type;
    case ROLE_EV_TS:
    case ROLE_CS_TS:
    case ROLE_CS_EXPIRES: return SEGRT_T_TIMESTAMP;
    case ROLE_EV_AMOUNT: return SEGRT_T_NUMBER;
    default: return 0;
    }
}

/* A timestamp cell's instant: the given pattern, else ISO 8601 (wall clock in --tz). */
static int parse_ts(const import_ctx *c, const char *p, size_t n, int64_t *secs)
{
    const segrt_import_opts *o = c->opts;
    int has_zone;
    if (o->timestamp_format &&
        value_local_parse_timestamp(p, n, o->timestamp_format, o->tz, secs) == 0)
        return 0;
    if (value_parse_iso_timestamp(p, n, secs, &has_zone) != 0)
        return -1;
    return has_zone ? 0 : value_local_to_utc(*secs, o->tz, secs);
}

/* A date or number cell the strict parser refuses but a flag would read: say which. */
static int hint_reject(import_ctx *c, size_t i, segrt_type t)
{
    cell *cl = &c->cells[i];
    if (t != SEGRT_T_DATE && t != SEGRT_T_NUMBER && t != SEGRT_T_INTEGER)
        return SEGRT_OK; /* the kind's parser judges it */
    int64_t v;
    if (field_rule_parse(t, cl->p, cl->n, &v) == 0) { /* kept for the kind's parser */
        cl->vtype = t;
        cl->v = v;
        return SEGRT_OK;
    }
    const char *hint = import_local_hint(cl->p, cl->n);
    if (hint == NULL)
        return SEGRT_OK; /* the kind's parser judges it */
    return import_reject(c, "%s '%s' is not a%s %s: it looks local, give %s", c->cols[i].name,
                         import_quote(c, cl->p, cl->n), t == SEGRT_T_INTEGER ? "n" : "",
                         segrt_type_name(t), hint);
}

/* Rewrite cell i into canonical text (in c->canon); SEGRT_EBADROW when it cannot be read. */
static int rewrite(import_ctx *c, size_t i, segrt_type t)
{
    const segrt_import_opts *o = c->opts;
    cell *cl = &c->cells[i];
    char *out = c->canon + i * IMPORT_CANON_BYTES;
    int64_t v;
    size_t n = 0;
    const char *name = c->cols[i].name;
    if (t == SEGRT_T_TIMESTAMP) {
        if (o->tz == NULL && value_parse_timestamp(cl->p, cl->n, &v) == 0) {
            cl->vtype = t; /* canonical already: the value is kept for the kind's parser */
            cl->v = v;
            return SEGRT_OK;
        }
        if (parse_ts(c, cl->p, cl->n, &v) != 0)
            return import_reject(c, "%s '%s' is not a timestamp (%s%s%s)", name,
                                 import_quote(c, cl->p, cl->n),
                                 o->timestamp_format ? "--timestamp-format " : "ISO 8601, e.g. "
                                 "2026-11-02T10:00:00+02:00; see --timestamp-format",
                                 o->timestamp_format ? o->timestamp_format : "",
                                 o->tz ? ", a time that exists in --tz" : "");
        n = value_format_timestamp(v, out);
    } else if (t == SEGRT_T_DATE && o->date_format) {
        if (value_parse_date(cl->p, cl->n, &v) != 0 &&
            value_local_parse_date(cl->p, cl->n, o->date_format, &v) != 0)
            return import_reject(c, "%s '%s' is not a date (--date-format %s)", name,
                                 import_quote(c, cl->p, cl->n), o->date_format);
        n = value_format_date(v, out);
    } else if ((t == SEGRT_T_NUMBER || t == SEGRT_T_INTEGER) && o->decimal) {
        if (value_local_parse_number(cl->p, cl->n, o->decimal, &v) != 0)
            return import_reject(c, "%s '%s' is not a number (--decimal %c: e.g. %s)", name,
                                 import_quote(c, cl->p, cl->n), o->decimal,
                                 o->decimal == ',' ? "1 234,56" : "1,234.56");
        if (t == SEGRT_T_INTEGER && v % VALUE_NUMBER_SCALE != 0)
            return import_reject(c, "%s '%s' is not an integer", name,
                                 import_quote(c, cl->p, cl->n));
        n = t == SEGRT_T_INTEGER ? value_format_int(v / VALUE_NUMBER_SCALE, out)
                                 : value_format_number(v, out);
    } else {
        return hint_reject(c, i, t);
    }
    cl->p = out;
    cl->n = n;
    return SEGRT_OK;
}

segrt_type import_local_plain_type(const import_ctx *c, size_t i)
{
    const segrt_import_opts *o = c->opts;
    segrt_type t = cell_type(c, i);
    switch (t) {
    case SEGRT_T_TIMESTAMP: return o->tz == NULL ? t : 0;
    case SEGRT_T_DATE: return o->date_format == NULL ? t : 0;
    case SEGRT_T_NUMBER:
    case SEGRT_T_INTEGER: return o->decimal == 0 ? t : 0;
    default: return 0;
    }
}

int import_local_row(import_ctx *c)
{
    if (c->canon_cols < c->ncols) {
        free(c->canon);
        c->canon = malloc(c->ncols * IMPORT_CANON_BYTES);
        c->canon_cols = c->canon ? c->ncols : 0;
        if (c->canon == NULL)
            return store_fail(c->s, SEGRT_ENOMEM, "out of memory reading a row");
    }
    for (size_t i = 0; i < c->ncols; i++) {
        const cell *cl = &c->cells[i];
        /* JSON numbers are written one way only: only text is local */
        int text = cl->state == CELL_TEXT && (cl->json == NULL || json_is_string(cl->json));
        segrt_type t = text ? cell_type(c, i) : 0;
        if (t && cl->vtype == t)
            continue; /* read ahead (import_prep.c): canonical */
        int rc = t ? rewrite(c, i, t) : SEGRT_OK;
        if (rc != SEGRT_OK)
            return rc;
    }
    return SEGRT_OK;
}

const char *import_type_phrase(segrt_type t)
{
    switch (t) {
    case SEGRT_T_INTEGER: return "an integer";
    case SEGRT_T_NUMBER: return "a number (digits, '.' and at most 6 decimals)";
    case SEGRT_T_BOOLEAN: return "a boolean (true/false)";
    case SEGRT_T_DATE: return "a date (YYYY-MM-DD)";
    case SEGRT_T_TIMESTAMP: return "a timestamp (YYYY-MM-DDTHH:MM:SSZ)";
    default: return "a value";
    }
}

int import_local_value(import_ctx *c, const char *name, const char *p, size_t n, segrt_type t,
                       int64_t *v)
{
    const segrt_import_opts *o = c->opts;
    int ok = 0;
    switch (t) {
    case SEGRT_T_TIMESTAMP: ok = parse_ts(c, p, n, v) == 0; break;
    case SEGRT_T_DATE:
        ok = value_parse_date(p, n, v) == 0 ||
             (o->date_format && value_local_parse_date(p, n, o->date_format, v) == 0);
        break;
    case SEGRT_T_INTEGER:
    case SEGRT_T_NUMBER:
        ok = (o->decimal ? value_local_parse_number(p, n, o->decimal, v)
                         : value_parse_number(p, n, v)) == 0 &&
             (t == SEGRT_T_NUMBER || *v % VALUE_NUMBER_SCALE == 0);
        break;
    case SEGRT_T_BOOLEAN: ok = value_parse_bool(p, n, v) == 0; break;
    default: break;
    }
    if (ok)
        return SEGRT_OK;
    const char *hint = import_local_hint(p, n);
    return import_reject(c, "%s '%s' is not %s%s%s", name, import_quote(c, p, n),
                         import_type_phrase(t), hint ? ": it looks local, give " : "",
                         hint ? hint : "");
}

/* What a text value reads as with the import's options (KIND_* bits). */
unsigned import_local_kinds(const import_ctx *c, const char *p, size_t n)
{
    const segrt_import_opts *o = c->opts;
    unsigned k = import_value_kinds(p, n);
    int64_t v;
    if (parse_ts(c, p, n, &v) == 0)
        k |= KIND_TS;
    if (o->date_format && value_local_parse_date(p, n, o->date_format, &v) == 0)
        k |= KIND_DATE;
    if (o->decimal && value_local_parse_number(p, n, o->decimal, &v) == 0)
        k |= KIND_NUM;
    return k;
}

/* Digits at p[*i..n): how many (advancing *i). */
static size_t digits(const char *p, size_t n, size_t *i)
{
    size_t start = *i;
    while (*i < n && (unsigned)(unsigned char)p[*i] - '0' <= 9)
        (*i)++;
    return *i - start;
}

const char *import_local_hint(const char *p, size_t n)
{
    /* D.M.YYYY, DD/MM/YY, D-M-YYYY (one separator twice), maybe then " " or "T" and a time. */
    size_t i = 0, d1 = digits(p, n, &i);
    char sep = i < n ? p[i] : 0;
    if (d1 >= 1 && d1 <= 2 && sep && strchr("./-", sep)) {
        i++;
        size_t d2 = digits(p, n, &i);
        if (d2 >= 1 && d2 <= 2 && i < n && p[i] == sep) {
            i++;
            size_t d3 = digits(p, n, &i);
            if (d3 == 2 || d3 == 4) {
                if (i == n)
                    return "--date-format (e.g. %d.%m.%Y)";
                if ((p[i] == ' ' || p[i] == 'T') && i + 1 < n &&
                    (unsigned)(unsigned char)p[i + 1] - '0' <= 9)
                    return "--timestamp-format (e.g. \"%d.%m.%Y %H:%M\")";
            }
        }
    }
    int64_t v;
    if (value_parse_number(p, n, &v) != 0 && value_local_parse_number(p, n, ',', &v) == 0)
        return "--decimal ,";
    return NULL;
}
