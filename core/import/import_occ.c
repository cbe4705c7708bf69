/*
 * import_occ.c — how many events identical to each event of an events batch
 * (same contact and content, no event_id) the input's earlier batches held,
 * for event_list_merge_prior: an event is then the n-th of its kind in the
 * input, and is added only while its contact holds fewer than n such events.
 * Re-importing an input adds nothing; identical rows within it stay distinct.
 *
 * An event's kind is a 64-bit fingerprint of its contact and content. The
 * committed batches of an input that spans several leave theirs in an array
 * (8 bytes per event), counted only for a batch that needs it: the earlier
 * batches can have held an event only if the contact holds it now (they
 * added it, or it was there), so a batch of events no contact holds costs a
 * fingerprint each and no count. An input read in one batch keeps nothing.
 *
 * Uses: import.h, event.h, libxxhash (XXH3_64bits), array.h, buf.h, radix.h.
 */
#include "import/import.h"

#include "util/array.h"
#include "util/radix.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* The fingerprint of event r of l, of contact ord: its fields and extra attributes. */
static uint64_t fingerprint(const event_list *l, const event_rec *r, uint32_t ord)
{
    const char *eid, *x;
    size_t neid, nx;
    event_var(l, r, &eid, &neid, &x, &nx);
    uint64_t head[5] = { ord, (uint64_t)r->ts, (uint64_t)r->amount,
                         (uint64_t)r->type << 32 | r->category, r->channel };
    return XXH3_64bits_withSeed(x, nx, XXH3_64bits(head, sizeof head));
}

/* Sort the fingerprints of the input's batches: the unsorted tail merged into the sorted head. */
static int sort_seen(import_ctx *c)
{
    size_t head = c->occ_nsorted, n = c->occ_nseen, m = n - head;
    if (m == 0)
        return SEGRT_OK;
    radix_item *tail = malloc(m * sizeof *tail);
    uint64_t *s = c->occ_seen;
    for (size_t k = 0; tail && k < m; k++)
        tail[k] = (radix_item){ s[head + k], 0 };
    if (tail == NULL || radix_sort(tail, m) != 0) {
        free(tail);
        return store_fail(c->s, SEGRT_ENOMEM, "out of memory numbering identical events");
    }
    size_t i = head, j = m, o = n;
    while (j > 0) /* from the back, into the room the tail leaves */
        s[--o] = i > 0 && s[i - 1] > tail[j - 1].key ? s[--i] : tail[--j].key;
    free(tail);
    c->occ_nsorted = n;
    return SEGRT_OK;
}

/*
 * For every event of the batch, how many events of the input's earlier
 * batches have its fingerprint, into occ_prior (by index in c->evs): the
 * batch's fingerprints sorted and walked along the sorted earlier ones,
 * which costs less than looking up each one by one.
 */
static int count_batch(import_ctx *c)
{
    size_t n = c->npend;
    radix_item *v = malloc((n ? n : 1) * sizeof *v);
    int rc = v && ARRAY_RESERVE(c->occ_prior, c->occ_prior_cap, c->evs.n) == 0
                 ? sort_seen(c)
                 : store_fail(c->s, SEGRT_ENOMEM, "out of memory numbering identical events");
    for (size_t i = 0; i < n && rc == SEGRT_OK; i++)
        v[i] = (radix_item){ fingerprint(&c->evs, &c->evs.recs[c->pend[i].at], c->pend[i].ord),
                             c->pend[i].at };
    if (rc == SEGRT_OK && radix_sort(v, n) != 0)
        rc = store_fail(c->s, SEGRT_ENOMEM, "out of memory numbering identical events");
    size_t j = 0;
    for (size_t i = 0; i < n && rc == SEGRT_OK; i++) {
        while (j < c->occ_nseen && c->occ_seen[j] < v[i].key)
            j++;
        size_t k = j;
        while (k < c->occ_nseen && c->occ_seen[k] == v[i].key)
            k++;
        c->occ_prior[v[i].val] = (uint32_t)(k - j);
    }
    free(v);
    c->occ_counted = rc == SEGRT_OK;
    return rc;
}

void import_occ_begin(import_ctx *c)
{
    if (c->rep->batches == 0) /* a new input */
        c->occ_nseen = c->occ_nsorted = 0;
    c->occ_nbatch = 0;
    c->occ_counted = 0;
}

int import_occ_prior(import_ctx *c, const event_list *w, size_t nold, size_t from, buf *prior,
                     int *any)
{
    int keep = !c->last_batch; /* a later batch of the input counts this one's */
    *any = 0;
    prior->len = 0;
    if (!keep && c->occ_nseen == 0)
        return SEGRT_OK;
    for (size_t i = nold; i < w->n; i++) {
        const event_rec *r = &w->recs[i];
        const char *eid, *x;
        size_t neid, nx;
        event_var(w, r, &eid, &neid, &x, &nx);
        uint32_t p = 0;
        if (neid == 0 && keep &&
            ARRAY_RESERVE(c->occ_batch, c->occ_batch_cap, c->occ_nbatch + 1) != 0)
            return store_fail(c->s, SEGRT_ENOMEM, "out of memory numbering identical events");
        if (neid == 0 && keep)
            c->occ_batch[c->occ_nbatch++] = fingerprint(w, r, c->pend[from + i - nold].ord);
        if (neid == 0 && c->occ_nseen > 0 && event_list_count_same(w, nold, r) > 0) {
            int rc = c->occ_counted ? SEGRT_OK : count_batch(c);
            if (rc != SEGRT_OK)
                return rc;
            p = c->occ_prior[c->pend[from + i - nold].at];
            *any |= p > 0;
        }
        if (buf_put(prior, &p, sizeof p) != 0)
            return store_fail(c->s, SEGRT_ENOMEM, "out of memory numbering identical events");
    }
    return SEGRT_OK;
}

int import_occ_committed(import_ctx *c, int last)
{
    if (last) { /* the input is done: give the memory back */
        free(c->occ_seen);
        free(c->occ_batch);
        free(c->occ_prior);
        c->occ_seen = c->occ_batch = NULL;
        c->occ_prior = NULL;
        c->occ_nseen = c->occ_nsorted = c->occ_seen_cap = c->occ_prior_cap = 0;
        c->occ_nbatch = c->occ_batch_cap = 0;
        return SEGRT_OK;
    }
    size_t n = c->occ_nseen, m = c->occ_nbatch;
    if (ARRAY_RESERVE(c->occ_seen, c->occ_seen_cap, n + m) != 0)
        return store_fail(c->s, SEGRT_ENOMEM, "out of memory numbering identical events");
    if (m)
        memcpy(c->occ_seen + n, c->occ_batch, m * sizeof *c->occ_batch);
    c->occ_nseen = n + m;
    c->occ_nbatch = 0;
    return SEGRT_OK;
}
