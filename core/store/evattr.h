/*
 * evattr.h — the types of extra event attributes (any attribute beyond ts,
 * type, amount, category, channel and event_id), by dotted path: "coupon",
 * or "campaign.id" for a key of a nested JSON object. Kept in meta as
 * "evattr:<path>" -> u8 segrt_type; an attribute is typed when an import
 * first meets it (or --field declares it) and keeps that type, so every
 * stored value reads as it (plan_extra.c).
 */
#ifndef SEGRT_EVATTR_H
#define SEGRT_EVATTR_H

#include "store/store.h"

#include <stddef.h>

#define EVATTR_MAX_PATH 128 /* bytes of a dotted path */

/*
 * Whether path[0..n) is names joined by '.', each as schema_valid_name()
 * wants, at most EVATTR_MAX_PATH bytes.
 */
int evattr_valid_path(const char *path, size_t n);
/* The type of an attribute as of txn (NULL: a fresh read txn); SEGRT_ENOTFOUND when untyped. */
int evattr_get(segrt_store *s, MDB_txn *txn, const char *path, size_t n, segrt_type *type);
/*
 * Type an attribute in a write txn. The same type again is a no-op; another
 * type is SEGRT_ESCHEMA ("event attribute 'x' is already typed number").
 */
int evattr_put(segrt_store *s, MDB_txn *txn, const char *path, size_t n, segrt_type type);
/*
 * Whether some typed attribute lies under path ("campaign" for
 * "campaign.id"): 1 yes, 0 no, or a negative SEGRT_E... code.
 */
int evattr_is_parent(segrt_store *s, MDB_txn *txn, const char *path, size_t n);
/* What evattr_foreach calls per attribute, in path order; non-zero stops and is returned. */
typedef int (*evattr_fn)(void *ud, const char *path, size_t n, segrt_type type);
int evattr_foreach(segrt_store *s, MDB_txn *txn, evattr_fn fn, void *ud);

#endif
