/*
 * plan_extra.h — extra event attributes (store/evattr.h) in plans: the value
 * of a dotted path ("coupon", "campaign.id") in an event's extra JSON, read
 * as its registered type in the plan's domain (numbers in micro-units,
 * dates and timestamps in seconds, booleans 0/1).
 *
 * Extra attributes are not projected: a plan that names one reads, for the
 * events of a projection part, each contact's timeline once (a contact's
 * events are contiguous in a part) and parses each event's JSON. The cost
 * is in proportion to the events of the type and is paid only by plans
 * that name an extra attribute.
 */
#ifndef SEGRT_PLAN_EXTRA_H
#define SEGRT_PLAN_EXTRA_H

#include "plan/plan.h"

#include <stddef.h>
#include <stdint.h>

/*
 * The value of path (type t) in the extra JSON json[0..n): VALUE_MISSING
 * when absent or not of that type; a string attribute reads as 1 when the
 * event has a string there (what :present() and :missing() test).
 */
int64_t plan_extra_value(const char *json, size_t n, const char *path, segrt_type t);
/* Whether the string predicate p (P_CMP, P_BETWEEN, P_ONE_OF over an extra string) holds. */
int plan_extra_string_holds(const pnode *p, const char *json, size_t n);
/* Whether node a is an extra attribute holding strings (tested per event, without codes). */
int plan_extra_is_string(const pnode *a);

/* What plan_extra_scan calls for event i of a part, with its extra JSON (n may be 0). */
typedef void (*plan_extra_fn)(void *ud, size_t i, const char *json, size_t n);
/*
 * Call fn for each event in the spans of part, in order, with its extra
 * JSON read from its contact's timeline as of cx->txn. SEGRT_OK, or an
 * error recorded on cx->s (a timeline shorter than the projection says is
 * corrupt).
 */
int plan_extra_scan(plan_ctx *cx, const projection *part, plan_extra_fn fn, void *ud);
/*
 * The values of extra attribute (path, t) for every event of part into
 * out[0..part->n) (VALUE_MISSING outside the spans).
 */
int plan_extra_column(plan_ctx *cx, const projection *part, const char *path, segrt_type t,
                      int64_t *out);

#endif
