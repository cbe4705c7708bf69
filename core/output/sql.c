/*
 * sql.c — the state of one SQL rendering (sql.h): text appended with
 * out-of-memory noted once, the first error kept, common table
 * expressions added once each by their text, joins per scope, literals.
 *
 * Uses: sql.h, buf.h, value.h.
 */
#include "output/sql.h"

#include "util/value.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sql_fail(sql_ctx *r, int code, const char *fmt, ...)
{
    if (r->rc != SEGRT_OK)
        return r->rc;
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->rc = store_fail(r->cx->s, code, "%s", msg);
    return r->rc;
}

void sql_put(sql_ctx *r, buf *o, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        sql_fail(r, SEGRT_EINVAL, "cannot format SQL text");
        return;
    }
    if ((size_t)n < sizeof small) {
        if (buf_put(o, small, (size_t)n) != 0)
            sql_fail(r, SEGRT_ENOMEM, "out of memory rendering SQL");
        return;
    }
    char *big = malloc((size_t)n + 1);
    va_start(ap, fmt);
    if (big)
        vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (big == NULL || buf_put(o, big, (size_t)n) != 0)
        sql_fail(r, SEGRT_ENOMEM, "out of memory rendering SQL");
    free(big);
}

const char *sql_text(sql_ctx *r, buf *o)
{
    if (buf_reserve(o, 1) != 0) {
        sql_fail(r, SEGRT_ENOMEM, "out of memory rendering SQL");
        return "";
    }
    o->p[o->len] = '\0';
    return (const char *)o->p;
}

void sql_refuse(sql_ctx *r, const char *loc, const char *what)
{
    const char *top = r->depth ? r->stack[0] : r->segment;
    if (strcmp(top, r->segment) == 0)
        sql_fail(r, SEGRT_EINVAL, "segment '%s': %s (at %s) cannot be rendered as SQL", top, what,
                 loc ? loc : "?");
    else /* met through seg.member or an exclusive group */
        sql_fail(r, SEGRT_EINVAL, "segment '%s' (through segment '%s'): %s (at %s) cannot be "
                 "rendered as SQL", top, r->segment, what, loc ? loc : "?");
}

void sql_cte(sql_ctx *r, buf *body, char name[16])
{
    const char *text = sql_text(r, body);
    size_t i = 0;
    while (i < r->ncte && strcmp(r->bodies[i], text) != 0)
        i++;
    snprintf(name, 16, "q%u", (unsigned)(i + 1) % 100000000u);
    if (i < r->ncte || r->rc != SEGRT_OK)
        return;
    char **grown = realloc(r->bodies, (r->ncte + 1) * sizeof *grown);
    if (grown)
        r->bodies = grown;
    char **grown2 = grown ? realloc(r->inlined, (r->ncte + 1) * sizeof *grown2) : NULL;
    if (grown2)
        r->inlined = grown2;
    char *copy = strdup(text), *inlined = malloc(strlen(text) + 3);
    if (grown2 == NULL || copy == NULL || inlined == NULL) {
        free(copy);
        free(inlined);
        sql_fail(r, SEGRT_ENOMEM, "out of memory rendering SQL");
        return;
    }
    sprintf(inlined, "(%s)", text);
    r->bodies[r->ncte] = copy;
    r->inlined[r->ncte++] = inlined;
    sql_put(r, &r->ctes, "%s%s AS (%s)", r->ncte > 1 ? ",\n" : "", name, text);
}

const char *sql_table(sql_ctx *r, const char name[16])
{
    unsigned i = (unsigned)strtoul(name + 1, NULL, 10);
    if (!r->d->no_windows || i == 0 || i > r->ncte)
        return name;
    return r->inlined[i - 1];
}

void sql_join(sql_ctx *r, sql_scope *s, const char *name, buf *o)
{
    char key[20];
    snprintf(key, sizeof key, " %s ", name);
    const char *have = sql_text(r, &s->joins);
    if (strstr(have, key) == NULL) /* " q1 " is no part of " q10 " */
        sql_put(r, &s->joins, "%s%s ", *have ? "" : " ", name);
    if (r->d->no_windows) /* unmatched rows of an ANY LEFT JOIN hold defaults, not NULL */
        sql_put(r, o, "if(c.h_%s = 1, c.v_%s, NULL)", name, name);
    else
        sql_put(r, o, "%s.v", name);
}

void sql_from(sql_ctx *r, sql_scope *s, buf *o)
{
    buf from = { 0 }, next = { 0 };
    const char *names = sql_text(r, &s->joins);
    sql_put(r, &from, "contacts");
    for (const char *p = names; *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n == 0)
            break;
        char name[16];
        snprintf(name, sizeof name, "%.*s", (int)n, p);
        p += n;
        if (r->d->no_windows) { /* one join per SELECT: each wraps the ones before */
            next.len = 0;
            sql_put(r, &next, "(SELECT * FROM %s %sANY LEFT JOIN (SELECT id, v AS v_%s, 1 AS h_%s "
                    "FROM %s) USING id)", sql_text(r, &from), r->d->global, name, name,
                    sql_table(r, name));
            from.len = 0;
            sql_put(r, &from, "%s", sql_text(r, &next));
        } else {
            sql_put(r, &from, " LEFT JOIN %s ON %s.id = c.id", name, name);
        }
    }
    if (r->d->no_windows)
        sql_put(r, o, "%s AS c", sql_text(r, &from));
    else /* contacts c LEFT JOIN ... */
        sql_put(r, o, "contacts c%s", sql_text(r, &from) + strlen("contacts"));
    buf_free(&from);
    buf_free(&next);
}

void sql_string(sql_ctx *r, buf *o, const char *text, size_t n)
{
    int bad = buf_put(o, "'", 1);
    for (size_t i = 0; i < n && bad == 0; i++)
        bad = buf_put(o, text + i, 1) || (text[i] == '\'' && buf_put(o, "'", 1));
    if (bad || buf_put(o, "'", 1) != 0)
        sql_fail(r, SEGRT_ENOMEM, "out of memory rendering SQL");
}

void sql_timestamp(sql_ctx *r, buf *o, int64_t t)
{
    char text[24], quoted[32];
    value_format_timestamp(t, text); /* YYYY-MM-DDTHH:MM:SSZ */
    text[10] = ' ';
    text[19] = '\0';
    snprintf(quoted, sizeof quoted, "'%s'", text);
    if (r->d->timestamp(o, quoted) != 0)
        sql_fail(r, SEGRT_ENOMEM, "out of memory rendering SQL");
}

void sql_ident(sql_ctx *r, buf *o, const char *name)
{
    sql_put(r, o, "\"%s\"", name); /* field names are [A-Za-z_][A-Za-z0-9_]* */
}

void sql_ctx_free(sql_ctx *r)
{
    for (size_t i = 0; i < r->ncte; i++) {
        free(r->bodies[i]);
        free(r->inlined[i]);
    }
    free(r->bodies);
    free(r->inlined);
    buf_free(&r->ctes);
}
