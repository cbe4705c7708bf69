/*
 * buf.c — buf_printf (buf.h): formatted text appended to a buffer, formatted
 * once into the room the buffer has and again only when it needs more.
 *
 * Uses: buf.h, vsnprintf.
 */
#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>

int buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    size_t room = b->cap - b->len;
    int n = vsnprintf(room ? (char *)b->p + b->len : NULL, room, fmt, ap);
    if (n >= 0 && (size_t)n >= room) {
        if (buf_reserve(b, (size_t)n + 1) == 0)
            vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, again);
        else
            n = -1;
    }
    va_end(again);
    va_end(ap);
    if (n < 0)
        return -1;
    b->len += (size_t)n;
    return 0;
}
