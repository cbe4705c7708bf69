/*
 * merge_record.h — what the store keeps to undo a merge (the merges table,
 * key: the merge id), and contact field values in a form that outlives
 * dictionary codes (an erasure drops the strings nobody uses any more).
 *
 * Record: u8 version, u8 by, varint survivor ordinal, zigzag varint NOW,
 * then blobs (varint length, bytes): the values filled on the survivor
 * (pvals), the events the merge added to the survivor's timeline and those
 * it replaced there (event.h encodings; event and consent dictionaries are
 * never pruned, so their codes stay valid), then varint n and n varint
 * sequence numbers of the consent records added to the survivor, then
 * varint n merged contacts, each: varint ordinal, blobs id, values (pvals),
 * timeline and consent history as they were stored, and the stored
 * memberships that held it (membership_held).
 *
 * pvals: varint count, then per value varint field id, u8 type and the
 * value: zigzag varint (integer, number, boolean, date, timestamp), a blob
 * (string), or varint n and n blobs (set, in the contact's order).
 */
#ifndef SEGRT_MERGE_RECORD_H
#define SEGRT_MERGE_RECORD_H

#include "util/buf.h"
#include "store/column.h"
#include "store/dict.h"
#include "store/row.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

typedef struct merge_blob {
    const unsigned char *p;
    size_t n;
} merge_blob;

/* A merged contact as it was. */
typedef struct merge_gone {
    uint32_t ord;
    merge_blob id, values, events, consents, held;
} merge_gone;

/* A decoded record: its blobs point into the bytes it was decoded from. */
typedef struct merge_record {
    int by;            /* segrt_dedupe_by */
    uint32_t survivor; /* ordinal */
    int64_t now;
    merge_blob filled, added, replaced;
    uint32_t *seqs;    /* consent records added to the survivor */
    size_t nseqs;
    merge_gone *gone;
    size_t ngone;
} merge_record;

int merge_record_encode(const merge_record *r, buf *out);
/* 0, -1 corrupt, -2 out of memory; free with merge_record_free even on failure. */
int merge_record_decode(const void *data, size_t n, merge_record *r);
void merge_record_free(merge_record *r);

/* ------------------------------------------------------------ portable values */

/* Append value v of row r (strings read from txn) to a pvals body; *count counts. */
int pvals_add(segrt_store *s, MDB_txn *txn, const row *r, const row_value *v, buf *body,
              uint32_t *count);
/* A pvals blob: varint count, then body. */
int pvals_finish(const buf *body, uint32_t count, buf *out);

/* One decoded value; text values point into the blob. */
typedef struct pval {
    uint16_t field;
    int type;                 /* segrt_type */
    int64_t v;                /* scalars */
    const unsigned char *p;   /* string: bytes; set: the items (blobs) */
    size_t n;                 /* string: length; set: bytes of the items */
    uint32_t nitems;          /* set */
} pval;

typedef struct pval_iter {
    const unsigned char *p, *end;
    uint64_t left;
} pval_iter;

/* Start reading a pvals blob; -1 when corrupt. */
int pval_iter_init(pval_iter *it, merge_blob b);
/* The next value: 1, 0 at the end, -1 corrupt. */
int pval_next(pval_iter *it, pval *out);

/* The next item of a set value: *p walks pv->p .. pv->p + pv->n (checked by pval_next). */
merge_blob pval_item(const unsigned char **p, const unsigned char *end);

/* Whether row r (strings read from txn) holds exactly the value pv. */
int pval_matches(segrt_store *s, MDB_txn *txn, const row *r, const pval *pv, int *same);

/* The dictionaries pval_apply loads, by field id, kept for one transaction. */
typedef struct pval_dicts {
    dict_map **map;
    uint32_t n;
} pval_dicts;

int pval_dicts_init(segrt_store *s, pval_dicts *d);
void pval_dicts_free(pval_dicts *d);

/*
 * Give contact ord the value pv: in r and in the columns (through cc), with
 * its strings interned in the field's dictionary.
 */
int pval_apply(segrt_store *s, MDB_txn *txn, column_cache *cc, pval_dicts *dicts, row *r,
               uint32_t ord, const pval *pv);

/* Clear field of contact ord: in r and in the columns (through cc). */
int pval_clear(segrt_store *s, MDB_txn *txn, column_cache *cc, row *r, uint32_t ord,
               uint16_t field);

#endif
