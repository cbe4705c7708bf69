/*
 * import.c — segrt_import_file(): maps a CSV or JSONL file, reads its
 * columns, and applies its rows in committed batches.
 *
 * A batch is a run of input records. It is applied in one write transaction;
 * its rejects are reported only after the commit, so a batch replayed after
 * growing the map (MDB_MAP_FULL) reports nothing twice. A crash loses at most
 * the batch in flight, and a re-run converges because contacts upsert by id
 * and events and consents are idempotent.
 *
 * Each events batch brings the event projections of the contacts it changed
 * up to date in its own transaction; a chunk of contacts a batch changes in
 * bulk is only marked, and rebuilt once after the last batch (proj_update.h).
 *
 * Uses: csv.h, csv_ahead.h (the rows of a CSV parsed in a second thread), import_prep.c (work
 * on those rows done there too), jsonl.h, value_local.h (--tz held for the import), import_{contacts,events,consents}.c, store.h, proj_update.h,
 * store_map.h (a batch's pages of the store given back), array.h.
 */
#include "import/import.h"
#include "import/import_prep.h"

#include "util/csv.h"
#include "util/csv_ahead.h"
#include "util/jsonl.h"
#include "store/committer.h"
#include "store/id_order.h"
#include "store/proj_update.h"
#include "store/store_map.h"
#include "util/array.h"
#include "util/value.h"
#include "util/value_local.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FIELD_BYTES 65536            /* SPEC §2: longer values are rejected */
#define BATCH_CACHE_BYTES ((size_t)256 << 20)
#define INFER_SAMPLE_ROWS 1000
#define SNIFF_LINES 20 /* records after the header that --delimiter auto looks at */
/*
 * A file this big has the map grown up front to twice its size beyond what
 * the store uses (address space, not disk: the data file grows as pages are
 * written). Growing on demand costs a big import dearly: each MDB_MAP_FULL
 * throws away the batch in flight and reloads every in-memory index from the
 * store, five or six times on the way to a store of gigabytes.
 */
#define RESERVE_FROM_BYTES ((size_t)16 << 20)

typedef struct source {
    int jsonl;
    const char *base;   /* the input text */
    size_t size;
    int mapped;         /* base is a mapping of the file: its read pages can be given back */
    char delim;         /* CSV: the field delimiter */
    csv_reader csv;
    csv_ahead *ahead;   /* CSV rows: parsed in a second thread into csv (or NULL) */
    import_prep *prep;  /* ... which also does this work on them (or NULL) */
    int read_ahead;     /* ... from the first batch on, and again after a seek */
    jsonl_reader js;
    char numbuf[4096]; /* JSONL numbers formatted for the current row */
    size_t numlen;
    /* --mapping (opts->map_row): the header's names, the current row's cells, its mapped row */
    char **names;
    const char **values;
    size_t *lens, nnames;
    json_t *row_obj;
} source;

/* ------------------------------------------------------------ messages */

/* Append a (line, message) record of the current row to b and count it in *count. */
static int record(import_ctx *c, buf *b, uint64_t *count, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    uint64_t line = c->line;
    uint32_t len = (uint32_t)strlen(msg) + 1;
    if (buf_put(b, &line, sizeof line) || buf_put(b, &len, sizeof len) || buf_put(b, msg, len))
        return store_fail(c->s, SEGRT_ENOMEM, "out of memory recording a row's message");
    (*count)++;
    return SEGRT_OK;
}

int import_reject(import_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = record(c, &c->rejects, &c->batch_rejected, fmt, ap);
    va_end(ap);
    return rc == SEGRT_OK ? SEGRT_EBADROW : rc;
}

int import_notice(import_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = record(c, &c->notices, &c->batch_noticed, fmt, ap);
    va_end(ap);
    return rc;
}

const char *import_quote(import_ctx *c, const char *p, size_t n)
{
    enum { MAXQ = 40 };
    c->tmp.len = 0;
    size_t i = 0, chars = 0;
    while (i < n && chars < MAXQ) {
        unsigned char ch = (unsigned char)p[i];
        size_t k = 1;
        if (ch >= 0xC0) /* keep a UTF-8 sequence whole */
            while (i + k < n && ((unsigned char)p[i + k] & 0xC0) == 0x80)
                k++;
        if (ch < 0x20 || ch == 0x7f)
            buf_put(&c->tmp, "?", 1);
        else
            buf_put(&c->tmp, p + i, k);
        i += k;
        chars++;
    }
    if (i < n)
        buf_put(&c->tmp, "...", 3);
    buf_put(&c->tmp, "", 1);
    return c->tmp.p ? (const char *)c->tmp.p : "";
}

/* Hand the records of b to fn (when set), then forget them. */
static void emit(import_ctx *c, buf *b, segrt_reject_fn fn)
{
    if (b->len == 0)
        return; /* nothing recorded: b->p may be NULL, and NULL + 0 is undefined */
    const unsigned char *p = b->p, *end = p + b->len;
    while (p < end) {
        uint64_t line;
        uint32_t len;
        memcpy(&line, p, sizeof line);
        memcpy(&len, p + sizeof line, sizeof len);
        const char *msg = (const char *)p + sizeof line + sizeof len;
        if (fn)
            fn(c->opts->ud, c->file, line, msg);
        p += sizeof line + sizeof len + len;
    }
    b->len = 0;
}

/* ------------------------------------------------------------ in-memory indexes */


int import_pend(import_ctx *c, uint32_t ord, uint32_t at)
{
    if (ARRAY_RESERVE(c->pend, c->pend_cap, c->npend + 1) != 0)
        return store_fail(c->s, SEGRT_ENOMEM, "out of memory buffering a batch");
    c->pend[c->npend++] = (pend_rec){ ord, at };
    if (c->touched)
        c->touched(c->touched_ud, ord, c->kind == SEGRT_EVENTS ? c->evs.recs[at].type : 0);
    return SEGRT_OK;
}

static void unload(import_ctx *c)
{
    strmap_free(c->ids);
    strmap_free(c->emails);
    c->ids = c->emails = NULL;
    c->last_id_n = 0;
    for (size_t i = 0; i < 3; i++) {
        dict_map_free(c->ev_dicts[i]);
        c->ev_dicts[i] = NULL;
    }
    for (size_t i = 0; i < 2; i++) {
        dict_map_free(c->cs_dicts[i]);
        c->cs_dicts[i] = NULL;
    }
    for (size_t i = 0; i < c->ncols; i++) {
        dict_map_free(c->cols[i].dict);
        c->cols[i].dict = NULL;
        c->cols[i].field = 0;
        import_memo_clear(&c->cols[i].memo); /* its codes were the dictionaries' */
    }
    if (c->colcache)
        column_cache_reset(c->colcache);
    c->loaded = 0;
}

/*
 * Ids are looked up in the store one at a time, and remembered, until an
 * eighth of the store's contacts (at least this many) were; then the whole
 * id index is loaded, which a big import repays and a small one (a delta, a
 * live session's batches) need not wait for.
 */
#define IDS_LOOKUPS_BEFORE_LOAD 32768

/*
 * The ids read from the index go into c->ids LOAD_AHEAD behind: each slot is
 * prefetched when its id is read, so that the cache misses of a 10M-key
 * table overlap instead of following one another. (An id's bytes stay in
 * the map until the transaction writes.)
 */
#define LOAD_AHEAD 16

struct loaded_id {
    const char *p;
    size_t len;
    uint64_t hash;
    uint32_t ord;
};

struct id_load {
    import_ctx *c;
    size_t n; /* ids read */
    struct loaded_id q[LOAD_AHEAD];
};

/* Put the id read n-th (n < l->n, and not more than LOAD_AHEAD back). */
static int put_loaded(struct id_load *l, size_t n)
{
    const struct loaded_id *e = &l->q[n % LOAD_AHEAD];
    if (strmap_put_hashed(l->c->ids, e->hash, e->p, e->len, e->ord) != 0)
        return store_fail(l->c->s, SEGRT_ENOMEM, "out of memory loading the id index");
    return SEGRT_OK;
}

static int load_id(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    struct id_load *l = ud;
    uint32_t ord;
    (void)txn;
    int rc = store_ord_decode(s, v, "id index entry", &ord);
    if (rc == SEGRT_OK && l->n >= LOAD_AHEAD)
        rc = put_loaded(l, l->n - LOAD_AHEAD); /* (its queue slot is the one taken now) */
    if (rc != SEGRT_OK)
        return rc;
    uint64_t h = strmap_hash(k->mv_data, k->mv_size);
    l->q[l->n % LOAD_AHEAD] = (struct loaded_id){ k->mv_data, k->mv_size, h, ord };
    strmap_prefetch(l->c->ids, h);
    l->n++;
    return SEGRT_OK;
}

static int load_all_ids(import_ctx *c)
{
    c->ids_all = 1;
    /* One per ordinal given (erased ones too): else the table grows as it fills. */
    (void)strmap_reserve(c->ids, c->next_ord);
    struct id_load l = { .c = c, .n = 0 };
    int rc = store_scan(c->s, c->txn, DB_IDS, NULL, 0, "reading the id index", load_id, &l);
    for (size_t n = l.n > LOAD_AHEAD ? l.n - LOAD_AHEAD : 0; rc == SEGRT_OK && n < l.n; n++)
        rc = put_loaded(&l, n);
    return rc;
}

/* Open the id index at write_gen gen: the one the last import left, if still current. */
static int open_ids(import_ctx *c, uint64_t gen)
{
    segrt_store *s = c->s;
    c->ids_looked_up = 0;
    uint64_t next, contacts;
    int rc = store_counter_get(s, c->txn, "next_ord", &next);
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, c->txn, "contacts", &contacts);
    if (rc != SEGRT_OK)
        return rc;
    c->next_ord = (uint32_t)next;
    if (s->ids_kept && s->ids_kept_gen == gen) {
        c->ids = s->ids_kept;
        c->ids_all = 1;
        s->ids_kept = NULL;
        return SEGRT_OK;
    }
    strmap_free(s->ids_kept); /* written since: stale */
    s->ids_kept = NULL;
    c->ids = strmap_new();
    if (c->ids == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory loading the id index");
    c->ids_all = 0;
    c->ids_load_after = contacts / 8 > IDS_LOOKUPS_BEFORE_LOAD ? (uint32_t)(contacts / 8)
                                                                : IDS_LOOKUPS_BEFORE_LOAD;
    /* An input of more rows than that (a row takes some 40 bytes) loads them at once. */
    if (c->input_bytes / 40 > c->ids_load_after)
        return load_all_ids(c);
    return SEGRT_OK;
}

/* Remember a contact found, for the rows after it that name it again. */
static int found(import_ctx *c, const char *id, size_t n, uint32_t ord)
{
    memcpy(c->last_id, id, n);
    c->last_id_n = n;
    c->last_ord = ord;
    return 1;
}

int import_find_contact(import_ctx *c, const cell *idc, uint32_t *ord)
{
    const char *id = idc->p;
    size_t n = idc->n;
    if (n != 0 && n == c->last_id_n && memcmp(id, c->last_id, n) == 0) {
        *ord = c->last_ord;
        return 1;
    }
    if (n > IMPORT_MAX_ID_BYTES)
        return 0;
    uint64_t h = import_cell_hash(idc);
    if (strmap_get_hashed(c->ids, h, id, n, ord))
        return found(c, id, n, *ord);
    if (c->ids_all || n == 0)
        return 0;
    int rc;
    if (c->txn == NULL) { /* the indexes are checked with the transaction: look again */
        rc = import_txn(c);
        return rc != SEGRT_OK ? rc : import_find_contact(c, idc, ord);
    }
    if (++c->ids_looked_up > c->ids_load_after) {
        rc = load_all_ids(c);
        if (rc != SEGRT_OK)
            return rc;
        return strmap_get_hashed(c->ids, h, id, n, ord) ? found(c, id, n, *ord) : 0;
    }
    MDB_val k = { n, (void *)id }, v;
    rc = store_get(c->s, c->txn, DB_IDS, &k, &v, "reading the id index");
    if (rc == SEGRT_ENOTFOUND)
        return 0;
    if (rc == SEGRT_OK)
        rc = store_ord_decode(c->s, &v, "id index entry", ord);
    if (rc == SEGRT_OK && strmap_put_hashed(c->ids, h, id, n, *ord) != 0)
        rc = store_fail(c->s, SEGRT_ENOMEM, "out of memory indexing a contact");
    return rc == SEGRT_OK ? found(c, id, n, *ord) : rc;
}

/* Match the columns to the schema as committed: field ids may have been rolled back. */
static int resolve_fields(import_ctx *c)
{
    int rc = schema_load_txn(c->s, c->txn);
    for (size_t i = 0; i < c->ncols && rc == SEGRT_OK; i++) {
        import_col *col = &c->cols[i];
        if (col->role != ROLE_FIELD)
            continue;
        const field_def *f = schema_find(c->s->schema, col->name, strlen(col->name));
        col->field = f ? f->id : 0;
        if (f)
            col->type = f->type;
    }
    return rc;
}

/* Load the in-memory indexes, unless they are current; *reloaded tells whether they were not. */
static int ensure_loaded(import_ctx *c, int *reloaded)
{
    uint64_t gen;
    *reloaded = 0;
    int rc = store_counter_get(c->s, c->txn, "write_gen", &gen);
    if (rc != SEGRT_OK)
        return rc;
    if (c->loaded && gen == c->loaded_gen)
        return SEGRT_OK;
    *reloaded = 1;
    unload(c);
    rc = open_ids(c, gen);
    if (rc == SEGRT_OK)
        rc = resolve_fields(c);
    if (rc == SEGRT_OK && c->kind == SEGRT_CONTACTS)
        rc = import_contacts_load(c);
    if (rc == SEGRT_OK && c->kind == SEGRT_EVENTS)
        rc = import_extra_resolve(c);
    if (rc == SEGRT_OK) {
        c->loaded = 1;
        c->loaded_gen = gen;
    }
    return rc;
}

/* ------------------------------------------------------------ columns */

/*
 * The columns each kind knows by name: their roles, and which a CSV header
 * must have (a missing one is reported in this order). A name not here is
 * the kind's to judge (import_<kind>_column).
 */
static const struct known_column {
    segrt_kind kind;
    const char *name;
    enum col_role role;
    int required;
} known_columns[] = {
    { SEGRT_CONTACTS, "id", ROLE_ID, 1 },
    { SEGRT_EVENTS, "contact_id", ROLE_ID, 1 },
    { SEGRT_EVENTS, "ts", ROLE_EV_TS, 1 },
    { SEGRT_EVENTS, "type", ROLE_EV_TYPE, 1 },
    { SEGRT_EVENTS, "amount", ROLE_EV_AMOUNT, 0 },
    { SEGRT_EVENTS, "category", ROLE_EV_CATEGORY, 0 },
    { SEGRT_EVENTS, "channel", ROLE_EV_CHANNEL, 0 },
    { SEGRT_EVENTS, "event_id", ROLE_EV_EVENT_ID, 0 },
    { SEGRT_CONSENTS, "contact_id", ROLE_ID, 1 },
    { SEGRT_CONSENTS, "purpose", ROLE_CS_PURPOSE, 1 },
    { SEGRT_CONSENTS, "status", ROLE_CS_STATUS, 1 },
    { SEGRT_CONSENTS, "legal_basis", ROLE_CS_BASIS, 0 },
    { SEGRT_CONSENTS, "ts", ROLE_CS_TS, 1 },
    { SEGRT_CONSENTS, "expires_at", ROLE_CS_EXPIRES, 0 },
    { SEGRT_CONSENTS, "source", ROLE_CS_SOURCE, 0 },
};

#define NKNOWN (sizeof known_columns / sizeof known_columns[0])

/* Give col (the next column) its role: a known one, with its index kept, or the kind's. */
static int column_role(import_ctx *c, import_col *col)
{
    if (c->opts->id_from && c->kind != SEGRT_CONTACTS && strcmp(col->name, "email") == 0) {
        col->role = ROLE_ID_SOURCE; /* the contact's e-mail is no event or consent attribute */
        c->email_col = (long)c->ncols;
        return SEGRT_OK;
    }
    for (size_t i = 0; i < NKNOWN; i++) {
        const struct known_column *k = &known_columns[i];
        if (k->kind != c->kind || strcmp(col->name, k->name) != 0)
            continue;
        col->role = k->role;
        if (k->role == ROLE_ID)
            c->id_col = (long)c->ncols;
        else
            c->role_col[k->role] = (long)c->ncols;
        return SEGRT_OK;
    }
    return c->kind == SEGRT_CONTACTS ? import_contacts_column(c, col)
           : c->kind == SEGRT_EVENTS ? import_events_column(c, col)
                                     : import_consents_column(c, col);
}

static int add_column(import_ctx *c, const char *name, size_t n, size_t *index)
{
    for (size_t i = 0; i < c->ncols; i++) {
        if (strlen(c->cols[i].name) == n && memcmp(c->cols[i].name, name, n) == 0) {
            *index = i;
            return SEGRT_OK;
        }
    }
    size_t cells_cap = c->cols_cap; /* cols and cells share cols_cap: grow cells first */
    if (ARRAY_RESERVE(c->cells, cells_cap, c->ncols + 1) != 0 ||
        ARRAY_RESERVE(c->cols, c->cols_cap, c->ncols + 1) != 0)
        return store_fail(c->s, SEGRT_ENOMEM, "out of memory reading columns");
    import_col *col = &c->cols[c->ncols];
    *col = (import_col){ .name = strndup(name, n) };
    if (col->name == NULL)
        return store_fail(c->s, SEGRT_ENOMEM, "out of memory reading columns");
    int rc = column_role(c, col);
    if (rc != SEGRT_OK) {
        free(col->name);
        return rc;
    }
    *index = c->ncols++;
    return SEGRT_OK;
}

/* Every required column of the kind is in the header. */
static int require_columns(import_ctx *c)
{
    for (size_t i = 0; i < NKNOWN; i++) {
        const struct known_column *k = &known_columns[i];
        if (k->kind != c->kind || !k->required)
            continue;
        size_t j = 0;
        while (j < c->ncols && c->cols[j].role != k->role)
            j++;
        if (j == c->ncols)
            return store_fail(c->s, SEGRT_EINVAL, "%s: line 1: missing column '%s'", c->file,
                              k->name);
    }
    return SEGRT_OK;
}

static int read_header(import_ctx *c, source *src)
{
    uint64_t line;
    csv_status st = csv_next(&src->csv, &line);
    if (st == CSV_END)
        return store_fail(c->s, SEGRT_EINVAL, "%s: the file is empty (a header row is needed)",
                          c->file);
    if (st == CSV_NOMEM)
        return store_fail(c->s, SEGRT_ENOMEM, "out of memory reading %s", c->file);
    if (st == CSV_BAD_ROW)
        return store_fail(c->s, SEGRT_EINVAL, "%s: line %llu: bad header: %s%s", c->file,
                          (unsigned long long)line, src->csv.err_col >= 0 ? "a column name " : "",
                          src->csv.err);
    size_t n = src->csv.nfields;
    for (size_t i = 0; i < n; i++) {
        const csv_field *f = &src->csv.fields[i];
        size_t index, len;
        const char *name;
        if (c->ncols != i)
            break;
        int rc = import_map_column(c, f->ptr, f->len, &name, &len);
        if (rc == SEGRT_OK)
            rc = add_column(c, name, len, &index);
        if (rc != SEGRT_OK)
            return rc;
        if (index != i)
            return store_fail(c->s, SEGRT_EINVAL, "%s: line 1: column '%s' appears twice",
                              c->file, c->cols[index].name);
    }
    c->nsrc = c->ncols;
    size_t id_index;
    int rc = import_map_finish_header(c);
    if (rc == SEGRT_OK && c->opts->id_from) /* the id column --id-from fills */
        rc = c->kind == SEGRT_CONTACTS ? add_column(c, "id", 2, &id_index)
                                       : add_column(c, "contact_id", 10, &id_index);
    return rc == SEGRT_OK ? require_columns(c) : rc;
}

/* ------------------------------------------------------------ rows */

typedef enum { ROW_OK, ROW_BAD, ROW_END, ROW_FAIL } row_status;

/* The next CSV record into src->csv: ROW_OK (*st tells a bad one), ROW_END or ROW_FAIL. */
static row_status next_record(import_ctx *c, source *src, csv_status *st)
{
    *st = src->ahead ? csv_ahead_next(src->ahead, &src->csv, &c->line)
                     : csv_next(&src->csv, &c->line);
    if (*st == CSV_END)
        return ROW_END;
    if (*st == CSV_NOMEM) {
        store_fail(c->s, SEGRT_ENOMEM, "out of memory reading %s", c->file);
        return ROW_FAIL;
    }
    return ROW_OK;
}

static row_status next_csv_row(import_ctx *c, source *src)
{
    csv_status st;
    row_status rs = next_record(c, src, &st);
    if (rs != ROW_OK)
        return rs;
    size_t n = src->csv.nfields < c->nsrc ? src->csv.nfields : c->nsrc;
    for (size_t i = 0; i < c->ncols; i++) {
        c->cells[i] = (cell){ .state = CELL_ABSENT };
        if (i < n) {
            const csv_field *f = &src->csv.fields[i];
            /* "" is blank as an empty cell is: tools that quote every cell write it */
            c->cells[i] = (cell){ .state = f->len ? CELL_TEXT : CELL_EMPTY,
                                  .p = f->ptr, .n = f->len };
        }
    }
    c->email_hashed = 0;
    if (src->ahead && src->prep) {
        import_prep_take(c, src->prep, csv_ahead_prep_of(src->ahead, 0));
        import_prep_prefetch(c, src->prep, src->ahead);
    }
    int col = src->csv.err_col;
    /* Not UTF-8: most likely a file in a legacy encoding. */
    const char *hint = st == CSV_BAD_ROW && strstr(src->csv.err, "UTF-8") && !c->opts->encoding
                           ? " (is the file in another encoding? try --encoding cp1250)" : "";
    if (st == CSV_BAD_ROW && col >= 0 && (size_t)col < c->ncols)
        import_reject(c, "%s %s%s", c->cols[col].name, src->csv.err, hint);
    else if (st == CSV_BAD_ROW && col >= 0)
        import_reject(c, "field %d %s", col + 1, src->csv.err);
    else if (st == CSV_BAD_ROW)
        import_reject(c, "%s", src->csv.err);
    else if (src->csv.nfields != c->nsrc)
        import_reject(c, "has %zu fields, the header has %zu", src->csv.nfields, c->nsrc);
    else if (c->opts->id_from == NULL)
        return ROW_OK;
    else {
        int rc = import_map_id_cell(c, &c->cells[c->id_col]);
        return rc == SEGRT_OK ? ROW_OK : rc == SEGRT_EBADROW ? ROW_BAD : ROW_FAIL;
    }
    return ROW_BAD;
}

/* The members of a JSON object (a JSON line, a mapped row) as the row's cells. */
static row_status object_row(import_ctx *c, source *src, json_t *obj)
{
    for (size_t i = 0; i < c->ncols; i++)
        c->cells[i] = (cell){ .state = CELL_ABSENT };
    src->numlen = 0;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        size_t index;
        int rc = add_column(c, key, strlen(key), &index);
        if (rc == SEGRT_EINVAL) {
            import_reject(c, "%s", c->s->errmsg);
            return ROW_BAD;
        }
        if (rc != SEGRT_OK)
            return ROW_FAIL;
        cell *cl = &c->cells[index];
        if (json_is_null(v)) { /* .json tells a null from a blank CSV cell */
            *cl = (cell){ .state = CELL_EMPTY, .json = v };
            continue;
        }
        if (json_is_array(v)) {
            *cl = (cell){ .state = CELL_ARRAY, .json = v };
            continue;
        }
        size_t len;
        int composite = 0;
        const char *text = jsonl_scalar_text(&src->js, v, &len, &composite);
        if (composite && c->cols[index].role == ROLE_EV_EXTRA) {
            *cl = (cell){ .state = CELL_OBJECT, .json = v };
            continue;
        }
        if (composite) {
            import_reject(c, "%s is an object, not a value", key);
            return ROW_BAD;
        }
        if (!json_is_string(v)) { /* numbers and booleans: the reader reuses its buffer */
            if (src->numlen + len + 1 > sizeof src->numbuf) {
                import_reject(c, "has too many numeric values");
                return ROW_BAD;
            }
            memcpy(src->numbuf + src->numlen, text, len);
            text = src->numbuf + src->numlen;
            src->numlen += len + 1;
        }
        if (len > MAX_FIELD_BYTES) {
            import_reject(c, "%s is longer than %d bytes (%zu bytes)", key, MAX_FIELD_BYTES, len);
            return ROW_BAD;
        }
        *cl = (cell){ .state = CELL_TEXT, .p = text, .n = len, .json = v };
    }
    return ROW_OK;
}

static row_status next_jsonl_row(import_ctx *c, source *src)
{
    jsonl_status st = jsonl_next(&src->js, &c->line);
    if (st == JSONL_END)
        return ROW_END;
    if (st == JSONL_BAD_ROW) {
        import_reject(c, "%s", src->js.err);
        return ROW_BAD;
    }
    return object_row(c, src, src->js.obj);
}

/* --mapping: the header's names (after --map), for the mapping function. */
static int read_mapped_header(import_ctx *c, source *src)
{
    uint64_t line;
    csv_status st = csv_next(&src->csv, &line);
    if (st == CSV_END || st == CSV_BAD_ROW)
        return store_fail(c->s, SEGRT_EINVAL, "%s: line 1: %s", c->file,
                          st == CSV_END ? "the file is empty (a header row is needed)"
                                        : src->csv.err);
    size_t n = src->csv.nfields;
    src->names = calloc(n, sizeof *src->names);
    src->values = calloc(n, sizeof *src->values);
    src->lens = calloc(n, sizeof *src->lens);
    if (st == CSV_NOMEM || !src->names || !src->values || !src->lens)
        return store_fail(c->s, SEGRT_ENOMEM, "out of memory reading %s", c->file);
    for (size_t i = 0; i < n; i++) {
        const csv_field *f = &src->csv.fields[i];
        const char *name;
        size_t len;
        import_map_rename(c, f->ptr, f->len, &name, &len); /* any name: the mapping reads it */
        if ((src->names[i] = strndup(name, len)) == NULL)
            return store_fail(c->s, SEGRT_ENOMEM, "out of memory reading %s", c->file);
        src->nnames++;
    }
    return import_map_finish_header(c);
}

/* --mapping: the next CSV row through the mapping function, read as the object it returns. */
static row_status next_mapped_row(import_ctx *c, source *src)
{
    csv_status st;
    row_status rs = next_record(c, src, &st);
    if (rs != ROW_OK)
        return rs;
    for (size_t i = 0; i < c->ncols; i++)
        c->cells[i] = (cell){ .state = CELL_ABSENT };
    if (st == CSV_BAD_ROW) {
        import_reject(c, "%s", src->csv.err);
        return ROW_BAD;
    }
    if (src->csv.nfields != src->nnames) {
        import_reject(c, "has %zu fields, the header has %zu", src->csv.nfields, src->nnames);
        return ROW_BAD;
    }
    for (size_t i = 0; i < src->nnames; i++) {
        const csv_field *f = &src->csv.fields[i];
        src->values[i] = f->len ? f->ptr : NULL;
        src->lens[i] = f->len;
    }
    char *text = NULL, err[512] = "";
    int rc = c->opts->map_row(c->opts->map_ud, src->nnames, (const char *const *)src->names,
                              src->values, src->lens, &text, err, sizeof err);
    if (rc != SEGRT_OK) {
        store_fail(c->s, rc, "%s: line %llu: %s", c->file, (unsigned long long)c->line,
                   err[0] ? err : "the mapping failed");
        return ROW_FAIL;
    }
    if (text == NULL) {
        import_reject(c, "%s", err[0] ? err : "the mapping returned no row");
        return ROW_BAD;
    }
    json_error_t jerr;
    json_decref(src->row_obj);
    src->row_obj = json_loads(text, 0, &jerr);
    free(text);
    if (src->row_obj == NULL || !json_is_object(src->row_obj)) {
        import_reject(c, "the mapping's row is not a JSON object%s%s", src->row_obj ? "" : ": ",
                      src->row_obj ? "" : jerr.text);
        return ROW_BAD;
    }
    return object_row(c, src, src->row_obj);
}

static row_status next_row(import_ctx *c, source *src)
{
    row_status st = src->jsonl            ? next_jsonl_row(c, src)
                  : c->opts->map_row ? next_mapped_row(c, src)
                                          : next_csv_row(c, src);
    if (st != ROW_OK || c->sampling) /* sampling types sees the cells as written */
        return st;
    int rc = import_local_row(c);
    return rc == SEGRT_OK ? ROW_OK : rc == SEGRT_EBADROW ? ROW_BAD : ROW_FAIL;
}

static int apply_row(import_ctx *c)
{
    switch (c->kind) {
    case SEGRT_CONTACTS: return import_contacts_row(c);
    case SEGRT_EVENTS: return import_events_row(c);
    case SEGRT_CONSENTS: return import_consents_row(c);
    }
    return SEGRT_EINVAL;
}

static int finish_batch(import_ctx *c)
{
    int rc = c->kind == SEGRT_CONTACTS ? import_contacts_finish(c)
           : c->kind == SEGRT_EVENTS   ? import_events_finish(c)
                                       : import_consents_finish(c);
    segrt_store *s = c->s;
    if (rc == SEGRT_OK)
        rc = store_counter_add(s, c->txn, "contacts", c->delta_contacts);
    if (rc == SEGRT_OK)
        rc = store_counter_add(s, c->txn, "events", c->delta_events);
    if (rc == SEGRT_OK)
        rc = store_counter_add(s, c->txn, "consents", c->delta_consents);
    if (rc == SEGRT_OK)
        rc = store_counter_add(s, c->txn, "write_gen", 1);
    /* The timelines written: their projections follow in the same transaction. */
    if (rc == SEGRT_OK && c->kind == SEGRT_EVENTS)
        rc = proj_update_flush(s, c->txn, 1);
    return rc;
}

/* ------------------------------------------------------------ batches */

typedef struct position {
    const char *pos;
    uint64_t line;
} position;

static position source_tell(const source *src)
{
    if (src->jsonl)
        return (position){ src->js.pos, src->js.line };
    return (position){ src->csv.pos, src->csv.line };
}

/*
 * Parse the CSV rows from the current position on in a second thread (while
 * this one applies and commits them). Without a thread, this one reads them.
 */
static void source_ahead(source *src)
{
    src->read_ahead = 1;
    csv_prep prep = src->prep ? import_prep_csv(src->prep) : (csv_prep){ 0 };
    if (csv_ahead_start(&src->ahead, &src->csv, src->prep ? &prep : NULL) != 0)
        src->ahead = NULL;
}

static void source_seek(source *src, position p)
{
    size_t left = (size_t)(src->base + src->size - p.pos);
    if (src->jsonl) {
        jsonl_reader_free(&src->js);
        jsonl_reader_init(&src->js, p.pos, left, p.line);
    } else {
        csv_ahead_stop(src->ahead);
        src->ahead = NULL;
        csv_reader_free(&src->csv);
        csv_reader_init(&src->csv, p.pos, left, p.line, MAX_FIELD_BYTES);
        csv_set_delimiter(&src->csv, src->delim);
        if (src->read_ahead)
            source_ahead(src);
    }
}

/*
 * Give back the pages of the input read so far: the file is mapped, and its
 * touched pages would otherwise count toward the process's resident memory.
 */
static void release_read(source *src, const char *upto)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = (uintptr_t)src->base, end = ((uintptr_t)upto) & ~(page - 1);
    if (src->mapped && end > start)
        madvise((void *)start, end - start, MADV_DONTNEED);
}

static void reset_batch(import_ctx *c)
{
    c->npend = 0;
    event_list_clear(&c->evs);
    c->css.n = 0;
    c->delta_contacts = c->delta_events = c->delta_consents = 0;
    c->rejects.len = c->notices.len = 0;
    c->batch_rejected = c->batch_inserted = c->batch_noticed = 0;
    c->batch_read = 0;
    c->restart = 0;
    c->last_batch = 0;
}

/*
 * After a file's first batch of contacts (rows read from start to end): as
 * many new contacts again in the rest of the file, by bytes, as it added.
 */
static void expect_contacts(import_ctx *c, const source *src, const char *start, const char *end)
{
    size_t read = (size_t)(end - start), left = (size_t)(src->base + src->size - end);
    if (read == 0 || !c->input_bytes)
        return;
    double more = (double)c->handed.inserted * ((double)left / (double)read);
    import_contacts_expect(c, more < (double)UINT32_MAX ? (uint64_t)more : UINT32_MAX);
}

/* Report the batch handed over, now committed: its rows, rejects and notices. */
static int batch_committed(import_ctx *c)
{
    struct import_handed *h = &c->handed;
    segrt_import_report *rep = c->rep;
    c->loaded_gen++; /* the write_gen the batch counted */
    /* The fingerprints of its events count for the input's later batches. */
    int rc = c->kind == SEGRT_EVENTS ? import_occ_committed(c, h->last) : SEGRT_OK;
    /*
     * The pages of the store a file's batch read (timelines merged into) need
     * not stay resident; a stream (a live session) keeps its working set.
     */
    if (c->input_bytes)
        store_map_release(c->s);
    rep->rows += h->rows;
    rep->rejected += h->rejected;
    rep->accepted += h->rows - h->rejected;
    rep->inserted += h->inserted;
    rep->noticed += h->noticed;
    rep->batches++;
    if (c->kind == SEGRT_CONTACTS && rep->batches == 1 && !h->last)
        expect_contacts(c, c->src, h->start, h->end);
    emit(c, &h->rejects, c->opts->on_reject);
    emit(c, &h->notices, c->opts->on_notice);
    release_read(c->src, h->end);
    if (c->opts->on_progress)
        c->opts->on_progress(c->opts->ud, (uint64_t)(h->end - c->src->base), c->src->size,
                             rep->rows);
    return rc;
}

/* Wait for the commit of the batch handed over last, and report the batch. */
static int await_handed(import_ctx *c)
{
    if (!c->handed.active)
        return SEGRT_OK;
    c->handed.active = 0;
    int mrc = committer_wait(c->cm);
    if (mrc != 0) {
        c->handed.failed = 1;
        unload(c);
        return store_mdb_fail(c->s, mrc, "committing a batch");
    }
    return batch_committed(c);
}

int import_txn(import_ctx *c)
{
    if (c->txn != NULL)
        return SEGRT_OK;
    int reloaded;
    int rc = await_handed(c);
    if (rc == SEGRT_OK)
        rc = committer_begin(c->cm, c->s, &c->txn);
    if (rc == SEGRT_OK)
        rc = ensure_loaded(c, &reloaded);
    if (rc == SEGRT_OK && reloaded && c->batch_read > 0)
        c->restart = 1; /* its rows before this one were read with what was loaded before */
    return rc;
}

/* Hand the batch over to be committed; it is reported once that is known (await_handed). */
static int hand_over(import_ctx *c, position start, const char *end)
{
    struct import_handed *h = &c->handed;
    buf spare_rejects = h->rejects, spare_notices = h->notices; /* emptied when reported */
    *h = (struct import_handed){ .active = 1, .rows = c->batch_read,
                                 .rejected = c->batch_rejected, .inserted = c->batch_inserted,
                                 .noticed = c->batch_noticed, .start = start.pos,
                                 .start_line = start.line, .end = end,
                                 .last = c->last_batch,
                                 .rejects = c->rejects, .notices = c->notices };
    c->rejects = spare_rejects;
    c->notices = spare_notices;
    int mrc = committer_commit(c->cm, c->txn);
    c->txn = NULL;
    if (mrc != 0) {
        h->active = 0;
        h->failed = 1;
        unload(c);
        return store_mdb_fail(c->s, mrc, "committing a batch");
    }
    return SEGRT_OK;
}

/*
 * Read and apply one batch from the current position (start), then hand it
 * over to be committed. *done is set at end of input. Returns SEGRT_EBADROW
 * when strict mode met a bad row.
 *
 * Rows of events and consents from a CSV file are read while the batch before
 * commits: they need the store only for a new dictionary value or an id not
 * loaded (import_txn). A contact row writes as it is read, and a JSON line or
 * a mapping may bring new columns: their batches begin with the transaction.
 */
static int run_batch(import_ctx *c, source *src, position start, uint32_t batch_rows, int *done)
{
    reset_batch(c);
    int early = c->cm && c->loaded && c->kind != SEGRT_CONTACTS && !src->jsonl &&
                !c->opts->map_row;
    int rc = early ? SEGRT_OK : import_txn(c);
    *done = 0;
    while (rc == SEGRT_OK && !c->restart && (batch_rows == 0 || c->batch_read < batch_rows)) {
        if (!c->opts->strict && c->colcache && column_cache_bytes(c->colcache) > BATCH_CACHE_BYTES)
            break; /* bound the memory of a batch that touches many column chunks */
        row_status st = next_row(c, src);
        if (st == ROW_END) {
            *done = c->last_batch = 1;
            break;
        }
        c->batch_read++;
        if (st == ROW_FAIL) {
            rc = SEGRT_ENOMEM;
            break;
        }
        int arc = st == ROW_BAD ? SEGRT_EBADROW : apply_row(c);
        if (arc == SEGRT_EBADROW && c->opts->strict)
            rc = SEGRT_EBADROW;
        else if (arc != SEGRT_EBADROW)
            rc = arc;
    }
    if (rc == SEGRT_OK)
        rc = import_txn(c);
    if (rc == SEGRT_OK && !c->restart)
        rc = finish_batch(c);
    if (rc != SEGRT_OK || c->restart) {
        if (c->txn != NULL)
            committer_abort(c->cm, c->txn);
        c->txn = NULL;
        if (rc != SEGRT_OK)
            unload(c);
        return rc;
    }
    return hand_over(c, start, source_tell(src).pos);
}

static int read_batches(import_ctx *c, source *src)
{
    segrt_store *s = c->s;
    uint32_t batch_rows = c->opts->batch_rows;
    if (c->opts->strict)
        batch_rows = 0; /* one transaction: nothing of the file commits on a bad row */
    else if (batch_rows == 0)
        batch_rows = c->kind == SEGRT_CONTACTS ? 50000 : c->kind == SEGRT_EVENTS ? 500000 : 200000;
    int done = 0, retries = 0;
    while (!done || c->handed.active) {
        position start = source_tell(src);
        s->last_mdb_rc = 0;
        int rc = !done ? run_batch(c, src, start, batch_rows, &done)
                       : await_handed(c); /* the input is read: the last batch's commit */
        if (rc == SEGRT_OK && c->restart) {
            source_seek(src, start);
            done = 0;
            continue;
        }
        if (rc != SEGRT_OK && s->last_mdb_rc == MDB_MAP_FULL && retries < STORE_MAX_GROW_ATTEMPTS) {
            retries++;
            if (c->handed.failed) /* the batch before this one is read again */
                start = (position){ c->handed.start, c->handed.start_line };
            c->handed.failed = 0;
            rc = store_grow(s);
            if (rc != SEGRT_OK)
                return rc;
            source_seek(src, start);
            done = 0;
            continue;
        }
        if (rc == SEGRT_EBADROW) {
            /* strict: report the bad row, commit nothing */
            const unsigned char *p = c->rejects.p;
            uint64_t line;
            memcpy(&line, p, sizeof line);
            const char *reason = (const char *)p + sizeof line + sizeof(uint32_t);
            store_fail(s, SEGRT_EBADROW, "%s: line %llu: %s (strict: nothing imported)",
                       c->file, (unsigned long long)line, reason);
            emit(c, &c->rejects, c->opts->on_reject); /* its notices: nothing was kept */
            c->rep->rejected++;
            return SEGRT_EBADROW;
        }
        if (rc != SEGRT_OK)
            return rc;
        retries = 0;
    }
    return SEGRT_OK;
}

/* Apply src in batches, each committed while the next is read (cm). */
static int run_batches(import_ctx *c, source *src)
{
    c->src = src;
    int rc = read_batches(c, src);
    int arc = await_handed(c); /* the last batch, or the one before a failure */
    return arc != SEGRT_OK ? arc : rc;
}

/* ------------------------------------------------------------ type inference */

unsigned import_value_kinds(const char *p, size_t n)
{
    int64_t v;
    unsigned k = 0;
    int is_int = value_parse_int(p, n, &v) == 0;
    k |= is_int ? KIND_INT : 0;
    k |= value_parse_number(p, n, &v) == 0 ? KIND_NUM : 0;
    k |= !is_int && value_parse_bool(p, n, &v) == 0 ? KIND_BOOL : 0;
    k |= value_parse_date(p, n, &v) == 0 ? KIND_DATE : 0;
    k |= value_parse_timestamp(p, n, &v) == 0 ? KIND_TS : 0;
    return k;
}

segrt_type import_type_of_kinds(unsigned k, int has_semicolon)
{
    return (k & KIND_INT)    ? SEGRT_T_INTEGER
         : (k & KIND_NUM)    ? SEGRT_T_NUMBER
         : (k & KIND_BOOL)   ? SEGRT_T_BOOLEAN
         : (k & KIND_DATE)   ? SEGRT_T_DATE
         : (k & KIND_TS)     ? SEGRT_T_TIMESTAMP
         : has_semicolon     ? SEGRT_T_SET
                             : SEGRT_T_STRING;
}

/* A column whose type is inferred from a CSV file's values: a new field, an extra attribute. */
static int is_typed(const import_col *col)
{
    return col->role == ROLE_FIELD || col->role == ROLE_EV_EXTRA;
}

/*
 * Tell on_column (line 1) what type a new field
 * got; a string column whose values look like local dates or numbers names
 * the flag that reads them.
 */
static void tell_type(import_ctx *c, const import_col *col, const char *hint)
{
    char msg[320];
    if (c->opts->on_column == NULL)
        return;
    const char *what = col->role == ROLE_FIELD ? "column" : "event attribute";
    if (col->type == SEGRT_T_STRING && hint)
        snprintf(msg, sizeof msg, "new %s '%s' typed string, but its values look "
                 "local: to read them as dates, times or numbers give %s (or --field "
                 "%s:string to keep text)", what, col->name, hint, col->name);
    else
        snprintf(msg, sizeof msg, "new %s '%s' typed %s (--field %s:TYPE to choose)",
                 what, col->name, segrt_type_name(col->type), col->name);
    c->opts->on_column(c->opts->ud, c->file, 1, msg);
}

/*
 * Infer the types of new contact fields and extra event attributes from the
 * first rows of a CSV file: the narrowest type every sampled value parses
 * as; ';' in a contact field's values makes a set.
 */
static int infer_types(import_ctx *c, source *src)
{
    int pending = 0;
    for (size_t i = 0; i < c->ncols; i++)
        pending |= is_typed(&c->cols[i]) && c->cols[i].type == 0;
    if (!pending)
        return SEGRT_OK;
    position start = source_tell(src);
    c->sampling = 1;
    unsigned *kinds = calloc(c->ncols, sizeof *kinds);
    int *semi = calloc(c->ncols, sizeof *semi), *seen = calloc(c->ncols, sizeof *seen);
    const char **hints = calloc(c->ncols, sizeof *hints); /* a local form seen, its flag */
    if (kinds == NULL || semi == NULL || seen == NULL || hints == NULL) {
        free(hints);
        free(kinds);
        free(semi);
        free(seen);
        c->sampling = 0;
        return store_fail(c->s, SEGRT_ENOMEM, "out of memory inferring types");
    }
    for (int r = 0; r < INFER_SAMPLE_ROWS; r++) {
        row_status st = next_row(c, src);
        if (st == ROW_END || st == ROW_FAIL)
            break;
        for (size_t i = 0; st == ROW_OK && i < c->ncols; i++) {
            const cell *cl = &c->cells[i];
            if (cl->state != CELL_TEXT)
                continue;
            unsigned k = import_local_kinds(c, cl->p, cl->n);
            kinds[i] = seen[i] ? kinds[i] & k : k;
            seen[i] = 1;
            semi[i] |= memchr(cl->p, ';', cl->n) != NULL;
            if (hints[i] == NULL)
                hints[i] = import_local_hint(cl->p, cl->n);
        }
    }
    for (size_t i = 0; i < c->ncols; i++) {
        import_col *col = &c->cols[i];
        if (is_typed(col) && col->type == 0 && seen[i]) {
            col->type = import_type_of_kinds(kinds[i], semi[i] && col->role == ROLE_FIELD);
            if (col->role == ROLE_EV_EXTRA && col->type == SEGRT_T_INTEGER)
                col->type = SEGRT_T_NUMBER; /* events: one numeric type, 3 and 2.5 alike */
            tell_type(c, col, hints[i]);
        } else if (col->role == ROLE_FIELD && col->type == 0) {
            col->type = SEGRT_T_STRING;
            tell_type(c, col, NULL);
        }
    }
    free(hints);
    free(kinds);
    free(semi);
    free(seen);
    c->sampling = 0;
    reset_batch(c);
    source_seek(src, start);
    return SEGRT_OK;
}

/* ------------------------------------------------------------ files */

static int map_file(segrt_store *s, const char *path, const char **base, size_t *size)
{
    *base = NULL;
    *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return store_fail(s, SEGRT_EIO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return store_fail(s, SEGRT_EIO, "%s: not a regular file", path);
    }
    if (st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            close(fd);
            return store_fail(s, SEGRT_EIO, "%s: %s", path, strerror(errno));
        }
        madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
        *base = p;
        *size = (size_t)st.st_size;
    }
    close(fd);
    return SEGRT_OK;
}

/*
 * A whole id index outlives its import on the handle, so that the next
 * file's import (the events after the contacts) need not read 10M ids
 * again; open_ids takes it only if nothing was written since (write_gen).
 */
static void keep_ids(import_ctx *c)
{
    if (!c->loaded || !c->ids_all)
        return;
    strmap_free(c->s->ids_kept);
    c->s->ids_kept = c->ids;
    c->s->ids_kept_gen = c->loaded_gen;
    c->ids = NULL;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static void ctx_free(import_ctx *c)
{
    unload(c);
    column_cache_free(c->colcache);
    for (size_t i = 0; i < c->ncols; i++)
        free(c->cols[i].name);
    free(c->cols);
    free(c->cells);
    free(c->pend);
    free(c->parsed);
    free(c->items_at);
    free(c->items_n);
    free(c->items);
    event_list_free(&c->evs);
    free(c->occ_batch);
    free(c->occ_prior);
    free(c->occ_seen);
    consent_list_free(&c->css);
    committer_stop(c->cm);
    buf_free(&c->rejects);
    buf_free(&c->notices);
    buf_free(&c->handed.rejects);
    buf_free(&c->handed.notices);
    buf_free(&c->tmp);
    buf_free(&c->tmp2);
    buf_free(&c->enc);
    free(c->canon);
    row_free(&c->row);
}

/* The options of a call that gave none. */
static const segrt_import_opts no_opts = { 0 };

/* Set up c for importing rows of kind into s (names in messages: name). */
static int ctx_init(import_ctx *c, segrt_store *s, segrt_kind kind, const char *name,
                    const segrt_import_opts *opts, segrt_import_report *rep)
{
    *c = (import_ctx){ .s = s, .kind = kind, .file = name, .opts = opts ? opts : &no_opts,
                       .rep = rep };
    c->id_col = c->email_col = -1;
    for (size_t i = 0; i < sizeof c->role_col / sizeof c->role_col[0]; i++)
        c->role_col[i] = -1;
    if (kind == SEGRT_CONTACTS && (c->colcache = column_cache_new()) == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    return SEGRT_OK;
}

/* Apply the rows of src in committed batches; the derived data is left to the caller. */
static int feed(import_ctx *c, source *src)
{
    int rc = SEGRT_OK;
    const char *start = src->base ? src->base : "";
    size_t len = src->size;
    if (len >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0) { /* a UTF-8 byte order mark */
        start += 3;
        len -= 3;
    }
    if (src->jsonl && c->opts->map_row)
        return store_fail(c->s, SEGRT_EINVAL, "%s: a mapping reads CSV rows, and this is a JSON "
                          "lines file", c->file);
    if (src->jsonl) {
        jsonl_reader_init(&src->js, start, len, 1);
    } else {
        src->delim = c->opts->delimiter ? c->opts->delimiter
                                        : csv_sniff_delimiter(start, len, SNIFF_LINES);
        csv_reader_init(&src->csv, start, len, 1, MAX_FIELD_BYTES);
        csv_set_delimiter(&src->csv, src->delim);
        if (c->opts->map_row) /* the mapped rows are read as JSON objects are */
            rc = read_mapped_header(c, src);
        else
            rc = read_header(c, src);
        if (rc == SEGRT_OK && c->kind != SEGRT_CONSENTS && !c->opts->map_row)
            rc = infer_types(c, src);
        if (rc == SEGRT_OK && !c->opts->map_row) { /* a mapping's rows go through Lua, here */
            src->prep = import_prep_new(c, c->nsrc); /* NULL: the rows are read, not prepared */
            source_ahead(src);
        }
    }
    if (rc == SEGRT_OK)
        rc = run_batches(c, src);
    if (src->jsonl) {
        jsonl_reader_free(&src->js);
    } else {
        csv_ahead_stop(src->ahead);
        import_prep_free(src->prep);
        csv_reader_free(&src->csv);
    }
    for (size_t i = 0; i < src->nnames; i++)
        free(src->names[i]);
    free(src->names);
    free(src->values);
    free(src->lens);
    json_decref(src->row_obj);
    return rc;
}

int import_update_derived(segrt_store *s, segrt_kind kind)
{
    int rc = SEGRT_OK;
    if (kind == SEGRT_EVENTS)
        rc = proj_update_dirty(s);
    if (kind == SEGRT_CONTACTS)
        rc = id_order_update(s);
    return rc;
}

/* Import the text of src (named name in messages): batches, then the derived data. */
static int import_source(segrt_store *s, segrt_kind kind, const char *name, source *src,
                         const segrt_import_opts *opts, const import_audit *audit,
                         segrt_import_report *out)
{
    segrt_import_report rep = { 0 };
    import_ctx c;
    char *decoded = NULL;
    source conv; /* the input converted to UTF-8, when it is in another encoding */
    char why[256];
    int rc = ctx_init(&c, s, kind, name, opts, &rep);
    c.audit = audit;
    if (rc == SEGRT_OK)
        committer_start(s, &c.cm); /* without a thread, each batch commits before the next */
    if (rc == SEGRT_OK && segrt_import_check_opts(c.opts, why, sizeof why) != SEGRT_OK)
        rc = store_fail(s, SEGRT_EINVAL, "%s", why);
    if (rc == SEGRT_OK && !import_encoding_is_utf8(c.opts->encoding) && src->size > 0) {
        size_t n = 0;
        rc = import_decode(s, name, c.opts->encoding, src->base, src->size, &decoded, &n);
        conv = (source){ .jsonl = src->jsonl, .base = decoded, .size = n };
        src = &conv;
    }
    c.input_bytes = src->size;
    char *saved_tz = NULL; /* --tz: the zone held over the whole import */
    int hold_tz = rc == SEGRT_OK && c.opts->tz != NULL;
    if (hold_tz && value_local_zone_hold(c.opts->tz, &saved_tz) != 0) {
        hold_tz = 0;
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    }
    if (rc == SEGRT_OK && c.input_bytes >= RESERVE_FROM_BYTES)
        rc = store_reserve(s, 2 * c.input_bytes);
    if (rc == SEGRT_OK)
        rc = feed(&c, src);
    if (hold_tz)
        value_local_zone_release(saved_tz);
    if (rc == SEGRT_OK)
        keep_ids(&c);
    ctx_free(&c);
    free(decoded);
    /* The derived data left to do once, after the last batch. */
    if (rc == SEGRT_OK)
        rc = import_update_derived(s, kind);
    if (rc == SEGRT_OK)
        rc = store_sync(s);
    if (out)
        *out = rep;
    return rc;
}

int import_stream_open(segrt_store *s, segrt_kind kind, const char *name, import_ctx **out)
{
    import_ctx *c = malloc(sizeof *c);
    *out = NULL;
    if (c == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    int rc = ctx_init(c, s, kind, name, NULL, NULL);
    if (rc != SEGRT_OK) {
        import_stream_close(c);
        return rc;
    }
    *out = c;
    return SEGRT_OK;
}

int import_stream_feed(import_ctx *c, const char *data, size_t len,
                       const segrt_import_opts *opts, segrt_import_report *out,
                       import_touched_fn touched, void *ud)
{
    segrt_import_report rep = { 0 };
    source src = { .jsonl = 1, .base = data, .size = len };
    c->opts = opts ? opts : &no_opts;
    c->rep = &rep;
    c->touched = touched;
    c->touched_ud = ud;
    int rc = c->s->readonly ? store_fail(c->s, SEGRT_EINVAL, "the store is open read-only")
                            : feed(c, &src);
    c->opts = &no_opts;
    c->rep = NULL;
    c->touched = NULL;
    if (out)
        *out = rep;
    return rc;
}

void import_stream_close(import_ctx *c)
{
    if (c == NULL)
        return;
    ctx_free(c);
    free(c);
}

static int check_call(segrt_store *s, segrt_kind kind, const void *what, segrt_import_report *out)
{
    if (out)
        *out = (segrt_import_report){ 0 };
    if (s == NULL || what == NULL || kind < SEGRT_CONTACTS || kind > SEGRT_CONSENTS)
        return SEGRT_EINVAL;
    if (s->readonly)
        return store_fail(s, SEGRT_EINVAL, "the store is open read-only");
    return SEGRT_OK;
}

int segrt_import_file(segrt_store *s, segrt_kind kind, const char *path,
                      const segrt_import_opts *opts, segrt_import_report *out)
{
    int rc = check_call(s, kind, path, out);
    if (rc != SEGRT_OK)
        return rc;
    source src = { .jsonl = has_suffix(path, ".jsonl"), .mapped = 1 };
    rc = map_file(s, path, &src.base, &src.size);
    if (rc != SEGRT_OK)
        return rc;
    rc = import_source(s, kind, path, &src, opts, NULL, out);
    if (src.base)
        munmap((void *)src.base, src.size);
    return rc;
}

int segrt_import_buffer(segrt_store *s, segrt_kind kind, const char *name, const char *data,
                        size_t len, int jsonl, const segrt_import_opts *opts,
                        segrt_import_report *out)
{
    int rc = check_call(s, kind, data, out);
    if (rc != SEGRT_OK)
        return rc;
    source src = { .jsonl = jsonl, .base = data, .size = len };
    return import_source(s, kind, name ? name : "buffer", &src, opts, NULL, out);
}

int import_buffer_audited(segrt_store *s, const char *name, const char *data, size_t len,
                          const segrt_import_opts *opts, const import_audit *audit,
                          segrt_import_report *out)
{
    source src = { .jsonl = 1, .base = data, .size = len };
    return import_source(s, SEGRT_CONTACTS, name, &src, opts, audit, out);
}

/* ------------------------------------------------------------ helpers for events and consents */

int import_contact_of_row(import_ctx *c, uint32_t *ord)
{
    const cell *cl = c->id_col >= 0 ? &c->cells[c->id_col] : NULL;
    if (cl == NULL || cl->state != CELL_TEXT || cl->n == 0)
        return import_reject(c, "contact_id is missing");
    int found = import_find_contact(c, cl, ord);
    if (found < 0)
        return found;
    if (!found)
        return import_reject(c, "contact_id '%s' is not a known contact (unknown contact)",
                             import_quote(c, cl->p, cl->n));
    return SEGRT_OK;
}

int import_time_cell(import_ctx *c, long i, int required, int64_t *v)
{
    *v = VALUE_MISSING;
    if (i < 0 || c->cells[i].state == CELL_ABSENT || c->cells[i].state == CELL_EMPTY)
        return required ? import_reject(c, "ts is missing") : SEGRT_OK;
    const cell *cl = &c->cells[i];
    if (cl->state == CELL_TEXT && import_cell_read(cl, SEGRT_T_TIMESTAMP, v))
        return SEGRT_OK;
    if (cl->state != CELL_TEXT || value_parse_timestamp(cl->p, cl->n, v) != 0)
        return import_reject(c, "%s '%s' is not a timestamp (YYYY-MM-DDTHH:MM:SSZ)",
                             c->cols[i].name,
                             cl->state == CELL_TEXT ? import_quote(c, cl->p, cl->n) : "[list]");
    return SEGRT_OK;
}

int import_code_cell(import_ctx *c, long i, dict_map **d, uint16_t field, int required,
                     uint32_t *code)
{
    *code = 0;
    if (i < 0 || c->cells[i].state == CELL_ABSENT || c->cells[i].state == CELL_EMPTY)
        return required ? import_reject(c, "%s is missing", i < 0 ? "a value" : c->cols[i].name)
                        : SEGRT_OK;
    const cell *cl = &c->cells[i];
    if (cl->state != CELL_TEXT)
        return import_reject(c, "%s is a list, not a value", c->cols[i].name);
    import_memo *memo = &c->cols[i].memo;
    if ((*code = import_memo_find(memo, cl->p, cl->n)) != 0)
        return SEGRT_OK;
    uint64_t h = import_cell_hash(cl);
    int rc = SEGRT_OK;
    if (*d == NULL || !strmap_get_hashed((*d)->map, h, cl->p, cl->n, code)) {
        rc = import_txn(c); /* a new value, or the dictionary still to load: the store's */
        if (rc == SEGRT_OK && *d == NULL)
            rc = dict_map_load(c->s, c->txn, field, d);
        if (rc == SEGRT_OK)
            rc = dict_intern_hashed(c->s, c->txn, *d, h, cl->p, cl->n, code);
    }
    if (rc == SEGRT_OK)
        import_memo_put(memo, cl->p, cl->n, *code);
    return rc;
}

int import_name_cell(import_ctx *c, long i, const char *name, const char *what)
{
    if (i < 0 || c->cells[i].state != CELL_TEXT)
        return import_reject(c, "%s is missing", name);
    const cell *cl = &c->cells[i];
    /* a name interned since was checked then (import_code_cell follows this on the column) */
    if (!import_memo_find(&c->cols[i].memo, cl->p, cl->n) && !schema_valid_name(cl->p, cl->n))
        return import_reject(c, "%s '%s' is not a valid %s (letters, digits and _)", name,
                             import_quote(c, cl->p, cl->n), what);
    return SEGRT_OK;
}

static int by_ord(const void *a, const void *b)
{
    const pend_rec *x = a, *y = b;
    if (x->ord != y->ord)
        return x->ord < y->ord ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

int import_merge_pending(import_ctx *c, import_merge_fn fn, void *ud)
{
    for (size_t i = 1; i < c->npend; i++) {
        if (by_ord(&c->pend[i - 1], &c->pend[i]) > 0) {
            qsort(c->pend, c->npend, sizeof *c->pend, by_ord);
            break;
        }
    }
    int rc = SEGRT_OK;
    for (size_t i = 0; i < c->npend && rc == SEGRT_OK;) {
        size_t j = i + 1;
        while (j < c->npend && c->pend[j].ord == c->pend[i].ord)
            j++;
        rc = fn(c, i, j, ud);
        i = j;
    }
    return rc;
}
