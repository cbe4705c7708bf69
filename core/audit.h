/*
 * audit.h — the append-only audit log: time, actor, action, contact ordinal,
 * and a detail that never holds personal data.
 */
#ifndef SEGRT_AUDIT_H
#define SEGRT_AUDIT_H

#include "store.h"

/* Append an entry in txn (ts is the wall clock). */
int audit_append(segrt_store *s, MDB_txn *txn, const char *actor, const char *action,
                 uint32_t ord, const char *detail);

#endif
