/*
 * merge_record.c — encoding and decoding the undo records of merges
 * (merge_record.h).
 *
 * Uses: buf.h.
 */
#include "dedupe/merge_record.h"

#include <stdlib.h>
#include <string.h>

#define RECORD_VERSION 1


int merge_record_encode(const merge_record *r, buf *out)
{
    unsigned char head[2] = { RECORD_VERSION, (unsigned char)r->by };
    out->len = 0;
    int rc = buf_put(out, head, sizeof head) | buf_put_varint(out, r->survivor) |
             buf_put_varint(out, zigzag(r->now)) | buf_put_blob(out, r->filled.p, r->filled.n) |
             buf_put_blob(out, r->added.p, r->added.n) |
             buf_put_blob(out, r->replaced.p, r->replaced.n) | buf_put_varint(out, r->nseqs);
    for (size_t i = 0; i < r->nseqs; i++)
        rc |= buf_put_varint(out, r->seqs[i]);
    rc |= buf_put_varint(out, r->ngone);
    for (size_t i = 0; i < r->ngone; i++) {
        const merge_gone *g = &r->gone[i];
        rc |= buf_put_varint(out, g->ord) | buf_put_blob(out, g->id.p, g->id.n) |
              buf_put_blob(out, g->values.p, g->values.n) | buf_put_blob(out, g->events.p, g->events.n) |
              buf_put_blob(out, g->consents.p, g->consents.n) | buf_put_blob(out, g->held.p, g->held.n);
    }
    return rc ? -1 : 0;
}



/* A count of items that each take at least one byte of what is left. */
static int get_count(const unsigned char **p, const unsigned char *end, size_t *n)
{
    uint64_t v;
    if (get_varint(p, end, &v) != 0 || v > (uint64_t)(end - *p))
        return -1;
    *n = (size_t)v;
    return 0;
}

int merge_record_decode(const void *data, size_t n, merge_record *r)
{
    const unsigned char *p = data, *end = p + n;
    uint64_t now;
    *r = (merge_record){ 0 };
    if (n < 2 || p[0] != RECORD_VERSION)
        return -1;
    r->by = p[1];
    p += 2;
    if (get_u32(&p, end, &r->survivor) || get_varint(&p, end, &now) ||
        get_blob(&p, end, &r->filled) || get_blob(&p, end, &r->added) ||
        get_blob(&p, end, &r->replaced) || get_count(&p, end, &r->nseqs))
        return -1;
    r->now = unzigzag(now);
    if (r->nseqs && (r->seqs = malloc(r->nseqs * sizeof *r->seqs)) == NULL)
        return -2;
    for (size_t i = 0; i < r->nseqs; i++) {
        if (get_u32(&p, end, &r->seqs[i]))
            return -1;
    }
    if (get_count(&p, end, &r->ngone))
        return -1;
    if (r->ngone && (r->gone = calloc(r->ngone, sizeof *r->gone)) == NULL)
        return -2;
    for (size_t i = 0; i < r->ngone; i++) {
        merge_gone *g = &r->gone[i];
        if (get_u32(&p, end, &g->ord) || get_blob(&p, end, &g->id) ||
            get_blob(&p, end, &g->values) || get_blob(&p, end, &g->events) ||
            get_blob(&p, end, &g->consents) || get_blob(&p, end, &g->held))
            return -1;
    }
    return p == end ? 0 : -1;
}

void merge_record_free(merge_record *r)
{
    free(r->seqs);
    free(r->gone);
    *r = (merge_record){ 0 };
}
