/*
 * test_live.c — the real-time path (segrt_live_*), through the public API:
 * evaluating one contact gives what the whole-store evaluation gives, for
 * every segment of every bundled pack and the anchor segments; after a
 * stream of events the members equal a fresh evaluation of the updated
 * store, and every change was reported once — also for a script using
 * every event aggregate; new contacts, consent withdrawals and bad rows;
 * A/B split arms, which a new contact enters by its hash; the tag of a
 * seg.tag rule written when a contact enters or leaves it; extra event
 * attributes (typed, nested) in :where and aggregates; a restriction (Art.
 * 18) arriving live takes a contact out of every segment unreported, a lift
 * puts it back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "segrt.h"
#include "test_util.h"
#include "plan/plan_split.h"

#define NCONTACTS 3000
#define NOW_TEXT "2026-06-01T00:00:00Z"

static char datadir[TU_PATH_MAX]; /* the demo data set, written once */

static int group_setup(void **state)
{
    (void)state;
    char err[256];
    int64_t now;
    tu_mkdtemp(datadir);
    if (segrt_time_parse(NOW_TEXT, &now) != SEGRT_OK ||
        segrt_demo_write(datadir, NCONTACTS, 11, now, err, sizeof err) != SEGRT_OK)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    tu_rmtree(datadir);
    return 0;
}

/* A fresh store holding the demo data, NOW fixed. */
static int setup(void **state)
{
    int rc = tu_setup_store(state);
    tu_fixture *f = *state;
    char path[TU_PATH_MAX];
    int64_t now;
    assert_int_equal(segrt_time_parse(NOW_TEXT, &now), SEGRT_OK);
    segrt_store_set_now(f->s, now);
    tu_import(f->s, SEGRT_CONTACTS, tu_path(path, datadir, "contacts.csv"), NULL);
    tu_import(f->s, SEGRT_EVENTS, tu_path(path, datadir, "events.csv"), NULL);
    tu_import(f->s, SEGRT_CONSENTS, tu_path(path, datadir, "consents.csv"), NULL);
    return rc;
}

static const char *contact_id(char out[16], int i)
{
    snprintf(out, 16, "c%07d", i + 1);
    return out;
}

static segrt_script *load(segrt_store *s, const char *what)
{
    segrt_script *sc = NULL;
    int rc = segrt_script_load(s, what, &sc);
    if (rc != SEGRT_OK)
        fail_msg("load %s: %s: %s", what, segrt_errname(rc), segrt_errmsg(s));
    return sc;
}

static segrt_live *open_live(segrt_store *s, segrt_script *sc)
{
    segrt_live *lv = NULL;
    int rc = segrt_live_open(sc, &lv);
    if (rc != SEGRT_OK)
        fail_msg("segrt_live_open: %s: %s", segrt_errname(rc), segrt_errmsg(s));
    return lv;
}

/* ------------------------------------------------------------ changes */

typedef struct changes {
    size_t n;
    char last[256];
} changes;

static int count_change(void *ud, const char *id, const char *segment, int entered)
{
    changes *c = ud;
    c->n++;
    snprintf(c->last, sizeof c->last, "%s %s %s", id, entered ? "entered" : "left", segment);
    return 0;
}

static void apply(segrt_store *s, segrt_live *lv, segrt_kind kind, const char *text,
                  segrt_live_fn fn, void *ud, segrt_import_report *rep)
{
    int rc = segrt_live_apply(lv, kind, text, strlen(text), fn, ud, rep);
    if (rc != SEGRT_OK)
        fail_msg("segrt_live_apply: %s: %s", segrt_errname(rc), segrt_errmsg(s));
}

/* Touch every contact without changing it: each is evaluated alone again. */
static void touch_everybody(segrt_store *s, segrt_live *lv, changes *c)
{
    size_t cap = NCONTACTS * 20 + 1, len = 0;
    char *text = malloc(cap), id[16];
    assert_non_null(text);
    for (int i = 0; i < NCONTACTS; i++)
        len += (size_t)snprintf(text + len, cap - len, "{\"id\":\"%s\"}\n", contact_id(id, i));
    segrt_import_report rep;
    apply(s, lv, SEGRT_CONTACTS, text, count_change, c, &rep);
    assert_int_equal(rep.accepted, NCONTACTS);
    free(text);
}

/* The live members of every segment equal a fresh evaluation of the store. */
static void assert_equals_fresh(segrt_store *s, segrt_live *lv, const char *what)
{
    segrt_script *fresh = load(s, what);
    for (size_t i = 0; i < segrt_script_segment_count(fresh); i++) {
        const char *name = segrt_script_segment_name(fresh, i);
        segrt_set *m = NULL;
        int rc = segrt_segment_eval(fresh, name, &m);
        if (rc != SEGRT_OK)
            fail_msg("eval %s: %s", name, segrt_errmsg(s));
        uint64_t live_n;
        assert_int_equal(segrt_live_count(lv, name, &live_n), SEGRT_OK);
        for (int c = 0; c < NCONTACTS; c++) {
            char id[16];
            int in_fresh, in_live;
            assert_int_equal(segrt_set_contains(s, m, contact_id(id, c), &in_fresh), SEGRT_OK);
            assert_int_equal(segrt_live_contains(lv, name, id, &in_live), SEGRT_OK);
            if (in_fresh != in_live)
                fail_msg("%s: segment %s: contact %s is %s live and %s in a fresh evaluation",
                         what, name, id, in_live ? "in" : "out", in_fresh ? "in" : "out");
        }
        assert_int_equal(live_n, segrt_set_count(m));
        segrt_set_free(m);
    }
    segrt_script_free(fresh);
}

/*
 * Write code to dir/file (its path into path), load it into *sc and open a
 * live session on it whose members equal a fresh evaluation, also when every
 * contact is evaluated alone.
 */
static segrt_live *open_checked(tu_fixture *f, const char *file, const char *code,
                                char path[TU_PATH_MAX], segrt_script **sc)
{
    tu_write(path, f->dir, file, code);
    *sc = load(f->s, path);
    segrt_live *lv = open_live(f->s, *sc);
    assert_equals_fresh(f->s, lv, path);
    changes c = { 0 };
    touch_everybody(f->s, lv, &c);
    if (c.n)
        fail_msg("%s: %zu memberships differ when evaluated one contact at a time, e.g. %s",
                 file, c.n, c.last);
    return lv;
}

/* ------------------------------------------------------------ tests */

static const char *const scripts[] = {
    "ecommerce_coffee", "saas", "fitness", "b2b_sales", "retail_regional", "food_delivery",
    "rfm_lifecycle", SEGRT_SOURCE_DIR "/examples/bench_segments.lua",
    SEGRT_SOURCE_DIR "/tests/oracle/extra_segments.lua",
};

static void test_live_one_contact_equals_the_whole_store_evaluation(void **state)
{
    tu_fixture *f = *state;
    for (size_t k = 0; k < sizeof scripts / sizeof scripts[0]; k++) {
        segrt_script *sc = load(f->s, scripts[k]);
        segrt_live *lv = open_live(f->s, sc);
        assert_equals_fresh(f->s, lv, scripts[k]);
        changes c = { 0 };
        touch_everybody(f->s, lv, &c);
        if (c.n)
            fail_msg("%s: %zu memberships differ when evaluated one contact at a time, e.g. %s",
                     scripts[k], c.n, c.last);
        assert_int_equal(segrt_live_close(lv), SEGRT_OK);
        segrt_script_free(sc);
    }
}

/* Events for a few hundred contacts, in batches, of every type the packs read. */
static void stream_events(segrt_store *s, segrt_live *lv, uint64_t seed, changes *c,
                          uint64_t *accepted)
{
    static const char *const types[][2] = {
        { "purchase", "coffee" }, { "purchase", "beans" },  { "purchase", "accessories" },
        { "purchase", "vegan" },  { "login", "" },           { "page_view", "pricing" },
        { "card_scan", "" },      { "class_attended", "yoga" }, { "email_open", "" },
    };
    uint64_t x = seed;
    char *text = malloc(1 << 16), id[16];
    assert_non_null(text);
    for (int batch = 0; batch < 20; batch++) {
        size_t len = 0;
        for (int i = 0; i < 100; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            int who = (int)((x >> 33) % 300), t = (int)((x >> 20) % 9), day = (int)((x >> 8) % 40);
            len += (size_t)snprintf(text + len, (1 << 16) - len,
                                    "{\"contact_id\":\"%s\",\"ts\":\"2026-%02d-%02dT12:00:00Z\","
                                    "\"type\":\"%s\",\"amount\":%d.25,\"category\":\"%s\"}\n",
                                    contact_id(id, who), day < 20 ? 5 : 4, day % 20 + 1,
                                    types[t][0], 40 + day * 100, types[t][1]);
        }
        segrt_import_report rep;
        apply(s, lv, SEGRT_EVENTS, text, count_change, c, &rep);
        *accepted += rep.accepted;
    }
    free(text);
}

static void test_live_events_keep_members_equal_to_a_fresh_evaluation(void **state)
{
    tu_fixture *f = *state;
    /* rfm_lifecycle is left out: its quintiles rank everybody and are kept from the open */
    size_t moved = 0;
    for (size_t k = 0; k < 6; k++) {
        segrt_script *sc = load(f->s, scripts[k]);
        segrt_live *lv = open_live(f->s, sc);
        changes c = { 0 };
        uint64_t accepted = 0;
        stream_events(f->s, lv, 1000 + k, &c, &accepted); /* new events for each pack */
        assert_int_equal(accepted, 2000);
        assert_equals_fresh(f->s, lv, scripts[k]);
        assert_int_equal(segrt_live_close(lv), SEGRT_OK);
        tu_assert_check_ok(f->s); /* the projections were rebuilt by the flush */
        segrt_script_free(sc);
        moved += c.n;
    }
    assert_true(moved > 100);
}

/* Every aggregate (plan.h's agg_op), over all events, a window and a :where. */
static const char *const aggregates_script =
    "local seg = require 'segrt'\n"
    "local E, F, days = seg.E, seg.F, seg.days\n"
    "local recent = E.purchase:within(days(60))\n"
    "local beans = E.purchase:where{ category = 'coffee_beans' }\n"
    "seg.segment 'count' { where = E.purchase:count():ge(3) }\n"
    "seg.segment 'sum' { where = recent:sum 'amount' :gt(50) }\n"
    "seg.segment 'avg' { where = E.purchase:avg 'amount' :between(20, 60) }\n"
    "seg.segment 'min' { where = beans:min 'amount' :lt(12) }\n"
    "seg.segment 'max' { where = E.purchase:max 'amount' :gt(400) }\n"
    "seg.segment 'first' { where = E.purchase:first():older_than(days(365)) }\n"
    "seg.segment 'last' { where = E.login:last():within(days(30)) }\n"
    "seg.segment 'decayed' { where = E.purchase:decayed(days(30)):gt(0.5) }\n"
    "seg.segment 'first_amount' { where = E.purchase:first 'amount' :gt(100) }\n"
    "seg.segment 'last_amount' { where = recent:last 'amount' :lt(30) }\n"
    "seg.segment 'first_category' { where = E.purchase:first 'category' :eq 'grinder' }\n"
    "seg.segment 'last_category' { where = E.purchase:last 'category' :one_of{ 'coffee_beans', 'beans' } }\n"
    "seg.segment 'last_channel' { where = beans:last 'channel' :eq 'app' }\n"
    "seg.segment 'no_last_category' { where = E.purchase:last 'category' :missing() }\n";

static void test_live_every_aggregate_equals_the_whole_store_evaluation(void **state)
{
    tu_fixture *f = *state;
    char path[TU_PATH_MAX];
    segrt_script *sc;
    segrt_live *lv = open_checked(f, "aggregates.lua", aggregates_script, path, &sc);
    changes c = { 0 };
    uint64_t accepted = 0;
    stream_events(f->s, lv, 77, &c, &accepted);
    assert_true(c.n > 0);
    assert_equals_fresh(f->s, lv, path);
    assert_int_equal(segrt_live_close(lv), SEGRT_OK);
    segrt_script_free(sc);
}

/* Extra attributes (typed, nested, missing) in :where, aggregates and :first/:last. */
static const char *const extras_script =
    "local seg = require 'segrt'\n"
    "local E, F = seg.E, seg.F\n"
    "seg.segment 'qty' { where = E.purchase:where(F.qty:ge(3)):exists() }\n"
    "seg.segment 'qty_sum' { where = E.purchase:sum 'qty' :gt(10) }\n"
    "seg.segment 'coupon' { where = E.purchase:where{ coupon = { 'SPRING', 'FALL' } }:count():ge(2) }\n"
    "seg.segment 'no_coupon' { where = E.purchase:where(F.coupon:missing()):exists() }\n"
    "seg.segment 'campaign' { where = E.email_open:where(F.campaign.id:eq 'c7'):exists() }\n"
    "seg.segment 'campaign_ge' { where = E.email_open:where(F['campaign.id']:ge 'c5'):exists() }\n"
    "seg.segment 'score' { where = E.email_open:max 'campaign.score' :gt(0.5) }\n"
    "seg.segment 'last_gift' { where = E.purchase:last 'gift' :eq(true) }\n"
    "seg.segment 'shipped' { where = E.purchase:min 'shipped' :before(seg.time '2026-05-10T00:00:00Z') }\n";

/* n events with extra attributes for the first 300 contacts, as JSON lines (malloc'd). */
static char *extra_events(uint64_t seed, int n)
{
    static const char *const coupons[] = { "SPRING", "FALL", "WINTER", NULL };
    size_t cap = (size_t)n * 200 + 1, len = 0;
    char *text = malloc(cap), id[16];
    assert_non_null(text);
    uint64_t x = seed;
    for (int i = 0; i < n; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        int who = (int)((x >> 33) % 300), day = (int)((x >> 8) % 28) + 1, k = (int)((x >> 20) % 8);
        const char *coupon = coupons[k % 4];
        len += (size_t)snprintf(text + len, cap - len,
                                "{\"contact_id\":\"%s\",\"ts\":\"2026-05-%02dT10:00:00Z\",", contact_id(id, who),
                                day);
        if (x >> 63)
            len += (size_t)snprintf(text + len, cap - len,
                                    "\"type\":\"email_open\",\"campaign\":{\"id\":\"c%d\","
                                    "\"score\":0.%d}}\n", k, (int)((x >> 40) % 10));
        else
            len += (size_t)snprintf(text + len, cap - len,
                                    "\"type\":\"purchase\",\"qty\":%d,\"gift\":%s,"
                                    "\"shipped\":\"2026-05-%02d\"%s%s%s}\n", k, k % 3 ? "false" : "true",
                                    day, coupon ? ",\"coupon\":\"" : "", coupon ? coupon : "",
                                    coupon ? "\"" : "");
    }
    return text;
}

static void test_live_extra_attributes_equal_the_whole_store_evaluation(void **state)
{
    tu_fixture *f = *state;
    char *text = extra_events(5, 1500), path[TU_PATH_MAX];
    segrt_import_report rep;
    assert_int_equal(segrt_import_buffer(f->s, SEGRT_EVENTS, "extras.jsonl", text, strlen(text), 1,
                                         NULL, &rep), SEGRT_OK);
    assert_int_equal(rep.rejected, 0);
    free(text);
    segrt_script *sc;
    segrt_live *lv = open_checked(f, "extras.lua", extras_script, path, &sc);
    for (size_t i = 0; i < segrt_script_segment_count(sc); i++) {
        uint64_t n;
        const char *name = segrt_script_segment_name(sc, i);
        assert_int_equal(segrt_live_count(lv, name, &n), SEGRT_OK);
        if (n == 0 || n >= NCONTACTS) /* each segment tells contacts apart */
            fail_msg("segment %s has %llu members", name, (unsigned long long)n);
    }
    changes c = { 0 };
    text = extra_events(9, 600);
    apply(f->s, lv, SEGRT_EVENTS, text, count_change, &c, &rep);
    free(text);
    assert_int_equal(rep.rejected, 0);
    assert_true(c.n > 0);
    assert_equals_fresh(f->s, lv, path);
    assert_int_equal(segrt_live_close(lv), SEGRT_OK);
    segrt_script_free(sc);
}

static const char *const mail_script =
    "local seg = require 'segrt'\n"
    "seg.segment 'mailable' { purpose = 'email_marketing', where = seg.F.country:eq 'RO' }\n"
    "seg.segment 'big_spenders' { where = seg.E.purchase:sum 'amount' :gt(100000) }\n"
    "seg.segment 'not_mailable' { where = ~seg.member 'mailable' }\n";

static segrt_script *load_mail(segrt_store *s)
{
    segrt_script *sc = NULL;
    if (segrt_script_load_string(s, "mail.lua", mail_script, strlen(mail_script), &sc) != SEGRT_OK)
        fail_msg("load: %s", segrt_errmsg(s));
    return sc;
}

static void test_live_new_contacts_and_consents_are_evaluated(void **state)
{
    tu_fixture *f = *state;
    segrt_script *sc = load_mail(f->s);
    segrt_live *lv = open_live(f->s, sc);
    changes c = { 0 };
    apply(f->s, lv, SEGRT_CONTACTS, "{\"id\":\"new1\",\"country\":\"RO\"}\n", count_change, &c, NULL);
    assert_int_equal(c.n, 1); /* not mailable without consent: enters not_mailable */
    assert_string_equal(c.last, "new1 entered not_mailable");
    apply(f->s, lv, SEGRT_CONSENTS,
          "{\"contact_id\":\"new1\",\"purpose\":\"email_marketing\",\"status\":\"granted\","
          "\"legal_basis\":\"consent\",\"ts\":\"2026-05-01T00:00:00Z\"}\n",
          count_change, &c, NULL);
    assert_int_equal(c.n, 3);
    int in;
    assert_int_equal(segrt_live_contains(lv, "mailable", "new1", &in), SEGRT_OK);
    assert_int_equal(in, 1);
    apply(f->s, lv, SEGRT_CONSENTS,
          "{\"contact_id\":\"new1\",\"purpose\":\"email_marketing\",\"status\":\"withdrawn\","
          "\"legal_basis\":\"consent\",\"ts\":\"2026-05-02T00:00:00Z\"}\n",
          count_change, &c, NULL);
    assert_int_equal(segrt_live_contains(lv, "mailable", "new1", &in), SEGRT_OK);
    assert_int_equal(in, 0);
    apply(f->s, lv, SEGRT_EVENTS,
          "{\"contact_id\":\"new1\",\"ts\":\"2026-05-03T00:00:00Z\",\"type\":\"purchase\","
          "\"amount\":\"100000.01\"}\n",
          count_change, &c, NULL);
    assert_string_equal(c.last, "new1 entered big_spenders");
    assert_int_equal(segrt_live_close(lv), SEGRT_OK);
    segrt_script_free(sc);
}

static const char *const split_script =
    "local seg = require 'segrt'\n"
    "seg.split 'exp' { B = 50, A = 50 }\n"
    "seg.segment 'ro' { where = seg.F.country:eq 'RO' }\n"
    "seg.split 'ro_test' { of = 'ro', t = 30 }\n"
    "seg.segment 'ro_t_a' { where = seg.member 'ro_test.t' & seg.member 'exp.A' }\n";

/* Every change reported, "id entered|left segment" a line. */
static int note_change(void *ud, const char *id, const char *segment, int entered)
{
    char *log = ud;
    size_t used = strlen(log);
    snprintf(log + used, 1024 - used, "%s %s %s\n", id, entered ? "entered" : "left", segment);
    return 0;
}

static void test_live_split_arms_take_new_contacts_by_their_hash(void **state)
{
    tu_fixture *f = *state;
    char path[TU_PATH_MAX], id[16] = "", rows[128], want[1024], log[1024] = "";
    segrt_script *sc;
    segrt_live *lv = open_checked(f, "split.lua", split_script, path, &sc);
    for (int i = 0; i < 1000 && id[0] == '\0'; i++) { /* a new id in ro_test.t and exp.A */
        snprintf(id, sizeof id, "new%d", i);
        if (plan_split_bucket("ro_test", 7, id, strlen(id)) >= 30 ||
            plan_split_bucket("exp", 3, id, strlen(id)) >= 50)
            id[0] = '\0';
    }
    assert_true(id[0] != '\0');
    snprintf(rows, sizeof rows, "{\"id\":\"%s\",\"country\":\"RO\"}\n", id);
    apply(f->s, lv, SEGRT_CONTACTS, rows, note_change, log, NULL);
    snprintf(want, sizeof want, "%s entered exp.A\n%s entered ro\n%s entered ro_test.t\n"
             "%s entered ro_t_a\n", id, id, id, id);
    assert_string_equal(log, want);
    assert_equals_fresh(f->s, lv, path);
    assert_int_equal(segrt_live_close(lv), SEGRT_OK);
    segrt_script_free(sc);
}

static const char *const tag_script =
    "local seg = require 'segrt'\n"
    "seg.tag 'big_spender' { where = seg.E.purchase:sum 'amount' :gt(100000) }\n"
    "seg.segment 'tagged' { where = seg.F.tags:contains 'big_spender' }\n";

static void test_live_tag_rules_write_the_tag(void **state)
{
    tu_fixture *f = *state;
    char path[TU_PATH_MAX], log[1024] = "";
    segrt_script *sc;
    segrt_live *lv = open_checked(f, "tag.lua", tag_script, path, &sc);
    int in;
    assert_int_equal(segrt_live_contains(lv, "big_spender", "c0000005", &in), SEGRT_OK);
    assert_int_equal(in, 0);
    apply(f->s, lv, SEGRT_EVENTS,
          "{\"contact_id\":\"c0000005\",\"ts\":\"2026-05-03T00:00:00Z\",\"type\":\"purchase\","
          "\"amount\":\"100000.01\"}\n", note_change, log, NULL);
    /* the rule's segment moves, the tag is written, and what reads the tag follows */
    assert_string_equal(log, "c0000005 entered big_spender\nc0000005 entered tagged\n");
    json_t *tags = tu_contact_field(f->s, "c0000005", "tags");
    size_t i, found = 0;
    json_t *item;
    json_array_foreach(tags, i, item)
        found += strcmp(json_string_value(item), "big_spender") == 0;
    json_decref(tags);
    assert_int_equal(found, 1);
    assert_equals_fresh(f->s, lv, path);
    assert_int_equal(segrt_live_close(lv), SEGRT_OK);
    tu_assert_check_ok(f->s);
    segrt_script_free(sc);
}

static int stop(void *ud, const char *id, const char *segment, int entered)
{
    (void)ud, (void)id, (void)segment, (void)entered;
    return 1;
}

/*
 * Art. 18: a restriction arriving live takes the contact out of every
 * segment without an action (no change is reported: nothing processes it);
 * a lift puts it back, reported as entering.
 */
static void test_live_restricted_contacts_leave_every_segment(void **state)
{
    tu_fixture *f = *state;
    char path[TU_PATH_MAX];
    segrt_script *sc;
    segrt_live *lv = open_checked(f, "mail.lua", mail_script, path, &sc);
    const char *id = "c0000001";
    int was = 0, in;
    for (size_t i = 0; i < segrt_script_segment_count(sc); i++) {
        assert_int_equal(segrt_live_contains(lv, segrt_script_segment_name(sc, i), id, &in),
                         SEGRT_OK);
        was += in;
    }
    assert_true(was > 0); /* mailable or not_mailable at least */
    changes c = { 0 };
    segrt_import_report rep;
    apply(f->s, lv, SEGRT_CONSENTS,
          "{\"contact_id\":\"c0000001\",\"purpose\":\"restriction\",\"status\":\"granted\","
          "\"legal_basis\":\"legal_obligation\",\"ts\":\"2026-05-01T00:00:00Z\"}\n",
          count_change, &c, &rep);
    assert_int_equal(rep.accepted, 1);
    assert_int_equal(c.n, 0); /* it left each segment it was in, unreported */
    for (size_t i = 0; i < segrt_script_segment_count(sc); i++) {
        assert_int_equal(segrt_live_contains(lv, segrt_script_segment_name(sc, i), id, &in),
                         SEGRT_OK);
        assert_int_equal(in, 0);
    }
    assert_equals_fresh(f->s, lv, path);
    c = (changes){ 0 };
    apply(f->s, lv, SEGRT_CONSENTS,
          "{\"contact_id\":\"c0000001\",\"purpose\":\"restriction\",\"status\":\"withdrawn\","
          "\"legal_basis\":\"legal_obligation\",\"ts\":\"2026-05-02T00:00:00Z\"}\n",
          count_change, &c, &rep);
    assert_int_equal(c.n, (size_t)was); /* and came back */
    assert_equals_fresh(f->s, lv, path);
    assert_int_equal(segrt_live_close(lv), SEGRT_OK);
    segrt_script_free(sc);
}

static void test_live_refuses_bad_calls_and_counts_bad_rows(void **state)
{
    tu_fixture *f = *state;
    segrt_script *sc = load_mail(f->s);
    segrt_live *lv = NULL;
    int in = 7;
    uint64_t n;
    assert_int_equal(segrt_live_open(NULL, &lv), SEGRT_EINVAL);
    assert_null(lv);
    lv = open_live(f->s, sc);
    segrt_live *second = NULL; /* it would own the store's sync flag too */
    assert_int_equal(segrt_live_open(sc, &second), SEGRT_EINVAL);
    assert_null(second);
    assert_non_null(strstr(segrt_errmsg(f->s), "already open"));
    assert_int_equal(segrt_live_contains(lv, "nope", "c0000001", &in), SEGRT_ENOTFOUND);
    assert_non_null(strstr(segrt_errmsg(f->s), "nope"));
    assert_int_equal(in, 0);
    assert_int_equal(segrt_live_contains(lv, "mailable", "nobody", &in), SEGRT_ENOTFOUND);
    assert_int_equal(segrt_live_count(lv, "nope", &n), SEGRT_ENOTFOUND);
    assert_int_equal(segrt_live_contains(NULL, "mailable", "c0000001", &in), SEGRT_EINVAL);
    assert_int_equal(segrt_live_apply(lv, (segrt_kind)9, "", 0, NULL, NULL, NULL), SEGRT_EINVAL);
    segrt_import_report rep;
    const char *rows = "{\"contact_id\":\"nobody\",\"ts\":\"2026-05-03T00:00:00Z\",\"type\":\"login\"}\n"
                       "not json\n"
                       "{\"contact_id\":\"c0000001\",\"ts\":\"2026-05-03T00:00:00Z\",\"type\":\"purchase\","
                       "\"amount\":\"200000\"}\n";
    apply(f->s, lv, SEGRT_EVENTS, rows, NULL, NULL, &rep);
    assert_int_equal(rep.rows, 3);
    assert_int_equal(rep.rejected, 2);
    assert_int_equal(rep.accepted, 1);
    assert_int_equal(segrt_live_contains(lv, "big_spenders", "c0000001", &in), SEGRT_OK);
    assert_int_equal(in, 1);
    /* a callback that stops is an error, and the change is kept */
    rows = "{\"contact_id\":\"c0000002\",\"ts\":\"2026-05-03T00:00:00Z\",\"type\":\"purchase\","
           "\"amount\":\"200000\"}\n";
    assert_int_equal(segrt_live_apply(lv, SEGRT_EVENTS, rows, strlen(rows), stop, NULL, NULL),
                     SEGRT_EINVAL);
    assert_int_equal(segrt_live_contains(lv, "big_spenders", "c0000002", &in), SEGRT_OK);
    assert_int_equal(in, 1);
    assert_int_equal(segrt_live_close(lv), SEGRT_OK);
    assert_int_equal(segrt_live_close(NULL), SEGRT_OK);
    segrt_script_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_live_one_contact_equals_the_whole_store_evaluation,
                                        setup, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_live_events_keep_members_equal_to_a_fresh_evaluation,
                                        setup, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_live_every_aggregate_equals_the_whole_store_evaluation,
                                        setup, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_live_extra_attributes_equal_the_whole_store_evaluation,
                                        setup, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_live_new_contacts_and_consents_are_evaluated, setup,
                                        tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_live_restricted_contacts_leave_every_segment, setup,
                                        tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_live_refuses_bad_calls_and_counts_bad_rows, setup,
                                        tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_live_split_arms_take_new_contacts_by_their_hash,
                                        setup, tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_live_tag_rules_write_the_tag, setup,
                                        tu_teardown_store),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
