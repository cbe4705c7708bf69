/*
 * proj_update.h — keeping the event projections (projection.h) current in
 * the write transaction that changes timelines, at a cost that follows what
 * the write changed (DESIGN "Writes cost what they change").
 *
 * A writer calls proj_update_touch for every contact whose timeline it is
 * about to change (the timeline as it is then, the one the projections
 * hold, is kept) and, before it commits, proj_update_flush. For each chunk
 * of contacts it touched, the flush compares each contact's events of each
 * type before and after, and appends to the (type, chunk) pairs that
 * changed a run with the contacts' events now (proj_part.h). A pair merges
 * its runs into one when it has too many, and compacts them into its base
 * when they grow past a share of it (the thresholds differ a little from
 * pair to pair, so that pairs a stream of writes touches alike do not all
 * compact in the same write). A chunk with many contacts touched is rebuilt
 * from its timelines instead; an import's batches only mark it (readers
 * build it from the timelines meanwhile) and proj_update_dirty rebuilds it
 * once the import is done.
 *
 * Uses: proj_part.h, proj_pair.h, proj_index.h, proj_build.h, event.h,
 * store.h.
 */
#ifndef SEGRT_PROJ_UPDATE_H
#define SEGRT_PROJ_UPDATE_H

#include "store/store.h"

#include <stdint.h>

/* Defaults of store_proj_policy's fields (0 there takes these). */
#define PROJ_SMALL 1024  /* a pair with at most this many events is compacted at once */
#define PROJ_RUNS 8      /* runs a pair keeps, at least, before merging them */
#define PROJ_RATIO 8     /* compact when the runs hold over 1/ratio .. 1/(2 ratio) of the base */
#define PROJ_BULK 8192   /* contacts of a chunk touched in one write that rebuild the chunk */

/*
 * Note that the timeline of contact ord is about to change in the open write
 * transaction txn, and keep it as it is (a contact touched again keeps what
 * it was first). SEGRT_ENOMEM or a read error, recorded on s.
 */
int proj_update_touch(segrt_store *s, MDB_txn *txn, uint32_t ord);

/*
 * Bring the projections of every touched contact up to date in txn, and
 * forget the touched contacts. With defer set (an import batch), a chunk to
 * rebuild is only marked, for proj_update_dirty.
 */
int proj_update_flush(segrt_store *s, MDB_txn *txn, int defer);

/* Forget the touched contacts (a new write transaction begins). */
void proj_update_reset(segrt_store *s);
/* Free what proj_update_touch keeps on s (the store closes). */
void proj_update_free(segrt_store *s);

/* Rebuild every marked chunk from its timelines, each in a write transaction of its own. */
int proj_update_dirty(segrt_store *s);

/*
 * For a store of format 2 (one projection value per type, rebuilt by every
 * write): drop its projections and mark every chunk, in txn;
 * proj_update_dirty then builds them.
 */
int proj_update_convert(segrt_store *s, MDB_txn *txn);

#endif
