/*
 * test_seg_consent.c — segments with a purpose (SPEC §2 consent records,
 * §5 defaults): the record in force at NOW is a grant, not expired, of an
 * accepted basis; future-dated records do not count yet; ties go to the
 * most protective record. seg.consent changes bases and max_age and adds
 * check(c, rec), which runs only on contacts that pass the rest; a filter
 * runs only on contacts that pass consent.
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
    "id,region\n"
    "k1,north\nk2,north\nk3,north\nk4,north\nk5,south\nk6,north\nk7,north\nk8,north\n"
    "k9,south\nk10,north\nk11,north\nk12,north\nk13,north\nk14,north\nk15,south\n";

/* Passing by default: k1 k5 k7 k9 k10 k14 k15. */
static const char consents_csv[] =
    "contact_id,purpose,status,legal_basis,ts,expires_at,source\n"
    "k1,email_marketing,granted,consent,2025-01-01T00:00:00Z,,web\n"
    "k2,email_marketing,granted,consent,2025-01-01T00:00:00Z,,web\n"
    "k2,email_marketing,withdrawn,consent,2025-06-01T00:00:00Z,,web\n"   /* withdrawn later */
    "k3,email_marketing,granted,consent,2025-01-01T00:00:00Z,2025-12-31T23:59:59Z,web\n"
    "k4,email_marketing,granted,consent,2025-01-01T00:00:00Z,2026-01-01T00:00:00Z,web\n"
    "k5,email_marketing,granted,consent,2025-01-01T00:00:00Z,2026-01-01T00:00:01Z,web\n"
    "k6,email_marketing,granted,consent,2026-01-01T00:00:01Z,,web\n"     /* future-dated */
    "k7,email_marketing,granted,consent,2025-01-01T00:00:00Z,,web\n"
    "k7,email_marketing,withdrawn,consent,2026-02-01T00:00:00Z,,web\n"   /* not yet */
    "k8,email_marketing,granted,contract,2025-01-01T00:00:00Z,,web\n"    /* basis */
    "k9,email_marketing,granted,legitimate_interest,2025-01-01T00:00:00Z,,web\n"
    "k10,email_marketing,granted,consent,2023-06-01T00:00:00Z,,web\n"    /* old */
    "k11,email_marketing,granted,consent,2025-03-01T00:00:00Z,,web\n"
    "k11,email_marketing,denied,consent,2025-03-01T00:00:00Z,,web\n"     /* tie: denied wins */
    "k12,sms,granted,consent,2025-01-01T00:00:00Z,,web\n"
    "k14,email_marketing,denied,consent,2024-01-01T00:00:00Z,,web\n"
    "k14,email_marketing,granted,consent,2025-01-01T00:00:00Z,,web\n"
    "k15,email_marketing,granted,consent,2026-01-01T00:00:00Z,,web\n";   /* at NOW */

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_seg_data(*state, contacts_csv, NULL, consents_csv);
    return 0;
}

/* A script of TU_SEG_PRELUDE + body; segment name has exactly want. */
static void assert_script(segrt_store *s, const char *body, const char *name, const char *want)
{
    char code[4096];
    snprintf(code, sizeof code, "%s%s", TU_SEG_PRELUDE, body);
    segrt_script *sc = tu_script(s, "consent", code);
    tu_assert_members(s, sc, name, want);
    segrt_script_free(sc);
}

static void test_seg_consent_default_check_of_a_purpose(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_script(s, "seg.segment 'm' { purpose = 'email_marketing' }\n", "m",
                  "k1 k10 k14 k15 k5 k7 k9");
    assert_script(s,
                  "seg.segment 'm' { where = F.region:eq 'north',"
                  " purpose = 'email_marketing' }\n",
                  "m", "k1 k10 k14 k7");
    assert_script(s, "seg.segment 'm' { purpose = 'sms' }\n", "m", "k12");
    assert_script(s, "seg.segment 'm' { purpose = 'newsletter' }\n", "m", "");
}

static void test_seg_consent_bases_override(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_script(s,
                  "seg.consent 'email_marketing' { bases = { 'contract' } }\n"
                  "seg.segment 'm' { purpose = 'email_marketing' }\n",
                  "m", "k8");
    assert_script(s,
                  "seg.consent 'email_marketing' { bases = { 'consent' } }\n"
                  "seg.segment 'm' { purpose = 'email_marketing' }\n",
                  "m", "k1 k10 k14 k15 k5 k7");
    /* another purpose's definition changes nothing here */
    assert_script(s,
                  "seg.consent 'sms' { bases = { 'contract' } }\n"
                  "seg.segment 'm' { purpose = 'email_marketing' }\n",
                  "m", "k1 k10 k14 k15 k5 k7 k9");
}

static void test_seg_consent_max_age_makes_older_consent_stale(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    /* NOW - 365 days is 2025-01-01T00:00:00Z: a grant of that instant is still fresh */
    assert_script(s,
                  "seg.consent 'email_marketing' { max_age = days(365) }\n"
                  "seg.segment 'm' { purpose = 'email_marketing' }\n",
                  "m", "k1 k14 k15 k5 k7 k9");
    assert_script(s,
                  "seg.consent 'email_marketing' { max_age = hours(365 * 24 - 1) }\n"
                  "seg.segment 'm' { purpose = 'email_marketing' }\n",
                  "m", "k15");
}

static void test_seg_consent_check_adds_rules(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_script(s,
                  "seg.consent 'email_marketing' { check = function(c, rec)\n"
                  "  return c.region == 'north' and rec.legal_basis == 'consent' end }\n"
                  "seg.segment 'm' { purpose = 'email_marketing' }\n",
                  "m", "k1 k10 k14 k7");
}

static void test_seg_consent_check_sees_the_record_in_force_of_passing_contacts(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_script(s,
                  "local passing = { k1 = 1, k5 = 1, k7 = 1, k9 = 1, k10 = 1, k14 = 1, k15 = 1 }\n"
                  "seg.consent 'email_marketing' { check = function(c, rec)\n"
                  "  if not passing[c.id] then error('check ran on ' .. c.id) end\n"
                  "  assert(rec.purpose == 'email_marketing' and rec.status == 'granted')\n"
                  "  if c.id == 'k5' then\n"
                  "    assert(rec.ts == '2025-01-01T00:00:00Z', rec.ts)\n"
                  "    assert(rec.expires_at == '2026-01-01T00:00:01Z', rec.expires_at)\n"
                  "    assert(rec.legal_basis == 'consent')\n"
                  "  elseif c.id == 'k7' then\n"
                  "    assert(rec.expires_at == nil and rec.ts == '2025-01-01T00:00:00Z')\n"
                  "  elseif c.id == 'k9' then\n"
                  "    assert(rec.legal_basis == 'legitimate_interest')\n"
                  "  end\n"
                  "  return true end }\n"
                  "seg.segment 'm' { purpose = 'email_marketing' }\n",
                  "m", "k1 k10 k14 k15 k5 k7 k9");
}

static void test_seg_consent_check_error_names_the_contact(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "bad_check",
                                 TU_SEG_PRELUDE
                                 "seg.consent 'email_marketing' { check = function(c, rec)\n"
                                 "  if c.id == 'k9' then error('no LI here') end\n"
                                 "  return true end }\n"
                                 "seg.segment 'm' { purpose = 'email_marketing' }\n");
    tu_assert_eval_fails(s, sc, "m", SEGRT_ELUA, "k9");
    tu_assert_errmsg(s, "no LI here");
    tu_assert_errmsg(s, "email_marketing");
    segrt_script_free(sc);
}

static void test_seg_consent_unknown_basis_is_an_error(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    tu_assert_script_error(s, "bad_basis",
                           TU_SEG_PRELUDE
                           "seg.consent 'email_marketing' { bases = { 'consnet' } }\n"
                           "seg.segment 'm' { purpose = 'email_marketing' }\n",
                           "m", "consnet", "bad_basis:3:", NULL);
}

/* A script's seg.consent holds for that script only. */
static void test_seg_consent_definition_is_per_script(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *a = tu_script(s, "a",
                                TU_SEG_PRELUDE
                                "seg.consent 'email_marketing' { bases = { 'contract' } }\n"
                                "seg.segment 'm' { purpose = 'email_marketing' }\n");
    segrt_script *b = tu_script(s, "b",
                                TU_SEG_PRELUDE "seg.segment 'm' { purpose = 'email_marketing' }\n");
    tu_assert_members(s, a, "m", "k8");
    tu_assert_members(s, b, "m", "k1 k10 k14 k15 k5 k7 k9");
    segrt_script_free(a);
    segrt_script_free(b);
}

static void test_seg_consent_filter_runs_only_on_contacts_that_pass(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_script(s,
                  "local passing = { k1 = 1, k7 = 1, k10 = 1, k14 = 1 }\n"
                  "seg.segment 'm' { where = F.region:eq 'north', purpose = 'email_marketing',\n"
                  "  filter = function(c)\n"
                  "    if not passing[c.id] then error('filter ran on ' .. c.id) end\n"
                  "    return c.id ~= 'k7' end }\n",
                  "m", "k1 k10 k14");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seg_consent_default_check_of_a_purpose),
        cmocka_unit_test(test_seg_consent_bases_override),
        cmocka_unit_test(test_seg_consent_max_age_makes_older_consent_stale),
        cmocka_unit_test(test_seg_consent_check_adds_rules),
        cmocka_unit_test(test_seg_consent_check_sees_the_record_in_force_of_passing_contacts),
        cmocka_unit_test(test_seg_consent_check_error_names_the_contact),
        cmocka_unit_test(test_seg_consent_unknown_basis_is_an_error),
        cmocka_unit_test(test_seg_consent_definition_is_per_script),
        cmocka_unit_test(test_seg_consent_filter_runs_only_on_contacts_that_pass),
    };
    return cmocka_run_group_tests(tests, setup, tu_teardown_store);
}
