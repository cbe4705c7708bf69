/*
 * restrict_check.c — who is restricted at NOW (restrict_check.h).
 */
#include "privacy/restrict_check.h"

#include "store/consent.h"
#include "store/dict.h"
#include "store/restriction.h"
#include "store/schema.h"

#include <string.h>

/* The purpose code of restrictions: 0 when nobody ever had one. */
static int purpose_code(segrt_store *s, MDB_txn *txn, uint32_t *code)
{
    return dict_find(s, txn, FIELD_CS_PURPOSE, RESTRICTION_PURPOSE, strlen(RESTRICTION_PURPOSE),
                     code);
}

/* Whether history l holds a restriction in force at now: its record, or NULL. */
static const consent_rec *in_force(const consent_list *l, uint32_t code, int64_t now)
{
    const consent_rec *r = consent_in_force(l, code, now);
    return r && r->status == CS_GRANTED ? r : NULL;
}

int restrict_check_remove(segrt_store *s, MDB_txn *txn, int64_t now, bitset *live)
{
    uint32_t code;
    int rc = purpose_code(s, txn, &code);
    if (rc != SEGRT_OK || code == 0)
        return rc;
    bitset cand = { 0 };
    if (bitset_init(&cand, live->nbits) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    rc = restriction_candidates(s, txn, &cand);
    bitset_and(&cand, live);
    consent_list l = { 0 };
    for (uint32_t ord = bitset_next(&cand, 0); rc == SEGRT_OK && ord < cand.nbits;
         ord = bitset_next(&cand, ord + 1)) {
        l.n = 0;
        rc = consent_list_read(s, txn, ord, &l);
        if (rc == SEGRT_OK && in_force(&l, code, now))
            bitset_clear_bit(live, ord);
    }
    consent_list_free(&l);
    bitset_free(&cand);
    return rc;
}

int restrict_check_one(segrt_store *s, MDB_txn *txn, int64_t now, uint32_t ord, int64_t *since,
                       uint32_t *source)
{
    uint32_t code;
    int rc = restriction_candidate(s, txn, ord); /* one bit first: the live path asks per contact */
    if (rc <= 0)
        return rc;
    if ((rc = purpose_code(s, txn, &code)) != SEGRT_OK || code == 0)
        return rc;
    consent_list l = { 0 };
    rc = consent_list_read(s, txn, ord, &l);
    const consent_rec *r = rc == SEGRT_OK ? in_force(&l, code, now) : NULL;
    if (r && since)
        *since = r->ts;
    if (r && source)
        *source = r->source;
    consent_list_free(&l);
    return rc == SEGRT_OK ? r != NULL : rc;
}
