/*
 * import_occ.c — the occurrence number of each event of an events batch
 * among the identical events (same contact and content, no event_id) of its
 * input, counted across the input's batches, for event_list_merge_occ: an
 * event is the o-th of its kind in the input, and is added only while its
 * contact's timeline holds fewer than o such events. Re-importing an input
 * adds nothing; identical rows within it stay distinct events.
 *
 * An event's kind is a 64-bit fingerprint of its contact and content; the
 * input's committed batches leave theirs in a sorted array (8 bytes per
 * event), which an input read in one batch never builds.
 *
 * Uses: import.h, event.h, libxxhash (XXH3_64bits), array.h.
 */
#include "import/import.h"

#include "util/array.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

typedef struct fp_at {
    uint64_t fp;
    uint32_t at; /* the event's index in the batch */
} fp_at;

static int by_fp(const void *a, const void *b)
{
    const fp_at *x = a, *y = b;
    if (x->fp != y->fp)
        return x->fp < y->fp ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* The fingerprint of event r of contact ord: its fields and extra attributes. */
static uint64_t fingerprint(import_ctx *c, uint32_t ord, const event_rec *r)
{
    const char *eid, *x;
    size_t neid, nx;
    event_var(&c->evs, r, &eid, &neid, &x, &nx);
    uint64_t head[5] = { ord, (uint64_t)r->ts, (uint64_t)r->amount,
                         (uint64_t)r->type << 32 | r->category, r->channel };
    return XXH3_64bits_withSeed(x, nx, XXH3_64bits(head, sizeof head));
}

/* The number of fingerprints equal to fp in the sorted seen[0, n), from *at on (advanced). */
static uint32_t count_seen(const uint64_t *seen, size_t n, size_t *at, uint64_t fp)
{
    while (*at < n && seen[*at] < fp)
        (*at)++;
    size_t from = *at;
    while (*at < n && seen[*at] == fp)
        (*at)++;
    return (uint32_t)(*at - from);
}

int import_occ_number(import_ctx *c, const uint32_t **occ)
{
    *occ = NULL;
    if (c->rep->batches == 0)
        c->occ_nseen = 0; /* a new input */
    c->occ_nbatch = 0;
    if (c->last_batch && c->occ_nseen == 0)
        return SEGRT_OK; /* the input is this batch: the merge numbers them itself */
    size_t n = c->evs.n;
    fp_at *v = malloc((n ? n : 1) * sizeof *v);
    if (v == NULL || ARRAY_RESERVE(c->occ, c->occ_cap, n) != 0 ||
        ARRAY_RESERVE(c->occ_batch, c->occ_batch_cap, n) != 0) {
        free(v);
        return store_fail(c->s, SEGRT_ENOMEM, "out of memory numbering identical events");
    }
    size_t k = 0;
    for (size_t i = 0; i < c->npend; i++) {
        const event_rec *r = &c->evs.recs[c->pend[i].at];
        const char *eid, *x;
        size_t neid, nx;
        event_var(&c->evs, r, &eid, &neid, &x, &nx);
        c->occ[c->pend[i].at] = 1;
        if (neid == 0) /* an event_id names the event: no counting */
            v[k++] = (fp_at){ fingerprint(c, c->pend[i].ord, r), c->pend[i].at };
    }
    qsort(v, k, sizeof *v, by_fp);
    size_t at = 0;
    uint32_t base = 0;
    for (size_t i = 0; i < k; i++) {
        int first = i == 0 || v[i].fp != v[i - 1].fp;
        if (first)
            base = count_seen(c->occ_seen, c->occ_nseen, &at, v[i].fp);
        base += 1;
        c->occ[v[i].at] = base;
        c->occ_batch[i] = v[i].fp;
    }
    c->occ_nbatch = k;
    free(v);
    *occ = c->occ;
    return SEGRT_OK;
}

int import_occ_committed(import_ctx *c)
{
    if (c->last_batch) { /* the input is done: give the memory back */
        free(c->occ_seen);
        c->occ_seen = NULL;
        c->occ_nseen = c->occ_seen_cap = c->occ_nbatch = 0;
        return SEGRT_OK;
    }
    size_t n = c->occ_nseen, m = c->occ_nbatch;
    if (ARRAY_RESERVE(c->occ_seen, c->occ_seen_cap, n + m) != 0)
        return store_fail(c->s, SEGRT_ENOMEM, "out of memory numbering identical events");
    /* Merge the batch's sorted fingerprints in from the back. */
    uint64_t *s = c->occ_seen;
    const uint64_t *b = c->occ_batch;
    size_t i = n, j = m, o = n + m;
    while (j > 0) {
        if (i > 0 && s[i - 1] > b[j - 1])
            s[--o] = s[--i];
        else
            s[--o] = b[--j];
    }
    c->occ_nseen = n + m;
    c->occ_nbatch = 0;
    return SEGRT_OK;
}
