/*
 * test_consent_reach.c — unit tests of consent_reach.c without Lua: on a
 * store of 60 contacts whose consent histories vary (granted, withdrawn,
 * denied, expired, a grant after NOW, each legal basis, objections to direct
 * marketing), the count of members passing a purpose equals the number of
 * members for which consent_check_passes says 1, for the default rule, a
 * consent-only rule, a marketing rule and a rule with a check function, and
 * for member sets small enough to be looked up and large enough to be
 * merged with every history; the members are left as they were. A purpose
 * nobody has a record of reaches nobody; a definition with a check function
 * but no callback is an error; so is a failing callback.
 *
 * Uses: cmocka, privacy/consent_reach.h, store.h, test_util.h, consent_tree.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "segrt.h"
#include "test_util.h"

#include "privacy/consent_reach.h"
#include "consent_tree.h"
#include "store/store.h"

#define N 60

typedef struct fixture {
    tu_fixture *f;
    MDB_txn *txn;
    tree_doc *doc;
    uint32_t ord[N];
} fixture;

/* Contact i's history: a mix picked by i so every case occurs several times. */
static void history(char *out, size_t n, int i)
{
    static const char *const status[] = { "granted", "granted", "withdrawn", "denied" };
    static const char *const basis[] = { "consent", "legitimate_interest", "contract" };
    size_t len = 0;
    if (i % 7 != 6)
        len += (size_t)snprintf(out + len, n - len, "c%d,email,%s,%s,2025-0%d-01T00:00:00Z,%s,web\n",
                                i, status[i % 4], basis[i % 3], 1 + i % 9,
                                i % 5 == 0 ? "2025-12-01T00:00:00Z"   /* expired at NOW */
                                : i % 5 == 1 ? "2027-01-01T00:00:00Z" : "");
    if (i % 11 == 3) /* a later grant, after NOW: not in force yet */
        len += (size_t)snprintf(out + len, n - len,
                                "c%d,email,granted,consent,2026-06-01T00:00:00Z,,web\n", i);
    if (i % 6 == 2)
        len += (size_t)snprintf(out + len, n - len,
                                "c%d,direct_marketing,withdrawn,consent,2025-10-01T00:00:00Z,,web\n", i);
    if (i % 13 == 4)
        len += (size_t)snprintf(out + len, n - len,
                                "c%d,objection,granted,consent,2025-11-01T00:00:00Z,,web\n", i);
}

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_fixture *tf = *state;
    static char contacts[N * 16], consents[N * 400];
    size_t lc = (size_t)snprintf(contacts, sizeof contacts, "id,region\n");
    size_t lk = (size_t)snprintf(consents, sizeof consents,
                                 "contact_id,purpose,status,legal_basis,ts,expires_at,source\n");
    for (int i = 0; i < N; i++) {
        lc += (size_t)snprintf(contacts + lc, sizeof contacts - lc, "c%d,r%d\n", i, i % 3);
        history(consents + lk, sizeof consents - lk, i);
        lk += strlen(consents + lk);
    }
    tu_seg_data(tf, contacts, NULL, consents);
    fixture *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->f = tf;
    assert_int_equal(store_txn_begin(tf->s, MDB_RDONLY, &x->txn), SEGRT_OK);
    for (int i = 0; i < N; i++) {
        char id[8];
        snprintf(id, sizeof id, "c%d", i);
        assert_int_equal(store_ord_of(tf->s, x->txn, id, &x->ord[i]), SEGRT_OK);
    }
    x->doc = tree_doc_new();
    assert_non_null(x->doc);
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    fixture *x = *state;
    mdb_txn_abort(x->txn);
    tree_doc_free(x->doc);
    void *f = x->f;
    free(x);
    return tu_teardown_store(&f);
}

/* The consent-only or default bases, marketing or not, with a check function or not. */
static tree *definition(fixture *x, int consent_only, int marketing, int checked)
{
    static const char *const consent[] = { "consent", NULL };
    tree *def = ct_definition(x->doc, consent_only ? consent : NULL, marketing);
    if (checked)
        ct_put(x->doc, def, "check", ct_node(x->doc, TREE_FUNCTION, NULL));
    return def;
}

/* A check callback: keeps contacts of an even ordinal; fails when *fail. */
static int even_ords(void *ud, const struct consent_rec *rec, uint32_t ord)
{
    fixture *x = ((void **)ud)[0];
    const int *fail = ((void **)ud)[1];
    assert_non_null(rec);
    return *fail ? store_fail(x->f->s, SEGRT_ELUA, "check failed") : ord % 2 == 0;
}

/* Members picked by pattern k over nbits ordinals (k 0, 4: everyone; k 5: no one). */
static void pick(fixture *x, unsigned k, uint32_t nbits, bitset *b)
{
    assert_int_equal(bitset_init(b, nbits), 0);
    for (int i = 0; i < N; i++) {
        if ((unsigned)(i * (int)k + (int)k / 5) % 5 < k % 5 + 1)
            bitset_set(b, x->ord[i]);
    }
}

/* The reach of purpose under def over b equals the per-contact check; b is unchanged. */
static void agrees(fixture *x, const char *purpose, const tree *def, consent_check_fn check,
                   void *ud, const bitset *b)
{
    consent_check_rule r;
    assert_int_equal(consent_check_rule_read(x->f->s, x->txn, purpose, def, &r), SEGRT_OK);
    uint64_t want = 0, before = bitset_count(b), got = 99;
    for (uint32_t i = bitset_next(b, 0); i < b->nbits; i = bitset_next(b, i + 1)) {
        int pass = consent_check_passes(x->f->s, x->txn, TU_NOW, &r, i, check, ud);
        assert_true(pass == 0 || pass == 1);
        want += (uint64_t)pass;
    }
    assert_int_equal(consent_reach_count(x->f->s, x->txn, TU_NOW, purpose, def, b, check, ud,
                                         &got), SEGRT_OK);
    assert_int_equal(got, want);
    assert_int_equal(bitset_count(b), before);
}

static void test_consent_reach_counts_what_the_check_passes(void **state)
{
    fixture *x = *state;
    int fail = 0;
    void *ud[2] = { x, &fail };
    const tree *defs[] = { NULL, definition(x, 1, 0, 0), definition(x, 0, 1, 0),
                           definition(x, 1, 1, 1) };
    uint64_t reached_all = 0;
    for (size_t d = 0; d < sizeof defs / sizeof defs[0]; d++) {
        for (unsigned k = 0; k < 12; k++) {
            bitset merged, looked_up;
            pick(x, k, N, &merged);          /* a large share of the ordinals: a merge */
            pick(x, k, 64 * N, &looked_up);  /* at most 1/64 of them: looked up */
            agrees(x, "email", defs[d], even_ords, ud, &merged);
            agrees(x, "email", defs[d], even_ords, ud, &looked_up);
            bitset_free(&merged);
            bitset_free(&looked_up);
        }
    }
    /* the whole base under the defaults: a number worked out by hand would be fragile; it is > 0 */
    bitset all;
    pick(x, 4, N, &all);
    assert_int_equal(bitset_count(&all), N);
    assert_int_equal(consent_reach_count(x->f->s, x->txn, TU_NOW, "email", NULL, &all, NULL, NULL,
                                         &reached_all), SEGRT_OK);
    assert_true(reached_all > 0 && reached_all < N);
    bitset_free(&all);
}

static void test_consent_reach_unknown_purpose_reaches_nobody(void **state)
{
    fixture *x = *state;
    bitset all;
    pick(x, 4, N, &all);
    uint64_t got = 99;
    assert_int_equal(consent_reach_count(x->f->s, x->txn, TU_NOW, "fax_marketing", NULL, &all,
                                         NULL, NULL, &got), SEGRT_OK);
    assert_int_equal(got, 0);
    assert_int_equal(bitset_count(&all), N);
    bitset_free(&all);
}

static void test_consent_reach_check_errors_are_errors(void **state)
{
    fixture *x = *state;
    int fail = 1;
    void *ud[2] = { x, &fail };
    bitset all;
    pick(x, 4, N, &all);
    uint64_t got = 99;
    const tree *def = definition(x, 0, 0, 1);
    assert_int_equal(consent_reach_count(x->f->s, x->txn, TU_NOW, "email", def, &all, NULL, NULL,
                                         &got), SEGRT_EINVAL);
    assert_non_null(strstr(segrt_errmsg(x->f->s), "check function"));
    assert_int_equal(got, 0);
    assert_int_equal(consent_reach_count(x->f->s, x->txn, TU_NOW, "email", def, &all, even_ords,
                                         ud, &got), SEGRT_ELUA);
    assert_int_equal(got, 0);
    bitset_free(&all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_consent_reach_counts_what_the_check_passes),
        cmocka_unit_test(test_consent_reach_unknown_purpose_reaches_nobody),
        cmocka_unit_test(test_consent_reach_check_errors_are_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
