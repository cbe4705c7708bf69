/*
 * test_audit.c — the audit log's hash chain (audit.c, segrt_audit_verify):
 * an intact log verifies with its entry count and a stable head; an entry
 * changed, one removed, two swapped, a removed tail and a stripped hash are
 * each reported at the first bad entry; a log written before the chain is
 * covered from the first chained entry on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "segrt.h"
#include "test_util.h"
#include "store/audit.h"

#define HASH 32

struct append {
    int n;
    const char *detail;
};

static int append_entries(segrt_store *s, MDB_txn *txn, void *ud)
{
    const struct append *a = ud;
    int rc = SEGRT_OK;
    for (int i = 0; i < a->n && rc == SEGRT_OK; i++)
        rc = audit_append(s, txn, "tester", "export", (uint32_t)i, a->detail);
    return rc;
}

static void append(segrt_store *s, int n)
{
    struct append a = { n, "format json" };
    assert_int_equal(store_write(s, append_entries, &a), SEGRT_OK);
}

/* A raw change to the log: put (value, n) at seq, or delete seq when value is NULL. */
struct raw {
    uint64_t seq;
    const void *value;
    size_t n;
};

static int raw_change(segrt_store *s, MDB_txn *txn, void *ud)
{
    const struct raw *r = ud;
    uint64_t seq = r->seq;
    MDB_val k = { sizeof seq, &seq }, v = { r->n, (void *)r->value };
    int mrc = r->value ? mdb_put(txn, s->dbi[DB_AUDIT], &k, &v, 0)
                       : mdb_del(txn, s->dbi[DB_AUDIT], &k, NULL);
    return mrc ? store_mdb_fail(s, mrc, "test") : SEGRT_OK;
}

static void raw(segrt_store *s, uint64_t seq, const void *value, size_t n)
{
    struct raw r = { seq, value, n };
    assert_int_equal(store_write(s, raw_change, &r), SEGRT_OK);
}

/* A copy of entry seq's stored bytes into out; its size. */
struct fetch {
    uint64_t seq;
    unsigned char *out;
    size_t n;
};

static int fetch_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    struct fetch *f = ud;
    MDB_val k = { sizeof f->seq, &f->seq }, v;
    int rc = store_get(s, txn, DB_AUDIT, &k, &v, "test");
    if (rc == SEGRT_OK) {
        memcpy(f->out, v.mv_data, v.mv_size);
        f->n = v.mv_size;
    }
    return rc;
}

static size_t fetch(segrt_store *s, uint64_t seq, unsigned char out[512])
{
    struct fetch f = { seq, out, 0 };
    assert_int_equal(store_read(s, fetch_in, &f), SEGRT_OK);
    return f.n;
}

static void assert_breaks_at(segrt_store *s, uint64_t seq, const char *why)
{
    segrt_audit_check chk;
    assert_int_equal(segrt_audit_verify(s, &chk), SEGRT_ECORRUPT);
    if (chk.first_bad != seq || strstr(chk.reason, why) == NULL)
        fail_msg("expected a break at %llu (%s), got %llu: %s", (unsigned long long)seq, why,
                 (unsigned long long)chk.first_bad, chk.reason);
    assert_int_equal(chk.entries, seq - 1);
}

static void test_audit_intact_log_verifies(void **state)
{
    tu_fixture *f = *state;
    segrt_audit_check chk, again;
    assert_int_equal(segrt_audit_verify(f->s, &chk), SEGRT_OK);
    assert_int_equal(chk.entries, 0);
    append(f->s, 5);
    assert_int_equal(segrt_audit_verify(f->s, &chk), SEGRT_OK);
    assert_int_equal(chk.entries, 5);
    assert_int_equal(chk.legacy, 0);
    assert_int_equal(chk.first_bad, 0);
    assert_int_equal(strlen(chk.head), 64);
    assert_int_equal(segrt_audit_verify(f->s, &again), SEGRT_OK);
    assert_string_equal(chk.head, again.head);
    append(f->s, 1);
    assert_int_equal(segrt_audit_verify(f->s, &again), SEGRT_OK);
    assert_string_not_equal(chk.head, again.head); /* the head moves with every entry */
    assert_int_equal(segrt_audit_verify(NULL, &chk), SEGRT_EINVAL);
    assert_int_equal(segrt_audit_verify(f->s, NULL), SEGRT_EINVAL);
}

static void test_audit_a_changed_entry_breaks_the_chain(void **state)
{
    tu_fixture *f = *state;
    unsigned char v[512];
    append(f->s, 6);
    size_t n = fetch(f->s, 3, v);
    v[8] ^= 1; /* the contact ordinal */
    raw(f->s, 3, v, n);
    assert_breaks_at(f->s, 3, "entry 3 was changed");
}

static void test_audit_a_removed_entry_breaks_the_chain(void **state)
{
    tu_fixture *f = *state;
    append(f->s, 6);
    raw(f->s, 4, NULL, 0);
    assert_breaks_at(f->s, 4, "entry 4 was removed");
}

static void test_audit_swapped_entries_break_the_chain(void **state)
{
    tu_fixture *f = *state;
    unsigned char a[512], b[512];
    append(f->s, 6);
    size_t na = fetch(f->s, 2, a), nb = fetch(f->s, 3, b);
    raw(f->s, 2, b, nb);
    raw(f->s, 3, a, na);
    assert_breaks_at(f->s, 2, "entry 2 was changed, or put in another's place");
}

static void test_audit_a_removed_tail_or_hash_breaks_the_chain(void **state)
{
    tu_fixture *f = *state;
    unsigned char v[512];
    append(f->s, 6);
    raw(f->s, 6, NULL, 0);
    assert_breaks_at(f->s, 6, "entries from 6 on were removed");
    size_t n = fetch(f->s, 5, v);
    raw(f->s, 5, v, n - HASH); /* the entry without its hash */
    assert_breaks_at(f->s, 5, "entry 5 lost its chain hash");
    raw(f->s, 5, v, n - 1); /* neither an old nor a chained entry */
    assert_breaks_at(f->s, 5, "entry 5 is not a well-formed entry");
}

static void test_audit_a_log_from_before_the_chain_is_covered_after(void **state)
{
    tu_fixture *f = *state;
    unsigned char v[512];
    append(f->s, 3);
    for (uint64_t seq = 1; seq <= 3; seq++) { /* as a store written before the chain */
        size_t n = fetch(f->s, seq, v);
        raw(f->s, seq, v, n - HASH);
    }
    append(f->s, 2);
    segrt_audit_check chk;
    assert_int_equal(segrt_audit_verify(f->s, &chk), SEGRT_OK);
    assert_int_equal(chk.entries, 5);
    assert_int_equal(chk.legacy, 3);
    size_t n = fetch(f->s, 3, v); /* the last old entry is covered by the first chained one */
    v[9] ^= 1;
    raw(f->s, 3, v, n);
    assert_breaks_at(f->s, 4, "entry 4 was changed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_audit_intact_log_verifies, tu_setup_store,
                                        tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_audit_a_changed_entry_breaks_the_chain,
                                        tu_setup_store, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_audit_a_removed_entry_breaks_the_chain,
                                        tu_setup_store, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_audit_swapped_entries_break_the_chain,
                                        tu_setup_store, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_audit_a_removed_tail_or_hash_breaks_the_chain,
                                        tu_setup_store, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_audit_a_log_from_before_the_chain_is_covered_after,
                                        tu_setup_store, tu_teardown_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
