/*
 * audit.c — the append-only audit log (audit.h, segrt_audit_foreach), a
 * hash chain (segrt_audit_verify).
 *
 * Entry: u64 seq key (MDB_INTEGERKEY) -> i64 ts, u32 ordinal, then actor,
 * action and detail, each NUL-terminated, then the entry's chain hash:
 * SHA-256 of seq (8 bytes, little-endian), the entry's bytes before the hash,
 * and the previous entry's chain hash (32 zero bytes before the first). An
 * entry changed, removed or moved no longer matches its hash or breaks the
 * next one's; rewriting the chain from there on is what the head printed by
 * `segrt audit --verify`, kept outside the store, makes evident. Entries of
 * stores written before the chain carry no hash: the chain covers them from
 * the first entry that does, which chains from the last of them hashed alone
 * (legacy entries count in the report).
 *
 * Uses: store.h, buf.h, nettle (SHA-256).
 */
#include "store/audit.h"

#include "util/buf.h"

#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define HASH_BYTES SHA256_DIGEST_SIZE
#define HEAD_BYTES (sizeof(int64_t) + sizeof(uint32_t))

/* An entry split: e, where its chain hash starts (body bytes before it), the hash or NULL. */
typedef struct raw_entry {
    segrt_audit_entry e;
    size_t body;
    const unsigned char *hash; /* NULL: written before the chain */
} raw_entry;

/* Split a stored entry; 0 when it is well-formed. */
static int decode(const MDB_val *k, const MDB_val *v, raw_entry *r)
{
    const char *p = v->mv_data, *end = p + v->mv_size;
    segrt_audit_entry *e = &r->e;
    if (k->mv_size != sizeof e->seq || v->mv_size < HEAD_BYTES + 3)
        return -1;
    memcpy(&e->seq, k->mv_data, sizeof e->seq);
    memcpy(&e->ts, p, sizeof e->ts);
    memcpy(&e->ordinal, p + sizeof e->ts, sizeof e->ordinal);
    p += HEAD_BYTES;
    const char **parts[3] = { &e->actor, &e->action, &e->detail };
    for (int i = 0; i < 3; i++) {
        const char *nul = memchr(p, '\0', (size_t)(end - p));
        if (nul == NULL)
            return -1;
        *parts[i] = p;
        p = nul + 1;
    }
    r->body = (size_t)(p - (const char *)v->mv_data);
    if (end - p != 0 && end - p != HASH_BYTES)
        return -1;
    r->hash = end - p == HASH_BYTES ? (const unsigned char *)p : NULL;
    return 0;
}

/* The chain hash of entry seq with body[0..n) after the entry whose hash is prev. */
static void chain_hash(uint64_t seq, const void *body, size_t n, const unsigned char *prev,
                       unsigned char out[HASH_BYTES])
{
    struct sha256_ctx ctx;
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(seq >> (8 * i));
    sha256_init(&ctx);
    sha256_update(&ctx, sizeof le, le);
    sha256_update(&ctx, n, body);
    sha256_update(&ctx, HASH_BYTES, prev);
    sha256_digest(&ctx, HASH_BYTES, out);
}

/* The chain hash of the last entry (seq), into prev: its stored one, or computed for a legacy log. */
static int last_hash(segrt_store *s, MDB_txn *txn, uint64_t seq, unsigned char prev[HASH_BYTES])
{
    memset(prev, 0, HASH_BYTES);
    if (seq == 0)
        return SEGRT_OK;
    MDB_val k = { sizeof seq, &seq }, v;
    int rc = store_get(s, txn, DB_AUDIT, &k, &v, "reading the audit log");
    if (rc == SEGRT_ENOTFOUND)
        return store_fail(s, SEGRT_ECORRUPT, "the audit log lacks its last entry %llu",
                          (unsigned long long)seq);
    raw_entry r;
    if (rc == SEGRT_OK && decode(&k, &v, &r) != 0)
        rc = store_fail(s, SEGRT_ECORRUPT, "the audit log has a corrupt entry");
    if (rc == SEGRT_OK && r.hash)
        memcpy(prev, r.hash, HASH_BYTES);
    else if (rc == SEGRT_OK) /* a log from before the chain: its last entry starts it */
        chain_hash(seq, v.mv_data, r.body, prev, prev);
    return rc;
}

int audit_append(segrt_store *s, MDB_txn *txn, const char *actor, const char *action,
                 uint32_t ord, const char *detail)
{
    return audit_append_seq(s, txn, actor, action, ord, detail, NULL);
}

int audit_append_seq(segrt_store *s, MDB_txn *txn, const char *actor, const char *action,
                     uint32_t ord, const char *detail, uint64_t *out)
{
    uint64_t seq;
    unsigned char hash[HASH_BYTES];
    int rc = store_counter_get(s, txn, "audit_seq", &seq);
    if (rc == SEGRT_OK)
        rc = last_hash(s, txn, seq, hash);
    if (rc != SEGRT_OK)
        return rc;
    seq++;
    int64_t ts = (int64_t)time(NULL);
    buf b = { 0 };
    const char *a = actor && *actor ? actor : "unknown";
    const char *d = detail ? detail : "";
    if (buf_put(&b, &ts, sizeof ts) || buf_put(&b, &ord, sizeof ord) ||
        buf_put(&b, a, strlen(a) + 1) || buf_put(&b, action, strlen(action) + 1) ||
        buf_put(&b, d, strlen(d) + 1)) {
        buf_free(&b);
        return store_fail(s, SEGRT_ENOMEM, "out of memory writing the audit log");
    }
    chain_hash(seq, b.p, b.len, hash, hash);
    if (buf_put(&b, hash, sizeof hash)) {
        buf_free(&b);
        return store_fail(s, SEGRT_ENOMEM, "out of memory writing the audit log");
    }
    MDB_val k = { sizeof seq, &seq }, v = { b.len, b.p };
    int mrc = mdb_put(txn, s->dbi[DB_AUDIT], &k, &v, MDB_APPEND);
    buf_free(&b);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "writing the audit log");
    if (out)
        *out = seq;
    return store_counter_set(s, txn, "audit_seq", seq);
}

int audit_get(segrt_store *s, MDB_txn *txn, uint64_t seq, segrt_audit_entry *e)
{
    MDB_val k = { sizeof seq, &seq }, v;
    int rc = store_get(s, txn, DB_AUDIT, &k, &v, "reading the audit log");
    if (rc != SEGRT_OK)
        return rc;
    raw_entry r;
    if (decode(&k, &v, &r) != 0)
        return store_fail(s, SEGRT_ECORRUPT, "the audit log has a corrupt entry");
    *e = r.e;
    return SEGRT_OK;
}

struct audit_scan {
    int64_t since;
    int (*fn)(void *ud, const segrt_audit_entry *e);
    void *ud;
};

static int audit_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    const struct audit_scan *a = ud;
    raw_entry r;
    (void)txn;
    if (decode(k, v, &r) != 0)
        return store_fail(s, SEGRT_ECORRUPT, "the audit log has a corrupt entry");
    return r.e.ts >= a->since ? a->fn(a->ud, &r.e) : SEGRT_OK;
}

int segrt_audit_foreach(segrt_store *s, int64_t since,
                        int (*fn)(void *ud, const segrt_audit_entry *e), void *ud)
{
    struct audit_scan a = { since, fn, ud };
    return store_scan(s, NULL, DB_AUDIT, NULL, 0, "reading the audit log", audit_one, &a);
}

/* ------------------------------------------------------------ verifying */

struct verify {
    segrt_audit_check *out;
    uint64_t last;               /* the seq of the entry before, 0 at the start */
    unsigned char prev[HASH_BYTES];
};

/* Record the first break of the chain; stops the scan. */
static int broken(struct verify *w, uint64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int broken(struct verify *w, uint64_t seq, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    w->out->first_bad = seq;
    vsnprintf(w->out->reason, sizeof w->out->reason, fmt, ap);
    va_end(ap);
    return STORE_STOP;
}

static int verify_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    (void)s, (void)txn;
    struct verify *w = ud;
    raw_entry r;
    uint64_t seq = 0;
    if (k->mv_size == sizeof seq)
        memcpy(&seq, k->mv_data, sizeof seq);
    if (decode(k, v, &r) != 0)
        return broken(w, seq, "entry %llu is not a well-formed entry (changed)",
                      (unsigned long long)seq);
    if (seq != w->last + 1)
        return broken(w, w->last + 1, "entry %llu was removed", (unsigned long long)(w->last + 1));
    unsigned char want[HASH_BYTES], zeros[HASH_BYTES] = { 0 };
    /* an entry from before the chain stands alone, as last_hash() starts the chain from it */
    chain_hash(seq, v->mv_data, r.body, r.hash ? w->prev : zeros, want);
    if (r.hash == NULL && w->out->entries > w->out->legacy)
        return broken(w, seq, "entry %llu lost its chain hash (changed)", (unsigned long long)seq);
    if (r.hash && memcmp(r.hash, want, HASH_BYTES) != 0)
        return broken(w, seq, "entry %llu was changed, or put in another's place",
                      (unsigned long long)seq);
    w->out->legacy += r.hash == NULL;
    w->out->entries++;
    w->last = seq;
    memcpy(w->prev, want, HASH_BYTES);
    return SEGRT_OK;
}

static int verify_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    struct verify *w = ud;
    uint64_t count;
    int rc = store_scan(s, txn, DB_AUDIT, NULL, 0, "reading the audit log", verify_one, w);
    if (rc == STORE_STOP) /* the chain broke: out says where */
        return SEGRT_OK;
    if (rc == SEGRT_OK)
        rc = store_counter_get(s, txn, "audit_seq", &count);
    if (rc == SEGRT_OK && w->out->first_bad == 0 && count > w->last)
        broken(w, w->last + 1, "entries from %llu on were removed",
               (unsigned long long)(w->last + 1));
    else if (rc == SEGRT_OK && w->out->first_bad == 0 && count < w->last)
        broken(w, count + 1, "entries from %llu on were not written by segrt (the log's "
               "counter ends before them)", (unsigned long long)(count + 1));
    return rc;
}

int segrt_audit_verify(segrt_store *s, segrt_audit_check *out)
{
    if (s == NULL || out == NULL)
        return SEGRT_EINVAL;
    *out = (segrt_audit_check){ 0 };
    struct verify w = { .out = out };
    int rc = store_read(s, verify_in, &w);
    if (rc != SEGRT_OK)
        return rc;
    for (int i = 0; i < HASH_BYTES; i++)
        snprintf(out->head + 2 * i, 3, "%02x", w.prev[i]);
    if (out->first_bad)
        return store_fail(s, SEGRT_ECORRUPT, "the audit log's chain breaks: %s", out->reason);
    return SEGRT_OK;
}
