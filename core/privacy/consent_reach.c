/*
 * consent_reach.c — consent_reach_count() (consent_reach.h): the rule of
 * the purpose read from its definition, applied to a copy of the members
 * (consent_check_filter picks a lookup or a scan by the set's size), counted.
 *
 * Uses: consent_check.h, bitset.h.
 */
#include "privacy/consent_reach.h"

#include <string.h>

int consent_reach_count(segrt_store *s, MDB_txn *txn, int64_t now, const char *purpose,
                        const tree *def, const bitset *members, consent_check_fn check, void *ud,
                        uint64_t *reached)
{
    *reached = 0;
    consent_check_rule rule;
    bitset pass = { 0 };
    int rc = consent_check_rule_read(s, txn, purpose, def, &rule);
    if (rc == SEGRT_OK && rule.has_check && check == NULL)
        rc = store_fail(s, SEGRT_EINVAL, "consent '%s' has a check function and none was given",
                        purpose);
    if (rc == SEGRT_OK && bitset_init(&pass, members->nbits) != 0)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK) {
        memcpy(pass.w, members->w, bitset_words(members->nbits) * sizeof *pass.w);
        rc = consent_check_filter(s, txn, now, &rule, &pass, check, ud);
    }
    if (rc == SEGRT_OK)
        *reached = bitset_count(&pass);
    bitset_free(&pass);
    return rc;
}
