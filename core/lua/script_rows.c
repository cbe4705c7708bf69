/*
 * script_rows.c — segrt_script_rows_foreach: a set's members as JSON rows
 * whose columns may name scores of the script as well as contact fields
 * (the scores computed in one evaluation session, the rows by segset.c); a
 * name that is neither gets the closest field as a "did you mean".
 *
 * Uses: script.h (sessions, score summaries), segset.h, schema.h, suggest.h.
 */
#include "lua/script.h"

#include "plan/segset.h"
#include "store/schema.h"
#include "util/suggest.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct score_job {
    const char *const *fields;
    size_t nfields;
    vec *scores;
    vtype *types;
} score_job;

/* The contact field closest to a misspelt name ("id" included), or NULL. */
static const char *closest_field(const segrt_store *s, const char *name)
{
    const char *names[256] = { "id" };
    size_t n = 1;
    for (size_t i = 0; i < s->schema->n && n < 256; i++)
        names[n++] = s->schema->fields[i].name;
    return suggest_closest(name, names, n);
}

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
            const char *near = closest_field(cx->s, job->fields[i]);
            if (near)
                snprintf(why, sizeof why, "did you mean '%s'?", near);
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
