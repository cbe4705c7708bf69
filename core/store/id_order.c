/*
 * id_order.c — the stored id order of contacts (id_order.h).
 */
#include "store/id_order.h"
#include "store/store_map.h"

#include "util/bitset.h"

#include <stdlib.h>
#include <string.h>

#define KEY "id_order"
#define HEADER 16 /* u64 next_ord, u64 contacts */

static int contact_state(segrt_store *s, MDB_txn *txn, uint64_t state[2])
{
    int rc = store_counter_get(s, txn, "next_ord", &state[0]);
    return rc == SEGRT_OK ? store_counter_get(s, txn, "contacts", &state[1]) : rc;
}

/*
 * Ids walked between two releases of the map's pages: each leaf page of the
 * index faults in the pages around it too (of other tables), which would
 * leave gigabytes of a 10M store resident by the end of the walk.
 */
#define WALK_RELEASE_EVERY (1u << 20)

/* The ordinals below next_ord, in id order, gathered from the id index. */
typedef struct walk {
    uint32_t *ord;
    uint32_t n;
    uint64_t next_ord;
    uint64_t seen; /* index entries walked */
} walk;

static int walk_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    walk *w = ud;
    uint32_t o;
    (void)txn;
    (void)k;
    if (++w->seen % WALK_RELEASE_EVERY == 0)
        store_map_release(s);
    if (v->mv_size != sizeof o || w->n == w->next_ord)
        return SEGRT_OK;
    memcpy(&o, v->mv_data, sizeof o);
    if (o < w->next_ord)
        w->ord[w->n++] = o;
    return SEGRT_OK;
}

/* Walk the id index: ordinals in id order into a new array. */
static int walk_index(segrt_store *s, MDB_txn *txn, uint64_t next_ord, uint32_t **out,
                      uint32_t *n)
{
    walk w = { malloc((next_ord ? next_ord : 1) * sizeof *w.ord), 0, next_ord, 0 };
    if (w.ord == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory ordering ids");
    int rc = store_scan(s, txn, DB_IDS, NULL, 0, "reading the id index", walk_one, &w);
    if (rc != SEGRT_OK) {
        free(w.ord);
        return rc;
    }
    *out = w.ord;
    *n = w.n;
    return SEGRT_OK;
}

int id_order_get(segrt_store *s, MDB_txn *txn, id_order *out)
{
    *out = (id_order){ 0 };
    uint64_t state[2];
    int rc = contact_state(s, txn, state);
    if (rc != SEGRT_OK)
        return rc;
    MDB_val k = { sizeof KEY - 1, (void *)KEY }, v;
    int mrc = mdb_get(txn, s->dbi[DB_META], &k, &v);
    if (mrc != 0 && mrc != MDB_NOTFOUND)
        return store_mdb_fail(s, mrc, "reading the id order");
    if (mrc == 0 && v.mv_size >= HEADER && memcmp(v.mv_data, &state[0], sizeof state[0]) == 0 &&
        (v.mv_size - HEADER) % sizeof(uint32_t) == 0) {
        out->n = (uint32_t)((v.mv_size - HEADER) / sizeof(uint32_t));
        out->stored = 1;
        const unsigned char *data = (const unsigned char *)v.mv_data + HEADER;
        if ((uintptr_t)data % sizeof(uint32_t) == 0) {
            out->ord = (const uint32_t *)(const void *)data;
            return SEGRT_OK;
        }
        uint32_t *copy = malloc(out->n ? (size_t)out->n * sizeof *copy : 1);
        if (copy == NULL)
            return store_fail(s, SEGRT_ENOMEM, "out of memory ordering ids");
        memcpy(copy, data, (size_t)out->n * sizeof *copy);
        out->ord = copy;
        out->owned = copy;
        return SEGRT_OK;
    }
    uint32_t *ord = NULL;
    rc = walk_index(s, txn, state[0], &ord, &out->n);
    if (rc == SEGRT_OK) {
        out->ord = ord;
        out->owned = ord;
    }
    return rc;
}

void id_order_release(id_order *o)
{
    free(o->owned);
    *o = (id_order){ 0 };
}

int id_order_refresh(segrt_store *s, MDB_txn *txn)
{
    id_order o;
    int rc = id_order_get(s, txn, &o);
    if (rc != SEGRT_OK || o.stored) { /* failed, or fresh */
        id_order_release(&o);
        return rc;
    }
    uint64_t state[2];
    rc = contact_state(s, txn, state);
    MDB_val k = { sizeof KEY - 1, (void *)KEY }, v = { HEADER + (size_t)o.n * sizeof *o.ord, NULL };
    int mrc = rc == SEGRT_OK ? mdb_put(txn, s->dbi[DB_META], &k, &v, MDB_RESERVE) : 0;
    if (rc == SEGRT_OK && mrc != 0)
        rc = store_mdb_fail(s, mrc, "writing the id order");
    if (rc == SEGRT_OK) {
        memcpy(v.mv_data, state, HEADER);
        memcpy((unsigned char *)v.mv_data + HEADER, o.ord, (size_t)o.n * sizeof *o.ord);
    }
    id_order_release(&o);
    return rc;
}

int id_order_rebuild(segrt_store *s, MDB_txn *txn)
{
    MDB_val k = { sizeof KEY - 1, (void *)KEY };
    int mrc = mdb_del(txn, s->dbi[DB_META], &k, NULL);
    if (mrc != 0 && mrc != MDB_NOTFOUND)
        return store_mdb_fail(s, mrc, "dropping the id order");
    return id_order_refresh(s, txn);
}

int id_order_update(segrt_store *s)
{
    return store_write_step(s, id_order_refresh);
}

/* Whether the stored order o, without the contacts gone since it was built, is the index's. */
static int same_as_index(segrt_store *s, MDB_txn *txn, const id_order *o)
{
    uint64_t next_ord;
    uint32_t *walked = NULL, n = 0;
    bitset indexed = { 0 };
    int rc = store_counter_get(s, txn, "next_ord", &next_ord);
    if (rc == SEGRT_OK)
        rc = walk_index(s, txn, next_ord, &walked, &n);
    if (rc == SEGRT_OK && bitset_init(&indexed, (uint32_t)next_ord) != 0)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory checking the id order");
    for (uint32_t i = 0; i < n && rc == SEGRT_OK; i++)
        bitset_set(&indexed, walked[i]);
    uint32_t j = 0;
    for (uint32_t i = 0; i < o->n && rc == SEGRT_OK; i++) {
        if (!bitset_test(&indexed, o->ord[i]))
            continue;
        if (j == n || o->ord[i] != walked[j])
            rc = store_fail(s, SEGRT_ECORRUPT,
                            "check: the id order differs from the id index at position %u", i);
        j++;
    }
    if (rc == SEGRT_OK && j != n)
        rc = store_fail(s, SEGRT_ECORRUPT, "check: the id order lacks %u contacts of the id index",
                        n - j);
    bitset_free(&indexed);
    free(walked);
    return rc;
}

int id_order_verify(segrt_store *s, MDB_txn *txn)
{
    id_order o;
    int rc = id_order_get(s, txn, &o);
    if (rc == SEGRT_OK && o.stored) /* else none stored, or stale: nothing kept to check */
        rc = same_as_index(s, txn, &o);
    id_order_release(&o);
    return rc;
}
