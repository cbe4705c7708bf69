/*
 * test_mapping.c — import mappings (segrt_mapping_*): a CSV row through a
 * sandboxed Lua function. What it returns is imported (nested tables and
 * lists too); nil, a non-table, a bad value or a Lua error rejects the row
 * with a reason at the CSV line; the instruction and memory limits stop a
 * runaway row and the next row runs afresh; a file that does not load or
 * does not return a function is refused with its file:line; the libraries
 * outside the sandbox are not there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "segrt.h"
#include "test_util.h"

/* Import text (CSV) as kind through the mapping in code; the report, rejects in r. */
static segrt_import_report import_mapped(tu_fixture *f, segrt_kind kind, const char *code,
                                         const char *csv, tu_rejects *r)
{
    char path[TU_PATH_MAX];
    segrt_mapping *m = NULL;
    tu_write(path, f->dir, "map.lua", code);
    if (segrt_mapping_load(f->s, path, &m) != SEGRT_OK)
        fail_msg("load: %s", segrt_errmsg(f->s));
    segrt_import_opts o = { .on_reject = tu_on_reject, .ud = r };
    segrt_mapping_use(m, &o);
    segrt_import_report rep;
    *r = (tu_rejects){ 0 };
    int rc = segrt_import_buffer(f->s, kind, "rows.csv", csv, strlen(csv), 0, &o, &rep);
    if (rc != SEGRT_OK)
        fail_msg("import: %s: %s", segrt_errname(rc), segrt_errmsg(f->s));
    segrt_mapping_free(m);
    return rep;
}

static void test_mapping_rows_become_what_the_function_returns(void **state)
{
    tu_fixture *f = *state;
    tu_rejects r;
    segrt_import_report rep = import_mapped(f, SEGRT_CONTACTS,
        "return function(row)\n"
        "  local first, last = row.Name:match('^(%S+)%s+(.*)$')\n"
        "  local tags = {}\n"
        "  for t in (row.Tags or ''):gmatch('[^|]+') do tags[#tags + 1] = t end\n"
        "  return { id = 'x' .. row.No, first_name = first, last_name = last, tags = tags,\n"
        "           income = tonumber(row.Income), vip = row.Tags ~= nil }\n"
        "end\n",
        "No,Name,Tags,Income\n1,Ana Maria Pop,a|b,1200\n2,Jan Nowak,,\n", &r);
    assert_int_equal(rep.accepted, 2);
    assert_int_equal(r.n, 0);
    json_t *e = tu_export(f->s, "x1");
    json_t *c = json_object_get(e, "contact");
    assert_string_equal(json_string_value(json_object_get(c, "first_name")), "Ana");
    assert_string_equal(json_string_value(json_object_get(c, "last_name")), "Maria Pop");
    assert_int_equal(json_array_size(json_object_get(c, "tags")), 2);
    assert_int_equal(json_integer_value(json_object_get(c, "income")), 1200);
    assert_true(json_is_true(json_object_get(c, "vip")));
    json_decref(e);
    e = tu_export(f->s, "x2");
    c = json_object_get(e, "contact");
    assert_null(json_object_get(c, "income")); /* a blank cell is nil in the row */
    assert_true(json_is_false(json_object_get(c, "vip")));
    json_decref(e);
}

static void test_mapping_rejects_rows_it_cannot_read(void **state)
{
    tu_fixture *f = *state;
    tu_rejects r;
    segrt_import_report rep = import_mapped(f, SEGRT_CONTACTS,
        "return function(row)\n"
        "  if row.k == 'nil' then return nil end\n"
        "  if row.k == 'str' then return 'x' end\n"
        "  if row.k == 'list' then return { 'a', 'b' } end\n"
        "  if row.k == 'fn' then return { id = 'f', x = print } end\n"
        "  if row.k == 'key' then return { id = 'k', [3] = 1, y = 2 } end\n"
        "  if row.k == 'err' then error('no such thing') end\n"
        "  if row.k == 'os' then return { id = os.getenv('HOME') } end\n"
        "  if row.k == 'utf8' then return { id = 'u', first_name = '\\xff' } end\n"
        "  return { id = row.k }\n"
        "end\n",
        "k\nnil\nstr\nlist\nfn\nkey\nerr\nos\nutf8\nok\n", &r);
    assert_int_equal(rep.rows, 9);
    assert_int_equal(rep.accepted, 1);
    assert_int_equal(r.n, 8);
    tu_assert_reason(&r, 0, "skipped by the mapping");
    assert_int_equal(r.line[0], 2);
    tu_assert_reason(&r, 1, "returned a string, not a table");
    tu_assert_reason(&r, 2, "returned a list, not a table");
    tu_assert_reason(&r, 3, "holds a function");
    tu_assert_reason(&r, 4, "has a number key");
    tu_assert_reason(&r, 5, "map.lua:7: no such thing");
    assert_int_equal(r.line[5], 7);
    tu_assert_reason(&r, 6, "undefined global 'os'");
    tu_assert_reason(&r, 7, "not UTF-8");
}

static void test_mapping_limits_stop_a_row_and_the_next_runs(void **state)
{
    tu_fixture *f = *state;
    segrt_limits l = { .memory_bytes = 8u << 20, .instructions = 200000, .milliseconds = 5000 };
    segrt_store_set_limits(f->s, &l);
    tu_rejects r;
    segrt_import_report rep = import_mapped(f, SEGRT_CONTACTS,
        "return function(row)\n"
        "  if row.k == 'loop' then while true do end end\n"
        "  if row.k == 'big' then local s = string.rep('x', 64 * 1024 * 1024) end\n"
        "  return { id = row.k }\n"
        "end\n",
        "k\nloop\nbig\nok\n", &r);
    assert_int_equal(rep.accepted, 1);
    assert_int_equal(r.n, 2);
    tu_assert_reason(&r, 0, "instructions");
    tu_assert_reason(&r, 1, "memory");
}

static void test_mapping_files_that_do_not_load_are_refused(void **state)
{
    tu_fixture *f = *state;
    char path[TU_PATH_MAX];
    segrt_mapping *m = (segrt_mapping *)&m;
    assert_int_equal(segrt_mapping_load(f->s, tu_write(path, f->dir, "syntax.lua",
                                                       "return function(row)\n  return {\nend\n"),
                                        &m), SEGRT_ELUA);
    assert_null(m);
    assert_non_null(strstr(segrt_errmsg(f->s), "syntax.lua:3:"));
    assert_int_equal(segrt_mapping_load(f->s, tu_write(path, f->dir, "table.lua", "return {}\n"),
                                        &m), SEGRT_ELUA);
    assert_non_null(strstr(segrt_errmsg(f->s), "returns a table"));
    assert_int_equal(segrt_mapping_load(f->s, tu_path(path, f->dir, "none.lua"), &m), SEGRT_ELUA);
    assert_non_null(strstr(segrt_errmsg(f->s), "none.lua"));
    assert_int_equal(segrt_mapping_load(f->s, tu_write(path, f->dir, "io.lua",
                                                       "io.write('x')\nreturn print\n"),
                                        &m), SEGRT_ELUA);
    assert_non_null(strstr(segrt_errmsg(f->s), "undefined global 'io'"));
    assert_int_equal(segrt_mapping_load(f->s, NULL, &m), SEGRT_EINVAL);
    assert_int_equal(segrt_mapping_load(NULL, path, &m), SEGRT_EINVAL);
    segrt_mapping_free(NULL);
    segrt_mapping_use(NULL, NULL);
    /* a JSON lines file is not mapped: it is refused, not read unmapped */
    tu_write(path, f->dir, "ok.lua", "return function(row) return row end\n");
    assert_int_equal(segrt_mapping_load(f->s, path, &m), SEGRT_OK);
    segrt_import_opts o = { 0 };
    segrt_mapping_use(m, &o);
    const char *line = "{\"id\":\"j\"}\n";
    assert_int_equal(segrt_import_buffer(f->s, SEGRT_CONTACTS, "x.jsonl", line, strlen(line), 1,
                                         &o, NULL), SEGRT_EINVAL);
    assert_non_null(strstr(segrt_errmsg(f->s), "a mapping reads CSV rows"));
    o.id_from = "email";
    char msg[256];
    assert_int_equal(segrt_import_check_opts(&o, msg, sizeof msg), SEGRT_EINVAL);
    assert_non_null(strstr(msg, "--id-from does not combine with --mapping"));
    segrt_mapping_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mapping_rows_become_what_the_function_returns,
                                        tu_setup_store, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_mapping_rejects_rows_it_cannot_read, tu_setup_store,
                                        tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_mapping_limits_stop_a_row_and_the_next_runs,
                                        tu_setup_store, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_mapping_files_that_do_not_load_are_refused,
                                        tu_setup_store, tu_teardown_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
