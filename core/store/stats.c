/*
 * stats.c — what a store holds: counts, the data file's used and free
 * bytes, the erasures awaiting a compact and when the last one ran
 * (segrt_store_stats), events per type (segrt_event_types_foreach), fields
 * with how many contacts have a value (segrt_fields_foreach).
 *
 * Uses: store.h, schema.h, column.h, compact.h (its meta counters), dict.h,
 * proj_index.h (chunks whose projections wait for a rebuild), value.h,
 * array.h; LMDB's free page table.
 */
#include "store/column.h"
#include "store/column_scalar.h"
#include "store/compact.h"
#include "store/dict.h"
#include "store/proj_index.h"
#include "store/schema.h"
#include "util/array.h"
#include "util/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * Pages on LMDB's free list as of txn, and the pages of the list itself:
 * the records of table 0 (mdb_stat -f reads them so) each hold a page list
 * whose first word is its length. LMDB's compacting copy leaves out exactly
 * these pages.
 */
static int free_pages(segrt_store *s, MDB_txn *txn, uint64_t *n)
{
    MDB_stat st;
    MDB_cursor *cur;
    int mrc = mdb_stat(txn, 0, &st);
    if (mrc == 0)
        mrc = mdb_cursor_open(txn, 0, &cur);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "reading the free page list");
    *n = st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages;
    MDB_val k, v;
    int rc = SEGRT_OK;
    mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (mrc == 0) {
        size_t count;
        if (v.mv_size < sizeof count) {
            rc = store_fail(s, SEGRT_ECORRUPT, "the free page list has a bad record");
            break;
        }
        memcpy(&count, v.mv_data, sizeof count);
        *n += count;
        mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc == SEGRT_OK && mrc != MDB_NOTFOUND)
        rc = store_mdb_fail(s, mrc, "reading the free page list");
    return rc;
}

/*
 * The pages below the last one LMDB allocated are in use or free. The last
 * page is the committed one's, which can be newer than txn's snapshot when
 * another process writes meanwhile: then used_bytes is a few pages high.
 */
static int space_in(segrt_store *s, MDB_txn *txn, segrt_stats *out)
{
    MDB_envinfo info;
    MDB_stat est;
    uint64_t nfree = 0;
    int mrc = mdb_env_info(s->env, &info);
    if (mrc == 0)
        mrc = mdb_env_stat(s->env, &est);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "reading the data file's pages");
    int rc = free_pages(s, txn, &nfree);
    uint64_t pages = (uint64_t)info.me_last_pgno + 1;
    if (rc == SEGRT_OK) {
        out->free_bytes = nfree * est.ms_psize;
        out->used_bytes = (pages > nfree ? pages - nfree : 0) * est.ms_psize;
    }
    return rc;
}

static int stats_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    segrt_stats *out = ud;
    int rc = space_in(s, txn, out);
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, "contacts", &out->contacts);
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, "events", &out->events);
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, "consents", &out->consents);
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, "audit_seq", &out->audit);
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, COMPACT_ERASED_AWAITING, &out->erased_awaiting_compaction);
    uint64_t last = 0;
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, COMPACT_LAST, &last);
    out->last_compaction = (int64_t)last;
    proj_index x;
    if (rc == SEGRT_OK && (rc = proj_index_load(s, txn, 0, &x)) == SEGRT_OK) {
        out->projection_chunks_pending = x.ndirty;
        proj_index_free(&x);
    }
    return rc;
}

int segrt_store_stats(segrt_store *s, segrt_stats *out)
{
    memset(out, 0, sizeof *out);
    int rc = store_read(s, stats_in, out);
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/data.mdb", s->dir);
    if (rc == SEGRT_OK && stat(path, &st) == 0)
        out->store_bytes = (uint64_t)st.st_size;
    return rc;
}

typedef struct type_count {
    char *name;
    uint64_t n;
} type_count;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const type_count *)a)->name, ((const type_count *)b)->name);
}

/* The per-type counters of meta ("evtype:<code>") with their names. */
typedef struct type_counts {
    type_count *tc;
    size_t n, cap;
} type_counts;

static int read_type_count(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                           const MDB_val *v)
{
    type_counts *t = ud;
    char num[16] = { 0 };
    uint64_t count;
    MDB_val name;
    if (k->mv_size == 7 || v->mv_size != sizeof count) /* "evtype:" alone, a bad counter */
        return SEGRT_OK;
    memcpy(num, (const char *)k->mv_data + 7, k->mv_size - 7 < 15 ? k->mv_size - 7 : 15);
    memcpy(&count, v->mv_data, sizeof count);
    if (count == 0 ||
        dict_string(s, txn, FIELD_EV_TYPE, (uint32_t)strtoul(num, NULL, 10), &name) != 0)
        return SEGRT_OK;
    char *copy = ARRAY_RESERVE(t->tc, t->cap, t->n + 1) == 0
                     ? strndup(name.mv_data, name.mv_size) : NULL;
    if (copy == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    t->tc[t->n++] = (type_count){ copy, count };
    return SEGRT_OK;
}

int segrt_event_types_foreach(segrt_store *s,
                              int (*fn)(void *ud, const char *type, uint64_t n), void *ud)
{
    type_counts t = { NULL, 0, 0 };
    int rc = store_scan(s, NULL, DB_META, "evtype:", 7, "reading event counts", read_type_count,
                        &t);
    if (t.n)
        qsort(t.tc, t.n, sizeof *t.tc, by_name);
    for (size_t i = 0; i < t.n; i++) {
        if (rc == SEGRT_OK)
            rc = fn(ud, t.tc[i].name, t.tc[i].n);
        free(t.tc[i].name);
    }
    free(t.tc);
    return rc;
}

static uint64_t popcount_bytes(const unsigned char *p, size_t n)
{
    uint64_t c = 0;
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        c += (uint64_t)__builtin_popcountll(w);
    }
    return c;
}

/* The union of the value bitsets of one chunk of a set field. */
typedef struct set_union {
    unsigned char any[COL_BITSET_BYTES];
    int found;
} set_union;

static int union_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    set_union *u = ud;
    const unsigned char *p = v->mv_data;
    (void)s;
    (void)txn;
    if (k->mv_size != 10) /* not a (field, chunk, code) key: none is written */
        return SEGRT_OK;
    for (size_t i = 0; i < COL_BITSET_BYTES && v->mv_size == COL_BITSET_BYTES; i++)
        u->any[i] |= p[i];
    u->found = 1;
    return SEGRT_OK;
}

/* Contacts with a value in a set field: the union of its value bitsets. */
static int count_set(segrt_store *s, MDB_txn *txn, const field_def *f, uint32_t chunk,
                     uint64_t *n)
{
    set_union u = { { 0 }, 0 };
    unsigned char prefix[6] = { (unsigned char)(f->id >> 8), (unsigned char)f->id,
                                (unsigned char)(chunk >> 24), (unsigned char)(chunk >> 16),
                                (unsigned char)(chunk >> 8), (unsigned char)chunk };
    int rc = store_scan(s, txn, DB_COLUMNS, prefix, sizeof prefix, "reading a column", union_one,
                        &u);
    if (rc == SEGRT_OK && u.found)
        *n += popcount_bytes(u.any, sizeof u.any);
    return rc;
}

static int bad_chunk(segrt_store *s, const field_def *f, uint32_t chunk, const MDB_val *v)
{
    return store_fail(s, SEGRT_ECORRUPT, "column of '%s': chunk %u has %zu bytes", f->name, chunk,
                      v->mv_size);
}

/* Contacts with a value in field f. */
static int count_present(segrt_store *s, MDB_txn *txn, const field_def *f, uint64_t nchunks,
                         uint64_t *n)
{
    *n = 0;
    for (uint32_t chunk = 0; chunk < nchunks; chunk++) {
        if (f->type == SEGRT_T_SET) {
            int rc = count_set(s, txn, f, chunk, n);
            if (rc != SEGRT_OK)
                return rc;
            continue;
        }
        MDB_val v;
        int rc = column_chunk_get(s, txn, f->id, chunk, 0, &v);
        if (rc == SEGRT_ENOTFOUND)
            continue;
        if (rc != SEGRT_OK)
            return rc;
        column_scalar c;
        if (column_scalar_of(&v, f->type, &c) != 0)
            return bad_chunk(s, f, chunk, &v);
        for (uint32_t i = 0; i < COL_CHUNK_ROWS; i++)
            *n += column_scalar_at(&c, i) != VALUE_MISSING;
    }
    return SEGRT_OK;
}

struct fields_args {
    int (*fn)(void *ud, const char *name, segrt_type type, uint64_t present);
    void *ud;
};

static int fields_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    const struct fields_args *a = ud;
    uint64_t next_ord;
    int rc = schema_load_txn(s, txn);
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, "next_ord", &next_ord);
    uint64_t nchunks = rc == SEGRT_OK ? (next_ord + COL_CHUNK_ROWS - 1) / COL_CHUNK_ROWS : 0;
    for (size_t i = 0; rc == SEGRT_OK && i < s->schema->n; i++) {
        const field_def *f = &s->schema->fields[i];
        uint64_t present;
        rc = count_present(s, txn, f, nchunks, &present);
        if (rc == SEGRT_OK)
            rc = a->fn(a->ud, f->name, f->type, present);
    }
    return rc;
}

int segrt_fields_foreach(segrt_store *s,
                         int (*fn)(void *ud, const char *name, segrt_type type, uint64_t present),
                         void *ud)
{
    struct fields_args a = { fn, ud };
    return store_read(s, fields_in, &a);
}

typedef struct code_count {
    uint32_t code;
    uint64_t n;
} code_count;

static int by_count(const void *a, const void *b)
{
    const code_count *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return x->code < y->code ? -1 : x->code > y->code;
}

/* Count contacts per code of a string column into counts[0..ncodes). */
static int count_codes(segrt_store *s, MDB_txn *txn, const field_def *f, uint64_t nchunks,
                       code_count **counts, size_t *ncodes)
{
    size_t cap = 0;
    code_count *cc = NULL;
    for (uint32_t chunk = 0; chunk < nchunks; chunk++) {
        MDB_val v;
        int rc = column_chunk_get(s, txn, f->id, chunk, 0, &v);
        if (rc == SEGRT_ENOTFOUND)
            continue;
        if (rc != SEGRT_OK) {
            free(cc);
            return rc;
        }
        column_codes codes;
        if (column_codes_of(&v, &codes) != 0) {
            free(cc);
            return bad_chunk(s, f, chunk, &v);
        }
        for (uint32_t i = 0; i < COL_CHUNK_ROWS; i++) {
            uint32_t code = column_code_at(&codes, i);
            if (code == 0)
                continue;
            if (ARRAY_RESERVE_ZERO(cc, cap, (size_t)code + 1) != 0) {
                free(cc);
                return store_fail(s, SEGRT_ENOMEM, "out of memory");
            }
            cc[code].n++;
        }
    }
    for (size_t code = 0; code < cap; code++)
        cc[code].code = (uint32_t)code;
    *counts = cc;
    *ncodes = cap;
    return SEGRT_OK;
}

struct values_args {
    const field_def *f;
    int (*fn)(void *ud, const char *value, uint64_t n);
    void *ud;
};

static int values_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    const struct values_args *a = ud;
    uint64_t next;
    code_count *cc = NULL;
    size_t n = 0;
    int rc = store_counter_get(s, txn, "next_ord", &next);
    if (rc == SEGRT_OK)
        rc = count_codes(s, txn, a->f, (next + COL_CHUNK_ROWS - 1) / COL_CHUNK_ROWS, &cc, &n);
    if (rc == SEGRT_OK && n)
        qsort(cc, n, sizeof *cc, by_count);
    for (size_t i = 0; rc == SEGRT_OK && i < n && cc[i].n > 0; i++) {
        MDB_val v;
        rc = dict_string(s, txn, a->f->id, cc[i].code, &v);
        char text[512];
        if (rc == SEGRT_OK) {
            snprintf(text, sizeof text, "%.*s", (int)v.mv_size, (const char *)v.mv_data);
            rc = a->fn(a->ud, text, cc[i].n);
        }
    }
    free(cc);
    return rc;
}

int segrt_field_values_foreach(segrt_store *s, const char *name,
                               int (*fn)(void *ud, const char *value, uint64_t n), void *ud)
{
    const field_def *f = schema_find(s->schema, name, strlen(name));
    if (f == NULL)
        return store_fail(s, SEGRT_ENOTFOUND, "no field '%s'", name);
    if (f->type != SEGRT_T_STRING)
        return store_fail(s, SEGRT_EINVAL, "field '%s' is %s, not a string", name,
                          segrt_type_name(f->type));
    struct values_args a = { f, fn, ud };
    return store_read(s, values_in, &a);
}
