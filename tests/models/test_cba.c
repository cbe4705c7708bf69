/*
 * test_cba.c — unit tests of cba.c, the customer-base summary: all 2,357
 * customers of the CDNOW 1/10 sample against lifetimes' reference summary
 * (shared/data/cdnow, see its SOURCE.md), then small hand-made cases:
 * same-day purchases, the observation end, missing and exact amounts, no
 * purchase, a single purchase, days before 1970, other units, and inputs
 * that are refused; and the sample summarised in pieces (cba_summary_add),
 * as the parts of a projection give it.
 *
 * The shared data directory is $SEGRT_SHARED, else ../shared next to the
 * source tree (SEGRT_SOURCE_DIR/..), as in the CI checkout.
 *
 * Uses: cmocka, cba.h, value.h (dates and amounts of the sample).
 */
#include <math.h>
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

#include "models/cba.h"
#include "util/value.h"

#define DAY INT64_C(86400)
#define WEEK (7 * DAY)
#define CDNOW_CUSTOMERS 2357

/* ------------------------------------------------------------ the CDNOW files */


static FILE *open_cdnow(const char *name)
{
    char path[TU_PATH_MAX];
    FILE *f = fopen(tu_cdnow_path(path, sizeof path, name), "rb");
    if (f == NULL)
        fail_msg("cannot open %s (set SEGRT_SHARED to the shared directory)", path);
    return f;
}

typedef struct event {
    uint32_t ord;
    int64_t ts, amount;
} event;

static int cmp_event(const void *pa, const void *pb)
{
    const event *a = pa, *b = pb;
    if (a->ord != b->ord)
        return a->ord < b->ord ? -1 : 1;
    return (a->ts > b->ts) - (a->ts < b->ts);
}

/* The UTC midnight of YYYYMMDD. */
static int64_t midnight(const char *yyyymmdd)
{
    unsigned y, m, d;
    assert_int_equal(sscanf(yyyymmdd, "%4u%2u%2u", &y, &m, &d), 3);
    return value_days_from_civil(y, m, d) * DAY;
}

/*
 * CDNOW_sample.txt as events (ord = sample id - 1, ts = the day's midnight,
 * amount = dollars in micro-units) sorted by (ord, ts); the count in *n.
 */
static event *read_sample(size_t *n)
{
    FILE *f = open_cdnow("CDNOW_sample.txt");
    size_t cap = 8192;
    event *ev = malloc(cap * sizeof *ev);
    assert_non_null(ev);
    *n = 0;
    char line[256], date[16], dollars[32];
    unsigned id_total, id_sample, cds;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%u %u %15s %u %31s", &id_total, &id_sample, date, &cds, dollars) != 5)
            fail_msg("CDNOW_sample.txt: cannot read \"%s\"", line);
        assert_true(id_sample >= 1 && id_sample <= CDNOW_CUSTOMERS);
        assert_true(*n < cap);
        event *e = &ev[(*n)++];
        e->ord = id_sample - 1;
        e->ts = midnight(date);
        assert_int_equal(value_parse_number(dollars, strlen(dollars), &e->amount), 0);
    }
    fclose(f);
    qsort(ev, *n, sizeof *ev, cmp_event);
    return ev;
}

/* Split the events into the three arrays of a projection. */
static void split(const event *ev, size_t n, uint32_t **ord, int64_t **ts, int64_t **amount)
{
    *ord = malloc((n ? n : 1) * sizeof **ord);
    *ts = malloc((n ? n : 1) * sizeof **ts);
    *amount = malloc((n ? n : 1) * sizeof **amount);
    assert_true(*ord && *ts && *amount);
    for (size_t i = 0; i < n; i++) {
        (*ord)[i] = ev[i].ord;
        (*ts)[i] = ev[i].ts;
        (*amount)[i] = ev[i].amount;
    }
}

/* got equals the 2-decimal reference want (ties of the rounding either way). */
static void assert_2dp(double got, double want, const char *what, unsigned id)
{
    if (!(fabs(got - want) <= 0.005 + 1e-9))
        fail_msg("customer %u: %s = %.6f, reference %.2f", id, what, got, want);
}

static void test_cba_matches_lifetimes_on_every_cdnow_customer(void **state)
{
    (void)state;
    size_t n;
    event *ev = read_sample(&n);
    assert_int_equal(n, 6919);
    uint32_t *ord;
    int64_t *ts, *amount;
    split(ev, n, &ord, &ts, &amount);
    cba_row *rows = malloc(CDNOW_CUSTOMERS * sizeof *rows);
    assert_non_null(rows);
    int64_t obs_end = midnight("19970930");
    assert_int_equal(cba_summary(ord, ts, amount, n, CDNOW_CUSTOMERS, obs_end, WEEK, rows),
                     SEGRT_OK);

    FILE *f = open_cdnow("cdnow_customers_summary_with_transactions.csv");
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    assert_int_equal(strncmp(line, "ID,x,t_x,T,zbar", 15), 0);
    unsigned id, seen = 0, repeaters = 0;
    double x, t_x, T, zbar, sum_x = 0;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%u,%lf,%lf,%lf,%lf", &id, &x, &t_x, &T, &zbar) != 5)
            fail_msg("summary: cannot read \"%s\"", line);
        assert_true(id >= 1 && id <= CDNOW_CUSTOMERS);
        const cba_row *w = &rows[id - 1];
        if (!w->has_purchase)
            fail_msg("customer %u has no purchase", id);
        if (w->frequency != x)
            fail_msg("customer %u: frequency %.0f, reference %.0f", id, w->frequency, x);
        assert_2dp(w->recency, t_x, "recency", id);
        assert_2dp(w->T, T, "T", id);
        assert_2dp(w->monetary, zbar, "monetary", id);
        seen++;
        repeaters += w->frequency > 0;
        sum_x += w->frequency;
    }
    fclose(f);
    assert_int_equal(seen, CDNOW_CUSTOMERS);
    /* SOURCE.md's figures. */
    assert_int_equal(repeaters, 946);
    assert_true(sum_x == 2457);
    free(rows);
    free(ord);
    free(ts);
    free(amount);
    free(ev);
}

static void test_cba_in_pieces_equals_the_whole(void **state)
{
    (void)state;
    size_t n;
    event *ev = read_sample(&n);
    uint32_t *ord;
    int64_t *ts, *amount;
    split(ev, n, &ord, &ts, &amount);
    cba_row *whole = malloc(CDNOW_CUSTOMERS * sizeof *whole),
            *pieces = calloc(CDNOW_CUSTOMERS, sizeof *pieces);
    assert_true(whole && pieces);
    int64_t obs_end = midnight("19970930");
    assert_int_equal(cba_summary(ord, ts, amount, n, CDNOW_CUSTOMERS, obs_end, WEEK, whole),
                     SEGRT_OK);
    /* Pieces of about 500 events cut between customers, the last piece first. */
    size_t cut[64], ncut = 0;
    cut[ncut++] = 0;
    for (size_t i = 500; i < n && ncut < 63; i++) {
        if (ord[i] != ord[i - 1] && i - cut[ncut - 1] >= 500)
            cut[ncut++] = i;
    }
    cut[ncut] = n;
    for (size_t k = ncut; k-- > 0;) {
        size_t lo = cut[k], m = cut[k + 1] - lo;
        assert_int_equal(cba_summary_add(ord + lo, ts + lo, amount + lo, m, CDNOW_CUSTOMERS,
                                         obs_end, WEEK, pieces),
                         SEGRT_OK);
    }
    assert_true(ncut > 5);
    assert_memory_equal(whole, pieces, CDNOW_CUSTOMERS * sizeof *whole);
    /* A piece only writes the rows of its customers, and refuses what cba_summary refuses. */
    cba_row untouched;
    memset(&untouched, 0x5a, sizeof untouched);
    memset(pieces, 0, CDNOW_CUSTOMERS * sizeof *pieces);
    pieces[ord[cut[1]]] = untouched;
    assert_int_equal(cba_summary_add(ord, ts, amount, cut[1], CDNOW_CUSTOMERS, obs_end, WEEK,
                                     pieces),
                     SEGRT_OK);
    assert_memory_equal(&pieces[ord[0]], &whole[ord[0]], sizeof *pieces);
    assert_memory_equal(&pieces[ord[cut[1]]], &untouched, sizeof *pieces);
    assert_int_equal(cba_summary_add(ord, ts, amount, n, CDNOW_CUSTOMERS, obs_end, 0, pieces),
                     SEGRT_EINVAL);
    free(whole);
    free(pieces);
    free(ord);
    free(ts);
    free(amount);
    free(ev);
}

/* ------------------------------------------------------------ hand-made cases */

/* 2024-01-01T00:00:00Z and the observation end used below (2024-03-01, noon). */
#define D0 INT64_C(1704067200)
#define END (D0 + 60 * DAY + 12 * 3600)

/* Summarise events into out[ncontacts] with END and weekly units; SEGRT_OK required. */
static void summarise(const event *ev, size_t n, uint32_t ncontacts, int64_t unit,
                      cba_row *out)
{
    uint32_t *ord;
    int64_t *ts, *amount;
    split(ev, n, &ord, &ts, &amount);
    assert_int_equal(cba_summary(ord, ts, amount, n, ncontacts, END, unit, out), SEGRT_OK);
    free(ord);
    free(ts);
    free(amount);
}

#define M(units) ((int64_t)((units) * VALUE_NUMBER_SCALE))

static void test_cba_collapses_purchases_of_one_day(void **state)
{
    (void)state;
    const event ev[] = {
        { 0, D0 + 10 * 3600, M(5) },           /* first day: two events, one purchase */
        { 0, D0 + 18 * 3600, M(7) },
        { 0, D0 + 7 * DAY + 9 * 3600, M(3) }, /* a week later: 3 + 4 */
        { 0, D0 + 7 * DAY + 23 * 3600 + 3599, M(4) },
        { 0, D0 + 14 * DAY, M(10) },           /* midnight starts a new day */
    };
    cba_row w;
    summarise(ev, 5, 1, WEEK, &w);
    assert_int_equal(w.has_purchase, 1);
    assert_true(w.frequency == 2);
    assert_true(w.recency == 2);
    assert_true(fabs(w.T - 60.0 / 7) < 1e-12);
    assert_true(w.monetary == 8.5); /* (7 + 10) / 2: the first day is left out */
}

static void test_cba_drops_days_after_the_observation_end(void **state)
{
    (void)state;
    const event ev[] = {
        { 0, D0, M(1) },
        { 0, D0 + 60 * DAY + 23 * 3600, M(2) }, /* later on END's day: kept */
        { 0, D0 + 61 * DAY, M(100) },           /* the next day: dropped */
        { 1, D0 + 61 * DAY, M(5) },             /* only after the end: no purchase */
        { 2, D0 + 60 * DAY + 1, M(5) },         /* first purchase on END's day: T = 0 */
    };
    cba_row w[3];
    summarise(ev, 5, 3, DAY, w);
    assert_int_equal(w[0].has_purchase, 1);
    assert_true(w[0].frequency == 1 && w[0].recency == 60 && w[0].T == 60);
    assert_true(w[0].monetary == 2);
    assert_int_equal(w[1].has_purchase, 0);
    assert_true(w[1].frequency == 0 && w[1].recency == 0 && w[1].T == 0 && w[1].monetary == 0);
    assert_int_equal(w[2].has_purchase, 1);
    assert_true(w[2].frequency == 0 && w[2].recency == 0 && w[2].T == 0);
}

static void test_cba_counts_a_missing_amount_as_zero_but_as_a_purchase(void **state)
{
    (void)state;
    const event ev[] = {
        { 0, D0, VALUE_MISSING },           /* first day without an amount */
        { 0, D0 + DAY, VALUE_MISSING },     /* a repeat day with none: 0 */
        { 0, D0 + 2 * DAY, M(6) },
        { 0, D0 + 2 * DAY + 60, VALUE_MISSING },
    };
    cba_row w;
    summarise(ev, 4, 1, DAY, &w);
    assert_true(w.frequency == 2 && w.recency == 2 && w.T == 60);
    assert_true(w.monetary == 3);
}

static void test_cba_sums_amounts_exactly(void **state)
{
    (void)state;
    /* 0.1 + 0.1 + 0.1 is 0.30000000000000004 in doubles; in micro-units it is 0.3. */
    const event ev[] = {
        { 0, D0, M(1) },
        { 0, D0 + DAY, 100000 },
        { 0, D0 + DAY + 1, 100000 },
        { 0, D0 + DAY + 2, 100000 },
        { 1, D0, 0 },                       /* negative totals (refunds) are means too */
        { 1, D0 + DAY, -M(2) },
        { 1, D0 + 2 * DAY, M(1) },
        { 2, D0, 0 },                       /* sums beyond int64 micro-units stay close */
        { 2, D0 + DAY, INT64_MAX },
        { 2, D0 + DAY + 1, INT64_MAX },
    };
    cba_row w[3];
    summarise(ev, 10, 3, DAY, w);
    assert_true(w[0].monetary == 0.3);
    assert_true(w[1].monetary == -0.5);
    assert_true(fabs(w[2].monetary / (2.0 * (double)INT64_MAX / VALUE_NUMBER_SCALE) - 1) < 1e-15);
}

static void test_cba_gives_a_zero_row_to_a_contact_without_events(void **state)
{
    (void)state;
    const event ev[] = { { 1, D0, M(1) }, { 1, D0 + DAY, M(2) } };
    cba_row w[3];
    memset(w, 0x5a, sizeof w); /* every row is written */
    summarise(ev, 2, 3, DAY, w);
    for (int i = 0; i < 3; i += 2) {
        assert_int_equal(w[i].has_purchase, 0);
        assert_true(w[i].frequency == 0 && w[i].recency == 0 && w[i].T == 0 &&
                    w[i].monetary == 0);
    }
    assert_int_equal(w[1].has_purchase, 1);
    assert_true(w[1].frequency == 1);
}

static void test_cba_of_a_single_purchase_has_no_frequency_or_monetary(void **state)
{
    (void)state;
    const event ev[] = { { 0, D0 + 3 * DAY + 5, M(42) } };
    cba_row w;
    summarise(ev, 1, 1, WEEK, &w);
    assert_int_equal(w.has_purchase, 1);
    assert_true(w.frequency == 0 && w.recency == 0 && w.monetary == 0);
    assert_true(fabs(w.T - 57.0 / 7) < 1e-12);
}

static void test_cba_floors_days_before_1970_and_takes_any_unit(void **state)
{
    (void)state;
    /* 1969-12-31T23:00 and 1970-01-01T01:00 are two days; the end 1970-01-03T00:00. */
    const uint32_t ord[] = { 0, 0 };
    const int64_t ts[] = { -3600, 3600 }, amount[] = { M(1), M(2) };
    cba_row w;
    assert_int_equal(cba_summary(ord, ts, amount, 2, 1, 2 * DAY, 12 * 3600, &w), SEGRT_OK);
    assert_true(w.frequency == 1);
    assert_true(w.recency == 2); /* one day in half-day units */
    assert_true(w.T == 6);       /* 1969-12-31 .. 1970-01-03: three days */
    /* An end before 1970 is floored too: 1969-12-31T12:00 keeps the 23:00 event. */
    assert_int_equal(cba_summary(ord, ts, amount, 2, 1, -12 * 3600, DAY, &w), SEGRT_OK);
    assert_true(w.has_purchase == 1 && w.frequency == 0 && w.T == 0);
}

static void test_cba_refuses_unsorted_or_out_of_range_events(void **state)
{
    (void)state;
    const uint32_t ord[] = { 0, 1, 1 }, bad_ord[] = { 1, 0, 0 };
    const int64_t ts[] = { 5, 7, 6 }, sorted_ts[] = { 5, 6, 7 }, amount[] = { 1, 2, 3 };
    cba_row w[2], before[2];
    memset(w, 0x5a, sizeof w);
    memcpy(before, w, sizeof w);
    /* ts not ascending within contact 1 */
    assert_int_equal(cba_summary(ord, ts, amount, 3, 2, 100, DAY, w), SEGRT_EINVAL);
    /* contacts not ascending */
    assert_int_equal(cba_summary(bad_ord, sorted_ts, amount, 3, 2, 100, DAY, w), SEGRT_EINVAL);
    /* ord 1 with a single contact */
    assert_int_equal(cba_summary(ord, sorted_ts, amount, 3, 1, 100, DAY, w), SEGRT_EINVAL);
    assert_int_equal(cba_summary(ord, sorted_ts, amount, 3, 2, 100, 0, w), SEGRT_EINVAL);
    assert_int_equal(cba_summary(ord, sorted_ts, amount, 3, 2, 100, DAY, NULL), SEGRT_EINVAL);
    assert_int_equal(cba_summary(NULL, sorted_ts, amount, 3, 2, 100, DAY, w), SEGRT_EINVAL);
    assert_memory_equal(w, before, sizeof w);
    /* No events and no contacts is fine; so are contacts without events. */
    assert_int_equal(cba_summary(NULL, NULL, NULL, 0, 0, 100, DAY, NULL), SEGRT_OK);
    assert_int_equal(cba_summary(NULL, NULL, NULL, 0, 2, 100, DAY, w), SEGRT_OK);
    assert_int_equal(w[0].has_purchase + w[1].has_purchase, 0);
    /* no amounts at all: purchases of no value, as VALUE_MISSING ones are */
    assert_int_equal(cba_summary(ord, sorted_ts, NULL, 3, 2, 100 * DAY, DAY, w), SEGRT_OK);
    assert_int_equal(w[0].has_purchase + w[1].has_purchase, 2);
    assert_true(w[1].frequency == 0 && w[1].monetary == 0); /* ts 6 and 7: one day */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cba_matches_lifetimes_on_every_cdnow_customer),
        cmocka_unit_test(test_cba_in_pieces_equals_the_whole),
        cmocka_unit_test(test_cba_collapses_purchases_of_one_day),
        cmocka_unit_test(test_cba_drops_days_after_the_observation_end),
        cmocka_unit_test(test_cba_counts_a_missing_amount_as_zero_but_as_a_purchase),
        cmocka_unit_test(test_cba_sums_amounts_exactly),
        cmocka_unit_test(test_cba_gives_a_zero_row_to_a_contact_without_events),
        cmocka_unit_test(test_cba_of_a_single_purchase_has_no_frequency_or_monetary),
        cmocka_unit_test(test_cba_floors_days_before_1970_and_takes_any_unit),
        cmocka_unit_test(test_cba_refuses_unsorted_or_out_of_range_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
