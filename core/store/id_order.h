/*
 * id_order.h — contact ordinals in byte order of their external ids, kept
 * as derived data next to the id index so that id-ordered work (NTILE tie
 * breaks, S11) reads one contiguous array instead of walking the index's
 * pages, which are scattered through the map.
 *
 * Stored in meta under "id_order": u64 next_ord, u64 contacts (when it was
 * built), then u32 ordinals. Ordinals are never reused, so the order stays
 * valid while next_ord is unchanged: a contact erased or merged away since
 * keeps its place, and readers skip ordinals that are not live. An undone
 * merge brings back a contact that a rebuild since may have left out, so it
 * rebuilds the order. Rebuilt after contact imports add contacts; a reader
 * that finds it stale walks the id index instead.
 */
#ifndef SEGRT_ID_ORDER_H
#define SEGRT_ID_ORDER_H

#include "store/store.h"

#include <stdint.h>

typedef struct id_order {
    const uint32_t *ord;
    uint32_t n;
    int stored;  /* read from the stored order (it was valid), not walked from the index */
    void *owned; /* memory to free when not borrowed from the map */
} id_order;

/*
 * The ordinals of contacts in id order, as of txn: every live contact's,
 * and perhaps some of contacts no longer live (to be skipped).
 */
int id_order_get(segrt_store *s, MDB_txn *txn, id_order *out);
void id_order_release(id_order *o);
/* Rebuild the stored order in txn when it is stale (contacts were added). */
int id_order_refresh(segrt_store *s, MDB_txn *txn);
/* Rebuild the stored order in txn from the id index, stale or not (a merge undone). */
int id_order_rebuild(segrt_store *s, MDB_txn *txn);
/* id_order_refresh in a write transaction of its own. */
int id_order_update(segrt_store *s);
/*
 * What segrt check asks: the stored order, when it is valid, lists every
 * contact of the id index in the index's order (ordinals of contacts gone
 * since are skipped). SEGRT_OK or SEGRT_ECORRUPT with a message.
 */
int id_order_verify(segrt_store *s, MDB_txn *txn);

#endif
