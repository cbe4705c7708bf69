/*
 * test_report.c — the segment report (core/output/report.h): exact money (sums of
 * amounts with six decimals, the per-member average rounded half away from
 * zero to the cent); the conversion window (after the run, up to and
 * including run + N days, never past NOW, open while it reaches past NOW);
 * email rates of the members sent an email when the store records sends, of
 * all members otherwise, none without email events; the flags at their
 * thresholds; the RFM grid and the overlaps; bad options and an unknown conversion event;
 * text and HTML output (escaping, the size cells).
 *
 * Uses: cmocka, report.h, membership.h, segset.h, segrt.h, test_util.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/membership.h"
#include "output/report.h"
#include "segrt.h"
#include "plan/segset.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define RUN (TU_NOW - 31 * DAY) /* 2025-12-01T00:00:00Z */

static const char contacts_csv[] = "id,grp\n"
                                   "a1,a\n"
                                   "a2,a\n"
                                   "a3,a\n"
                                   "a4,a\n"
                                   "b1,b\n"
                                   "b2,b\n";

/*
 * a1 bought at the run itself (value, not conversion), a2 exactly 30 days
 * after it, a3 one second later, a4 after NOW (neither value nor
 * conversion). Sent emails: a1 and a3 in the 90 days before NOW, b1 before
 * them; a2 opened without a send.
 */
static const char events_csv[] = "contact_id,ts,type,amount\n"
                                 "a1,2025-06-01T00:00:00Z,purchase,10.10\n"
                                 "a1,2025-12-01T00:00:00Z,purchase,20.20\n"
                                 "a2,2025-12-31T00:00:00Z,purchase,0.000001\n"
                                 "a3,2025-12-31T00:00:01Z,purchase,5.00\n"
                                 "a4,2026-01-02T00:00:00Z,purchase,7.00\n"
                                 "b2,2025-12-10T00:00:00Z,purchase,3\n"
                                 "a1,2025-12-15T00:00:00Z,email_sent,\n"
                                 "a1,2025-12-15T01:00:00Z,email_open,\n"
                                 "a2,2025-12-20T00:00:00Z,email_open,\n"
                                 "a3,2025-12-02T00:00:00Z,email_sent,\n"
                                 "a3,2025-12-03T00:00:00Z,email_open,\n"
                                 "a3,2025-12-03T00:01:00Z,email_click,\n"
                                 "b1,2025-09-01T00:00:00Z,email_sent,\n";

static const char segs_lua[] = TU_SEG_PRELUDE
    "require('models.rfm').define {}\n"
    "seg.segment 'as' { description = [[<b>&\"a's\"</b>]], where = F.grp:eq 'a' }\n"
    "seg.segment 'bs' { where = F.grp:eq 'b' }\n"
    "seg.segment 'all' {}\n";

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_seg_data(*state, contacts_csv, events_csv, NULL);
    return 0;
}

/* Store a run of every segment of sc at now, as segrt run does; NOW is TU_NOW again after. */
static void run_at(segrt_store *s, segrt_script *sc, int64_t now)
{
    enum { MAX = 32 };
    size_t n = segrt_script_segment_count(sc);
    const char *names[MAX];
    const bitset *bits[MAX];
    segrt_set *sets[MAX];
    assert_true(n <= MAX);
    segrt_store_set_now(s, now);
    for (size_t i = 0; i < n; i++) {
        names[i] = segrt_script_segment_name(sc, i);
        assert_int_equal(segrt_segment_eval(sc, names[i], &sets[i]), SEGRT_OK);
        bits[i] = &sets[i]->bits;
    }
    int rc = membership_record_run(s, n, names, NULL, bits, NULL);
    if (rc != SEGRT_OK)
        fail_msg("recording a run: %s", segrt_errmsg(s));
    for (size_t i = 0; i < n; i++)
        segrt_set_free(sets[i]);
    segrt_store_set_now(s, TU_NOW);
}

/* The report of sc with the defaults changed by within and max_share (0: keep). */
static segrt_report *report_of(segrt_store *s, segrt_script *sc, uint32_t within, double max_share)
{
    segrt_report_opts o;
    segrt_report_defaults(&o);
    o.min_size = 4;
    if (within)
        o.within_days = within;
    if (max_share > 0)
        o.max_share = max_share;
    segrt_report *r = NULL;
    int rc = segrt_report_build(sc, &o, "segs.lua", &r);
    if (rc != SEGRT_OK)
        fail_msg("segrt_report_build: %s: %s", segrt_errname(rc), segrt_errmsg(s));
    return r;
}

static const report_segment *segment(const segrt_report *r, const char *name)
{
    for (size_t i = 0; i < r->nseg; i++) {
        if (strcmp(r->seg[i].name, name) == 0)
            return &r->seg[i];
    }
    fail_msg("no segment %s in the report", name);
    return NULL;
}

static void assert_money(int64_t micros, const char *want)
{
    char got[32];
    report_money(micros, got);
    assert_string_equal(got, want);
}

/* ------------------------------------------------------------ formatting */

static void test_report_money_is_exact_with_two_to_six_decimals(void **state)
{
    (void)state;
    assert_money(0, "0.00");
    assert_money(1, "0.000001");
    assert_money(30300000, "30.30");
    assert_money(-1234500000, "-1234.50");
    assert_money(35300001, "35.300001");
    assert_money(INT64_MIN + 1, "-9223372036854.775807");
    assert_int_equal(report_average(35300001, 4), 8830000);   /* 8.82500025 -> 8.83 */
    assert_int_equal(report_average(15000, 1), 20000);        /* 0.015 -> 0.02 */
    assert_int_equal(report_average(-15000, 1), -20000);      /* half away from zero */
    assert_int_equal(report_average(14999, 1), 10000);
    assert_int_equal(report_average(100, 0), 0);
    char pct[16];
    report_percent(1, 3, pct);
    assert_string_equal(pct, "33.33%");
    report_percent(0, 0, pct);
    assert_string_equal(pct, "-");
}

/* money in locale loc with currency cur (NULL: the locale's) is want */
static void assert_local(const char *loc, const char *cur, int64_t micros, const char *want)
{
    const report_locale *l = report_locale_find(loc);
    assert_non_null(l);
    segrt_report r = { .locale = l, .currency = (char *)(cur ? cur : l->currency) };
    char got[REPORT_MONEY_LEN];
    report_money_local(&r, micros, got);
    assert_string_equal(got, want);
}

static void test_report_money_local_groups_digits_and_names_the_currency(void **state)
{
    (void)state;
    assert_local("ro", NULL, 3600178260000, "3.600.178,26 lei");
    assert_local("pl", NULL, 3600178260000, "3\xc2\xa0" "600\xc2\xa0" "178,26 zł");
    assert_local("bg", NULL, -1234500000, "-1\xc2\xa0" "234,50 лв.");
    assert_local("en", NULL, 3600178260000, "€3,600,178.26");
    assert_local("en", NULL, -999000000, "-€999.00");
    assert_local("en", "RON", 100000000, "RON100.00");
    assert_local("ro", "", 35300001, "35,300001");
    assert_local("ro", NULL, 0, "0,00 lei");
    assert_local(NULL, NULL, 1234567000000, "1234567.00");
    assert_null(report_locale_find("de"));
}

/* ------------------------------------------------------------ numbers */

static void test_report_value_sums_amounts_up_to_now_exactly(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "segs", segs_lua);
    segrt_report *r = report_of(s, sc, 0, 0);
    assert_int_equal(r->contacts, 6);
    const report_segment *as = segment(r, "as"), *bs = segment(r, "bs");
    assert_int_equal(as->size, 4);
    assert_int_equal(as->value, 35300001); /* 10.10 + 20.20 + 0.000001 + 5.00; not a4's 7 after NOW */
    assert_int_equal(as->value_per_member, 8830000);
    assert_int_equal(bs->value, 3000000);
    assert_int_equal(bs->value_per_member, 1500000);
    assert_int_equal(as->nruns, 0); /* nothing stored yet: no history, no conversion */
    segrt_report_free(r);
    segrt_script_free(sc);
}

static void test_report_conversion_window_after_the_last_run(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "segs", segs_lua);
    run_at(s, sc, RUN - 10 * DAY);
    run_at(s, sc, RUN);
    static const struct {
        uint32_t within;
        uint64_t hits;
        uint32_t days; /* passed at NOW */
    } cases[] = {
        { 30, 1, 30 }, /* a2 at run + 30 days; a1 at the run itself is not after it */
        { 31, 2, 31 }, /* a3 one second later too; the window ends at NOW */
        { 60, 2, 31 }, /* open: counted up to NOW, a4 after NOW is not */
        { 1, 0, 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        segrt_report *r = report_of(s, sc, cases[i].within, 0);
        const report_segment *as = segment(r, "as");
        assert_int_equal(as->nruns, 2);
        assert_int_equal(as->runs[1].now, RUN);
        assert_int_equal(as->conv_base, 4);
        if (as->conv_hits != cases[i].hits || report_conv_days(r, as) != cases[i].days)
            fail_msg("within %u days: %llu converted in %u days, expected %llu in %u",
                     cases[i].within, (unsigned long long)as->conv_hits,
                     report_conv_days(r, as), (unsigned long long)cases[i].hits, cases[i].days);
        segrt_report_free(r);
    }
    /* a run after NOW has no window yet */
    segrt_store_set_now(s, RUN - DAY);
    segrt_report *r = report_of(s, sc, 30, 0);
    assert_int_equal(segment(r, "as")->conv_hits, 0);
    assert_int_equal(report_conv_days(r, segment(r, "as")), 0);
    char *text = NULL;
    assert_int_equal(segrt_report_text(r, &text), SEGRT_OK);
    assert_non_null(strstr(text, "- (run at NOW)"));
    segrt_free(text);
    segrt_report_free(r);
    segrt_script_free(sc);
}

static void test_report_email_rates_are_of_members_sent_an_email(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "segs", segs_lua);
    segrt_report *r = report_of(s, sc, 0, 0);
    assert_true(r->has_email);
    assert_true(r->email_of_sent);
    const report_segment *as = segment(r, "as"), *bs = segment(r, "bs");
    assert_int_equal(as->email_base, 2); /* a1, a3; a2 opened without a send */
    assert_int_equal(as->opened, 2);
    assert_int_equal(as->clicked, 1);
    assert_int_equal(bs->email_base, 0); /* b1's send is older than 90 days */
    segrt_report_free(r);
    segrt_script_free(sc);
}

static void test_report_email_rates_of_all_members_without_sends(void **state)
{
    tu_fixture *f = *state;
    tu_seg_data(f, contacts_csv,
                "contact_id,ts,type\n"
                "a1,2025-12-15T00:00:00Z,email_open\n"
                "a2,2025-12-20T00:00:00Z,email_click\n"
                "a3,2025-01-20T00:00:00Z,email_open\n",
                NULL);
    segrt_script *sc = tu_script(f->s, "segs", TU_SEG_PRELUDE "seg.segment 'as' { where = F.grp:eq 'a' }\n");
    segrt_report *r = report_of(f->s, sc, 0, 0);
    assert_true(r->has_email);
    assert_false(r->email_of_sent);
    const report_segment *as = segment(r, "as");
    assert_int_equal(as->email_base, 4);
    assert_int_equal(as->opened, 1); /* a3's open is older than 90 days */
    assert_int_equal(as->clicked, 1);
    assert_int_equal(as->value, 0); /* no purchases at all, so no conversion either */
    assert_false(r->has_conversion);
    segrt_report_free(r);
    segrt_script_free(sc);
}

static void test_report_no_email_events_means_no_rates(void **state)
{
    tu_fixture *f = *state;
    tu_seg_data(f, contacts_csv, "contact_id,ts,type,amount\na1,2025-12-15T00:00:00Z,purchase,1\n", NULL);
    segrt_script *sc = tu_script(f->s, "segs", TU_SEG_PRELUDE "seg.segment 'as' { where = F.grp:eq 'a' }\n");
    segrt_report *r = report_of(f->s, sc, 0, 0);
    assert_false(r->has_email);
    char *text = NULL;
    assert_int_equal(segrt_report_text(r, &text), SEGRT_OK);
    assert_non_null(strstr(text, "the store has no email_open or email_click events"));
    segrt_free(text);
    segrt_report_free(r);
    segrt_script_free(sc);
}

#define SIZE_FLAGS (REPORT_SMALL | REPORT_BROAD)

static void test_report_flags_at_their_thresholds(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "segs", segs_lua);
    segrt_report *r = report_of(s, sc, 0, 0.5); /* min_size 4 */
    assert_int_equal(segment(r, "as")->flags & SIZE_FLAGS, REPORT_BROAD); /* 4 of 6, not fewer than 4 */
    assert_int_equal(segment(r, "bs")->flags & SIZE_FLAGS, REPORT_SMALL);
    assert_int_equal(segment(r, "all")->flags & SIZE_FLAGS, REPORT_BROAD);
    /* verdicts: grp is filled for all; nobody has a consent record, so no channel reaches anyone */
    assert_int_equal(segment(r, "as")->flags & ~SIZE_FLAGS, REPORT_MEASURABLE | REPORT_SUBSTANTIAL);
    assert_int_equal(segment(r, "bs")->flags & ~SIZE_FLAGS, REPORT_MEASURABLE);
    assert_string_equal(segment(r, "as")->weak_field, "grp");
    assert_int_equal(segment(r, "as")->weak_filled, 6);
    assert_null(segment(r, "all")->weak_field);
    for (size_t c = 0; c < r->channels.n; c++) /* the purposes the script's consents define */
        assert_int_equal(segment(r, "all")->why[c][CW_NO_RECORD], 6);
    assert_int_equal(segment(r, "all")->reachable, 0);
    segrt_report_free(r);
    r = report_of(s, sc, 0, 1.0);
    assert_int_equal(segment(r, "as")->flags & SIZE_FLAGS, 0);
    assert_int_equal(segment(r, "all")->flags & SIZE_FLAGS, 0); /* 6 of 6 is not more than all */
    segrt_report_free(r);
    segrt_script_free(sc);
}

/* Where segment name is in the overlap matrix of the segments outside exclusive groups. */
static size_t ov_index(const segrt_report *r, const char *name)
{
    for (size_t i = 0; i < r->nov; i++) {
        if (strcmp(r->seg[r->ov[i]].name, name) == 0)
            return i;
    }
    fail_msg("%s is not in the overlap matrix", name);
    return 0;
}

/* The group of cell (R, F) in models/rfm.lua's map, written out independently. */
static const char *rfm_group(int R, int F)
{
    if (R >= 3 && F >= 4)
        return R == 5 ? "champions" : "loyal";
    if (R <= 2)
        return F == 5 ? "cant_lose_them" : F >= 3 ? "at_risk" : "hibernating";
    if (R >= 4 && F >= 2)
        return "potential_loyalist";
    if (F == 1 && R >= 4)
        return R == 5 ? "new" : "promising";
    return F == 3 ? "need_attention" : "about_to_sleep";
}

static void test_report_rfm_grid_and_overlaps(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "segs", segs_lua);
    segrt_report *r = report_of(s, sc, 0, 0);
    assert_int_equal(r->nrfm, 1);
    const report_rfm *g = &r->rfm[0];
    assert_string_equal(g->model, "rfm");
    assert_true(g->has_money);
    uint64_t n = 0;
    int64_t money = 0;
    for (int ri = 0; ri < REPORT_RFM_N; ri++) {
        for (int fi = 0; fi < REPORT_RFM_N; fi++) {
            n += g->n[ri][fi];
            money += g->money[ri][fi];
        }
    }
    assert_int_equal(g->scored, 4); /* a1 a2 a3 b2 bought by NOW */
    /* a cell with contacts is labelled with its group of models/rfm.lua's map; an empty one is not */
    assert_int_equal(g->ngroups, 10);
    for (int ri = 0; ri < REPORT_RFM_N; ri++) {
        for (int fi = 0; fi < REPORT_RFM_N; fi++) {
            if (g->n[ri][fi] == 0) {
                assert_int_equal(g->group[ri][fi], -1);
                continue;
            }
            assert_true(g->group[ri][fi] >= 0);
            assert_string_equal(g->groups[g->group[ri][fi]], rfm_group(ri + 1, fi + 1));
        }
    }
    assert_int_equal(n, 4);
    assert_int_equal(money, 38300001);
    /* overlaps: as and bs are disjoint, all holds both */
    size_t ia = ov_index(r, "as"), ib = ov_index(r, "bs"), iall = ov_index(r, "all");
    assert_int_equal(r->overlap[ia * r->nov + ib], 0);
    assert_int_equal(r->overlap[ia * r->nov + iall], 4);
    assert_int_equal(r->overlap[iall * r->nov + iall], 6);
    /* the RFM groups are one exclusive group, outside the overlap matrix */
    assert_int_equal(r->ngroups, 1);
    assert_string_equal(r->groups[0].name, "rfm");
    assert_int_equal(r->groups[0].nseg, 10);
    assert_int_equal(r->nov, r->nseg - 10);
    uint64_t in_group = 0;
    for (size_t k = 0; k < r->groups[0].nseg; k++) {
        const report_segment *part = &r->seg[r->groups[0].seg[k]];
        assert_string_equal(part->group, "rfm");
        in_group += part->size;
    }
    assert_int_equal(r->groups[0].members, in_group);
    assert_int_equal(in_group, 4);
    segrt_report_free(r);
    segrt_script_free(sc);
}

/* ------------------------------------------------------------ growth */

static void test_report_growth_counts_contacts_by_their_first_event(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "segs", segs_lua);
    segrt_report *r = report_of(s, sc, 0, 0);
    const report_growth *g = &r->growth;
    /* no created_at: a1 2025-06-01, b1 09-01, a3 12-02, b2 12-10, a2 12-20; a4 after NOW */
    static const uint64_t want[] = { 1, 1, 1, 2, 2, 2, 5, 5 };
    assert_false(g->by_field);
    assert_false(g->yearly);
    assert_int_equal(g->n, 8);
    char day[21];
    segrt_time_format(g->start[0], day);
    assert_string_equal(day, "2025-06-01T00:00:00Z");
    segrt_time_format(g->start[7], day);
    assert_string_equal(day, "2026-01-01T00:00:00Z");
    for (size_t k = 0; k < 8; k++)
        assert_int_equal(g->joined[k], want[k]);
    assert_int_equal(g->unknown, 0);
    assert_int_equal(g->later, 1);
    segrt_report_free(r);
    /* a growth field asked for by name must be a date or timestamp field */
    segrt_report_opts o;
    segrt_report_defaults(&o);
    o.growth_field = "grp";
    assert_int_equal(segrt_report_build(sc, &o, NULL, &r), SEGRT_EINVAL);
    tu_assert_errmsg(s, "the growth field 'grp' is neither a date nor a timestamp");
    o.growth_field = "signup";
    assert_int_equal(segrt_report_build(sc, &o, NULL, &r), SEGRT_EINVAL);
    tu_assert_errmsg(s, "the growth field 'signup' is no field of the store");
    assert_null(r);
    segrt_script_free(sc);
}

/* ------------------------------------------------------------ errors */

static void test_report_refuses_bad_options_and_unknown_events(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "segs", segs_lua);
    static char not_a_report;
    segrt_report_opts o;
    segrt_report *r = (segrt_report *)&not_a_report; /* must become NULL */
    segrt_report_defaults(&o);
    o.within_days = 0;
    assert_int_equal(segrt_report_build(sc, &o, NULL, &r), SEGRT_EINVAL);
    assert_null(r);
    tu_assert_errmsg(s, "conversion window of 0 days");
    segrt_report_defaults(&o);
    o.max_share = 0;
    assert_int_equal(segrt_report_build(sc, &o, NULL, &r), SEGRT_EINVAL);
    segrt_report_defaults(&o);
    o.email_days = 40000;
    assert_int_equal(segrt_report_build(sc, &o, NULL, &r), SEGRT_EINVAL);
    segrt_report_defaults(&o);
    o.currency = "a currency name far too long";
    assert_int_equal(segrt_report_build(sc, &o, NULL, &r), SEGRT_EINVAL);
    tu_assert_errmsg(s, "a currency of 28 bytes; give at most 16");
    segrt_report_defaults(&o);
    o.min_reach = 1.5;
    assert_int_equal(segrt_report_build(sc, &o, NULL, &r), SEGRT_EINVAL);
    tu_assert_errmsg(s, "reachable; give 0 to 1");
    segrt_report_defaults(&o);
    o.conversion_event = "purchases";
    assert_int_equal(segrt_report_build(sc, &o, NULL, &r), SEGRT_ENOTFOUND);
    tu_assert_errmsg(s, "the store has no 'purchases' events (did you mean 'purchase'?)");
    assert_int_equal(segrt_report_build(NULL, NULL, NULL, &r), SEGRT_EINVAL);
    char *text = (char *)"x";
    assert_int_equal(segrt_report_text(NULL, &text), SEGRT_EINVAL);
    assert_null(text);
    assert_int_equal(segrt_report_html(NULL, NULL), SEGRT_EINVAL);
    segrt_report_free(NULL);
    segrt_script_free(sc);
}

/* ------------------------------------------------------------ output */

static void test_report_text_and_html_show_the_numbers(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "segs", segs_lua);
    run_at(s, sc, RUN);
    segrt_report *r = NULL;
    assert_int_equal(segrt_report_build(sc, NULL, "<segs>.lua", &r), SEGRT_OK);
    char *text = NULL, *html = NULL;
    assert_int_equal(segrt_report_text(r, &text), SEGRT_OK);
    assert_int_equal(segrt_report_html(r, &html), SEGRT_OK);
    assert_non_null(strstr(text, "Segment report of <segs>.lua"));
    assert_non_null(strstr(text, "35.300001"));
    assert_non_null(strstr(text, "25.00% 1/4")); /* the default 30 days */
    assert_non_null(strstr(text, "▄")); /* one run: a flat sparkline */
    assert_non_null(strstr(html, "<td class=\"size\" data-segment=\"as\">4</td>"));
    assert_non_null(strstr(html, "<td class=\"size\" data-segment=\"all\">6</td>"));
    assert_non_null(strstr(html, "&lt;b&gt;&amp;&quot;a&#39;s&quot;&lt;/b&gt;"));
    assert_non_null(strstr(html, "Segment report: &lt;segs&gt;.lua"));
    assert_null(strstr(html, "<b>&"));
    assert_null(strstr(html, "<script"));
    segrt_free(text);
    segrt_free(html);
    segrt_report_free(r);
    segrt_script_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_money_is_exact_with_two_to_six_decimals),
        cmocka_unit_test(test_report_money_local_groups_digits_and_names_the_currency),
        cmocka_unit_test_setup_teardown(test_report_value_sums_amounts_up_to_now_exactly, setup,
                                        tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_report_conversion_window_after_the_last_run, setup,
                                        tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_report_email_rates_are_of_members_sent_an_email,
                                        setup, tu_teardown_store),
        TU_STORE_TEST(test_report_email_rates_of_all_members_without_sends),
        TU_STORE_TEST(test_report_no_email_events_means_no_rates),
        cmocka_unit_test_setup_teardown(test_report_flags_at_their_thresholds, setup,
                                        tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_report_growth_counts_contacts_by_their_first_event, setup,
                                        tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_report_rfm_grid_and_overlaps, setup,
                                        tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_report_refuses_bad_options_and_unknown_events, setup,
                                        tu_teardown_store),
        cmocka_unit_test_setup_teardown(test_report_text_and_html_show_the_numbers, setup,
                                        tu_teardown_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
