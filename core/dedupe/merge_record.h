/*
 * merge_record.h — what the store keeps to undo a merge (the merges table,
 * key: the merge id).
 *
 * Record: u8 version, u8 by, varint survivor ordinal, zigzag varint NOW,
 * then blobs (varint length, bytes): the values filled on the survivor
 * (pvals), the events the merge added to the survivor's timeline and those
 * it replaced there (event.h encodings; their dictionary codes stay valid:
 * segrt compact keeps every code a merge record uses), then varint n and n varint
 * sequence numbers of the consent records added to the survivor, then
 * varint n merged contacts, each: varint ordinal, blobs id, values (pvals),
 * timeline and consent history as they were stored, and the stored
 * memberships that held it (membership_held).
 *
 * The values are pvals blobs (pval.h).
 */
#ifndef SEGRT_MERGE_RECORD_H
#define SEGRT_MERGE_RECORD_H

#include "util/buf.h"

#include <stddef.h>
#include <stdint.h>

/* A merged contact as it was. */
typedef struct merge_gone {
    uint32_t ord;
    buf_view id, values, events, consents, held;
} merge_gone;

/* A decoded record: its blobs point into the bytes it was decoded from. */
typedef struct merge_record {
    int by;            /* segrt_dedupe_by */
    uint32_t survivor; /* ordinal */
    int64_t now;
    buf_view filled, added, replaced;
    uint32_t *seqs;    /* consent records added to the survivor */
    size_t nseqs;
    merge_gone *gone;
    size_t ngone;
} merge_record;

int merge_record_encode(const merge_record *r, buf *out);
/* 0, -1 corrupt, -2 out of memory; free with merge_record_free even on failure. */
int merge_record_decode(const void *data, size_t n, merge_record *r);
void merge_record_free(merge_record *r);

#endif
