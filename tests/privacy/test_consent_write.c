/*
 * test_consent_write.c — consent changes one at a time through the public
 * API: segrt_consent_append() (a record at NOW, audited in the same
 * transaction, validated, idempotent, counters kept so segrt_store_check()
 * passes, map growth), segrt_consent_history_foreach() (recorded order, in-force
 * flags at NOW), segrt_consent_report_foreach() (per purpose, records in force by
 * status and basis, expired, stale, expiring) and segrt_retention() (dry run
 * lists, a real run erases with one audited erasure each).
 *
 * Uses: cmocka, segrt.h, test_util.h; store.h for the map size only.
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
#include "store/store.h"
#include "map_util.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define NOW INT64_C(1767225600) /* 2026-01-01T00:00:00Z */
#define NEVER INT64_MIN

static const char contacts_csv[] =
    "id,email,first_name,last_name,created_at\n"
    "p-1,paula.weiss@example.com,Paula,Weiss,2019-01-01T00:00:00Z\n"   /* ordinal 0 */
    "p-2,quentin.roy@example.com,Quentin,Roy,2019-01-01T00:00:00Z\n"   /* ordinal 1 */
    "p-3,rosa.klein@example.com,Rosa,Klein,2025-12-01T00:00:00Z\n"     /* ordinal 2 */
    "p-4,sven.ek@example.com,Sven,Ek,\n";                              /* ordinal 3 */

static const char events_csv[] =
    "contact_id,ts,type\n"
    "p-1,2025-12-20T00:00:00Z,visit\n"
    "p-2,2021-01-01T00:00:00Z,visit\n";

static const char consents_csv[] =
    "contact_id,purpose,status,legal_basis,ts,expires_at,source\n"
    "p-1,email,granted,consent,2024-01-01T00:00:00Z,,web\n"              /* stale at NOW */
    "p-1,sms,granted,contract,2025-06-01T00:00:00Z,2026-01-15T00:00:00Z,shop\n" /* expiring */
    "p-2,email,granted,consent,2022-01-01T00:00:00Z,2025-01-01T00:00:00Z,web\n" /* expired */
    "p-2,sms,denied,,2022-01-01T00:00:00Z,,shop\n";

static int setup(void **state)
{
    int rc = tu_setup_store(state);
    if (rc != 0)
        return rc;
    tu_fixture *f = *state;
    tu_rejects r = { 0 };
    segrt_store_set_now(f->s, NOW);
    tu_import_text(f, SEGRT_CONTACTS, "contacts.csv", contacts_csv, &r);
    tu_import_text(f, SEGRT_EVENTS, "events.csv", events_csv, &r);
    tu_import_text(f, SEGRT_CONSENTS, "consents.csv", consents_csv, &r);
    if (r.n)
        fail_msg("%zu rows rejected; the first, line %llu: %s", r.n,
                 (unsigned long long)r.line[0], r.reason[0]);
    return 0;
}

#define CW_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, tu_teardown_store)

/* ------------------------------------------------------------ helpers */

/* A history as "purpose status basis ts expires source in_force;" items. */
typedef struct hist {
    size_t n;
    char text[2048];
} hist;

static int on_record(void *ud, const segrt_consent_record *r)
{
    hist *h = ud;
    size_t used = strlen(h->text);
    snprintf(h->text + used, sizeof h->text - used, "%s %s %s %lld %s %s %d;", r->purpose,
             r->status, r->basis ? r->basis : "-", (long long)r->ts,
             r->expires == NEVER ? "never" : "exp", r->source ? r->source : "-", r->in_force);
    h->n++;
    return 0;
}

static hist history_of(segrt_store *s, const char *id)
{
    hist h = { 0 };
    int rc = segrt_consent_history_foreach(s, id, on_record, &h);
    if (rc != SEGRT_OK)
        fail_msg("history of %s: %s: %s", id, segrt_errname(rc), segrt_errmsg(s));
    return h;
}

typedef struct audit_log {
    size_t n;
    char line[16][256];
} audit_log;

static int on_audit(void *ud, const segrt_audit_entry *e)
{
    audit_log *log = ud;
    if (log->n < 16)
        snprintf(log->line[log->n], sizeof log->line[log->n], "%s|%s|%u|%s", e->actor,
                 e->action, e->ordinal, e->detail);
    log->n++;
    return 0;
}

static audit_log audit_of(segrt_store *s)
{
    audit_log log = { 0 };
    assert_int_equal(segrt_audit_foreach(s, INT64_MIN, on_audit, &log), SEGRT_OK);
    return log;
}

static void assert_msg_contains(segrt_store *s, const char *needle)
{
    if (strstr(segrt_errmsg(s), needle) == NULL)
        fail_msg("the message \"%s\" does not contain \"%s\"", segrt_errmsg(s), needle);
}

/* ------------------------------------------------------------ append and history */

static void test_consent_write_append_is_kept_in_the_history_at_now(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(segrt_consent_append(f->s, "p-3", "email", "granted", "consent",
                                          NOW + 90 * DAY, "form", "dpo"),
                     SEGRT_OK);
    segrt_store_set_now(f->s, NOW + DAY);
    assert_int_equal(segrt_consent_append(f->s, "p-3", "email", "withdrawn", NULL, NEVER, NULL,
                                          "dpo"),
                     SEGRT_OK);
    hist h = history_of(f->s, "p-3");
    assert_int_equal(h.n, 2);
    assert_string_equal(h.text, "email granted consent 1767225600 exp form 0;"
                                "email withdrawn consent 1767312000 never - 1;");
    segrt_store_set_now(f->s, NOW);
    h = history_of(f->s, "p-3");
    assert_string_equal(h.text, "email granted consent 1767225600 exp form 1;"
                                "email withdrawn consent 1767312000 never - 0;");
    tu_assert_counts(f->s, 4, 2, 6);
    tu_assert_check_ok(f->s);
}

static void test_consent_write_history_follows_the_tie_rule(void **state)
{
    tu_fixture *f = *state;
    /* A withdrawal and a grant in the same second: the withdrawal stays in force. */
    assert_int_equal(segrt_consent_append(f->s, "p-3", "sms", "withdrawn", NULL, NEVER, NULL, "a"),
                     SEGRT_OK);
    assert_int_equal(segrt_consent_append(f->s, "p-3", "sms", "granted", NULL, NEVER, NULL, "a"),
                     SEGRT_OK);
    hist h = history_of(f->s, "p-3");
    assert_string_equal(h.text, "sms withdrawn consent 1767225600 never - 1;"
                                "sms granted consent 1767225600 never - 0;");
}

static void test_consent_write_history_of_imported_records(void **state)
{
    tu_fixture *f = *state;
    hist h = history_of(f->s, "p-2");
    assert_string_equal(h.text, "email granted consent 1640995200 exp web 1;"
                                "sms denied - 1640995200 never shop 1;");
    h = history_of(f->s, "p-4");
    assert_int_equal(h.n, 0);
}

static int stop_at_first(void *ud, const segrt_consent_record *r)
{
    (void)r;
    (*(int *)ud)++;
    return 7;
}

static void test_consent_write_history_stops_when_the_callback_says(void **state)
{
    tu_fixture *f = *state;
    int calls = 0;
    assert_int_equal(segrt_consent_history_foreach(f->s, "p-1", stop_at_first, &calls), 7);
    assert_int_equal(calls, 1);
}

static void test_consent_write_unknown_id_is_not_found(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(segrt_consent_append(f->s, "nobody", "email", "granted", NULL, NEVER, NULL,
                                          "dpo"),
                     SEGRT_ENOTFOUND);
    assert_msg_contains(f->s, "no contact with id 'nobody'");
    assert_int_equal(segrt_consent_history_foreach(f->s, "nobody", on_record, &(hist){ 0 }),
                     SEGRT_ENOTFOUND);
    tu_assert_counts(f->s, 4, 2, 4);
    assert_int_equal(audit_of(f->s).n, 0);
}

static void test_consent_write_bad_values_are_invalid_with_a_message(void **state)
{
    tu_fixture *f = *state;
    segrt_store *s = f->s;
    assert_int_equal(segrt_consent_append(s, "p-1", "email", "maybe", NULL, NEVER, NULL, "a"),
                     SEGRT_EINVAL);
    assert_msg_contains(s, "status 'maybe' is not one of granted, withdrawn, denied");
    assert_int_equal(segrt_consent_append(s, "p-1", "email", NULL, NULL, NEVER, NULL, "a"),
                     SEGRT_EINVAL);
    assert_int_equal(segrt_consent_append(s, "p-1", "email", "granted", "whim", NEVER, NULL, "a"),
                     SEGRT_EINVAL);
    assert_msg_contains(s, "legal basis 'whim' is not one of consent, legitimate_interest");
    assert_int_equal(segrt_consent_append(s, "p-1", "e mail", "granted", NULL, NEVER, NULL, "a"),
                     SEGRT_EINVAL);
    assert_msg_contains(s, "purpose 'e mail' is not a valid purpose name");
    assert_int_equal(segrt_consent_append(s, "p-1", "", "granted", NULL, NEVER, NULL, "a"),
                     SEGRT_EINVAL);
    assert_int_equal(segrt_consent_append(s, "p-1", "email", "granted", NULL, NOW, NULL, "a"),
                     SEGRT_EINVAL);
    assert_msg_contains(s, "the expiry 2026-01-01T00:00:00Z is not after");
    assert_int_equal(segrt_consent_append(s, "", "email", "granted", NULL, NEVER, NULL, "a"),
                     SEGRT_EINVAL);
    tu_assert_counts(s, 4, 2, 4);
    assert_int_equal(audit_of(s).n, 0);
    tu_assert_check_ok(s);
}

static void test_consent_write_identical_record_adds_nothing(void **state)
{
    tu_fixture *f = *state;
    for (int i = 0; i < 3; i++)
        assert_int_equal(segrt_consent_append(f->s, "p-4", "email", "granted", "consent", NEVER,
                                              "web", "dpo"),
                         SEGRT_OK);
    tu_assert_counts(f->s, 4, 2, 5);
    assert_int_equal(audit_of(f->s).n, 1);
    /* Differing only in the source: a new record. */
    assert_int_equal(segrt_consent_append(f->s, "p-4", "email", "granted", "consent", NEVER,
                                          "phone", "dpo"),
                     SEGRT_OK);
    tu_assert_counts(f->s, 4, 2, 6);
    tu_assert_check_ok(f->s);
}

static void test_consent_write_each_change_is_audited_without_personal_data(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(segrt_consent_append(f->s, "p-3", "newsletter", "granted", NULL, NEVER,
                                          "rosa.klein@example.com", "alice"),
                     SEGRT_OK);
    assert_int_equal(segrt_consent_append(f->s, "p-3", "newsletter", "denied", NULL, NEVER, NULL,
                                          NULL),
                     SEGRT_OK);
    audit_log log = audit_of(f->s);
    assert_int_equal(log.n, 2);
    assert_string_equal(log.line[0], "alice|consent|2|newsletter granted");
    assert_string_equal(log.line[1], "unknown|consent|2|newsletter denied");
    for (size_t i = 0; i < log.n; i++) {
        static const char *const pii[] = { "p-3", "rosa", "Rosa", "Klein" };
        for (size_t k = 0; k < sizeof pii / sizeof pii[0]; k++)
            if (strstr(log.line[i], pii[k]))
                fail_msg("audit entry \"%s\" holds \"%s\"", log.line[i], pii[k]);
    }
    segrt_stats st = tu_stats(f->s);
    assert_int_equal(st.audit, 2);
}

static void test_consent_write_new_purpose_is_seen_by_a_later_import(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(segrt_consent_append(f->s, "p-4", "research", "granted", NULL, NEVER,
                                          "lab", "dpo"),
                     SEGRT_OK);
    /* The import interns the same purpose and source: one code each, one history. */
    tu_rejects r = { 0 };
    tu_import_text(f, SEGRT_CONSENTS, "more.csv",
                   "contact_id,purpose,status,legal_basis,ts,expires_at,source\n"
                   "p-4,research,withdrawn,consent,2026-01-02T00:00:00Z,,lab\n", &r);
    assert_int_equal(r.n, 0);
    segrt_store_set_now(f->s, NOW + 2 * DAY);
    hist h = history_of(f->s, "p-4");
    assert_string_equal(h.text, "research granted consent 1767225600 never lab 0;"
                                "research withdrawn consent 1767312000 never lab 1;");
    tu_assert_check_ok(f->s);
}

static void test_consent_write_grows_the_map_when_it_fills(void **state)
{
    tu_fixture *f = *state;
    size_t used = tu_map_to_used(f->s, 3);
    for (int i = 0; i < 600; i++) {
        segrt_store_set_now(f->s, NOW + i);
        int rc = segrt_consent_append(f->s, "p-1", "email", i % 2 ? "granted" : "withdrawn",
                                      NULL, NEVER, NULL, "bulk");
        if (rc != SEGRT_OK)
            fail_msg("append %d: %s: %s", i, segrt_errname(rc), segrt_errmsg(f->s));
    }
    assert_true(f->s->mapsize > used);
    tu_assert_counts(f->s, 4, 2, 604);
    assert_int_equal(tu_stats(f->s).audit, 600);
    tu_assert_check_ok(f->s);
}

/* ------------------------------------------------------------ report */

typedef struct report {
    size_t n;
    segrt_consent_tally t[4];
    char name[4][32];
} report;

static int on_tally(void *ud, const segrt_consent_tally *t)
{
    report *r = ud;
    if (r->n < 4) {
        r->t[r->n] = *t;
        snprintf(r->name[r->n], sizeof r->name[r->n], "%s", t->purpose);
    }
    r->n++;
    return 0;
}

static void test_consent_write_report_counts_the_records_in_force(void **state)
{
    tu_fixture *f = *state;
    /* p-3 withdraws sms now; p-4's future grant is not in force yet. */
    assert_int_equal(segrt_consent_append(f->s, "p-3", "sms", "withdrawn", "legitimate_interest",
                                          NEVER, NULL, "a"),
                     SEGRT_OK);
    segrt_store_set_now(f->s, NOW + 10 * DAY);
    assert_int_equal(segrt_consent_append(f->s, "p-4", "email", "granted", NULL, NEVER, NULL, "a"),
                     SEGRT_OK);
    segrt_store_set_now(f->s, NOW);
    report r = { 0 };
    assert_int_equal(segrt_consent_report_foreach(f->s, 365 * DAY, on_tally, &r), SEGRT_OK);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.name[0], "email"); /* name order */
    assert_string_equal(r.name[1], "sms");
    const segrt_consent_tally *e = &r.t[0], *m = &r.t[1];
    assert_int_equal(e->contacts, 2);
    assert_int_equal(e->status[SEGRT_CONSENT_GRANTED], 2);
    assert_int_equal(e->basis[SEGRT_BASIS_CONSENT], 2);
    assert_int_equal(e->expired, 1); /* p-2 */
    assert_int_equal(e->stale, 1);   /* p-1, granted 2024-01-01 */
    assert_int_equal(e->expiring, 0);
    assert_int_equal(m->contacts, 3);
    assert_int_equal(m->status[SEGRT_CONSENT_GRANTED], 1);
    assert_int_equal(m->status[SEGRT_CONSENT_WITHDRAWN], 1);
    assert_int_equal(m->status[SEGRT_CONSENT_DENIED], 1);
    assert_int_equal(m->basis[SEGRT_BASIS_CONTRACT], 1);
    assert_int_equal(m->basis[SEGRT_BASIS_LEGITIMATE_INTEREST], 1);
    assert_int_equal(m->basis[SEGRT_BASIS_NONE], 1);
    assert_int_equal(m->expiring, 1); /* p-1, expires 2026-01-15 */
    assert_int_equal(m->stale, 0);
    /* Without a max age nothing is stale; later the future grant counts. */
    memset(&r, 0, sizeof r);
    segrt_store_set_now(f->s, NOW + 20 * DAY);
    assert_int_equal(segrt_consent_report_foreach(f->s, 0, on_tally, &r), SEGRT_OK);
    assert_int_equal(r.t[0].contacts, 3);
    assert_int_equal(r.t[0].stale, 0);
    assert_int_equal(r.t[1].expired, 1); /* p-1's sms lapsed on 2026-01-15 */
}

static void test_consent_write_status_and_basis_names(void **state)
{
    (void)state;
    assert_string_equal(segrt_consent_status_name(SEGRT_CONSENT_WITHDRAWN), "withdrawn");
    assert_null(segrt_consent_status_name(0));
    assert_null(segrt_consent_status_name(SEGRT_CONSENT_STATUS_COUNT));
    assert_string_equal(segrt_legal_basis_name(SEGRT_BASIS_PUBLIC_TASK), "public_task");
    assert_null(segrt_legal_basis_name(SEGRT_BASIS_NONE));
    assert_null(segrt_legal_basis_name(SEGRT_BASIS_COUNT));
}

/* ------------------------------------------------------------ retention */

static void test_consent_write_retention_dry_run_lists_and_keeps(void **state)
{
    tu_fixture *f = *state;
    tu_ids ids = { 0 };
    /* 3 years: p-2 (an event of 2021, consents of 2022) and p-4 (nothing, no created_at). */
    assert_int_equal(segrt_retention(f->s, 1095, 1, "job", tu_add_id, &ids), SEGRT_OK);
    assert_string_equal(ids.text, "p-2 p-4");
    tu_assert_counts(f->s, 4, 2, 4);
    /* 90 days: p-1 has a recent event, p-3 was created on 2025-12-01. */
    memset(&ids, 0, sizeof ids);
    assert_int_equal(segrt_retention(f->s, 90, 1, "job", tu_add_id, &ids), SEGRT_OK);
    assert_string_equal(ids.text, "p-2 p-4");
    /* 20 days: p-3's creation is older; p-1's event of 2025-12-20 is not. */
    memset(&ids, 0, sizeof ids);
    assert_int_equal(segrt_retention(f->s, 20, 1, "job", tu_add_id, &ids), SEGRT_OK);
    assert_string_equal(ids.text, "p-2 p-3 p-4");
    assert_int_equal(audit_of(f->s).n, 0);
}

static void test_consent_write_retention_counts_consent_activity(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(segrt_consent_append(f->s, "p-2", "email", "withdrawn", NULL, NEVER, NULL,
                                          "dpo"),
                     SEGRT_OK);
    tu_ids ids = { 0 };
    assert_int_equal(segrt_retention(f->s, 1095, 1, "job", tu_add_id, &ids), SEGRT_OK);
    assert_string_equal(ids.text, "p-4");
}

static void test_consent_write_retention_erases_with_an_audit_entry_each(void **state)
{
    tu_fixture *f = *state;
    tu_ids ids = { 0 };
    assert_int_equal(segrt_retention(f->s, 1095, 0, "job", tu_add_id, &ids), SEGRT_OK);
    assert_string_equal(ids.text, "p-2 p-4");
    tu_assert_counts(f->s, 2, 1, 2);
    char *json = NULL;
    assert_int_equal(segrt_contact_export(f->s, "p-2", "t", &json), SEGRT_ENOTFOUND);
    assert_null(json);
    audit_log log = audit_of(f->s);
    assert_int_equal(log.n, 2); /* the two erasures; a failed export is not logged */
    assert_true(strncmp(log.line[0], "job|erase|1|", 12) == 0);
    assert_true(strncmp(log.line[1], "job|erase|3|", 12) == 0);
    tu_assert_check_ok(f->s);
    memset(&ids, 0, sizeof ids);
    assert_int_equal(segrt_retention(f->s, 1095, 0, "job", tu_add_id, &ids), SEGRT_OK);
    assert_string_equal(ids.text, "");
}

static void test_consent_write_retention_of_zero_days_is_invalid(void **state)
{
    tu_fixture *f = *state;
    assert_int_equal(segrt_retention(f->s, 0, 1, "job", tu_add_id, &(tu_ids){ 0 }),
                     SEGRT_EINVAL);
    assert_msg_contains(f->s, "at least 1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CW_TEST(test_consent_write_append_is_kept_in_the_history_at_now),
        CW_TEST(test_consent_write_history_follows_the_tie_rule),
        CW_TEST(test_consent_write_history_of_imported_records),
        CW_TEST(test_consent_write_history_stops_when_the_callback_says),
        CW_TEST(test_consent_write_unknown_id_is_not_found),
        CW_TEST(test_consent_write_bad_values_are_invalid_with_a_message),
        CW_TEST(test_consent_write_identical_record_adds_nothing),
        CW_TEST(test_consent_write_each_change_is_audited_without_personal_data),
        CW_TEST(test_consent_write_new_purpose_is_seen_by_a_later_import),
        CW_TEST(test_consent_write_grows_the_map_when_it_fills),
        CW_TEST(test_consent_write_report_counts_the_records_in_force),
        cmocka_unit_test(test_consent_write_status_and_basis_names),
        CW_TEST(test_consent_write_retention_dry_run_lists_and_keeps),
        CW_TEST(test_consent_write_retention_counts_consent_activity),
        CW_TEST(test_consent_write_retention_erases_with_an_audit_entry_each),
        CW_TEST(test_consent_write_retention_of_zero_days_is_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
