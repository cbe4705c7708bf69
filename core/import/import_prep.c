/*
 * import_prep.c — the work on a CSV row that needs nothing of the store,
 * done ahead in the thread that reads the rows (csv_ahead's prep): typed
 * cells read as import_local_row reads canonical text, and the hashes of
 * the keys the row is looked up by in 10M-key tables (its id, a contact's
 * e-mail and normalised e-mail). The importing thread takes them over into
 * the row's cells and, a few rows ahead, starts loading the slots of the
 * in-memory indexes those rows will probe: at 10M contacts each probe is a
 * cache miss, and misses prefetched overlap where misses met in turn wait.
 *
 * What is read ahead is what the columns were when the reading started (a
 * snapshot the thread alone reads); a cell's type is checked again when it
 * is used, so a column retyped since is read again, as without a thread.
 *
 * Uses: import.h, import_local.c (the types read as they are), csv_ahead.h, strmap.h, email.h.
 */
#include "import/import_prep.h"

#include "util/email.h"
#include "util/field_rule.h"
#include "util/strmap.h"

#include <stdlib.h>
#include <string.h>

/* Rows ahead whose index slots are loaded, and (half as far) whose keys are. */
#define PREFETCH_ROWS 16
#define MAX_SLOTS 64 /* columns with work (more are read in the importing thread) */

/* What the thread does with a column. */
typedef struct prep_col {
    segrt_type type; /* read as this type (import_local_plain_type), or 0 */
    int hash;        /* hash the text: the key of a big index (the id, the e-mail) */
    int slot;        /* where its value or hash goes in a row, or -1: no work */
} prep_col;

/*
 * A row, as the thread leaves it: per column with work a slot, holding the
 * value read or the text's hash, with a bit saying it does; and a contact's
 * normalised e-mail's hash. Kept small: the importing thread reads each
 * row's bytes from the other core's cache.
 */
typedef struct prep_row {
    uint64_t done;       /* bit k: slot k holds its column's value or hash */
    uint64_t email_hash; /* when email_done */
    uint64_t email_done;
    uint64_t slot[];
} prep_row;

struct import_prep {
    size_t ncols, nslots;
    prep_col *cols;
    long id_col, email_col; /* or -1 */
    buf norm;               /* the thread's scratch */
};

import_prep *import_prep_new(const import_ctx *c, size_t ncols)
{
    import_prep *p = calloc(1, sizeof *p);
    if (p == NULL || (p->cols = calloc(ncols ? ncols : 1, sizeof *p->cols)) == NULL) {
        free(p);
        return NULL;
    }
    p->ncols = ncols;
    p->id_col = c->id_col < (long)ncols ? c->id_col : -1;
    p->email_col = c->kind == SEGRT_CONTACTS && c->email_col < (long)ncols ? c->email_col : -1;
    for (size_t i = 0; i < ncols; i++) {
        prep_col *pc = &p->cols[i];
        pc->type = import_local_plain_type(c, i);
        pc->hash = (long)i == p->id_col || (long)i == p->email_col;
        pc->slot = (pc->type || pc->hash) && p->nslots < MAX_SLOTS ? (int)p->nslots++ : -1;
    }
    return p;
}

void import_prep_free(import_prep *p)
{
    if (p == NULL)
        return;
    buf_free(&p->norm);
    free(p->cols);
    free(p);
}

/* csv_prep's fn: runs in the reading thread. */
static void prep_row_fn(void *ud, const csv_field *f, size_t nfields, void *out)
{
    import_prep *p = ud;
    prep_row *r = out;
    size_t n = nfields < p->ncols ? nfields : p->ncols;
    for (size_t i = 0; i < n; i++) {
        const prep_col *pc = &p->cols[i];
        if (pc->slot < 0 || f[i].len == 0)
            continue;
        int64_t v;
        if (pc->hash)
            r->slot[pc->slot] = strmap_hash(f[i].ptr, f[i].len);
        else if (field_rule_parse(pc->type, f[i].ptr, f[i].len, &v) == 0)
            r->slot[pc->slot] = (uint64_t)v;
        else
            continue;
        r->done |= (uint64_t)1 << pc->slot;
    }
    if (p->email_col >= 0 && (size_t)p->email_col < n &&
        email_normalize(f[p->email_col].ptr, f[p->email_col].len, &p->norm) == 0) {
        r->email_hash = strmap_hash((const char *)p->norm.p, p->norm.len);
        r->email_done = 1;
    }
}

csv_prep import_prep_csv(import_prep *p)
{
    return (csv_prep){ .size = sizeof(prep_row) + p->nslots * sizeof(uint64_t),
                       .fn = prep_row_fn, .ud = p };
}

void import_prep_take(import_ctx *c, const import_prep *p, const void *prepared)
{
    const prep_row *r = prepared;
    if (r == NULL)
        return;
    size_t n = p->ncols < c->ncols ? p->ncols : c->ncols;
    for (size_t i = 0; i < n; i++) {
        const prep_col *pc = &p->cols[i];
        cell *cl = &c->cells[i];
        if (pc->slot < 0 || !(r->done >> pc->slot & 1) || cl->state != CELL_TEXT)
            continue;
        if (pc->hash) {
            /* a hash is of the text as read: only a text no rewrite changes */
            cl->hash = r->slot[pc->slot];
            cl->hashed = c->cols[i].role == ROLE_ID || c->cols[i].type == SEGRT_T_STRING;
        } else {
            cl->v = (int64_t)r->slot[pc->slot];
            cl->vtype = pc->type;
        }
    }
    c->email_hash = r->email_hash;
    c->email_hashed = r->email_done && p->email_col >= 0 && p->email_col < (long)n &&
                      c->cells[p->email_col].hashed; /* (the same text) */
}

/* The dictionary of a column, when it is loaded. */
static const strmap *dict_of(const import_ctx *c, long i)
{
    if (i < 0 || (size_t)i >= c->ncols)
        return NULL;
    const dict_map *d = c->cols[i].role == ROLE_FIELD ? c->cols[i].dict : NULL;
    return d ? d->map : NULL;
}

/* The hash row r holds for column i (read ahead), or 0 and no hash. */
static int hash_of(const import_prep *p, const prep_row *r, long i, uint64_t *h)
{
    int slot = i >= 0 ? p->cols[i].slot : -1;
    if (r == NULL || slot < 0 || !(r->done >> slot & 1))
        return 0;
    *h = r->slot[slot];
    return 1;
}

void import_prep_prefetch(import_ctx *c, const import_prep *p, const csv_ahead *a)
{
    const prep_row *far = csv_ahead_prep_of(a, PREFETCH_ROWS);
    const prep_row *near = csv_ahead_prep_of(a, PREFETCH_ROWS / 2);
    uint64_t h;
    /* (an id once: an export's rows of one contact come together) */
    if (c->ids && hash_of(p, far, p->id_col, &h) && h != c->id_prefetched) {
        strmap_prefetch(c->ids, h);
        c->id_prefetched = h;
    }
    if (c->ids && hash_of(p, near, p->id_col, &h) && h != c->id_key_prefetched) {
        strmap_prefetch_key(c->ids, h);
        c->id_key_prefetched = h;
    }
    const strmap *dict = dict_of(c, p->email_col);
    if (dict && hash_of(p, far, p->email_col, &h))
        strmap_prefetch(dict, h);
    if (c->emails && far && far->email_done)
        strmap_prefetch(c->emails, far->email_hash);
}
