/*
 * projection.h — per-event-type projections: the events of one type as
 * parallel arrays sorted by (contact ordinal, ts), read in place from the
 * map, so that windowed aggregates scan only the bytes they need (DESIGN
 * "Store", "Writes cost what they change").
 *
 * A type's projection is stored in chunks of contact ordinals, each a base
 * and the small runs writes appended since the chunk was last compacted
 * (proj_part.h); writes keep them current in their own transaction
 * (proj_update.h). A reader gets a type as parts: each part's arrays and
 * the index ranges of it (spans) that hold current events. Every contact's
 * events are in one part, contiguous and in time order, so a fold into
 * per-contact slots gives the same result whatever order the parts and
 * spans are read in:
 *
 *   for (size_t k = 0; k < set.nparts; k++)
 *       for (size_t j = 0; j < set.part[k].nspan; j++)
 *           for (size_t i = set.part[k].span[j].lo; i < set.part[k].span[j].hi; i++)
 *               ... set.part[k].ord[i], set.part[k].ts[i] ...
 */
#ifndef SEGRT_PROJECTION_H
#define SEGRT_PROJECTION_H

#include "store/store.h"
#include "util/value.h"

#include <stddef.h>
#include <stdint.h>

/* Events [lo, hi) of a part. */
typedef struct projection_span {
    uint32_t lo, hi;
} projection_span;

/* One part: parallel arrays of n events sorted by (ord, ts), and the spans of it to read. */
typedef struct projection {
    size_t n;
    const uint32_t *ord;      /* contact ordinal, ascending */
    const int64_t *ts;        /* ascending within a contact */
    /* NULL when no event of the part has one: read them with projection_amount etc. */
    const int64_t *amount;    /* micro-units, VALUE_MISSING when absent */
    const uint32_t *category; /* FIELD_EV_CATEGORY codes, 0 = absent */
    const uint32_t *channel;  /* FIELD_EV_CHANNEL codes, 0 = absent */
    const uint32_t *seq;      /* index of the event in its contact's timeline (extra attributes) */
    const projection_span *span; /* ascending, disjoint, none empty */
    size_t nspan;
} projection;

/* Event i's amount, category and channel, of a part that may have left the column out. */
static inline int64_t projection_amount(const projection *p, size_t i)
{
    return p->amount ? p->amount[i] : VALUE_MISSING;
}

static inline uint32_t projection_category(const projection *p, size_t i)
{
    return p->category ? p->category[i] : 0;
}

static inline uint32_t projection_channel(const projection *p, size_t i)
{
    return p->channel ? p->channel[i] : 0;
}

/* The parts of one type's projection. */
typedef struct projection_set {
    projection *part;
    size_t nparts;
    size_t events; /* the events in the spans of every part */
    void *owned;   /* what projection_release frees */
} projection_set;

/*
 * The projection of event type @p type (a FIELD_EV_TYPE code) as of @p txn:
 * arrays borrowed from the map (valid until txn ends, or in a write txn
 * until its next update) or, for a small part stored unaligned and for a
 * chunk whose projections are not kept (a bulk import under way), built in
 * memory. Every array is aligned for its element type; parts with nothing
 * to read are left out (a type without events has none). *out is zeroed on
 * failure.
 */
int projection_get(segrt_store *s, MDB_txn *txn, uint32_t type, projection_set *out);
/* Free what projection_get owns and zero *p; accepts NULL and a zeroed set. */
void projection_release(projection_set *p);

#endif
