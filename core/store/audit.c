/*
 * audit.c — the append-only audit log (audit.h, segrt_audit_foreach).
 *
 * Entry: u64 seq key (MDB_INTEGERKEY) -> i64 ts, u32 ordinal, then
 * actor, action and detail, each NUL-terminated.
 */
#include "store/audit.h"

#include "util/buf.h"

#include <string.h>
#include <time.h>

int audit_append(segrt_store *s, MDB_txn *txn, const char *actor, const char *action,
                 uint32_t ord, const char *detail)
{
    return audit_append_seq(s, txn, actor, action, ord, detail, NULL);
}

int audit_append_seq(segrt_store *s, MDB_txn *txn, const char *actor, const char *action,
                     uint32_t ord, const char *detail, uint64_t *out)
{
    uint64_t seq;
    int rc = store_counter_get(s, txn, "audit_seq", &seq);
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
    MDB_val k = { sizeof seq, &seq }, v = { b.len, b.p };
    int mrc = mdb_put(txn, s->dbi[DB_AUDIT], &k, &v, MDB_APPEND);
    buf_free(&b);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "writing the audit log");
    if (out)
        *out = seq;
    return store_counter_set(s, txn, "audit_seq", seq);
}

/* Split a stored entry; 0 when it is well-formed. */
static int decode(const MDB_val *k, const MDB_val *v, segrt_audit_entry *e)
{
    const char *p = v->mv_data, *end = p + v->mv_size;
    if (k->mv_size != sizeof e->seq || v->mv_size < sizeof e->ts + sizeof e->ordinal + 3 ||
        end[-1] != '\0')
        return -1;
    memcpy(&e->seq, k->mv_data, sizeof e->seq);
    memcpy(&e->ts, p, sizeof e->ts);
    memcpy(&e->ordinal, p + sizeof e->ts, sizeof e->ordinal);
    p += sizeof e->ts + sizeof e->ordinal;
    const char **parts[3] = { &e->actor, &e->action, &e->detail };
    for (int i = 0; i < 3; i++) {
        if (p >= end)
            return -1;
        *parts[i] = p;
        p += strlen(p) + 1;
    }
    return 0;
}

int audit_get(segrt_store *s, MDB_txn *txn, uint64_t seq, segrt_audit_entry *e)
{
    MDB_val k = { sizeof seq, &seq }, v;
    int rc = store_get(s, txn, DB_AUDIT, &k, &v, "reading the audit log");
    if (rc != SEGRT_OK)
        return rc;
    if (decode(&k, &v, e) != 0)
        return store_fail(s, SEGRT_ECORRUPT, "the audit log has a corrupt entry");
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
    segrt_audit_entry e;
    (void)txn;
    if (decode(k, v, &e) != 0)
        return store_fail(s, SEGRT_ECORRUPT, "the audit log has a corrupt entry");
    return e.ts >= a->since ? a->fn(a->ud, &e) : SEGRT_OK;
}

int segrt_audit_foreach(segrt_store *s, int64_t since,
                        int (*fn)(void *ud, const segrt_audit_entry *e), void *ud)
{
    struct audit_scan a = { since, fn, ud };
    return store_scan(s, NULL, DB_AUDIT, NULL, 0, "reading the audit log", audit_one, &a);
}
