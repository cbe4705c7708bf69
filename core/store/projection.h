/*
 * projection.h — per-event-type projections: the events of one type over all
 * contacts as parallel arrays, sorted by (contact ordinal, ts), so windowed
 * aggregates scan only the bytes they need (DESIGN "Store").
 *
 * Projections are derived data. Every write that changes events (an events
 * import batch, an erase) adds 1 to the meta counter "ev_gen"; the stored
 * projections carry the ev_gen they were built at ("proj_gen") and are
 * rebuilt after an events import and inside an erase. A reader that finds
 * them stale builds the type it asks for in memory from the timelines, so a
 * reader is always correct and usually fast.
 */
#ifndef SEGRT_PROJECTION_H
#define SEGRT_PROJECTION_H

#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* Meta counter bumped by every write that changes a timeline. */
#define EV_GEN_COUNTER "ev_gen"

typedef struct projection {
    size_t n;                /* events of this type */
    const uint32_t *ord;     /* contact ordinal, ascending */
    const int64_t *ts;       /* ascending within a contact */
    const int64_t *amount;   /* micro-units, VALUE_MISSING when absent */
    const uint32_t *category; /* FIELD_EV_CATEGORY codes, 0 = absent */
    const uint32_t *channel;  /* FIELD_EV_CHANNEL codes, 0 = absent */
    const uint32_t *seq;     /* index of the event in its contact's timeline (extra attributes) */
    void *owned;             /* NULL when every array is borrowed from the map; else memory
                              * (built arrays, or copies of misaligned ones) for projection_release */
} projection;

/*
 * The projection of event type @p type (a FIELD_EV_TYPE code) in @p txn:
 * borrowed from the map (valid until txn ends, or in a write txn until its
 * next update) when fresh, else built in memory by one pass over the
 * timelines. A type without events gives n == 0 and empty, non-NULL arrays.
 * Every array is aligned for its element type. *out is zeroed on failure.
 */
int projection_get(segrt_store *s, MDB_txn *txn, uint32_t type, projection *out);
/* Free what projection_get owns and zero *p; accepts NULL and a zeroed struct. */
void projection_release(projection *p);

/*
 * When ev_gen moved past the stored projections, rebuild every type in txn
 * (one pass over the timelines, about 32 bytes of memory per event) and tag
 * them with ev_gen. Nothing to do when they are fresh.
 */
int projection_refresh(segrt_store *s, MDB_txn *txn);
/* projection_refresh in a write transaction of its own (store_write: survives MAP_FULL). */
int projection_update(segrt_store *s);

/*
 * For segrt_store_check: when the projections are fresh, SEGRT_ECORRUPT
 * (with a message) unless they equal a rebuild from the timelines. Stale
 * projections are not read by anyone and pass.
 */
int projection_verify(segrt_store *s, MDB_txn *txn);

#endif
