/*
 * proj_index.h — what the projections table holds, from its keys alone
 * (proj_part.h): the (type, chunk) pairs that have parts, and the chunks
 * whose projections are not kept. What a write needs to find the old
 * events of the contacts it changed, and what segrt check walks.
 *
 * Uses: proj_part.h, store.h.
 */
#ifndef SEGRT_PROJ_INDEX_H
#define SEGRT_PROJ_INDEX_H

#include "store/proj_part.h"

typedef struct proj_index {
    proj_key *pair;   /* part 0; sorted by (chunk, type) */
    size_t npairs, pairs_cap;
    uint32_t *dirty;  /* sorted */
    size_t ndirty, dirty_cap;
} proj_index;

/*
 * Read the keys of the projections table in txn (with pairs 0, only the
 * dirty chunks: their keys come last). SEGRT_ECORRUPT on a malformed key.
 */
int proj_index_load(segrt_store *s, MDB_txn *txn, int pairs, proj_index *out);
void proj_index_free(proj_index *x);
/* The pairs of chunk: *first is the index of its first in x->pair, the count is returned. */
size_t proj_index_chunk(const proj_index *x, uint32_t chunk, size_t *first);
/* Whether chunk's projections are not kept (a binary search). */
int proj_index_dirty(const proj_index *x, uint32_t chunk);

#endif
