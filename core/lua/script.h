/*
 * script.h — a loaded segment script, as the layers above Lua use it (live
 * sessions, reports, templates): its store, its definitions (a catalog of
 * trees), evaluation sessions, and its Lua hatches (filters, score
 * functions, consent checks) called one contact at a time. No Lua type
 * appears here: the state and the glue are script_lua.h's.
 *
 * Uses: plan.h, segrt.h.
 */
#ifndef SEGRT_SCRIPT_H
#define SEGRT_SCRIPT_H

#include "plan/plan.h"
#include "segrt.h"

struct catalog;

/* The store the script was loaded for. */
segrt_store *script_store(const segrt_script *sc);
/* The script whose evaluation cx is (the hooks' user data, script_eval.c). */
segrt_script *script_of(const plan_ctx *cx);
/* Start a call of the script (the budget and deadline restart), e.g. a REPL line. */
void segrt_script_begin_call(segrt_script *sc);
/* Re-read the segment list (and check the definitions) after more Lua has run. */
int script_refresh_segments(segrt_script *sc);

/* A new copy of the script's definitions (owned by the caller: catalog_free). */
int script_catalog_take(segrt_script *sc, struct catalog **out);
/* The script's definitions as evaluations read them (owned by sc; copied again when stale). */
int script_catalog(segrt_script *sc, const struct catalog **out);

/* A value expression over the live contacts: who has a value, and its range. */
typedef struct value_summary {
    vtype type;
    uint64_t present;
    int64_t min, max; /* in the plan's domain (plan.h) */
    double mean;      /* numbers and durations */
} value_summary;

/* What runs inside a session (script_session): SEGRT_OK or a code recorded on the store. */
typedef int (*script_session_fn)(plan_ctx *cx, void *ud);
/*
 * Run fn inside one evaluation session: one snapshot at NOW, with memos that
 * everything fn evaluates shares (a model is fitted once).
 */
int script_session(segrt_script *sc, script_session_fn fn, void *ud);
/* Inside a session: a score (or model output) by name, summarised, and its values when asked. */
int script_score_summary(plan_ctx *cx, const char *name, value_summary *sum, vec *values);
/* Inside a session: the members of a segment (borrowed until the session ends). */
int script_segment_bits(plan_ctx *cx, const char *name, const bitset **bits);
/* Inside a session: the size of a segment. */
int script_segment_size(plan_ctx *cx, const char *name, uint64_t *size);

/* One contact: the segment's filter hatch (*keep 1 when it has none), and a score fn's value. */
int script_filter_one(plan_ctx *cx, const char *segment, uint32_t ord, int *keep);
int script_score_fn_one(plan_ctx *cx, const pnode *p, uint32_t ord, int64_t *v);
/* Keep in bits the contacts passing the consent check of purpose at NOW (script_consent.c). */
int script_consent_filter(plan_ctx *cx, const char *purpose, bitset *bits);
/* Whether contact ord passes the consent check of purpose at NOW: 1, 0, or an error (< 0). */
int script_consent_passes(plan_ctx *cx, const char *purpose, uint32_t ord);
/* why[ord] (cx->ncontacts entries): why each contact passes or fails purpose (consent_why). */
int script_consent_why(plan_ctx *cx, const char *purpose, uint8_t *why);
/* How many of members (left as they are) pass the consent check of purpose at NOW. */
int script_consent_reach(plan_ctx *cx, const char *purpose, const bitset *members,
                         uint64_t *reached);
/*
 * Profiling (script_profiling.c): the live contacts profiling may score at
 * NOW into out (new; plan_hooks.profiling); whether contact ord is one (1,
 * 0, or an error < 0); how many live contacts are left out for an objection
 * or a refused profiling record, and how many more for lack of consent when
 * the profiling purpose accepts only consent.
 */
int script_profiling_live(plan_ctx *cx, bitset *out);
int script_profiling_one(plan_ctx *cx, uint32_t ord);
int script_profiling_counts(plan_ctx *cx, uint64_t *refused, uint64_t *no_consent);
/* The external id of ord, for messages ("#ord" when unreadable; contact_proxy.c). */
void contact_proxy_id_text(plan_ctx *cx, uint32_t ord, char *out, size_t n);

#endif
