/*
 * kmeans.c — k-means with k-means++ seeding and Lloyd iterations (see kmeans.h).
 *
 * Each iteration is an assignment pass (every usable row to its nearest
 * centroid) and an update (each centroid to the mean of its rows). The pass
 * is the cost, n·k·d multiply-adds when done plainly; Hamerly's bounds (see
 * "assignment step") skip most rows once the centroids settle, the cluster
 * sums change only by the rows that moved, and the pass may run on several
 * threads over fixed blocks of rows. A row's label depends only on the row,
 * its bounds and the centroids, and the blocks' changes are added in block
 * order, so the results are the same for any number of threads. The
 * k-means++ weights, the final centroids and the inertia add up in row
 * order on the calling thread.
 *
 * Uses: matrix.h (standardising, usable rows), rng.h, pthreads, libm; segrt.h
 * for the error codes.
 */
#include "models/kmeans.h"

#include "models/matrix.h"
#include "util/rng.h"
#include "segrt.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_THREADS 64
#define AUTO_THREADS 2
#define PAR_MIN_ROWS ((size_t)65536) /* fewer rows: threads cost more than they save */

static double sqdist(const double *a, const double *b, size_t d)
{
    double s = 0.0;
    for (size_t f = 0; f < d; f++) {
        double t = a[f] - b[f];
        s += t * t;
    }
    return s;
}

/* ------------------------------------------------------------ standardising */

/*
 * The statistics count each finite value (matrix.h), then a pass writes.
 * A constant column becomes all 0, as (x - mean) / sd cannot say.
 */
int kmeans_standardise(double *x, size_t n, size_t d, double *mean_out, double *sd_out)
{
    if (d == 0 || n == 0)
        return SEGRT_OK;
    if (x == NULL)
        return SEGRT_EINVAL;
    if (d > SIZE_MAX / (2 * sizeof(double)))
        return SEGRT_ENOMEM;
    double *mean = malloc(2 * d * sizeof *mean), *sd = mean + d;
    int rc = mean ? matrix_col_stats(x, n, d, MATRIX_FINITE_VALUES, mean, sd) : SEGRT_ENOMEM;
    if (rc != SEGRT_OK) {
        free(mean);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        double *row = x + i * d;
        for (size_t f = 0; f < d; f++)
            if (isfinite(row[f]))
                row[f] = sd[f] > 0.0 ? (row[f] - mean[f]) / sd[f] : 0.0;
    }
    if (mean_out)
        memcpy(mean_out, mean, d * sizeof *mean_out);
    if (sd_out)
        memcpy(sd_out, sd, d * sizeof *sd_out);
    free(mean);
    return SEGRT_OK;
}

void kmeans_unstandardise(double *centroids, size_t k, size_t d, const double *mean,
                          const double *sd)
{
    for (size_t c = 0; c < k; c++)
        for (size_t f = 0; f < d; f++)
            centroids[c * d + f] = centroids[c * d + f] * sd[f] + mean[f];
}

/* ------------------------------------------------------------ assignment step */

/*
 * The state of a fit. sums and cnt hold each cluster's sum of rows and row
 * count; a pass records its changes to them per block of BLOCK_ROWS rows
 * (the blocks are fixed by n alone), and the update adds the blocks'
 * changes in block order. So a pass reads a row's features only when the
 * row is measured, and the sums do not depend on the thread count.
 *
 * Hamerly's bounds let a pass skip most rows once the centroids settle:
 * upper[i] is at least the distance from row i to its centroid, lower[i] at
 * most its distance to any other centroid. After an update the bounds are
 * widened by how far the centroids moved; a row whose upper bound is below
 * both its lower bound and half the gap from its centroid to the nearest
 * other one cannot change cluster. A skip needs a margin of BOUND_SLACK
 * (relative), far above the rounding in the bounds, so a skipped row is one
 * the full computation would have left where it is: the labels are those
 * of plain Lloyd iterations.
 */
#define BLOCK_ROWS ((size_t)16384)
#define BOUND_SLACK 1e-9
#define PREFETCH_ROWS 8

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

typedef struct fit {
    const double *x;   /* n×d */
    size_t n, d, k, nblocks;
    uint32_t *labels;  /* n */
    double *upper;     /* n */
    double *lower;     /* n */
    double *cent;      /* k×d */
    double *ct;        /* d×k: cent transposed, for nearest() */
    double *old;       /* k×d: the centroids before the last update */
    double *sums;      /* k×d */
    size_t *cnt;       /* k */
    double *move;      /* k: how far each centroid moved in the last update */
    double *half_gap;  /* k: half the distance to the nearest other centroid */
    double move1;      /* the largest move, of centroid move1_c */
    double move2;      /* the largest move of the other centroids */
    size_t move1_c;
    double *bsums;     /* nblocks×k×d: a pass's changes to sums */
    int64_t *bcnt;     /* nblocks×k: its changes to cnt */
    size_t *bchanged;  /* nblocks: rows that changed cluster in the pass */
    uint32_t *todo;    /* n: per block, the rows a pass must measure */
    int first;         /* the first pass: no labels or bounds yet */
} fit;

/*
 * The nearest centroid (ties to the lower index); the distances to it and
 * to the second nearest (INFINITY when k is 1) into *d1 and *d2. ct holds
 * the centroids transposed (d×k), so CHUNK of them are measured at once
 * with independent sums, which the compiler can keep in vector registers;
 * each sum still adds the features in order, as sqdist() does.
 */
#define CHUNK 8

static uint32_t nearest(const double *row, const double *ct, size_t d, size_t k, double *d1,
                        double *d2)
{
    double b1 = INFINITY, b2 = INFINITY;
    uint32_t bc = 0;
    for (size_t c0 = 0; c0 < k; c0 += CHUNK) {
        double acc[CHUNK] = { 0 };
        size_t nc = k - c0 < CHUNK ? k - c0 : CHUNK;
        if (nc == CHUNK) {
            for (size_t j = 0; j < d; j++) {
                const double xj = row[j], *cj = ct + j * k + c0;
                for (size_t c = 0; c < CHUNK; c++) {
                    double t = xj - cj[c];
                    acc[c] += t * t;
                }
            }
        } else {
            for (size_t j = 0; j < d; j++) {
                const double xj = row[j], *cj = ct + j * k + c0;
                for (size_t c = 0; c < nc; c++) {
                    double t = xj - cj[c];
                    acc[c] += t * t;
                }
            }
        }
        for (size_t c = 0; c < nc; c++) {
            double s = acc[c];
            if (s < b1) {
                b2 = b1;
                b1 = s;
                bc = (uint32_t)(c0 + c);
            } else if (s < b2) {
                b2 = s;
            }
        }
    }
    *d1 = sqrt(b1);
    *d2 = sqrt(b2);
    return bc;
}

/* Record in the block's changes that row moved from cluster a (none on the
 * first pass) to na. */
static void move_row(fit *f, double *dsum, int64_t *dcnt, const double *row, uint32_t a,
                     uint32_t na)
{
    const size_t d = f->d;
    if (!f->first) {
        double *s = dsum + (size_t)a * d;
        for (size_t j = 0; j < d; j++)
            s[j] -= row[j];
        dcnt[a]--;
    }
    double *s = dsum + (size_t)na * d;
    for (size_t j = 0; j < d; j++)
        s[j] += row[j];
    dcnt[na]++;
}

/*
 * One block of an assignment pass: labels, bounds, and the block's changes.
 * The bounds are updated first, for the whole block, and need no features;
 * the rows they cannot settle are queued and measured next, with their
 * features fetched ahead: they are scattered, and waiting for each one's
 * cache miss in turn would cost more than the arithmetic.
 */
static void assign_block(fit *f, size_t b)
{
    const size_t d = f->d, k = f->k;
    const size_t lo = b * BLOCK_ROWS, hi = f->n - lo > BLOCK_ROWS ? lo + BLOCK_ROWS : f->n;
    double *dsum = f->bsums + b * k * d;
    int64_t *dcnt = f->bcnt + b * k;
    uint32_t *todo = f->todo + lo; /* offsets from lo */
    size_t ntodo = 0, changed = 0;

    memset(dsum, 0, k * d * sizeof *dsum);
    memset(dcnt, 0, k * sizeof *dcnt);
    if (f->first) {
        for (size_t i = lo; i < hi; i++)
            if (f->labels[i] != KMEANS_MISSING)
                todo[ntodo++] = (uint32_t)(i - lo);
    } else {
        /* Locals, as the stores to upper and lower could otherwise alias
         * the doubles of *f and force them to be reloaded each row. */
        const uint32_t *labels = f->labels;
        double *upper = f->upper, *lower = f->lower;
        const double *move = f->move, *half_gap = f->half_gap;
        const double move1 = f->move1, move2 = f->move2;
        const size_t move1_c = f->move1_c;
        for (size_t i = lo; i < hi; i++) {
            uint32_t a = labels[i];
            if (a == KMEANS_MISSING)
                continue;
            double u = upper[i] + move[a];
            double l = lower[i] - (a == move1_c ? move2 : move1);
            upper[i] = u;
            lower[i] = l;
            double m = (half_gap[a] > l ? half_gap[a] : l) * (1.0 - BOUND_SLACK);
            todo[ntodo] = (uint32_t)(i - lo); /* kept only when unsettled: no branch */
            ntodo += !(u < m);
        }
    }

    for (size_t t = 0; t < ntodo; t++) {
        if (t + PREFETCH_ROWS < ntodo)
            PREFETCH(f->x + (lo + todo[t + PREFETCH_ROWS]) * d);
        size_t i = lo + todo[t];
        const double *row = f->x + i * d;
        uint32_t a = f->labels[i], na = a;
        double u, l;
        if (f->first) {
            na = nearest(row, f->ct, d, k, &u, &l);
        } else {
            l = f->lower[i];
            double m = (f->half_gap[a] > l ? f->half_gap[a] : l) * (1.0 - BOUND_SLACK);
            u = sqrt(sqdist(row, f->cent + (size_t)a * d, d));
            if (!(u < m))
                na = nearest(row, f->ct, d, k, &u, &l);
        }
        f->upper[i] = u;
        f->lower[i] = l;
        if (na != a || f->first) {
            move_row(f, dsum, dcnt, row, a, na);
            f->labels[i] = na;
            changed++;
        }
    }
    f->bchanged[b] = changed;
}

typedef struct pass_job {
    fit *f;
    size_t b0, b1; /* blocks [b0, b1) */
} pass_job;

static void *pass_thread(void *arg)
{
    pass_job *j = arg;
    for (size_t b = j->b0; b < j->b1; b++)
        assign_block(j->f, b);
    return NULL;
}

/* One assignment pass on up to nthreads threads (the caller's included);
 * returns how many rows changed cluster. A thread that cannot be started
 * has its blocks done by the caller: the same result, more slowly. */
static size_t assign_pass(fit *f, unsigned nthreads)
{
    pass_job jobs[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    int started[MAX_THREADS];

    if (nthreads > f->nblocks)
        nthreads = (unsigned)f->nblocks;
    if (nthreads < 1)
        nthreads = 1;
    for (unsigned t = 0; t < nthreads; t++) {
        jobs[t] = (pass_job){ f, f->nblocks * t / nthreads, f->nblocks * (t + 1) / nthreads };
        started[t] = 0;
    }
    for (unsigned t = 1; t < nthreads; t++)
        started[t] = pthread_create(&tid[t], NULL, pass_thread, &jobs[t]) == 0;
    pass_thread(&jobs[0]);
    for (unsigned t = 1; t < nthreads; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            pass_thread(&jobs[t]);
    }
    f->first = 0;
    size_t changed = 0;
    for (size_t b = 0; b < f->nblocks; b++)
        changed += f->bchanged[b];
    return changed;
}

static unsigned pick_threads(unsigned asked, size_t n)
{
    if (asked == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        asked = n < PAR_MIN_ROWS ? 1 : cpus >= AUTO_THREADS ? AUTO_THREADS : 1;
    }
    return asked > MAX_THREADS ? MAX_THREADS : asked;
}

/* ------------------------------------------------------------ seeding */

/*
 * k-means++: the first centroid is a usable row drawn uniformly, each next
 * one a usable row drawn with probability proportional to its squared
 * distance to the nearest centroid so far. Missing rows have weight 0 and
 * the first draw counts usable rows only, so adding missing rows to an
 * input does not change the draws. When every row already sits on a
 * centroid (k exceeds the distinct rows) the remaining centroids copy the
 * first; they end up as empty clusters.
 */
static void seed_plusplus(const double *x, size_t n, size_t d, size_t k, size_t n_used,
                          const uint32_t *labels, rng *r, double *cent, double *dist)
{
    uint64_t want = rng_below(r, n_used);
    size_t first = 0;
    for (size_t i = 0, seen = 0; i < n; i++) {
        if (labels[i] == KMEANS_MISSING)
            continue;
        if (seen++ == want) {
            first = i;
            break;
        }
    }
    memcpy(cent, x + first * d, d * sizeof *cent);
    for (size_t i = 0; i < n; i++)
        dist[i] = labels[i] == KMEANS_MISSING ? 0.0 : sqdist(x + i * d, cent, d);

    for (size_t c = 1; c < k; c++) {
        double total = 0.0;
        for (size_t i = 0; i < n; i++)
            total += dist[i];
        double target = rng_uniform(r) * total;
        size_t pick = n; /* none */
        if (total > 0.0) {
            double acc = 0.0;
            for (size_t i = 0; i < n; i++) {
                if (dist[i] <= 0.0)
                    continue;
                pick = i; /* the last positive one if rounding runs past the end */
                acc += dist[i];
                if (acc > target)
                    break;
            }
        }
        double *cc = cent + c * d;
        if (pick == n) {
            memcpy(cc, cent, d * sizeof *cc);
            continue;
        }
        memcpy(cc, x + pick * d, d * sizeof *cc);
        for (size_t i = 0; i < n; i++) {
            if (dist[i] > 0.0) {
                double s = sqdist(x + i * d, cc, d);
                if (s < dist[i])
                    dist[i] = s;
            }
        }
    }
}

/* ------------------------------------------------------------ update step */

static void transpose_centroids(fit *f)
{
    for (size_t c = 0; c < f->k; c++)
        for (size_t j = 0; j < f->d; j++)
            f->ct[j * f->k + c] = f->cent[c * f->d + j];
}

/*
 * Re-seed each empty cluster with the row farthest from its centroid at the
 * last pass (f->old; the lowest index on a tie), taken from a cluster that
 * keeps at least one row. When no such row has a positive distance every
 * row sits on a centroid, and the cluster stays empty where it was.
 */
static void reseed_empty(fit *f)
{
    const size_t d = f->d;
    for (size_t c = 0; c < f->k; c++) {
        if (f->cnt[c] != 0)
            continue;
        size_t far = f->n;
        double fd = 0.0;
        for (size_t i = 0; i < f->n; i++) {
            uint32_t l = f->labels[i];
            if (l == KMEANS_MISSING || f->cnt[l] < 2)
                continue;
            double s = sqdist(f->x + i * d, f->old + (size_t)l * d, d);
            if (s > fd) {
                fd = s;
                far = i;
            }
        }
        if (far == f->n)
            return; /* and no later search would find one either */
        const double *row = f->x + far * d;
        uint32_t from = f->labels[far];
        for (size_t j = 0; j < d; j++) {
            f->sums[(size_t)from * d + j] -= row[j];
            f->sums[c * d + j] = row[j];
        }
        f->cnt[from]--;
        f->cnt[c] = 1;
        f->labels[far] = (uint32_t)c;
        f->upper[far] = INFINITY; /* bounds unknown: the next pass measures */
        f->lower[far] = 0.0;
    }
}

/*
 * After a pass: the blocks' changes added to the sums in block order, empty
 * clusters re-seeded, each centroid to the mean of its rows, then the moves
 * and gaps the next pass's bounds need.
 */
static void update(fit *f)
{
    const size_t d = f->d, k = f->k;

    memcpy(f->old, f->cent, k * d * sizeof *f->old);
    for (size_t b = 0; b < f->nblocks; b++) {
        const double *bs = f->bsums + b * k * d;
        const int64_t *bc = f->bcnt + b * k;
        for (size_t j = 0; j < k * d; j++)
            f->sums[j] += bs[j];
        for (size_t c = 0; c < k; c++)
            f->cnt[c] = (size_t)((int64_t)f->cnt[c] + bc[c]);
    }
    reseed_empty(f);
    for (size_t c = 0; c < k; c++) {
        if (f->cnt[c] == 0)
            continue;
        for (size_t j = 0; j < d; j++)
            f->cent[c * d + j] = f->sums[c * d + j] / (double)f->cnt[c];
    }
    transpose_centroids(f);

    f->move1 = f->move2 = 0.0;
    f->move1_c = 0;
    for (size_t c = 0; c < k; c++) {
        double m = sqrt(sqdist(f->old + c * d, f->cent + c * d, d));
        f->move[c] = m;
        if (m > f->move1) {
            f->move2 = f->move1;
            f->move1 = m;
            f->move1_c = c;
        } else if (m > f->move2) {
            f->move2 = m;
        }
    }
    for (size_t c = 0; c < k; c++)
        f->half_gap[c] = INFINITY;
    for (size_t c = 0; c < k; c++) {
        for (size_t c2 = c + 1; c2 < k; c2++) {
            double g = 0.5 * sqrt(sqdist(f->cent + c * d, f->cent + c2 * d, d));
            if (g < f->half_gap[c])
                f->half_gap[c] = g;
            if (g < f->half_gap[c2])
                f->half_gap[c2] = g;
        }
    }
}

/*
 * The end of a fit: sums recomputed from scratch in row order (the running
 * ones carry the rounding of every change), centroids as their means, the
 * sizes and the inertia. A centroid moves by rounding only, so the labels
 * stay those of the last pass.
 */
static double finish(fit *f, size_t *sizes)
{
    const size_t d = f->d, k = f->k;
    memset(f->sums, 0, k * d * sizeof *f->sums);
    for (size_t i = 0; i < f->n; i++) {
        uint32_t l = f->labels[i];
        if (l == KMEANS_MISSING)
            continue;
        const double *row = f->x + i * d;
        for (size_t j = 0; j < d; j++)
            f->sums[(size_t)l * d + j] += row[j];
        sizes[l]++;
    }
    for (size_t c = 0; c < k; c++)
        for (size_t j = 0; sizes[c] && j < d; j++)
            f->cent[c * d + j] = f->sums[c * d + j] / (double)sizes[c];
    double inertia = 0.0;
    for (size_t i = 0; i < f->n; i++)
        if (f->labels[i] != KMEANS_MISSING)
            inertia += sqdist(f->x + i * d, f->cent + (size_t)f->labels[i] * d, d);
    return inertia;
}

/* ------------------------------------------------------------ the fit */

void kmeans_result_free(kmeans_result *r)
{
    if (r == NULL)
        return;
    free(r->labels);
    free(r->centroids);
    free(r->sizes);
    memset(r, 0, sizeof *r);
}

int kmeans_fit_threads(const double *x, size_t n, size_t d, size_t k, uint64_t seed,
                       int max_iter, unsigned nthreads, kmeans_result *out)
{
    if (out == NULL)
        return SEGRT_EINVAL;
    memset(out, 0, sizeof *out);
    if ((x == NULL && n != 0) || k == 0 || d == 0 || k > UINT32_MAX - 1)
        return SEGRT_EINVAL;
    size_t nb = (n + BLOCK_ROWS - 1) / BLOCK_ROWS, rows = n ? n : 1;
    if (n > SIZE_MAX / d / sizeof(double) || k > SIZE_MAX / d / sizeof(double) ||
        (nb ? nb : 1) > SIZE_MAX / (k * d * sizeof(double)))
        return SEGRT_ENOMEM;
    if (max_iter <= 0)
        max_iter = KMEANS_DEFAULT_MAX_ITER;

    fit f = { .x = x, .n = n, .d = d, .k = k, .nblocks = nb, .first = 1 };
    int rc = SEGRT_ENOMEM;
    nb = nb ? nb : 1;
    out->labels = f.labels = malloc(rows * sizeof *f.labels);
    out->centroids = f.cent = calloc(k * d, sizeof *f.cent);
    out->sizes = calloc(k, sizeof *out->sizes);
    f.upper = malloc(rows * sizeof *f.upper);
    f.lower = malloc(rows * sizeof *f.lower);
    f.old = malloc(k * d * sizeof *f.old);
    f.ct = malloc(k * d * sizeof *f.ct);
    f.sums = calloc(k * d, sizeof *f.sums);
    f.cnt = calloc(k, sizeof *f.cnt);
    f.move = malloc(k * sizeof *f.move);
    f.half_gap = malloc(k * sizeof *f.half_gap);
    f.bsums = malloc(nb * k * d * sizeof *f.bsums);
    f.bcnt = malloc(nb * k * sizeof *f.bcnt);
    f.bchanged = malloc(nb * sizeof *f.bchanged);
    f.todo = malloc(rows * sizeof *f.todo);
    if (!f.labels || !f.cent || !out->sizes || !f.upper || !f.lower || !f.old || !f.ct || !f.sums ||
        !f.cnt || !f.move || !f.half_gap || !f.bsums || !f.bcnt || !f.bchanged || !f.todo)
        goto done;

    size_t n_used = 0;
    for (size_t i = 0; i < n; i++) {
        int ok = matrix_row_finite(x + i * d, d);
        f.labels[i] = ok ? 0 : KMEANS_MISSING;
        n_used += (size_t)ok;
    }
    rc = SEGRT_EINVAL;
    if (n_used == 0)
        goto done;

    rng r;
    rng_seed(&r, seed);
    seed_plusplus(x, n, d, k, n_used, f.labels, &r, f.cent, f.upper);
    transpose_centroids(&f);

    unsigned nt = pick_threads(nthreads, n);
    int it = 0, converged = 0;
    while (it < max_iter) {
        size_t changed = assign_pass(&f, nt);
        it++;
        /* Every row "changes" in the first pass. */
        if (it > 1 && changed == 0) {
            converged = 1;
            break;
        }
        update(&f);
    }

    out->inertia = finish(&f, out->sizes);
    out->n = n;
    out->d = d;
    out->k = k;
    out->n_used = n_used;
    out->iterations = it;
    out->converged = converged;
    rc = SEGRT_OK;

done:
    free(f.upper);
    free(f.lower);
    free(f.old);
    free(f.ct);
    free(f.sums);
    free(f.cnt);
    free(f.move);
    free(f.half_gap);
    free(f.bsums);
    free(f.bcnt);
    free(f.bchanged);
    free(f.todo);
    if (rc != SEGRT_OK)
        kmeans_result_free(out);
    return rc;
}

int kmeans_fit(const double *x, size_t n, size_t d, size_t k, uint64_t seed, int max_iter,
               kmeans_result *out)
{
    return kmeans_fit_threads(x, n, d, k, seed, max_iter, 0, out);
}
