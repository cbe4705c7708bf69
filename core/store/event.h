/*
 * event.h — a contact's event timeline, one LMDB value per contact.
 *
 * Value: a count, the records in time order, and a heap (event_blob.h has
 * the bytes). A record's var is 0, or 1 + the heap offset of its variable
 * part: varint length + event_id, varint length + extra attributes as
 * compact JSON.
 */
#ifndef SEGRT_EVENT_H
#define SEGRT_EVENT_H

#include "store/store.h"
#include "util/buf.h"

#include <stddef.h>
#include <stdint.h>

typedef struct event_rec {
    int64_t ts;
    int64_t amount;    /* micro-units, VALUE_MISSING when absent */
    uint32_t type;     /* dictionary codes (FIELD_EV_*), 0 = absent */
    uint32_t category;
    uint32_t channel;
    uint32_t var;
} event_rec;

typedef struct event_list {
    event_rec *recs;
    size_t n, cap;
    buf heap;
} event_list;

void event_list_clear(event_list *l);
void event_list_free(event_list *l);
/* The number of events a stored timeline holds, from its header; -1 when it is corrupt. */
int event_list_count(const void *data, size_t size, uint32_t *n);
/* Append the events stored in a value. -1 corrupt, -2 out of memory. */
int event_list_decode(event_list *l, const void *data, size_t size);
/*
 * Append the timeline stored for contact ord as of txn to l (nothing when it
 * has none). SEGRT_OK, or SEGRT_ENOMEM, SEGRT_ECORRUPT ("events of contact
 * N are corrupt") or an LMDB error, recorded on s.
 */
int event_list_read(segrt_store *s, MDB_txn *txn, uint32_t ord, event_list *l);
/*
 * The ts of the newest event of a stored timeline, read in place (nothing is
 * decoded), or VALUE_MISSING when it holds none. -1 when the value is corrupt.
 */
int event_list_newest(const void *data, size_t size, int64_t *ts);
/* Append one event with its optional event_id and extra JSON. -1 out of memory. */
int event_list_add(event_list *l, const event_rec *r, const char *eid, size_t eidlen, const char *extra,
                size_t extralen);
/*
 * Fold events [nold, n) into the time-ordered [0, nold): a new event with
 * the event_id of an earlier one replaces it; events without an event_id
 * count as multisets of identical ones (same ts, type, amount, category,
 * channel and extra attributes): k held and m new copies end as max(k, m),
 * so the same input merged again adds nothing while identical events within
 * one input stay distinct. Leaves the list sorted by ts. -1 out of memory.
 */
int event_list_merge(event_list *l, size_t nold);
/*
 * event_list_merge, for an input merged in several parts: prior[i - nold]
 * is how many events identical to new event i (without an event_id) earlier
 * parts of its input held (NULL: none). The event is the (prior + 1 + the
 * identical new events before it)-th of its input, and is kept only while
 * fewer than that many identical events are held.
 */
int event_list_merge_prior(event_list *l, size_t nold, const uint32_t *prior);
/*
 * How many of the time-ordered events [0, n) of l are the same event as r
 * (a record of l: identical content, or the same event_id).
 */
size_t event_list_count_same(const event_list *l, size_t n, const event_rec *r);
int event_list_encode(const event_list *l, buf *out);
/*
 * Append to out the events of a that b lacks, as multisets of identical
 * events (same ts, type, amount, category, channel, event_id and extra
 * attributes; each event of b matches one of a at most). Both in time
 * order. -1 out of memory.
 */
int event_list_minus(const event_list *a, const event_list *b, event_list *out);
/* The variable part of a record (empty strings when var == 0). */
void event_var(const event_list *l, const event_rec *r, const char **eid, size_t *eidlen,
            const char **extra, size_t *extralen);

#endif
