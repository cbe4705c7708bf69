/*
 * changes.c — who entered and who left a segment since one of its stored
 * runs (segrt_segment_changes_foreach, segrt_segment_run_at): the sets come from
 * membership.c, the ids and e-mails from the contacts, in byte order of the
 * ids, for syncing a mail tool incrementally.
 *
 * Uses: membership.h, id_order.h, contact_json.h.
 */
#include "privacy/contact_json.h"
#include "store/id_order.h"
#include "store/membership.h"

int segrt_segment_run_at(segrt_store *s, const char *name, int64_t t, uint64_t *run)
{
    if (run)
        *run = 0;
    if (s == NULL || name == NULL || run == NULL)
        return SEGRT_EINVAL;
    membership_row row;
    int rc = membership_run_at(s, name, t, &row);
    if (rc == SEGRT_OK)
        *run = row.run;
    return rc;
}

/* fn for each contact of entered or left (live ones, in id order) in txn. */
static int emit(segrt_store *s, MDB_txn *txn, const bitset *entered, const bitset *left,
                int (*fn)(void *ud, const segrt_change *c), void *ud)
{
    id_order ids;
    int rc = id_order_get(s, txn, &ids);
    for (uint32_t j = 0; j < ids.n && rc == SEGRT_OK; j++) {
        uint32_t ord = ids.ord[j];
        int in = ord < entered->nbits && bitset_test(entered, ord);
        if (!in && !(ord < left->nbits && bitset_test(left, ord)))
            continue;
        json_t *row = json_object();
        rc = row ? contact_json_fields(s, txn, ord, row)
                 : store_fail(s, SEGRT_ENOMEM, "out of memory");
        if (rc == SEGRT_OK) {
            segrt_change c = { in ? "entered" : "left",
                               json_string_value(json_object_get(row, "id")),
                               json_string_value(json_object_get(row, "email")) };
            rc = fn(ud, &c);
        }
        json_decref(row);
    }
    id_order_release(&ids);
    return rc;
}

int segrt_segment_changes_foreach(segrt_store *s, const char *name, uint64_t since,
                                  int (*fn)(void *ud, const segrt_change *c), void *ud)
{
    if (s == NULL || name == NULL || fn == NULL)
        return SEGRT_EINVAL;
    bitset entered, left;
    int rc = membership_changes(s, name, since, &entered, &left);
    if (rc != SEGRT_OK)
        return rc;
    MDB_txn *txn;
    rc = store_txn_begin(s, MDB_RDONLY, &txn);
    if (rc == SEGRT_OK) {
        rc = emit(s, txn, &entered, &left, fn, ud);
        mdb_txn_abort(txn);
    }
    bitset_free(&entered);
    bitset_free(&left);
    return rc;
}
