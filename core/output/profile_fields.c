/*
 * profile_fields.c — profile_fields_build (profile.h): per field of a
 * profile, the live contacts and the members per value, read from the
 * field's column chunks in place: strings by dictionary code, booleans by
 * value, sets per element bitset, and integers, numbers, dates and
 * timestamps in bins cut at the base's quintiles (two passes: the values
 * collected and the cuts selected, then counted per bin).
 *
 * Uses: column.h, dict.h, schema.h, plan.h (plan_ctx), array.h.
 */
#include "output/profile.h"

#include "store/column.h"
#include "store/column_scalar.h"
#include "store/dict.h"
#include "store/schema.h"
#include "util/array.h"
#include "util/value.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define QUANTILES 5

/* A field's counts by slot: a code, a boolean value or a bin; slot 0 is "(missing)". */
typedef struct tally {
    plan_ctx *cx;
    const bitset *members;
    profile_field *f;
    struct { uint64_t seg, base; } *n; /* by slot */
    size_t cap;
    int64_t *values;       /* binned fields, first pass: the base's values */
    size_t nvalues, values_cap;
    int64_t min, max;        /* of the values */
    int64_t cuts[QUANTILES]; /* bin k >= 1 holds [cuts[k - 1], cuts[k]) */
    size_t ncuts;
} tally;

/* Count contact ord in slot k. */
static int count(tally *t, uint32_t ord, size_t k)
{
    if (ARRAY_RESERVE_ZERO(t->n, t->cap, k + 1) != 0)
        return -1;
    t->n[k].base++;
    t->n[k].seg += (uint64_t)bitset_test(t->members, ord);
    return 0;
}

/* The slot of a value of a field (not a set): its code, 1 + a boolean, 1 + its bin. */
static size_t slot(const tally *t, int64_t v)
{
    if (v == VALUE_MISSING)
        return 0;
    if (t->f->type == SEGRT_T_STRING)
        return (size_t)v;
    if (t->f->type == SEGRT_T_BOOLEAN)
        return v ? 2 : 1;
    size_t k = 0;
    while (k < t->ncuts && t->cuts[k] <= v)
        k++;
    return k + 1;
}

/* What a pass does with one live contact's value. */
typedef int (*value_fn)(tally *t, uint32_t ord, int64_t v);

static int count_value(tally *t, uint32_t ord, int64_t v)
{
    return count(t, ord, slot(t, v));
}

static int collect_value(tally *t, uint32_t ord, int64_t v)
{
    (void)ord;
    if (v == VALUE_MISSING)
        return 0;
    if (ARRAY_RESERVE(t->values, t->values_cap, t->nvalues + 1) != 0)
        return -1;
    t->values[t->nvalues++] = v;
    return 0;
}

/* Call fn for each live contact with its value (a string's code, VALUE_MISSING when none). */
static int each_value(tally *t, uint16_t field, value_fn fn)
{
    plan_ctx *cx = t->cx;
    uint32_t nchunks = (cx->ncontacts + COL_CHUNK_ROWS - 1) / COL_CHUNK_ROWS;
    for (uint32_t ch = 0; ch < nchunks; ch++) {
        uint32_t base = ch * COL_CHUNK_ROWS;
        uint32_t rows = cx->ncontacts - base < COL_CHUNK_ROWS ? cx->ncontacts - base
                                                              : COL_CHUNK_ROWS;
        MDB_val v;
        column_scalar c;
        int rc = column_chunk_get(cx->s, cx->txn, field, ch, 0, &v);
        if (rc != SEGRT_OK && rc != SEGRT_ENOTFOUND)
            return rc;
        int have = rc == SEGRT_OK;
        if (have && column_scalar_of(&v, t->f->type, &c) != 0)
            return store_fail(cx->s, SEGRT_ECORRUPT, "column of '%s' has a chunk of %zu bytes",
                              t->f->name, v.mv_size);
        for (uint32_t i = 0; i < rows; i++) {
            if (!bitset_test(cx->live, base + i))
                continue;
            if (fn(t, base + i, have ? column_scalar_at(&c, i) : VALUE_MISSING) != 0)
                return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
        }
    }
    return SEGRT_OK;
}

/*
 * Move the k-th smallest of v[l..m] to index k, none larger before it and
 * none smaller after (Wirth's selection: linear on average, no full sort of
 * a million values).
 */
static void select_kth(int64_t *v, ptrdiff_t l, ptrdiff_t m, ptrdiff_t k)
{
    while (l < m) {
        int64_t x = v[k];
        ptrdiff_t i = l, j = m;
        do {
            while (v[i] < x)
                i++;
            while (x < v[j])
                j--;
            if (i <= j) {
                int64_t tmp = v[i];
                v[i++] = v[j];
                v[j--] = tmp;
            }
        } while (i <= j);
        if (j < k)
            l = i;
        if (k < i)
            m = j;
    }
}

/*
 * The cuts at the base's quintiles: value floor(k n / 5) of the sorted
 * values, k = 1..4, each selected among those after the previous one; the
 * least and the greatest value.
 */
static void quintile_cuts(tally *t)
{
    ptrdiff_t n = (ptrdiff_t)t->nvalues, from = 0;
    t->ncuts = 0;
    t->min = t->max = n ? t->values[0] : 0;
    for (ptrdiff_t i = 1; i < n; i++) {
        t->min = t->values[i] < t->min ? t->values[i] : t->min;
        t->max = t->values[i] > t->max ? t->values[i] : t->max;
    }
    for (ptrdiff_t k = 1; n && k < QUANTILES; k++) {
        ptrdiff_t at = k * n / QUANTILES;
        select_kth(t->values, from, n - 1, at);
        from = at;
        int64_t c = t->values[at], last = t->ncuts ? t->cuts[t->ncuts - 1] : t->min;
        if (c > last)
            t->cuts[t->ncuts++] = c;
    }
}

/* Rows "[lo, hi)" per bin of a binned field, the last one closed. */
static int bin_rows(tally *t, profile_field *f)
{
    for (size_t k = 0; t->nvalues && k <= t->ncuts; k++) {
        char lo[SEGRT_VALUE_TEXT_MAX], hi[SEGRT_VALUE_TEXT_MAX];
        char label[2 * SEGRT_VALUE_TEXT_MAX + 8];
        segrt_value_format(f->type, k ? t->cuts[k - 1] : t->min, lo);
        segrt_value_format(f->type, k < t->ncuts ? t->cuts[k] : t->max, hi);
        snprintf(label, sizeof label, "[%s, %s%c", lo, hi, k < t->ncuts ? ')' : ']');
        int have = k + 1 < t->cap;
        if (profile_rows_add(&f->rows, label, have ? t->n[k + 1].seg : 0,
                             have ? t->n[k + 1].base : 0) != 0)
            return -1;
    }
    return 0;
}

/* A slot's counts, for choosing which values to name. */
typedef struct slot_key {
    uint64_t seg, base;
} slot_key;

static int key_desc(const void *a, const void *b)
{
    const slot_key *x = a, *y = b;
    if (x->seg != y->seg)
        return x->seg < y->seg ? 1 : -1;
    return (x->base < y->base) - (x->base > y->base);
}

/*
 * The counts of the max-th value that may be named (base >= min_base), in
 * the order of profile_rows_top; { 0, 0 } when there are no more than max.
 * Values ranked below it are never named, so only the others need their
 * text: an e-mail field has a million values and names none.
 */
static int name_threshold(const tally *t, const segrt_profile_opts *o, slot_key *out)
{
    slot_key *keys = NULL;
    size_t n = 0, cap = 0;
    *out = (slot_key){ 0, 0 };
    for (size_t k = 1; k < t->cap; k++) {
        if (t->n[k].base == 0 || t->n[k].base < o->min_base)
            continue;
        if (ARRAY_RESERVE(keys, cap, n + 1) != 0) {
            free(keys);
            return -1;
        }
        keys[n++] = (slot_key){ t->n[k].seg, t->n[k].base };
    }
    if (n > o->max_values) {
        qsort(keys, n, sizeof *keys, key_desc);
        *out = keys[o->max_values - 1];
    }
    free(keys);
    return 0;
}

/* The text of slot k: a dictionary string, or a boolean; NULL with *rc set on failure. */
static char *slot_text(tally *t, uint16_t field, size_t k, int *rc)
{
    MDB_val text = { 0, NULL };
    if (t->f->type == SEGRT_T_BOOLEAN)
        return strdup(k == 2 ? "true" : "false");
    *rc = dict_string(t->cx->s, t->cx->txn, field, (uint32_t)k, &text);
    if (*rc == SEGRT_ENOTFOUND)
        *rc = store_fail(t->cx->s, SEGRT_ECORRUPT, "field '%s': value %zu has no text",
                         t->f->name, k);
    return *rc == SEGRT_OK ? strndup(text.mv_data, text.mv_size) : NULL;
}

/*
 * Rows per code of a string field or per boolean value: those that may be
 * named, with their text; the others summed into fold.
 */
static int value_rows(tally *t, uint16_t field, const segrt_profile_opts *o, profile_fold *fold)
{
    slot_key least;
    if (name_threshold(t, o, &least) != 0)
        return store_fail(t->cx->s, SEGRT_ENOMEM, "out of memory");
    for (size_t k = 1; k < t->cap; k++) {
        slot_key key = { t->n[k].seg, t->n[k].base };
        if (key.base == 0)
            continue;
        if (key.base < o->min_base || key_desc(&key, &least) > 0) {
            fold->seg += key.seg;
            fold->base += key.base;
            fold->any = 1;
            continue;
        }
        int rc = SEGRT_OK;
        char *label = slot_text(t, field, k, &rc);
        if (label == NULL)
            return rc != SEGRT_OK ? rc : store_fail(t->cx->s, SEGRT_ENOMEM, "out of memory");
        rc = profile_rows_add(&t->f->rows, label, key.seg, key.base);
        free(label);
        if (rc != 0)
            return store_fail(t->cx->s, SEGRT_ENOMEM, "out of memory");
    }
    return SEGRT_OK;
}

/* ------------------------------------------------------------ sets */

typedef struct set_pass {
    tally *t;
    uint16_t field;
    profile_field *f;
    bitset bits, any;
} set_pass;

/* One element of a set field: who has it, among the base and the members. */
static int set_element(void *ud, uint32_t code, const MDB_val *v)
{
    set_pass *sp = ud;
    plan_ctx *cx = sp->t->cx;
    memset(sp->bits.w, 0, bitset_words(sp->bits.nbits) * sizeof *sp->bits.w);
    int rc = column_or_bits(cx->s, cx->txn, sp->field, code, &sp->bits);
    if (rc != SEGRT_OK)
        return rc;
    bitset_and(&sp->bits, cx->live);
    bitset_or(&sp->any, &sp->bits);
    uint64_t base = bitset_count(&sp->bits);
    char *label = strndup(v->mv_data, v->mv_size);
    int bad = label == NULL ||
              (base && profile_rows_add(&sp->f->rows, label,
                                        bitset_count_and(&sp->bits, sp->t->members), base) != 0);
    free(label);
    return bad ? store_fail(cx->s, SEGRT_ENOMEM, "out of memory") : SEGRT_OK;
}

/* A set field's rows per element; the contacts with none are "(missing)". */
static int set_rows(tally *t, uint16_t field, profile_field *f, uint64_t *seg_none,
                    uint64_t *base_none)
{
    plan_ctx *cx = t->cx;
    set_pass sp = { t, field, f, { 0 }, { 0 } };
    int rc = bitset_init(&sp.bits, cx->ncontacts) || bitset_init(&sp.any, cx->ncontacts)
                 ? store_fail(cx->s, SEGRT_ENOMEM, "out of memory")
                 : dict_foreach(cx->s, cx->txn, field, set_element, &sp);
    if (rc == SEGRT_OK) {
        uint64_t any = bitset_count(&sp.any);
        *base_none = bitset_count(cx->live) - any;
        *seg_none = bitset_count(t->members) - bitset_count_and(&sp.any, t->members);
    }
    bitset_free(&sp.bits);
    bitset_free(&sp.any);
    return rc;
}

/* ------------------------------------------------------------ a field */

static int field_rows(plan_ctx *cx, profile_field *f, const bitset *members,
                      const segrt_profile_opts *o)
{
    const field_def *d = schema_find(cx->s->schema, f->name, strlen(f->name));
    if (d == NULL || d->type != f->type)
        return store_fail(cx->s, SEGRT_ESCHEMA, "profile: field '%s' changed while profiling",
                          f->name);
    tally t = { .cx = cx, .members = members, .f = f };
    uint64_t seg_none = 0, base_none = 0;
    profile_fold fold = { 0, 0, 0 };
    int rc = SEGRT_OK;
    f->binned = f->type != SEGRT_T_STRING && f->type != SEGRT_T_BOOLEAN && f->type != SEGRT_T_SET;
    if (f->type == SEGRT_T_SET) {
        rc = set_rows(&t, d->id, f, &seg_none, &base_none);
    } else {
        if (f->binned && (rc = each_value(&t, d->id, collect_value)) == SEGRT_OK)
            quintile_cuts(&t);
        if (rc == SEGRT_OK)
            rc = each_value(&t, d->id, count_value);
        if (rc == SEGRT_OK && f->binned && bin_rows(&t, f) != 0)
            rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
        else if (rc == SEGRT_OK && !f->binned)
            rc = value_rows(&t, d->id, o, &fold);
        seg_none = t.cap ? t.n[0].seg : 0;
        base_none = t.cap ? t.n[0].base : 0;
    }
    if (rc == SEGRT_OK && !f->binned &&
        profile_rows_top(&f->rows, o->max_values, o->min_base, &fold) != 0)
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK && base_none && profile_rows_add(&f->rows, "(missing)", seg_none, base_none))
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    free(t.n);
    free(t.values);
    return rc;
}

int profile_fields_build(plan_ctx *cx, segrt_profile *p, const bitset *members)
{
    int rc = SEGRT_OK;
    for (size_t i = 0; rc == SEGRT_OK && i < p->nfields; i++)
        rc = field_rows(cx, &p->fields[i], members, &p->opts);
    return rc;
}
