/*
 * isotonic.c — isotonic regression by pool adjacent violators, applied by
 * linear interpolation between the ends of its blocks (see isotonic.h).
 *
 * The finite rows are sorted by score (scored.h); each run of equal
 * scores enters the stack of blocks as one; a block whose rate is not above
 * the rate of the block below it merges into that block, repeatedly. O(n log n) for the
 * sort, O(n) for the pooling.
 *
 * Uses: isotonic.h, scored.h, libm; segrt.h for the error codes.
 */
#include "models/isotonic.h"

#include "models/scored.h"
#include "segrt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A block of rows: its count, positives, lowest and highest score. */
typedef struct block {
    double n, pos, lo, hi;
} block;

void isotonic_free(isotonic *m)
{
    if (m == NULL)
        return;
    free(m->x); /* y shares the allocation */
    memset(m, 0, sizeof *m);
}

int isotonic_fit(const double *score, const uint8_t *y, size_t n, isotonic *out)
{
    if (out == NULL)
        return SEGRT_EINVAL;
    memset(out, 0, sizeof *out);
    scored_row *r;
    size_t m, top = 0; /* top: blocks on the stack */
    block *st = NULL;
    int rc = scored_sort(score, y, n, &r, &m);
    if (rc == SEGRT_OK && m == 0)
        rc = SEGRT_EINVAL;
    if (rc == SEGRT_OK && (st = malloc(m * sizeof *st)) == NULL)
        rc = SEGRT_ENOMEM;
    if (rc != SEGRT_OK)
        goto done;
    for (size_t lo = 0; lo < m;) {
        block b = { 0, 0, r[lo].s, r[lo].s };
        size_t hi = lo;
        for (; hi < m && r[hi].s == r[lo].s; hi++) {
            b.n += 1;
            b.pos += r[hi].y;
        }
        lo = hi;
        /* merge while the rate below is not lower: pos_below / n_below >= pos / n */
        while (top > 0 && st[top - 1].pos * b.n >= b.pos * st[top - 1].n) {
            top--;
            b.n += st[top].n;
            b.pos += st[top].pos;
            b.lo = st[top].lo;
        }
        st[top++] = b;
    }
    out->x = malloc(4 * top * sizeof *out->x);
    if (out->x == NULL) {
        rc = SEGRT_ENOMEM;
        goto done;
    }
    out->y = out->x + 2 * top;
    out->blocks = top;
    for (size_t k = 0; k < top; k++) {
        double rate = st[k].pos / st[k].n;
        out->x[out->n] = st[k].lo;
        out->y[out->n++] = rate;
        if (st[k].hi > st[k].lo) {
            out->x[out->n] = st[k].hi;
            out->y[out->n++] = rate;
        }
    }
done:
    free(r);
    free(st);
    return rc;
}

double isotonic_apply(const isotonic *m, double s)
{
    if (!isfinite(s) || m == NULL || m->n == 0)
        return NAN;
    if (s <= m->x[0])
        return m->y[0];
    if (s >= m->x[m->n - 1])
        return m->y[m->n - 1];
    size_t lo = 0, hi = m->n - 1; /* x[lo] < s < x[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->x[mid] <= s)
            lo = mid;
        else
            hi = mid;
    }
    double t = (s - m->x[lo]) / (m->x[hi] - m->x[lo]);
    return m->y[lo] + t * (m->y[hi] - m->y[lo]);
}
