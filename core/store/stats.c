/*
 * stats.c — what a store holds: counts (segrt_store_stats), events per type
 * (segrt_event_types_foreach), fields with how many contacts have a value
 * (segrt_fields_foreach).
 *
 * Uses: store.h, schema.h, column.h, dict.h, value.h.
 */
#include "store/column.h"
#include "store/dict.h"
#include "store/schema.h"
#include "util/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int segrt_store_stats(segrt_store *s, segrt_stats *out)
{
    memset(out, 0, sizeof *out);
    MDB_txn *txn;
    int rc = store_txn_begin(s, MDB_RDONLY, &txn);
    if (rc != SEGRT_OK)
        return rc;
    rc = store_counter_get(s, txn, "contacts", &out->contacts);
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, "events", &out->events);
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, "consents", &out->consents);
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, "audit_seq", &out->audit);
    mdb_txn_abort(txn);
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

/* Read the per-type counters of meta ("evtype:<code>") with their names. */
static int read_type_counts(segrt_store *s, MDB_txn *txn, type_count **out, size_t *n)
{
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, s->dbi[DB_META], &cur);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "reading event counts");
    type_count *tc = NULL;
    size_t cnt = 0;
    int rc = SEGRT_OK;
    MDB_val k = { 7, (void *)"evtype:" }, v;
    mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (mrc == 0 && rc == SEGRT_OK && k.mv_size > 7 && memcmp(k.mv_data, "evtype:", 7) == 0) {
        char num[16] = { 0 };
        uint64_t count;
        memcpy(num, (const char *)k.mv_data + 7, k.mv_size - 7 < 15 ? k.mv_size - 7 : 15);
        memcpy(&count, v.mv_data, sizeof count);
        MDB_val name;
        if (count > 0 && v.mv_size == sizeof count &&
            dict_string(s, txn, FIELD_EV_TYPE, (uint32_t)strtoul(num, NULL, 10), &name) == 0) {
            type_count *grown = realloc(tc, (cnt + 1) * sizeof *tc);
            char *copy = grown ? strndup(name.mv_data, name.mv_size) : NULL;
            if (grown)
                tc = grown;
            if (copy == NULL)
                rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
            else
                tc[cnt++] = (type_count){ copy, count };
        }
        mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc == SEGRT_OK && mrc != 0 && mrc != MDB_NOTFOUND)
        rc = store_mdb_fail(s, mrc, "reading event counts");
    if (cnt)
        qsort(tc, cnt, sizeof *tc, by_name);
    *out = tc;
    *n = cnt;
    return rc;
}

int segrt_event_types_foreach(segrt_store *s,
                              int (*fn)(void *ud, const char *type, uint64_t n), void *ud)
{
    MDB_txn *txn;
    int rc = store_txn_begin(s, MDB_RDONLY, &txn);
    if (rc != SEGRT_OK)
        return rc;
    type_count *tc = NULL;
    size_t n = 0;
    rc = read_type_counts(s, txn, &tc, &n);
    mdb_txn_abort(txn);
    for (size_t i = 0; i < n; i++) {
        if (rc == SEGRT_OK)
            rc = fn(ud, tc[i].name, tc[i].n);
        free(tc[i].name);
    }
    free(tc);
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

/* Contacts with a value in a set field: the union of its value bitsets. */
static int count_set(segrt_store *s, MDB_txn *txn, const field_def *f, uint32_t chunk,
                     uint64_t *n)
{
    unsigned char any[COL_BITSET_BYTES] = { 0 };
    int found = 0;
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, s->dbi[DB_COLUMNS], &cur);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "reading a column");
    unsigned char kb[10] = { (unsigned char)(f->id >> 8), (unsigned char)f->id,
                             (unsigned char)(chunk >> 24), (unsigned char)(chunk >> 16),
                             (unsigned char)(chunk >> 8), (unsigned char)chunk, 0, 0, 0, 0 };
    MDB_val k = { sizeof kb, kb }, v;
    mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (mrc == 0 && k.mv_size == 10 && memcmp(k.mv_data, kb, 6) == 0) {
        const unsigned char *p = v.mv_data;
        for (size_t i = 0; i < COL_BITSET_BYTES && v.mv_size == COL_BITSET_BYTES; i++)
            any[i] |= p[i];
        found = 1;
        mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (mrc != 0 && mrc != MDB_NOTFOUND)
        return store_mdb_fail(s, mrc, "reading a column");
    *n += found ? popcount_bytes(any, sizeof any) : 0;
    return SEGRT_OK;
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
        const unsigned char *p = v.mv_data;
        size_t w = column_width(f->type);
        for (size_t i = 0; i + w <= v.mv_size; i += w) {
            if (w == sizeof(uint32_t)) {
                uint32_t c;
                memcpy(&c, p + i, sizeof c);
                *n += c != 0;
            } else {
                int64_t x;
                memcpy(&x, p + i, sizeof x);
                *n += x != VALUE_MISSING;
            }
        }
    }
    return SEGRT_OK;
}

int segrt_fields_foreach(segrt_store *s,
                         int (*fn)(void *ud, const char *name, segrt_type type, uint64_t present),
                         void *ud)
{
    MDB_txn *txn;
    int rc = store_txn_begin(s, MDB_RDONLY, &txn);
    if (rc != SEGRT_OK)
        return rc;
    uint64_t next_ord;
    rc = schema_load_txn(s, txn);
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, "next_ord", &next_ord);
    uint64_t nchunks = rc == SEGRT_OK ? (next_ord + COL_CHUNK_ROWS - 1) / COL_CHUNK_ROWS : 0;
    for (size_t i = 0; rc == SEGRT_OK && i < s->schema->n; i++) {
        const field_def *f = &s->schema->fields[i];
        uint64_t present;
        rc = count_present(s, txn, f, nchunks, &present);
        if (rc == SEGRT_OK)
            rc = fn(ud, f->name, f->type, present);
    }
    mdb_txn_abort(txn);
    return rc;
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
        const unsigned char *p = v.mv_data;
        for (size_t i = 0; i + 4 <= v.mv_size; i += 4) {
            uint32_t code;
            memcpy(&code, p + i, 4);
            if (code == 0)
                continue;
            if (code >= cap) {
                size_t ncap = code * 2 + 16;
                code_count *g = realloc(cc, ncap * sizeof *g);
                if (g == NULL) {
                    free(cc);
                    return store_fail(s, SEGRT_ENOMEM, "out of memory");
                }
                for (size_t j = cap; j < ncap; j++)
                    g[j] = (code_count){ (uint32_t)j, 0 };
                cc = g;
                cap = ncap;
            }
            cc[code].n++;
        }
    }
    *counts = cc;
    *ncodes = cap;
    return SEGRT_OK;
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
    MDB_txn *txn;
    int rc = store_txn_begin(s, MDB_RDONLY, &txn);
    if (rc != SEGRT_OK)
        return rc;
    uint64_t next;
    code_count *cc = NULL;
    size_t n = 0;
    rc = store_counter_get(s, txn, "next_ord", &next);
    if (rc == SEGRT_OK)
        rc = count_codes(s, txn, f, (next + COL_CHUNK_ROWS - 1) / COL_CHUNK_ROWS, &cc, &n);
    if (rc == SEGRT_OK && n)
        qsort(cc, n, sizeof *cc, by_count);
    for (size_t i = 0; rc == SEGRT_OK && i < n && cc[i].n > 0; i++) {
        MDB_val v;
        rc = dict_string(s, txn, f->id, cc[i].code, &v);
        char text[512];
        if (rc == SEGRT_OK) {
            snprintf(text, sizeof text, "%.*s", (int)v.mv_size, (const char *)v.mv_data);
            rc = fn(ud, text, cc[i].n);
        }
    }
    free(cc);
    mdb_txn_abort(txn);
    return rc;
}
