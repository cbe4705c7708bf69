/*
 * cba.h — customer-base analysis: the per-contact RFM summary that the
 * buy-till-you-die models take as input (frequency, recency, age T and the
 * mean repeat spend), computed exactly as the `lifetimes` Python package's
 * summary_data_from_transaction_data does with freq = 'D' and
 * freq_multiplier = unit_secs / 1 day (see shared/data/cdnow/SOURCE.md).
 *
 * Pure computation over one event type's projection arrays (projection.h);
 * no store, no allocation. Uses: segrt.h (error codes), value.h.
 */
#ifndef SEGRT_CBA_H
#define SEGRT_CBA_H

#include <stddef.h>
#include <stdint.h>

/* One contact's summary. Durations are in units of unit_secs. */
typedef struct cba_row {
    double frequency; /* purchase days - 1: the repeat purchases */
    double recency;   /* last purchase day - first purchase day */
    double T;         /* observation end day - first purchase day (the contact's age) */
    double monetary;  /* mean per-day total over the repeat days (amount units, not
                       * micro-units); 0 when frequency is 0 */
    int has_purchase; /* 0: no event on or before the observation end; the rest is 0 */
} cba_row;

/*
 * Summarise the events (ord[i], ts[i], amount[i]), i < n, sorted by
 * (ord, ts), into out[0 .. ncontacts) (every row is written).
 *
 * Timestamps (unix seconds) and obs_end are floored to their UTC day; events
 * on a day after obs_end's are left out. A contact's events on one day are
 * one purchase whose amount is their sum: amounts are micro-units
 * (VALUE_NUMBER_SCALE) summed exactly as int64, and VALUE_MISSING counts as
 * 0 (the event still makes a purchase day). recency and T are day
 * differences times 86400 / unit_secs (unit_secs = 7 * 86400: weeks).
 *
 * amount may be NULL: no event has one (an event type without amounts).
 *
 * SEGRT_OK; SEGRT_EINVAL (out untouched) when unit_secs <= 0, an ord is
 * >= ncontacts, the events are not sorted by (ord, ts), or ord, ts or out is
 * NULL while its count is not 0.
 */
int cba_summary(const uint32_t *ord, const int64_t *ts, const int64_t *amount, size_t n,
                uint32_t ncontacts, int64_t obs_end, int64_t unit_secs, cba_row *out);
/*
 * cba_summary for events that come in pieces (the spans of a projection's
 * parts): only the rows of the events' contacts are written, so out must
 * be zeroed first, and each contact's events must all be in one call.
 */
int cba_summary_add(const uint32_t *ord, const int64_t *ts, const int64_t *amount, size_t n,
                    uint32_t ncontacts, int64_t obs_end, int64_t unit_secs, cba_row *out);

#endif
