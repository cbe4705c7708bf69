/*
 * proj_build.h — event projections built from the timelines: the events of
 * a range of contacts, by type, as sorted columns (proj_part.h). What a
 * chunk is rebuilt from, what a reader uses for a chunk whose projections
 * are not kept, and what segrt check compares the stored ones with.
 *
 * The timelines are keyed by ordinal and sorted by ts, so one cursor pass
 * appends every event in (ord, ts) order: no sort.
 *
 * Uses: proj_part.h, event.h (the timeline value layout), store.h.
 */
#ifndef SEGRT_PROJ_BUILD_H
#define SEGRT_PROJ_BUILD_H

#include "store/proj_part.h"

typedef struct proj_build {
    uint32_t only; /* 0: every type, t indexed by code; else only this type, in t[0] */
    proj_cols *t;
    size_t nt, cap;
} proj_build;

/*
 * Append the events of the timelines of contacts [lo, hi) in txn to b (set
 * b->only first). The map pages the pass reads are given back as it goes.
 */
int proj_build_range(segrt_store *s, MDB_txn *txn, uint32_t lo, uint32_t hi, proj_build *b);
/* The columns of type in b, or NULL when it has no events of that type. */
proj_cols *proj_build_of(proj_build *b, uint32_t type);
void proj_build_free(proj_build *b);

#endif
