/*
 * test_consent.c — unit tests of consent.c: the record in force per SPEC §2
 * (latest ts <= NOW; future records ignored; on a tie a record that is not
 * granted wins, among grants the earliest expiry, a grant that never expires
 * loses, then the one imported last), de-duplication of histories, the value
 * encoding (compact; format 4's fixed records still read; corrupt records
 * refused), and the names of statuses and legal bases.
 *
 * Uses: cmocka, consent.h, value.h (VALUE_MISSING).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "store/consent.h"
#include "util/value.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define NEVER VALUE_MISSING

enum { EMAIL = 1, SMS = 2 }; /* purpose codes */

/* ------------------------------------------------------------ helpers */

static consent_rec rec(uint32_t purpose, int64_t ts, int status, int64_t expires, uint32_t source)
{
    return (consent_rec){ .ts = ts, .expires = expires, .purpose = purpose, .source = source,
                     .status = (uint8_t)status, .basis = CS_CONSENT };
}

/* Append r as an import would (seq = import order); requires that it is new. */
static const consent_rec *add(consent_list *l, consent_rec r)
{
    int added = -1;
    assert_int_equal(consent_list_add(l, &r, &added), 0);
    assert_int_equal(added, 1);
    return &l->recs[l->n - 1];
}

/* Index of the record in force in l, or -1 when there is none. */
static long in_force_at(const consent_list *l, uint32_t purpose, int64_t now)
{
    const consent_rec *r = consent_in_force(l, purpose, now);
    return r == NULL ? -1 : (long)(r - l->recs);
}

/* ------------------------------------------------------------ the record in force */

static void test_consent_in_force_is_the_latest_record_not_after_now(void **state)
{
    (void)state;
    consent_list l = { 0 };
    add(&l, rec(EMAIL, 200, CS_WITHDRAWN, NEVER, 0));
    add(&l, rec(EMAIL, 100, CS_GRANTED, NEVER, 0)); /* imported later, but older */
    add(&l, rec(EMAIL, 300, CS_GRANTED, NEVER, 0)); /* future until NOW reaches 300 */
    assert_int_equal(in_force_at(&l, EMAIL, 99), -1);
    assert_int_equal(in_force_at(&l, EMAIL, 100), 1);
    assert_int_equal(in_force_at(&l, EMAIL, 199), 1);
    assert_int_equal(in_force_at(&l, EMAIL, 250), 0);
    assert_int_equal(in_force_at(&l, EMAIL, 299), 0);
    assert_int_equal(in_force_at(&l, EMAIL, 300), 2);
    assert_int_equal(in_force_at(&l, EMAIL, INT64_MAX), 2);
    consent_list_free(&l);
}

static void test_consent_in_force_looks_only_at_its_purpose(void **state)
{
    (void)state;
    consent_list l = { 0 };
    add(&l, rec(EMAIL, 100, CS_GRANTED, NEVER, 0));
    add(&l, rec(SMS, 200, CS_DENIED, NEVER, 0));
    assert_int_equal(in_force_at(&l, EMAIL, 1000), 0);
    assert_int_equal(in_force_at(&l, SMS, 1000), 1);
    assert_int_equal(in_force_at(&l, 3, 1000), -1);
    consent_list empty = { 0 };
    assert_null(consent_in_force(&empty, EMAIL, 1000));
    consent_list_free(&l);
}

static void test_consent_in_force_keeps_an_expired_grant(void **state)
{
    (void)state;
    consent_list l = { 0 };
    add(&l, rec(EMAIL, 100, CS_WITHDRAWN, NEVER, 0));
    add(&l, rec(EMAIL, 200, CS_GRANTED, 250, 0));
    /* Expiry is for the consent check to judge; the grant is still the latest record. */
    assert_int_equal(in_force_at(&l, EMAIL, 1000), 1);
    consent_list_free(&l);
}

static void test_consent_in_force_on_a_tie_prefers_a_record_not_granted(void **state)
{
    (void)state;
    static const int others[] = { CS_WITHDRAWN, CS_DENIED };
    for (size_t i = 0; i < ARRAY_LEN(others); i++) {
        consent_list before = { 0 }, after = { 0 };
        add(&before, rec(EMAIL, 100, CS_GRANTED, NEVER, 1));
        add(&before, rec(EMAIL, 100, others[i], NEVER, 2));
        add(&before, rec(EMAIL, 100, CS_GRANTED, 500, 3));
        add(&after, rec(EMAIL, 100, others[i], NEVER, 1));
        add(&after, rec(EMAIL, 100, CS_GRANTED, NEVER, 2));
        add(&after, rec(EMAIL, 100, CS_GRANTED, 500, 3));
        assert_int_equal(in_force_at(&before, EMAIL, 100), 1);
        assert_int_equal(in_force_at(&after, EMAIL, 100), 0);
        consent_list_free(&before);
        consent_list_free(&after);
    }
}

static void test_consent_in_force_among_grants_prefers_the_earliest_expiry(void **state)
{
    (void)state;
    consent_list l = { 0 };
    add(&l, rec(EMAIL, 100, CS_GRANTED, 500, 1));
    add(&l, rec(EMAIL, 100, CS_GRANTED, NEVER, 2));
    add(&l, rec(EMAIL, 100, CS_GRANTED, 400, 3));
    add(&l, rec(EMAIL, 100, CS_GRANTED, 450, 4));
    assert_int_equal(in_force_at(&l, EMAIL, 100), 2);
    consent_list_free(&l);
}

static void test_consent_in_force_among_grants_a_never_expiring_one_loses(void **state)
{
    (void)state;
    consent_list first = { 0 }, last = { 0 };
    add(&first, rec(EMAIL, 100, CS_GRANTED, NEVER, 1));
    add(&first, rec(EMAIL, 100, CS_GRANTED, INT64_MAX, 2));
    add(&last, rec(EMAIL, 100, CS_GRANTED, INT64_MAX, 1));
    add(&last, rec(EMAIL, 100, CS_GRANTED, NEVER, 2));
    assert_int_equal(in_force_at(&first, EMAIL, 100), 1);
    assert_int_equal(in_force_at(&last, EMAIL, 100), 0);
    consent_list_free(&first);
    consent_list_free(&last);
}

static void test_consent_in_force_otherwise_prefers_the_one_imported_last(void **state)
{
    (void)state;
    consent_list l = { 0 };
    add(&l, rec(EMAIL, 100, CS_WITHDRAWN, NEVER, 1));
    add(&l, rec(EMAIL, 100, CS_DENIED, NEVER, 2));
    add(&l, rec(SMS, 100, CS_GRANTED, 700, 1));
    add(&l, rec(SMS, 100, CS_GRANTED, 700, 2));
    assert_int_equal(in_force_at(&l, EMAIL, 100), 1);
    assert_int_equal(in_force_at(&l, SMS, 100), 3);
    /* "Imported last" is the import sequence, not the position in the list. */
    consent_list seq = { 0 };
    consent_rec late = rec(EMAIL, 100, CS_DENIED, NEVER, 1), early = rec(EMAIL, 100, CS_WITHDRAWN,
                                                                     NEVER, 2);
    late.seq = 9;
    early.seq = 4;
    assert_int_equal(consent_list_push(&seq, &late), 0);
    assert_int_equal(consent_list_push(&seq, &early), 0);
    assert_int_equal(in_force_at(&seq, EMAIL, 100), 0);
    consent_list_free(&l);
    consent_list_free(&seq);
}

/* ------------------------------------------------------------ histories */

static void test_consent_list_add_skips_a_record_already_held(void **state)
{
    (void)state;
    consent_list l = { 0 };
    consent_rec a = rec(EMAIL, 100, CS_GRANTED, 500, 1);
    int added = -1;
    add(&l, a);
    a.seq = 77; /* bookkeeping, not content */
    a.pad = 3;
    assert_int_equal(consent_list_add(&l, &a, &added), 0);
    assert_int_equal(added, 0);
    assert_int_equal(l.n, 1);
    static const struct {
        int64_t ts, expires;
        uint32_t purpose, source;
        int status, basis;
    } changes[] = {
        { 101, 500, EMAIL, 1, CS_GRANTED, CS_CONSENT },
        { 100, NEVER, EMAIL, 1, CS_GRANTED, CS_CONSENT },
        { 100, 500, SMS, 1, CS_GRANTED, CS_CONSENT },
        { 100, 500, EMAIL, 2, CS_GRANTED, CS_CONSENT },
        { 100, 500, EMAIL, 1, CS_DENIED, CS_CONSENT },
        { 100, 500, EMAIL, 1, CS_GRANTED, CS_CONTRACT },
    };
    for (size_t i = 0; i < ARRAY_LEN(changes); i++) {
        consent_rec r = { .ts = changes[i].ts, .expires = changes[i].expires,
                     .purpose = changes[i].purpose, .source = changes[i].source,
                     .status = (uint8_t)changes[i].status, .basis = (uint8_t)changes[i].basis };
        const consent_rec *held = add(&l, r);
        assert_int_equal(held->seq, i + 2);
        assert_int_equal(held->pad, 0);
    }
    assert_int_equal(l.n, 1 + ARRAY_LEN(changes));
    assert_int_equal(l.recs[0].seq, 1);
    consent_list_free(&l);
}

static void test_consent_round_trip_keeps_the_history(void **state)
{
    (void)state;
    consent_list l = { 0 }, back = { 0 };
    buf enc = { 0 };
    add(&l, rec(EMAIL, 100, CS_GRANTED, NEVER, 4));
    add(&l, rec(SMS, -5, CS_DENIED, INT64_MAX, 0));
    add(&l, rec(EMAIL, 300, CS_WITHDRAWN, 1, UINT32_MAX));
    assert_int_equal(consent_list_encode(&l, &enc), 0);
    /* compact: 3 head bytes, ts +100, purpose, source; ts -105, purpose, expiry
     * INT64_MAX - -5 (a wrapped delta, 10 bytes); ts +305, purpose, source, expiry -299 */
    assert_int_equal(enc.len, 4 + (3 + 2 + 1 + 1) + (3 + 2 + 1 + 10) + (3 + 2 + 1 + 5 + 2));
    assert_int_equal(consent_list_decode(&back, enc.p, enc.len), 0);
    assert_int_equal(back.n, 3);
    assert_memory_equal(back.recs, l.recs, 3 * sizeof(consent_rec));
    int64_t newest;
    assert_int_equal(consent_list_newest(enc.p, enc.len, &newest), 0);
    assert_int_equal(newest, 300);
    for (size_t k = 0; k < enc.len; k++) {
        consent_list bad = { 0 };
        if (consent_list_decode(&bad, enc.p, k) != -1)
            fail_msg("a history cut to %zu of %zu bytes decoded", k, enc.len);
        consent_list_free(&bad);
    }
    assert_int_equal(buf_put(&enc, "", 1), 0); /* a byte past the last record */
    assert_int_equal(consent_list_decode(&back, enc.p, enc.len), -1);
    enc.len--;
    uint32_t n = 4u | 0x80000000u; /* one record more than the value holds */
    memcpy(enc.p, &n, 4);
    assert_int_equal(consent_list_decode(&back, enc.p, enc.len), -1);
    n = 3; /* the fixed form's count: its records would take 96 bytes */
    memcpy(enc.p, &n, 4);
    assert_int_equal(consent_list_decode(&back, enc.p, enc.len), -1);
    assert_int_equal(back.n, 3); /* failed decodes appended nothing */
    consent_list_free(&l);
    consent_list_free(&back);
    buf_free(&enc);
}

static void test_consent_reads_the_fixed_records_of_format_4(void **state)
{
    (void)state;
    consent_list l = { 0 }, back = { 0 };
    add(&l, rec(EMAIL, 100, CS_GRANTED, 200, 4));
    add(&l, rec(SMS, 50, CS_DENIED, NEVER, 0));
    uint32_t n = 2;
    buf fixed = { 0 };
    assert_int_equal(buf_put(&fixed, &n, 4) | buf_put(&fixed, l.recs, 2 * sizeof *l.recs), 0);
    assert_int_equal(consent_list_decode(&back, fixed.p, fixed.len), 0);
    assert_int_equal(back.n, 2);
    assert_memory_equal(back.recs, l.recs, 2 * sizeof(consent_rec));
    int64_t newest;
    assert_int_equal(consent_list_newest(fixed.p, fixed.len, &newest), 0);
    assert_int_equal(newest, 100);
    assert_int_equal(consent_list_decode(&back, fixed.p, fixed.len - 1), -1);
    consent_list_free(&l);
    consent_list_free(&back);
    buf_free(&fixed);
}

static void test_consent_round_trips_seqs_out_of_order_and_every_status(void **state)
{
    (void)state;
    consent_list l = { 0 }, back = { 0 };
    buf enc = { 0 };
    static const uint32_t seqs[] = { 7, 3, 4, UINT32_MAX, 0 };
    for (size_t i = 0; i < ARRAY_LEN(seqs); i++) {
        consent_rec r = rec((uint32_t)i, INT64_MIN + (int64_t)i, (int)(i % 4), NEVER, 0);
        r.basis = (uint8_t)(i * 60); /* any byte is kept as it is */
        r.seq = seqs[i];
        assert_int_equal(consent_list_push(&l, &r), 0);
    }
    assert_int_equal(consent_list_encode(&l, &enc), 0);
    assert_int_equal(consent_list_decode(&back, enc.p, enc.len), 0);
    assert_int_equal(back.n, l.n);
    assert_memory_equal(back.recs, l.recs, l.n * sizeof(consent_rec));
    consent_list_free(&l);
    consent_list_free(&back);
    buf_free(&enc);
}

/* A compact history of one record: the bytes given after the count. */
static int decodes_record(const unsigned char *rec_bytes, size_t len)
{
    buf v = { 0 };
    uint32_t n = 1u | 0x80000000u;
    assert_int_equal(buf_put(&v, &n, 4) | buf_put(&v, rec_bytes, len), 0);
    consent_list l = { 0 };
    int rc = consent_list_decode(&l, v.p, v.len);
    consent_list_free(&l);
    buf_free(&v);
    return rc;
}

static void test_consent_rejects_impossible_compact_records(void **state)
{
    (void)state;
    /* sound: flags 0, granted, consent, ts +1, purpose 1 */
    static const unsigned char ok[] = { 0x00, 0x01, 0x01, 0x02, 0x01 };
    assert_int_equal(decodes_record(ok, sizeof ok), 0);
    static const struct {
        const char *what;
        unsigned char rec[20];
        size_t len;
    } bad[] = {
        { "an unknown flag", { 0x08, 0x01, 0x01, 0x02, 0x01 }, 5 },
        /* ts 1 + delta INT64_MAX (zigzag 2^64 - 2) wraps to INT64_MIN: the marker of no expiry */
        { "an expiry that is the no-expiry marker",
          { 0x01, 0x01, 0x01, 0x02, 0x01, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0x01 }, 15 },
        { "a purpose past 32 bits", { 0x00, 0x01, 0x01, 0x02, 0x80, 0x80, 0x80, 0x80, 0x10 }, 9 },
        { "a missing source", { 0x02, 0x01, 0x01, 0x02, 0x01 }, 5 },
        { "a truncated seq", { 0x04, 0x01, 0x01, 0x02, 0x01, 0x80 }, 6 },
        { "no head", { 0x00, 0x01 }, 2 },
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        if (decodes_record(bad[i].rec, bad[i].len) != -1)
            fail_msg("a record with %s decoded", bad[i].what);
    }
}

/* ------------------------------------------------------------ names */

static int status_of(const char *s)
{
    return consent_status_parse(s, strlen(s));
}

static int basis_of(const char *s)
{
    return consent_basis_parse(s, strlen(s));
}

static void test_consent_status_names_parse_and_print(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int status;
    } known[] = { { "granted", CS_GRANTED }, { "withdrawn", CS_WITHDRAWN },
                  { "denied", CS_DENIED } };
    for (size_t i = 0; i < ARRAY_LEN(known); i++) {
        assert_int_equal(status_of(known[i].name), known[i].status);
        assert_string_equal(consent_status_name(known[i].status), known[i].name);
    }
    static const char *const unknown[] = { "", "grant", "granted ", " granted", "revoked",
                                           "withdrawnx", "consent" };
    for (size_t i = 0; i < ARRAY_LEN(unknown); i++)
        assert_int_equal(status_of(unknown[i]), 0);
    assert_int_equal(consent_status_parse("deniedXYZ", 6), CS_DENIED); /* n bounds the name */
    assert_int_equal(consent_status_parse("denied", 5), 0);
    assert_string_equal(consent_status_name(0), "unknown");
    assert_string_equal(consent_status_name(CS_DENIED + 1), "unknown");
    assert_string_equal(consent_status_name(-1), "unknown");
}

static void test_consent_basis_names_parse_and_print(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int basis;
    } known[] = {
        { "consent", CS_CONSENT },
        { "legitimate_interest", CS_LEGITIMATE_INTEREST },
        { "contract", CS_CONTRACT },
        { "legal_obligation", CS_LEGAL_OBLIGATION },
        { "vital_interest", CS_VITAL_INTEREST },
        { "public_task", CS_PUBLIC_TASK },
    };
    for (size_t i = 0; i < ARRAY_LEN(known); i++) {
        assert_int_equal(basis_of(known[i].name), known[i].basis);
        assert_string_equal(consent_basis_name(known[i].basis), known[i].name);
    }
    static const char *const unknown[] = { "", "legitimate interest", "public", "granted",
                                           "contracts" };
    for (size_t i = 0; i < ARRAY_LEN(unknown); i++)
        assert_int_equal(basis_of(unknown[i]), 0);
    assert_int_equal(consent_basis_parse("contractual", 8), CS_CONTRACT);
    assert_null(consent_basis_name(CS_BASIS_NONE));
    assert_null(consent_basis_name(CS_PUBLIC_TASK + 1));
    assert_null(consent_basis_name(-1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_consent_in_force_is_the_latest_record_not_after_now),
        cmocka_unit_test(test_consent_in_force_looks_only_at_its_purpose),
        cmocka_unit_test(test_consent_in_force_keeps_an_expired_grant),
        cmocka_unit_test(test_consent_in_force_on_a_tie_prefers_a_record_not_granted),
        cmocka_unit_test(test_consent_in_force_among_grants_prefers_the_earliest_expiry),
        cmocka_unit_test(test_consent_in_force_among_grants_a_never_expiring_one_loses),
        cmocka_unit_test(test_consent_in_force_otherwise_prefers_the_one_imported_last),
        cmocka_unit_test(test_consent_list_add_skips_a_record_already_held),
        cmocka_unit_test(test_consent_round_trip_keeps_the_history),
        cmocka_unit_test(test_consent_reads_the_fixed_records_of_format_4),
        cmocka_unit_test(test_consent_round_trips_seqs_out_of_order_and_every_status),
        cmocka_unit_test(test_consent_rejects_impossible_compact_records),
        cmocka_unit_test(test_consent_status_names_parse_and_print),
        cmocka_unit_test(test_consent_basis_names_parse_and_print),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
