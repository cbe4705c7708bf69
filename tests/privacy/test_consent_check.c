/*
 * test_consent_check.c — unit tests of consent_check.c without Lua: a
 * purpose's rule read from its definition tree (the defaults, bases,
 * max_age, a check function, marketing; an unknown basis and a max_age that
 * is no duration are errors naming the definition's line), then applied to
 * a small store — the filter and the one-contact check agree, the check
 * callback runs only on contacts that pass the rest and can drop them or
 * fail, and who profiling may not score (an objection to direct marketing,
 * Art. 21; a denied profiling record) is found. The filter
 * gives the same for every set of contacts, whether it looks each history
 * up (a small set) or merges the set with all histories (a large one); a
 * corrupt history met on the way is an error of the filter and of the
 * profiling scan.
 *
 * Uses: cmocka, privacy/consent_check.h, store.h, test_util.h, consent_tree.h.
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

#include "store/consent.h"
#include "privacy/consent_check.h"
#include "consent_tree.h"
#include "store/store.h"

static const char contacts_csv[] = "id,region\nc1,north\nc2,north\nc3,north\nc4,south\n"
                                   "c5,south\nc6,south\n";

/*
 * c1 consent, c2 legitimate interest, c3 consent but objects to direct
 * marketing, c4 no e-mail record and profiling denied; c5 withdrew, c6's
 * grant expired (both only for consent_check_why_all).
 */
static const char consents_csv[] =
    "contact_id,purpose,status,legal_basis,ts,expires_at,source\n"
    "c1,email,granted,consent,2025-06-01T00:00:00Z,,web\n"
    "c2,email,granted,legitimate_interest,2025-06-01T00:00:00Z,,web\n"
    "c3,email,granted,consent,2020-01-01T00:00:00Z,,web\n"
    "c3,direct_marketing,withdrawn,consent,2025-01-01T00:00:00Z,,web\n"
    "c4,profiling,denied,consent,2025-01-01T00:00:00Z,,web\n"
    "c5,email,granted,consent,2025-01-01T00:00:00Z,,web\n"
    "c5,email,withdrawn,consent,2025-02-01T00:00:00Z,,web\n"
    "c6,email,granted,consent,2025-01-01T00:00:00Z,2025-07-01T00:00:00Z,web\n";

typedef struct fixture {
    tu_fixture *f;
    MDB_txn *txn;
    tree_doc *doc;
    uint32_t ord[6]; /* of c1..c6 */
} fixture;

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_fixture *tf = *state;
    tu_seg_data(tf, contacts_csv, NULL, consents_csv);
    fixture *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->f = tf;
    assert_int_equal(store_txn_begin(tf->s, MDB_RDONLY, &x->txn), SEGRT_OK);
    for (int i = 0; i < 6; i++) {
        char id[8];
        snprintf(id, sizeof id, "c%d", i + 1);
        assert_int_equal(store_ord_of(tf->s, x->txn, id, &x->ord[i]), SEGRT_OK);
    }
    x->doc = tree_doc_new();
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

static consent_check_rule read_rule(fixture *x, const tree *def)
{
    consent_check_rule r;
    assert_int_equal(consent_check_rule_read(x->f->s, x->txn, "email", def, &r), SEGRT_OK);
    return r;
}

/* The contacts (as "1 2 3") passing rule, by the filter; each agrees with consent_check_passes. */
static const char *passing(fixture *x, const consent_check_rule *r, consent_check_fn check,
                           void *ud)
{
    static char out[32];
    bitset b;
    assert_int_equal(bitset_init(&b, 4), 0);
    for (uint32_t i = 0; i < 4; i++)
        bitset_set(&b, i);
    assert_int_equal(consent_check_filter(x->f->s, x->txn, TU_NOW, r, &b, check, ud), SEGRT_OK);
    out[0] = '\0';
    for (int i = 0; i < 4; i++) {
        int in = bitset_test(&b, x->ord[i]);
        assert_int_equal(consent_check_passes(x->f->s, x->txn, TU_NOW, r, x->ord[i], check, ud), in);
        if (in)
            snprintf(out + strlen(out), sizeof out - strlen(out), "%s%d", out[0] ? " " : "", i + 1);
    }
    bitset_free(&b);
    return out;
}

static void test_consent_check_defaults_accept_consent_and_legitimate_interest(void **state)
{
    fixture *x = *state;
    consent_check_rule r = read_rule(x, NULL);
    assert_int_equal(r.bases, 1u << CS_CONSENT | 1u << CS_LEGITIMATE_INTEREST);
    assert_int_not_equal(r.code, 0);
    assert_string_equal(passing(x, &r, NULL, NULL), "1 2 3");
}

static void test_consent_check_bases_max_age_and_marketing_narrow_it(void **state)
{
    fixture *x = *state;
    static const char *const consent_only[] = { "consent", NULL };
    consent_check_rule r = read_rule(x, ct_definition(x->doc, consent_only, 0));
    assert_string_equal(passing(x, &r, NULL, NULL), "1 3");
    r = read_rule(x, ct_definition(x->doc, NULL, 1)); /* c3 objects to direct marketing */
    assert_string_equal(passing(x, &r, NULL, NULL), "1 2");
    tree *def = ct_definition(x->doc, NULL, 0), *age = ct_node(x->doc, TREE_TABLE, NULL);
    tree *secs = ct_node(x->doc, TREE_INTEGER, NULL);
    secs->numeric = secs->integral = 1;
    secs->integer = 365 * 86400;
    secs->number = (double)secs->integer;
    ct_put(x->doc, age, "secs", secs);
    ct_put(x->doc, def, "max_age", age);
    r = read_rule(x, def);
    assert_int_equal(r.max_age, 365 * 86400);
    assert_string_equal(passing(x, &r, NULL, NULL), "1 2"); /* c3's record is from 2020 */
}

/* A check callback: drops c2, counts its calls; fails when *ud says so. */
typedef struct calls {
    fixture *x;
    int n, fail;
} calls;

static int drop_c2(void *ud, const struct consent_rec *rec, uint32_t ord)
{
    calls *c = ud;
    assert_non_null(rec);
    c->n++;
    if (c->fail)
        return store_fail(c->x->f->s, SEGRT_ELUA, "check failed");
    return ord != c->x->ord[1];
}

static void test_consent_check_function_runs_on_those_passing_the_rest(void **state)
{
    fixture *x = *state;
    tree *def = ct_definition(x->doc, NULL, 1);
    ct_put(x->doc, def, "check", ct_node(x->doc, TREE_FUNCTION, NULL));
    consent_check_rule r = read_rule(x, def);
    assert_true(r.has_check);
    calls c = { x, 0, 0 };
    assert_string_equal(passing(x, &r, drop_c2, &c), "1");
    assert_int_equal(c.n, 2 * 2); /* c1 and c2, by the filter and one by one; never c3, c4 */
    c.fail = 1;
    bitset b;
    assert_int_equal(bitset_init(&b, 4), 0);
    bitset_set(&b, x->ord[0]);
    assert_int_equal(consent_check_filter(x->f->s, x->txn, TU_NOW, &r, &b, drop_c2, &c), SEGRT_ELUA);
    bitset_free(&b);
    assert_int_equal(consent_check_passes(x->f->s, x->txn, TU_NOW, &r, x->ord[0], drop_c2, &c),
                     SEGRT_ELUA);
}

/* The reasons consent_check_why_all gives c1..c6, as "pass check objection ..." words. */
static const char *reasons(fixture *x, const consent_check_rule *r, consent_check_fn check, void *ud)
{
    static const char *const word[CW_N] = { "pass", "none", "refused", "expired", "basis", "old",
                                            "objection", "check" };
    static char out[96];
    uint32_t n = 0;
    for (int i = 0; i < 6; i++)
        n = x->ord[i] + 1 > n ? x->ord[i] + 1 : n;
    uint8_t why[8];
    assert_int_equal(consent_check_why_all(x->f->s, x->txn, TU_NOW, r, n, why, check, ud), SEGRT_OK);
    out[0] = '\0';
    for (int i = 0; i < 6; i++) {
        int passes = consent_check_passes(x->f->s, x->txn, TU_NOW, r, x->ord[i], check, ud);
        assert_int_equal(passes, why[x->ord[i]] == CW_PASS);
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? " " : "", word[why[x->ord[i]]]);
    }
    return out;
}

static void test_consent_check_why_names_the_first_reason_that_holds(void **state)
{
    fixture *x = *state;
    consent_check_rule r = read_rule(x, NULL);
    assert_string_equal(reasons(x, &r, NULL, NULL), "pass pass pass none refused expired");
    static const char *const consent_only[] = { "consent", NULL };
    r = read_rule(x, ct_definition(x->doc, consent_only, 1));
    assert_string_equal(reasons(x, &r, NULL, NULL), "pass basis objection none refused expired");
    tree *def = ct_definition(x->doc, NULL, 1);
    ct_put(x->doc, def, "check", ct_node(x->doc, TREE_FUNCTION, NULL));
    r = read_rule(x, def);
    calls c = { x, 0, 0 };
    assert_string_equal(reasons(x, &r, drop_c2, &c), "pass check objection none refused expired");
    c.fail = 1;
    uint8_t why[8];
    assert_int_equal(consent_check_why_all(x->f->s, x->txn, TU_NOW, &r, 6, why, drop_c2, &c),
                     SEGRT_ELUA);
    assert_string_equal(consent_why_text(CW_OBJECTION), "objects to direct marketing");
    r = read_rule(x, NULL);
    r.code = 0; /* a purpose nobody recorded: no record for anyone */
    assert_string_equal(reasons(x, &r, NULL, NULL), "none none none none none none");
}

static void test_consent_check_unknown_basis_names_the_line(void **state)
{
    fixture *x = *state;
    static const char *const bases[] = { "consent", "vibes", NULL };
    consent_check_rule r;
    assert_int_equal(consent_check_rule_read(x->f->s, x->txn, "email",
                                             ct_definition(x->doc, bases, 0), &r), SEGRT_ELUA);
    tu_assert_errmsg(x->f->s, "s.lua:7: consent 'email': unknown legal basis 'vibes'");
}

static void test_consent_check_max_age_must_be_a_duration(void **state)
{
    fixture *x = *state;
    tree *def = ct_definition(x->doc, NULL, 0);
    ct_put(x->doc, def, "max_age", ct_node(x->doc, TREE_TABLE, NULL)); /* no secs */
    consent_check_rule r;
    assert_int_equal(consent_check_rule_read(x->f->s, x->txn, "email", def, &r), SEGRT_ELUA);
    tu_assert_errmsg(x->f->s, "s.lua:7: consent 'email': max_age takes a duration");
}

static void test_consent_check_purpose_nobody_recorded_passes_nobody(void **state)
{
    fixture *x = *state;
    consent_check_rule r;
    assert_int_equal(consent_check_rule_read(x->f->s, x->txn, "sms", NULL, &r), SEGRT_OK);
    assert_int_equal(r.code, 0);
    assert_string_equal(passing(x, &r, NULL, NULL), "");
}

/* Profiling may not score c3 (an objection, Art. 21(2)) nor c4 (profiling denied). */
static void test_consent_check_unprofiled_are_found(void **state)
{
    fixture *x = *state;
    bitset b;
    assert_int_equal(consent_check_unprofiled(x->f->s, x->txn, TU_NOW, 4, &b), SEGRT_OK);
    assert_int_equal(bitset_count(&b), 2);
    assert_true(bitset_test(&b, x->ord[2]));
    assert_true(bitset_test(&b, x->ord[3]));
    bitset_free(&b);
    assert_int_equal(consent_check_unprofiled_one(x->f->s, x->txn, TU_NOW, x->ord[2]), 1);
    assert_int_equal(consent_check_unprofiled_one(x->f->s, x->txn, TU_NOW, x->ord[3]), 1);
    assert_int_equal(consent_check_unprofiled_one(x->f->s, x->txn, TU_NOW, x->ord[0]), 0);
    /* before the refusal, c4 may be profiled */
    int64_t before;
    assert_int_equal(segrt_time_parse("2024-12-31T00:00:00Z", &before), SEGRT_OK);
    assert_int_equal(consent_check_unprofiled_one(x->f->s, x->txn, before, x->ord[3]), 0);
}

/* The members of b among c1..c4, as "1 2". */
static const char *members(fixture *x, const bitset *b)
{
    static char out[32];
    out[0] = '\0';
    for (int i = 0; i < 4; i++) {
        if (bitset_test(b, x->ord[i]))
            snprintf(out + strlen(out), sizeof out - strlen(out), "%s%d", out[0] ? " " : "", i + 1);
    }
    return out;
}

/* The set of c1..c4 picked by the bits of mask (bit i: c(i+1)) over nbits ordinals. */
static void pick(fixture *x, unsigned mask, uint32_t nbits, bitset *b)
{
    assert_int_equal(bitset_init(b, nbits), 0);
    for (int i = 0; i < 4; i++) {
        if (mask >> i & 1)
            bitset_set(b, x->ord[i]);
    }
}

static void test_consent_check_filter_agrees_by_lookup_and_by_merge(void **state)
{
    fixture *x = *state;
    consent_check_rule r = read_rule(x, ct_definition(x->doc, NULL, 1)); /* c1 c2 pass */
    for (unsigned mask = 0; mask < 16; mask++) {
        char want[32] = "";
        for (int i = 0; i < 4; i++) {
            if (mask >> i & 1 && i < 2)
                snprintf(want + strlen(want), sizeof want - strlen(want), "%s%d", want[0] ? " " : "", i + 1);
        }
        bitset merged, looked_up;
        pick(x, mask, 4, &merged);       /* more than 1/8 of the ordinals: a merge */
        pick(x, mask, 4096, &looked_up); /* at most 4 of 4096: looked up one by one */
        assert_int_equal(consent_check_filter(x->f->s, x->txn, TU_NOW, &r, &merged, NULL, NULL),
                         SEGRT_OK);
        assert_int_equal(consent_check_filter(x->f->s, x->txn, TU_NOW, &r, &looked_up, NULL, NULL),
                         SEGRT_OK);
        assert_string_equal(members(x, &merged), want);
        assert_string_equal(members(x, &looked_up), want);
        assert_int_equal(bitset_count(&merged), bitset_count(&looked_up));
        bitset_free(&merged);
        bitset_free(&looked_up);
    }
}

/* A contact's consent history to write: ord and its bytes. */
typedef struct history {
    uint32_t ord;
    MDB_val v;
} history;

static int put_history(segrt_store *s, MDB_txn *txn, void *ud)
{
    history *h = ud;
    MDB_val k = store_ord_key(&h->ord);
    int mrc = mdb_put(txn, s->dbi[DB_CONSENTS], &k, &h->v, 0);
    return mrc == 0 ? SEGRT_OK : store_mdb_fail(s, mrc, "test: writing a history");
}

/* Write h, and move the fixture's snapshot past the write. */
static void write_history(fixture *x, history *h)
{
    assert_int_equal(store_write(x->f->s, put_history, h), SEGRT_OK);
    mdb_txn_reset(x->txn);
    assert_int_equal(mdb_txn_renew(x->txn), 0);
}

static void test_consent_check_corrupt_history_is_an_error_of_every_scan(void **state)
{
    fixture *x = *state;
    consent_check_rule r = read_rule(x, ct_definition(x->doc, NULL, 1));
    history h = { x->ord[1], { 0, NULL } };
    MDB_val k = store_ord_key(&h.ord), was;
    assert_int_equal(mdb_get(x->txn, x->f->s->dbi[DB_CONSENTS], &k, &was), 0);
    void *saved = malloc(was.mv_size);
    assert_non_null(saved);
    memcpy(saved, was.mv_data, was.mv_size);
    char bad[] = "bad";
    h.v = (MDB_val){ 3, bad };
    write_history(x, &h);
    calls c = { x, 0, 0 };
    bitset b;
    for (uint32_t nbits = 4; nbits <= 4096; nbits *= 1024) { /* a merge, then lookups */
        pick(x, 0xf, nbits, &b);
        assert_int_equal(consent_check_filter(x->f->s, x->txn, TU_NOW, &r, &b, drop_c2, &c),
                         SEGRT_ECORRUPT);
        tu_assert_errmsg(x->f->s, "are corrupt");
        bitset_free(&b);
    }
    pick(x, 0x1, 4, &b); /* c1 alone: decided before c2's history is read */
    assert_int_equal(consent_check_filter(x->f->s, x->txn, TU_NOW, &r, &b, NULL, NULL), SEGRT_OK);
    assert_string_equal(members(x, &b), "1");
    bitset_free(&b);
    assert_int_equal(consent_check_unprofiled(x->f->s, x->txn, TU_NOW, 4, &b), SEGRT_ECORRUPT);
    assert_null(b.w); /* freed on the error */
    h.v = (MDB_val){ was.mv_size, saved }; /* the other tests share the store */
    write_history(x, &h);
    free(saved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_consent_check_defaults_accept_consent_and_legitimate_interest),
        cmocka_unit_test(test_consent_check_bases_max_age_and_marketing_narrow_it),
        cmocka_unit_test(test_consent_check_function_runs_on_those_passing_the_rest),
        cmocka_unit_test(test_consent_check_unknown_basis_names_the_line),
        cmocka_unit_test(test_consent_check_max_age_must_be_a_duration),
        cmocka_unit_test(test_consent_check_purpose_nobody_recorded_passes_nobody),
        cmocka_unit_test(test_consent_check_unprofiled_are_found),
        cmocka_unit_test(test_consent_check_filter_agrees_by_lookup_and_by_merge),
        cmocka_unit_test(test_consent_check_why_names_the_first_reason_that_holds),
        cmocka_unit_test(test_consent_check_corrupt_history_is_an_error_of_every_scan),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
