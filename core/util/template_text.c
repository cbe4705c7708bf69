/*
 * template_text.c — parsing a template's subject or body into literals and
 * placeholders, and rendering it with one contact's values (template_text.h).
 *
 * Uses: buf.h, array.h, value.h (number and date formatting), suggest.h.
 */
#include "util/template_text.h"

#include "util/array.h"
#include "util/suggest.h"
#include "util/value.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ parsing */

typedef struct parser {
    const char *src, *p;
    unsigned line;
    char *err;
    size_t errlen;
} parser;

static int fail(parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(parser *ps, const char *fmt, ...)
{
    int n = snprintf(ps->err, ps->errlen, "line %u: ", ps->line);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < ps->errlen)
        vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static int is_name_start(char c)
{
    return isalpha((unsigned char)c) || c == '_';
}

static int is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

static void skip_spaces(parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t')
        ps->p++;
}

/* The placeholder starting at open as written: up to its '}', the line end or 80 bytes. */
static char *source_of(const char *open)
{
    size_t n = 0;
    while (open[n] && open[n] != '\n' && n < 80 && (n == 0 || open[n - 1] != '}'))
        n++;
    return strndup(open, n);
}

static char *dup_span(const char *from, const char *to)
{
    return strndup(from, (size_t)(to - from));
}

static const char *const format_names[] = { "date", "money", "fixed", "join" };
static const template_text_format format_codes[] = { TPL_DATE, TPL_MONEY, TPL_FIXED, TPL_JOIN };

/* A date pattern may use %Y %m %d %H %M %S and %% only. */
static int pattern_ok(const char *pat)
{
    for (const char *c = pat; *c; c++) {
        if (*c != '%')
            continue;
        if (c[1] == '\0' || !strchr("YmdHMS%", c[1]))
            return 0;
        c++;
    }
    return 1;
}

/* ":format" or ":format(arg)" after the name; ps->p is past the ':'. */
static int parse_format(parser *ps, template_text_part *part)
{
    skip_spaces(ps);
    const char *start = ps->p;
    while (isalpha((unsigned char)*ps->p))
        ps->p++;
    char word[16];
    snprintf(word, sizeof word, "%.*s", (int)(ps->p - start), start);
    size_t i = 0;
    while (i < 4 && strcmp(word, format_names[i]) != 0)
        i++;
    if (i == 4) {
        const char *near = suggest_closest(word, format_names, 4);
        return fail(ps, "%s: unknown format '%s'%s%s%s (date, money, fixed or join)",
                    part->source, word, near ? " (did you mean '" : "", near ? near : "",
                    near ? "'?)" : "");
    }
    part->format = format_codes[i];
    part->digits = part->format == TPL_MONEY ? 2 : 0;
    if (*ps->p == '(') {
        const char *arg = ++ps->p;
        while (*ps->p && *ps->p != ')' && *ps->p != '\n')
            ps->p++;
        if (*ps->p != ')')
            return fail(ps, "%s: the '(' of :%s is not closed", part->source, word);
        if ((part->arg = dup_span(arg, ps->p++)) == NULL)
            return -2;
    }
    skip_spaces(ps);
    const char *arg = part->arg;
    if (part->format == TPL_FIXED) {
        if (arg == NULL || strlen(arg) != 1 || arg[0] < '0' || arg[0] > '6')
            return fail(ps, "%s: fixed takes a number of decimals from 0 to 6, e.g. fixed(2)",
                        part->source);
        part->digits = arg[0] - '0';
    }
    if (part->format == TPL_DATE && arg && !pattern_ok(arg))
        return fail(ps, "%s: a date pattern takes %%Y %%m %%d %%H %%M %%S and %%%% only",
                    part->source);
    return 0;
}

/* A placeholder; ps->p is at its '{'. */
static int parse_placeholder(parser *ps, template_text_part *part)
{
    const char *open = ps->p++;
    part->line = ps->line;
    if ((part->source = source_of(open)) == NULL)
        return -2;
    skip_spaces(ps);
    const char *name = ps->p;
    if (is_name_start(*ps->p)) {
        while (is_name_char(*ps->p))
            ps->p++;
        if (*ps->p == '.' && is_name_start(ps->p[1])) {
            ps->p++;
            while (is_name_char(*ps->p))
                ps->p++;
        }
    }
    if (ps->p == name)
        return fail(ps, "%s: a placeholder starts with a name, e.g. {first_name} (write {{ for a "
                    "literal {)", part->source);
    if ((part->name = dup_span(name, ps->p)) == NULL)
        return -2;
    skip_spaces(ps);
    if (*ps->p == ':') {
        ps->p++;
        int rc = parse_format(ps, part);
        if (rc != 0)
            return rc;
    }
    const char *fb = NULL;
    if (*ps->p == '|') {
        fb = ++ps->p;
        while (*ps->p && *ps->p != '}' && *ps->p != '{' && *ps->p != '\n')
            ps->p++;
    }
    if (*ps->p == '\0' || *ps->p == '\n')
        return fail(ps, "%s: the placeholder is not closed with }", part->source);
    if (*ps->p != '}')
        return fail(ps, "%s: %s", part->source, fb ? "a fallback holds no { (write it without)"
                                                   : "expected :format, |fallback or } after "
                                                     "the name");
    if (fb && (part->fallback = dup_span(fb, ps->p)) == NULL)
        return -2;
    ps->p++;
    return 0;
}

static int add_part(template_text *t, size_t *cap, template_text_part **out)
{
    if (ARRAY_RESERVE(t->parts, *cap, t->n + 1) != 0)
        return -2;
    *out = &t->parts[t->n++];
    **out = (template_text_part){ 0 };
    return 0;
}

/* The literal gathered in lit (if any) as a part. */
static int flush_literal(template_text *t, size_t *cap, buf *lit)
{
    if (lit->len == 0)
        return 0;
    template_text_part *part;
    if (add_part(t, cap, &part) != 0 || (part->text = malloc(lit->len + 1)) == NULL)
        return -2;
    memcpy(part->text, lit->p, lit->len); /* lit is not NUL-terminated */
    part->text[lit->len] = '\0';
    part->len = lit->len;
    lit->len = 0;
    return 0;
}

int template_text_parse(const char *src, template_text *out, char *err, size_t errlen)
{
    *out = (template_text){ 0 };
    parser ps = { src, src, 1, err, errlen };
    buf lit = { 0 };
    size_t cap = 0;
    int rc = 0;
    while (rc == 0 && *ps.p) {
        char c = *ps.p;
        if ((c == '{' || c == '}') && ps.p[1] == c) { /* {{ or }} */
            rc = buf_put(&lit, ps.p, 1) ? -2 : 0; /* -2: out of memory, as below */
            ps.p += 2;
        } else if (c == '}') {
            rc = fail(&ps, "a lone '}' (write }} for a literal })");
        } else if (c == '{') {
            template_text_part *part;
            rc = flush_literal(out, &cap, &lit);
            if (rc == 0)
                rc = add_part(out, &cap, &part);
            if (rc == 0)
                rc = parse_placeholder(&ps, part);
        } else {
            ps.line += c == '\n';
            rc = buf_put(&lit, ps.p++, 1) ? -2 : 0;
        }
    }
    if (rc == 0)
        rc = flush_literal(out, &cap, &lit);
    buf_free(&lit);
    if (rc == -2)
        snprintf(err, errlen, "out of memory");
    if (rc != 0)
        template_text_free(out);
    return rc;
}

void template_text_free(template_text *t)
{
    for (size_t i = 0; i < t->n; i++) {
        template_text_part *p = &t->parts[i];
        free(p->text);
        free(p->name);
        free(p->arg);
        free(p->fallback);
        free(p->source);
    }
    free(t->parts);
    *t = (template_text){ 0 };
}

const char *template_text_format_mismatch(const template_text_part *part, template_text_kind kind)
{
    switch (part->format) {
    case TPL_DATE:
        return kind == TPL_TIME || kind == TPL_DAY ? NULL : "date needs a date or a time";
    case TPL_MONEY:
    case TPL_FIXED:
        return kind == TPL_NUMBER ? NULL : "money and fixed need a number";
    case TPL_JOIN:
        return kind == TPL_LIST ? NULL : "join needs a string set";
    case TPL_AS_IS:
        break;
    }
    return NULL;
}

/* ------------------------------------------------------------ rendering */

static int put_escaped(buf *out, const char *s, size_t n, template_text_escape esc)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;
        if (esc == TPL_ESC_HTML) {
            rep = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;"
                : c == '"' ? "&quot;" : c == '\'' ? "&#39;" : NULL;
        } else if (esc == TPL_ESC_LINE && (c < 0x20 || c == 0x7f)) {
            rep = " ";
        }
        if (rep ? buf_put(out, rep, strlen(rep)) : buf_put(out, s + i, 1))
            return -1;
    }
    return 0;
}

/* micros rounded half away from zero to digits decimals, e.g. "-12.50". */
static size_t format_fixed(int64_t micros, int digits, char out[40])
{
    int64_t div = 1;
    for (int i = digits; i < 6; i++)
        div *= 10;
    uint64_t mag = micros < 0 ? (uint64_t)0 - (uint64_t)micros : (uint64_t)micros;
    uint64_t q = (mag + (uint64_t)div / 2) / (uint64_t)div, unit = 1;
    for (int i = 0; i < digits; i++)
        unit *= 10;
    int n = snprintf(out, 40, "%s%" PRIu64, micros < 0 && q ? "-" : "", q / unit);
    if (digits)
        n += snprintf(out + n, 40 - (size_t)n, ".%0*" PRIu64, digits, q % unit);
    return (size_t)n;
}

/* secs through a date pattern of %Y %m %d %H %M %S %%. */
static int format_date(buf *out, int64_t secs, const char *pat)
{
    int64_t days = secs / 86400 - (secs % 86400 < 0), rem = secs - days * 86400, y;
    unsigned m, d;
    value_civil_from_days(days, &y, &m, &d);
    for (const char *c = pat; *c; c++) {
        char text[24];
        int n;
        if (*c != '%' || c[1] == '\0') {
            text[0] = *c;
            n = 1;
        } else {
            switch (*++c) {
            case 'Y': n = snprintf(text, sizeof text, "%04" PRId64, y); break;
            case 'm': n = snprintf(text, sizeof text, "%02u", m); break;
            case 'd': n = snprintf(text, sizeof text, "%02u", d); break;
            case 'H': n = snprintf(text, sizeof text, "%02d", (int)(rem / 3600)); break;
            case 'M': n = snprintf(text, sizeof text, "%02d", (int)(rem / 60 % 60)); break;
            case 'S': n = snprintf(text, sizeof text, "%02d", (int)(rem % 60)); break;
            default: text[0] = *c, n = 1; break; /* %% (patterns are checked when parsed) */
            }
        }
        if (buf_put(out, text, (size_t)n) != 0)
            return -1;
    }
    return 0;
}

/* The value of part into out, formatted and escaped (nothing when it is missing). */
static int put_value(buf *out, const template_text_part *part, const template_text_value *v, template_text_escape esc)
{
    char text[48];
    size_t n = 0;
    switch (v->kind) {
    case TPL_MISSING:
        return 0;
    case TPL_STRING:
        return put_escaped(out, v->s, v->len, esc);
    case TPL_LIST:
        for (size_t i = 0; i < v->nitems; i++) {
            const char *sep = part->arg ? part->arg : ", ";
            if ((i && buf_put(out, sep, strlen(sep)) != 0) ||
                put_escaped(out, v->items[i], strlen(v->items[i]), esc) != 0)
                return -1;
        }
        return 0;
    case TPL_TIME:
    case TPL_DAY:
        if (part->format == TPL_DATE || v->kind == TPL_DAY)
            return format_date(out, v->v, part->arg ? part->arg : "%Y-%m-%d");
        n = value_format_timestamp(v->v, text);
        break;
    case TPL_NUMBER:
        if (part->format == TPL_MONEY || part->format == TPL_FIXED)
            n = format_fixed(v->v, part->digits, text);
        else
            n = value_format_number(v->v, text);
        break;
    case TPL_BOOL:
        n = (size_t)snprintf(text, sizeof text, "%s", v->v ? "true" : "false");
        break;
    }
    if (buf_put(out, text, n) != 0)
        return -1;
    if (part->format == TPL_MONEY && part->arg && *part->arg &&
        (buf_put(out, " ", 1) != 0 || buf_put(out, part->arg, strlen(part->arg)) != 0))
        return -1;
    return 0;
}

int template_text_render(const template_text *t, const template_text_value *values, template_text_escape esc, buf *out)
{
    for (size_t i = 0; i < t->n; i++) {
        const template_text_part *part = &t->parts[i];
        if (part->text) {
            if (buf_put(out, part->text, part->len) != 0)
                return -1;
            continue;
        }
        size_t before = out->len;
        if (put_value(out, part, &values[part->value], esc) != 0)
            return -1;
        const char *fb = part->fallback;
        if (out->len == before && fb && buf_put(out, fb, strlen(fb)) != 0)
            return -1;
    }
    return 0;
}
