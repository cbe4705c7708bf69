/*
 * test_membership.c — materialised segments (core/store/membership.h): the compact
 * set encoding round-trips in each of its forms and rejects damage; a run
 * stores the members, who entered and exited (exact, by XOR with the last
 * run) and a history row; runs share a number; a run is all or nothing and
 * survives a tiny map; erasure clears the contact's bit everywhere; a
 * contact's segments are listed (and exported); names may hold dots.
 *
 * Uses: cmocka, membership.h, bitset.h, segrt.h, test_util.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/membership.h"
#include "segrt.h"
#include "test_util.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define T1 INT64_C(1748736000) /* 2025-06-01T00:00:00Z */
#define T2 INT64_C(1751328000) /* 2025-07-01T00:00:00Z */
#define T3 INT64_C(1754006400) /* 2025-08-01T00:00:00Z */

/* ------------------------------------------------------------ helpers */

static uint64_t rng_next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* A bitset of nbits holding the listed ordinals (list ends with UINT32_MAX). */
static bitset bits_of(uint32_t nbits, const uint32_t *ords)
{
    bitset b;
    assert_int_equal(bitset_init(&b, nbits), 0);
    for (; *ords != UINT32_MAX; ords++)
        bitset_set(&b, *ords);
    return b;
}

#define BITS(nbits, ...) bits_of(nbits, (const uint32_t[]){ __VA_ARGS__, UINT32_MAX })

/* Each of nbits bits set with probability per_mille / 1000. */
static bitset random_bits(uint32_t nbits, unsigned per_mille, uint64_t seed)
{
    bitset b;
    assert_int_equal(bitset_init(&b, nbits), 0);
    for (uint32_t i = 0; i < nbits; i++) {
        if (rng_next(&seed) % 1000 < per_mille)
            bitset_set(&b, i);
    }
    return b;
}

static void assert_same_bits(const bitset *a, const bitset *b)
{
    assert_int_equal(a->nbits, b->nbits);
    for (uint32_t i = 0; i < a->nbits; i++) {
        if (bitset_test(a, i) != bitset_test(b, i))
            fail_msg("bit %u: %d, expected %d", i, bitset_test(a, i), bitset_test(b, i));
    }
}

/* Bitset as "a,b,c" for readable failures. */
static const char *ords_text(const bitset *b, char *out, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (uint32_t i = bitset_next(b, 0); i < b->nbits; i = bitset_next(b, i + 1)) {
        int k = snprintf(out + used, n - used, "%s%u", used ? "," : "", i);
        if (k < 0 || (size_t)k >= n - used)
            break;
        used += (size_t)k;
    }
    return out;
}

#define assert_ords(b, expected)                                                              \
    do {                                                                                      \
        char text_[256];                                                                      \
        assert_string_equal(ords_text(b, text_, sizeof text_), expected);                     \
    } while (0)

/* Encode, check the form, decode and compare; contains() agrees on every ordinal. */
static size_t roundtrip(const bitset *b, char form)
{
    buf e = { 0 };
    assert_int_equal(mset_encode(b, &e), 0);
    assert_true(e.len > 0);
    if (form)
        assert_int_equal(e.p[0], form);
    bitset d;
    assert_int_equal(mset_decode(e.p, e.len, &d), 0);
    assert_same_bits(&d, b);
    for (uint32_t i = 0; i < b->nbits + 70; i++)
        assert_int_equal(mset_contains(e.p, e.len, i), bitset_test(b, i));
    size_t len = e.len;
    bitset_free(&d);
    buf_free(&e);
    return len;
}

/* Record one run of (name, set) pairs; returns the rows. */
static void record(segrt_store *s, int64_t now, size_t n, const char *const names[],
                   const bitset *const sets[], membership_row rows[])
{
    segrt_store_set_now(s, now);
    int rc = membership_record_run(s, n, names, NULL, sets, rows);
    if (rc != SEGRT_OK)
        fail_msg("membership_record_run: %s: %s", segrt_errname(rc), segrt_errmsg(s));
}

static void record1(segrt_store *s, int64_t now, const char *name, const bitset *set,
                    membership_row *row)
{
    record(s, now, 1, &name, &set, row);
}

static void assert_row(const membership_row *r, uint64_t run, int64_t now, uint64_t size,
                       uint64_t entered, uint64_t exited)
{
    if (r->run != run || r->now != now || r->size != size || r->entered != entered ||
        r->exited != exited)
        fail_msg("row run %llu now %lld size %llu entered %llu exited %llu; expected %llu %lld "
                 "%llu %llu %llu", (unsigned long long)r->run, (long long)r->now,
                 (unsigned long long)r->size, (unsigned long long)r->entered,
                 (unsigned long long)r->exited, (unsigned long long)run, (long long)now,
                 (unsigned long long)size, (unsigned long long)entered,
                 (unsigned long long)exited);
}

typedef struct rows_seen {
    size_t n;
    membership_row r[16];
} rows_seen;

static int collect_row(void *ud, const membership_row *row)
{
    rows_seen *h = ud;
    if (h->n < ARRAY_LEN(h->r))
        h->r[h->n] = *row;
    h->n++;
    return 0;
}

static rows_seen history(segrt_store *s, const char *name)
{
    rows_seen h = { 0 };
    int rc = membership_history_foreach(s, name, collect_row, &h);
    if (rc != SEGRT_OK)
        fail_msg("membership_history_foreach(%s): %s: %s", name, segrt_errname(rc), segrt_errmsg(s));
    return h;
}

typedef struct names_seen {
    char text[512];
} names_seen;

static int collect_name(void *ud, const char *name)
{
    names_seen *t = ud;
    size_t used = strlen(t->text);
    snprintf(t->text + used, sizeof t->text - used, "%s ", name);
    return 0;
}

static int collect_member_of(void *ud, const char *name, const char *purpose, uint64_t run,
                            int64_t now)
{
    (void)purpose;
    (void)run;
    (void)now;
    return collect_name(ud, name);
}

/* The stored segments whose last membership holds ord, as "a b ". */
static names_seen member_of(segrt_store *s, uint32_t ord)
{
    names_seen t = { "" };
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(s, MDB_RDONLY, &txn), SEGRT_OK);
    int rc = membership_of_foreach(s, txn, ord, collect_member_of, &t);
    mdb_txn_abort(txn);
    if (rc != SEGRT_OK)
        fail_msg("membership_of_foreach: %s: %s", segrt_errname(rc), segrt_errmsg(s));
    return t;
}

static void get(segrt_store *s, const char *name, bitset *m, bitset *in, bitset *out,
                membership_row *last)
{
    int rc = membership_get(s, name, m, in, out, last);
    if (rc != SEGRT_OK)
        fail_msg("membership_get(%s): %s: %s", name, segrt_errname(rc), segrt_errmsg(s));
}

static uint32_t ord_of(segrt_store *s, const char *id)
{
    MDB_txn *txn;
    uint32_t ord;
    assert_int_equal(store_txn_begin(s, MDB_RDONLY, &txn), SEGRT_OK);
    assert_int_equal(store_ord_of(s, txn, id, &ord), SEGRT_OK);
    mdb_txn_abort(txn);
    return ord;
}

/* ------------------------------------------------------------ msets */

static void test_mset_roundtrips_in_each_form(void **state)
{
    (void)state;
    bitset b;
    assert_int_equal(bitset_init(&b, 0), 0);
    roundtrip(&b, 'L'); /* no contacts at all */
    bitset_free(&b);

    assert_int_equal(bitset_init(&b, 1000), 0);
    assert_true(roundtrip(&b, 'L') <= 4); /* empty: a header and nothing else */
    bitset_free(&b);

    b = BITS(1000, 0, 1, 2, 63, 64, 999);
    roundtrip(&b, 'L');
    bitset_free(&b);

    /* Everyone but a few: the non-members are listed. */
    assert_int_equal(bitset_init(&b, 1000), 0);
    bitset_not(&b);
    bitset_clear_bit(&b, 0);
    bitset_clear_bit(&b, 500);
    bitset_clear_bit(&b, 999);
    assert_true(roundtrip(&b, 'C') <= 10);
    bitset_free(&b);

    /* Half at random: the bitset itself. */
    b = random_bits(100000, 500, 42);
    size_t len = roundtrip(&b, 'B');
    assert_true(len <= 100000 / 8 + 16);
    bitset_free(&b);

    /* Members only at the far end: zero words are cut off. */
    assert_int_equal(bitset_init(&b, 100000), 0);
    for (uint32_t i = 99000; i < 99500; i += 2)
        bitset_set(&b, i);
    len = roundtrip(&b, 0);
    assert_true(len < 300);
    bitset_free(&b);

    /* Odd sizes and densities, each in whatever form wins. */
    static const uint32_t sizes[] = { 1, 63, 64, 65, 127, 4097, 70001 };
    static const unsigned dens[] = { 0, 1, 20, 130, 500, 900, 990, 1000 };
    for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
        for (size_t j = 0; j < ARRAY_LEN(dens); j++) {
            b = random_bits(sizes[i], dens[j], 7 + i * 31 + j);
            roundtrip(&b, 0);
            bitset_free(&b);
        }
    }
}

static void test_mset_sparse_sets_cost_bytes_per_member_not_the_bitset(void **state)
{
    (void)state;
    /* 1M contacts, 1% members: about a byte a member, far below 125 KiB. */
    bitset b = random_bits(1000000, 10, 3);
    buf e = { 0 };
    assert_int_equal(mset_encode(&b, &e), 0);
    assert_int_equal(e.p[0], 'L');
    assert_true(e.len < bitset_count(&b) * 2);
    bitset_free(&b);
    buf_free(&e);
}

static void test_mset_decode_rejects_damage(void **state)
{
    (void)state;
    bitset b = BITS(1000, 3, 10, 700), d;
    buf e = { 0 };
    assert_int_equal(mset_encode(&b, &e), 0);
    for (size_t cut = 0; cut < e.len; cut++) {
        assert_int_equal(mset_decode(e.p, cut, &d), -1); /* truncated */
        assert_null(d.w);
    }
    unsigned char bad[] = { 'Z', 1, 0 };
    assert_int_equal(mset_decode(bad, sizeof bad, &d), -1); /* unknown form */
    assert_int_equal(mset_contains(bad, sizeof bad, 0), -1);
    unsigned char over[] = { 'L', 10, 1, 10 }; /* member 10 of a set of 10 */
    assert_int_equal(mset_decode(over, sizeof over, &d), -1);
    assert_int_equal(mset_contains(over, sizeof over, 3), -1); /* the gap is past the set */
    unsigned char cut_gaps[] = { 'C', 10, 8, 0 }; /* two non-members stated, one stored */
    assert_int_equal(mset_decode(cut_gaps, sizeof cut_gaps, &d), -1);
    assert_int_equal(mset_contains(cut_gaps, sizeof cut_gaps, 5), -1);
    assert_int_equal(mset_contains(cut_gaps, sizeof cut_gaps, 0), 0); /* found before the cut */
    unsigned char short_words[] = { 'B', 64, 1, 0, 1, 1, 0 }; /* one word stated, 2 bytes */
    assert_int_equal(mset_contains(short_words, sizeof short_words, 0), -1);
    unsigned char count[] = { 'L', 10, 11 }; /* more members than contacts */
    assert_int_equal(mset_decode(count, sizeof count, &d), -1);
    unsigned char tail[] = { 'L', 10, 1, 2, 5 }; /* bytes after the last gap */
    assert_int_equal(mset_decode(tail, sizeof tail, &d), -1);
    /* A bitset word whose popcount differs from the stated count. */
    unsigned char words[] = { 'B', 64, 2, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0 };
    assert_int_equal(mset_decode(words, sizeof words, &d), -1);
    words[2] = 1;
    assert_int_equal(mset_decode(words, sizeof words, &d), 0);
    assert_ords(&d, "0");
    bitset_free(&d);
    /* Bits past nbits in the last word. */
    unsigned char past[] = { 'B', 4, 1, 0, 1, 0x10, 0, 0, 0, 0, 0, 0, 0 };
    assert_int_equal(mset_decode(past, sizeof past, &d), -1);
    bitset_free(&b);
    buf_free(&e);
}

/* ------------------------------------------------------------ runs */

static void test_membership_first_run_has_everyone_entered(void **state)
{
    tu_fixture *f = *state;
    bitset b = BITS(10, 1, 3, 5);
    membership_row row;
    record1(f->s, T1, "big", &b, &row);
    assert_row(&row, 1, T1, 3, 3, 0);

    bitset m, in, out;
    membership_row last;
    get(f->s, "big", &m, &in, &out, &last);
    assert_ords(&m, "1,3,5");
    assert_ords(&in, "1,3,5");
    assert_ords(&out, "");
    assert_row(&last, 1, T1, 3, 3, 0);
    bitset_free(&m);
    bitset_free(&in);
    bitset_free(&out);
    bitset_free(&b);
}

static void test_membership_second_run_has_exact_entered_and_exited(void **state)
{
    tu_fixture *f = *state;
    bitset a = BITS(10, 1, 3, 5, 7), b = BITS(12, 3, 4, 7, 11); /* two contacts were added */
    membership_row row;
    record1(f->s, T1, "big", &a, &row);
    record1(f->s, T2, "big", &b, &row);
    assert_row(&row, 2, T2, 4, 2, 2);

    bitset m, in, out;
    get(f->s, "big", &m, &in, &out, NULL);
    assert_int_equal(m.nbits, 12);
    assert_ords(&m, "3,4,7,11");
    assert_ords(&in, "4,11");
    assert_ords(&out, "1,5");
    bitset_free(&m);
    bitset_free(&in);
    bitset_free(&out);

    /* The same members again: nobody moved. */
    record1(f->s, T3, "big", &b, &row);
    assert_row(&row, 3, T3, 4, 0, 0);
    get(f->s, "big", NULL, &in, &out, NULL);
    assert_ords(&in, "");
    assert_ords(&out, "");
    bitset_free(&in);
    bitset_free(&out);
    bitset_free(&a);
    bitset_free(&b);
}

static void test_membership_large_random_runs_match_xor(void **state)
{
    tu_fixture *f = *state;
    const uint32_t n = 200000;
    bitset a = random_bits(n, 300, 11), b = random_bits(n + 1000, 700, 12);
    membership_row row;
    record1(f->s, T1, "wide", &a, &row);
    record1(f->s, T2, "wide", &b, &row);
    uint64_t entered = 0, exited = 0;
    for (uint32_t i = 0; i < n + 1000; i++) {
        entered += bitset_test(&b, i) && !bitset_test(&a, i);
        exited += bitset_test(&a, i) && !bitset_test(&b, i);
    }
    assert_row(&row, 2, T2, bitset_count(&b), entered, exited);
    bitset m, in, out;
    get(f->s, "wide", &m, &in, &out, NULL);
    assert_same_bits(&m, &b);
    for (uint32_t i = 0; i < n + 1000; i++) {
        assert_int_equal(bitset_test(&in, i), bitset_test(&b, i) && !bitset_test(&a, i));
        assert_int_equal(bitset_test(&out, i), bitset_test(&a, i) && !bitset_test(&b, i));
    }
    bitset_free(&m);
    bitset_free(&in);
    bitset_free(&out);
    bitset_free(&a);
    bitset_free(&b);
}

static void test_membership_empty_segment_is_stored_and_listed(void **state)
{
    tu_fixture *f = *state;
    bitset none, some = BITS(8, 2);
    assert_int_equal(bitset_init(&none, 8), 0);
    membership_row row;
    record1(f->s, T1, "nobody", &none, &row);
    assert_row(&row, 1, T1, 0, 0, 0);
    names_seen t = { "" };
    assert_int_equal(membership_names_foreach(f->s, collect_name, &t), SEGRT_OK);
    assert_string_equal(t.text, "nobody ");

    /* Emptied later: everyone exits. */
    record1(f->s, T2, "shrinks", &some, &row);
    record1(f->s, T3, "shrinks", &none, &row);
    assert_row(&row, 3, T3, 0, 0, 1);
    bitset m;
    get(f->s, "shrinks", &m, NULL, NULL, NULL);
    assert_int_equal(bitset_count(&m), 0);
    bitset_free(&m);
    bitset_free(&none);
    bitset_free(&some);
}

static void test_membership_history_is_in_run_order_and_runs_are_shared(void **state)
{
    tu_fixture *f = *state;
    bitset a = BITS(6, 0, 1), b = BITS(6, 1, 2, 3), c = BITS(6, 5);
    const char *both[] = { "alpha", "beta" };
    const bitset *r1[] = { &a, &b }, *r3[] = { &b, &c };
    membership_row rows[2];
    record(f->s, T1, 2, both, r1, rows);
    assert_row(&rows[0], 1, T1, 2, 2, 0);
    assert_row(&rows[1], 1, T1, 3, 3, 0);
    record1(f->s, T2, "alpha", &c, rows); /* beta not in run 2 */
    record(f->s, T3, 2, both, r3, rows);
    assert_row(&rows[0], 3, T3, 3, 3, 1);
    assert_row(&rows[1], 3, T3, 1, 1, 3);

    rows_seen h = history(f->s, "alpha");
    assert_int_equal(h.n, 3);
    assert_row(&h.r[0], 1, T1, 2, 2, 0);
    assert_row(&h.r[1], 2, T2, 1, 1, 2);
    assert_row(&h.r[2], 3, T3, 3, 3, 1);
    h = history(f->s, "beta");
    assert_int_equal(h.n, 2);
    assert_row(&h.r[0], 1, T1, 3, 3, 0);
    assert_row(&h.r[1], 3, T3, 1, 1, 3);

    /* "alp" is a prefix of a stored name, not a segment. */
    assert_int_equal(membership_history_foreach(f->s, "alp", collect_row, &h), SEGRT_ENOTFOUND);
    assert_non_null(strstr(segrt_errmsg(f->s), "alp"));
    assert_int_equal(membership_history_foreach(f->s, "", collect_row, &h), SEGRT_ENOTFOUND);
    bitset m;
    assert_int_equal(membership_get(f->s, "gamma", &m, NULL, NULL, NULL), SEGRT_ENOTFOUND);
    assert_null(m.w);
    bitset_free(&a);
    bitset_free(&b);
    bitset_free(&c);
}

static void test_membership_run_is_all_or_nothing(void **state)
{
    tu_fixture *f = *state;
    bitset a = BITS(4, 1);
    const char *dup[] = { "a", "a" }, *empty[] = { "ok", "" };
    const bitset *sets[] = { &a, &a };
    assert_int_equal(membership_record_run(f->s, 2, dup, NULL, sets, NULL), SEGRT_EINVAL);
    assert_non_null(strstr(segrt_errmsg(f->s), "twice"));
    assert_int_equal(membership_record_run(f->s, 2, empty, NULL, sets, NULL), SEGRT_EINVAL);
    char longname[MEMBERSHIP_NAME_MAX + 2];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    const char *toolong[] = { longname };
    assert_int_equal(membership_record_run(f->s, 1, toolong, NULL, sets, NULL), SEGRT_EINVAL);
    names_seen t = { "" };
    assert_int_equal(membership_names_foreach(f->s, collect_name, &t), SEGRT_OK);
    assert_string_equal(t.text, "");

    /* The failed runs used no run number. */
    membership_row row;
    record1(f->s, T1, "ok", &a, &row);
    assert_int_equal(row.run, 1);
    longname[MEMBERSHIP_NAME_MAX] = '\0'; /* the longest name is fine */
    record1(f->s, T2, longname, &a, &row);
    assert_int_equal(history(f->s, longname).n, 1);
    bitset_free(&a);
}

static void test_membership_run_grows_a_tiny_map(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(segrt_store_set_mapsize(f->s, (size_t)1 << 20), SEGRT_OK);
    enum { NSEG = 8 };
    bitset sets[NSEG];
    const bitset *ptrs[NSEG];
    const char *names[NSEG] = { "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7" };
    for (int i = 0; i < NSEG; i++) {
        sets[i] = random_bits(1000000, 500, 100 + (uint64_t)i);
        ptrs[i] = &sets[i];
    }
    membership_row rows[NSEG];
    record(f->s, T1, NSEG, names, ptrs, rows); /* ~2 MB of bitsets into a 1 MB map */
    for (int i = 0; i < NSEG; i++) {
        assert_row(&rows[i], 1, T1, bitset_count(&sets[i]), bitset_count(&sets[i]), 0);
        bitset m;
        get(f->s, names[i], &m, NULL, NULL, NULL);
        assert_same_bits(&m, &sets[i]);
        bitset_free(&m);
        bitset_free(&sets[i]);
    }
}

/* ------------------------------------------------------------ contacts */

static const char contacts_csv[] = "id,email,income\n"
                                   "c1,c1@example.com,1000\n"
                                   "c2,c2@example.com,60000\n"
                                   "c3,c3@example.com,70000\n"
                                   "c4,c4@example.com,80000\n";

static void test_membership_erase_clears_the_bit_everywhere(void **state)
{
    tu_fixture *f = *state;
    tu_import_text(f, SEGRT_CONTACTS, "contacts.csv", contacts_csv, NULL);
    uint32_t o2 = ord_of(f->s, "c2"), o3 = ord_of(f->s, "c3"), o4 = ord_of(f->s, "c4");
    bitset a, b, other;
    assert_int_equal(bitset_init(&a, 4), 0);
    assert_int_equal(bitset_init(&b, 4), 0);
    assert_int_equal(bitset_init(&other, 4), 0);
    bitset_set(&a, o2);
    bitset_set(&a, o3);
    bitset_set(&b, o3); /* o2 exits "rich", o4 enters */
    bitset_set(&b, o4);
    bitset_set(&other, o4);
    const char *names[] = { "rich", "grp.other" };
    const bitset *r1[] = { &a, &other }, *r2[] = { &b, &other };
    record(f->s, T1, 2, names, r1, NULL);
    record(f->s, T2, 2, names, r2, NULL);
    assert_string_equal(member_of(f->s, o4).text, "grp.other rich ");

    /* o4 is a member and entered; o2 exited. Both go. */
    assert_int_equal(segrt_contact_erase(f->s, "c4", "test"), SEGRT_OK);
    assert_int_equal(segrt_contact_erase(f->s, "c2", "test"), SEGRT_OK);
    bitset m, in, out;
    get(f->s, "rich", &m, &in, &out, NULL);
    assert_false(bitset_test(&m, o4));
    assert_false(bitset_test(&in, o4));
    assert_false(bitset_test(&out, o2));
    assert_true(bitset_test(&m, o3)); /* the others stay */
    assert_int_equal(bitset_count(&m), 1);
    assert_int_equal(bitset_count(&in), 0);
    assert_int_equal(bitset_count(&out), 0);
    bitset_free(&m);
    bitset_free(&in);
    bitset_free(&out);
    get(f->s, "grp.other", &m, NULL, NULL, NULL);
    assert_int_equal(bitset_count(&m), 0);
    bitset_free(&m);
    assert_string_equal(member_of(f->s, o4).text, "");

    /* The history keeps its counts (no personal data), and a next run sees
     * nobody exit for the erased contact. */
    rows_seen h = history(f->s, "rich");
    assert_int_equal(h.n, 2);
    assert_row(&h.r[1], 2, T2, 2, 1, 1);
    bitset_clear_bit(&b, o4);
    membership_row row;
    record1(f->s, T3, "rich", &b, &row);
    assert_row(&row, 3, T3, 1, 0, 0);
    tu_assert_check_ok(f->s);
    bitset_free(&a);
    bitset_free(&b);
    bitset_free(&other);
}

static void test_membership_contact_segments_are_listed_and_exported(void **state)
{
    tu_fixture *f = *state;
    tu_import_text(f, SEGRT_CONTACTS, "contacts.csv", contacts_csv, NULL);
    uint32_t o1 = ord_of(f->s, "c1"), o3 = ord_of(f->s, "c3");
    bitset rich = BITS(4, 1, 2, 3), gold, mid;
    assert_int_equal(bitset_init(&gold, 4), 0);
    assert_int_equal(bitset_init(&mid, 4), 0);
    bitset_set(&gold, o3);
    bitset_set(&mid, o1);
    bitset_clear_bit(&rich, o1);
    bitset_set(&rich, ord_of(f->s, "c2"));
    bitset_set(&rich, o3);
    const char *names[] = { "rich", "tier.gold", "tier.mid" };
    const bitset *sets[] = { &rich, &gold, &mid };
    record(f->s, T1, 3, names, sets, NULL);
    assert_string_equal(member_of(f->s, o3).text, "rich tier.gold ");
    assert_string_equal(member_of(f->s, o1).text, "tier.mid ");
    assert_string_equal(member_of(f->s, 99).text, "");

    json_t *obj = tu_export(f->s, "c3");
    json_t *segs = json_object_get(obj, "segments");
    assert_int_equal(json_array_size(segs), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(segs, 0), "name")),
                        "rich");
    assert_string_equal(json_string_value(json_object_get(json_array_get(segs, 1), "name")),
                        "tier.gold");
    assert_string_equal(json_string_value(json_object_get(json_array_get(segs, 1), "as_of")),
                        "2025-06-01T00:00:00Z");
    json_decref(obj);

    char *card = NULL;
    assert_int_equal(segrt_contact_card(f->s, "c3", &card), SEGRT_OK);
    assert_non_null(strstr(card, "\nSegments\n  rich\n  tier.gold\n"));
    segrt_free(card);
    bitset_free(&rich);
    bitset_free(&gold);
    bitset_free(&mid);
}

static void test_membership_names_with_dots_are_distinct_segments(void **state)
{
    tu_fixture *f = *state;
    bitset a = BITS(4, 0), b = BITS(4, 1), c = BITS(4, 2);
    const char *names[] = { "grp", "grp.a", "grp.a.b" };
    const bitset *sets[] = { &a, &b, &c };
    record(f->s, T1, 3, names, sets, NULL);
    record1(f->s, T2, "grp.a", &a, NULL);
    names_seen t = { "" };
    assert_int_equal(membership_names_foreach(f->s, collect_name, &t), SEGRT_OK);
    assert_string_equal(t.text, "grp grp.a grp.a.b ");
    assert_int_equal(history(f->s, "grp").n, 1);
    assert_int_equal(history(f->s, "grp.a").n, 2);
    assert_int_equal(history(f->s, "grp.a.b").n, 1);
    assert_string_equal(member_of(f->s, 0).text, "grp grp.a ");
    assert_string_equal(member_of(f->s, 2).text, "grp.a.b ");
    bitset_free(&a);
    bitset_free(&b);
    bitset_free(&c);
}

/* ------------------------------------------------------------ changes since a run */

/* membership_changes(name, since) must be (last \ at_since, at_since \ last). */
static void assert_changes(segrt_store *s, const char *name, uint64_t since, const bitset *then,
                           const bitset *last)
{
    bitset in, out;
    int rc = membership_changes(s, name, since, &in, &out);
    if (rc != SEGRT_OK)
        fail_msg("membership_changes(%s, %llu): %s: %s", name, (unsigned long long)since,
                 segrt_errname(rc), segrt_errmsg(s));
    assert_int_equal(in.nbits, last->nbits);
    for (uint32_t i = 0; i < last->nbits; i++) {
        int was = i < then->nbits && bitset_test(then, i), is = bitset_test(last, i);
        if (bitset_test(&in, i) != (is && !was) || bitset_test(&out, i) != (was && !is))
            fail_msg("since run %llu, ordinal %u: entered %d left %d; member then %d, now %d",
                     (unsigned long long)since, i, bitset_test(&in, i), bitset_test(&out, i),
                     was, is);
    }
    bitset_free(&in);
    bitset_free(&out);
}

static void test_membership_changes_since_each_run_are_set_differences(void **state)
{
    tu_fixture *f = *state;
    enum { RUNS = 5 };
    bitset r[RUNS], other = BITS(10, 1, 2);
    uint64_t run[RUNS];
    membership_row row;
    for (int k = 0; k < RUNS; k++) { /* the base grows, so later sets are wider */
        r[k] = random_bits(3000 + 700 * (uint32_t)k, 150 + 100 * (unsigned)k, 21 + (uint64_t)k);
        record1(f->s, T1 + k, "seg", &r[k], &row);
        run[k] = row.run;
        if (k == 1)
            record1(f->s, T2, "other", &other, NULL); /* a run seg is not part of */
    }
    assert_int_equal(run[2], 4);
    for (int k = 0; k < RUNS; k++)
        assert_changes(f->s, "seg", run[k], &r[k], &r[RUNS - 1]);
    assert_changes(f->s, "other", 3, &other, &other);

    bitset in, out;
    assert_int_equal(membership_changes(f->s, "seg", 3, &in, &out), SEGRT_ENOTFOUND);
    tu_assert_errmsg(f->s, "segment 'seg' has no run 3 (its runs: 1-2, 4-6)");
    assert_null(in.w);
    assert_null(out.w);
    assert_int_equal(membership_changes(f->s, "seg", 7, &in, &out), SEGRT_ENOTFOUND);
    assert_int_equal(membership_changes(f->s, "nope", 1, &in, &out), SEGRT_ENOTFOUND);
    tu_assert_errmsg(f->s, "no stored runs of segment 'nope'");
    for (int k = 0; k < RUNS; k++)
        bitset_free(&r[k]);
    bitset_free(&other);
}

/* A store whose older runs kept no per-run sets answers only from the first run that did. */
static void test_membership_changes_need_the_sets_of_every_later_run(void **state)
{
    tu_fixture *f = *state;
    bitset a = BITS(8, 1, 2), b = BITS(8, 2, 3), c = BITS(8, 3, 4);
    record1(f->s, T1, "seg", &a, NULL);
    record1(f->s, T2, "seg", &b, NULL);
    record1(f->s, T3, "seg", &c, NULL);
    unsigned char key[2 + 3 + 1 + 8] = { 'E', 0, 's', 'e', 'g', 0, 0, 0, 0, 0, 0, 0, 0, 2 };
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->s, 0, &txn), SEGRT_OK);
    MDB_val k = { sizeof key, key };
    assert_int_equal(mdb_del(txn, f->s->dbi[DB_SEGMENTS], &k, NULL), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    bitset in, out;
    assert_int_equal(membership_changes(f->s, "seg", 1, &in, &out), SEGRT_ENOTFOUND);
    tu_assert_errmsg(f->s, "run 2 of segment 'seg' was stored before runs kept who entered and "
                           "exited; ask for changes since run 2 or later");
    assert_changes(f->s, "seg", 2, &b, &c);
    bitset_free(&a);
    bitset_free(&b);
    bitset_free(&c);
}

static void test_membership_run_at_takes_the_latest_now_at_or_before(void **state)
{
    tu_fixture *f = *state;
    bitset a = BITS(4, 1);
    record1(f->s, T2, "seg", &a, NULL); /* NOWs out of order, and a tie */
    record1(f->s, T1, "seg", &a, NULL);
    record1(f->s, T2, "seg", &a, NULL);
    record1(f->s, T3, "seg", &a, NULL);
    const struct { int64_t t; uint64_t run; } cases[] = {
        { T1, 2 }, { T2 - 1, 2 }, { T2, 3 }, { T3 - 1, 3 }, { T3, 4 }, { T3 + 86400, 4 },
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        uint64_t run;
        assert_int_equal(segrt_segment_run_at(f->s, "seg", cases[i].t, &run), SEGRT_OK);
        assert_int_equal(run, cases[i].run);
    }
    uint64_t run = 9;
    assert_int_equal(segrt_segment_run_at(f->s, "seg", T1 - 1, &run), SEGRT_ENOTFOUND);
    assert_int_equal(run, 0);
    tu_assert_errmsg(f->s, "segment 'seg' has no run at or before 2025-05-31T23:59:59Z (its "
                           "earliest is run 2 at 2025-06-01T00:00:00Z)");
    assert_int_equal(segrt_segment_run_at(f->s, "nope", T3, &run), SEGRT_ENOTFOUND);
    assert_int_equal(segrt_segment_run_at(f->s, "seg", T3, NULL), SEGRT_EINVAL);
    bitset_free(&a);
}

typedef struct changes_seen {
    char text[512];
} changes_seen;

static int collect_change(void *ud, const segrt_change *c)
{
    changes_seen *t = ud;
    size_t used = strlen(t->text);
    snprintf(t->text + used, sizeof t->text - used, "%s %s %s; ", c->change, c->id,
             c->email ? c->email : "-");
    return 0;
}

static const char *changes_text(segrt_store *s, const char *name, uint64_t since,
                                changes_seen *t)
{
    t->text[0] = '\0';
    int rc = segrt_segment_changes_foreach(s, name, since, collect_change, t);
    if (rc != SEGRT_OK)
        fail_msg("segrt_segment_changes_foreach(%s, %llu): %s: %s", name, (unsigned long long)since,
                 segrt_errname(rc), segrt_errmsg(s));
    return t->text;
}

/* Ids and e-mails in id order; an erased contact appears nowhere, in any run's changes. */
static void test_membership_changes_by_id_forget_erased_contacts(void **state)
{
    tu_fixture *f = *state;
    tu_import_text(f, SEGRT_CONTACTS, "contacts.csv", contacts_csv, NULL);
    tu_import_text(f, SEGRT_CONTACTS, "more.csv", "id,income\nc0,5\n", NULL);
    uint32_t o[5] = { ord_of(f->s, "c0"), ord_of(f->s, "c1"), ord_of(f->s, "c2"),
                      ord_of(f->s, "c3"), ord_of(f->s, "c4") };
    bitset r1, r2, r3;
    assert_int_equal(bitset_init(&r1, 5), 0);
    assert_int_equal(bitset_init(&r2, 5), 0);
    assert_int_equal(bitset_init(&r3, 5), 0);
    bitset_set(&r1, o[1]), bitset_set(&r1, o[2]);
    bitset_set(&r2, o[2]), bitset_set(&r2, o[3]), bitset_set(&r2, o[0]);
    bitset_set(&r3, o[3]), bitset_set(&r3, o[4]), bitset_set(&r3, o[0]);
    record1(f->s, T1, "seg", &r1, NULL);
    record1(f->s, T2, "seg", &r2, NULL);
    record1(f->s, T3, "seg", &r3, NULL);
    changes_seen t;
    assert_string_equal(changes_text(f->s, "seg", 1, &t),
                        "entered c0 -; left c1 c1@example.com; left c2 c2@example.com; "
                        "entered c3 c3@example.com; entered c4 c4@example.com; ");
    assert_string_equal(changes_text(f->s, "seg", 2, &t),
                        "left c2 c2@example.com; entered c4 c4@example.com; ");
    assert_string_equal(changes_text(f->s, "seg", 3, &t), "");
    assert_int_equal(segrt_contact_erase(f->s, "c2", "test"), SEGRT_OK); /* left */
    assert_int_equal(segrt_contact_erase(f->s, "c4", "test"), SEGRT_OK); /* entered */
    assert_int_equal(segrt_contact_erase(f->s, "c0", "test"), SEGRT_OK); /* in every run since 2 */
    assert_string_equal(changes_text(f->s, "seg", 1, &t),
                        "left c1 c1@example.com; entered c3 c3@example.com; ");
    assert_string_equal(changes_text(f->s, "seg", 2, &t), "");
    /* The sets themselves forgot them: a stale one would put them back in run 1's members. */
    for (uint64_t since = 1; since <= 3; since++) {
        bitset in, out;
        assert_int_equal(membership_changes(f->s, "seg", since, &in, &out), SEGRT_OK);
        for (int k = 0; k < 5; k += 2) { /* c0, c2, c4 */
            assert_false(bitset_test(&in, o[k]));
            assert_false(bitset_test(&out, o[k]));
        }
        bitset_free(&in);
        bitset_free(&out);
    }
    assert_int_equal(segrt_segment_changes_foreach(f->s, "seg", 9, collect_change, &t),
                     SEGRT_ENOTFOUND);
    assert_int_equal(segrt_segment_changes_foreach(f->s, "seg", 1, NULL, NULL), SEGRT_EINVAL);
    tu_assert_check_ok(f->s);
    bitset_free(&r1);
    bitset_free(&r2);
    bitset_free(&r3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mset_roundtrips_in_each_form),
        cmocka_unit_test(test_mset_sparse_sets_cost_bytes_per_member_not_the_bitset),
        cmocka_unit_test(test_mset_decode_rejects_damage),
        TU_STORE_TEST(test_membership_first_run_has_everyone_entered),
        TU_STORE_TEST(test_membership_second_run_has_exact_entered_and_exited),
        TU_STORE_TEST(test_membership_large_random_runs_match_xor),
        TU_STORE_TEST(test_membership_empty_segment_is_stored_and_listed),
        TU_STORE_TEST(test_membership_history_is_in_run_order_and_runs_are_shared),
        TU_STORE_TEST(test_membership_run_is_all_or_nothing),
        TU_STORE_TEST(test_membership_run_grows_a_tiny_map),
        TU_STORE_TEST(test_membership_erase_clears_the_bit_everywhere),
        TU_STORE_TEST(test_membership_contact_segments_are_listed_and_exported),
        TU_STORE_TEST(test_membership_names_with_dots_are_distinct_segments),
        TU_STORE_TEST(test_membership_changes_since_each_run_are_set_differences),
        TU_STORE_TEST(test_membership_changes_need_the_sets_of_every_later_run),
        TU_STORE_TEST(test_membership_run_at_takes_the_latest_now_at_or_before),
        TU_STORE_TEST(test_membership_changes_by_id_forget_erased_contacts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
