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
    char *copy = strdup(text);
    if (grown)
        r->bodies = grown;
    if (grown == NULL || copy == NULL) {
        free(copy);
        sql_fail(r, SEGRT_ENOMEM, "out of memory rendering SQL");
        return;
    }
    r->bodies[r->ncte++] = copy;
    sql_put(r, &r->ctes, "%s%s AS (%s)", r->ncte > 1 ? ",\n" : "", name, text);
}

void sql_join(sql_ctx *r, sql_scope *s, const char *name)
{
    char join[64];
    snprintf(join, sizeof join, " LEFT JOIN %s ON %s.id = c.id", name, name);
    if (strstr(sql_text(r, &s->joins), join) == NULL) /* "q1 ON q1.id" is no part of "q10 ..." */
        sql_put(r, &s->joins, "%s", join);
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
    char text[24];
    value_format_timestamp(t, text); /* YYYY-MM-DDTHH:MM:SSZ */
    text[10] = ' ';
    text[19] = '\0';
    sql_put(r, o, "TIMESTAMP '%s'", text);
}

void sql_ident(sql_ctx *r, buf *o, const char *name)
{
    sql_put(r, o, "\"%s\"", name); /* field names are [A-Za-z_][A-Za-z0-9_]* */
}

void sql_ctx_free(sql_ctx *r)
{
    for (size_t i = 0; i < r->ncte; i++)
        free(r->bodies[i]);
    free(r->bodies);
    buf_free(&r->ctes);
}
