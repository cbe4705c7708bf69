/*
 * template_text.h — the text of a message template (seg.template): a subject
 * or body parsed into literal text and placeholders, and rendered with one
 * contact's values through each placeholder's format, fallback and escaping.
 * Knows nothing of Lua or the store: lua/script_template.c resolves the names.
 *
 * Placeholders:  {name}  {name|fallback}  {name:format}  {name:format(arg)|fallback}
 *   name      [A-Za-z_][A-Za-z0-9_]*, with at most one ".part" (rfm.R)
 *   format    date[(pattern)]   pattern of %Y %m %d %H %M %S %% (default %Y-%m-%d)
 *             money[(currency)] two decimals, then a space and the currency if given
 *             fixed(n)          n = 0..6 decimals (rounded half away from zero)
 *             join[(separator)] the items of a string set (default ", ")
 *   fallback  text used when the value is missing or empty, up to the closing }
 * {{ and }} write a literal { and }; a lone } is an error. Spaces around the
 * name and the format are ignored; an argument and a fallback are taken as
 * written (an argument holds no ')', a fallback no '{' or '}').
 *
 * Escaping applies to values from the data, never to the template's own
 * text (its literals, separators and fallbacks): HTML escapes & < > " ',
 * LINE (a subject) turns control characters into spaces.
 *
 * Uses: buf.h, value.h, suggest.h.
 */
#ifndef SEGRT_TEMPLATE_TEXT_H
#define SEGRT_TEMPLATE_TEXT_H

#include "util/buf.h"

#include <stddef.h>
#include <stdint.h>

typedef enum template_text_format { TPL_AS_IS, TPL_DATE, TPL_MONEY, TPL_FIXED, TPL_JOIN } template_text_format;

/* A literal run of text, or a placeholder. */
typedef struct template_text_part {
    char *text;       /* literal ({{ and }} undone), or NULL for a placeholder */
    size_t len;       /* bytes of text */
    char *name;       /* the placeholder's name */
    template_text_format format;
    char *arg;        /* the format's argument, or NULL */
    int digits;       /* decimals of fixed and money */
    char *fallback;   /* NULL when none */
    char *source;     /* the placeholder as written (cut at 80 bytes), for messages */
    unsigned line;    /* its line in the text, from 1 */
    size_t value;     /* index of its value in template_text_render's array (set by the caller) */
} template_text_part;

typedef struct template_text {
    template_text_part *parts;
    size_t n;
} template_text;

/*
 * Parse src into out. 0 on success; -1 with the reason in err ("line 2:
 * unclosed placeholder '{first_name'"), -2 when out of memory. out is empty
 * on failure.
 */
int template_text_parse(const char *src, template_text *out, char *err, size_t errlen);
void template_text_free(template_text *t);

/* What a value is; TPL_DAY is a time shown as a date by default. */
typedef enum template_text_kind {
    TPL_MISSING,
    TPL_STRING,
    TPL_NUMBER, /* micro-units (value.h) */
    TPL_TIME,   /* unix seconds */
    TPL_DAY,    /* unix seconds at midnight UTC */
    TPL_BOOL,
    TPL_LIST    /* a string set */
} template_text_kind;

/* One contact's value for a placeholder; strings borrowed for the render. */
typedef struct template_text_value {
    template_text_kind kind;
    int64_t v;                /* number, time, boolean */
    const char *s;            /* string */
    size_t len;
    const char *const *items; /* list */
    size_t nitems;
} template_text_value;

/* Why part's format cannot show values of kind ("date needs a date or time"), or NULL. */
const char *template_text_format_mismatch(const template_text_part *part, template_text_kind kind);

typedef enum template_text_escape { TPL_ESC_NONE, TPL_ESC_HTML, TPL_ESC_LINE } template_text_escape;

/* Append t rendered with values[part.value] to out; -1 when out of memory. */
int template_text_render(const template_text *t, const template_text_value *values, template_text_escape esc, buf *out);

#endif
