/*
 * compact_used.c — which strings of the event and consent dictionaries the
 * compacting copy keeps (compact_copy.c): the event categories, channels
 * and consent sources that a stored timeline or consent history still
 * uses, or another record its caller marks (merge undo records, dedupe/).
 *
 * An erasure drops a contact's timeline and consent history but not these
 * strings: whether another contact still uses one is known only by reading
 * every timeline, which the compact does anyway. Event types and consent
 * purposes are kept: the counters, projections and scripts name them.
 *
 * Uses: store.h, compact.h, event.h, consent.h, schema.h, array.h.
 */
#include "store/compact.h"

#include "store/consent.h"
#include "store/event.h"
#include "store/schema.h"
#include "util/array.h"

#include <stdlib.h>
#include <string.h>

/* The index of a pruned dictionary in compact_used, or -1. */
static int slot_of(uint16_t field)
{
    switch (field) {
    case FIELD_EV_CATEGORY:
        return 0;
    case FIELD_EV_CHANNEL:
        return 1;
    case FIELD_CS_SOURCE:
        return 2;
    default:
        return -1;
    }
}

/* Mark code (0: none) of the dictionary in slot i; -2 out of memory. */
static int mark(compact_used *u, int i, uint32_t code)
{
    if (code == 0)
        return 0;
    if (ARRAY_RESERVE_ZERO(u->used[i], u->cap[i], (size_t)code + 1) != 0)
        return -2;
    u->used[i][code] = 1;
    return 0;
}

int compact_used_events(compact_used *u, const void *data, size_t n)
{
    event_list l = { 0 };
    int rc = n ? event_list_decode(&l, data, n) : 0; /* an empty blob: none */
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        rc = mark(u, 0, l.recs[i].category);
        if (rc == 0)
            rc = mark(u, 1, l.recs[i].channel);
    }
    event_list_free(&l);
    return rc;
}

int compact_used_consents(compact_used *u, const void *data, size_t n)
{
    consent_list l = { 0 };
    int rc = n ? consent_list_decode(&l, data, n) : 0;
    for (size_t i = 0; i < l.n && rc == 0; i++)
        rc = mark(u, 2, l.recs[i].source);
    consent_list_free(&l);
    return rc;
}

static int used_in(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    (void)txn;
    compact_used *u = ud;
    int events = u->scanning == DB_EVENTS;
    int rc = events ? compact_used_events(u, v->mv_data, v->mv_size)
                    : compact_used_consents(u, v->mv_data, v->mv_size);
    uint32_t ord = 0;
    if (rc == -2)
        return store_fail(s, SEGRT_ENOMEM, "out of memory compacting");
    if (rc != 0 && k->mv_size == sizeof ord)
        memcpy(&ord, k->mv_data, sizeof ord);
    return rc == 0 ? SEGRT_OK
                   : store_fail(s, SEGRT_ECORRUPT, "the %s of contact %u are corrupt",
                                events ? "events" : "consent records", ord);
}

int compact_used_scan(segrt_store *s, MDB_txn *txn, compact_used *u)
{
    u->scanning = DB_EVENTS;
    int rc = store_scan(s, txn, DB_EVENTS, NULL, 0, "reading the timelines", used_in, u);
    u->scanning = DB_CONSENTS;
    if (rc == SEGRT_OK)
        rc = store_scan(s, txn, DB_CONSENTS, NULL, 0, "reading the consent records", used_in, u);
    return rc;
}

int compact_used_keeps(const compact_used *u, const MDB_val *k)
{
    const unsigned char *p = k->mv_data;
    if (k->mv_size != 6) /* not a (field u16, code u32) big-endian key */
        return 1;
    int i = slot_of((uint16_t)(p[0] << 8 | p[1]));
    uint32_t code = (uint32_t)p[2] << 24 | (uint32_t)p[3] << 16 | (uint32_t)p[4] << 8 | p[5];
    return i < 0 || (code < u->cap[i] && u->used[i][code]);
}

void compact_used_free(compact_used *u)
{
    for (int i = 0; i < 3; i++)
        free(u->used[i]);
    *u = (compact_used){ 0 };
}
