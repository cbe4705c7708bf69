/*
 * restrict_check.h — restriction of processing (GDPR Art. 18) at NOW: a
 * contact is restricted while its record in force for the purpose
 * "restriction" is granted. Restricted contacts are stored and exportable
 * to the person, and left out of every evaluation (script_eval.c and
 * plan_one.c take them out of the live contacts), hence out of segments,
 * scores, fits, renders and members. Only the contacts store/restriction.h
 * notes as having such a record are looked up.
 *
 * Uses: restriction.h, consent.h (histories), dict.h (the purpose's code).
 */
#ifndef SEGRT_RESTRICT_CHECK_H
#define SEGRT_RESTRICT_CHECK_H

#include "store/store.h"
#include "util/bitset.h"

/* Clear from live (over ordinals) the contacts restricted at now. */
int restrict_check_remove(segrt_store *s, MDB_txn *txn, int64_t now, bitset *live);
/*
 * Whether contact ord is restricted at now: 1 (then *since is the record's
 * ts and *source its source code, 0 for none, when they are not NULL), 0,
 * or an error (< 0).
 */
int restrict_check_one(segrt_store *s, MDB_txn *txn, int64_t now, uint32_t ord, int64_t *since,
                       uint32_t *source);

#endif
