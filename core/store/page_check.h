/*
 * page_check.h — the data file's B-tree pages checked by LMDB's on-disk
 * format before LMDB walks them (page_check.c), for segrt check.
 */
#ifndef SEGRT_PAGE_CHECK_H
#define SEGRT_PAGE_CHECK_H

#include "store/store.h"

/*
 * Check every page reachable in the snapshot of txn (a read transaction on
 * s). SEGRT_OK; SEGRT_ECORRUPT naming the table, the page and the damage;
 * SEGRT_EIO when the file cannot be read.
 */
int store_page_check(segrt_store *s, MDB_txn *txn);
/*
 * The same for what opening a store walks: the main table, which names the
 * others, and the others' root pages; a few pages, cheap at every open.
 */
int store_page_check_tables(segrt_store *s, MDB_txn *txn);
/*
 * store_page_check of the latest snapshot, in a read transaction of its own:
 * before a bulk write (retention), which would walk pages no open checked.
 * A store found damaged is flagged, as segrt check flags it.
 */
int store_pages_sound(segrt_store *s);
/*
 * After a transaction failed with rc: when LMDB's code (s->last_mdb_rc)
 * could mean a damaged page, check every page; damage found is flagged and
 * returned as SEGRT_ECORRUPT naming the page. Otherwise rc, and its message.
 */
int store_page_diagnose(segrt_store *s, int rc);

#endif
