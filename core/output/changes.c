/*
 * changes.c — the stored runs of segments for hosts (segrt/run.h): recording
 * a run, a segment's history and last run, the stored segment names, thin
 * faces of membership.c; and who entered and who left a segment since one
 * of its stored runs (segrt_segment_changes_foreach, segrt_segment_run_at):
 * the sets come from membership.c, the ids and e-mails from the contacts, in
 * byte order of the ids, for syncing a mail tool incrementally.
 *
 * Uses: membership.h, segset.h, id_order.h, contact_json.h.
 */
#include "plan/segset.h"
#include "privacy/contact_json.h"
#include "privacy/restrict_check.h"
#include "store/id_order.h"
#include "store/membership.h"

#include <stdlib.h>

_Static_assert(SEGRT_SEGMENT_NAME_MAX == MEMBERSHIP_NAME_MAX,
               "segrt/run.h and membership.h disagree on the longest name");

static segrt_run run_of(const membership_row *row)
{
    return (segrt_run){ row->run, row->now, row->size, row->entered, row->exited };
}

int segrt_run_record(segrt_store *s, size_t n, const char *const names[],
                     const char *const purposes[], const segrt_set *const sets[],
                     segrt_run runs[])
{
    if (s == NULL || (n > 0 && (names == NULL || sets == NULL)))
        return SEGRT_EINVAL;
    const bitset **bits = calloc(n ? n : 1, sizeof *bits);
    membership_row *rows = calloc(n ? n : 1, sizeof *rows);
    int rc = bits && rows ? SEGRT_OK : store_fail(s, SEGRT_ENOMEM, "out of memory");
    for (size_t i = 0; rc == SEGRT_OK && i < n; i++)
        bits[i] = &sets[i]->bits;
    if (rc == SEGRT_OK)
        rc = membership_record_run(s, n, names, purposes, bits, rows);
    for (size_t i = 0; rc == SEGRT_OK && runs && i < n; i++)
        runs[i] = run_of(&rows[i]);
    free(bits);
    free(rows);
    return rc;
}

struct runs_args {
    segrt_run_fn fn;
    void *ud;
};

static int each_run(void *ud, const membership_row *row)
{
    const struct runs_args *a = ud;
    segrt_run r = run_of(row);
    return a->fn(a->ud, &r);
}

int segrt_segment_runs_foreach(segrt_store *s, const char *name, segrt_run_fn fn, void *ud)
{
    if (s == NULL || name == NULL || fn == NULL)
        return SEGRT_EINVAL;
    struct runs_args a = { fn, ud };
    return membership_history_foreach(s, name, each_run, &a);
}

int segrt_segment_last_run(segrt_store *s, const char *name, segrt_run *out)
{
    if (out)
        *out = (segrt_run){ 0 };
    if (s == NULL || name == NULL || out == NULL)
        return SEGRT_EINVAL;
    membership_row row;
    int rc = membership_get(s, name, NULL, NULL, NULL, &row);
    if (rc == SEGRT_OK)
        *out = run_of(&row);
    return rc;
}

int segrt_stored_segments_foreach(segrt_store *s, segrt_segment_name_fn fn, void *ud)
{
    if (s == NULL || fn == NULL)
        return SEGRT_EINVAL;
    return membership_names_foreach(s, fn, ud);
}

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

struct emit_args {
    const bitset *entered, *left;
    int (*fn)(void *ud, const segrt_change *c);
    void *ud;
};

/* a->fn for each contact of entered or left (live ones, in id order) in txn. */
static int emit(segrt_store *s, MDB_txn *txn, void *ud)
{
    const struct emit_args *a = ud;
    const bitset *entered = a->entered, *left = a->left;
    id_order ids;
    int rc = id_order_get(s, txn, &ids);
    for (uint32_t j = 0; j < ids.n && rc == SEGRT_OK; j++) {
        uint32_t ord = ids.ord[j];
        int in = ord < entered->nbits && bitset_test(entered, ord);
        if (!in && !(ord < left->nbits && bitset_test(left, ord)))
            continue;
        /* Art. 18: a restricted contact leaves every segment, and is not exported as leaving */
        int restricted = restrict_check_one(s, txn, segrt_store_now(s), ord, NULL, NULL);
        if (restricted != 0) {
            rc = restricted < 0 ? restricted : SEGRT_OK;
            continue;
        }
        json_t *row = json_object();
        rc = row ? contact_json_fields(s, txn, ord, row)
                 : store_fail(s, SEGRT_ENOMEM, "out of memory");
        if (rc == SEGRT_OK) {
            segrt_change c = { in ? "entered" : "left",
                               json_string_value(json_object_get(row, "id")),
                               json_string_value(json_object_get(row, "email")) };
            rc = a->fn(a->ud, &c);
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
    struct emit_args a = { &entered, &left, fn, ud };
    rc = store_read(s, emit, &a);
    bitset_free(&entered);
    bitset_free(&left);
    return rc;
}
