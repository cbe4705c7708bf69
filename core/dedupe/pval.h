/*
 * pval.h — contact field values in a form that outlives dictionary codes (an
 * erasure drops the strings nobody uses any more), as the undo records of
 * merges (merge_record.h) keep the values a merge filled or took away.
 *
 * A pvals blob: varint count, then per value varint field id, u8 type and
 * the value: zigzag varint (integer, number, boolean, date, timestamp), a
 * blob (string), or varint n and n blobs (set, in the contact's order).
 */
#ifndef SEGRT_PVAL_H
#define SEGRT_PVAL_H

#include "store/column.h"
#include "store/dict.h"
#include "store/row.h"
#include "store/store.h"
#include "util/buf.h"

#include <stddef.h>
#include <stdint.h>

/* Append value v of row r (strings read from txn) to a pvals body; *count counts. */
int pval_append(segrt_store *s, MDB_txn *txn, const row *r, const row_value *v, buf *body,
              uint32_t *count);
/* A pvals blob: varint count, then body. */
int pval_finish(const buf *body, uint32_t count, buf *out);

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
int pval_iter_init(pval_iter *it, buf_view b);
/* The next value: 1, 0 at the end, -1 corrupt. */
int pval_next(pval_iter *it, pval *out);

/* The next item of a set value: *p walks pv->p .. pv->p + pv->n (checked by pval_next). */
buf_view pval_item(const unsigned char **p, const unsigned char *end);

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
