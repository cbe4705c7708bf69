/*
 * proj_pair.c — the parts of one (event type, chunk) read together
 * (proj_pair.h): the newest entry of each contact, spans, lookups, and
 * merges into one array.
 *
 * Uses: proj_pair.h, proj_part.h, store.h, array.h.
 */
#include "store/proj_pair.h"

#include "util/array.h"

#include <stdlib.h>
#include <string.h>

void proj_pair_init(proj_pair *p, uint32_t type, uint32_t chunk)
{
    *p = (proj_pair){ .type = type, .chunk = chunk };
}

void proj_pair_free(proj_pair *p)
{
    proj_part_free(&p->base);
    for (size_t i = 0; i < p->nrun; i++)
        proj_part_free(&p->run[i]);
    free(p->run);
    free(p->win);
    proj_pair_init(p, p->type, p->chunk);
}

int proj_pair_push(segrt_store *s, proj_pair *p, const proj_part *run)
{
    if (ARRAY_RESERVE(p->run, p->run_cap, p->nrun + 1) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory reading an event projection");
    p->run[p->nrun++] = *run;
    return SEGRT_OK;
}

int proj_pair_add(segrt_store *s, proj_pair *p, const proj_key *k, const MDB_val *v)
{
    proj_part part;
    int rc = proj_part_decode(s, k, v, &part);
    if (rc != SEGRT_OK)
        return rc;
    if (k->part == 0) {
        proj_part_free(&p->base);
        p->base = part;
        return SEGRT_OK;
    }
    rc = proj_pair_push(s, p, &part);
    if (rc != SEGRT_OK)
        proj_part_free(&part);
    return rc;
}

uint32_t proj_pair_next_id(const proj_pair *p)
{
    return p->nrun ? p->run[p->nrun - 1].id + 1 : 1;
}

/* ------------------------------------------------------------ winners */

/* By ord, then the newest run first. */
static int by_ord_newest(const void *a, const void *b)
{
    const proj_win *x = a, *y = b;
    if (x->ord != y->ord)
        return x->ord < y->ord ? -1 : 1;
    return (x->run < y->run) - (x->run > y->run);
}

/*
 * The base events [lo, hi) an entry hides lie in the base. Whether they are
 * exactly its contact's is left to segrt check (proj_verify.c): a reader
 * does not read the base pages a check would need.
 */
static int check_hidden(segrt_store *s, const proj_pair *p, const proj_entry *e)
{
    if (e->base_hi <= p->base.ev.n)
        return SEGRT_OK;
    return store_fail(s, SEGRT_ECORRUPT,
                      "the projection of event type %u is corrupt (chunk %u: a run hides events "
                      "of contact %u the base does not hold)", p->type, p->chunk, e->ord);
}

int proj_pair_resolve(segrt_store *s, proj_pair *p)
{
    size_t total = 0;
    p->nwin = 0;
    p->delta = 0;
    for (size_t r = 0; r < p->nrun; r++)
        total += p->run[r].nent;
    if (ARRAY_RESERVE(p->win, p->win_cap, total) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory reading an event projection");
    for (size_t r = 0; r < p->nrun; r++) {
        for (size_t e = 0; e < p->run[r].nent; e++)
            p->win[p->nwin++] = (proj_win){ p->run[r].ent[e].ord, (uint32_t)r, &p->run[r].ent[e] };
    }
    if (p->nrun > 1)
        qsort(p->win, p->nwin, sizeof *p->win, by_ord_newest);
    size_t kept = 0;
    for (size_t i = 0; i < p->nwin; i++) {
        if (kept > 0 && p->win[kept - 1].ord == p->win[i].ord)
            continue; /* an older run's entry: hidden */
        const proj_entry *e = p->win[i].ent;
        int rc = check_hidden(s, p, e);
        if (rc != SEGRT_OK)
            return rc;
        p->delta += (size_t)(e->hi - e->lo) + (e->base_hi - e->base_lo);
        p->win[kept++] = p->win[i];
    }
    p->nwin = kept;
    return SEGRT_OK;
}

typedef struct pair_load {
    proj_pair *p;
} pair_load;

static int load_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    pair_load *l = ud;
    proj_key key;
    (void)txn;
    if (proj_key_decode(k, &key) != 0)
        return store_fail(s, SEGRT_ECORRUPT, "the projections table has a bad key");
    return proj_pair_add(s, l->p, &key, v);
}

int proj_pair_load(segrt_store *s, MDB_txn *txn, uint32_t type, uint32_t chunk, proj_pair *p)
{
    proj_pair_init(p, type, chunk);
    unsigned char prefix[PROJ_KEY_BYTES];
    proj_key k = { type, chunk, 0 };
    proj_key_val(&k, prefix);
    pair_load l = { p };
    int rc = store_scan(s, txn, DB_PROJ, prefix, 8, "reading an event projection", load_one, &l);
    if (rc == SEGRT_OK)
        rc = proj_pair_resolve(s, p);
    return rc;
}

/* ------------------------------------------------------------ lookups */

const proj_win *proj_pair_find(const proj_pair *p, uint32_t ord)
{
    size_t lo = 0, hi = p->nwin;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->win[mid].ord < ord)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->nwin && p->win[lo].ord == ord ? &p->win[lo] : NULL;
}

/* Whether a[i] comes before the bound: below x, or with above, at most x. */
static inline int before(const uint32_t *a, size_t i, uint32_t x, int above)
{
    return a[i] < x || (above && a[i] == x);
}

/*
 * The first index of sorted a[0, n) not before x (before()). Ordinals
 * spread about evenly over a chunk, so the search starts where x would be
 * by interpolation and gallops from there to a bracket, usually a few
 * events wide: a few pages of the array are read where a binary search
 * reads one per halving.
 */
static size_t bound(const uint32_t *a, size_t n, uint32_t x, int above)
{
    if (n == 0 || !before(a, 0, x, above))
        return 0;
    if (before(a, n - 1, x, above))
        return n;
    /* a[0] is before, a[n - 1] is not: x is in [a[0], a[n - 1]], and a[n - 1] > a[0] */
    size_t g = (size_t)((uint64_t)(x - a[0]) * (n - 1) / ((uint64_t)a[n - 1] - a[0]));
    size_t lo, hi, step = 1;
    if (before(a, g, x, above)) {
        lo = g;
        hi = g + 1;
        while (before(a, hi, x, above)) {
            lo = hi;
            step *= 2;
            hi = step < n - 1 - lo ? lo + step : n - 1;
        }
    } else {
        hi = g;
        lo = g - 1;
        while (!before(a, lo, x, above)) {
            hi = lo;
            step *= 2;
            lo = hi > step ? hi - step : 0;
        }
    }
    while (hi - lo > 1) { /* before(lo), not before(hi) */
        size_t mid = lo + (hi - lo) / 2;
        if (before(a, mid, x, above))
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

void proj_pair_base_range(const proj_pair *p, uint32_t ord, uint32_t *lo, uint32_t *hi)
{
    const projection *b = &p->base.ev;
    size_t l = bound(b->ord, b->n, ord, 0);
    *lo = (uint32_t)l;
    *hi = (uint32_t)(l + bound(b->ord + l, b->n - l, ord, 1));
}

/* ------------------------------------------------------------ spans */

/* Append [lo, hi) unless empty, joined to the last span when it is this part's and ends at lo. */
static int add_span(projection_span **span, size_t *n, size_t *cap, size_t first, uint32_t lo,
                    uint32_t hi)
{
    if (lo == hi)
        return 0;
    if (*n > first && (*span)[*n - 1].hi == lo) {
        (*span)[*n - 1].hi = hi;
        return 0;
    }
    if (ARRAY_RESERVE(*span, *cap, *n + 1) != 0)
        return -1;
    (*span)[(*n)++] = (projection_span){ lo, hi };
    return 0;
}

int proj_pair_spans(const proj_pair *p, size_t which, projection_span **span, size_t *n,
                    size_t *cap)
{
    size_t first = *n;
    if (which == 0) { /* the base, less what the winners hide */
        uint32_t at = 0;
        for (size_t i = 0; i < p->nwin; i++) {
            const proj_entry *e = p->win[i].ent;
            if (e->base_lo == e->base_hi)
                continue;
            if (add_span(span, n, cap, first, at, e->base_lo) != 0)
                return -1;
            at = e->base_hi;
        }
        return add_span(span, n, cap, first, at, (uint32_t)p->base.ev.n);
    }
    for (size_t i = 0; i < p->nwin; i++) {
        const proj_entry *e = p->win[i].ent;
        if (p->win[i].run == which - 1 && add_span(span, n, cap, first, e->lo, e->hi) != 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ merging */

int proj_pair_materialize(const proj_pair *p, proj_cols *out)
{
    const projection *b = &p->base.ev;
    size_t at = 0;
    if (proj_cols_reserve(out, out->n + b->n + p->delta) != 0)
        return -1;
    for (size_t i = 0; i < p->nwin; i++) {
        const proj_entry *e = p->win[i].ent;
        size_t pos = e->base_lo != e->base_hi ? e->base_lo
                                              : at + bound(b->ord + at, b->n - at, e->ord, 0);
        if (proj_cols_append(out, b, at, pos) != 0 ||
            proj_cols_append(out, &p->run[p->win[i].run].ev, e->lo, e->hi) != 0)
            return -1;
        at = pos + (e->base_hi - e->base_lo);
    }
    return proj_cols_append(out, b, at, b->n);
}

int proj_pair_merge_runs(const proj_pair *p, proj_cols *out, proj_entry **ent, size_t *nent)
{
    size_t cap = 0;
    *ent = NULL;
    *nent = 0;
    for (size_t i = 0; i < p->nwin; i++) {
        const proj_entry *e = p->win[i].ent;
        if (e->lo == e->hi && e->base_lo == e->base_hi)
            continue; /* hides nothing once no older run is left */
        if (ARRAY_RESERVE(*ent, cap, *nent + 1) != 0)
            return -1;
        uint32_t lo = (uint32_t)out->n;
        if (proj_cols_append(out, &p->run[p->win[i].run].ev, e->lo, e->hi) != 0)
            return -1;
        (*ent)[(*nent)++] = (proj_entry){ e->ord, lo, (uint32_t)out->n, e->base_lo, e->base_hi };
    }
    return 0;
}
