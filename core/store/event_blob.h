/*
 * event_blob.h — the bytes of a stored timeline, written and walked record
 * by record (event.h keeps the decoded lists).
 *
 * Value: u32 count, u32 heap bytes, the records in time order, then the heap
 * (the records' variable parts). The count's top bit tells two forms apart:
 *  - compact (set; written since store format 5): per record a flags byte
 *    (F_* in event_blob.c), varint zigzag of ts minus the previous record's (the
 *    first's from 0), varint type, then only what the flags name: the
 *    amount (zigzag; in units of 10^4 micro-units, whole cents, under
 *    F_CENTS), category, channel, var. An event takes about 11 bytes.
 *  - fixed (clear; format 4 and before, still read): count 32-byte images of
 *    event_rec. An older store's timelines are read as they are and written
 *    compact when a write changes them.
 */
#ifndef SEGRT_EVENT_BLOB_H
#define SEGRT_EVENT_BLOB_H

#include "store/event.h"
#include "util/buf.h"

#include <stddef.h>
#include <stdint.h>

/* A timeline's bytes being read: what event_blob_open found, and where event_blob_next is. */
typedef struct event_blob {
    const unsigned char *p, *end; /* the records not yet read */
    const unsigned char *heap;
    uint32_t n, heaplen;
    uint32_t left; /* records not yet read */
    int compact;
    int64_t ts; /* the ts of the record read last (0 before the first) */
} event_blob;

/* Start reading the timeline value data; -1 when its header or size is impossible. */
int event_blob_open(event_blob *b, const void *data, size_t size);
/*
 * Read the next record into *r: 1, or 0 when every record was read (and the
 * records end exactly where the heap starts), or -1 when the value is
 * corrupt (a truncated or impossible field, a var outside the heap).
 */
int event_blob_next(event_blob *b, event_rec *r);
/*
 * Append r to out in the compact form; *prev_ts is the ts of the record put
 * before it (0 for the first) and becomes r's. -1 out of memory.
 */
int event_blob_put(buf *out, const event_rec *r, int64_t *prev_ts);
/* The header of a compact value of n records and heaplen heap bytes, put at out. */
void event_blob_header(unsigned char out[8], uint32_t n, uint32_t heaplen);

#endif
