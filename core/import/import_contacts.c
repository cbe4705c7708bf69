/*
 * import_contacts.c — upserting contact rows: validation of every value
 * before anything is written, the duplicate-email notice, the row record,
 * the columns and the id index.
 *
 * Uses: import.h, audit.h (rectifications), value.h, email.h, row.h, column.h, dict.h,
 * array.h.
 */
#include "import/import.h"

#include "store/audit.h"

#include "util/array.h"
#include "util/email.h"
#include "util/field_rule.h"
#include "util/value.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ORDINAL 0x7fffffffu

int import_contacts_column(import_ctx *c, import_col *col)
{
    size_t n = strlen(col->name);
    if (!schema_valid_name(col->name, n))
        return store_fail(c->s, SEGRT_EINVAL,
                          "%s: column '%s' is not a valid field name (letters, digits and _, "
                          "not starting with a digit)", c->file, col->name);
    if (strcmp(col->name, "age") == 0)
        return store_fail(c->s, SEGRT_EINVAL,
                          "%s: column 'age' cannot be imported: it is derived from birth_date",
                          c->file);
    col->role = ROLE_FIELD;
    const field_def *f = schema_find(c->s->schema, col->name, n);
    col->field = f ? f->id : 0;
    const field_rule *r = field_rules_find(c->opts->rules, col->name, n);
    col->type = f ? f->type : r && r->type ? r->type : schema_builtin_type(col->name, n);
    if (strcmp(col->name, "email") == 0)
        c->email_col = (long)c->ncols;
    return SEGRT_OK;
}

/* ------------------------------------------------------------ email index */

typedef struct email_strings {
    buf text;     /* the dictionary's strings, back to back */
    size_t *off;  /* per code: offset in text + 1, 0 when absent */
    size_t *len;
    size_t ncodes;
} email_strings;

static int collect_email(void *ud, uint32_t code, const MDB_val *v)
{
    email_strings *e = ud;
    size_t len_cap = e->ncodes; /* off and len share ncodes: grow len first */
    if (ARRAY_RESERVE(e->len, len_cap, (size_t)code + 1) != 0 ||
        ARRAY_RESERVE_ZERO(e->off, e->ncodes, (size_t)code + 1) != 0)
        return SEGRT_ENOMEM;
    e->off[code] = e->text.len + 1;
    e->len[code] = v->mv_size;
    return buf_put(&e->text, v->mv_data, v->mv_size) ? SEGRT_ENOMEM : 0;
}

/* Index every stored e-mail, normalised, to the first contact (lowest ordinal) that has it. */
int import_contacts_load(import_ctx *c)
{
    segrt_store *s = c->s;
    c->emails = strmap_new();
    if (c->emails == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory loading e-mails");
    const field_def *f = schema_find(s->schema, "email", 5);
    if (f == NULL || f->type != SEGRT_T_STRING)
        return SEGRT_OK;
    email_strings e = { 0 };
    int rc = dict_foreach(s, c->txn, f->id, collect_email, &e);
    if (rc == SEGRT_ENOMEM)
        rc = store_fail(s, rc, "out of memory loading e-mails");
    for (uint32_t chunk = 0; rc == SEGRT_OK && (uint64_t)chunk * COL_CHUNK_ROWS < c->next_ord;
         chunk++) {
        MDB_val v;
        int grc = column_chunk_get(s, c->txn, f->id, chunk, 0, &v);
        if (grc == SEGRT_ENOTFOUND)
            continue;
        if (grc != SEGRT_OK) {
            rc = grc;
            break;
        }
        column_codes codes;
        if (column_codes_of(&v, &codes) != 0) {
            rc = store_fail(s, SEGRT_ECORRUPT, "the e-mail column's chunk %u has %zu bytes", chunk,
                            v.mv_size);
            break;
        }
        for (uint32_t i = 0; i < COL_CHUNK_ROWS && rc == SEGRT_OK; i++) {
            uint32_t code = column_code_at(&codes, i);
            if (code == 0 || code >= e.ncodes || e.off[code] == 0)
                continue;
            uint32_t owner;
            if (email_normalize((const char *)e.text.p + e.off[code] - 1, e.len[code], &c->tmp2))
                rc = store_fail(s, SEGRT_ENOMEM, "out of memory loading e-mails");
            else if (!strmap_get(c->emails, (const char *)c->tmp2.p, c->tmp2.len, &owner) &&
                     strmap_put(c->emails, (const char *)c->tmp2.p, c->tmp2.len,
                                chunk * COL_CHUNK_ROWS + (uint32_t)i))
                rc = store_fail(s, SEGRT_ENOMEM, "out of memory loading e-mails");
        }
    }
    buf_free(&e.text);
    free(e.off);
    free(e.len);
    return rc;
}

/* ------------------------------------------------------------ parsing */

static int add_item(import_ctx *c, const char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    if (n == 0)
        return SEGRT_OK;
    if (ARRAY_RESERVE(c->items, c->items_cap, c->nitems + 1) != 0)
        return store_fail(c->s, SEGRT_ENOMEM, "out of memory reading a set");
    c->items[c->nitems].p = p;
    c->items[c->nitems].n = n;
    c->nitems++;
    return SEGRT_OK;
}

/*
 * A set written as Mailchimp writes its tags: quoted items separated by
 * commas ("VIP","Newsletter"). An item may not hold a quote or ';'.
 */
static int add_quoted_items(import_ctx *c, const import_col *col, const char *p, const char *end)
{
    int rc = SEGRT_OK;
    while (rc == SEGRT_OK && p < end) {
        while (p < end && (*p == ' ' || *p == ','))
            p++;
        if (p == end)
            break;
        const char *q = *p == '"' ? memchr(p + 1, '"', (size_t)(end - p - 1)) : NULL;
        if (q == NULL)
            return import_reject(c, "%s: a list of quoted items (\"a\",\"b\") has an item "
                                 "without its quotes", col->name);
        if ((q + 1 < end && q[1] != ',' && q[1] != ' ') || memchr(p + 1, ';', (size_t)(q - p - 1)))
            return import_reject(c, "%s item '%s' holds a quote or ';'", col->name,
                                 import_quote(c, p + 1, (size_t)(q - p - 1)));
        rc = add_item(c, p + 1, (size_t)(q - p - 1));
        p = q + 1;
    }
    return rc;
}

static int parse_set(import_ctx *c, size_t i)
{
    const import_col *col = &c->cols[i];
    const cell *cl = &c->cells[i];
    c->items_at[i] = c->nitems;
    int rc = SEGRT_OK;
    if (cl->state == CELL_ARRAY) {
        size_t k;
        json_t *item;
        json_array_foreach(cl->json, k, item) {
            if (!json_is_string(item))
                return import_reject(c, "%s has an item that is not a string", col->name);
            const char *p = json_string_value(item);
            size_t n = json_string_length(item);
            if (memchr(p, ';', n))
                return import_reject(c, "%s item '%s' contains ';'", col->name,
                                     import_quote(c, p, n));
            rc = add_item(c, p, n);
            if (rc != SEGRT_OK)
                return rc;
        }
    } else if (cl->n && cl->p[0] == '"') {
        rc = add_quoted_items(c, col, cl->p, cl->p + cl->n);
    } else {
        const char *p = cl->p, *end = cl->p + cl->n;
        while (rc == SEGRT_OK && p <= end) {
            const char *semi = memchr(p, ';', (size_t)(end - p));
            const char *stop = semi ? semi : end;
            rc = add_item(c, p, (size_t)(stop - p));
            p = stop + 1;
        }
    }
    c->items_n[i] = c->nitems - c->items_at[i];
    return rc;
}

static int ensure_row_arrays(import_ctx *c)
{
    size_t at_cap = c->parsed_cap, n_cap = c->parsed_cap; /* the three share parsed_cap */
    if (ARRAY_RESERVE(c->items_at, at_cap, c->ncols) != 0 ||
        ARRAY_RESERVE(c->items_n, n_cap, c->ncols) != 0 ||
        ARRAY_RESERVE(c->parsed, c->parsed_cap, c->ncols) != 0)
        return store_fail(c->s, SEGRT_ENOMEM, "out of memory reading a row");
    return SEGRT_OK;
}

/* Parse and check every value of the row; nothing is written. */
static int parse_row(import_ctx *c)
{
    int rc = ensure_row_arrays(c);
    c->nitems = 0;
    for (size_t i = 0; i < c->ncols && rc == SEGRT_OK; i++) {
        import_col *col = &c->cols[i];
        const cell *cl = &c->cells[i];
        if (col->role != ROLE_FIELD || (cl->state != CELL_TEXT && cl->state != CELL_ARRAY))
            continue;
        if (col->type == 0) /* JSONL: a new field takes the type of its first value */
            col->type = cl->state == CELL_ARRAY
                            ? SEGRT_T_SET
                            : import_type_of_kinds(import_value_kinds(cl->p, cl->n), 0);
        if (col->type == SEGRT_T_SET) {
            rc = parse_set(c, i);
            continue;
        }
        if (cl->state == CELL_ARRAY)
            return import_reject(c, "%s is a list, but the field is %s", col->name,
                                 segrt_type_name(col->type));
        if (col->type == SEGRT_T_STRING)
            continue;
        if (!import_cell_read(cl, col->type, &c->parsed[i]) &&
            field_rule_parse(col->type, cl->p, cl->n, &c->parsed[i]) != 0)
            return import_reject(c, "%s '%s' is not %s", col->name, import_quote(c, cl->p, cl->n),
                                 import_type_phrase(col->type));
    }
    return rc == SEGRT_OK ? import_rules_contact(c) : rc;
}

/* ------------------------------------------------------------ writing */

static int declare_field(import_ctx *c, import_col *col)
{
    if (col->field != 0)
        return SEGRT_OK;
    /* A JSONL key first seen mid-file may name a field an earlier batch declared. */
    const field_def *f = schema_find(c->s->schema, col->name, strlen(col->name));
    if (f) {
        col->field = f->id;
        return SEGRT_OK;
    }
    int rc = schema_add(c->s, c->txn, col->name, strlen(col->name), col->type, &f);
    if (rc == SEGRT_OK)
        col->field = f->id;
    return rc;
}

static int col_dict(import_ctx *c, import_col *col)
{
    if (col->dict)
        return SEGRT_OK;
    return dict_map_load(c->s, c->txn, col->field, &col->dict);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int has_code(const uint32_t *codes, uint32_t n, uint32_t code)
{
    for (uint32_t i = 0; i < n; i++) {
        if (codes[i] == code)
            return 1;
    }
    return 0;
}

/* Replace a set value: clear the bits of codes that left, set the new ones. */
static int write_set(import_ctx *c, import_col *col, size_t i, uint32_t ord)
{
    segrt_store *s = c->s;
    uint32_t oldbuf[64], *old = oldbuf, nold = 0;
    const row_value *ov = row_get(&c->row, col->field);
    int rc = SEGRT_OK;
    if (ov && ov->is_set) {
        nold = ov->nset;
        if (nold > 64 && (old = malloc(nold * sizeof *old)) == NULL)
            return store_fail(s, SEGRT_ENOMEM, "out of memory writing a set");
        memcpy(old, row_set_codes(&c->row, ov), nold * sizeof *old);
    }
    size_t n = c->cells[i].state == CELL_EMPTY ? 0 : c->items_n[i];
    uint32_t *codes = n ? malloc(n * sizeof *codes) : NULL;
    if (n && codes == NULL)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory writing a set");
    uint32_t ncodes = 0;
    for (size_t k = 0; k < n && rc == SEGRT_OK; k++) {
        const char *p = c->items[c->items_at[i] + k].p;
        size_t len = c->items[c->items_at[i] + k].n;
        uint32_t code;
        rc = dict_intern(s, c->txn, col->dict, p, len, &code);
        if (rc == SEGRT_OK && !has_code(codes, ncodes, code))
            codes[ncodes++] = code;
    }
    if (rc == SEGRT_OK && ncodes)
        qsort(codes, ncodes, sizeof *codes, cmp_u32);
    for (uint32_t k = 0; k < nold && rc == SEGRT_OK; k++) {
        if (!has_code(codes, ncodes, old[k]))
            rc = column_set_bit(s, c->txn, c->colcache, col->field, old[k], ord, 0);
    }
    for (uint32_t k = 0; k < ncodes && rc == SEGRT_OK; k++) {
        if (!has_code(old, nold, codes[k]))
            rc = column_set_bit(s, c->txn, c->colcache, col->field, codes[k], ord, 1);
    }
    if (rc == SEGRT_OK) {
        if (ncodes == 0)
            row_unset(&c->row, col->field);
        else if (row_set(&c->row, col->field, 0, codes, ncodes, 1) != 0)
            rc = store_fail(s, SEGRT_ENOMEM, "out of memory writing a set");
    }
    free(codes);
    if (old != oldbuf)
        free(old);
    return rc;
}

static int write_value(import_ctx *c, size_t i, uint32_t ord)
{
    import_col *col = &c->cols[i];
    const cell *cl = &c->cells[i];
    segrt_store *s = c->s;
    int rc = declare_field(c, col);
    if (rc == SEGRT_OK && (col->type == SEGRT_T_STRING || col->type == SEGRT_T_SET))
        rc = col_dict(c, col);
    if (rc != SEGRT_OK)
        return rc;
    if (col->type == SEGRT_T_SET) {
        rc = write_set(c, col, i, ord);
        if (rc == SEGRT_OK) /* when it was written: F.x:updated(), segrt quality */
            row_stamp(&c->row, col->field, segrt_store_now(s));
        return rc;
    }
    int empty = cl->state == CELL_EMPTY;
    if (col->type == SEGRT_T_STRING) {
        uint32_t code = 0;
        const char *p = cl->p;
        size_t n = cl->n;
        if (!empty && (long)i == c->email_col) { /* e-mails are kept trimmed */
            while (n && (*p == ' ' || *p == '\t')) {
                p++;
                n--;
            }
            while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
                n--;
        }
        /* (the hash read ahead is the cell's: not a trimmed e-mail's) */
        if (!empty)
            rc = dict_intern_hashed(s, c->txn, col->dict,
                                    n == cl->n ? import_cell_hash(cl) : strmap_hash(p, n), p, n,
                                    &code);
        if (rc == SEGRT_OK)
            rc = column_set_code(s, c->txn, c->colcache, col->field, ord, code);
        if (rc == SEGRT_OK && !empty && row_set(&c->row, col->field, code, NULL, 0, 0) != 0)
            rc = store_fail(s, SEGRT_ENOMEM, "out of memory writing a row");
    } else {
        rc = column_set_i64(s, c->txn, c->colcache, col->field, ord,
                         empty ? VALUE_MISSING : c->parsed[i]);
        if (rc == SEGRT_OK && !empty &&
            row_set(&c->row, col->field, c->parsed[i], NULL, 0, 0) != 0)
            rc = store_fail(s, SEGRT_ENOMEM, "out of memory writing a row");
    }
    if (rc == SEGRT_OK && empty)
        row_unset(&c->row, col->field);
    else if (rc == SEGRT_OK)
        row_stamp(&c->row, col->field, segrt_store_now(s));
    return rc;
}

/*
 * Whether the row writes column i: a cell it has, a JSONL null (clears), or
 * a blank CSV cell when blanks clear (by default a blank keeps the value).
 */
static int writes(const import_ctx *c, size_t i)
{
    const cell *cl = &c->cells[i];
    if (cl->state == CELL_EMPTY && cl->json == NULL)
        return c->opts->blank == SEGRT_BLANK_CLEAR;
    return cl->state != CELL_ABSENT;
}

enum { NO_EMAIL, EMAIL_OK, EMAIL_BAD };

/* Normalise the e-mail of the current row into c->tmp2; *state says what it is. */
static int email_of_row(import_ctx *c, int *state)
{
    *state = NO_EMAIL;
    if (c->email_col < 0 || c->cells[c->email_col].state != CELL_TEXT)
        return SEGRT_OK;
    const cell *cl = &c->cells[c->email_col];
    if (email_normalize(cl->p, cl->n, &c->tmp2) != 0)
        return store_fail(c->s, SEGRT_ENOMEM, "out of memory normalising an e-mail");
    if (c->tmp2.len > 0)
        *state = email_plausible((const char *)c->tmp2.p, c->tmp2.len) ? EMAIL_OK : EMAIL_BAD;
    return SEGRT_OK;
}

/* The hash of the row's normalised e-mail (in c->tmp2): read ahead, or computed. */
static uint64_t email_hash(const import_ctx *c)
{
    return c->email_hashed ? c->email_hash : strmap_hash((const char *)c->tmp2.p, c->tmp2.len);
}

/* Like email_of_row, rejecting an address that is not one. */
static int row_email(import_ctx *c, int *has)
{
    int state;
    int rc = email_of_row(c, &state);
    *has = state == EMAIL_OK;
    if (rc == SEGRT_OK && state == EMAIL_BAD) {
        const cell *cl = &c->cells[c->email_col];
        return import_reject(c, "email '%s' is not an e-mail address",
                             import_quote(c, cl->p, cl->n));
    }
    return rc;
}

/*
 * Check the row's e-mail. *index tells whether the contact becomes the owner
 * of its address in the e-mail index. An address another contact already has
 * does not reject the row (both contacts are kept, each with the e-mail it
 * gave, and segrt dedupe --by email finds them): the row gets a notice and
 * the first contact stays the owner.
 */
static int check_email(import_ctx *c, int found, uint32_t ord, int *index)
{
    int rc = row_email(c, index);
    uint32_t other;
    if (rc != SEGRT_OK || !*index ||
        !strmap_get_hashed(c->emails, email_hash(c), (const char *)c->tmp2.p, c->tmp2.len,
                           &other) ||
        (found && other == ord))
        return rc;
    *index = 0;
    const cell *cl = &c->cells[c->email_col];
    MDB_val k = store_ord_key(&other), v;
    row r = { 0 };
    int known = mdb_get(c->txn, c->s->dbi[DB_CONTACTS], &k, &v) == 0 &&
                row_decode(&r, v.mv_data, v.mv_size) == 0;
    rc = import_notice(c, "duplicate email: '%s' is also the e-mail of contact %.*s; both are "
                          "kept (segrt dedupe --by email)", import_quote(c, cl->p, cl->n),
                       known ? (int)r.idlen : 1, known ? r.id : "?");
    row_free(&r);
    return rc;
}

/* Forget the old e-mail of a contact whose e-mail changes. */
static int drop_old_email(import_ctx *c, uint32_t ord)
{
    const field_def *f = schema_find(c->s->schema, "email", 5);
    const row_value *ov = f ? row_get(&c->row, f->id) : NULL;
    if (ov == NULL || ov->is_set)
        return SEGRT_OK;
    MDB_val v;
    int rc = dict_string(c->s, c->txn, f->id, (uint32_t)ov->v, &v);
    if (rc != SEGRT_OK)
        return rc;
    if (email_normalize(v.mv_data, v.mv_size, &c->tmp) != 0)
        return store_fail(c->s, SEGRT_ENOMEM, "out of memory normalising an e-mail");
    uint32_t who;
    if (strmap_get(c->emails, (const char *)c->tmp.p, c->tmp.len, &who) && who == ord)
        strmap_del(c->emails, (const char *)c->tmp.p, c->tmp.len);
    return SEGRT_OK;
}

static int load_row(import_ctx *c, uint32_t ord)
{
    MDB_val k = store_ord_key(&ord), v;
    int mrc = mdb_get(c->txn, c->s->dbi[DB_CONTACTS], &k, &v);
    if (mrc != 0)
        return store_mdb_fail(c->s, mrc, "reading a contact");
    int drc = row_decode(&c->row, v.mv_data, v.mv_size);
    if (drc == -2)
        return store_fail(c->s, SEGRT_ENOMEM, "out of memory reading a contact");
    if (drc != 0)
        return store_fail(c->s, SEGRT_ECORRUPT, "contact %u has a corrupt record", ord);
    return SEGRT_OK;
}

/*
 * A new contact's id into the id index: appended while the ids come in
 * order (an export's usually do), which saves LMDB the search; once one does
 * not, put as any key.
 */
static int put_id(import_ctx *c, const cell *idc, uint32_t ord)
{
    MDB_val k = { idc->n, (void *)idc->p }, v = { sizeof ord, &ord };
    MDB_dbi ids = c->s->dbi[DB_IDS];
    int mrc = c->ids_not_last ? MDB_KEYEXIST : mdb_put(c->txn, ids, &k, &v, MDB_APPEND);
    if (mrc == MDB_KEYEXIST) { /* (not after the last stored id; it may still be new) */
        c->ids_not_last = 1;
        mrc = mdb_put(c->txn, ids, &k, &v, MDB_NOOVERWRITE);
    }
    return mrc;
}

int import_contacts_row(import_ctx *c)
{
    segrt_store *s = c->s;
    const cell *idc = c->id_col >= 0 ? &c->cells[c->id_col] : NULL;
    if (idc == NULL || idc->state != CELL_TEXT || idc->n == 0)
        return import_reject(c, "id is missing");
    if (idc->n > IMPORT_MAX_ID_BYTES)
        return import_reject(c, "id is longer than %d bytes", IMPORT_MAX_ID_BYTES);
    int rc = parse_row(c);
    if (rc != SEGRT_OK)
        return rc;
    uint32_t ord;
    int found = import_find_contact(c, idc, &ord);
    if (found < 0)
        return found;
    if (!found && c->audit) /* a rectification changes a contact, never makes one */
        return import_reject(c, "no contact with id '%s'", import_quote(c, idc->p, idc->n));
    int has_email;
    rc = check_email(c, found, ord, &has_email);
    if (rc != SEGRT_OK)
        return rc;
    if (found) {
        rc = load_row(c, ord);
        if (rc == SEGRT_OK && c->email_col >= 0 && writes(c, (size_t)c->email_col))
            rc = drop_old_email(c, ord);
    } else {
        if (c->next_ord > MAX_ORDINAL)
            return store_fail(s, SEGRT_ESTORE, "the store is full (%u contacts)", MAX_ORDINAL);
        ord = c->next_ord;
        row_clear(&c->row);
    }
    c->row.id = idc->p; /* the stored id may move with the next write */
    c->row.idlen = idc->n;
    for (size_t i = 0; i < c->ncols && rc == SEGRT_OK; i++) {
        if (c->cols[i].role == ROLE_FIELD && writes(c, i))
            rc = write_value(c, i, ord);
        else if (c->cols[i].role == ROLE_FIELD && c->cells[i].state == CELL_EMPTY)
            rc = declare_field(c, &c->cols[i]); /* a kept blank: the column is still a field */
    }
    if (rc == SEGRT_OK && row_encode(&c->row, &c->enc) != 0)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory writing a contact");
    if (rc != SEGRT_OK)
        return rc;
    MDB_val k = store_ord_key(&ord), v = { c->enc.len, c->enc.p };
    int mrc = mdb_put(c->txn, s->dbi[DB_CONTACTS], &k, &v, found ? 0 : MDB_APPEND);
    if (mrc == 0 && !found)
        mrc = put_id(c, idc, ord);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "writing a contact");
    if (!found) {
        rc = column_set_bit(s, c->txn, c->colcache, FIELD_LIVE, 0, ord, 1);
        if (rc == SEGRT_OK && strmap_put_hashed(c->ids, import_cell_hash(idc), idc->p, idc->n,
                                                ord) != 0)
            rc = store_fail(s, SEGRT_ENOMEM, "out of memory indexing a contact");
        c->next_ord++;
        c->delta_contacts++;
        c->batch_inserted++;
    }
    /* (c->tmp2 still holds the row's normalised e-mail: check_email) */
    if (rc == SEGRT_OK && has_email &&
        strmap_put_hashed(c->emails, email_hash(c), (const char *)c->tmp2.p, c->tmp2.len, ord))
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory indexing an e-mail");
    if (rc == SEGRT_OK && c->audit)
        rc = audit_append(s, c->txn, c->audit->actor, c->audit->action, ord, c->audit->detail);
    if (rc == SEGRT_OK && c->touched)
        c->touched(c->touched_ud, ord, 0);
    return rc;
}

void import_contacts_expect(import_ctx *c, uint64_t more)
{
    if (more > MAX_ORDINAL)
        more = MAX_ORDINAL;
    /* Made ready beside the import (the pages of 10M keys take seconds to
     * fault in); a failure only leaves the tables to grow as they fill. */
    strmap_reserve_ahead(c->ids, strmap_count(c->ids) + more);
    if (c->email_col < 0) /* a file without e-mails adds none */
        return;
    if (c->emails)
        strmap_reserve_ahead(c->emails, strmap_count(c->emails) + more);
    dict_map *d = c->cols[c->email_col].dict;
    if (d)
        strmap_reserve_ahead(d->map, strmap_count(d->map) + more);
}

int import_contacts_finish(import_ctx *c)
{
    int rc = column_cache_flush(c->s, c->txn, c->colcache);
    if (rc == SEGRT_OK)
        rc = store_counter_set(c->s, c->txn, "next_ord", c->next_ord);
    return rc;
}
