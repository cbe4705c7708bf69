/*
 * map_util.h — for the tests of writes that fill the map: the store's map
 * set to the pages it has used so far and a few more, so that the next
 * write meets MDB_MAP_FULL unless it only reuses free pages.
 *
 * Header-only, like test_util.h. Uses: cmocka, segrt.h, the internal store.h.
 */
#ifndef SEGRT_TEST_MAP_UTIL_H
#define SEGRT_TEST_MAP_UTIL_H

#include "segrt.h"
#include "store/store.h"

/* Set s's map to its used pages and spare_pages more; returns that size in bytes. */
static inline size_t tu_map_to_used(segrt_store *s, size_t spare_pages)
{
    MDB_envinfo info;
    MDB_stat st;
    assert_int_equal(mdb_env_info(s->env, &info), 0);
    assert_int_equal(mdb_env_stat(s->env, &st), 0);
    size_t bytes = ((size_t)info.me_last_pgno + 1 + spare_pages) * st.ms_psize;
    assert_int_equal(segrt_store_set_mapsize(s, bytes), SEGRT_OK);
    return bytes;
}

#endif
