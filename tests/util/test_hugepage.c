/*
 * test_hugepage.c — unit tests of util/hugepage.h: large blocks are ordinary
 * memory whatever the kernel does with the advice (written and read back
 * whole, calloc'd ones zero), and small and NULL blocks are left alone.
 * Whether the kernel really backs a block with huge pages depends on the
 * machine (THP mode, fragmentation), so the benchmarks measure that (page
 * faults), not this test.
 *
 * Uses: cmocka, util/hugepage.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/hugepage.h"

static void test_hugepage_large_blocks_hold_what_is_written(void **state)
{
    (void)state;
    size_t n = 3 * HUGEPAGE_SIZE + 12345; /* not a multiple: an unaligned tail */
    unsigned char *p = hugepage_malloc(n);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 7);
    for (size_t i = 0; i < n; i += 4093)
        assert_int_equal(p[i], (unsigned char)(i * 7));
    assert_int_equal(p[n - 1], (unsigned char)((n - 1) * 7));
    free(p);
}

static void test_hugepage_calloc_gives_zeroed_blocks(void **state)
{
    (void)state;
    size_t count = HUGEPAGE_MIN_BLOCK / sizeof(uint32_t) + 1;
    uint32_t *p = hugepage_calloc(count, sizeof *p);
    assert_non_null(p);
    for (size_t i = 0; i < count; i++) {
        if (p[i] != 0)
            fail_msg("word %zu is %u, not 0", i, p[i]);
    }
    p[count - 1] = 1;
    free(p);
    uint32_t *small = hugepage_calloc(3, sizeof *small);
    assert_non_null(small);
    assert_int_equal(small[0] | small[1] | small[2], 0);
    free(small);
}

static void test_hugepage_small_and_null_blocks_are_left_alone(void **state)
{
    (void)state;
    hugepage_advise(NULL, HUGEPAGE_MIN_BLOCK * 2); /* no block: nothing to do */
    char buf[64];
    hugepage_advise(buf, sizeof buf);             /* too small: not even a system call */
    char *p = hugepage_malloc(100);
    assert_non_null(p);
    memset(p, 'x', 100);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hugepage_large_blocks_hold_what_is_written),
        cmocka_unit_test(test_hugepage_calloc_gives_zeroed_blocks),
        cmocka_unit_test(test_hugepage_small_and_null_blocks_are_left_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
