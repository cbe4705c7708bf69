/*
 * test_plan_eval_packed.c — comparisons of numeric fields scanned in place
 * over packed chunks (core/store/column_ints.h, plan_eval.c): every operator
 * against constants at and around each chunk's edges, its step and beyond,
 * equals a brute-force evaluation of the generated values. The contacts span
 * two chunks: the first packed in 2 bytes (a step of 10, a negative base),
 * the second in 1 (a step of 1); a timestamp field packs in 4 bytes; every
 * seventh contact has no values. A string field's codes fit a byte in the
 * first chunk only, so :eq of a larger code must find nobody there.
 *
 * Uses: cmocka, segrt.h, test_util.h, value.h (VALUE_MISSING).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "segrt.h"
#include "test_util.h"
#include "util/value.h"

#define N (65536 + 700)
#define T0 INT64_C(1700000000) /* the timestamps' first second */

static int64_t v[N], t[N]; /* VALUE_MISSING when the contact has none */

/* String s: "v0".."v254" in the first chunk (codes below 256: stored a byte each), then "v255".."v299". */
static unsigned str_of(uint32_t i)
{
    return i < 65536 ? i % 255 : 255 + i % 45;
}

/* t as the CSVs and seg.time write it. */
static void iso(int64_t secs, char out[24])
{
    time_t tt = (time_t)secs;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void generate(void)
{
    srand(7);
    for (uint32_t i = 0; i < N; i++) {
        int missing = i % 7 == 3;
        v[i] = missing ? VALUE_MISSING
               : i < 65536 ? -20000 + 10 * (int64_t)(rand() % 4000)
                           : -5 + (int64_t)(rand() % 200);
        t[i] = missing ? VALUE_MISSING : T0 + (int64_t)rand() % (3 * 365 * 86400);
    }
}

static char *contacts_csv(void)
{
    size_t cap = (size_t)N * 48 + 64, used = 0;
    char *csv = malloc(cap);
    assert_non_null(csv);
    used += (size_t)snprintf(csv, cap, "id,v,t,s\n");
    for (uint32_t i = 0; i < N; i++) {
        char vs[24] = "", ts[24] = "";
        if (v[i] != VALUE_MISSING)
            snprintf(vs, sizeof vs, "%lld", (long long)v[i]);
        if (t[i] != VALUE_MISSING)
            iso(t[i], ts);
        used += (size_t)snprintf(csv + used, cap - used, "c%u,%s,%s,v%u\n", i, vs, ts, str_of(i));
    }
    return csv;
}

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_fixture *f = *state;
    generate();
    assert_int_equal(segrt_field_declare(f->s, "v", SEGRT_T_INTEGER), SEGRT_OK);
    assert_int_equal(segrt_field_declare(f->s, "t", SEGRT_T_TIMESTAMP), SEGRT_OK);
    char *csv = contacts_csv();
    tu_seg_data(f, csv, NULL, NULL);
    free(csv);
    return 0;
}

typedef struct members {
    unsigned char in[N];
    size_t n;
} members;

static int note(void *ud, const char *id)
{
    members *m = ud;
    unsigned long i = strtoul(id + 1, NULL, 10);
    assert_true(i < N);
    m->in[i] = 1;
    m->n++;
    return 0;
}

enum op { EQ, NE, LT, LE, GT, GE, BETWEEN, PRESENT, MISSING_OP };
static const char *const ops[] = { "eq", "ne", "lt", "le", "gt", "ge", "between", "present",
                                   "missing" };

static int holds(enum op op, int64_t x, int64_t a, int64_t b)
{
    if (op == MISSING_OP)
        return x == VALUE_MISSING;
    if (x == VALUE_MISSING)
        return 0;
    switch (op) {
    case EQ: return x == a;
    case NE: return x != a;
    case LT: return x < a;
    case LE: return x <= a;
    case GT: return x > a;
    case GE: return x >= a;
    case BETWEEN: return x >= a && x <= b;
    default: return 1;
    }
}

/* F.<field>:<op>(<a>[, <b>]) evaluated by segrt equals the scan of vals. */
static void check(segrt_store *s, const char *field, const int64_t *vals, enum op op,
                  const char *a_text, int64_t a, int64_t b, const char *b_text)
{
    char where[256];
    if (op == PRESENT || op == MISSING_OP)
        snprintf(where, sizeof where, "F.%s:%s()", field, ops[op]);
    else if (op == BETWEEN)
        snprintf(where, sizeof where, "F.%s:between(%s, %s)", field, a_text, b_text);
    else
        snprintf(where, sizeof where, "F.%s:%s(%s)", field, ops[op], a_text);
    char code[512];
    snprintf(code, sizeof code, TU_SEG_PRELUDE "seg.segment 't' { where = %s }\n", where);
    segrt_script *sc = tu_script(s, "packed", code);
    static members m;
    memset(&m, 0, sizeof m);
    segrt_set *set = NULL;
    int rc = segrt_segment_eval(sc, "t", &set);
    if (rc == SEGRT_OK)
        rc = segrt_set_ids_foreach(s, set, note, &m);
    segrt_set_free(set);
    segrt_script_free(sc);
    if (rc != SEGRT_OK)
        fail_msg("%s: %s: %s", where, segrt_errname(rc), segrt_errmsg(s));
    for (uint32_t i = 0; i < N; i++) {
        if (m.in[i] != holds(op, vals[i], a, b))
            fail_msg("%s: contact c%u (value %lld) is %sa member", where, i, (long long)vals[i],
                     m.in[i] ? "" : "not ");
    }
}

static void test_plan_eval_packed_integer_comparisons_equal_a_scan(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    /* around both chunks' edges, on and off the first chunk's step, beyond all */
    const int64_t k[] = { -1000000, -20011, -20010, -20001, -20000, -19999, -19990, -6, -5, -4,
                          0,        1,      5,      10,     194,    195,    196,    19980,
                          19981,    19990,  19991,  20000,  1000000 };
    size_t nk = sizeof k / sizeof *k;
    for (size_t i = 0; i < nk; i++) {
        char text[24];
        snprintf(text, sizeof text, "%lld", (long long)k[i]);
        for (enum op op = EQ; op <= GE; op++)
            check(s, "v", v, op, text, k[i], 0, NULL);
        for (size_t j = i; j < nk; j += 3) {
            char hi[24];
            snprintf(hi, sizeof hi, "%lld", (long long)k[j]);
            check(s, "v", v, BETWEEN, text, k[i], k[j], hi);
        }
    }
    check(s, "v", v, BETWEEN, "10", 10, 5, "5"); /* an empty range */
    check(s, "v", v, PRESENT, NULL, 0, 0, NULL);
    check(s, "v", v, MISSING_OP, NULL, 0, 0, NULL);
}

static void test_plan_eval_packed_timestamp_comparisons_equal_a_scan(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    const int64_t k[] = { T0 - 1, T0, T0 + 1, T0 + 400 * 86400 + 17, T0 + 3 * 365 * 86400 - 1,
                          T0 + 3 * 365 * 86400 };
    for (size_t i = 0; i < sizeof k / sizeof *k; i++) {
        char when[24], text[64];
        iso(k[i], when);
        snprintf(text, sizeof text, "seg.time '%s'", when);
        for (enum op op = EQ; op <= GE; op++)
            check(s, "t", t, op, text, k[i], 0, NULL);
    }
    check(s, "t", t, BETWEEN, "seg.time '2023-11-14T22:13:20Z'", T0, T0 + 86400 * 30,
          "seg.time '2023-12-14T22:13:20Z'");
    check(s, "t", t, MISSING_OP, NULL, 0, 0, NULL);
}

/* :eq of a string whose code does not fit a byte finds nobody in a chunk of byte codes. */
static void test_plan_eval_packed_string_code_beyond_a_byte(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    const unsigned want[] = { 299, 44, 255, 0 };
    for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
        char code[256];
        snprintf(code, sizeof code, TU_SEG_PRELUDE "seg.segment 't' { where = F.s:eq 'v%u' }\n",
                 want[k]);
        segrt_script *sc = tu_script(s, "codes", code);
        static members m;
        memset(&m, 0, sizeof m);
        segrt_set *set = NULL;
        assert_int_equal(segrt_segment_eval(sc, "t", &set), SEGRT_OK);
        assert_int_equal(segrt_set_ids_foreach(s, set, note, &m), SEGRT_OK);
        segrt_set_free(set);
        segrt_script_free(sc);
        for (uint32_t i = 0; i < N; i++) {
            if (m.in[i] != (str_of(i) == want[k]))
                fail_msg("s = 'v%u': contact c%u (v%u) is %sa member", want[k], i, str_of(i),
                         m.in[i] ? "" : "not ");
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_eval_packed_integer_comparisons_equal_a_scan),
        cmocka_unit_test(test_plan_eval_packed_timestamp_comparisons_equal_a_scan),
        cmocka_unit_test(test_plan_eval_packed_string_code_beyond_a_byte),
    };
    return cmocka_run_group_tests(tests, setup, tu_teardown_store);
}
