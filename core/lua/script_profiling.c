/*
 * script_profiling.c — who profiling may score at NOW (GDPR Art. 21(2), 22):
 * the live contacts without an objection to direct marketing and without a
 * withdrawn or denied record for "profiling"; and, when the script's
 * "profiling" purpose accepts explicit consent only, just those who pass
 * its check. Profiling models and scores (profiling = true; every shipped
 * model) are computed over these contacts alone (plan_eval.c, plan_one.c).
 *
 * Uses: script.h, consent_check.h (objections, refusals, the purpose's
 * rule), script_consent.c (the check).
 */
#include "lua/script.h"

#include "plan/catalog.h"
#include "privacy/consent_check.h"
#include "store/consent.h"

#define PURPOSE "profiling"

/* Whether the script's profiling purpose accepts explicit consent and nothing else: 1, 0, < 0. */
static int consent_only(plan_ctx *cx)
{
    consent_check_rule rule;
    int rc = consent_check_rule_read(cx->s, cx->txn, PURPOSE, catalog_consent(cx->cat, PURPOSE),
                                     &rule);
    return rc == SEGRT_OK ? rule.bases == 1u << CS_CONSENT : rc;
}

/* The live contacts without an objection or a refusal into out (new), and the others' count. */
static int unrefused(plan_ctx *cx, bitset *out, uint64_t *refused)
{
    bitset un = { 0 };
    int rc = consent_check_unprofiled(cx->s, cx->txn, cx->now, cx->ncontacts, &un);
    if (rc != SEGRT_OK)
        return rc;
    if (bitset_init(out, cx->ncontacts) != 0) {
        bitset_free(&un);
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    }
    bitset_or(out, cx->live);
    if (refused)
        *refused = bitset_count_and(out, &un);
    bitset_andnot(out, &un);
    bitset_free(&un);
    return SEGRT_OK;
}

int script_profiling_counts(plan_ctx *cx, uint64_t *refused, uint64_t *no_consent)
{
    bitset ok = { 0 };
    *refused = *no_consent = 0;
    int rc = unrefused(cx, &ok, refused), only = rc == SEGRT_OK ? consent_only(cx) : 0;
    if (only < 0)
        rc = only;
    uint64_t before = bitset_count(&ok);
    if (rc == SEGRT_OK && only == 1 && (rc = script_consent_filter(cx, PURPOSE, &ok)) == SEGRT_OK)
        *no_consent = before - bitset_count(&ok);
    bitset_free(&ok);
    return rc;
}

int script_profiling_live(plan_ctx *cx, bitset *out)
{
    int rc = unrefused(cx, out, NULL), only = rc == SEGRT_OK ? consent_only(cx) : 0;
    if (only < 0)
        rc = only;
    if (rc == SEGRT_OK && only == 1)
        rc = script_consent_filter(cx, PURPOSE, out);
    if (rc != SEGRT_OK)
        bitset_free(out);
    return rc;
}

int script_profiling_one(plan_ctx *cx, uint32_t ord)
{
    int r = consent_check_unprofiled_one(cx->s, cx->txn, cx->now, ord);
    if (r != 0)
        return r < 0 ? r : 0;
    int only = consent_only(cx);
    if (only != 1)
        return only < 0 ? only : 1;
    return script_consent_passes(cx, PURPOSE, ord);
}
