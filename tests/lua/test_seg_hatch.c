/*
 * test_seg_hatch.c — the Lua hatches of the seg language (SPEC §4): the
 * contact `c` a filter or score fn sees (c.field of every type, missing as
 * nil, c.age, c:events "type" oldest first), a filter runs only on the
 * contacts where selected, filter and score errors name the contact (also
 * for a non-string error) and carry a traceback when raised in a helper, seg.score { fn = ... } (nil -> missing, memoised
 * per evaluation), and a `c` kept past its evaluation is never a dangling
 * reference.
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

static const char contacts_csv[] =
    "id,region,income,x,vip,birth_date,last_contacted_at,tags\n"
    "h1,mazowieckie,5000,10.10,true,1990-06-15,2025-12-02T00:00:00Z,vip;new\n"
    "h2,pomorskie,,5000.00,false,2000-02-29,,\n"
    "h3,slaskie,4000,,,,,\n";

/* h1's purchases are imported out of order; two share a ts. */
static const char events_csv[] =
    "contact_id,ts,type,amount,category,channel\n"
    "h1,2025-03-01T00:00:00Z,purchase,2.50,b,web\n"
    "h1,2025-01-01T00:00:00Z,purchase,1.00,a,web\n"
    "h1,2025-03-01T00:00:00Z,purchase,3.00,c,shop\n"
    "h1,2025-02-01T00:00:00Z,login,,,web\n"
    "h2,2025-05-01T00:00:00Z,purchase,,,\n";

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_fixture *f = *state;
    assert_int_equal(segrt_field_declare(f->s, "x", SEGRT_T_NUMBER), SEGRT_OK);
    assert_int_equal(segrt_field_declare(f->s, "vip", SEGRT_T_BOOLEAN), SEGRT_OK);
    tu_seg_data(f, contacts_csv, events_csv, NULL);
    return 0;
}

/* check(cond, what): a filter error that says what was wrong. */
#define PRELUDE                                                                               \
    TU_SEG_PRELUDE                                                                           \
    "local function check(ok, what) if not ok then error('wrong ' .. what, 2) end end\n"

/* PRELUDE + body; segment name has exactly want. */
static void assert_script(segrt_store *s, const char *body, const char *name, const char *want)
{
    char code[8192];
    snprintf(code, sizeof code, "%s%s", PRELUDE, body);
    segrt_script *sc = tu_script(s, "hatch", code);
    tu_assert_members(s, sc, name, want);
    segrt_script_free(sc);
}

/* ------------------------------------------------------------ the contact c */

static void test_seg_hatch_contact_fields_have_lua_types(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_script(s,
                  "seg.segment 'h1' { where = F.region:eq 'mazowieckie', filter = function(c)\n"
                  "  check(c.id == 'h1', 'id')\n"
                  "  check(math.type(c.income) == 'integer' and c.income == 5000, 'income')\n"
                  "  check(c.x == 10.1, 'x')\n"
                  "  check(c.region == 'mazowieckie', 'region')\n"
                  "  check(c.vip == true, 'vip')\n"
                  "  check(c.birth_date == '1990-06-15', 'birth_date')\n"
                  "  check(c.last_contacted_at == '2025-12-02T00:00:00Z', 'last_contacted_at')\n"
                  "  check(type(c.tags) == 'table' and #c.tags == 2, 'tags')\n"
                  "  local t = {} for _, v in ipairs(c.tags) do t[v] = true end\n"
                  "  check(t.vip and t.new, 'tags values')\n"
                  "  check(math.type(c.age) == 'integer' and c.age == 35, 'age')\n"
                  "  return true end }\n",
                  "h1", "h1");
    assert_script(s,
                  "seg.segment 'h2' { where = F.region:eq 'pomorskie', filter = function(c)\n"
                  "  check(c.income == nil, 'income')\n"
                  "  check(c.x == 5000, 'x')\n"
                  "  check(c.vip == false, 'vip')\n"
                  "  check(c.age == 25, 'age')\n"
                  "  check(c.tags == nil and c.last_contacted_at == nil, 'missing')\n"
                  "  return true end }\n",
                  "h2", "h2");
}

static void test_seg_hatch_missing_fields_are_nil(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_script(s,
                  "seg.segment 'h3' { where = F.region:eq 'slaskie', filter = function(c)\n"
                  "  check(c.x == nil and c.vip == nil and c.birth_date == nil, 'scalars')\n"
                  "  check(c.age == nil, 'age')\n"
                  "  check(c.tags == nil and c.last_contacted_at == nil, 'set and time')\n"
                  "  return true end }\n",
                  "h3", "h3");
}

static void test_seg_hatch_unknown_field_and_writes_are_errors(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    tu_assert_script_error(s, "unknown",
                           PRELUDE
                           "seg.segment 'u' { filter = function(c) return c.regon end }\n",
                           "u", "unknown field 'regon'", "h1", NULL);
    tu_assert_script_error(s, "write",
                           PRELUDE
                           "seg.segment 'w' { filter = function(c)\n"
                           "  c.region = 'x' return true end }\n",
                           "w", "read-only", NULL);
}

static void test_seg_hatch_events_oldest_first(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_script(s,
                  "seg.segment 'ev' { filter = function(c)\n"
                  "  local cats, amounts, ts = {}, {}, {}\n"
                  "  for e in c:events 'purchase' do\n"
                  "    check(e.type == 'purchase', 'type')\n"
                  "    cats[#cats + 1] = tostring(e.category)\n"
                  "    amounts[#amounts + 1] = tostring(e.amount)\n"
                  "    ts[#ts + 1] = e.ts\n"
                  "  end\n"
                  "  local logins = 0\n"
                  "  for e in c:events 'login' do logins = logins + 1 end\n"
                  "  for e in c:events 'no_such_type' do error('an event of no_such_type') end\n"
                  "  if c.id == 'h1' then\n"
                  "    local order, sums = table.concat(cats, ','), table.concat(amounts, ',')\n"
                  "    check(order == 'a,b,c', 'order ' .. order)\n" /* a tie keeps file order */
                  "    check(sums == '1,2.5,3', 'amounts ' .. sums)\n"
                  "    check(ts[1] == '2025-01-01T00:00:00Z', 'ts 1')\n"
                  "    check(ts[3] == '2025-03-01T00:00:00Z', 'ts 3')\n"
                  "    check(logins == 1, 'logins')\n"
                  "  elseif c.id == 'h2' then\n"
                  "    check(amounts[1] == 'nil' and cats[1] == 'nil', 'no amount')\n"
                  "    check(logins == 0, 'no logins')\n"
                  "  else\n"
                  "    check(#cats == 0 and logins == 0, 'no events')\n"
                  "  end\n"
                  "  return true end }\n",
                  "ev", "h1 h2 h3");
}

/* ------------------------------------------------------------ filters */

static void test_seg_hatch_filter_keeps_truthy_results(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_script(s, "seg.segment 'f' { filter = function(c) return c.income end }\n", "f",
                  "h1 h3");
    assert_script(s, "seg.segment 'f' { filter = function(c) return c.id == 'h2' end }\n", "f",
                  "h2");
    assert_script(s, "seg.segment 'f' { filter = function(c) end }\n", "f", "");
    assert_script(s,
                  "seg.segment 'f' { where = F.income:present(), filter = function(c)\n"
                  "  return c.age and c.age > 30 end }\n",
                  "f", "h1");
}

static void test_seg_hatch_filter_runs_only_on_selected_contacts(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    /* probe's where evaluates 'selected' (and its filter) before probe's filter runs */
    static const char body[] =
        "local calls = 0\n"
        "seg.segment 'selected' { where = F.region:one_of{ 'mazowieckie', 'slaskie' },\n"
        "  filter = function(c)\n"
        "    if c.id == 'h2' then error('the filter ran on h2') end\n"
        "    calls = calls + 1\n"
        "    return c.id == 'h1' end }\n"
        "seg.segment 'probe' { where = seg.member 'selected' | seg.all{},\n"
        "  filter = function(c) return calls == 2 end }\n";
    char code[4096];
    snprintf(code, sizeof code, "%s%s", PRELUDE, body);
    segrt_script *sc = tu_script(s, "calls", code);
    tu_assert_members(s, sc, "probe", "h1 h2 h3");
    tu_assert_members(s, sc, "selected", "h1");
    segrt_script_free(sc);
}

static void test_seg_hatch_filter_error_names_the_contact(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "boom",
                                 PRELUDE
                                 "seg.segment 'f' { filter = function(c)\n"
                                 "  if c.id == 'h3' then error('boom') end\n"
                                 "  return true end }\n");
    tu_assert_eval_fails(s, sc, "f", SEGRT_ELUA, "h3");
    tu_assert_errmsg(s, "'f'");
    tu_assert_errmsg(s, "boom:5: boom");
    assert_null(strstr(segrt_errmsg(s), "stack traceback")); /* the line says it all */
    segrt_script_free(sc);
}

static void test_seg_hatch_filter_error_in_a_helper_has_a_traceback(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "deep",
                                 PRELUDE
                                 "local function helper(c) if c.id == 'h3' then error('deep') end end\n"
                                 "seg.segment 'f' { filter = function(c)\n"
                                 "  helper(c)\n"
                                 "  return true end }\n");
    tu_assert_eval_fails(s, sc, "f", SEGRT_ELUA, "h3");
    tu_assert_errmsg(s, "deep:4: deep\nstack traceback:\n");
    tu_assert_errmsg(s, "deep:4: in upvalue 'helper'");
    tu_assert_errmsg(s, "deep:6: in function <deep:5>");
    assert_null(strstr(segrt_errmsg(s), "[C]"));
    segrt_script_free(sc);
}

static void test_seg_hatch_filter_error_that_is_not_a_string(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "table_error",
                                 PRELUDE
                                 "seg.segment 'f' { where = F.region:eq 'slaskie',\n"
                                 "  filter = function(c) error({ code = 42 }) end }\n");
    tu_assert_eval_fails(s, sc, "f", SEGRT_ELUA, "h3");
    segrt_script_free(sc);
}

/* Evaluate name with the stack below the caller scribbled over first. */
static __attribute__((noinline)) int eval_over_scribbled_stack(segrt_script *sc,
                                                               const char *name)
{
    volatile unsigned char pad[1 << 16];
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = 0xff;
    segrt_set *m = NULL;
    int rc = segrt_segment_eval(sc, name, &m);
    segrt_set_free(m);
    return rc + pad[0] - 0xff;
}

/*
 * A filter may keep `c` in an upvalue; using it in a later evaluation must be
 * a clean script error or work, never a read of the finished evaluation's
 * state. Run in a child process (with its own store handle) so that a crash
 * or a sanitizer report fails this test only.
 */
static void test_seg_hatch_contact_kept_after_its_evaluation_is_safe(void **state)
{
    tu_fixture *f = *state;
    static const char code[] =
        PRELUDE
        "local saved\n"
        "seg.segment 'keep' { filter = function(c) saved = c return true end }\n"
        "seg.segment 'use' { filter = function(c) return saved.region == c.region end }\n";
    pid_t pid = tu_fork();
    if (pid == 0) {
        segrt_store *s = NULL;
        segrt_script *sc = NULL;
        segrt_set *m = NULL;
        if (segrt_store_open(f->store, 0, &s, NULL, 0) != SEGRT_OK)
            _exit(2);
        segrt_store_set_now(s, TU_NOW);
        int rc = segrt_script_load_string(s, "kept", code, strlen(code), &sc);
        if (rc == SEGRT_OK)
            rc = segrt_segment_eval(sc, "keep", &m);
        segrt_set_free(m);
        if (rc == SEGRT_OK)
            rc = eval_over_scribbled_stack(sc, "use");
        _exit(rc == SEGRT_OK || rc == SEGRT_ELUA ? 0 : 2);
    }
    int rc = tu_wait(pid, "using a kept contact");
    if (rc != 0)
        fail_msg("using a kept contact: exit status %d (a sanitizer report is above)", rc);
}

/* ------------------------------------------------------------ score fn */

static void test_seg_hatch_score_fn(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    static const char body[] =
        "seg.score 'k' { fn = function(c) return c.income and c.income / 1000 end }\n"
        "seg.segment 'high' { where = S.k:gt(4.5) }\n"
        "seg.segment 'none' { where = S.k:missing() }\n"
        "seg.segment 'exact' { where = S.k:eq(4) }\n"
        "seg.segment 'twice' { where = S.k:gt(1) & S.k:lt(4.5) }\n";
    char code[4096];
    snprintf(code, sizeof code, "%s%s", PRELUDE, body);
    segrt_script *sc = tu_script(s, "score", code);
    tu_assert_members(s, sc, "high", "h1");
    tu_assert_members(s, sc, "none", "h2"); /* fn returned nil */
    tu_assert_members(s, sc, "exact", "h3");
    tu_assert_members(s, sc, "twice", "h3");
    segrt_script_free(sc);
}

static void test_seg_hatch_score_fn_runs_once_per_contact_and_evaluation(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    /* fn returns 1, 2, 3 in the first evaluation, 4, 5, 6 in the next */
    static const char body[] =
        "local calls = 0\n"
        "seg.score 'n' { fn = function(c) calls = calls + 1 return calls end }\n"
        "seg.segment 'first' { where = S.n:ge(1) & S.n:le(3) }\n";
    char code[4096];
    snprintf(code, sizeof code, "%s%s", PRELUDE, body);
    segrt_script *sc = tu_script(s, "memo", code);
    tu_assert_members(s, sc, "first", "h1 h2 h3");
    tu_assert_members(s, sc, "first", "");
    segrt_script_free(sc);
}

static void test_seg_hatch_score_fn_error_names_the_contact(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "bad_score",
                                 PRELUDE
                                 "seg.score 'k' { fn = function(c)\n"
                                 "  if c.id == 'h2' then error('no score for you') end\n"
                                 "  return 1 end }\n"
                                 "seg.score 'str' { fn = function(c) return 'many' end }\n"
                                 "seg.segment 'a' { where = S.k:eq(1) }\n"
                                 "seg.segment 'b' { where = S.str:eq(1) }\n");
    tu_assert_eval_fails(s, sc, "a", SEGRT_ELUA, "h2");
    tu_assert_errmsg(s, "no score for you");
    tu_assert_errmsg(s, "'k'");
    tu_assert_eval_fails(s, sc, "b", SEGRT_ELUA, "number or nil");
    segrt_script_free(sc);
}

static void test_seg_hatch_score_fn_never_sees_erased_contacts(void **state)
{
    (void)state;
    void *own = NULL;
    assert_int_equal(tu_setup_store(&own), 0);
    tu_fixture *f = own;
    tu_seg_data(f, "id,region\nz1,a\nz2,b\nz3,c\n", NULL, NULL);
    assert_int_equal(segrt_contact_erase(f->s, "z2", "test"), SEGRT_OK);
    segrt_script *sc = tu_script(f->s, "erased",
                                 TU_SEG_PRELUDE
                                 "seg.score 'k' { fn = function(c)\n"
                                 "  if c.id == 'z2' then error('saw z2') end return 1 end }\n"
                                 "seg.segment 'scored' { where = S.k:eq(1) }\n");
    tu_assert_members(f->s, sc, "scored", "z1 z3");
    segrt_script_free(sc);
    tu_teardown_store(&own);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seg_hatch_contact_fields_have_lua_types),
        cmocka_unit_test(test_seg_hatch_missing_fields_are_nil),
        cmocka_unit_test(test_seg_hatch_unknown_field_and_writes_are_errors),
        cmocka_unit_test(test_seg_hatch_events_oldest_first),
        cmocka_unit_test(test_seg_hatch_filter_keeps_truthy_results),
        cmocka_unit_test(test_seg_hatch_filter_runs_only_on_selected_contacts),
        cmocka_unit_test(test_seg_hatch_filter_error_names_the_contact),
        cmocka_unit_test(test_seg_hatch_filter_error_in_a_helper_has_a_traceback),
        cmocka_unit_test(test_seg_hatch_filter_error_that_is_not_a_string),
        cmocka_unit_test(test_seg_hatch_contact_kept_after_its_evaluation_is_safe),
        cmocka_unit_test(test_seg_hatch_score_fn),
        cmocka_unit_test(test_seg_hatch_score_fn_runs_once_per_contact_and_evaluation),
        cmocka_unit_test(test_seg_hatch_score_fn_error_names_the_contact),
        cmocka_unit_test(test_seg_hatch_score_fn_never_sees_erased_contacts),
    };
    return cmocka_run_group_tests(tests, setup, tu_teardown_store);
}
