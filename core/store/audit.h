/*
 * audit.h — the append-only audit log: time, actor, action, contact ordinal,
 * and a detail that never holds personal data.
 */
#ifndef SEGRT_AUDIT_H
#define SEGRT_AUDIT_H

#include "store/store.h"

/* Append an entry in txn (ts is the wall clock). */
int audit_append(segrt_store *s, MDB_txn *txn, const char *actor, const char *action,
                 uint32_t ord, const char *detail);
/* The same; *seq (if non-NULL) receives the entry's sequence number. */
int audit_append_seq(segrt_store *s, MDB_txn *txn, const char *actor, const char *action,
                     uint32_t ord, const char *detail, uint64_t *seq);
/* Entry seq of the log (strings borrowed until txn ends); SEGRT_ENOTFOUND when none. */
int audit_get(segrt_store *s, MDB_txn *txn, uint64_t seq, segrt_audit_entry *e);

#endif
