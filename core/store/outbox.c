/*
 * outbox.c — the outbox of actions (segrt/outbox.h, layout in outbox.h):
 * its record, noting changes against the notified state
 * (segrt_outbox_note), the notified members of a segment, listing the
 * entries and counting them, and what an erasure removes (outbox_forget).
 * Taking what is due and recording attempts are in outbox_due.c, the check
 * in outbox_verify.c.
 *
 * Uses: store.h (the outbox and notified tables, meta counters), buf.h.
 */
#include "store/outbox.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ the record */

int outbox_encode(buf *b, const segrt_outbox_entry *e)
{
    unsigned char h[OUTBOX_HEADER] = { (unsigned char)e->state, (unsigned char)(e->entered != 0) };
    memcpy(h + 4, &e->attempts, sizeof e->attempts);
    memcpy(h + 8, &e->at, sizeof e->at);
    memcpy(h + 16, &e->next_ms, sizeof e->next_ms);
    const char *const parts[] = { e->key, e->segment, e->contact, e->url, e->last_error };
    int rc = buf_put(b, h, sizeof h);
    for (size_t i = 0; i < sizeof parts / sizeof parts[0] && rc == 0; i++)
        rc = buf_put(b, parts[i], strlen(parts[i]) + 1);
    return rc;
}

int outbox_decode(const MDB_val *k, const MDB_val *v, segrt_outbox_entry *e)
{
    const unsigned char *h = v->mv_data;
    const char *p = (const char *)h + OUTBOX_HEADER, *end = (const char *)h + v->mv_size;
    if (k->mv_size != sizeof e->seq || v->mv_size < OUTBOX_HEADER + 5 || end[-1] != '\0' ||
        h[0] > SEGRT_OUTBOX_FAILED || h[1] > 1)
        return -1;
    memcpy(&e->seq, k->mv_data, sizeof e->seq);
    e->state = h[0];
    e->entered = h[1];
    memcpy(&e->attempts, h + 4, sizeof e->attempts);
    memcpy(&e->at, h + 8, sizeof e->at);
    memcpy(&e->next_ms, h + 16, sizeof e->next_ms);
    const char **parts[] = { &e->key, &e->segment, &e->contact, &e->url, &e->last_error };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (p >= end)
            return -1;
        *parts[i] = p;
        p += strlen(p) + 1;
    }
    return p == end ? 0 : -1;
}

/* ------------------------------------------------------------ the notified state */

typedef struct nkey {
    unsigned char b[OUTBOX_NOTIFIED_KEY_MAX];
    size_t n;
} nkey;

/* kind a 0 b ('s' segment 0 contact, or its twin 'c' contact 0 segment); b NULL: the prefix. */
static MDB_val nkey_of(nkey *k, char kind, const char *a, const char *b)
{
    size_t na = strlen(a), nb = b ? strlen(b) : 0;
    k->b[0] = (unsigned char)kind;
    memcpy(k->b + 1, a, na);
    k->b[1 + na] = 0;
    memcpy(k->b + 2 + na, b ? b : "", nb);
    k->n = 2 + na + nb;
    return (MDB_val){ k->n, k->b };
}

static int put_notified(segrt_store *s, MDB_txn *txn, const char *segment, const char *contact)
{
    nkey ks, kc;
    MDB_val sk = nkey_of(&ks, 's', segment, contact), ck = nkey_of(&kc, 'c', contact, segment);
    MDB_val one = { 1, (void *)"\1" };
    int mrc = mdb_put(txn, s->dbi[DB_NOTIFIED], &sk, &one, 0);
    if (mrc == 0)
        mrc = mdb_put(txn, s->dbi[DB_NOTIFIED], &ck, &one, 0);
    return mrc == 0 ? SEGRT_OK : store_mdb_fail(s, mrc, "writing the notified state");
}

static int del_notified(segrt_store *s, MDB_txn *txn, const char *segment, const char *contact)
{
    nkey ks, kc;
    MDB_val sk = nkey_of(&ks, 's', segment, contact), ck = nkey_of(&kc, 'c', contact, segment);
    int mrc = mdb_del(txn, s->dbi[DB_NOTIFIED], &sk, NULL);
    if (mrc == 0 || mrc == MDB_NOTFOUND)
        mrc = mdb_del(txn, s->dbi[DB_NOTIFIED], &ck, NULL);
    return mrc == 0 || mrc == MDB_NOTFOUND ? SEGRT_OK
                                           : store_mdb_fail(s, mrc, "writing the notified state");
}

/* ------------------------------------------------------------ noting changes */

typedef struct note_args {
    size_t n;
    const segrt_outbox_change *changes;
    size_t queued;
    uint64_t seq, id; /* the last seq, the keys' prefix */
    buf b;
} note_args;

static int check_change(segrt_store *s, size_t i, const segrt_outbox_change *c)
{
    size_t ns = c->segment ? strlen(c->segment) : 0, nc = c->contact ? strlen(c->contact) : 0;
    if (ns == 0 || ns > SEGRT_SEGMENT_NAME_MAX)
        return store_fail(s, SEGRT_EINVAL, "outbox change %zu: segment name is empty or longer "
                          "than %d bytes", i + 1, SEGRT_SEGMENT_NAME_MAX);
    if (nc == 0 || ns + nc + 2 > OUTBOX_NOTIFIED_KEY_MAX)
        return store_fail(s, SEGRT_EINVAL, "outbox change %zu: contact id is empty, or with the "
                          "segment name longer than %d bytes", i + 1, OUTBOX_NOTIFIED_KEY_MAX - 2);
    for (size_t u = 0; u < c->nurls; u++) {
        if (c->urls[u] == NULL || c->urls[u][0] == '\0')
            return store_fail(s, SEGRT_EINVAL, "outbox change %zu: webhook %zu is empty", i + 1,
                              u + 1);
    }
    return SEGRT_OK;
}

/* A random prefix for the keys of this store, drawn once (never 0: 0 is "none yet"). */
static int outbox_id(segrt_store *s, MDB_txn *txn, uint64_t *id)
{
    int rc = store_counter_get(s, txn, "outbox_id", id);
    if (rc != SEGRT_OK || *id != 0)
        return rc;
    if (getrandom(id, sizeof *id, 0) != (ssize_t)sizeof *id)
        *id = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid();
    *id |= 1;
    return store_counter_set(s, txn, "outbox_id", *id);
}

static int append_entry(segrt_store *s, MDB_txn *txn, note_args *a,
                        const segrt_outbox_change *c, const char *url)
{
    char key[48];
    a->seq++;
    snprintf(key, sizeof key, "%016" PRIx64 "-%" PRIu64, a->id, a->seq);
    segrt_outbox_entry e = { .key = key, .segment = c->segment, .contact = c->contact,
                             .entered = c->entered != 0, .at = c->at, .url = url,
                             .last_error = "", .state = SEGRT_OUTBOX_PENDING };
    a->b.len = 0;
    if (outbox_encode(&a->b, &e) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory writing the outbox");
    MDB_val k = { sizeof a->seq, &a->seq }, v = { a->b.len, a->b.p };
    int mrc = mdb_put(txn, s->dbi[DB_OUTBOX], &k, &v, MDB_APPEND);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "writing the outbox");
    a->queued++;
    return SEGRT_OK;
}

static int note_one(segrt_store *s, MDB_txn *txn, note_args *a, const segrt_outbox_change *c)
{
    nkey ks;
    MDB_val k = nkey_of(&ks, 's', c->segment, c->contact), v;
    int rc = store_get(s, txn, DB_NOTIFIED, &k, &v, "reading the notified state");
    int member = rc == SEGRT_OK;
    if (rc != SEGRT_OK && rc != SEGRT_ENOTFOUND)
        return rc;
    if (member == (c->entered != 0))
        return SEGRT_OK; /* notified already: a replay */
    rc = c->entered ? put_notified(s, txn, c->segment, c->contact)
                    : del_notified(s, txn, c->segment, c->contact);
    for (size_t u = 0; u < c->nurls && rc == SEGRT_OK; u++)
        rc = append_entry(s, txn, a, c, c->urls[u]);
    return rc;
}

static int note_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    note_args *a = ud;
    a->queued = 0; /* run again from the start after the map grew */
    int rc = store_counter_get(s, txn, "outbox_seq", &a->seq);
    if (rc == SEGRT_OK)
        rc = outbox_id(s, txn, &a->id);
    for (size_t i = 0; i < a->n && rc == SEGRT_OK; i++) {
        rc = check_change(s, i, &a->changes[i]);
        if (rc == SEGRT_OK)
            rc = note_one(s, txn, a, &a->changes[i]);
    }
    if (rc == SEGRT_OK && a->queued)
        rc = store_counter_set(s, txn, "outbox_seq", a->seq);
    if (rc == SEGRT_OK)
        rc = store_counter_add(s, txn, "outbox_pending", (int64_t)a->queued);
    return rc;
}

int segrt_outbox_note(segrt_store *s, size_t n, const segrt_outbox_change changes[],
                      size_t *queued)
{
    note_args a = { n, changes, 0, 0, 0, { 0 } };
    int rc = store_write(s, note_txn, &a);
    buf_free(&a.b);
    if (queued)
        *queued = rc == SEGRT_OK ? a.queued : 0;
    return rc;
}

/* ------------------------------------------------------------ reading */

typedef struct notified_args {
    size_t prefix; /* bytes of 's' segment 0 */
    segrt_id_fn fn;
    void *ud;
} notified_args;

static int notified_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                        const MDB_val *v)
{
    const notified_args *a = ud;
    char id[OUTBOX_NOTIFIED_KEY_MAX];
    size_t n = k->mv_size - a->prefix;
    (void)s, (void)txn, (void)v;
    memcpy(id, (const char *)k->mv_data + a->prefix, n);
    id[n] = '\0';
    return a->fn(a->ud, id);
}

int segrt_outbox_notified_foreach(segrt_store *s, const char *segment, segrt_id_fn fn, void *ud)
{
    size_t ns = segment ? strlen(segment) : 0;
    if (ns == 0 || ns > SEGRT_SEGMENT_NAME_MAX)
        return SEGRT_OK; /* no such segment: nobody was notified */
    nkey p;
    MDB_val pk = nkey_of(&p, 's', segment, NULL);
    notified_args a = { pk.mv_size, fn, ud };
    return store_scan(s, NULL, DB_NOTIFIED, pk.mv_data, pk.mv_size, "reading the notified state",
                      notified_one, &a);
}

typedef struct list_args {
    segrt_outbox_fn fn;
    void *ud;
} list_args;

static int list_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    const list_args *a = ud;
    segrt_outbox_entry e;
    (void)txn;
    if (outbox_decode(k, v, &e) != 0)
        return store_fail(s, SEGRT_ECORRUPT, "the outbox has a corrupt entry");
    return a->fn(a->ud, &e);
}

int segrt_outbox_foreach(segrt_store *s, segrt_outbox_fn fn, void *ud)
{
    list_args a = { fn, ud };
    return store_scan(s, NULL, DB_OUTBOX, NULL, 0, "reading the outbox", list_one, &a);
}

typedef struct depth_args {
    uint64_t pending, failed;
} depth_args;

static int depth_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    depth_args *a = ud;
    int rc = store_counter_get(s, txn, "outbox_pending", &a->pending);
    return rc == SEGRT_OK ? store_counter_get(s, txn, "outbox_failed", &a->failed) : rc;
}

int segrt_outbox_depth(segrt_store *s, uint64_t *pending, uint64_t *failed)
{
    depth_args a = { 0, 0 };
    int rc = store_read(s, depth_txn, &a);
    *pending = rc == SEGRT_OK ? a.pending : 0;
    *failed = rc == SEGRT_OK ? a.failed : 0;
    return rc;
}

/* ------------------------------------------------------------ erasure */

/* What a scan collects to delete after it: keys, each NUL-terminated, and their states. */
typedef struct forget_args {
    const char *id;
    size_t prefix;
    buf keys;
    uint64_t pending, failed;
} forget_args;

static int forget_state(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                        const MDB_val *v)
{
    forget_args *a = ud;
    (void)txn, (void)v;
    if (buf_put(&a->keys, (const char *)k->mv_data + a->prefix, k->mv_size - a->prefix) != 0 ||
        buf_put(&a->keys, "", 1) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory erasing a contact's outbox");
    return SEGRT_OK;
}

static int forget_entry(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                        const MDB_val *v)
{
    forget_args *a = ud;
    segrt_outbox_entry e;
    (void)txn;
    if (outbox_decode(k, v, &e) != 0)
        return store_fail(s, SEGRT_ECORRUPT, "the outbox has a corrupt entry");
    if (strcmp(e.contact, a->id) != 0)
        return SEGRT_OK;
    *(e.state == SEGRT_OUTBOX_FAILED ? &a->failed : &a->pending) += 1;
    return buf_put(&a->keys, &e.seq, sizeof e.seq) == 0
               ? SEGRT_OK
               : store_fail(s, SEGRT_ENOMEM, "out of memory erasing a contact's outbox");
}

int outbox_forget(segrt_store *s, MDB_txn *txn, const char *id, uint64_t *n)
{
    nkey p;
    MDB_val pk = nkey_of(&p, 'c', id, NULL);
    forget_args a = { id, pk.mv_size, { 0 }, 0, 0 };
    int rc = strlen(id) + 2 <= OUTBOX_NOTIFIED_KEY_MAX
                 ? store_scan(s, txn, DB_NOTIFIED, pk.mv_data, pk.mv_size,
                              "reading the notified state", forget_state, &a)
                 : SEGRT_OK; /* too long to have been noted */
    for (size_t off = 0; off < a.keys.len && rc == SEGRT_OK;) {
        const char *segment = (const char *)a.keys.p + off;
        rc = del_notified(s, txn, segment, id);
        off += strlen(segment) + 1;
    }
    a.keys.len = 0;
    if (rc == SEGRT_OK)
        rc = store_scan(s, txn, DB_OUTBOX, NULL, 0, "reading the outbox", forget_entry, &a);
    for (size_t off = 0; off < a.keys.len && rc == SEGRT_OK; off += sizeof(uint64_t)) {
        uint64_t seq;
        memcpy(&seq, a.keys.p + off, sizeof seq);
        MDB_val k = { sizeof seq, &seq };
        int mrc = mdb_del(txn, s->dbi[DB_OUTBOX], &k, NULL);
        if (mrc != 0)
            rc = store_mdb_fail(s, mrc, "erasing outbox entries");
    }
    buf_free(&a.keys);
    if (rc == SEGRT_OK)
        rc = store_counter_add(s, txn, "outbox_pending", -(int64_t)a.pending);
    if (rc == SEGRT_OK)
        rc = store_counter_add(s, txn, "outbox_failed", -(int64_t)a.failed);
    if (n)
        *n = rc == SEGRT_OK ? a.pending + a.failed : 0;
    return rc;
}
