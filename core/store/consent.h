/*
 * consent.h — a contact's consent history (GDPR Art. 7(1): the proof of
 * consent is the full history), one LMDB value per contact.
 *
 * Value: u32 count, then the records in import order, in one of two forms
 * told apart by the count's top bit:
 *  - compact (set; written since store format 5): per record a flags byte
 *    (C_* in consent.c), status and basis bytes, varint zigzag of ts minus
 *    the previous record's (the first's from 0), varint purpose, then only
 *    what the flags name: source, the expiry as a delta from ts, and seq
 *    when it is not the previous record's + 1. A record takes about 10 bytes.
 *  - fixed (clear; format 4 and before, still read): 32-byte images of
 *    consent_rec. A history is written compact when a write changes it.
 */
#ifndef SEGRT_CONSENT_H
#define SEGRT_CONSENT_H

#include "store/store.h"
#include "util/buf.h"

#include <stddef.h>
#include <stdint.h>

enum consent_status { CS_GRANTED = 1, CS_WITHDRAWN, CS_DENIED };
enum consent_basis { CS_BASIS_NONE, CS_CONSENT, CS_LEGITIMATE_INTEREST, CS_CONTRACT,
                CS_LEGAL_OBLIGATION, CS_VITAL_INTEREST, CS_PUBLIC_TASK };

typedef struct consent_rec {
    int64_t ts;
    int64_t expires;  /* VALUE_MISSING when it never expires */
    uint32_t purpose; /* dictionary codes (FIELD_CS_*) */
    uint32_t source;  /* 0 = absent */
    uint32_t seq;     /* import order within the contact */
    uint8_t status;
    uint8_t basis;
    uint16_t pad;
} consent_rec;

typedef struct consent_list {
    consent_rec *recs;
    size_t n, cap;
} consent_list;

void consent_list_free(consent_list *l);
/* Append the records of a stored value. -1 corrupt, -2 out of memory. */
int consent_list_decode(consent_list *l, const void *data, size_t size);
/*
 * Append the history stored for contact ord as of txn to l (nothing when it
 * has none). SEGRT_OK, or SEGRT_ENOMEM, SEGRT_ECORRUPT ("consents of
 * contact N are corrupt") or an LMDB error, recorded on s.
 */
int consent_list_read(segrt_store *s, MDB_txn *txn, uint32_t ord, consent_list *l);
/*
 * The ts of the newest record of a stored history, read in place, or
 * VALUE_MISSING when it holds none. -1 when the value is corrupt.
 */
int consent_list_newest(const void *data, size_t size, int64_t *ts);
/* Append a record as it is. -1 out of memory. */
int consent_list_push(consent_list *l, const consent_rec *r);
/* Append a record unless an identical one is held; *added tells. -1 out of memory. */
int consent_list_add(consent_list *l, const consent_rec *r, int *added);
int consent_list_encode(const consent_list *l, buf *out);
/*
 * The record in force for purpose at now (SPEC §2): the latest ts <= now;
 * on a tie a record that is not granted wins, then the earliest expiry,
 * then the one imported last. NULL when the contact has none.
 */
const consent_rec *consent_in_force(const consent_list *l, uint32_t purpose, int64_t now);

/* Names <-> enum values; parse returns 0 when unknown. */
int consent_status_parse(const char *s, size_t n);
const char *consent_status_name(int status);
int consent_basis_parse(const char *s, size_t n);
const char *consent_basis_name(int basis);

#endif
