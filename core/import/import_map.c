/*
 * import_map.c — the columns of a CSV header renamed by --map, and an id
 * made from the e-mail column by --id-from email (a Mailchimp or HubSpot
 * export has no id column).
 *
 * The id is "e:" and the 16 lower-case hex digits of XXH64 (seed 0) of the
 * normalised address (trimmed, lower-cased): stable across exports, so a
 * re-import upserts the same contacts, short, and not the address itself
 * (an id outlives an erased contact's fields in logs and other systems).
 *
 * Uses: email.h (normalisation, the id), schema.h (field names).
 */
#include "import/import.h"

#include "util/email.h"

#include <stdio.h>
#include <string.h>

int import_map_next(const char **map, import_map_pair *pair)
{
    const char *p = *map;
    if (p == NULL || *p == '\0')
        return 0;
    const char *end = p + strcspn(p, ",");
    const char *eq = memchr(p, '=', (size_t)(end - p));
    pair->from = p;
    pair->from_len = eq ? (size_t)(eq - p) : (size_t)(end - p);
    pair->to = eq ? eq + 1 : end;
    pair->to_len = eq ? (size_t)(end - eq - 1) : 0;
    pair->has_eq = eq != NULL;
    pair->well_formed = eq != NULL && pair->from_len > 0 &&
                        schema_valid_name(pair->to, pair->to_len);
    *map = *end ? end + 1 : end;
    return 1;
}

int import_map_rename(import_ctx *c, const char *name, size_t n, const char **out,
                      size_t *out_n)
{
    const char *map = c->opts->map;
    import_map_pair pair;
    *out = name;
    *out_n = n;
    for (unsigned k = 0; import_map_next(&map, &pair); k++) {
        if (pair.from_len == n && memcmp(pair.from, name, n) == 0) {
            *out = pair.to;
            *out_n = pair.to_len;
            c->map_used |= k < 64 ? (uint64_t)1 << k : 0;
            return 1;
        }
    }
    return 0;
}

int import_map_column(import_ctx *c, const char *name, size_t n, const char **out,
                      size_t *out_n)
{
    if (import_map_rename(c, name, n, out, out_n) || schema_valid_name(name, n))
        return SEGRT_OK;
    return store_fail(c->s, SEGRT_EINVAL,
                      "%s:1: column '%.*s' is not a valid %s name (letters, digits and _, not "
                      "starting with a digit): map it to one with --map \"%.*s=NAME\"",
                      c->file, (int)n, name, c->kind == SEGRT_EVENTS ? "attribute" : "field",
                      (int)n, name);
}

int import_map_finish_header(import_ctx *c)
{
    const char *map = c->opts->map;
    import_map_pair pair;
    /* The first 64 pairs are checked: a typo in a source name is caught. */
    for (unsigned k = 0; import_map_next(&map, &pair) && k < 64; k++) {
        if (!(c->map_used & (uint64_t)1 << k))
            return store_fail(c->s, SEGRT_EINVAL, "%s:1: --map names a column '%.*s' the "
                              "header does not have", c->file, (int)pair.from_len, pair.from);
    }
    if (c->opts->id_from == NULL)
        return SEGRT_OK;
    if (c->id_col >= 0)
        return store_fail(c->s, SEGRT_EINVAL, "%s:1: the file has %s column: --id-from "
                          "email is for files without one", c->file,
                          c->kind == SEGRT_CONTACTS ? "an id" : "a contact_id");
    if (c->email_col < 0)
        return store_fail(c->s, SEGRT_EINVAL, "%s:1: --id-from email needs an email column "
                          "(map one with --map \"Email Address=email\")", c->file);
    return SEGRT_OK;
}

int import_map_id_cell(import_ctx *c, cell *id)
{
    const cell *e = &c->cells[c->email_col];
    *id = (cell){ .state = CELL_ABSENT };
    if (e->state != CELL_TEXT)
        return import_reject(c, "email is missing (--id-from email makes the id from it)");
    int n = email_id(e->p, e->n, &c->tmp2, c->id_text);
    if (n < 0)
        return store_fail(c->s, SEGRT_ENOMEM, "out of memory");
    if (n == 0)
        return import_reject(c, "email is missing (--id-from email makes the id from it)");
    *id = (cell){ .state = CELL_TEXT, .p = c->id_text, .n = (size_t)n };
    return SEGRT_OK;
}
