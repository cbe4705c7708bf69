/*
 * merge.h — merging a group of duplicate contacts into its survivor
 * (merge.c), undoing a merge from what the store kept (merge_undo.c), and
 * what the erasure of a contact does about merges (merge_store.c).
 */
#ifndef SEGRT_MERGE_H
#define SEGRT_MERGE_H

#include "store/column.h"
#include "store/contact_remove.h"
#include "dedupe/dedupe.h"
#include "store/event.h"
#include "dedupe/merge_record.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* The source of the consent records a merge adds to keep the most protective state. */
#define MERGE_CONSENT_SOURCE "dedupe"

/*
 * Merge group g (found by key by) into g->ord[0] in txn, as segrt_dedupe()
 * describes: audit entry "merge" by actor, undo record under its sequence
 * number (*merge_id). Column values are written through cc, which the
 * caller flushes; the strings of the contacts merged away are noted in
 * *strings, which the caller sweeps (contact_remove_sweep); their timelines
 * are noted for the projections, which the caller brings up to date once
 * after all its groups (proj_update_flush).
 */
int merge_group(segrt_store *s, MDB_txn *txn, column_cache *cc, contact_remove_strings *strings,
                const dedupe_group *g, int by, const char *actor, uint64_t *merge_id);

/* Add sign (+1 or -1) per event of l to the "events" and per-type counters. */
int merge_count_events(segrt_store *s, MDB_txn *txn, const event_list *l, int sign);

/*
 * For the erasure of contact ord (external id): drop the undo records of
 * the merges into it and of those it holds, transitively (a merged contact
 * that had survived an earlier merge), and of any merge that took a
 * contact with this id. *n (if non-NULL) receives how many went.
 */
int merge_store_forget(segrt_store *s, MDB_txn *txn, uint32_t ord, const char *id, uint64_t *n);

/* A merge: its id and undo record (valid for the call); non-zero stops and is returned. */
typedef int (*merge_store_into_fn)(void *ud, uint64_t id, const merge_record *r);
/* fn(ud, merge id, undo record) for each merge into ord that can be undone, oldest first. */
int merge_store_foreach_into(segrt_store *s, MDB_txn *txn, uint32_t ord, merge_store_into_fn fn,
                             void *ud);

/*
 * The merge whose record holds the merged contact id (or, id NULL, the
 * ordinal ord): *merge its id (0 when none) and *into its survivor.
 */
int merge_store_holding(segrt_store *s, MDB_txn *txn, const char *id, uint32_t ord,
                        uint64_t *merge, uint32_t *into);

/* "'id'" of contact ord into out, or "contact#ord (merged since)" when it is gone. */
int merge_store_contact_name(segrt_store *s, MDB_txn *txn, uint32_t ord, char *out, size_t n);

/*
 * For an erasure of id, which is no contact: SEGRT_ENOTFOUND with a message
 * that, when a merge took a contact with this id, names the contact it went
 * into and the merge.
 */
int merge_store_erase_hint(segrt_store *s, MDB_txn *txn, const char *id);

#endif
