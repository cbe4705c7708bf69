/*
 * test_plan_split.c — unit tests of the A/B split hash (plan_split.c):
 * XXH64 of name ":" id with seed 0 and its bucket modulo 100, checked
 * against values computed independently, by the pure-Python XXH64 of
 * tests/oracle/xxh64.py, over inputs that take every path of the hash
 * (short tails, 4- and 8-byte lanes, 32-byte stripes, UTF-8 bytes).
 *
 * Uses: cmocka, plan/plan_split.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "plan/plan_split.h"

typedef struct known {
    const char *name, *id;
    uint64_t hash; /* python3 tests/oracle/xxh64.py NAME:ID */
    uint32_t bucket;
} known;

static const known cases[] = {
    { "exp", "c0000002", 0x66e0880a6e780ef8u, 24 },
    { "a", "", 0x4d4cb7ea43ee4504u, 8 },
    { "long_experiment_name", "contact-with-a-long-id-0000000001", 0xa032d969469e636cu, 92 },
    { "promo", "zo\xc3\xab@example.com", 0xed489697b913551eu, 94 },
    { "x", "12345678901", 0x56acb863156acde2u, 74 },
};

static void test_plan_split_hash_is_xxh64_of_name_colon_id(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const known *k = &cases[i];
        uint64_t h = plan_split_hash(k->name, strlen(k->name), k->id, strlen(k->id));
        if (h != k->hash)
            fail_msg("%s:%s hashes to %016llx, expected %016llx", k->name, k->id,
                     (unsigned long long)h, (unsigned long long)k->hash);
        assert_int_equal(plan_split_bucket(k->name, strlen(k->name), k->id, strlen(k->id)),
                         k->bucket);
        assert_int_equal(k->hash % PLAN_SPLIT_BUCKETS, k->bucket);
    }
}

static void test_plan_split_bucket_depends_on_the_name_and_every_byte(void **state)
{
    (void)state;
    /* lengths, not C strings: an id with a NUL byte and one cut before it differ */
    assert_int_not_equal(plan_split_hash("exp", 3, "c1\0x", 4), plan_split_hash("exp", 3, "c1", 2));
    assert_int_not_equal(plan_split_hash("exp", 3, "c1", 2), plan_split_hash("exq", 3, "c1", 2));
    /* "ab" ":" "c" and "a" ":" "bc" are different bytes */
    assert_int_not_equal(plan_split_hash("ab", 2, "c", 1), plan_split_hash("a", 1, "bc", 2));
    /* buckets cover 0..99 and are roughly uniform over many ids */
    unsigned count[PLAN_SPLIT_BUCKETS] = { 0 };
    char id[32];
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(id, sizeof id, "c%07d", i);
        uint32_t b = plan_split_bucket("exp", 3, id, (size_t)n);
        assert_true(b < PLAN_SPLIT_BUCKETS);
        count[b]++;
    }
    for (int b = 0; b < PLAN_SPLIT_BUCKETS; b++) {
        if (count[b] < 850 || count[b] > 1150) /* 1000 expected, sd ~31 */
            fail_msg("bucket %d holds %u of 100000 ids", b, count[b]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_split_hash_is_xxh64_of_name_colon_id),
        cmocka_unit_test(test_plan_split_bucket_depends_on_the_name_and_every_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
