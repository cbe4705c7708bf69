/*
 * merge.h — merging a group of duplicate contacts into its survivor
 * (merge.c), undoing a merge from what the store kept (merge_undo.c), and
 * what the erasure of a contact does about merges (merge_store.c).
 */
#ifndef SEGRT_MERGE_H
#define SEGRT_MERGE_H

#include "dedupe.h"
#include "event.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

/* The source of the consent records a merge adds to keep the most protective state. */
#define MERGE_CONSENT_SOURCE "dedupe"

/* What merges moved, for the caller's summary. */
typedef struct merge_totals {
    uint64_t contacts;   /* merged away */
    uint64_t events;     /* added to survivors' timelines */
    uint64_t consents;   /* consent records added to survivors (protective ones included) */
    uint64_t protective; /* of which copies of a withdrawal, denial or objection */
    uint64_t filled;     /* fields filled on survivors */
} merge_totals;

/*
 * Merge group g (found by key by) into g->ord[0] in txn, as segrt_dedupe()
 * describes: audit entry "merge" by actor, undo record under its sequence
 * number (*merge_id). Leaves the projections and the id order stale: the
 * caller refreshes them once after all its groups.
 */
int merge_group(segrt_store *s, MDB_txn *txn, const dup_group *g, int by, const char *actor,
                uint64_t *merge_id, merge_totals *t);

/* Add sign (+1 or -1) per event of l to the "events" and per-type counters. */
int merge_count_events(segrt_store *s, MDB_txn *txn, const ev_list *l, int sign);

/*
 * For the erasure of contact ord (external id): drop the undo records of
 * the merges into it and of those it holds, transitively (a merged contact
 * that had survived an earlier merge), and of any merge that took a
 * contact with this id. *n (if non-NULL) receives how many went.
 */
int merge_forget(segrt_store *s, MDB_txn *txn, uint32_t ord, const char *id, uint64_t *n);

/*
 * The merge whose record holds the merged contact id (or, id NULL, the
 * ordinal ord): *merge its id (0 when none) and *into its survivor.
 */
int merge_holding(segrt_store *s, MDB_txn *txn, const char *id, uint32_t ord, uint64_t *merge,
                  uint32_t *into);

/* "'id'" of contact ord into out, or "contact#ord (merged since)" when it is gone. */
int merge_contact_name(segrt_store *s, MDB_txn *txn, uint32_t ord, char *out, size_t n);

/*
 * For an erasure of id, which is no contact: SEGRT_ENOTFOUND with a message
 * that, when a merge took a contact with this id, names the contact it went
 * into and the merge.
 */
int merge_erase_hint(segrt_store *s, MDB_txn *txn, const char *id);

#endif
