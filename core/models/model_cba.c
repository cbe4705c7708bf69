/*
 * model_cba.c — the customer-base summary the customer-base model kinds
 * (bgnbd, gammagamma) fit: per contact, the frequency, recency, age and
 * mean repeat value of one event type up to the observation end (cba.h),
 * restricted to the live contacts of the evaluation (so a profiling model
 * fits only the contacts it may score).
 *
 * Settings read: event (default "purchase"), unit_days (default 7), obs_end
 * ("YYYY-MM-DDTHH:MM:SSZ", default NOW).
 */
#include "models/cba.h"
#include "models/model.h"
#include "store/projection.h"

#include <math.h>
#include <stdlib.h>

static int obs_end_of(plan_ctx *cx, const tree *model, int64_t *end)
{
    const char *text = tree_get_string(model, "obs_end");
    *end = cx->now;
    if (text && segrt_time_parse(text, end) != SEGRT_OK)
        return plan_fail(cx, tree_get_string(model, "loc"), "obs_end '%s' is not "
                         "YYYY-MM-DDTHH:MM:SSZ", text);
    return SEGRT_OK;
}

int model_cba_rows(plan_ctx *cx, const tree *model, const char *kind, struct cba_row **out,
                   double *unit_days)
{
    *out = NULL;
    *unit_days = model_number(model, "unit_days", 7);
    uint32_t type;
    int64_t end;
    int rc = model_event_type(cx, model, &type);
    if (rc == SEGRT_OK)
        rc = obs_end_of(cx, model, &end);
    if (rc != SEGRT_OK)
        return rc;
    if (!(*unit_days > 0))
        return plan_fail(cx, kind, "unit_days must be positive");
    projection_set ev;
    if ((rc = projection_get(cx->s, cx->txn, type, &ev)) != SEGRT_OK)
        return rc;
    size_t n = cx->ncontacts;
    cba_row *rows = calloc(n ? n : 1, sizeof *rows);
    rc = rows ? SEGRT_OK : store_fail(cx->s, SEGRT_ENOMEM, "out of memory fitting %s", kind);
    for (size_t k = 0; k < ev.nparts && rc == SEGRT_OK; k++) {
        const projection *part = &ev.part[k];
        for (size_t j = 0; j < part->nspan && rc == SEGRT_OK; j++) {
            size_t lo = part->span[j].lo, m = part->span[j].hi - lo;
            /* (a part without amounts: purchases of no value) */
            const int64_t *amount = part->amount ? part->amount + lo : NULL;
            rc = cba_summary_add(part->ord + lo, part->ts + lo, amount, m, (uint32_t)n,
                                 end, (int64_t)llround(*unit_days * 86400), rows);
        }
    }
    projection_release(&ev);
    for (size_t i = 0; i < n && rc == SEGRT_OK; i++) /* fitted over the live contacts only */
        rows[i].has_purchase &= bitset_test(cx->live, (uint32_t)i);
    if (rc != SEGRT_OK) {
        free(rows);
        return rc == SEGRT_ENOMEM ? store_fail(cx->s, rc, "out of memory fitting %s", kind) : rc;
    }
    *out = rows;
    return SEGRT_OK;
}
