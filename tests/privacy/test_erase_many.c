/*
 * test_erase_many.c — segrt_contact_erase_many through the public API:
 * 1,300 ids over three batches, with unknown and repeated ids flagged and
 * skipped, an audit entry per erased contact, the erasures counted in
 * segrt_stats.erased_awaiting_compaction until segrt_store_compact resets
 * it and sets last_compaction; no id at all; a read-only handle erases
 * nothing.
 *
 * Uses: cmocka, segrt.h, test_util.h (temporary stores, imports).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "segrt.h"
#include "test_util.h"

#include <time.h>

#define NCONTACTS 1500
#define NERASE 1300 /* c0000001 .. c0001300: three batches of 512 */

/* NCONTACTS contacts, an event each. */
static void fill(tu_fixture *f)
{
    size_t cap = NCONTACTS * 64 + 64, len = 0, elen = 0;
    char *contacts = malloc(cap), *events = malloc(cap);
    assert_non_null(contacts);
    assert_non_null(events);
    len += (size_t)snprintf(contacts, cap, "id,email\n");
    elen += (size_t)snprintf(events, cap, "contact_id,ts,type\n");
    for (int i = 1; i <= NCONTACTS; i++) {
        len += (size_t)snprintf(contacts + len, cap - len, "c%07d,p%d@example.org\n", i, i);
        elen += (size_t)snprintf(events + elen, cap - elen,
                                 "c%07d,2025-01-01T00:00:00Z,purchase\n", i);
    }
    tu_import_text(f, SEGRT_CONTACTS, "contacts.csv", contacts, NULL);
    tu_import_text(f, SEGRT_EVENTS, "events.csv", events, NULL);
    free(contacts);
    free(events);
}

static int count_erase(void *ud, const segrt_audit_entry *e)
{
    size_t *n = ud;
    *n += strcmp(e->action, "erase") == 0;
    return 0;
}

/* The ids c0000001 .. c<NERASE>, then "nobody", then c0000002 again. */
static char **make_ids(size_t *n)
{
    *n = NERASE + 2;
    char **ids = calloc(*n, sizeof *ids);
    assert_non_null(ids);
    for (size_t i = 0; i < NERASE; i++) {
        ids[i] = malloc(16);
        assert_non_null(ids[i]);
        snprintf(ids[i], 16, "c%07zu", i + 1);
    }
    ids[NERASE] = strdup("nobody");
    ids[NERASE + 1] = strdup("c0000002");
    assert_non_null(ids[NERASE]);
    assert_non_null(ids[NERASE + 1]);
    return ids;
}

static void free_ids(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

static void test_many_batches(void **state)
{
    tu_fixture *f = *state;
    fill(f);
    segrt_stats st = tu_stats(f->s);
    assert_int_equal(st.erased_awaiting_compaction, 0);
    assert_int_equal(st.last_compaction, 0);
    size_t n;
    char **ids = make_ids(&n);
    unsigned char *erased = malloc(n);
    assert_non_null(erased);
    memset(erased, 7, n);
    assert_int_equal(segrt_contact_erase_many(f->s, (const char *const *)ids, n, "dpo", erased),
                     SEGRT_OK);
    for (size_t i = 0; i < NERASE; i++)
        assert_int_equal(erased[i], 1);
    assert_int_equal(erased[NERASE], 0);     /* unknown */
    assert_int_equal(erased[NERASE + 1], 0); /* erased already, earlier in the list */
    tu_assert_counts(f->s, NCONTACTS - NERASE, NCONTACTS - NERASE, 0);
    tu_assert_check_ok(f->s);
    size_t audited = 0;
    assert_int_equal(segrt_audit_foreach(f->s, 0, count_erase, &audited), SEGRT_OK);
    assert_int_equal(audited, NERASE);
    st = tu_stats(f->s);
    assert_int_equal(st.erased_awaiting_compaction, NERASE);
    assert_int_equal(st.last_compaction, 0);

    /* One more, alone: counted too. */
    assert_int_equal(segrt_contact_erase(f->s, "c0001400", "dpo"), SEGRT_OK);
    assert_int_equal(tu_stats(f->s).erased_awaiting_compaction, NERASE + 1);

    int64_t t0 = (int64_t)time(NULL);
    assert_int_equal(segrt_store_compact(f->s, "dpo", NULL, NULL), SEGRT_OK);
    int64_t t1 = (int64_t)time(NULL);
    st = tu_stats(f->s);
    assert_int_equal(st.erased_awaiting_compaction, 0);
    assert_true(st.last_compaction >= t0 && st.last_compaction <= t1);
    tu_assert_counts(f->s, NCONTACTS - NERASE - 1, NCONTACTS - NERASE - 1, 0);
    tu_assert_check_ok(f->s);
    free(erased);
    free_ids(ids, n);
}

static void test_none(void **state)
{
    tu_fixture *f = *state;
    fill(f);
    unsigned char flag = 7;
    assert_int_equal(segrt_contact_erase_many(f->s, NULL, 0, "dpo", &flag), SEGRT_OK);
    assert_int_equal(flag, 7);
    tu_assert_counts(f->s, NCONTACTS, NCONTACTS, 0);
    assert_int_equal(tu_stats(f->s).erased_awaiting_compaction, 0);
}

static void test_read_only(void **state)
{
    tu_fixture *f = *state;
    fill(f);
    segrt_store_close(f->s);
    tu_open(f, SEGRT_OPEN_READONLY);
    const char *ids[] = { "c0000001", "c0000002" };
    unsigned char erased[2] = { 7, 7 };
    assert_int_equal(segrt_contact_erase_many(f->s, ids, 2, "dpo", erased), SEGRT_EINVAL);
    tu_assert_errmsg(f->s, "read-only");
    assert_int_equal(erased[0], 0);
    assert_int_equal(erased[1], 0);
    tu_assert_counts(f->s, NCONTACTS, NCONTACTS, 0);
    assert_int_equal(tu_stats(f->s).erased_awaiting_compaction, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_many_batches),
        TU_STORE_TEST(test_none),
        TU_STORE_TEST(test_read_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
