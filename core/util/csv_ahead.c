/*
 * csv_ahead.c — CSV records parsed in a second thread (csv_ahead.h).
 *
 * The thread fills a ring of BLOCKS blocks of up to BLOCK_RECS records each
 * with its own csv_reader; the caller takes the blocks in order. A block is
 * the thread's while it fills it and the caller's from when it is published
 * until the caller has moved past its last record (whose fields it may still
 * be using), then the thread's again: one mutex and one condition variable
 * hand blocks over, and nothing in a block is touched by both sides at once.
 * Fields the thread's reader unescaped into its scratch buffer are copied
 * into the block's bytes, as are the messages of bad records.
 *
 * Uses: csv.h, array.h, buf.h, pthreads.
 */
#include "util/csv_ahead.h"

#include "util/array.h"
#include "util/buf.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define BLOCK_RECS 4096
#define BLOCKS 4
#define NO_ERR SIZE_MAX

typedef struct rec {
    csv_status st;
    uint64_t line;      /* where the record starts */
    uint64_t next_line; /* the reader's line and position after it */
    const char *next_pos;
    size_t field_at, nfields; /* its fields in the block's fields */
    int err_col;
    size_t err_at; /* its message in the block's bytes, or NO_ERR */
} rec;

/* A field whose text was copied into the block's bytes, pointed at once the block is full. */
typedef struct moved {
    size_t field, at;
} moved;

typedef struct block {
    rec *recs;
    size_t nrecs;
    csv_field *fields;
    size_t nfields, fields_cap;
    moved *moves;
    size_t nmoves, moves_cap;
    buf bytes;
    unsigned char *prep; /* BLOCK_RECS times the prep's size */
} block;

struct csv_ahead {
    csv_reader r;              /* the thread's */
    const char *lo, *hi;       /* the buffer: a field outside it is in r's scratch */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    block blocks[BLOCKS];
    csv_prep prep;             /* size 0: none */
    size_t published, released; /* blocks handed to the caller and given back, ever */
    int stop;                   /* the caller wants the thread to end */
    /* The caller's side. */
    int holding;     /* published > released: the caller reads blocks[released % BLOCKS] */
    size_t next_rec; /* ... at this record */
    size_t given;    /* the record csv_ahead_next gave last, in that block */
};

/* ------------------------------------------------------------ the thread */

/* Append the record r just read to b; -1 when out of memory. */
static int keep(csv_ahead *a, block *b, csv_status st, uint64_t line)
{
    const csv_reader *r = &a->r;
    rec *x = &b->recs[b->nrecs];
    *x = (rec){ .st = st, .line = line, .next_line = r->line, .next_pos = r->pos,
                .field_at = b->nfields, .err_col = r->err_col, .err_at = NO_ERR };
    if (st == CSV_END || st == CSV_NOMEM)
        return 0;
    if (ARRAY_RESERVE(b->fields, b->fields_cap, b->nfields + r->nfields) != 0)
        return -1;
    for (size_t i = 0; i < r->nfields; i++) {
        csv_field f = r->fields[i];
        if (f.len && (f.ptr < a->lo || f.ptr >= a->hi)) { /* unescaped into r's scratch */
            if (ARRAY_RESERVE(b->moves, b->moves_cap, b->nmoves + 1) != 0)
                return -1;
            b->moves[b->nmoves++] = (moved){ b->nfields + i, b->bytes.len };
            if (buf_put(&b->bytes, f.ptr, f.len) != 0)
                return -1;
            f.ptr = a->lo;
        }
        b->fields[b->nfields + i] = f;
    }
    b->nfields += r->nfields;
    x->nfields = r->nfields;
    if (st == CSV_BAD_ROW) {
        x->err_at = b->bytes.len;
        if (buf_put(&b->bytes, r->err, strlen(r->err) + 1) != 0)
            return -1;
    }
    return 0;
}

/* Fill b with the next records; 1 when it holds the last (CSV_END or CSV_NOMEM). */
static int fill(csv_ahead *a, block *b)
{
    b->nrecs = b->nfields = b->nmoves = 0;
    b->bytes.len = 0;
    int last = 0;
    while (b->nrecs < BLOCK_RECS && !last) {
        uint64_t line;
        size_t nmoves = b->nmoves;
        csv_status st = csv_next(&a->r, &line);
        if (keep(a, b, st, line) != 0) {
            b->nmoves = nmoves; /* the record's text may not all be in the bytes */
            st = CSV_NOMEM;
            b->recs[b->nrecs] = (rec){ .st = st, .line = line, .next_line = a->r.line,
                                       .next_pos = a->r.pos, .err_col = -1, .err_at = NO_ERR };
        }
        b->nrecs++;
        last = st == CSV_END || st == CSV_NOMEM;
    }
    for (size_t i = 0; i < b->nmoves; i++) /* the bytes are where they stay now */
        b->fields[b->moves[i].field].ptr = (const char *)b->bytes.p + b->moves[i].at;
    if (a->prep.size) {
        memset(b->prep, 0, b->nrecs * a->prep.size);
        for (size_t i = 0; i < b->nrecs; i++) {
            const rec *x = &b->recs[i];
            if (x->st == CSV_ROW)
                a->prep.fn(a->prep.ud, b->fields + x->field_at, x->nfields,
                           b->prep + i * a->prep.size);
        }
    }
    return last;
}

static void *run(void *arg)
{
    csv_ahead *a = arg;
    for (int last = 0; !last;) {
        pthread_mutex_lock(&a->mu);
        while (!a->stop && a->published - a->released == BLOCKS)
            pthread_cond_wait(&a->cv, &a->mu);
        int stop = a->stop;
        pthread_mutex_unlock(&a->mu);
        if (stop)
            break;
        last = fill(a, &a->blocks[a->published % BLOCKS]);
        pthread_mutex_lock(&a->mu);
        a->published++;
        pthread_cond_broadcast(&a->cv);
        pthread_mutex_unlock(&a->mu);
    }
    return NULL;
}

/* ------------------------------------------------------------ the caller */

static void free_blocks(csv_ahead *a)
{
    for (size_t i = 0; i < BLOCKS; i++) {
        free(a->blocks[i].recs);
        free(a->blocks[i].fields);
        free(a->blocks[i].moves);
        free(a->blocks[i].prep);
        buf_free(&a->blocks[i].bytes);
    }
}

int csv_ahead_start(csv_ahead **out, const csv_reader *r, const csv_prep *prep)
{
    *out = NULL;
    csv_ahead *a = calloc(1, sizeof *a);
    if (a == NULL)
        return -1;
    int ok = prep == NULL || prep->size <= SIZE_MAX / BLOCK_RECS;
    if (prep && ok)
        a->prep = *prep;
    for (size_t i = 0; i < BLOCKS; i++) {
        ok &= (a->blocks[i].recs = malloc(BLOCK_RECS * sizeof *a->blocks[i].recs)) != NULL;
        if (a->prep.size)
            ok &= (a->blocks[i].prep = malloc(BLOCK_RECS * a->prep.size)) != NULL;
    }
    size_t len = (size_t)(r->end - r->pos);
    csv_reader_init(&a->r, r->pos, len, r->line, r->max_field);
    csv_set_delimiter(&a->r, r->delim);
    a->lo = r->pos;
    a->hi = r->end;
    if (!ok || pthread_mutex_init(&a->mu, NULL) != 0)
        goto no_mutex;
    if (pthread_cond_init(&a->cv, NULL) != 0)
        goto no_cond;
    if (pthread_create(&a->thread, NULL, run, a) != 0)
        goto no_thread;
    *out = a;
    return 0;
no_thread:
    pthread_cond_destroy(&a->cv);
no_cond:
    pthread_mutex_destroy(&a->mu);
no_mutex:
    csv_reader_free(&a->r);
    free_blocks(a);
    free(a);
    return -1;
}

csv_status csv_ahead_next(csv_ahead *a, csv_reader *r, uint64_t *line)
{
    /* The lock is taken only between blocks: a block held is the caller's alone. */
    if (!a->holding || a->next_rec == a->blocks[a->released % BLOCKS].nrecs) {
        pthread_mutex_lock(&a->mu);
        if (a->holding) {
            a->released++; /* past its last record: the thread may refill it */
            a->next_rec = 0;
            pthread_cond_broadcast(&a->cv);
        }
        while (a->published == a->released)
            pthread_cond_wait(&a->cv, &a->mu);
        a->holding = 1;
        pthread_mutex_unlock(&a->mu);
    }
    block *b = &a->blocks[a->released % BLOCKS];
    a->given = a->next_rec;
    const rec *x = &b->recs[a->next_rec];
    *line = x->line;
    if (x->nfields && ARRAY_RESERVE(r->fields, r->fields_cap, x->nfields) != 0)
        return CSV_NOMEM;
    if (x->nfields)
        memcpy(r->fields, b->fields + x->field_at, x->nfields * sizeof *r->fields);
    r->nfields = x->nfields;
    r->err_col = x->err_col;
    r->err[0] = '\0';
    if (x->err_at != NO_ERR)
        snprintf(r->err, sizeof r->err, "%s", (const char *)b->bytes.p + x->err_at);
    r->pos = x->next_pos;
    r->line = x->next_line;
    if (x->st != CSV_END && x->st != CSV_NOMEM)
        a->next_rec++; /* the last stays the current record: the same answer each time */
    return x->st;
}

const void *csv_ahead_prep_of(const csv_ahead *a, size_t k)
{
    if (!a->holding || a->prep.size == 0)
        return NULL;
    const block *b = &a->blocks[a->released % BLOCKS];
    if (k >= b->nrecs - a->given)
        return NULL;
    return b->prep + (a->given + k) * a->prep.size;
}

void csv_ahead_stop(csv_ahead *a)
{
    if (a == NULL)
        return;
    pthread_mutex_lock(&a->mu);
    a->stop = 1;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->thread, NULL);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    free_blocks(a);
    csv_reader_free(&a->r);
    free(a);
}
