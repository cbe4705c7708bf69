/*
 * outbox.h — the outbox of actions (segrt/outbox.h) as stored: its record,
 * and what erasure and the store check call.
 *
 * Layout:
 *   outbox    u64 seq (MDB_INTEGERKEY) -> entry: u8 state, u8 entered, u16 0,
 *             u32 attempts, i64 at, i64 next_ms (host order), then key,
 *             segment, contact, url and last error, each NUL-terminated
 *   notified  's' segment 0 contact -> 1, and its twin 'c' contact 0 segment
 *             -> 1: the contact was last notified as a member (absent: not)
 *   meta      outbox_seq (the last seq), outbox_id (a random 64-bit number,
 *             the keys' prefix), outbox_pending, outbox_failed (entries in
 *             each state)
 * A delivered entry is deleted (segrt_outbox_settle), so the table holds
 * the backlog only. The 'c' twins let an erasure find a contact's state
 * without a scan of every segment's.
 */
#ifndef SEGRT_OUTBOX_H
#define SEGRT_OUTBOX_H

#include "store/store.h"
#include "util/buf.h"

/* Bytes before the strings of an entry. */
#define OUTBOX_HEADER 24
/* The longest notified key: LMDB's key limit. */
#define OUTBOX_NOTIFIED_KEY_MAX 511

/* Decode entry k -> v into *e (strings borrowed from v); 0, or -1 when malformed. */
int outbox_decode(const MDB_val *k, const MDB_val *v, segrt_outbox_entry *e);
/* Append the stored form of *e (all but its seq) to b; 0, or -1 when out of memory. */
int outbox_encode(buf *b, const segrt_outbox_entry *e);

/*
 * Remove contact id's entries and notified state in txn (its erasure);
 * *n (if non-NULL) receives how many entries went.
 */
int outbox_forget(segrt_store *s, MDB_txn *txn, const char *id, uint64_t *n);

/*
 * The outbox is well-formed in txn: every entry decodes, no seq is past the
 * counter, the state counters match the entries, and every notified state
 * has its twin. SEGRT_ECORRUPT ("check: ...") otherwise.
 */
int outbox_verify(segrt_store *s, MDB_txn *txn);

#endif
