/*
 * test_contact.c — one contact through the public API: the export (SPEC §3)
 * with its fields, timeline and consent history flagged in force at the
 * store's NOW; the readable card; erasure (GDPR Art. 17) that leaves only an
 * audit entry without personal data; and a re-import after erasure.
 *
 * Uses: cmocka, segrt.h, jansson (exports), test_util.h.
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

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define NOW INT64_C(1748736000) /* 2025-06-01T00:00:00Z */
#define ID "cust-7781"          /* the contact the tests look at; ordinal 1 */
#define OTHER "c-0001"          /* shares a city with ID; ordinal 0 */

static const char contacts_csv[] =
    "id,email,first_name,last_name,city,birth_date,income,tags,lat\n"
    OTHER ",ion@ex.ro,Ion,Ionescu,Iasi,1980-05-05,3000,sport,47.15\n"
    ID ",ana.pop@example.ro,Ana,Popescu,Iasi,1990-06-15,4500,vip;coffee,47.1585\n";

static const char events_jsonl[] =
    "{\"contact_id\":\"" ID "\",\"ts\":\"2025-05-01T10:00:00Z\",\"type\":\"purchase\","
    "\"amount\":10.10,\"category\":\"coffee_beans\",\"channel\":\"web\",\"event_id\":\"o-1\","
    "\"device\":\"ios\"}\n"
    "{\"contact_id\":\"" ID "\",\"ts\":\"2025-04-01T10:00:00Z\",\"type\":\"visit\","
    "\"channel\":\"store\"}\n"
    "{\"contact_id\":\"" OTHER "\",\"ts\":\"2025-04-02T10:00:00Z\",\"type\":\"visit\"}\n";

/* ID's history: in force at NOW are records 1 (a withdrawal), 2 (an expired grant) and 4. */
static const char consents_csv[] =
    "contact_id,purpose,status,legal_basis,ts,expires_at,source\n"
    ID ",email_marketing,granted,consent,2025-01-01T00:00:00Z,,web\n"
    ID ",email_marketing,withdrawn,consent,2025-03-01T00:00:00Z,,call_center\n"
    ID ",sms,granted,legitimate_interest,2024-01-01T00:00:00Z,2025-05-01T00:00:00Z,web\n"
    ID ",sms,granted,consent,2026-01-01T00:00:00Z,,web\n"
    ID ",profiling,granted,consent,2025-02-01T00:00:00Z,2026-02-01T00:00:00Z,\n"
    OTHER ",email_marketing,granted,consent,2025-01-01T00:00:00Z,,web\n";

/* ------------------------------------------------------------ fixture and helpers */

static void import_all(tu_fixture *f)
{
    tu_rejects r = { 0 };
    tu_import_text(f, SEGRT_CONTACTS, "contacts.csv", contacts_csv, &r);
    tu_import_text(f, SEGRT_EVENTS, "events.jsonl", events_jsonl, &r);
    tu_import_text(f, SEGRT_CONSENTS, "consents.csv", consents_csv, &r);
    if (r.n)
        fail_msg("%zu rows rejected; the first, line %llu: %s", r.n,
                 (unsigned long long)r.line[0], r.reason[0]);
}

static int setup(void **state)
{
    int rc = tu_setup_store(state);
    if (rc == 0) {
        tu_fixture *f = *state;
        segrt_store_set_now(f->s, NOW);
        import_all(f);
    }
    return rc;
}

#define CONTACT_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, tu_teardown_store)

static const char *str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        fail_msg("\"%s\" is not a string", key);
    return json_string_value(v);
}

/* The in_force flags of the exported consents as a string of 0 and 1. */
static const char *in_force_flags(segrt_store *s, const char *id, char out[16])
{
    json_t *obj = tu_export(s, id), *c;
    size_t i;
    out[0] = '\0';
    json_array_foreach(json_object_get(obj, "consents"), i, c) {
        json_t *flag = json_object_get(c, "in_force");
        assert_true(json_is_boolean(flag));
        if (i < 15) {
            out[i] = json_is_true(flag) ? '1' : '0';
            out[i + 1] = '\0';
        }
    }
    json_decref(obj);
    return out;
}

/* The line of text holding needle, copied into out; fails when there is none. */
static const char *line_with(const char *text, const char *needle, char out[256])
{
    const char *at = strstr(text, needle);
    if (at == NULL)
        fail_msg("no \"%s\" in the card:\n%s", needle, text);
    const char *start = at, *end = strchr(at, '\n');
    while (start > text && start[-1] != '\n')
        start--;
    size_t n = (size_t)((end ? end : at + strlen(at)) - start);
    snprintf(out, 256, "%.*s", (int)n, start);
    return out;
}

static void assert_contains(const char *text, const char *needle)
{
    if (strstr(text, needle) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", text, needle);
}

typedef struct audit_log {
    size_t n;
    segrt_audit_entry e[8];
    char actor[8][64], action[8][32], detail[8][160];
} audit_log;

static int on_audit(void *ud, const segrt_audit_entry *e)
{
    audit_log *log = ud;
    if (log->n < 8) {
        size_t i = log->n;
        log->e[i] = *e;
        snprintf(log->actor[i], sizeof log->actor[i], "%s", e->actor);
        snprintf(log->action[i], sizeof log->action[i], "%s", e->action);
        snprintf(log->detail[i], sizeof log->detail[i], "%s", e->detail);
    }
    log->n++;
    return 0;
}

static audit_log audit_of(segrt_store *s)
{
    audit_log log = { 0 };
    assert_int_equal(segrt_audit_foreach(s, 0, on_audit, &log), SEGRT_OK);
    return log;
}

/* ------------------------------------------------------------ export */

static void test_contact_export_has_the_fields(void **state)
{
    tu_fixture *f = *state;
    json_t *obj = tu_export(f->s, ID);
    assert_int_equal(json_object_size(obj), 4);
    assert_true(json_is_array(json_object_get(obj, "segments")));
    assert_int_equal(json_array_size(json_object_get(obj, "segments")), 0);
    json_t *c = json_object_get(obj, "contact");
    assert_string_equal(str(c, "id"), ID);
    assert_string_equal(str(c, "email"), "ana.pop@example.ro");
    assert_string_equal(str(c, "first_name"), "Ana");
    assert_string_equal(str(c, "last_name"), "Popescu");
    assert_string_equal(str(c, "city"), "Iasi");
    assert_string_equal(str(c, "birth_date"), "1990-06-15");
    assert_true(json_is_integer(json_object_get(c, "income")));
    assert_int_equal(json_integer_value(json_object_get(c, "income")), 4500);
    assert_true(json_real_value(json_object_get(c, "lat")) == 47.1585);
    json_t *tags = json_object_get(c, "tags");
    assert_int_equal(json_array_size(tags), 2);
    assert_string_equal(json_string_value(json_array_get(tags, 0)), "vip");
    assert_string_equal(json_string_value(json_array_get(tags, 1)), "coffee");
    assert_int_equal(json_object_size(c), 9);
    json_decref(obj);
}

static void test_contact_export_has_the_timeline_oldest_first(void **state)
{
    tu_fixture *f = *state;
    json_t *obj = tu_export(f->s, ID);
    json_t *evs = json_object_get(obj, "events");
    assert_int_equal(json_array_size(evs), 2);
    json_t *visit = json_array_get(evs, 0), *buy = json_array_get(evs, 1);
    assert_string_equal(str(visit, "type"), "visit");
    assert_string_equal(str(visit, "ts"), "2025-04-01T10:00:00Z");
    assert_string_equal(str(visit, "channel"), "store");
    assert_null(json_object_get(visit, "amount"));
    assert_null(json_object_get(visit, "category"));
    assert_string_equal(str(buy, "type"), "purchase");
    assert_true(json_real_value(json_object_get(buy, "amount")) == 10.1);
    assert_string_equal(str(buy, "category"), "coffee_beans");
    assert_string_equal(str(buy, "event_id"), "o-1");
    assert_string_equal(str(buy, "device"), "ios");
    json_decref(obj);
}

static void test_contact_export_has_the_consent_history_with_in_force_flags(void **state)
{
    tu_fixture *f = *state;
    json_t *obj = tu_export(f->s, ID);
    json_t *cs = json_object_get(obj, "consents");
    assert_int_equal(json_array_size(cs), 5); /* the full history, in import order */
    json_t *withdrawn = json_array_get(cs, 1), *sms = json_array_get(cs, 2);
    assert_string_equal(str(withdrawn, "purpose"), "email_marketing");
    assert_string_equal(str(withdrawn, "status"), "withdrawn");
    assert_string_equal(str(withdrawn, "legal_basis"), "consent");
    assert_string_equal(str(withdrawn, "ts"), "2025-03-01T00:00:00Z");
    assert_true(json_is_null(json_object_get(withdrawn, "expires_at")));
    assert_string_equal(str(withdrawn, "source"), "call_center");
    assert_string_equal(str(sms, "legal_basis"), "legitimate_interest");
    assert_string_equal(str(sms, "expires_at"), "2025-05-01T00:00:00Z");
    assert_true(json_is_null(json_object_get(json_array_get(cs, 4), "source")));
    json_decref(obj);
    char flags[16];
    assert_string_equal(in_force_flags(f->s, ID, flags), "01101");
    assert_string_equal(in_force_flags(f->s, OTHER, flags), "1");
}

static void test_contact_export_in_force_follows_the_stores_now(void **state)
{
    tu_fixture *f = *state;
    char flags[16];
    segrt_store_set_now(f->s, INT64_C(1780272000)); /* 2026-06-01: the future grant is due */
    assert_string_equal(in_force_flags(f->s, ID, flags), "01011");
    segrt_store_set_now(f->s, INT64_C(1717200000)); /* 2024-06-01: only the 2024 grant */
    assert_string_equal(in_force_flags(f->s, ID, flags), "00100");
    segrt_store_set_now(f->s, INT64_C(1740787200)); /* 2025-03-01: the withdrawal's own ts */
    assert_string_equal(in_force_flags(f->s, ID, flags), "01101");
}

static void test_contact_export_appends_an_audit_entry(void **state)
{
    tu_fixture *f = *state;
    char *json = NULL;
    int64_t before = (int64_t)time(NULL);
    assert_int_equal(segrt_contact_export(f->s, ID, "dpo", &json), SEGRT_OK);
    assert_non_null(json);
    segrt_free(json);
    assert_int_equal(segrt_contact_export(f->s, OTHER, NULL, &json), SEGRT_OK);
    segrt_free(json);
    audit_log log = audit_of(f->s);
    assert_int_equal(log.n, 2);
    assert_int_equal(tu_stats(f->s).audit, 2);
    assert_string_equal(log.action[0], "export");
    assert_string_equal(log.actor[0], "dpo");
    assert_int_equal(log.e[0].ordinal, 1);
    assert_int_equal(log.e[0].seq, 1);
    assert_true(log.e[0].ts >= before && log.e[0].ts <= (int64_t)time(NULL));
    assert_int_equal(log.e[1].ordinal, 0);
    assert_string_equal(log.actor[1], "unknown");
    json = (char *)&json; /* not NULL: a failed export must clear it */
    assert_int_equal(segrt_contact_export(f->s, "nobody", "dpo", &json), SEGRT_ENOTFOUND);
    assert_null(json);
    assert_int_equal(audit_of(f->s).n, 2);
}

/* ------------------------------------------------------------ card */

static void test_contact_card_shows_fields_consent_in_force_and_events(void **state)
{
    tu_fixture *f = *state;
    char *text = NULL, line[256];
    assert_int_equal(segrt_contact_card(f->s, ID, &text), SEGRT_OK);
    assert_non_null(text);
    assert_contains(text, "Contact " ID "\n");
    assert_contains(line_with(text, "first_name", line), "Ana");
    assert_contains(line_with(text, "birth_date", line), "1990-06-15  (age 34)");
    assert_contains(line_with(text, "tags", line), "vip;coffee");
    assert_contains(text, "Consent in force at 2025-06-01T00:00:00Z\n");
    line_with(text, "email_marketing", line);
    assert_contains(line, "withdrawn");
    assert_contains(line, "since 2025-03-01T00:00:00Z");
    line_with(text, "  sms ", line);
    assert_contains(line, "granted");
    assert_contains(line, "legitimate_interest");
    assert_contains(line, ", expired 2025-05-01T00:00:00Z");
    assert_contains(line_with(text, "  profiling ", line), ", expires 2026-02-01T00:00:00Z");
    assert_contains(text, "history: 5 records\n");
    assert_contains(text, "Recent events (2 of 2, newest first)\n");
    const char *buy = strstr(text, "purchase"), *visit = strstr(text, "2025-04-01T10:00:00Z");
    assert_true(buy != NULL && visit != NULL && buy < visit);
    assert_contains(line_with(text, "purchase", line), "10.1");
    assert_contains(text, "(member of no stored segment)");
    segrt_free(text);
    text = (char *)&text;
    assert_int_equal(segrt_contact_card(f->s, "nobody", &text), SEGRT_ENOTFOUND);
    assert_null(text);
}

/* ------------------------------------------------------------ erase */

static void test_contact_erase_removes_everything_of_the_contact(void **state)
{
    tu_fixture *f = *state;
    tu_assert_counts(f->s, 2, 3, 6);
    assert_int_equal(segrt_contact_erase(f->s, ID, "dpo"), SEGRT_OK);
    tu_assert_counts(f->s, 1, 1, 1);
    char *text = (char *)&text;
    assert_int_equal(segrt_contact_export(f->s, ID, "dpo", &text), SEGRT_ENOTFOUND);
    assert_null(text);
    text = (char *)&text;
    assert_int_equal(segrt_contact_card(f->s, ID, &text), SEGRT_ENOTFOUND);
    assert_null(text);
    assert_int_equal(segrt_contact_erase(f->s, ID, "dpo"), SEGRT_ENOTFOUND);
    tu_assert_check_ok(f->s);
    tu_counts types = { "" }, cities = { "" };
    assert_int_equal(segrt_event_types_foreach(f->s, tu_append_count, &types), SEGRT_OK);
    assert_string_equal(types.text, "visit=1 ");
    assert_int_equal(segrt_field_values_foreach(f->s, "city", tu_append_count, &cities), SEGRT_OK);
    assert_string_equal(cities.text, "Iasi=1 ");
    /* The other contact keeps its values, including the strings it shared. */
    char city[64];
    assert_string_equal(tu_contact_str(f->s, OTHER, "city", city, sizeof city), "Iasi");
    json_t *tags = tu_contact_field(f->s, OTHER, "tags");
    assert_int_equal(json_array_size(tags), 1);
    assert_string_equal(json_string_value(json_array_get(tags, 0)), "sport");
    json_decref(tags);
    segrt_store_close(f->s); /* and it stays erased */
    tu_open(f, SEGRT_OPEN_READONLY);
    tu_assert_counts(f->s, 1, 1, 1);
    assert_int_equal(segrt_contact_card(f->s, ID, &text), SEGRT_ENOTFOUND);
    tu_assert_check_ok(f->s);
}

static void test_contact_erase_leaves_an_audit_entry_without_personal_data(void **state)
{
    tu_fixture *f = *state;
    char *json;
    assert_int_equal(segrt_contact_export(f->s, ID, "dpo", &json), SEGRT_OK);
    segrt_free(json);
    assert_int_equal(segrt_contact_erase(f->s, ID, "dpo"), SEGRT_OK);
    audit_log log = audit_of(f->s);
    assert_int_equal(log.n, 2);
    assert_int_equal(tu_stats(f->s).audit, 2);
    assert_string_equal(log.action[0], "export");
    assert_string_equal(log.action[1], "erase");
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(log.e[i].ordinal, 1);
        assert_int_equal(log.e[i].seq, i + 1);
        assert_string_equal(log.actor[i], "dpo");
    }
    assert_contains(log.detail[1], "2 events");
    assert_contains(log.detail[1], "5 consent records");
    static const char *const personal[] = { ID, "7781", "ana.pop", "example.ro", "Ana",
                                            "Popescu", "1990-06-15", "4500", "coffee" };
    for (size_t i = 0; i < 2; i++) {
        const char *parts[3] = { log.actor[i], log.action[i], log.detail[i] };
        for (size_t p = 0; p < 3; p++) {
            for (size_t k = 0; k < ARRAY_LEN(personal); k++) {
                if (strstr(parts[p], personal[k]))
                    fail_msg("audit entry %zu holds \"%s\": \"%s\"", i + 1, personal[k],
                             parts[p]);
            }
        }
    }
}

static void test_contact_erase_of_an_unknown_id_is_not_found(void **state)
{
    tu_fixture *f = *state;
    static const char *const unknown[] = { "nobody", "", "CUST-7781", "cust-7781 " };
    for (size_t i = 0; i < ARRAY_LEN(unknown); i++) {
        if (segrt_contact_erase(f->s, unknown[i], "dpo") != SEGRT_ENOTFOUND)
            fail_msg("erasing \"%s\" did not fail with SEGRT_ENOTFOUND", unknown[i]);
    }
    tu_assert_counts(f->s, 2, 3, 6);
    assert_int_equal(audit_of(f->s).n, 0);
    tu_assert_check_ok(f->s);
}

static void test_contact_reimport_after_erase_brings_the_contact_back(void **state)
{
    tu_fixture *f = *state;
    json_t *before = tu_export(f->s, ID);
    assert_int_equal(segrt_contact_erase(f->s, ID, "dpo"), SEGRT_OK);
    import_all(f); /* no rejects: the erased contact's e-mail is free again */
    tu_assert_counts(f->s, 2, 3, 6);
    json_t *after = tu_export(f->s, ID);
    if (!json_equal(before, after)) {
        char *a = json_dumps(before, JSON_COMPACT), *b = json_dumps(after, JSON_COMPACT);
        fail_msg("before erasure: %s\nafter re-import: %s", a, b);
    }
    json_decref(before);
    json_decref(after);
    audit_log log = audit_of(f->s);
    assert_int_equal(log.n, 3); /* export, erase, export */
    assert_int_equal(log.e[2].ordinal, 2); /* a new ordinal: the old one is not reused */
    char flags[16];
    assert_string_equal(in_force_flags(f->s, ID, flags), "01101");
    tu_assert_check_ok(f->s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CONTACT_TEST(test_contact_export_has_the_fields),
        CONTACT_TEST(test_contact_export_has_the_timeline_oldest_first),
        CONTACT_TEST(test_contact_export_has_the_consent_history_with_in_force_flags),
        CONTACT_TEST(test_contact_export_in_force_follows_the_stores_now),
        CONTACT_TEST(test_contact_export_appends_an_audit_entry),
        CONTACT_TEST(test_contact_card_shows_fields_consent_in_force_and_events),
        CONTACT_TEST(test_contact_erase_removes_everything_of_the_contact),
        CONTACT_TEST(test_contact_erase_leaves_an_audit_entry_without_personal_data),
        CONTACT_TEST(test_contact_erase_of_an_unknown_id_is_not_found),
        CONTACT_TEST(test_contact_reimport_after_erase_brings_the_contact_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
