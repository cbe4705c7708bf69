/*
 * report_growth.c — the growth of the whole base in a segment report
 * (report.h): how many of the live contacts at NOW had joined by the end of
 * each month (each year when that is more than REPORT_GROWTH_MAX months).
 *
 * A contact joined at its created_at (the field the report names, a date or
 * timestamp) when the store has that field and the contact a value, else at
 * its first event. A contact with neither is counted apart, as is one that
 * joined after NOW (a created_at in the future).
 *
 * Uses: plan.h (the field's values), report_events_foreach (first events),
 * schema.h, value.h.
 */
#include "output/report.h"

#include "plan/plan.h"
#include "store/projection.h"
#include "store/schema.h"
#include "util/value.h"

#include <stdlib.h>
#include <string.h>

#define DAY INT64_C(86400)

/*
 * joined[i] = contact i's value of the growth field in seconds, or VALUE_MISSING; *found
 * when the store has the field. Only a field asked for by name must exist.
 */
static int created_at(plan_ctx *cx, const segrt_report *r, int64_t *joined, int *found)
{
    const char *name = r->growth_field;
    const field_def *f = schema_find(cx->s->schema, name, strlen(name));
    *found = f && (f->type == SEGRT_T_DATE || f->type == SEGRT_T_TIMESTAMP);
    if (!*found && r->opts.growth_field)
        return store_fail(cx->s, SEGRT_EINVAL, "report: the growth field '%s' is %s", name,
                          f ? "neither a date nor a timestamp" : "no field of the store");
    if (!*found)
        return SEGRT_OK;
    vec v = { 0 };
    pnode *p = plan_compile_name(cx, "field", name, "report");
    int rc = p ? plan_eval_value(cx, p, &v) : SEGRT_ELUA;
    for (uint32_t i = 0; rc == SEGRT_OK && i < cx->ncontacts; i++) {
        int64_t x = vec_at(&v, i);
        joined[i] = x == VALUE_MISSING ? x : f->type == SEGRT_T_DATE ? x * DAY : x;
    }
    vec_free(&v);
    plan_free(p);
    return rc;
}

/* Lower first[] to the time of an event. */
static int note_first(plan_ctx *cx, void *ud, const projection *p, size_t i)
{
    (void)cx;
    int64_t *first = ud;
    uint32_t o = p->ord[i];
    if (first[o] == VALUE_MISSING || p->ts[i] < first[o])
        first[o] = p->ts[i];
    return SEGRT_OK;
}

typedef struct first_job {
    plan_ctx *cx;
    int64_t *first;  /* per contact: its first event's time, or VALUE_MISSING */
} first_job;

static int first_of_type(void *ud, const char *type, uint64_t n)
{
    (void)n;
    first_job *job = ud;
    return report_events_foreach(job->cx, type, note_first, job->first);
}

/* Contacts still without a time in joined get the time of their first event (any type). */
static int first_events(plan_ctx *cx, int64_t *joined)
{
    first_job job = { cx, malloc((cx->ncontacts ? cx->ncontacts : 1) * sizeof *job.first) };
    if (job.first == NULL)
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < cx->ncontacts; i++)
        job.first[i] = VALUE_MISSING;
    int rc = segrt_event_types_foreach(cx->s, first_of_type, &job);
    for (uint32_t i = 0; rc == SEGRT_OK && i < cx->ncontacts; i++) {
        if (joined[i] == VALUE_MISSING)
            joined[i] = job.first[i];
    }
    free(job.first);
    return rc;
}

/* The first second of the month (or year) holding t. */
static int64_t bucket_start(int64_t t, int yearly)
{
    int64_t y;
    unsigned m, d;
    value_civil_from_days(t >= 0 ? t / DAY : (t - DAY + 1) / DAY, &y, &m, &d);
    return value_days_from_civil(y, yearly ? 1 : m, 1) * DAY;
}

/* The start of the bucket after the one starting at t. */
static int64_t bucket_next(int64_t t, int yearly)
{
    int64_t y;
    unsigned m, d;
    value_civil_from_days(t / DAY, &y, &m, &d);
    if (yearly || m == 12)
        return value_days_from_civil(y + 1, 1, 1) * DAY;
    return value_days_from_civil(y, m + 1, 1) * DAY;
}

/* Buckets from the month (or year) of first up to NOW's, each with the contacts joined by its end. */
static int fill(plan_ctx *cx, report_growth *g, const int64_t *joined, int64_t first)
{
    int yearly = 0;
    size_t n = 0;
    for (int64_t t = bucket_start(first, 0); t <= cx->now; t = bucket_next(t, 0))
        n++;
    if (n > REPORT_GROWTH_MAX) {
        yearly = 1;
        n = 0;
        for (int64_t t = bucket_start(first, 1); t <= cx->now; t = bucket_next(t, 1))
            n++;
    }
    g->yearly = yearly;
    g->start = calloc(n ? n : 1, sizeof *g->start);
    g->joined = calloc(n ? n : 1, sizeof *g->joined);
    if (g->start == NULL || g->joined == NULL)
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    g->n = n;
    int64_t t = bucket_start(first, yearly);
    for (size_t k = 0; k < n; k++, t = bucket_next(t, yearly))
        g->start[k] = t;
    for (uint32_t i = 0; i < cx->ncontacts; i++) {
        if (!bitset_test(cx->live, i) || joined[i] == VALUE_MISSING || joined[i] > cx->now)
            continue;
        size_t lo = 0, hi = n; /* the last bucket starting at or before joined[i] */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (g->start[mid] <= joined[i])
                lo = mid;
            else
                hi = mid;
        }
        g->joined[lo]++;
    }
    for (size_t k = 1; k < n; k++)
        g->joined[k] += g->joined[k - 1]; /* cumulative: joined by the bucket's end */
    return SEGRT_OK;
}

int report_growth_build(plan_ctx *cx, segrt_report *r)
{
    report_growth *g = &r->growth;
    int64_t *joined = malloc((cx->ncontacts ? cx->ncontacts : 1) * sizeof *joined);
    if (joined == NULL)
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < cx->ncontacts; i++)
        joined[i] = VALUE_MISSING;
    int found = 0, rc = created_at(cx, r, joined, &found);
    g->by_field = found;
    int some_missing = 0; /* the events are read only for live contacts the field leaves out */
    for (uint32_t i = 0; i < cx->ncontacts && !some_missing; i++)
        some_missing = joined[i] == VALUE_MISSING && bitset_test(cx->live, i);
    if (rc == SEGRT_OK && some_missing)
        rc = first_events(cx, joined);
    int64_t first = INT64_MAX;
    for (uint32_t i = 0; rc == SEGRT_OK && i < cx->ncontacts; i++) {
        if (!bitset_test(cx->live, i))
            continue;
        if (joined[i] == VALUE_MISSING)
            g->unknown++;
        else if (joined[i] > cx->now)
            g->later++;
        else if (joined[i] < first)
            first = joined[i];
    }
    if (rc == SEGRT_OK && first != INT64_MAX)
        rc = fill(cx, g, joined, first);
    free(joined);
    return rc;
}

void report_growth_free(segrt_report *r)
{
    free(r->growth.start);
    free(r->growth.joined);
}
