/*
 * contact_set.c — segrt_contact_set(): rectification (GDPR Art. 16). The
 * changes become one JSON line read by the contacts importer, so a value is
 * type-checked exactly as an import checks it, in one transaction with an
 * audit entry that names the fields, never the values (import_audit).
 *
 * Uses: import.h, schema.h, suggest.h, jansson.
 */
#include "import/import.h"

#include "util/suggest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 256

/* The field called name, or an error naming the closest one. */
static int known_field(segrt_store *s, const char *name)
{
    if (strcmp(name, "id") == 0)
        return store_fail(s, SEGRT_EINVAL, "the id cannot be set: it names the contact");
    if (schema_find(s->schema, name, strlen(name)))
        return SEGRT_OK;
    const char *names[MAX_FIELDS];
    size_t n = 0;
    for (size_t i = 0; i < s->schema->n && n < MAX_FIELDS; i++)
        names[n++] = s->schema->fields[i].name;
    const char *near = suggest_closest(name, names, n);
    return store_fail(s, SEGRT_EINVAL, "unknown field '%s'%s%s%s (import a file to add a field)",
                      name, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

/* Append text to out[0..size) at *len, as much as fits. */
static void append(char *out, size_t size, size_t *len, const char *text)
{
    int k = snprintf(out + *len, size - *len, "%s", text);
    *len = k < 0 || (size_t)k >= size - *len ? size - 1 : *len + (size_t)k;
}

/* "set city, phone; unset fax": the audit detail, field names only. */
static void describe(size_t n, const char *const *fields, const char *const *values, char *out,
                     size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (int clear = 0; clear < 2; clear++) {
        int first = 1;
        for (size_t i = 0; i < n; i++) {
            if ((values[i] == NULL) != clear)
                continue;
            append(out, size, &len, first ? (len ? "; " : "") : ", ");
            append(out, size, &len, first ? (clear ? "unset " : "set ") : "");
            append(out, size, &len, fields[i]);
            first = 0;
        }
    }
}

/* The reason the row was rejected, for the caller's message. */
static void keep_reason(void *ud, const char *file, uint64_t line, const char *reason)
{
    (void)file, (void)line;
    snprintf(ud, 512, "%s", reason);
}

int segrt_contact_set(segrt_store *s, const char *id, size_t n, const char *const *fields,
                      const char *const *values, const char *actor)
{
    if (s == NULL || id == NULL || (n && (fields == NULL || values == NULL)))
        return s ? store_fail(s, SEGRT_EINVAL, "segrt_contact_set: bad arguments") : SEGRT_EINVAL;
    if (n == 0)
        return store_fail(s, SEGRT_EINVAL, "nothing to change: give FIELD=VALUE or a field");
    if (n > MAX_FIELDS)
        return store_fail(s, SEGRT_EINVAL, "at most %d fields at a time", MAX_FIELDS);
    int rc = schema_load(s);
    json_t *obj = json_object();
    if (rc == SEGRT_OK && (obj == NULL || json_object_set_new(obj, "id", json_string(id)) != 0))
        rc = store_fail(s, SEGRT_EINVAL, "the id is not UTF-8 text");
    for (size_t i = 0; i < n && rc == SEGRT_OK; i++) {
        if (fields[i] == NULL || (rc = known_field(s, fields[i])) != SEGRT_OK) {
            rc = fields[i] ? rc : store_fail(s, SEGRT_EINVAL, "a field name is missing");
            break;
        }
        if (values[i] && values[i][0] == '\0')
            rc = store_fail(s, SEGRT_EINVAL, "%s: an empty value; to clear the field, unset it",
                            fields[i]);
        else if (json_object_get(obj, fields[i]))
            rc = store_fail(s, SEGRT_EINVAL, "%s is given twice", fields[i]);
        else if (json_object_set_new(obj, fields[i], values[i] ? json_string(values[i])
                                                               : json_null()) != 0)
            rc = store_fail(s, SEGRT_EINVAL, "%s: the value is not UTF-8 text", fields[i]);
    }
    char *line = rc == SEGRT_OK ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    if (rc == SEGRT_OK && line == NULL)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    if (rc != SEGRT_OK)
        return rc;
    char detail[512];
    describe(n, fields, values, detail, sizeof detail);
    import_audit audit = { actor && *actor ? actor : "unknown", "rectify", detail };
    char why[512] = "";
    segrt_import_opts o = { .strict = 1, .on_reject = keep_reason, .ud = why };
    segrt_import_report rep;
    rc = import_buffer_audited(s, id, line, strlen(line), &o, &audit, &rep);
    free(line);
    if (rc == SEGRT_EBADROW) /* strict: nothing changed */
        rc = store_fail(s, SEGRT_EINVAL, "%s: %s", id, why);
    return rc;
}
