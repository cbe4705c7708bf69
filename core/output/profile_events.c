/*
 * profile_events.c — profile_events_build (profile.h): one pass over each
 * event type's projection (projection.h) counts the events with ts <= NOW of
 * the live contacts and of the members; the purchase pass also sums the
 * amounts per category. Then the event mix by type name and the top
 * purchase categories by count and by value.
 *
 * Uses: projection.h, dict.h, schema.h, array.h, value.h.
 */
#include "output/profile.h"

#include "store/dict.h"
#include "store/projection.h"
#include "store/schema.h"
#include "util/array.h"
#include "util/value.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Per purchase category code: counts and sums of amounts. */
typedef struct category_sum {
    uint64_t seg, base;
    int64_t seg_value, base_value;
} category_sum;

typedef struct events_pass {
    plan_ctx *cx;
    segrt_profile *p;
    const bitset *members;
    uint32_t purchase;   /* the FIELD_EV_TYPE code of "purchase", 0 when none */
    category_sum *cat;   /* by FIELD_EV_CATEGORY code */
    size_t ncat;
} events_pass;

static int too_large(plan_ctx *cx)
{
    return store_fail(cx->s, SEGRT_EINVAL, "purchase amounts add up to more than can be summed "
                      "exactly (%" PRId64 " micro-units)", INT64_MAX);
}

/* Add a purchase of a live contact (a member when member) to its category. */
static int add_purchase(events_pass *e, const projection *pr, size_t i, int member)
{
    uint32_t c = projection_category(pr, i);
    int64_t amount = projection_amount(pr, i);
    if (amount == VALUE_MISSING)
        amount = 0;
    if (ARRAY_RESERVE_ZERO(e->cat, e->ncat, (size_t)c + 1) != 0)
        return store_fail(e->cx->s, SEGRT_ENOMEM, "out of memory");
    category_sum *k = &e->cat[c];
    k->base++;
    if (__builtin_add_overflow(k->base_value, amount, &k->base_value))
        return too_large(e->cx);
    if (member) {
        k->seg++;
        if (__builtin_add_overflow(k->seg_value, amount, &k->seg_value))
            return too_large(e->cx);
    }
    return SEGRT_OK;
}

/* The events of one type up to NOW: of the base, of the members; purchases per category. */
static int count_type(events_pass *e, uint32_t type, uint64_t *seg, uint64_t *base)
{
    plan_ctx *cx = e->cx;
    projection_set ev = { 0 };
    *seg = *base = 0;
    int rc = projection_get(cx->s, cx->txn, type, &ev);
    for (size_t k = 0; rc == SEGRT_OK && k < ev.nparts; k++) {
        const projection *pr = &ev.part[k];
        for (size_t j = 0; rc == SEGRT_OK && j < pr->nspan; j++) {
            for (size_t i = pr->span[j].lo; rc == SEGRT_OK && i < pr->span[j].hi; i++) {
                uint32_t o = pr->ord[i];
                if (pr->ts[i] > cx->now || o >= cx->ncontacts || !bitset_test(cx->live, o))
                    continue;
                int member = bitset_test(e->members, o);
                (*base)++;
                *seg += (uint64_t)member;
                if (type == e->purchase)
                    rc = add_purchase(e, pr, i, member);
            }
        }
    }
    projection_release(&ev);
    return rc;
}

static int one_type(void *ud, uint32_t code, const MDB_val *v)
{
    events_pass *e = ud;
    uint64_t seg, base;
    int rc = count_type(e, code, &seg, &base);
    if (rc != SEGRT_OK || base == 0)
        return rc;
    char *label = strndup(v->mv_data, v->mv_size);
    int bad = label == NULL || profile_rows_add(&e->p->types, label, seg, base) != 0;
    free(label);
    e->p->events.seg += seg;
    e->p->events.base += base;
    return bad ? store_fail(e->cx->s, SEGRT_ENOMEM, "out of memory") : SEGRT_OK;
}

static int by_label(const void *a, const void *b)
{
    return strcmp(((const profile_row *)a)->label, ((const profile_row *)b)->label);
}

static int cmp_u64(uint64_t a, uint64_t b)
{
    return (a < b) - (a > b); /* descending */
}

static int cmp_i64(int64_t a, int64_t b)
{
    return (a < b) - (a > b);
}

static int by_count(const void *a, const void *b)
{
    const profile_row *x = a, *y = b;
    int c = cmp_u64(x->seg, y->seg);
    c = c ? c : cmp_i64(x->seg_value, y->seg_value);
    return c ? c : strcmp(x->label, y->label);
}

static int by_value(const void *a, const void *b)
{
    const profile_row *x = a, *y = b;
    int c = cmp_i64(x->seg_value, y->seg_value);
    c = c ? c : cmp_u64(x->seg, y->seg);
    return c ? c : strcmp(x->label, y->label);
}

/* A category's row: counts and values. 0, or -1 when out of memory. */
static int add_category(profile_rows *r, const char *label, const category_sum *k)
{
    if (profile_rows_add(r, label, k->seg, k->base) != 0)
        return -1;
    r->v[r->n - 1].seg_value = k->seg_value;
    r->v[r->n - 1].base_value = k->base_value;
    return 0;
}

/* The categories the members bought from, into both lists, each cut to its top. */
static int categories(events_pass *e)
{
    segrt_profile *p = e->p;
    plan_ctx *cx = e->cx;
    for (size_t c = 0; c < e->ncat; c++) {
        const category_sum *k = &e->cat[c];
        p->purchases.seg += k->seg;
        p->purchases.base += k->base;
        if (__builtin_add_overflow(p->purchases.seg_value, k->seg_value, &p->purchases.seg_value) ||
            __builtin_add_overflow(p->purchases.base_value, k->base_value,
                                   &p->purchases.base_value))
            return too_large(cx);
        if (k->seg == 0)
            continue;
        MDB_val text = { 0, NULL };
        int rc = c ? dict_string(cx->s, cx->txn, FIELD_EV_CATEGORY, (uint32_t)c, &text) : SEGRT_OK;
        if (rc == SEGRT_ENOTFOUND)
            rc = store_fail(cx->s, SEGRT_ECORRUPT, "event category %zu has no name", c);
        char *label = rc != SEGRT_OK ? NULL : c ? strndup(text.mv_data, text.mv_size)
                                                : strdup("(missing)");
        if (rc == SEGRT_OK && (label == NULL || add_category(&p->by_count, label, k) != 0 ||
                               add_category(&p->by_value, label, k) != 0))
            rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
        free(label);
        if (rc != SEGRT_OK)
            return rc;
    }
    if (p->by_count.n > 1) {
        qsort(p->by_count.v, p->by_count.n, sizeof *p->by_count.v, by_count);
        qsort(p->by_value.v, p->by_value.n, sizeof *p->by_value.v, by_value);
    }
    for (size_t i = p->opts.top_categories; i < p->by_count.n; i++) {
        free(p->by_count.v[i].label);
        free(p->by_value.v[i].label);
    }
    if (p->by_count.n > p->opts.top_categories)
        p->by_count.n = p->by_value.n = p->opts.top_categories;
    return SEGRT_OK;
}

int profile_events_build(plan_ctx *cx, segrt_profile *p, const bitset *members)
{
    events_pass e = { .cx = cx, .p = p, .members = members };
    int rc = dict_find(cx->s, cx->txn, FIELD_EV_TYPE, "purchase", 8, &e.purchase);
    if (rc == SEGRT_OK)
        rc = dict_foreach(cx->s, cx->txn, FIELD_EV_TYPE, one_type, &e);
    if (rc == SEGRT_OK && p->types.n > 1)
        qsort(p->types.v, p->types.n, sizeof *p->types.v, by_label);
    if (rc == SEGRT_OK)
        rc = categories(&e);
    free(e.cat);
    return rc;
}
