/*
 * proj_pair.h — the parts of one event type's projection in one chunk of
 * contacts (proj_part.h), read together: which run holds each contact's
 * current events (the newest that names it), and what follows from that —
 * the spans a reader reads, a contact's current events, and the chunk's
 * events as one sorted array (a compaction, a check).
 *
 * Uses: proj_part.h, store.h.
 */
#ifndef SEGRT_PROJ_PAIR_H
#define SEGRT_PROJ_PAIR_H

#include "store/proj_part.h"

/* The newest entry naming a contact: run is its index in proj_pair.run. */
typedef struct proj_win {
    uint32_t ord;
    uint32_t run;
    const proj_entry *ent;
} proj_win;

typedef struct proj_pair {
    uint32_t type, chunk;
    proj_part base;    /* ev.n 0 when there is none */
    proj_part *run;    /* oldest first */
    size_t nrun, run_cap;
    proj_win *win;     /* sorted by ord (proj_pair_resolve) */
    size_t nwin, win_cap;
    size_t delta;      /* events the winners hold, plus those they hide in the base */
} proj_pair;

/* An empty pair of (type, chunk). */
void proj_pair_init(proj_pair *p, uint32_t type, uint32_t chunk);
/* Add stored part k (of p's type and chunk, met in key order) with value v, borrowed. */
int proj_pair_add(segrt_store *s, proj_pair *p, const proj_key *k, const MDB_val *v);
/* Add a run built in memory as the newest (its arrays stay the caller's). */
int proj_pair_push(segrt_store *s, proj_pair *p, const proj_part *run);
/*
 * Find the winners after the runs were added. SEGRT_ECORRUPT when an entry
 * hides events past the end of the base (that they are its contact's is
 * for segrt check).
 */
int proj_pair_resolve(segrt_store *s, proj_pair *p);
/* The stored parts of (type, chunk) in txn, resolved; p is initialised on every path. */
int proj_pair_load(segrt_store *s, MDB_txn *txn, uint32_t type, uint32_t chunk, proj_pair *p);
void proj_pair_free(proj_pair *p);

/* The part id the next run gets: one past the newest, 1 without runs. */
uint32_t proj_pair_next_id(const proj_pair *p);
/* The newest entry naming ord, or NULL when no run does. */
const proj_win *proj_pair_find(const proj_pair *p, uint32_t ord);
/* Where ord's events are in the base: [*lo, *hi), empty when it has none. */
void proj_pair_base_range(const proj_pair *p, uint32_t ord, uint32_t *lo, uint32_t *hi);
/*
 * Append to *span (capacity *cap, *n used) the spans of part `which` (0 the
 * base, 1 + r run r) that hold current events. -1 when out of memory.
 */
int proj_pair_spans(const proj_pair *p, size_t which, projection_span **span, size_t *n,
                    size_t *cap);
/* Append the chunk's current events, sorted by (ord, ts), to out. -1 when out of memory. */
int proj_pair_materialize(const proj_pair *p, proj_cols *out);
/*
 * The runs merged into one: the winners' events into out and their entries
 * into *ent (*nent), leaving out entries that neither hold nor hide events.
 * -1 when out of memory.
 */
int proj_pair_merge_runs(const proj_pair *p, proj_cols *out, proj_entry **ent, size_t *nent);

#endif
