/*
 * dedupe.h — finding duplicate contacts: the contacts that share a key
 * (normalised e-mail, E.164 phone number, folded name and city), grouped,
 * each group ordered by a survivor rule (segrt_dedupe reports and merges
 * them, merge.h).
 */
#ifndef SEGRT_DEDUPE_H
#define SEGRT_DEDUPE_H

#include "util/buf.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* One group; it owns its key, ordinals and ids (dedupe_groups_free). */
typedef struct dedupe_group {
    const char *key;        /* NUL-terminated */
    size_t n;               /* 2 or more */
    const uint32_t *ord;    /* survivor first, then in the rule's order */
    const char *const *ids; /* NUL-terminated, in the same order */
} dedupe_group;

typedef struct dedupe_groups {
    dedupe_group *g; /* in byte order of the keys */
    size_t n;
} dedupe_groups;

/* A contact whose value gives no key: its id, the value and why. */
typedef int (*dup_unreadable_fn)(void *ud, const char *id, const char *value, const char *why);

/*
 * The groups of live contacts in txn that share the key of by (a
 * segrt_dedupe_by), ordered by rule (a segrt_survivor). unreadable (may be
 * NULL) hears of values that give no key; its non-zero return stops and is
 * returned. SEGRT_EINVAL, with a message, when the store lacks a field the
 * key needs. *out is empty on failure.
 */
int dedupe_find(segrt_store *s, MDB_txn *txn, int by, int rule, dup_unreadable_fn unreadable,
                void *ud, dedupe_groups *out);
void dedupe_groups_free(dedupe_groups *g);

/* The name of a segrt_dedupe_by ("email"), or NULL. */
const char *dedupe_by_name(int by);

#endif
