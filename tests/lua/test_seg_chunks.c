/*
 * test_seg_chunks.c — segments over a store whose columns span two chunks
 * (core/store/column.h: 65 536 contacts each) and whose contact count is not a
 * multiple of 64: values, string sets, events, ~ and erasure right at the
 * chunk boundary and at the last contact.
 *
 * Uses: cmocka, segrt.h, test_util.h.
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

#define N 65601 /* ordinals 0 .. 65600: chunk 1 holds 65536 .. 65600 */

/* Contact iNNNNN has v = NNNNN; tags 'k' every 1000th, 'edge' at 65535, 65536 and the last. */
static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_fixture *f = *state;
    char path[TU_PATH_MAX];
    FILE *out = fopen(tu_path(path, f->dir, "many.csv"), "w");
    assert_non_null(out);
    fprintf(out, "id,v,region,tags\n");
    for (int i = 0; i < N; i++) {
        const char *edge = i == 65535 || i == 65536 || i == N - 1 ? "edge" : "";
        fprintf(out, "i%05d,%d,%s,%s%s%s\n", i, i, i % 2 ? "odd" : "even", i % 1000 ? "" : "k",
                i % 1000 == 0 && *edge ? ";" : "", edge);
    }
    assert_int_equal(fclose(out), 0);
    assert_int_equal(segrt_field_declare(f->s, "v", SEGRT_T_INTEGER), SEGRT_OK);
    tu_import(f->s, SEGRT_CONTACTS, path, NULL);
    tu_seg_data(f, NULL,
                "contact_id,ts,type,amount\n"
                "i65535,2025-12-01T00:00:00Z,purchase,1.00\n"
                "i65536,2025-12-01T00:00:00Z,purchase,2.00\n"
                "i65600,2025-12-01T00:00:00Z,purchase,3.00\n",
                NULL);
    return 0;
}

/* Members of `where` counted, and the exact ids when want is not NULL. */
static void assert_where_count(segrt_store *s, const char *where, uint64_t count, const char *want)
{
    char code[1024];
    snprintf(code, sizeof code, TU_SEG_PRELUDE "seg.segment 't' { where = %s }\n", where);
    segrt_script *sc = tu_script(s, "chunks", code);
    segrt_set *m = NULL;
    int rc = segrt_segment_eval(sc, "t", &m);
    segrt_script_free(sc);
    if (rc != SEGRT_OK)
        fail_msg("where %s: %s: %s", where, segrt_errname(rc), segrt_errmsg(s));
    uint64_t got = segrt_set_count(m);
    segrt_set_free(m);
    if (got != count)
        fail_msg("where %s: %llu members, expected %llu", where, (unsigned long long)got,
                 (unsigned long long)count);
    if (want)
        tu_assert_where(s, where, want);
}

static void test_seg_chunks_values_across_the_boundary(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_where_count(s, "F.v:between(65534, 65537)", 4, "i65534 i65535 i65536 i65537");
    assert_where_count(s, "F.v:ge(65536)", N - 65536, NULL);
    assert_where_count(s, "~F.v:lt(65600)", 1, "i65600");
    assert_where_count(s, "F.v:present()", N, NULL);
    assert_where_count(s, "seg.all{}", N, NULL);
    assert_where_count(s, "~seg.all{}", 0, "");
    assert_where_count(s, "F.region:eq 'odd'", N / 2, NULL);
    assert_where_count(s, "F.region:eq 'even' & F.v:ge(65535)", 33, NULL);
}

static void test_seg_chunks_sets_across_the_boundary(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_where_count(s, "F.tags:contains 'edge'", 3, "i65535 i65536 i65600");
    assert_where_count(s, "F.tags:contains 'k'", 66, NULL);
    assert_where_count(s, "F.tags:contains 'k' & F.v:ge(65000)", 1, "i65000");
    assert_where_count(s, "F.tags:present()", 69, NULL);
    assert_where_count(s, "F.tags:missing()", N - 69, NULL);
    assert_where_count(s, "~F.tags:contains 'k'", N - 66, NULL);
}

static void test_seg_chunks_events_and_ntile_across_the_boundary(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_where_count(s, "E.purchase:exists()", 3, "i65535 i65536 i65600");
    assert_where_count(s, "E.purchase:sum 'amount' :ge(2)", 2, "i65536 i65600");
    assert_where_count(s, "E.purchase:none()", N - 3, NULL);
    assert_where_count(s, "seg.ntile(F.v, 2, { desc = true }):eq(1)", (N + 1) / 2, NULL);
    assert_where_count(s, "seg.ntile(F.v, 65601):eq(65601)", 1, "i65600");
}

/* Runs last: it erases contacts from the shared store. */
static void test_seg_chunks_erased_at_the_boundary_and_at_the_end(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_int_equal(segrt_contact_erase(s, "i65536", "test"), SEGRT_OK);
    assert_int_equal(segrt_contact_erase(s, "i65600", "test"), SEGRT_OK);
    assert_where_count(s, "seg.all{}", N - 2, NULL);
    assert_where_count(s, "~F.v:lt(65535)", 64, NULL);
    assert_where_count(s, "F.tags:contains 'edge'", 1, "i65535");
    assert_where_count(s, "F.tags:missing()", N - 69, NULL);
    assert_where_count(s, "E.purchase:exists()", 1, "i65535");
    assert_where_count(s, "E.purchase:none()", N - 3, NULL);
    assert_where_count(s, "F.v:ge(65535)", 64, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seg_chunks_values_across_the_boundary),
        cmocka_unit_test(test_seg_chunks_sets_across_the_boundary),
        cmocka_unit_test(test_seg_chunks_events_and_ntile_across_the_boundary),
        cmocka_unit_test(test_seg_chunks_erased_at_the_boundary_and_at_the_end),
    };
    return cmocka_run_group_tests(tests, setup, tu_teardown_store);
}
