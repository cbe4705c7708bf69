/*
 * test_outbox.c — the outbox of actions (segrt/outbox.h, core/store/outbox*.c):
 * a change is noted once per webhook and a replay adds nothing; the notified
 * state flips with or without webhooks; bad changes note nothing; what is
 * due comes in order per contact and webhook, up to a limit, with the time
 * to call again; failed attempts back off exponentially with jitter up to a
 * cap, keep their key and error, and are given up after the policy's last;
 * keys survive a reopen; an erasure takes a contact's entries and state;
 * the store check finds a damaged outbox.
 *
 * Uses: cmocka, segrt.h, outbox.h (to damage the stored form), test_util.h.
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
#include "store/outbox.h"
#include "test_util.h"

#define T0 INT64_C(1767225600)      /* 2026-01-01T00:00:00Z */
#define NOW_MS (T0 * 1000 + 5000)   /* when the tests deliver */

static const char *const one_url[] = { "http://127.0.0.1:9/a" };
static const char *const two_urls[] = { "http://127.0.0.1:9/a", "http://127.0.0.1:9/b" };

/* ------------------------------------------------------------ helpers */

static segrt_outbox_change change(const char *segment, const char *contact, int entered,
                                  const char *const *urls, size_t nurls)
{
    return (segrt_outbox_change){ segment, contact, entered, T0, urls, nurls };
}

/* Note one change; return how many entries it queued. */
static size_t note(segrt_store *s, segrt_outbox_change c)
{
    size_t queued = 99;
    int rc = segrt_outbox_note(s, 1, &c, &queued);
    if (rc != SEGRT_OK)
        fail_msg("segrt_outbox_note: %s: %s", segrt_errname(rc), segrt_errmsg(s));
    return queued;
}

/* What a listing or a take saw: "seq:segment:contact:event:url-suffix" each, space-separated. */
typedef struct seen {
    char text[1024];
    size_t n;
    segrt_outbox_entry last; /* the numbers of the last one */
    char key[64], error[128];
    int stop_after;          /* return 7 after this many (0: never) */
} seen;

static int see(void *ud, const segrt_outbox_entry *e)
{
    seen *w = ud;
    size_t used = strlen(w->text);
    const char *tail = strrchr(e->url, '/');
    snprintf(w->text + used, sizeof w->text - used, "%s%llu:%s:%s:%s:%s", used ? " " : "",
             (unsigned long long)e->seq, e->segment, e->contact, e->entered ? "in" : "out",
             tail ? tail + 1 : e->url);
    w->last = *e;
    snprintf(w->key, sizeof w->key, "%s", e->key);
    snprintf(w->error, sizeof w->error, "%s", e->last_error);
    w->n++;
    return w->stop_after && w->n == (size_t)w->stop_after ? 7 : 0;
}

static const char *list(segrt_store *s, seen *w)
{
    *w = (seen){ 0 };
    assert_int_equal(segrt_outbox_foreach(s, see, w), SEGRT_OK);
    return w->text;
}

static const char *due(segrt_store *s, int64_t now_ms, size_t max, seen *w, int64_t *wake)
{
    *w = (seen){ 0 };
    int rc = segrt_outbox_due(s, now_ms, max, see, w, wake);
    if (rc != SEGRT_OK)
        fail_msg("segrt_outbox_due: %s: %s", segrt_errname(rc), segrt_errmsg(s));
    return w->text;
}

static void settle(segrt_store *s, uint64_t seq, int delivered, int64_t now_ms,
                   const segrt_outbox_policy *p)
{
    segrt_outbox_result r = { seq, delivered, delivered ? NULL : "HTTP 500" };
    int rc = segrt_outbox_settle(s, 1, &r, now_ms, p);
    if (rc != SEGRT_OK)
        fail_msg("segrt_outbox_settle: %s: %s", segrt_errname(rc), segrt_errmsg(s));
}

static void assert_depth(segrt_store *s, uint64_t pending, uint64_t failed)
{
    uint64_t p = 99, f = 99;
    assert_int_equal(segrt_outbox_depth(s, &p, &f), SEGRT_OK);
    if (p != pending || f != failed)
        fail_msg("outbox depth %llu pending, %llu failed; expected %llu, %llu",
                 (unsigned long long)p, (unsigned long long)f, (unsigned long long)pending,
                 (unsigned long long)failed);
}

static const char *notified(segrt_store *s, const char *segment, tu_ids *ids)
{
    ids->text[0] = '\0';
    assert_int_equal(segrt_outbox_notified_foreach(s, segment, tu_add_id, ids), SEGRT_OK);
    return ids->text;
}

/* ------------------------------------------------------------ noting */

static void test_outbox_note_queues_once_per_webhook_and_a_replay_adds_nothing(void **state)
{
    tu_fixture *f = *state;
    seen w;
    assert_int_equal(note(f->s, change("vip", "c1", 1, two_urls, 2)), 2);
    assert_int_equal(note(f->s, change("vip", "c1", 1, two_urls, 2)), 0);
    assert_string_equal(list(f->s, &w), "1:vip:c1:in:a 2:vip:c1:in:b");
    assert_int_equal(w.last.at, T0);
    assert_int_equal(w.last.attempts, 0);
    assert_int_equal(w.last.state, SEGRT_OUTBOX_PENDING);
    assert_string_equal(w.error, "");
    /* 16 hex digits of the store's random prefix, then the seq */
    assert_int_equal(strlen(w.key), 18);
    assert_string_equal(w.key + 16, "-2");
    assert_depth(f->s, 2, 0);
    tu_assert_check_ok(f->s);
}

static void test_outbox_note_flips_the_notified_state_with_or_without_webhooks(void **state)
{
    tu_fixture *f = *state;
    tu_ids ids;
    seen w;
    assert_int_equal(note(f->s, change("vip", "c2", 1, NULL, 0)), 0);
    assert_int_equal(note(f->s, change("vip", "c1", 1, NULL, 0)), 0);
    assert_int_equal(note(f->s, change("vip2", "c3", 1, NULL, 0)), 0);
    assert_string_equal(notified(f->s, "vip", &ids), "c1 c2");
    assert_string_equal(notified(f->s, "vip2", &ids), "c3");
    assert_string_equal(notified(f->s, "vi", &ids), "");
    /* leaving is told; leaving again is not; entering again is */
    assert_int_equal(note(f->s, change("vip", "c1", 0, one_url, 1)), 1);
    assert_int_equal(note(f->s, change("vip", "c1", 0, one_url, 1)), 0);
    assert_int_equal(note(f->s, change("vip", "c9", 0, one_url, 1)), 0); /* never a member */
    assert_string_equal(notified(f->s, "vip", &ids), "c2");
    assert_int_equal(note(f->s, change("vip", "c1", 1, one_url, 1)), 1);
    assert_string_equal(list(f->s, &w), "1:vip:c1:out:a 2:vip:c1:in:a");
    tu_assert_check_ok(f->s);
}

static void test_outbox_note_applies_a_batch_in_order(void **state)
{
    tu_fixture *f = *state;
    segrt_outbox_change cs[] = {
        change("s", "c1", 1, one_url, 1), change("s", "c1", 1, one_url, 1),
        change("s", "c1", 0, one_url, 1), change("t", "c1", 1, two_urls, 2),
    };
    size_t queued = 0;
    seen w;
    assert_int_equal(segrt_outbox_note(f->s, 4, cs, &queued), SEGRT_OK);
    assert_int_equal(queued, 4);
    assert_string_equal(list(f->s, &w), "1:s:c1:in:a 2:s:c1:out:a 3:t:c1:in:a 4:t:c1:in:b");
}

static void test_outbox_note_rejects_bad_changes_and_notes_nothing(void **state)
{
    tu_fixture *f = *state;
    char long_name[300], long_id[300];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    memset(long_id, 'i', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    static const char *const empty_url[] = { "" };
    const segrt_outbox_change bad[] = {
        change("", "c1", 1, one_url, 1),        change(NULL, "c1", 1, one_url, 1),
        change(long_name, "c1", 1, one_url, 1), change("s", "", 1, one_url, 1),
        change("s", NULL, 1, one_url, 1),       change("s", "c1", 1, empty_url, 1),
        change(long_name + 50, long_id, 1, one_url, 1),
    };
    const char *needles[] = { "segment name", "segment name", "segment name", "contact id",
                              "contact id",   "webhook 1 is empty", "contact id" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        segrt_outbox_change batch[2] = { change("s", "ok", 1, one_url, 1), bad[i] };
        size_t queued = 99;
        assert_int_equal(segrt_outbox_note(f->s, 2, batch, &queued), SEGRT_EINVAL);
        assert_int_equal(queued, 0);
        tu_assert_errmsg(f->s, "outbox change 2");
        tu_assert_errmsg(f->s, needles[i]);
    }
    seen w;
    tu_ids ids;
    assert_string_equal(list(f->s, &w), "");
    assert_string_equal(notified(f->s, "s", &ids), "");
    assert_depth(f->s, 0, 0);
}

static void test_outbox_keys_survive_a_reopen(void **state)
{
    tu_fixture *f = *state;
    seen w;
    char first[64];
    note(f->s, change("s", "c1", 1, one_url, 1));
    list(f->s, &w);
    snprintf(first, sizeof first, "%s", w.key);
    segrt_store_close(f->s);
    tu_open(f, 0);
    list(f->s, &w);
    assert_string_equal(w.key, first);
    note(f->s, change("s", "c2", 1, one_url, 1));
    list(f->s, &w);
    assert_int_equal(w.last.seq, 2);
    assert_memory_equal(w.key, first, 17); /* the same prefix */
    assert_string_equal(w.key + 17, "2");
    /* a read-only handle lists them too */
    segrt_store_close(f->s);
    tu_open(f, SEGRT_OPEN_READONLY);
    assert_string_equal(list(f->s, &w), "1:s:c1:in:a 2:s:c2:in:a");
}

/* ------------------------------------------------------------ due */

static void test_outbox_due_keeps_order_per_contact_and_webhook(void **state)
{
    tu_fixture *f = *state;
    seen w;
    int64_t wake = 0;
    note(f->s, change("s", "a", 1, two_urls, 2)); /* 1 a/a, 2 a/b */
    note(f->s, change("s", "a", 0, one_url, 1));  /* 3 a/a: after 1 */
    note(f->s, change("s", "b", 1, one_url, 1));  /* 4 b/a */
    assert_string_equal(due(f->s, NOW_MS, 10, &w, &wake), "1:s:a:in:a 2:s:a:in:b 4:s:b:in:a");
    assert_int_equal(wake, INT64_MAX); /* 3 is held back: no time of its own */
    settle(f->s, 2, 1, NOW_MS, NULL);
    assert_string_equal(due(f->s, NOW_MS, 10, &w, &wake), "1:s:a:in:a 4:s:b:in:a");
    settle(f->s, 1, 1, NOW_MS, NULL);
    settle(f->s, 4, 1, NOW_MS, NULL);
    assert_string_equal(due(f->s, NOW_MS, 10, &w, &wake), "3:s:a:out:a");
    settle(f->s, 3, 1, NOW_MS, NULL);
    assert_string_equal(due(f->s, NOW_MS, 10, &w, &wake), "");
    assert_string_equal(list(f->s, &w), "");
    assert_depth(f->s, 0, 0);
    tu_assert_check_ok(f->s);
}

static void test_outbox_due_stops_at_max_and_at_the_callback(void **state)
{
    tu_fixture *f = *state;
    seen w = { 0 };
    int64_t wake = 0;
    note(f->s, change("s", "a", 1, one_url, 1));
    note(f->s, change("s", "b", 1, one_url, 1));
    note(f->s, change("s", "c", 1, one_url, 1));
    assert_string_equal(due(f->s, NOW_MS, 2, &w, &wake), "1:s:a:in:a 2:s:b:in:a");
    assert_int_equal(wake, NOW_MS); /* call again at once */
    /* max 0 takes nothing and says something is due */
    assert_string_equal(due(f->s, NOW_MS, 0, &w, &wake), "");
    assert_true(wake <= NOW_MS);
    w = (seen){ .stop_after = 1 };
    assert_int_equal(segrt_outbox_due(f->s, NOW_MS, 10, see, &w, &wake), 7);
    assert_int_equal(w.n, 1);
}

static void test_outbox_failed_attempts_back_off_with_jitter_up_to_the_cap(void **state)
{
    tu_fixture *f = *state;
    const segrt_outbox_policy p = { .base_ms = 100, .cap_ms = 1000 };
    seen w;
    int64_t wake = 0, now = NOW_MS;
    char key[64];
    note(f->s, change("s", "a", 1, one_url, 1));
    note(f->s, change("s", "a", 0, one_url, 1));
    due(f->s, now, 1, &w, NULL);
    snprintf(key, sizeof key, "%s", w.key);
    const double nominal[] = { 100, 200, 400, 800, 1000, 1000, 1000 };
    for (uint32_t i = 0; i < sizeof nominal / sizeof nominal[0]; i++) {
        assert_string_equal(due(f->s, now, 10, &w, &wake), "1:s:a:in:a");
        settle(f->s, 1, 0, now, &p);
        assert_string_equal(due(f->s, now, 10, &w, &wake), ""); /* 2 waits behind 1 */
        int64_t delay = wake - now;
        if (delay < nominal[i] * 0.8 || delay > nominal[i] * 1.2)
            fail_msg("attempt %u: delay %lld ms, expected %.0f +- 20%%", i + 1, (long long)delay,
                     nominal[i]);
        assert_string_equal(due(f->s, wake - 1, 10, &w, NULL), "");
        now = wake;
    }
    assert_string_equal(due(f->s, now, 10, &w, &wake), "1:s:a:in:a");
    assert_int_equal(w.last.attempts, 7);
    assert_string_equal(w.error, "HTTP 500");
    assert_string_equal(w.key, key); /* the same key on every attempt */
    assert_depth(f->s, 2, 0);
    tu_assert_check_ok(f->s);
}

static void test_outbox_jitter_spreads_entries_that_failed_together(void **state)
{
    tu_fixture *f = *state;
    int64_t first = 0;
    int differ = 0;
    seen w;
    for (int i = 0; i < 8; i++) {
        char id[8];
        snprintf(id, sizeof id, "c%d", i);
        note(f->s, change("s", id, 1, one_url, 1));
        settle(f->s, (uint64_t)i + 1, 0, NOW_MS, NULL);
    }
    for (int i = 0; i < 8; i++) {
        due(f->s, NOW_MS + 10000, 1, &w, NULL);
        if (i == 0)
            first = w.last.next_ms;
        differ |= w.last.next_ms != first;
        assert_in_range(w.last.next_ms, NOW_MS + 800, NOW_MS + 1200);
        settle(f->s, w.last.seq, 1, NOW_MS, NULL);
    }
    assert_true(differ);
}

static void test_outbox_gives_up_after_the_last_attempt(void **state)
{
    tu_fixture *f = *state;
    const segrt_outbox_policy p = { .base_ms = 10, .max_attempts = 2 };
    seen w;
    int64_t wake = 0;
    note(f->s, change("s", "a", 1, one_url, 1));
    note(f->s, change("s", "a", 0, one_url, 1));
    settle(f->s, 1, 0, NOW_MS, &p);
    assert_depth(f->s, 2, 0);
    settle(f->s, 1, 0, NOW_MS + 100, &p);
    assert_depth(f->s, 1, 1);
    /* given up: never due again, and 2 goes on */
    assert_string_equal(due(f->s, NOW_MS + 100000, 10, &w, &wake), "2:s:a:out:a");
    assert_string_equal(list(f->s, &w), "1:s:a:in:a 2:s:a:out:a");
    assert_int_equal(segrt_outbox_foreach(f->s, see, &(seen){ .stop_after = 1 }), 7);
    tu_assert_check_ok(f->s);
    /* delivered after all (say, by hand) */
    settle(f->s, 1, 1, NOW_MS, &p);
    assert_depth(f->s, 1, 0);
    tu_assert_check_ok(f->s);
}

static void test_outbox_settle_skips_entries_no_longer_there(void **state)
{
    tu_fixture *f = *state;
    const segrt_outbox_result rs[] = { { 42, 1, NULL }, { 43, 0, "timeout" } };
    assert_int_equal(segrt_outbox_settle(f->s, 2, rs, NOW_MS, NULL), SEGRT_OK);
    assert_int_equal(segrt_outbox_settle(f->s, 0, NULL, NOW_MS, NULL), SEGRT_OK);
    assert_depth(f->s, 0, 0);
}

/* ------------------------------------------------------------ erasure and check */

static void test_outbox_erasure_takes_the_contacts_entries_and_state(void **state)
{
    tu_fixture *f = *state;
    tu_seg_import(f, SEGRT_CONTACTS, "id,email\na,a@example.com\nb,b@example.com\n");
    seen w;
    tu_ids ids;
    note(f->s, change("s", "a", 1, two_urls, 2));
    note(f->s, change("t", "a", 1, NULL, 0));
    note(f->s, change("s", "b", 1, one_url, 1));
    note(f->s, change("s", "a", 0, one_url, 1));
    settle(f->s, 1, 0, NOW_MS, &(segrt_outbox_policy){ .max_attempts = 1 }); /* a failed one */
    note(f->s, change("u", "a", 1, NULL, 0));
    assert_depth(f->s, 3, 1);
    assert_int_equal(segrt_contact_erase(f->s, "a", "test"), SEGRT_OK);
    assert_string_equal(list(f->s, &w), "3:s:b:in:a");
    assert_string_equal(notified(f->s, "s", &ids), "b");
    assert_string_equal(notified(f->s, "t", &ids), "");
    assert_string_equal(notified(f->s, "u", &ids), "");
    assert_depth(f->s, 1, 0);
    tu_assert_check_ok(f->s);
}

/* Put raw bytes under a key of one of the outbox tables. */
typedef struct damage {
    enum store_db db;
    const void *k, *v;
    size_t nk, nv;
    const char *counter; /* instead: set this meta counter to 5 */
} damage;

static int damage_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    damage *d = ud;
    if (d->counter)
        return store_counter_set(s, txn, d->counter, 5);
    MDB_val k = { d->nk, (void *)d->k }, v = { d->nv, (void *)d->v };
    return mdb_put(txn, s->dbi[d->db], &k, &v, 0) == 0 ? SEGRT_OK : SEGRT_ESTORE;
}

static void assert_check_finds(tu_fixture *f, damage d, const char *needle)
{
    assert_int_equal(store_write(f->s, damage_txn, &d), SEGRT_OK);
    assert_int_equal(segrt_store_check(f->s), SEGRT_ECORRUPT);
    tu_assert_errmsg(f->s, needle);
}

static void test_outbox_check_finds_a_wrong_counter(void **state)
{
    tu_fixture *f = *state;
    note(f->s, change("s", "a", 1, one_url, 1));
    tu_assert_check_ok(f->s);
    assert_check_finds(f, (damage){ .counter = "outbox_pending" },
                       "pending counter says 5, the outbox holds 1");
}

static void test_outbox_check_finds_an_entry_that_does_not_decode(void **state)
{
    tu_fixture *f = *state;
    uint64_t seq = 1;
    note(f->s, change("s", "a", 1, one_url, 1));
    assert_check_finds(f, (damage){ DB_OUTBOX, &seq, "abc", 8, 3, NULL },
                       "does not decode");
}

static void test_outbox_check_finds_an_entry_past_the_last(void **state)
{
    tu_fixture *f = *state;
    seen w;
    note(f->s, change("s", "a", 1, one_url, 1));
    list(f->s, &w);
    /* entry 1 copied to seq 9 (the counter says 1) */
    buf b = { 0 };
    assert_int_equal(outbox_encode(&b, &w.last), 0);
    uint64_t later = 9;
    assert_check_finds(f, (damage){ DB_OUTBOX, &later, b.p, 8, b.len, NULL },
                       "past the last one");
    buf_free(&b);
}

static void test_outbox_check_finds_a_notified_state_without_its_twin(void **state)
{
    tu_fixture *f = *state;
    note(f->s, change("s", "a", 1, NULL, 0));
    tu_assert_check_ok(f->s);
    assert_check_finds(f, (damage){ DB_NOTIFIED, "sx\0b", "\1", 4, 1, NULL },
                       "notified in segment 'x' without its twin");
}

static void test_outbox_check_finds_a_malformed_notified_key(void **state)
{
    tu_fixture *f = *state;
    assert_check_finds(f, (damage){ DB_NOTIFIED, "zab", "\1", 3, 1, NULL },
                       "malformed key");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_outbox_note_queues_once_per_webhook_and_a_replay_adds_nothing),
        TU_STORE_TEST(test_outbox_note_flips_the_notified_state_with_or_without_webhooks),
        TU_STORE_TEST(test_outbox_note_applies_a_batch_in_order),
        TU_STORE_TEST(test_outbox_note_rejects_bad_changes_and_notes_nothing),
        TU_STORE_TEST(test_outbox_keys_survive_a_reopen),
        TU_STORE_TEST(test_outbox_due_keeps_order_per_contact_and_webhook),
        TU_STORE_TEST(test_outbox_due_stops_at_max_and_at_the_callback),
        TU_STORE_TEST(test_outbox_failed_attempts_back_off_with_jitter_up_to_the_cap),
        TU_STORE_TEST(test_outbox_jitter_spreads_entries_that_failed_together),
        TU_STORE_TEST(test_outbox_gives_up_after_the_last_attempt),
        TU_STORE_TEST(test_outbox_settle_skips_entries_no_longer_there),
        TU_STORE_TEST(test_outbox_erasure_takes_the_contacts_entries_and_state),
        TU_STORE_TEST(test_outbox_check_finds_a_wrong_counter),
        TU_STORE_TEST(test_outbox_check_finds_an_entry_that_does_not_decode),
        TU_STORE_TEST(test_outbox_check_finds_an_entry_past_the_last),
        TU_STORE_TEST(test_outbox_check_finds_a_notified_state_without_its_twin),
        TU_STORE_TEST(test_outbox_check_finds_a_malformed_notified_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
