/*
 * restriction.h — who may be restricted (GDPR Art. 18): a bitset column of
 * the contacts that have a consent record of the purpose "restriction",
 * whatever its status. Whether the restriction is in force at NOW is read
 * from those contacts' histories alone (privacy/consent_check.h), so an
 * evaluation pays nothing when nobody was ever restricted and a lookup per
 * candidate otherwise.
 */
#ifndef SEGRT_RESTRICTION_H
#define SEGRT_RESTRICTION_H

#include "store/store.h"
#include "util/bitset.h"

#define RESTRICTION_PURPOSE "restriction"

/* Note in txn that contact ord has a restriction record. */
int restriction_note(segrt_store *s, MDB_txn *txn, uint32_t ord);
/* OR into out (over ordinals) the contacts with a restriction record. */
int restriction_candidates(segrt_store *s, MDB_txn *txn, bitset *out);
/* Whether contact ord has a restriction record: 1, 0, or an error (< 0). */
int restriction_candidate(segrt_store *s, MDB_txn *txn, uint32_t ord);

#endif
