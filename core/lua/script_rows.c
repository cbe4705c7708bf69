/*
 * script_rows.c — segrt_script_rows_foreach: a set's members as JSON rows
 * whose columns may name scores of the script as well as contact fields
 * (the scores computed in one evaluation session, the rows by segset.c).
 *
 * Uses: script.h (sessions, score summaries), segset.h.
 */
#include "lua/script.h"

#include "plan/segset.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct score_job {
    const char *const *fields;
    size_t nfields;
    vec *scores;
    vtype *types;
} score_job;

/* The fields that are not contact fields, as scores, in one session. */
static int eval_scores(plan_ctx *cx, void *ud)
{
    score_job *job = ud;
    int rc = SEGRT_OK;
    for (size_t i = 0; i < job->nfields && rc == SEGRT_OK; i++) {
        if (segset_is_field(cx->s, job->fields[i]))
            continue;
        value_summary sum;
        rc = script_score_summary(cx, job->fields[i], &sum, &job->scores[i]);
        job->types[i] = sum.type;
        if (rc != SEGRT_OK) { /* the detail lives in the buffer store_fail writes */
            char why[512];
            snprintf(why, sizeof why, "%s", segrt_errmsg(cx->s));
            rc = store_fail(cx->s, SEGRT_EINVAL, "'%s' is neither a field nor a score (%s)",
                            job->fields[i], why);
        }
    }
    return rc;
}

int segrt_script_rows_foreach(segrt_script *sc, const segrt_set *m, const char *const *fields,
                           size_t nfields, int (*fn)(void *ud, const char *json), void *ud)
{
    if (sc == NULL || m == NULL || fn == NULL || (nfields && fields == NULL))
        return SEGRT_EINVAL;
    segrt_store *s = script_store(sc);
    vec *scores = calloc(nfields ? nfields : 1, sizeof *scores);
    vtype *types = calloc(nfields ? nfields : 1, sizeof *types);
    int rc = scores && types ? SEGRT_OK : store_fail(s, SEGRT_ENOMEM, "out of memory");
    score_job job = { fields, nfields, scores, types };
    if (rc == SEGRT_OK)
        rc = script_session(sc, eval_scores, &job);
    if (rc == SEGRT_OK)
        rc = segset_rows_foreach(s, m, fields, nfields, scores, types, fn, ud);
    for (size_t i = 0; scores && i < nfields; i++)
        vec_free(&scores[i]);
    free(scores);
    free(types);
    return rc;
}
