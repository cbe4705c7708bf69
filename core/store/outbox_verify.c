/*
 * outbox_verify.c — outbox_verify(): the outbox is well-formed, for
 * segrt_store_check (check.c). One pass over each of its two tables.
 *
 * Uses: outbox.h, store.h.
 */
#include "store/outbox.h"

#include <string.h>

typedef struct entries_check {
    uint64_t last, pending, failed;
} entries_check;

static int check_entry(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                       const MDB_val *v)
{
    entries_check *c = ud;
    segrt_outbox_entry e;
    (void)txn;
    if (outbox_decode(k, v, &e) != 0)
        return store_fail(s, SEGRT_ECORRUPT, "check: an outbox entry does not decode");
    if (e.seq == 0 || e.seq > c->last)
        return store_fail(s, SEGRT_ECORRUPT, "check: outbox entry %llu is past the last one, %llu",
                          (unsigned long long)e.seq, (unsigned long long)c->last);
    *(e.state == SEGRT_OUTBOX_FAILED ? &c->failed : &c->pending) += 1;
    return SEGRT_OK;
}

/* Every 's' segment 0 contact key has its 'c' contact 0 segment twin; counted per kind. */
typedef struct twins_check {
    uint64_t s, c;
    unsigned char twin[OUTBOX_NOTIFIED_KEY_MAX];
} twins_check;

static int check_state(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                       const MDB_val *v)
{
    twins_check *c = ud;
    const unsigned char *p = k->mv_data;
    const unsigned char *sep = k->mv_size > 1 ? memchr(p + 1, 0, k->mv_size - 1) : NULL;
    if (sep == NULL || sep == p + 1 || sep == p + k->mv_size - 1 || (p[0] != 's' && p[0] != 'c'))
        return store_fail(s, SEGRT_ECORRUPT, "check: a notified state has a malformed key");
    if (p[0] == 'c') {
        c->c++;
        return SEGRT_OK;
    }
    c->s++;
    /* 's' a 0 b -> 'c' b 0 a */
    size_t na = (size_t)(sep - p - 1), nb = k->mv_size - na - 2;
    c->twin[0] = 'c';
    memcpy(c->twin + 1, sep + 1, nb);
    c->twin[1 + nb] = 0;
    memcpy(c->twin + 2 + nb, p + 1, na);
    MDB_val tk = { k->mv_size, c->twin }, tv;
    int rc = store_get(s, txn, DB_NOTIFIED, &tk, &tv, "check: the notified state");
    (void)v;
    if (rc == SEGRT_ENOTFOUND)
        return store_fail(s, SEGRT_ECORRUPT, "check: contact '%.*s' is notified in segment "
                          "'%.*s' without its twin", (int)nb, (const char *)sep + 1, (int)na,
                          (const char *)p + 1);
    return rc;
}

static int expect(segrt_store *s, const char *what, uint64_t counter, uint64_t stored)
{
    if (counter == stored)
        return SEGRT_OK;
    return store_fail(s, SEGRT_ECORRUPT, "check: the outbox %s counter says %llu, the outbox "
                      "holds %llu", what, (unsigned long long)counter, (unsigned long long)stored);
}

int outbox_verify(segrt_store *s, MDB_txn *txn)
{
    entries_check e = { 0, 0, 0 };
    twins_check t = { 0, 0, { 0 } };
    uint64_t pending = 0, failed = 0;
    int rc = store_counter_get(s, txn, "outbox_seq", &e.last);
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, "outbox_pending", &pending);
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, "outbox_failed", &failed);
    if (rc == SEGRT_OK)
        rc = store_scan(s, txn, DB_OUTBOX, NULL, 0, "check", check_entry, &e);
    if (rc == SEGRT_OK)
        rc = expect(s, "pending", pending, e.pending);
    if (rc == SEGRT_OK)
        rc = expect(s, "failed", failed, e.failed);
    if (rc == SEGRT_OK)
        rc = store_scan(s, txn, DB_NOTIFIED, NULL, 0, "check", check_state, &t);
    if (rc == SEGRT_OK && t.s != t.c)
        rc = store_fail(s, SEGRT_ECORRUPT, "check: the notified state has %llu entries and %llu "
                        "twins", (unsigned long long)t.s, (unsigned long long)t.c);
    return rc;
}
