/*
 * import_opts.c — segrt_import_check_opts(): the dialect options of an import
 * (encoding, --map, --id-from, time zone, decimal mark) checked before
 * anything is read.
 *
 * Uses: iconv (an encoding's name), the zoneinfo database (a zone's name),
 * import_map.c (the --map pairs).
 */
#include "import/import.h"

#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int import_encoding_is_utf8(const char *encoding)
{
    return encoding == NULL || strcasecmp(encoding, "UTF-8") == 0 ||
           strcasecmp(encoding, "UTF8") == 0;
}

static int bad(char *msg, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(char *msg, size_t size, const char *fmt, ...)
{
    if (msg && size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, size, fmt, ap);
        va_end(ap);
    }
    return SEGRT_EINVAL;
}

static int check_map(const char *map, char *msg, size_t size)
{
    import_map_pair pair;
    while (import_map_next(&map, &pair)) {
        if (!pair.well_formed)
            return bad(msg, size,
                       "--map '%.*s%s%.*s' is not SOURCE COLUMN=field (a field name is "
                       "letters, digits and _)", (int)pair.from_len, pair.from,
                       pair.has_eq ? "=" : "", (int)pair.to_len, pair.to);
    }
    return SEGRT_OK;
}

/* A zone name the system's zoneinfo database holds ("UTC" always). */
static int zone_known(const char *tz)
{
    if (strcmp(tz, "UTC") == 0)
        return 1;
    if (tz[0] == '\0' || tz[0] == '/' || strstr(tz, "..") != NULL)
        return 0;
    const char *dir = getenv("TZDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
    return access(path, R_OK) == 0;
}

int segrt_import_check_opts(const segrt_import_opts *o, char *msg, size_t size)
{
    if (o == NULL)
        return SEGRT_OK;
    if (o->delimiter && strchr(",;\t|", o->delimiter) == NULL)
        return bad(msg, size, "--delimiter '%c' is not one of , ; tab |", o->delimiter);
    if (!import_encoding_is_utf8(o->encoding)) {
        iconv_t cd = iconv_open("UTF-8", o->encoding);
        if (cd == (iconv_t)-1)
            return bad(msg, size, "--encoding '%s' is not an encoding iconv knows (`iconv -l` "
                                  "lists them)", o->encoding);
        iconv_close(cd);
    }
    if (o->id_from && strcmp(o->id_from, "email") != 0)
        return bad(msg, size, "--id-from '%s' is not supported (only: email)", o->id_from);
    if (o->id_from && o->map_row)
        return bad(msg, size, "--id-from does not combine with --mapping: the mapping returns "
                              "the id (id_from_email(email) there gives --id-from's)");
    if (o->tz && !zone_known(o->tz))
        return bad(msg, size, "--tz '%s' is not a time zone of the system's zoneinfo "
                              "(e.g. Europe/Warsaw, UTC)", o->tz);
    if (o->decimal && o->decimal != '.' && o->decimal != ',')
        return bad(msg, size, "--decimal '%c' is not ',' or '.'", o->decimal);
    return o->map ? check_map(o->map, msg, size) : SEGRT_OK;
}
