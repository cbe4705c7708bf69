/*
 * consent.c — consent histories and the record in force, and reading a
 * contact's history (consent.h).
 *
 * Uses: store.h (store_get), array.h, value.h.
 */
#include "store/consent.h"

#include "util/array.h"
#include "util/value.h"

#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = { NULL, "granted", "withdrawn", "denied" };
static const char *const basis_names[] = { NULL, "consent", "legitimate_interest", "contract",
                                           "legal_obligation", "vital_interest", "public_task" };

static int parse_name(const char *const *names, int count, const char *s, size_t n)
{
    for (int i = 1; i < count; i++) {
        if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
            return i;
    }
    return 0;
}

int consent_status_parse(const char *s, size_t n)
{
    return parse_name(status_names, 4, s, n);
}

const char *consent_status_name(int status)
{
    return status >= CS_GRANTED && status <= CS_DENIED ? status_names[status] : "unknown";
}

int consent_basis_parse(const char *s, size_t n)
{
    return parse_name(basis_names, 7, s, n);
}

const char *consent_basis_name(int basis)
{
    return basis >= CS_CONSENT && basis <= CS_PUBLIC_TASK ? basis_names[basis] : NULL;
}

void consent_list_free(consent_list *l)
{
    free(l->recs);
    *l = (consent_list){ 0 };
}

/* The record count of a stored history, its size checked against it; -1 when corrupt. */
static int history_count(const void *data, size_t size, uint32_t *n)
{
    if (size < 4)
        return -1;
    memcpy(n, data, 4);
    return 4 + (uint64_t)*n * sizeof(consent_rec) == size ? 0 : -1;
}

int consent_list_decode(consent_list *l, const void *data, size_t size)
{
    const unsigned char *p = data;
    uint32_t n;
    if (history_count(data, size, &n) != 0)
        return -1;
    if (ARRAY_RESERVE(l->recs, l->cap, l->n + n) != 0)
        return -2;
    memcpy(l->recs + l->n, p + 4, (size_t)n * sizeof(consent_rec));
    l->n += n;
    return 0;
}

int consent_list_read(segrt_store *s, MDB_txn *txn, uint32_t ord, consent_list *l)
{
    MDB_val k = store_ord_key(&ord), v;
    int rc = store_get(s, txn, DB_CONSENTS, &k, &v, "reading consents");
    if (rc == SEGRT_OK)
        rc = store_decoded(s, consent_list_decode(l, v.mv_data, v.mv_size), "consents", ord);
    return rc == SEGRT_ENOTFOUND ? SEGRT_OK : rc;
}

int consent_list_newest(const void *data, size_t size, int64_t *ts)
{
    const unsigned char *p = data;
    uint32_t n;
    *ts = VALUE_MISSING;
    if (history_count(data, size, &n) != 0)
        return -1;
    for (uint32_t i = 0; i < n; i++) { /* in import order: any may be the newest */
        int64_t t;
        memcpy(&t, p + 4 + (size_t)i * sizeof(consent_rec) + offsetof(consent_rec, ts), sizeof t);
        if (*ts == VALUE_MISSING || t > *ts)
            *ts = t;
    }
    return 0;
}

static int same_record(const consent_rec *a, const consent_rec *b)
{
    return a->ts == b->ts && a->expires == b->expires && a->purpose == b->purpose &&
           a->source == b->source && a->status == b->status && a->basis == b->basis;
}

int consent_list_push(consent_list *l, const consent_rec *r)
{
    if (ARRAY_RESERVE(l->recs, l->cap, l->n + 1) != 0)
        return -1;
    l->recs[l->n++] = *r;
    return 0;
}

int consent_list_add(consent_list *l, const consent_rec *r, int *added)
{
    *added = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (same_record(&l->recs[i], r))
            return 0;
    }
    consent_rec rec = *r;
    rec.seq = l->n ? l->recs[l->n - 1].seq + 1 : 1;
    rec.pad = 0;
    if (consent_list_push(l, &rec) != 0)
        return -1;
    *added = 1;
    return 0;
}

int consent_list_encode(const consent_list *l, buf *out)
{
    uint32_t n = (uint32_t)l->n;
    out->len = 0;
    if (buf_put(out, &n, 4) || buf_put(out, l->recs, l->n * sizeof(consent_rec)))
        return -1;
    return 0;
}

/* Whether b beats a as the record in force when both have the same ts. */
static int wins_tie(const consent_rec *a, const consent_rec *b)
{
    int ga = a->status == CS_GRANTED, gb = b->status == CS_GRANTED;
    if (ga != gb)
        return !gb;
    if (ga && a->expires != b->expires) {
        /* VALUE_MISSING (never expires) is the most permissive: it loses. */
        if (a->expires == VALUE_MISSING)
            return 1;
        if (b->expires == VALUE_MISSING)
            return 0;
        return b->expires < a->expires;
    }
    return b->seq > a->seq;
}

const consent_rec *consent_in_force(const consent_list *l, uint32_t purpose, int64_t now)
{
    const consent_rec *best = NULL;
    for (size_t i = 0; i < l->n; i++) {
        const consent_rec *r = &l->recs[i];
        if (r->purpose != purpose || r->ts > now)
            continue;
        if (best == NULL || r->ts > best->ts || (r->ts == best->ts && wins_tie(best, r)))
            best = r;
    }
    return best;
}
