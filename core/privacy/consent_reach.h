/*
 * consent_reach.h — how many of a set of contacts a channel reaches: the
 * members who pass the consent check of a purpose at NOW (consent_check.h),
 * counted without changing the set. The segment profile's reachability per
 * purpose, and the report's reachable share per channel per segment.
 *
 * Uses: consent_check.h, bitset.h, tree.h.
 */
#ifndef SEGRT_CONSENT_REACH_H
#define SEGRT_CONSENT_REACH_H

#include "privacy/consent_check.h"

/*
 * Into *reached: how many contacts of members pass the consent check of
 * purpose at now under def (its seg.consent definition from the script's
 * catalog; NULL: the defaults, consent or legitimate interest). check
 * runs the definition's check function: required when it has one (else
 * SEGRT_EINVAL), may be NULL when it has none.
 * members is left as it is. SEGRT_OK, or an error recorded on s (*reached 0).
 */
int consent_reach_count(segrt_store *s, MDB_txn *txn, int64_t now, const char *purpose,
                        const tree *def, const bitset *members, consent_check_fn check, void *ud,
                        uint64_t *reached);

#endif
