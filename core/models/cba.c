/*
 * cba.c — the per-contact customer-base summary (see cba.h).
 *
 * Reference: lifetimes/utils.py, summary_data_from_transaction_data and
 * _find_first_transactions (paraphrased in shared/data/cdnow/SOURCE.md):
 * floor every timestamp and the observation end to the period, drop what
 * falls after the end, collapse a customer's rows of one period into one
 * purchase with the values added, then frequency = periods - 1,
 * recency = last - first, T = end - first, monetary = mean of the period
 * totals without the first one.
 *
 * One pass over the events; the arrays are checked first so a bad input
 * leaves out untouched. Uses: segrt.h, value.h.
 */
#include "models/cba.h"

#include "segrt.h"
#include "util/value.h"

#include <string.h>

#define DAY_SECS INT64_C(86400)

/* The UTC day of a unix time, rounding towards minus infinity. */
static int64_t day_of(int64_t ts)
{
    int64_t d = ts / DAY_SECS;
    return ts % DAY_SECS < 0 ? d - 1 : d;
}

/*
 * A sum of micro-units: exact in int64 while it fits; what would overflow
 * goes to a double instead (only sums beyond 9.2e12 units get there).
 */
typedef struct money {
    int64_t exact;
    double spill;
} money;

static void money_add(money *m, int64_t v)
{
    int64_t s;
    if (__builtin_add_overflow(m->exact, v, &s))
        m->spill += (double)v;
    else
        m->exact = s;
}

static void money_add_money(money *m, const money *v)
{
    money_add(m, v->exact);
    m->spill += v->spill;
}

/* SEGRT_OK when the arrays are usable: contacts in range, sorted by (ord, ts). */
static int check_events(const uint32_t *ord, const int64_t *ts, size_t n, uint32_t ncontacts)
{
    if (n > 0 && (ord == NULL || ts == NULL))
        return SEGRT_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (ord[i] >= ncontacts)
            return SEGRT_EINVAL;
        if (i > 0 && (ord[i] < ord[i - 1] || (ord[i] == ord[i - 1] && ts[i] < ts[i - 1])))
            return SEGRT_EINVAL;
    }
    return SEGRT_OK;
}

/* The summary of one contact's events [i, j) (sorted by ts) into *row. */
static void summarise_contact(const int64_t *ts, const int64_t *amount, size_t i, size_t j,
                              int64_t end_day, double unit, cba_row *row)
{
    if (i == j || day_of(ts[i]) > end_day)
        return; /* no purchase on or before the end: the zero row */
    int64_t first = day_of(ts[i]), day = first;
    int64_t repeat_days = 0;
    money today = { 0, 0.0 }, repeats = { 0, 0.0 };
    for (size_t k = i; k < j; k++) {
        int64_t d = day_of(ts[k]);
        if (d > end_day)
            break; /* sorted by ts: the rest are later still */
        if (d != day) {
            if (day != first)
                money_add_money(&repeats, &today);
            today = (money){ 0, 0.0 };
            day = d;
            repeat_days++;
        }
        if (amount && amount[k] != VALUE_MISSING)
            money_add(&today, amount[k]);
    }
    if (day != first)
        money_add_money(&repeats, &today);
    row->has_purchase = 1;
    row->frequency = (double)repeat_days;
    row->recency = (double)(day - first) * (double)DAY_SECS / unit;
    row->T = (double)(end_day - first) * (double)DAY_SECS / unit;
    if (repeat_days > 0)
        row->monetary = ((double)repeats.exact + repeats.spill) /
                        ((double)repeat_days * VALUE_NUMBER_SCALE);
}

/* cba_summary, every row first zeroed when zero is set (else only the events' rows are written). */
static int summarise(const uint32_t *ord, const int64_t *ts, const int64_t *amount, size_t n,
                     uint32_t ncontacts, int64_t obs_end, int64_t unit_secs, cba_row *out, int zero)
{
    if (unit_secs <= 0 || (ncontacts > 0 && out == NULL))
        return SEGRT_EINVAL;
    int rc = check_events(ord, ts, n, ncontacts);
    if (rc != SEGRT_OK)
        return rc;
    if (zero && ncontacts > 0)
        memset(out, 0, (size_t)ncontacts * sizeof *out);
    int64_t end_day = day_of(obs_end);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && ord[j] == ord[i])
            j++;
        summarise_contact(ts, amount, i, j, end_day, (double)unit_secs, &out[ord[i]]);
        i = j;
    }
    return SEGRT_OK;
}

int cba_summary(const uint32_t *ord, const int64_t *ts, const int64_t *amount, size_t n,
                uint32_t ncontacts, int64_t obs_end, int64_t unit_secs, cba_row *out)
{
    return summarise(ord, ts, amount, n, ncontacts, obs_end, unit_secs, out, 1);
}

int cba_summary_add(const uint32_t *ord, const int64_t *ts, const int64_t *amount, size_t n,
                    uint32_t ncontacts, int64_t obs_end, int64_t unit_secs, cba_row *out)
{
    return summarise(ord, ts, amount, n, ncontacts, obs_end, unit_secs, out, 0);
}
