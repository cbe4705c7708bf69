/*
 * proj_verify.h — what segrt check asks of the event projections
 * (projection.h): every stored part well formed, and each chunk's parts,
 * resolved, equal to the chunk rebuilt from its timelines.
 *
 * Uses: proj_pair.h, proj_index.h, proj_build.h, dict.h, store.h.
 */
#ifndef SEGRT_PROJ_VERIFY_H
#define SEGRT_PROJ_VERIFY_H

#include "store/store.h"

/*
 * SEGRT_OK, or SEGRT_ECORRUPT with a message ("check: the projection of
 * event type N (name) ...") at the first difference. A chunk marked for
 * rebuilding is not kept, not read as stored, and not compared. Memory:
 * one chunk's events at a time.
 */
int proj_verify(segrt_store *s, MDB_txn *txn);

#endif
