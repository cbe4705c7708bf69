/*
 * membership.c — materialised segments (membership.h): recording a run
 * (entered/exited by XOR with the previous run), the history, the segments a
 * contact belongs to, erasure, and who entered or left since an earlier run.
 *
 * Uses: store.h (the segments database, meta counters), mset.h, bitset.h, buf.h, array.h.
 */
#include "store/membership.h"

#include "util/array.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes before the mset in an 'm' record: run u64, now i64. */
#define MEMBERS_HEADER 16
/* A history row: now, size, entered, exited. */
#define HISTORY_ROW 32

/* ------------------------------------------------------------ keys */

typedef struct mkey {
    unsigned char b[2 + MEMBERSHIP_NAME_MAX + 1 + 8];
    size_t n;
} mkey;

static int name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    return n > 0 && n <= MEMBERSHIP_NAME_MAX;
}

/*
 * kind 0 name; for the per-run kinds ('h', 'E', 'X') kind 0 name 0, then the
 * run (big-endian, so runs sort in order) when with_run is set.
 */
static void key_of(mkey *k, char kind, const char *name, uint64_t run, int with_run)
{
    size_t n = strlen(name);
    k->b[0] = (unsigned char)kind;
    k->b[1] = 0;
    memcpy(k->b + 2, name, n);
    k->n = 2 + n;
    if (kind == 'h' || kind == 'E' || kind == 'X') {
        k->b[k->n++] = 0;
        for (int i = 7; with_run && i >= 0; i--)
            k->b[k->n++] = (unsigned char)(run >> (8 * i));
    }
}

static MDB_val val_of(mkey *k)
{
    MDB_val v = { k->n, k->b };
    return v;
}

static int bad_name(segrt_store *s, const char *name)
{
    return store_fail(s, SEGRT_EINVAL, "segment name '%.40s%s' is empty or longer than %d bytes",
                      name ? name : "", name && strlen(name) > 40 ? "…" : "",
                      MEMBERSHIP_NAME_MAX);
}

/*
 * fn in a read snapshot (store_read) about segment name; SEGRT_ENOTFOUND
 * ("no stored <what>") for a bad name.
 */
static int read_named(segrt_store *s, const char *name, const char *what, store_txn_fn fn,
                      void *ud)
{
    if (!name_ok(name))
        return store_fail(s, SEGRT_ENOTFOUND, "no stored %s of segment '%.40s'", what,
                          name ? name : "");
    return store_read(s, fn, ud);
}

/* ------------------------------------------------------------ records */

static int corrupt(segrt_store *s, const char *what, const MDB_val *k)
{
    return store_fail(s, SEGRT_ECORRUPT, "stored %s of segment '%.*s' is corrupt", what,
                      (int)(k->mv_size > 2 ? k->mv_size - 2 : 0), (const char *)k->mv_data + 2);
}

/* Decode a stored set (after skip header bytes) into out. */
static int decode_at(segrt_store *s, const MDB_val *k, const MDB_val *v, size_t skip,
                     const char *what, bitset *out)
{
    if (v->mv_size < skip)
        return corrupt(s, what, k);
    int drc = mset_decode((const unsigned char *)v->mv_data + skip, v->mv_size - skip, out);
    if (drc == -2)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    return drc == 0 ? SEGRT_OK : corrupt(s, what, k);
}

/* dst := src with nbits bits (longer: zero-filled; shorter: cut). */
static int copy_bits(bitset *dst, const bitset *src, uint32_t nbits)
{
    if (bitset_init(dst, nbits) != 0)
        return -1;
    size_t nw = bitset_words(nbits), sw = bitset_words(src->nbits);
    if (nw && sw) /* an empty src may have no words at all */
        memcpy(dst->w, src->w, (nw < sw ? nw : sw) * sizeof *dst->w);
    if (nbits < src->nbits && (nbits & 63))
        dst->w[nw - 1] &= (UINT64_C(1) << (nbits & 63)) - 1;
    return 0;
}

static int put_set(segrt_store *s, MDB_txn *txn, mkey *k, const void *head, size_t nhead,
                   const bitset *b, buf *scratch)
{
    scratch->len = 0;
    if (buf_put(scratch, head, nhead) != 0 || mset_encode(b, scratch) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    MDB_val kv = val_of(k), v = { scratch->len, scratch->p };
    int mrc = mdb_put(txn, s->dbi[DB_SEGMENTS], &kv, &v, 0);
    return mrc == 0 ? SEGRT_OK : store_mdb_fail(s, mrc, "storing a segment membership");
}

static void row_pack(unsigned char out[HISTORY_ROW], const membership_row *r)
{
    uint64_t f[4] = { (uint64_t)r->now, r->size, r->entered, r->exited };
    memcpy(out, f, sizeof f);
}

static void row_unpack(membership_row *r, uint64_t run, const unsigned char in[HISTORY_ROW])
{
    uint64_t f[4];
    memcpy(f, in, sizeof f);
    *r = (membership_row){ run, (int64_t)f[0], f[1], f[2], f[3] };
}

/* Keep the segment's purpose next to its membership (export says why a contact is in it). */
static int put_purpose(segrt_store *s, MDB_txn *txn, const char *name, const char *purpose)
{
    mkey k;
    key_of(&k, 'p', name, 0, 0);
    MDB_val kv = val_of(&k), v = { purpose ? strlen(purpose) : 0, (void *)purpose };
    int mrc = v.mv_size ? mdb_put(txn, s->dbi[DB_SEGMENTS], &kv, &v, 0)
                        : mdb_del(txn, s->dbi[DB_SEGMENTS], &kv, NULL);
    if (mrc != 0 && mrc != MDB_NOTFOUND)
        return store_mdb_fail(s, mrc, "writing a segment's purpose");
    return SEGRT_OK;
}

int membership_record(segrt_store *s, MDB_txn *txn, uint64_t run, int64_t now,
                      const char *name, const char *purpose, const bitset *members,
                      membership_row *row)
{
    if (!name_ok(name))
        return bad_name(s, name);
    mkey k;
    key_of(&k, 'm', name, 0, 0);
    MDB_val kv = val_of(&k), v;
    bitset stored = { 0 }, old = { 0 }, cur = { 0 }, in = { 0 }, out = { 0 };
    buf scratch = { 0 };
    int rc = SEGRT_OK, mrc = mdb_get(txn, s->dbi[DB_SEGMENTS], &kv, &v);
    if (mrc == 0)
        rc = decode_at(s, &kv, &v, MEMBERS_HEADER, "membership", &stored);
    else if (mrc != MDB_NOTFOUND)
        rc = store_mdb_fail(s, mrc, "reading a segment membership");
    if (rc != SEGRT_OK)
        goto done;
    /* Ordinals only grow, but take the wider of the two either way. */
    uint32_t nbits = stored.nbits > members->nbits ? stored.nbits : members->nbits;
    if (copy_bits(&old, &stored, nbits) != 0 || copy_bits(&cur, members, nbits) != 0 ||
        copy_bits(&in, &cur, nbits) != 0 || copy_bits(&out, &old, nbits) != 0) {
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
        goto done;
    }
    bitset_andnot(&in, &old);  /* entered = new & ~old */
    bitset_andnot(&out, &cur); /* exited = old & ~new */
    membership_row r = { run, now, bitset_count(&cur), bitset_count(&in), bitset_count(&out) };
    uint64_t head[2] = { run, (uint64_t)now };
    rc = put_set(s, txn, &k, head, sizeof head, &cur, &scratch);
    if (rc == SEGRT_OK)
        rc = put_purpose(s, txn, name, purpose);
    /* who entered and exited: of the last run, and of this run for good */
    const struct { char kind; const bitset *b; } sets[] = {
        { 'e', &in }, { 'x', &out }, { 'E', &in }, { 'X', &out },
    };
    for (size_t i = 0; i < sizeof sets / sizeof sets[0] && rc == SEGRT_OK; i++) {
        key_of(&k, sets[i].kind, name, run, 1);
        rc = put_set(s, txn, &k, NULL, 0, sets[i].b, &scratch);
    }
    if (rc == SEGRT_OK) {
        unsigned char packed[HISTORY_ROW];
        row_pack(packed, &r);
        key_of(&k, 'h', name, run, 1);
        kv = val_of(&k);
        v = (MDB_val){ sizeof packed, packed };
        mrc = mdb_put(txn, s->dbi[DB_SEGMENTS], &kv, &v, MDB_NOOVERWRITE);
        if (mrc == MDB_KEYEXIST)
            rc = store_fail(s, SEGRT_EINVAL, "segment '%s' recorded twice in run %llu", name,
                            (unsigned long long)run);
        else if (mrc != 0)
            rc = store_mdb_fail(s, mrc, "appending to a segment history");
    }
    if (rc == SEGRT_OK && row)
        *row = r;
done:
    bitset_free(&stored);
    bitset_free(&old);
    bitset_free(&cur);
    bitset_free(&in);
    bitset_free(&out);
    buf_free(&scratch);
    return rc;
}

/* Walk the records of one kind ('m', 'e', 'x', ...) with fn (store_scan; txn NULL: a snapshot). */
static int each_of_kind(segrt_store *s, MDB_txn *txn, char kind, store_scan_fn fn, void *ud)
{
    unsigned char prefix[2] = { (unsigned char)kind, 0 };
    return store_scan(s, txn, DB_SEGMENTS, prefix, sizeof prefix, "reading stored segments", fn,
                      ud);
}

/* The name of a record key, NUL-terminated, into out (MEMBERSHIP_NAME_MAX + 1 bytes). */
static int key_name(const MDB_val *k, char *out)
{
    size_t n = k->mv_size - 2;
    if (k->mv_size < 3 || n > MEMBERSHIP_NAME_MAX || memchr((char *)k->mv_data + 2, 0, n))
        return -1;
    memcpy(out, (char *)k->mv_data + 2, n);
    out[n] = '\0';
    return 0;
}

struct of_args {
    uint32_t ord;
    membership_segment_fn fn;
    void *ud;
};

static int of_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    struct of_args *a = ud;
    char name[MEMBERSHIP_NAME_MAX + 1];
    if (key_name(k, name) != 0 || v->mv_size < MEMBERS_HEADER)
        return corrupt(s, "membership", k);
    int in = mset_contains((const unsigned char *)v->mv_data + MEMBERS_HEADER,
                           v->mv_size - MEMBERS_HEADER, a->ord);
    if (in < 0)
        return corrupt(s, "membership", k);
    if (!in)
        return SEGRT_OK;
    uint64_t head[2];
    memcpy(head, v->mv_data, sizeof head);
    mkey pk;
    key_of(&pk, 'p', name, 0, 0);
    MDB_val pkv = val_of(&pk), pv;
    char purpose[128];
    int mrc = mdb_get(txn, s->dbi[DB_SEGMENTS], &pkv, &pv);
    if (mrc != 0 && mrc != MDB_NOTFOUND)
        return store_mdb_fail(s, mrc, "reading a segment's purpose");
    if (mrc == 0)
        snprintf(purpose, sizeof purpose, "%.*s", (int)pv.mv_size, (const char *)pv.mv_data);
    return a->fn(a->ud, name, mrc == 0 ? purpose : NULL, head[0], (int64_t)head[1]);
}

int membership_of_foreach(segrt_store *s, MDB_txn *txn, uint32_t ord, membership_segment_fn fn,
                          void *ud)
{
    struct of_args a = { ord, fn, ud };
    return each_of_kind(s, txn, 'm', of_one, &a);
}

/* ------------------------------------------------------------ erasure */

struct erase_scan {
    uint32_t ord;
    buf keys; /* the keys that hold ord: u16 length, then the bytes */
    uint64_t members;
};

static int erase_find(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                      const MDB_val *v)
{
    struct erase_scan *a = ud;
    (void)txn;
    size_t skip = ((const char *)k->mv_data)[0] == 'm' ? MEMBERS_HEADER : 0;
    if (v->mv_size < skip || k->mv_size > UINT16_MAX)
        return corrupt(s, "membership", k);
    int in = mset_contains((const unsigned char *)v->mv_data + skip, v->mv_size - skip, a->ord);
    if (in < 0)
        return corrupt(s, "membership", k);
    if (!in)
        return SEGRT_OK;
    uint16_t len = (uint16_t)k->mv_size;
    if (buf_put(&a->keys, &len, sizeof len) != 0 || buf_put(&a->keys, k->mv_data, len) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    a->members += skip != 0;
    return SEGRT_OK;
}

/* Set (on) or clear ord in the set stored under key. */
static int set_in_key(segrt_store *s, MDB_txn *txn, const unsigned char *key, size_t n,
                      uint32_t ord, int on)
{
    mkey k;
    memcpy(k.b, key, n);
    k.n = n;
    MDB_val kv = val_of(&k), v;
    int mrc = mdb_get(txn, s->dbi[DB_SEGMENTS], &kv, &v);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "reading a segment membership");
    size_t skip = key[0] == 'm' ? MEMBERS_HEADER : 0;
    unsigned char head[MEMBERS_HEADER];
    bitset b, wide = { 0 };
    buf scratch = { 0 };
    int rc = decode_at(s, &kv, &v, skip, "membership", &b);
    if (rc != SEGRT_OK)
        return rc;
    memcpy(head, v.mv_data, skip);
    if (on && ord >= b.nbits && copy_bits(&wide, &b, ord + 1) != 0)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    bitset *t = wide.w ? &wide : &b;
    if (rc == SEGRT_OK && on)
        bitset_set(t, ord);
    else if (rc == SEGRT_OK && ord < t->nbits)
        bitset_clear_bit(t, ord);
    if (rc == SEGRT_OK)
        rc = put_set(s, txn, &k, head, skip, t, &scratch);
    bitset_free(&b);
    bitset_free(&wide);
    buf_free(&scratch);
    return rc;
}

/* The keys of the stored sets ('E', 'X', 'e', 'm', 'x') that hold a->ord, into a->keys. */
static int find_holding(segrt_store *s, MDB_txn *txn, struct erase_scan *a)
{
    static const char kinds[] = { 'E', 'X', 'e', 'm', 'x' };
    int rc = SEGRT_OK;
    for (size_t i = 0; i < sizeof kinds && rc == SEGRT_OK; i++)
        rc = each_of_kind(s, txn, kinds[i], erase_find, a);
    return rc;
}

int membership_erase(segrt_store *s, MDB_txn *txn, uint32_t ord, uint64_t *segments)
{
    struct erase_scan a = { ord, { 0 }, 0 };
    /* Find first, then rewrite: no cursor is open while the table changes. */
    int rc = find_holding(s, txn, &a);
    for (size_t at = 0; rc == SEGRT_OK && at < a.keys.len;) {
        uint16_t len;
        memcpy(&len, a.keys.p + at, sizeof len);
        rc = set_in_key(s, txn, a.keys.p + at + sizeof len, len, ord, 0);
        at += sizeof len + len;
    }
    buf_free(&a.keys);
    if (segments)
        *segments = rc == SEGRT_OK ? a.members : 0;
    return rc;
}

/* The run of segment name's last membership (the 'm' record), 0 when it has none. */
static int last_run(segrt_store *s, MDB_txn *txn, const unsigned char *name, size_t n,
                    uint64_t *run)
{
    mkey k;
    k.b[0] = 'm';
    k.b[1] = 0;
    memcpy(k.b + 2, name, n);
    k.n = 2 + n;
    MDB_val kv = val_of(&k), v;
    *run = 0;
    int rc = store_get(s, txn, DB_SEGMENTS, &kv, &v, "reading a segment membership");
    if (rc != SEGRT_OK)
        return rc == SEGRT_ENOTFOUND ? SEGRT_OK : rc;
    if (v.mv_size < MEMBERS_HEADER)
        return corrupt(s, "membership", &kv);
    memcpy(run, v.mv_data, sizeof *run);
    return SEGRT_OK;
}

/* The run membership_held lists for a set of one past run ('E', 'X'): history stays true. */
#define ANY_RUN UINT64_MAX

/* Whether a set key names one run ('E' 0 name 0 run), not the last run of a segment. */
static int per_run(const unsigned char *key)
{
    return key[0] == 'E' || key[0] == 'X';
}

int membership_held(segrt_store *s, MDB_txn *txn, uint32_t ord, buf *held)
{
    struct erase_scan a = { ord, { 0 }, 0 };
    int rc = find_holding(s, txn, &a);
    for (size_t at = 0; rc == SEGRT_OK && at < a.keys.len;) {
        uint16_t len;
        uint64_t run = ANY_RUN;
        const unsigned char *key = a.keys.p + at + sizeof len;
        memcpy(&len, a.keys.p + at, sizeof len);
        if (!per_run(key))
            rc = last_run(s, txn, key + 2, len - 2u, &run);
        if (rc == SEGRT_OK && (buf_put(held, a.keys.p + at, sizeof len + len) != 0 ||
                               buf_put(held, &run, sizeof run) != 0))
            rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
        at += sizeof len + len;
    }
    buf_free(&a.keys);
    return rc;
}

int membership_restore(segrt_store *s, MDB_txn *txn, uint32_t ord, const void *held,
                       size_t n)
{
    const unsigned char *p = held, *end = p + n;
    int rc = SEGRT_OK;
    while (rc == SEGRT_OK && p < end) {
        uint16_t len;
        uint64_t run, now_run;
        if ((size_t)(end - p) < sizeof len)
            break;
        memcpy(&len, p, sizeof len);
        if (len < 3 || len > sizeof(((mkey *)NULL)->b) ||
            (size_t)(end - p) < sizeof len + len + sizeof run)
            break;
        const unsigned char *key = p + sizeof len;
        memcpy(&run, key + len, sizeof run);
        p = key + len + sizeof run;
        now_run = ANY_RUN;
        if (!per_run(key))
            rc = last_run(s, txn, key + 2, len - 2u, &now_run);
        /* A segment run since has its own members: leave it as that run made it. */
        if (rc == SEGRT_OK && now_run == run)
            rc = set_in_key(s, txn, key, len, ord, 1);
    }
    if (rc == SEGRT_OK && p != end)
        rc = store_fail(s, SEGRT_ECORRUPT, "a list of stored memberships to restore is corrupt");
    return rc;
}

/* ------------------------------------------------------------ whole operations */

struct run_args {
    size_t n;
    const char *const *names;
    const char *const *purposes;
    const bitset *const *sets;
    membership_row *rows;
};

static int run_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    const struct run_args *a = ud;
    uint64_t run;
    int rc = store_counter_get(s, txn, "segment_runs", &run);
    if (rc == SEGRT_OK)
        rc = store_counter_set(s, txn, "segment_runs", ++run);
    for (size_t i = 0; i < a->n && rc == SEGRT_OK; i++)
        rc = membership_record(s, txn, run, s->now, a->names[i],
                               a->purposes ? a->purposes[i] : NULL, a->sets[i],
                               a->rows ? &a->rows[i] : NULL);
    return rc;
}

int membership_record_run(segrt_store *s, size_t n, const char *const names[],
                          const char *const purposes[], const bitset *const sets[],
                          membership_row rows[])
{
    for (size_t i = 0; i < n; i++) {
        if (!name_ok(names[i]))
            return bad_name(s, names[i]);
        for (size_t j = 0; j < i; j++) {
            if (strcmp(names[i], names[j]) == 0)
                return store_fail(s, SEGRT_EINVAL, "segment '%s' given twice in one run",
                                  names[i]);
        }
    }
    struct run_args a = { n, names, purposes, sets, rows };
    int rc = store_write(s, run_txn, &a);
    return rc == SEGRT_OK ? store_sync(s) : rc;
}

/* The history rows of one segment, its key prefix n bytes long, for fn. */
struct history_scan {
    const char *name;
    size_t n;
    membership_row_fn fn;
    void *ud;
    uint64_t rows;
};

static int history_row(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                       const MDB_val *v)
{
    struct history_scan *h = ud;
    const unsigned char *kb = k->mv_data;
    (void)txn;
    if (k->mv_size != h->n + 8 || v->mv_size != HISTORY_ROW)
        return store_fail(s, SEGRT_ECORRUPT, "a history row of segment '%s' is corrupt", h->name);
    uint64_t run = 0;
    for (size_t i = 0; i < 8; i++)
        run = run << 8 | kb[h->n + i];
    membership_row r;
    row_unpack(&r, run, v->mv_data);
    h->rows++;
    return h->fn(h->ud, &r);
}

/* The history rows of segment name in txn, oldest first; SEGRT_ENOTFOUND when there are none. */
static int history_in_txn(segrt_store *s, MDB_txn *txn, const char *name, membership_row_fn fn,
                          void *ud)
{
    mkey prefix;
    key_of(&prefix, 'h', name, 0, 0);
    struct history_scan h = { name, prefix.n, fn, ud, 0 };
    int rc = store_scan(s, txn, DB_SEGMENTS, prefix.b, prefix.n, "reading a segment history",
                        history_row, &h);
    if (rc == SEGRT_OK && h.rows == 0)
        rc = store_fail(s, SEGRT_ENOTFOUND, "no stored runs of segment '%s'", name);
    return rc;
}

struct history_args {
    const char *name;
    membership_row_fn fn;
    void *ud;
};

static int history_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    const struct history_args *a = ud;
    return history_in_txn(s, txn, a->name, a->fn, a->ud);
}

int membership_history_foreach(segrt_store *s, const char *name, membership_row_fn fn, void *ud)
{
    struct history_args a = { name, fn, ud };
    return read_named(s, name, "runs", history_in, &a);
}

struct names_args {
    membership_name_fn fn;
    void *ud;
};

static int names_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    const struct names_args *a = ud;
    char name[MEMBERSHIP_NAME_MAX + 1];
    (void)txn;
    (void)v;
    if (key_name(k, name) != 0)
        return corrupt(s, "membership", k);
    return a->fn(a->ud, name);
}

int membership_names_foreach(segrt_store *s, membership_name_fn fn, void *ud)
{
    struct names_args a = { fn, ud };
    return each_of_kind(s, NULL, 'm', names_one, &a);
}

/*
 * The set stored under kind/name (and run, for the per-run kinds) into out
 * (NULL: skip), nbits wide. A missing set reads as empty when missing_empty,
 * else gives SEGRT_ENOTFOUND (without a message: the caller knows why).
 */
static int get_set(segrt_store *s, MDB_txn *txn, char kind, const char *name, uint64_t run,
                   int missing_empty, uint32_t nbits, bitset *out)
{
    if (out == NULL)
        return SEGRT_OK;
    mkey k;
    key_of(&k, kind, name, run, 1);
    MDB_val kv = val_of(&k), v;
    int rc = store_get(s, txn, DB_SEGMENTS, &kv, &v, "reading a segment membership");
    if (rc == SEGRT_ENOTFOUND && missing_empty)
        return bitset_init(out, nbits) == 0 ? SEGRT_OK
                                            : store_fail(s, SEGRT_ENOMEM, "out of memory");
    if (rc != SEGRT_OK)
        return rc;
    bitset stored;
    rc = decode_at(s, &kv, &v, 0, kind == 'e' || kind == 'E' ? "entered set" : "exited set",
                       &stored);
    if (rc == SEGRT_OK && copy_bits(out, &stored, nbits) != 0)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    bitset_free(&stored);
    return rc;
}

/* The members after the last run of name into m, and the run and NOW of that run into head. */
static int get_members(segrt_store *s, MDB_txn *txn, const char *name, bitset *m,
                       uint64_t head[2])
{
    mkey k;
    key_of(&k, 'm', name, 0, 0);
    MDB_val kv = val_of(&k), v;
    int rc, mrc = mdb_get(txn, s->dbi[DB_SEGMENTS], &kv, &v);
    if (mrc == MDB_NOTFOUND)
        rc = store_fail(s, SEGRT_ENOTFOUND, "no stored membership of segment '%s'", name);
    else if (mrc != 0)
        rc = store_mdb_fail(s, mrc, "reading a segment membership");
    else
        rc = decode_at(s, &kv, &v, MEMBERS_HEADER, "membership", m);
    if (rc == SEGRT_OK)
        memcpy(head, v.mv_data, 2 * sizeof *head);
    return rc;
}

struct get_args {
    const char *name;
    bitset members, *entered, *exited;
    membership_row *last;
};

static int get_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    struct get_args *a = ud;
    uint64_t head[2] = { 0, 0 };
    int rc = get_members(s, txn, a->name, &a->members, head);
    if (rc == SEGRT_OK)
        rc = get_set(s, txn, 'e', a->name, head[0], 1, a->members.nbits, a->entered);
    if (rc == SEGRT_OK)
        rc = get_set(s, txn, 'x', a->name, head[0], 1, a->members.nbits, a->exited);
    if (rc != SEGRT_OK || a->last == NULL)
        return rc;
    mkey k;
    key_of(&k, 'h', a->name, head[0], 1);
    MDB_val kv = val_of(&k), v;
    int mrc = mdb_get(txn, s->dbi[DB_SEGMENTS], &kv, &v);
    if (mrc == 0 && v.mv_size == HISTORY_ROW) {
        row_unpack(a->last, head[0], v.mv_data);
        return SEGRT_OK;
    }
    if (mrc == 0 || mrc == MDB_NOTFOUND)
        return store_fail(s, SEGRT_ECORRUPT, "segment '%s' has no history row of its run %llu",
                          a->name, (unsigned long long)head[0]);
    return store_mdb_fail(s, mrc, "reading a segment history");
}

int membership_get(segrt_store *s, const char *name, bitset *members, bitset *entered,
                   bitset *exited, membership_row *last)
{
    bitset *outs[3] = { members, entered, exited };
    for (int i = 0; i < 3; i++) {
        if (outs[i])
            *outs[i] = (bitset){ 0 };
    }
    struct get_args a = { name, { 0 }, entered, exited, last };
    int rc = read_named(s, name, "membership", get_in, &a);
    if (rc == SEGRT_OK && members)
        *members = a.members;
    else
        bitset_free(&a.members);
    if (rc != SEGRT_OK) {
        for (int i = 1; i < 3; i++) {
            if (outs[i])
                bitset_free(outs[i]);
        }
    }
    return rc;
}

/* ------------------------------------------------------------ changes since a run */

struct run_at {
    int64_t t;
    membership_row best, first;
    int found, any;
};

static int pick_run(void *ud, const membership_row *r)
{
    struct run_at *a = ud;
    if (!a->any || r->now < a->first.now)
        a->first = *r;
    a->any = 1;
    if (r->now <= a->t && (!a->found || r->now >= a->best.now)) /* rows come in run order */
        a->best = *r, a->found = 1;
    return SEGRT_OK;
}

int membership_run_at(segrt_store *s, const char *name, int64_t t, membership_row *row)
{
    struct run_at a = { .t = t };
    int rc = membership_history_foreach(s, name, pick_run, &a);
    if (rc != SEGRT_OK)
        return rc;
    if (!a.found) {
        char when[21], first[21];
        segrt_time_format(t, when);
        segrt_time_format(a.first.now, first);
        return store_fail(s, SEGRT_ENOTFOUND, "segment '%s' has no run at or before %s (its "
                          "earliest is run %llu at %s)", name, when,
                          (unsigned long long)a.first.run, first);
    }
    *row = a.best;
    return SEGRT_OK;
}

typedef struct row_list {
    segrt_store *s;
    membership_row *r;
    size_t n, cap;
} row_list;

static int list_row(void *ud, const membership_row *row)
{
    row_list *l = ud;
    if (ARRAY_RESERVE(l->r, l->cap, l->n + 1) != 0)
        return store_fail(l->s, SEGRT_ENOMEM, "out of memory");
    l->r[l->n++] = *row;
    return SEGRT_OK;
}

/* The runs of a history as "1-3, 5, 8" into out (cut to fit). */
static void runs_text(const row_list *l, char *out, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0, j; i < l->n && used < n; i = j + 1) {
        for (j = i; j + 1 < l->n && l->r[j + 1].run == l->r[j].run + 1; j++)
            ;
        int k = j == i ? snprintf(out + used, n - used, "%s%llu", i ? ", " : "",
                                  (unsigned long long)l->r[i].run)
                       : snprintf(out + used, n - used, "%s%llu-%llu", i ? ", " : "",
                                  (unsigned long long)l->r[i].run,
                                  (unsigned long long)l->r[j].run);
        used += k > 0 ? (size_t)k : 0;
    }
}

/*
 * Members at the run at index since of l, into at: the last members, then
 * back through each later run k: at = (at \ E_k) ∪ X_k.
 */
static int members_at(segrt_store *s, MDB_txn *txn, const char *name, const row_list *l,
                      size_t since, const bitset *last, bitset *at)
{
    if (copy_bits(at, last, last->nbits) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    int rc = SEGRT_OK;
    for (size_t k = l->n - 1; k > since && rc == SEGRT_OK; k--) {
        bitset in = { 0 }, out = { 0 };
        rc = get_set(s, txn, 'E', name, l->r[k].run, 0, last->nbits, &in);
        if (rc == SEGRT_OK)
            rc = get_set(s, txn, 'X', name, l->r[k].run, 0, last->nbits, &out);
        if (rc == SEGRT_ENOTFOUND)
            rc = store_fail(s, SEGRT_ENOTFOUND, "run %llu of segment '%s' was stored before runs "
                            "kept who entered and exited; ask for changes since run %llu or "
                            "later", (unsigned long long)l->r[k].run, name,
                            (unsigned long long)l->r[k].run);
        if (rc == SEGRT_OK) {
            bitset_andnot(at, &in);
            bitset_or(at, &out);
        }
        bitset_free(&in);
        bitset_free(&out);
    }
    return rc;
}

struct changes_args {
    const char *name;
    uint64_t since;
    bitset *entered, *left;
};

static int changes_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    const struct changes_args *a = ud;
    const char *name = a->name;
    uint64_t since = a->since;
    bitset *entered = a->entered, *left = a->left;
    row_list l = { .s = s };
    bitset last = { 0 }, at = { 0 };
    uint64_t head[2];
    size_t i = 0;
    int rc = history_in_txn(s, txn, name, list_row, &l);
    while (rc == SEGRT_OK && i < l.n && l.r[i].run != since)
        i++;
    if (rc == SEGRT_OK && i == l.n) {
        char runs[200];
        runs_text(&l, runs, sizeof runs);
        rc = store_fail(s, SEGRT_ENOTFOUND, "segment '%s' has no run %llu (its runs: %s)", name,
                        (unsigned long long)since, runs);
    }
    if (rc == SEGRT_OK)
        rc = get_members(s, txn, name, &last, head);
    if (rc == SEGRT_OK && head[0] != l.r[l.n - 1].run)
        rc = store_fail(s, SEGRT_ECORRUPT, "segment '%s': its members are of run %llu, its "
                        "history ends at run %llu", name, (unsigned long long)head[0],
                        (unsigned long long)l.r[l.n - 1].run);
    if (rc == SEGRT_OK)
        rc = members_at(s, txn, name, &l, i, &last, &at);
    if (rc == SEGRT_OK &&
        (copy_bits(entered, &last, last.nbits) != 0 || copy_bits(left, &at, last.nbits) != 0))
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK) {
        bitset_andnot(entered, &at);  /* members now that were not at run since */
        bitset_andnot(left, &last);   /* members at run since that are not now */
    } else {
        bitset_free(entered);
        bitset_free(left);
    }
    free(l.r);
    bitset_free(&last);
    bitset_free(&at);
    return rc;
}

int membership_changes(segrt_store *s, const char *name, uint64_t since, bitset *entered,
                       bitset *left)
{
    *entered = *left = (bitset){ 0 };
    struct changes_args a = { name, since, entered, left };
    return read_named(s, name, "runs", changes_in, &a);
}
