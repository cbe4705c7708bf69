/*
 * import_extra.c — extra event attributes: the columns (CSV) and keys (JSON
 * lines; nested objects by dotted path, "campaign.id") of an events file
 * beyond the ones import.c knows. Each is typed in the store when first met
 * (evattr.h): a CSV column as its sampled values read (import.c), a JSON
 * value by its JSON type, a JSON string as a date or timestamp when it reads
 * as one, else as text. Every later value must read as that type, or the row
 * is rejected naming the attribute. Values are kept as compact JSON with
 * sorted keys in one canonical form (numbers as JSON numbers, dates and
 * timestamps as ISO text), so equal events compare equal whichever file or
 * format they came from.
 *
 * Uses: import.h, evattr.h, value.h, buf.h, jansson.
 */
#include "import/import.h"

#include "store/evattr.h"
#include "util/value.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCALE VALUE_NUMBER_SCALE
#define REAL_DIGITS 15 /* a double prints any decimal of this many digits back exactly */

int import_events_column(import_ctx *c, import_col *col)
{
    size_t n = strlen(col->name);
    if (!schema_valid_name(col->name, n))
        return store_fail(c->s, SEGRT_EINVAL,
                          "%s: column '%s' is not a valid attribute name (letters, digits and _)",
                          c->file, col->name);
    col->role = ROLE_EV_EXTRA;
    segrt_type t;
    int rc = evattr_get(c->s, c->txn, col->name, n, &t);
    if (rc != SEGRT_OK && rc != SEGRT_ENOTFOUND)
        return rc;
    col->type = t;
    col->field = rc == SEGRT_OK; /* typed in the store */
    return SEGRT_OK;
}

int import_extra_resolve(import_ctx *c)
{
    for (size_t i = 0; i < c->ncols; i++) {
        import_col *col = &c->cols[i];
        if (col->role != ROLE_EV_EXTRA)
            continue;
        segrt_type t;
        int rc = evattr_get(c->s, c->txn, col->name, strlen(col->name), &t);
        if (rc != SEGRT_OK && rc != SEGRT_ENOTFOUND)
            return rc;
        col->field = rc == SEGRT_OK;
        if (col->field)
            col->type = t; /* else an inferred type, not yet written */
    }
    return SEGRT_OK;
}

/* What a row builds: its new attribute types, written once the whole row is good. */
typedef struct building {
    import_ctx *c;
    buf fresh; /* per new path: u8 type, u8 length, the path */
} building;

/* The type of a path: the store's, one this row gave it, or 0. */
static int path_type(building *b, const char *path, size_t n, segrt_type *t)
{
    for (size_t at = 0; at < b->fresh.len;) {
        const unsigned char *e = (const unsigned char *)b->fresh.p + at;
        if (e[1] == n && memcmp(e + 2, path, n) == 0) {
            *t = (segrt_type)e[0];
            return SEGRT_OK;
        }
        at += 2u + e[1];
    }
    int rc = evattr_get(b->c->s, b->c->txn, path, n, t);
    return rc == SEGRT_ENOTFOUND ? SEGRT_OK : rc;
}

static int note_fresh(building *b, const char *path, size_t n, segrt_type t)
{
    unsigned char head[2] = { (unsigned char)t, (unsigned char)n };
    if (buf_put(&b->fresh, head, 2) != 0 || buf_put(&b->fresh, path, n) != 0)
        return store_fail(b->c->s, SEGRT_ENOMEM, "out of memory");
    return SEGRT_OK;
}

/* A number in micro-units as canonical JSON: an integer, or a real that prints back exactly. */
static json_t *number_json(int64_t v)
{
    if (v % SCALE == 0)
        return json_integer(v / SCALE);
    char text[32];
    size_t n = value_format_number(v, text), digits = 0;
    for (size_t i = 0; i < n; i++)
        digits += text[i] >= '0' && text[i] <= '9';
    /* e.g. "0.000123": leading zeros are not significant, but counting them only errs safe */
    return digits <= REAL_DIGITS ? json_real((double)v / SCALE) : json_stringn(text, n);
}

/* The text of a JSON scalar (a string attribute given a number or a boolean). */
static json_t *text_json(const json_t *v)
{
    char text[32];
    if (json_is_integer(v))
        snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        snprintf(text, sizeof text, "%.*g", REAL_DIGITS, json_real_value(v));
    else
        snprintf(text, sizeof text, "%s", json_is_true(v) ? "true" : "false");
    return json_string(text);
}

/* A JSON number in micro-units; -1 when it has more than 6 decimals' worth or is too large. */
static int json_micros(const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i > INT64_MAX / SCALE || i < -(INT64_MAX / SCALE))
            return -1;
        *out = (int64_t)i * SCALE;
        return 0;
    }
    double d = json_real_value(v) * SCALE;
    if (!(d > -9.2e18 && d < 9.2e18))
        return -1;
    *out = (int64_t)llround(d);
    return 0;
}

/*
 * The type a first value gives its path: a JSON value by its JSON type, a
 * JSON string as a date or timestamp when it reads as one; CSV text (v NULL;
 * a column the sampled rows left blank) as import.c infers a column.
 */
static segrt_type first_type(import_ctx *c, const json_t *v, const char *p, size_t n)
{
    if (v && json_is_number(v))
        return SEGRT_T_NUMBER;
    if (v && json_is_boolean(v))
        return SEGRT_T_BOOLEAN;
    unsigned k = import_local_kinds(c, p, n);
    if (v == NULL && (k & (KIND_INT | KIND_NUM)))
        return SEGRT_T_NUMBER;
    if (v == NULL && (k & KIND_BOOL))
        return SEGRT_T_BOOLEAN;
    return (k & KIND_DATE) ? SEGRT_T_DATE : (k & KIND_TS) ? SEGRT_T_TIMESTAMP : SEGRT_T_STRING;
}

/*
 * One value of path as type t into *out: from JSON v (a number, boolean or
 * string) or, when v is NULL or a string, from its text p[0..n).
 */
static int typed_value(import_ctx *c, const char *path, segrt_type t, const json_t *v,
                       const char *p, size_t n, json_t **out)
{
    int64_t x;
    char text[32];
    int is_text = v == NULL || json_is_string(v);
    *out = NULL;
    if (t == SEGRT_T_STRING) {
        *out = is_text ? json_stringn(p, n) : text_json(v);
    } else if (!is_text && json_is_number(v) && (t == SEGRT_T_NUMBER || t == SEGRT_T_INTEGER)) {
        if (json_micros(v, &x) != 0 || (t == SEGRT_T_INTEGER && x % SCALE != 0))
            return import_reject(c, "%s is not %s", path, import_type_phrase(t));
        *out = number_json(x);
    } else if (!is_text && json_is_boolean(v) && t == SEGRT_T_BOOLEAN) {
        *out = json_boolean(json_is_true(v));
    } else if (!is_text) {
        return import_reject(c, "%s is a JSON %s, and the attribute is typed %s", path,
                             json_is_number(v) ? "number" : "boolean", segrt_type_name(t));
    } else {
        int rc = import_local_value(c, path, p, n, t, &x);
        if (rc != SEGRT_OK)
            return rc;
        switch (t) {
        case SEGRT_T_INTEGER:
        case SEGRT_T_NUMBER: *out = number_json(x); break;
        case SEGRT_T_BOOLEAN: *out = json_boolean(x); break;
        case SEGRT_T_DATE: *out = json_stringn(text, value_format_date(x, text)); break;
        default: *out = json_stringn(text, value_format_timestamp(x, text)); break;
        }
    }
    return *out ? SEGRT_OK : store_fail(c->s, SEGRT_ENOMEM, "out of memory");
}

static int add_value(building *b, json_t *obj, const char *path, size_t plen, segrt_type known,
                     const json_t *v, const char *p, size_t n);

/* The keys of object v, as attributes under path, into a new object *out (NULL: none kept). */
static int add_object(building *b, const char *path, size_t plen, json_t *v, json_t **out)
{
    const char *key;
    json_t *item;
    *out = NULL;
    json_t *obj = json_object();
    if (obj == NULL)
        return store_fail(b->c->s, SEGRT_ENOMEM, "out of memory");
    char sub[EVATTR_MAX_PATH + 1];
    int rc = SEGRT_OK;
    json_object_foreach(v, key, item) {
        size_t klen = strlen(key);
        if (plen + 1 + klen > EVATTR_MAX_PATH || !schema_valid_name(key, klen)) {
            rc = import_reject(b->c, "%.*s has a key '%s' that is not a valid attribute name "
                               "(letters, digits and _; paths of at most %d bytes)", (int)plen,
                               path, import_quote(b->c, key, klen), EVATTR_MAX_PATH);
            break;
        }
        snprintf(sub, sizeof sub, "%.*s.%s", (int)plen, path, key);
        size_t tlen;
        const char *text = json_is_string(item) ? json_string_value(item) : "";
        tlen = json_is_string(item) ? json_string_length(item) : 0;
        if ((rc = add_value(b, obj, sub, plen + 1 + klen, 0, item, text, tlen)) != SEGRT_OK)
            break;
    }
    if (rc == SEGRT_OK && json_object_size(obj) > 0)
        *out = obj;
    else
        json_decref(obj);
    return rc;
}

/*
 * Set the value of attribute path in obj (its last name as the key): v the
 * JSON value (NULL for CSV text p[0..n)), known its type when the caller
 * knows it (0: looked up). Nulls and empty objects are left out.
 */
static int add_value(building *b, json_t *obj, const char *path, size_t plen, segrt_type known,
                     const json_t *v, const char *p, size_t n)
{
    import_ctx *c = b->c;
    if (v && json_is_null(v))
        return SEGRT_OK;
    segrt_type t = known;
    int rc = t ? SEGRT_OK : path_type(b, path, plen, &t);
    if (rc != SEGRT_OK)
        return rc;
    json_t *value = NULL;
    if (v && (json_is_object(v) || json_is_array(v))) {
        if (t) /* typed as one value, so a plan reads it as one */
            return import_reject(c, "%.*s is %s, and the attribute is typed %s", (int)plen, path,
                                 json_is_object(v) ? "an object" : "a list", segrt_type_name(t));
        if (json_is_array(v))
            value = json_incref((json_t *)v); /* kept as given, not addressable */
        else if ((rc = add_object(b, path, plen, (json_t *)v, &value)) != SEGRT_OK)
            return rc;
        if (value == NULL)
            return SEGRT_OK;
    } else {
        int fresh = t == 0;
        if (fresh && (rc = evattr_is_parent(c->s, c->txn, path, plen)) != 0)
            return rc < 0 ? rc
                          : import_reject(c, "%.*s is a value, and the store's events have it as "
                                          "an object (%.*s.NAME)", (int)plen, path, (int)plen,
                                          path);
        if (fresh)
            t = first_type(c, v, p, n);
        if ((rc = typed_value(c, path, t, v, p, n, &value)) != SEGRT_OK)
            return rc;
        if (fresh && (rc = note_fresh(b, path, plen, t)) != SEGRT_OK) {
            json_decref(value);
            return rc;
        }
    }
    const char *dot = memrchr(path, '.', plen);
    const char *key = dot ? dot + 1 : path;
    if (json_object_setn_new(obj, key, plen - (size_t)(key - path), value) != 0)
        return store_fail(c->s, SEGRT_ENOMEM, "out of memory");
    return SEGRT_OK;
}

/* Write the types the row gave new paths. */
static int write_fresh(building *b)
{
    for (size_t at = 0; at < b->fresh.len;) {
        const unsigned char *e = (const unsigned char *)b->fresh.p + at;
        int rc = evattr_put(b->c->s, b->c->txn, (const char *)e + 2, e[1], (segrt_type)e[0]);
        if (rc != SEGRT_OK)
            return rc;
        at += 2u + e[1];
    }
    return SEGRT_OK;
}

int import_extra_json(import_ctx *c, char **out)
{
    *out = NULL;
    if (c->extra_ncols != c->ncols) { /* (a JSON line may bring new columns) */
        c->has_extra = 0;
        for (size_t i = 0; i < c->ncols; i++)
            c->has_extra |= c->cols[i].role == ROLE_EV_EXTRA;
        c->extra_ncols = c->ncols;
    }
    if (!c->has_extra)
        return SEGRT_OK;
    int rc = import_txn(c); /* new attributes are typed in the store */
    if (rc != SEGRT_OK)
        return rc;
    building b = { .c = c };
    json_t *obj = NULL;
    for (size_t i = 0; i < c->ncols && rc == SEGRT_OK; i++) {
        import_col *col = &c->cols[i];
        const cell *cl = &c->cells[i];
        if (col->role != ROLE_EV_EXTRA || cl->state == CELL_ABSENT || cl->state == CELL_EMPTY)
            continue;
        size_t n = strlen(col->name);
        if (obj == NULL && (obj = json_object()) == NULL) {
            rc = store_fail(c->s, SEGRT_ENOMEM, "out of memory");
            break;
        }
        if (!col->field && col->type) /* a CSV column's inferred type, written with the row */
            rc = note_fresh(&b, col->name, n, col->type);
        if (rc == SEGRT_OK)
            rc = add_value(&b, obj, col->name, n, col->type, cl->json, cl->p, cl->n);
    }
    if (rc == SEGRT_OK)
        rc = write_fresh(&b);
    for (size_t i = 0; i < c->ncols && rc == SEGRT_OK; i++)
        c->cols[i].field |= c->cols[i].role == ROLE_EV_EXTRA && c->cols[i].type != 0 &&
                            c->cells[i].state == CELL_TEXT;
    if (rc == SEGRT_OK && obj && json_object_size(obj) > 0) {
        *out = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(REAL_DIGITS));
        if (*out == NULL)
            rc = store_fail(c->s, SEGRT_ENOMEM, "out of memory");
    }
    json_decref(obj);
    buf_free(&b.fresh);
    return rc;
}
