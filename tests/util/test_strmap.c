/*
 * test_strmap.c — unit tests of strmap.c: put/get/replace/delete, byte-exact
 * keys (empty, embedded NUL, prefixes), a million keys, probe chains after
 * many deletions, a randomised comparison with a plain array, lookups with
 * the hash given, reserving room (and failing to, and ahead on a thread
 * while keys go on being put), prefetching, and
 * out-of-memory behaviour under an address-space limit.
 *
 * Uses: cmocka, strmap.h; for the out-of-memory test fork, setrlimit,
 * /proc/self/statm and glibc's mallinfo2.
 */
#include <inttypes.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/strmap.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* A sanitizer's malloc replaces glibc's: mallinfo2 does not count it and
 * an impossible request ends the process. */
#if defined(UNDER_ASAN) || defined(__SANITIZE_THREAD__)
#define SANITIZER_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SANITIZER_MALLOC 1
#endif
#endif

#define MILLION 1000000
#define HEADROOM (48u * 1024 * 1024) /* address space the OOM test leaves free */

static int setup_map(void **state)
{
    *state = strmap_new();
    return *state == NULL ? -1 : 0;
}

static int teardown_map(void **state)
{
    strmap_free(*state);
    return 0;
}

/* Writes the i-th test key ("user<i>@example.com") into buf; returns its length. */
static size_t key_of(char buf[48], uint32_t i)
{
    return (size_t)snprintf(buf, 48, "user%" PRIu32 "@example.com", i);
}

static int has(const strmap *m, const char *key, size_t n, uint32_t want)
{
    uint32_t v = ~want;
    return strmap_get(m, key, n, &v) == 1 && v == want;
}

static int lacks(const strmap *m, const char *key, size_t n)
{
    uint32_t v = 0xfeedu;
    return strmap_get(m, key, n, &v) == 0 && v == 0xfeedu;
}

/* ---- basics ---- */

static void test_strmap_new_map_is_empty(void **state)
{
    strmap *m = *state;

    assert_int_equal(strmap_count(m), 0);
    assert_true(lacks(m, "a", 1));
    assert_true(lacks(m, "", 0));
    assert_int_equal(strmap_del(m, "a", 1), 0);
}

static void test_strmap_free_accepts_null(void **state)
{
    (void)state;
    strmap_free(NULL);
}

static void test_strmap_put_then_get(void **state)
{
    strmap *m = *state;

    assert_int_equal(strmap_put(m, "alice", 5, 1), 0);
    assert_int_equal(strmap_put(m, "bob", 3, 2), 0);
    assert_int_equal(strmap_put(m, "carol", 5, UINT32_MAX), 0);
    assert_int_equal(strmap_count(m), 3);
    assert_true(has(m, "alice", 5, 1));
    assert_true(has(m, "bob", 3, 2));
    assert_true(has(m, "carol", 5, UINT32_MAX));
    assert_true(lacks(m, "dave", 4));
    assert_true(lacks(m, "Alice", 5));
}

static void test_strmap_put_replaces_value(void **state)
{
    strmap *m = *state;

    assert_int_equal(strmap_put(m, "k", 1, 1), 0);
    assert_int_equal(strmap_put(m, "k", 1, 2), 0);
    assert_int_equal(strmap_count(m), 1);
    assert_true(has(m, "k", 1, 2));
}

static void test_strmap_put_copies_the_key(void **state)
{
    strmap *m = *state;
    char buf[] = "transient";

    assert_int_equal(strmap_put(m, buf, sizeof buf - 1, 9), 0);
    memset(buf, 'x', sizeof buf - 1);
    assert_true(has(m, "transient", 9, 9));
    assert_true(lacks(m, buf, sizeof buf - 1));
}

static void test_strmap_del_removes_only_that_key(void **state)
{
    strmap *m = *state;

    assert_int_equal(strmap_put(m, "a", 1, 1), 0);
    assert_int_equal(strmap_put(m, "b", 1, 2), 0);
    assert_int_equal(strmap_del(m, "a", 1), 1);
    assert_int_equal(strmap_del(m, "a", 1), 0);
    assert_int_equal(strmap_del(m, "zz", 2), 0);
    assert_int_equal(strmap_count(m), 1);
    assert_true(lacks(m, "a", 1));
    assert_true(has(m, "b", 1, 2));
}

static void test_strmap_del_then_reinsert(void **state)
{
    strmap *m = *state;

    for (uint32_t round = 0; round < 100; round++) {
        assert_int_equal(strmap_put(m, "again", 5, round), 0);
        assert_true(has(m, "again", 5, round));
        assert_int_equal(strmap_count(m), 1);
        assert_int_equal(strmap_del(m, "again", 5), 1);
        assert_true(lacks(m, "again", 5));
        assert_int_equal(strmap_count(m), 0);
    }
}

/* ---- byte-exact keys ---- */

static void test_strmap_empty_key_is_a_key(void **state)
{
    strmap *m = *state;

    assert_int_equal(strmap_put(m, "", 0, 7), 0);
    assert_true(has(m, "", 0, 7));
    assert_true(has(m, NULL, 0, 7));
    assert_true(lacks(m, "\0", 1));
    assert_int_equal(strmap_count(m), 1);
    assert_int_equal(strmap_put(m, NULL, 0, 8), 0);
    assert_true(has(m, "", 0, 8));
    assert_int_equal(strmap_del(m, "", 0), 1);
    assert_true(lacks(m, "", 0));
    assert_int_equal(strmap_count(m), 0);
}

static void test_strmap_keys_with_nul_bytes_are_distinct(void **state)
{
    strmap *m = *state;

    assert_int_equal(strmap_put(m, "a\0b", 3, 1), 0);
    assert_int_equal(strmap_put(m, "a\0c", 3, 2), 0);
    assert_int_equal(strmap_put(m, "a", 1, 3), 0);
    assert_int_equal(strmap_put(m, "\0", 1, 4), 0);
    assert_int_equal(strmap_put(m, "\0\0", 2, 5), 0);
    assert_int_equal(strmap_count(m), 5);
    assert_true(has(m, "a\0b", 3, 1));
    assert_true(has(m, "a\0c", 3, 2));
    assert_true(has(m, "a", 1, 3));
    assert_true(has(m, "\0", 1, 4));
    assert_true(has(m, "\0\0", 2, 5));
    assert_true(lacks(m, "a\0", 2));
    assert_true(lacks(m, "\0\0\0", 3));
}

static void test_strmap_prefixes_are_distinct(void **state)
{
    strmap *m = *state;
    static const char text[] = "abcdefghijklmnopqrstuvwxyz0123456789";

    for (size_t n = 0; n < sizeof text; n++)
        assert_int_equal(strmap_put(m, text, n, (uint32_t)n), 0);
    assert_int_equal(strmap_count(m), sizeof text);
    for (size_t n = 0; n < sizeof text; n++)
        assert_true(has(m, text, n, (uint32_t)n));
}

/* Keys around the longest whose length takes one byte (254), and bigger
 * than any arena block, mixed with small ones. */
static void test_strmap_long_keys(void **state)
{
    strmap *m = *state;
    size_t sizes[] = { 254, 255, 256, 1000, 5000, 70000, 150000, 3 * 1024 * 1024 };
    char small[48];

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char *big = malloc(sizes[i]);
        assert_non_null(big);
        memset(big, 'a' + (int)i, sizes[i]);
        assert_int_equal(strmap_put(m, big, sizes[i], (uint32_t)i), 0);
        assert_int_equal(strmap_put(m, small, key_of(small, (uint32_t)i), (uint32_t)i + 100), 0);
        big[sizes[i] - 1] = 'z';
        assert_true(lacks(m, big, sizes[i]));
        big[sizes[i] - 1] = (char)('a' + i);
        assert_true(has(m, big, sizes[i], (uint32_t)i));
        assert_true(lacks(m, big, sizes[i] - 1));
        free(big);
    }
    for (uint32_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        assert_true(has(m, small, key_of(small, i), i + 100));
}

static void test_strmap_refuses_keys_over_4gib(void **state)
{
    strmap *m = *state;
    size_t n = (size_t)UINT32_MAX + 1;

    /* The length is checked before a byte of the key is read. */
    assert_int_equal(strmap_put(m, "x", n, 1), -1);
    assert_true(lacks(m, "x", n));
    assert_int_equal(strmap_del(m, "x", n), 0);
    assert_int_equal(strmap_count(m), 0);
}

/* ---- scale and probe chains ---- */

static void test_strmap_holds_a_million_keys(void **state)
{
    strmap *m = *state;
    char key[48];

    for (uint32_t i = 0; i < MILLION; i++)
        assert_int_equal(strmap_put(m, key, key_of(key, i), i), 0);
    assert_int_equal(strmap_count(m), MILLION);
    for (uint32_t i = 0; i < MILLION; i++) {
        uint32_t v = 0;
        assert_int_equal(strmap_get(m, key, key_of(key, i), &v), 1);
        assert_int_equal(v, i);
    }
    for (uint32_t i = MILLION; i < 2 * MILLION; i += 7)
        assert_true(lacks(m, key, key_of(key, i)));
    for (uint32_t i = 0; i < MILLION; i += 3)
        assert_int_equal(strmap_put(m, key, key_of(key, i), ~i), 0);
    assert_int_equal(strmap_count(m), MILLION);
    for (uint32_t i = 0; i < MILLION; i++)
        assert_true(has(m, key, key_of(key, i), i % 3 == 0 ? ~i : i));
}

static void test_strmap_get_after_many_deletes(void **state)
{
    strmap *m = *state;
    enum { N = 200000 };
    char key[48];

    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(strmap_put(m, key, key_of(key, i), i), 0);
    /* Delete 9 keys in 10: every surviving key still needs its chain. */
    for (uint32_t i = 0; i < N; i++) {
        if (i % 10 != 0)
            assert_int_equal(strmap_del(m, key, key_of(key, i)), 1);
    }
    assert_int_equal(strmap_count(m), N / 10);
    for (uint32_t i = 0; i < N; i++) {
        if (i % 10 == 0)
            assert_true(has(m, key, key_of(key, i), i));
        else
            assert_true(lacks(m, key, key_of(key, i)));
    }
    for (uint32_t i = 0; i < N; i++) {
        if (i % 10 != 0)
            assert_int_equal(strmap_put(m, key, key_of(key, i), i + 1), 0);
    }
    assert_int_equal(strmap_count(m), N);
    for (uint32_t i = 0; i < N; i++)
        assert_true(has(m, key, key_of(key, i), i % 10 == 0 ? i : i + 1));
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(strmap_del(m, key, key_of(key, i)), 1);
    assert_int_equal(strmap_count(m), 0);
    for (uint32_t i = 0; i < N; i += 97)
        assert_true(lacks(m, key, key_of(key, i)));
}

/*
 * Random puts, replaces and deletes over a small key space, checked after
 * every step against a plain array: the key space is small so chains are
 * long and deletions shift entries back across other keys' chains.
 */
static void test_strmap_agrees_with_an_array_under_random_operations(void **state)
{
    strmap *m = *state;
    enum { KEYS = 3000, STEPS = 300000 };
    static uint32_t model[KEYS];
    static unsigned char present[KEYS];
    size_t count = 0;
    uint64_t seed = 0x853c49e6748fea9bu;
    char key[48];

    memset(present, 0, sizeof present);
    for (int step = 0; step < STEPS; step++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        uint32_t r = (uint32_t)(seed >> 33);
        uint32_t k = r % KEYS;
        size_t n = key_of(key, k);
        if (r >> 29 < 3) {
            assert_int_equal(strmap_del(m, key, n), present[k]);
            count -= present[k];
            present[k] = 0;
        } else {
            assert_int_equal(strmap_put(m, key, n, r), 0);
            count += !present[k];
            present[k] = 1;
            model[k] = r;
        }
        uint32_t probe = (r >> 7) % KEYS;
        n = key_of(key, probe);
        assert_true(present[probe] ? has(m, key, n, model[probe]) : lacks(m, key, n));
        assert_int_equal(strmap_count(m), count);
    }
    for (uint32_t k = 0; k < KEYS; k++) {
        size_t n = key_of(key, k);
        assert_true(present[k] ? has(m, key, n, model[k]) : lacks(m, key, n));
    }
}

/* ---- precomputed hashes, reserve, prefetch ---- */

static int has_hashed(const strmap *m, const char *key, size_t n, uint32_t want)
{
    uint32_t v = ~want;
    return strmap_get_hashed(m, strmap_hash(key, n), key, n, &v) == 1 && v == want;
}

/* Puts keys from..to-1 (value i), odd ones with strmap_put, even ones with the hash given. */
static void put_keys(strmap *m, uint32_t from, uint32_t to)
{
    char key[48];

    for (uint32_t i = from; i < to; i++) {
        size_t n = key_of(key, i);
        if (i % 2)
            assert_int_equal(strmap_put(m, key, n, i), 0);
        else
            assert_int_equal(strmap_put_hashed(m, strmap_hash(key, n), key, n, i), 0);
    }
}

/* Keys from..to-1 are there with value i for both kinds of get. */
static void assert_keys(const strmap *m, uint32_t from, uint32_t to)
{
    char key[48];

    for (uint32_t i = from; i < to; i++) {
        size_t n = key_of(key, i);
        if (!has(m, key, n, i) || !has_hashed(m, key, n, i))
            fail_msg("key %" PRIu32 " is lost", i);
    }
}

/* Keys from..to-1 are absent for both kinds of get. */
static void assert_no_keys(const strmap *m, uint32_t from, uint32_t to)
{
    char key[48];

    for (uint32_t i = from; i < to; i++) {
        size_t n = key_of(key, i);
        uint32_t v = 0xfeedu;
        if (!lacks(m, key, n) || strmap_get_hashed(m, strmap_hash(key, n), key, n, &v) != 0
            || v != 0xfeedu)
            fail_msg("key %" PRIu32 " is there", i);
    }
}

/* A hash depends on the key's bytes only: the same for a copy, another for other bytes. */
static void test_strmap_hash_depends_on_the_bytes_only(void **state)
{
    (void)state;
    char a[] = "user1@example.com", b[] = "user1@example.com";

    assert_true(strmap_hash(a, sizeof a - 1) == strmap_hash(b, sizeof b - 1));
    assert_true(strmap_hash("", 0) == strmap_hash(NULL, 0));
    assert_true(strmap_hash(a, sizeof a - 1) != strmap_hash(a, sizeof a - 2));
    b[4] = '2';
    assert_true(strmap_hash(a, sizeof a - 1) != strmap_hash(b, sizeof b - 1));
}

/*
 * A key put with its hash given is found by strmap_get and the other way
 * round, and a put of the other kind replaces its value: both kinds use the
 * same hash and the same table (100k keys and the empty key).
 */
static void test_strmap_hashed_calls_agree_with_plain_ones(void **state)
{
    strmap *m = *state;
    enum { N = 100000 };
    char key[48];

    put_keys(m, 0, N);
    assert_int_equal(strmap_put_hashed(m, strmap_hash("", 0), "", 0, 77), 0);
    assert_int_equal(strmap_count(m), N + 1);
    assert_keys(m, 0, N);
    assert_true(has(m, "", 0, 77));
    assert_true(has_hashed(m, "", 0, 77));
    assert_true(lacks(m, "\0", 1));
    for (uint32_t i = 0; i < N; i++) { /* each key replaced by the other kind of put */
        size_t n = key_of(key, i);
        if (i % 2)
            assert_int_equal(strmap_put_hashed(m, strmap_hash(key, n), key, n, ~i), 0);
        else
            assert_int_equal(strmap_put(m, key, n, ~i), 0);
    }
    assert_int_equal(strmap_put(m, "", 0, 78), 0);
    assert_int_equal(strmap_count(m), N + 1);
    for (uint32_t i = 0; i < N; i++) {
        size_t n = key_of(key, i);
        if (!has(m, key, n, ~i) || !has_hashed(m, key, n, ~i))
            fail_msg("key %" PRIu32 " was not replaced", i);
    }
    assert_true(has_hashed(m, "", 0, 78));
    assert_no_keys(m, N, N + 2000);
    /* The length is checked before the key is read, as by the plain calls. */
    uint32_t v = 0xfeedu;
    assert_int_equal(strmap_put_hashed(m, 0, "x", (size_t)UINT32_MAX + 1, 1), -1);
    assert_int_equal(strmap_get_hashed(m, 0, "x", (size_t)UINT32_MAX + 1, &v), 0);
    assert_int_equal(v, 0xfeedu);
    assert_int_equal(strmap_count(m), N + 1);
    assert_int_equal(strmap_del(m, "", 0), 1);
    assert_false(has_hashed(m, "", 0, 78));
    assert_int_equal(strmap_count(m), N);
}

/* Reserving on an empty map, then putting as many keys and more. */
static void test_strmap_reserve_then_fill(void **state)
{
    strmap *m = *state;
    enum { N = 50000 };

    assert_int_equal(strmap_reserve(m, N), 0);
    assert_int_equal(strmap_count(m), 0);
    assert_no_keys(m, 0, 100);
    put_keys(m, 0, N);
    assert_int_equal(strmap_count(m), N);
    assert_keys(m, 0, N);
    assert_no_keys(m, N, N + 1000);
    put_keys(m, N, N + 1000); /* and past it: the table grows as before */
    assert_int_equal(strmap_count(m), N + 1000);
    assert_keys(m, 0, N + 1000);
}

/* Reserving for no more keys than there are (or 0) returns 0 and keeps every key. */
static void test_strmap_reserve_below_count_is_a_no_op(void **state)
{
    strmap *m = *state;
    static const size_t sizes[] = { 0, 1, 10, 999, 1000, 0 };

    assert_int_equal(strmap_reserve(m, 0), 0); /* on the empty map too */
    assert_int_equal(strmap_count(m), 0);
    put_keys(m, 0, 1000);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        assert_int_equal(strmap_reserve(m, sizes[i]), 0);
        assert_int_equal(strmap_count(m), 1000);
        assert_keys(m, 0, 1000);
        assert_no_keys(m, 1000, 1100);
    }
}

/* Reserving room for a million keys with 1000 in (and the empty key) moves them all. */
static void test_strmap_reserve_moves_the_keys_in(void **state)
{
    strmap *m = *state;

    put_keys(m, 0, 1000);
    assert_int_equal(strmap_put(m, "", 0, 5), 0);
    assert_int_equal(strmap_reserve(m, (size_t)1 << 20), 0);
    assert_int_equal(strmap_count(m), 1001);
    assert_keys(m, 0, 1000);
    assert_true(has_hashed(m, "", 0, 5));
    assert_no_keys(m, 1000, 3000);
    put_keys(m, 1000, 5000);
    assert_int_equal(strmap_count(m), 5001);
    assert_keys(m, 0, 5000);
}

/* Memory malloc has handed out and not got back: its arenas and its mmapped chunks. */
static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

/* Child process of the tests below; the exit status names the failed step.
 * Ahead, the table and the keys' block are made on a thread, and
 * strmap_reserve then waits for them and takes them. */
static int reserve_child(int ahead)
{
    enum { N = 1 << 20, FIRST = 1000 };
    strmap *m = strmap_new();

    if (m == NULL)
        return 10;
    for (uint32_t i = 0; i < FIRST; i++) {
        if (strmap_put(m, (const char *)&i, sizeof i, i) != 0)
            return 13;
    }
    size_t before = heap_in_use();
    if (ahead && strmap_reserve_ahead(m, N) != 0)
        return 11;
    if (strmap_reserve(m, N) != 0)
        return 11;
    size_t reserved = heap_in_use() - before;
    if (reserved < (size_t)N * 8)
        return 12; /* no table for N keys yet */
    before = heap_in_use();
    for (uint32_t i = FIRST; i < N; i++) {
        if (strmap_put(m, (const char *)&i, sizeof i, i) != 0)
            return 13;
    }
    /* Without a block made ahead, the keys' 4 MB come in 2 MB blocks. */
    if (heap_in_use() - before >= (ahead ? (size_t)N : reserved))
        return 14; /* the table grew, or the arena did */
    if (strmap_count(m) != N)
        return 15;
    for (uint32_t i = 0; i < N; i++) {
        if (!has(m, (const char *)&i, sizeof i, i))
            return 16;
    }
    strmap_free(m);
    return 0;
}

/* Runs reserve_child(ahead) in a child process, so that the heap it leaves
 * behind does not change what the out-of-memory test runs into. */
static void assert_reserve_child(int ahead)
{
    int status;
#ifdef SANITIZER_MALLOC
    skip(); /* mallinfo2 does not count the sanitizer's allocations */
#endif
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(reserve_child(ahead));
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * strmap_reserve(m, n) makes the table for n keys at the call (at least 8
 * bytes a key), and putting the n keys then never grows it: a growth would
 * keep at least the reserved table's size more in use, and the keys here
 * (4 bytes each) take far less.
 */
static void test_strmap_reserve_sizes_the_table_up_front(void **state)
{
    (void)state;
    assert_reserve_child(0);
}

/* strmap_reserve_ahead makes the same table, and a block for the keys to
 * come at the mean length of those so far: putting them allocates nothing. */
static void test_strmap_reserve_ahead_makes_table_and_block(void **state)
{
    (void)state;
    assert_reserve_child(1);
}

/* Puts, gets and deletes go on while the table is made ahead, past the
 * size reserved: whether the thread is done before or after, no key is lost. */
static void test_strmap_reserve_ahead_while_putting(void **state)
{
    strmap *m = *state;
    char key[48];

    put_keys(m, 0, 1000);
    assert_int_equal(strmap_reserve_ahead(m, 50000), 0);
    put_keys(m, 1000, 120000);
    for (uint32_t i = 0; i < 120000; i += 3)
        assert_int_equal(strmap_del(m, key, key_of(key, i)), 1);
    assert_int_equal(strmap_reserve_ahead(m, 400000), 0);
    assert_int_equal(strmap_reserve_ahead(m, 10), 0); /* takes the one before */
    put_keys(m, 120000, 130000);
    assert_int_equal(strmap_count(m), 130000 - 40000);
    for (uint32_t i = 0; i < 130000; i++) {
        if (i % 3 == 0 && i < 120000)
            assert_no_keys(m, i, i + 1);
        else
            assert_keys(m, i, i + 1);
    }
}

/* A map freed while its table is being made: the thread is waited for and
 * its memory freed (the sanitizer build reports a leak). */
static void test_strmap_free_while_reserving_ahead(void **state)
{
    (void)state;
    strmap *m = strmap_new();
    assert_non_null(m);
    put_keys(m, 0, 100);
    assert_int_equal(strmap_reserve_ahead(m, (size_t)1 << 22), 0);
    strmap_free(m);
}

/*
 * Sizes no table can have: -1, and the map is as before and usable. All
 * are refused before any allocation: past what size_t can count, or more
 * than 2^32 slots (a slot keeps 32 bits of the hash). A failing malloc is
 * the out-of-memory test's.
 */
static void test_strmap_reserve_of_absurd_sizes_fails_cleanly(void **state)
{
    strmap *m = *state;

    put_keys(m, 0, 1000);
    assert_int_equal(strmap_reserve(m, SIZE_MAX), -1);
    assert_int_equal(strmap_reserve(m, SIZE_MAX / 2), -1);
    assert_int_equal(strmap_reserve(m, SIZE_MAX / 24), -1);
    assert_int_equal(strmap_reserve_ahead(m, SIZE_MAX), -1);
    assert_int_equal(strmap_reserve_ahead(m, SIZE_MAX / 24), -1);
    assert_int_equal(strmap_reserve(m, (size_t)1 << 56), -1);
    assert_int_equal(strmap_reserve(m, (size_t)1 << 32), -1); /* 2^33 slots */
    assert_int_equal(strmap_reserve_ahead(m, (size_t)1 << 32), -1);
    assert_int_equal(strmap_count(m), 1000);
    assert_keys(m, 0, 1000);
    assert_no_keys(m, 1000, 1100);
    put_keys(m, 1000, 20000);
    assert_int_equal(strmap_del(m, "user7@example.com", 17), 1);
    assert_int_equal(strmap_count(m), 19999);
    assert_keys(m, 0, 7);
    assert_no_keys(m, 7, 8);
    assert_keys(m, 8, 20000);
}

/* Both prefetches of a hash: the slot, then the key's bytes. */
static void prefetch(const strmap *m, uint64_t h)
{
    strmap_prefetch(m, h);
    strmap_prefetch_key(m, h);
}

/*
 * Prefetching (the slot and the key), on an empty map and a full one, for
 * present, absent and extreme hashes, and the empty key: nothing changes.
 */
static void test_strmap_prefetch_changes_nothing(void **state)
{
    strmap *m = *state;
    enum { N = 5000 };
    char key[48];

    prefetch(m, 0);
    prefetch(m, UINT64_MAX);
    prefetch(m, strmap_hash("a", 1));
    prefetch(m, strmap_hash("", 0));
    assert_int_equal(strmap_count(m), 0);
    assert_true(lacks(m, "a", 1));
    assert_true(lacks(m, "", 0));
    put_keys(m, 0, N);
    assert_int_equal(strmap_put(m, "", 0, 9), 0);
    /* As a reader would: prefetch the key 8 ahead, then look up the current one. */
    for (uint32_t i = 0; i < 2 * N; i++) {
        prefetch(m, strmap_hash(key, key_of(key, i + 8)));
        size_t n = key_of(key, i);
        if (i < N)
            assert_true(has_hashed(m, key, n, i));
        else
            assert_true(lacks(m, key, n));
    }
    prefetch(m, 0);
    prefetch(m, UINT64_MAX);
    prefetch(m, strmap_hash("", 0));
    assert_int_equal(strmap_count(m), N + 1);
    assert_keys(m, 0, N);
    assert_true(has(m, "", 0, 9));
}

/* Deleting from a map that was reserved: the deleted keys go, the others stay. */
static void test_strmap_del_after_reserve(void **state)
{
    strmap *m = *state;
    enum { N = 20000 };
    char key[48];

    put_keys(m, 0, N / 2);
    assert_int_equal(strmap_reserve(m, (size_t)1 << 16), 0);
    put_keys(m, N / 2, N);
    for (uint32_t i = 0; i < N; i += 2) {
        size_t n = key_of(key, i);
        assert_int_equal(strmap_del(m, key, n), 1);
        assert_int_equal(strmap_del(m, key, n), 0);
    }
    assert_int_equal(strmap_count(m), N / 2);
    for (uint32_t i = 0; i < N; i++) {
        if (i % 2)
            assert_keys(m, i, i + 1);
        else
            assert_no_keys(m, i, i + 1);
    }
    put_keys(m, 0, N); /* the deleted keys come back, the others are replaced */
    assert_int_equal(strmap_count(m), N);
    assert_keys(m, 0, N);
}

/* ---- out of memory ---- */

/* Checks, in the child, that keys 0..ok-1 are intact; 0 when they are. */
static int check_keys(const strmap *m, uint32_t ok)
{
    char key[48];

    if (strmap_count(m) != ok)
        return 1;
    for (uint32_t i = 0; i < ok; i++) {
        if (!has(m, key, key_of(key, i), i))
            return 1;
    }
    return 0;
}

/*
 * Child process: caps the address space a little above what is mapped now,
 * then makes the key arena fail (a key bigger than the headroom) and the
 * table growth fail (filling the map until put fails). After each failure
 * the map must be intact and usable (get, replace, delete); finally the cap
 * is lifted and the map fills on. The exit status names the failed step.
 */
static int oom_child(void)
{
    /* Bigger than the heap's free memory plus the headroom, so no free
     * chunk and no new mapping can hold its copy. */
    size_t huge_len = mallinfo2().fordblks + HEADROOM + 16 * 1024 * 1024;
    long pages;
    char key[48];
    uint32_t ok = 0;
    strmap *m = strmap_new();
    char *huge = calloc(1, huge_len);
    FILE *f = fopen("/proc/self/statm", "r");

    if (m == NULL || huge == NULL)
        return 11;
    if (f == NULL || fscanf(f, "%ld", &pages) != 1)
        return 10;
    fclose(f);
    struct rlimit old, cap;
    if (getrlimit(RLIMIT_AS, &old) != 0)
        return 12;
    cap = old;
    cap.rlim_cur = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + HEADROOM;
    if (setrlimit(RLIMIT_AS, &cap) != 0)
        return 13;
    for (; ok < 1000; ok++) {
        if (strmap_put(m, key, key_of(key, ok), ok) != 0)
            return 22;
    }
    if (strmap_put(m, huge, huge_len, 1) != -1 || !lacks(m, huge, huge_len))
        return 23;
    if (check_keys(m, ok) != 0)
        return 24;
    while (ok < 50 * MILLION && strmap_put(m, key, key_of(key, ok), ok) == 0)
        ok++;
    if (ok == 50 * MILLION)
        return 14;
    if (check_keys(m, ok) != 0 || !lacks(m, key, key_of(key, ok)))
        return 15;
    if (strmap_put(m, key, key_of(key, 0), 77) != 0 || !has(m, key, key_of(key, 0), 77))
        return 16;
    if (strmap_put(m, key, key_of(key, 0), 0) != 0 || strmap_del(m, key, key_of(key, 1)) != 1)
        return 17;
    if (strmap_put(m, key, key_of(key, 1), 1) != 0)
        return 18;
    if (setrlimit(RLIMIT_AS, &old) != 0)
        return 19;
    uint32_t more = ok + 100000;
    for (; ok < more; ok++) {
        if (strmap_put(m, key, key_of(key, ok), ok) != 0)
            return 20;
    }
    if (check_keys(m, ok) != 0)
        return 21;
    strmap_free(m);
    free(huge);
    return 0;
}

static void test_strmap_out_of_memory_leaves_map_intact(void **state)
{
    int status;
    (void)state;
#ifdef UNDER_ASAN
    skip(); /* ASan reserves its shadow memory up front and dies on allocation failure */
#endif
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(oom_child());
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

#define MAP_TEST(f) cmocka_unit_test_setup_teardown(f, setup_map, teardown_map)

int main(void)
{
    const struct CMUnitTest tests[] = {
        MAP_TEST(test_strmap_new_map_is_empty),
        cmocka_unit_test(test_strmap_free_accepts_null),
        MAP_TEST(test_strmap_put_then_get),
        MAP_TEST(test_strmap_put_replaces_value),
        MAP_TEST(test_strmap_put_copies_the_key),
        MAP_TEST(test_strmap_del_removes_only_that_key),
        MAP_TEST(test_strmap_del_then_reinsert),
        MAP_TEST(test_strmap_empty_key_is_a_key),
        MAP_TEST(test_strmap_keys_with_nul_bytes_are_distinct),
        MAP_TEST(test_strmap_prefixes_are_distinct),
        MAP_TEST(test_strmap_long_keys),
        MAP_TEST(test_strmap_refuses_keys_over_4gib),
        MAP_TEST(test_strmap_holds_a_million_keys),
        MAP_TEST(test_strmap_get_after_many_deletes),
        MAP_TEST(test_strmap_agrees_with_an_array_under_random_operations),
        cmocka_unit_test(test_strmap_hash_depends_on_the_bytes_only),
        MAP_TEST(test_strmap_hashed_calls_agree_with_plain_ones),
        MAP_TEST(test_strmap_reserve_then_fill),
        MAP_TEST(test_strmap_reserve_below_count_is_a_no_op),
        MAP_TEST(test_strmap_reserve_moves_the_keys_in),
        cmocka_unit_test(test_strmap_reserve_sizes_the_table_up_front),
        cmocka_unit_test(test_strmap_reserve_ahead_makes_table_and_block),
        MAP_TEST(test_strmap_reserve_ahead_while_putting),
        cmocka_unit_test(test_strmap_free_while_reserving_ahead),
        MAP_TEST(test_strmap_reserve_of_absurd_sizes_fails_cleanly),
        MAP_TEST(test_strmap_prefetch_changes_nothing),
        MAP_TEST(test_strmap_del_after_reserve),
        cmocka_unit_test(test_strmap_out_of_memory_leaves_map_intact),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
