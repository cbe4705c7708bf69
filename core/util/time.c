/*
 * time.c — the public time helpers over value.h.
 */
#include "segrt.h"
#include "util/value.h"

#include <string.h>

int segrt_time_parse(const char *text, int64_t *out)
{
    size_t n = text ? strlen(text) : 0;
    int64_t days;
    if (value_parse_timestamp(text, n, out) == 0)
        return SEGRT_OK;
    if (value_parse_date(text, n, &days) == 0) {
        *out = days * 86400;
        return SEGRT_OK;
    }
    *out = 0;
    return SEGRT_EINVAL;
}

void segrt_time_format(int64_t t, char out[21])
{
    char buf[24];
    value_format_timestamp(t, buf);
    memcpy(out, buf, 21);
    out[20] = '\0';
}
