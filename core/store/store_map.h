/*
 * store_map.h — giving back the pages of the store's map that a process has
 * read. The map is a shared, read-only file mapping (the store does not use
 * MDB_WRITEMAP; pages a write transaction changes live in the heap), so
 * dropping its pages from the process only costs a fault if they are read
 * again: their bytes stay in the page cache. Without this a pass over every
 * timeline, or a big import, leaves much of the store resident in the
 * process.
 *
 * Uses: store.h; Linux /proc/self/maps (elsewhere nothing is released).
 */
#ifndef SEGRT_STORE_MAP_H
#define SEGRT_STORE_MAP_H

#include "store/store.h"

/*
 * Drop every page of s's map from the process. Pointers into the map stay
 * valid (the mapping is kept); reading through them faults the page back.
 */
void store_map_release(segrt_store *s);

#endif
