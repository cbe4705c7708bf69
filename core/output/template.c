/*
 * template.c — segrt_template_render: the messages of a script's template
 * (compiled by lua/script_template.c) for the members of a segment who pass
 * the template's purpose. The plans of its placeholders are evaluated once
 * over the store, then the text is filled per member, in byte order of the
 * ids.
 *
 * Uses: script.h (sessions, segments), script_template.h, template_text.h,
 * contact_json.h (a member's id, e-mail and string sets), dict.h, segset.h,
 * array.h.
 */
#include "lua/script.h"
#include "lua/script_template.h"
#include "plan/segset.h"
#include "privacy/contact_json.h"
#include "store/dict.h"
#include "util/array.h"
#include "util/value.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ rendering */

typedef struct render_job {
    const char *template_text_name;
    const bitset *members;
    segrt_message_fn fn;
    void *ud;
} render_job;

/* ref's value for the member ord, whose fields are in row. */
static int member_value(plan_ctx *cx, script_template_ref *r, uint32_t ord, json_t *row, template_text_value *out)
{
    *out = (template_text_value){ .kind = TPL_MISSING };
    if (r->kind == REF_ID) {
        json_t *id = json_object_get(row, "id");
        *out = (template_text_value){ .kind = TPL_STRING, .s = json_string_value(id),
                            .len = json_string_length(id) };
        return SEGRT_OK;
    }
    if (r->kind == REF_SET) {
        json_t *arr = json_object_get(row, r->name), *item;
        size_t n = json_array_size(arr), i;
        if (ARRAY_RESERVE(r->items, r->items_cap, n) != 0)
            return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
        json_array_foreach(arr, i, item) {
            const char *text = json_string_value(item);
            r->items[i] = text ? text : "";
        }
        *out = (template_text_value){ .kind = n ? TPL_LIST : TPL_MISSING, .items = r->items, .nitems = n };
        return SEGRT_OK;
    }
    int64_t x = vec_at(&r->values, ord);
    if (x == VALUE_MISSING)
        return SEGRT_OK;
    if (r->tkind != TPL_STRING) {
        *out = (template_text_value){ .kind = r->tkind, .v = x };
        return SEGRT_OK;
    }
    if (r->plan->kind == P_CONST) {
        *out = (template_text_value){ .kind = TPL_STRING, .s = r->plan->str, .len = strlen(r->plan->str) };
        return SEGRT_OK;
    }
    MDB_val text;
    int rc = dict_string(cx->s, cx->txn, r->plan->dict, (uint32_t)x, &text);
    if (rc == SEGRT_OK) /* borrowed until the session's transaction ends */
        *out = (template_text_value){ .kind = TPL_STRING, .s = text.mv_data, .len = text.mv_size };
    return rc;
}

/* The message for member ord: its values, then subject and body. */
static int render_member(plan_ctx *cx, const render_job *job, script_template *t, uint32_t ord,
                         template_text_value *vals, buf *subject, buf *body)
{
    json_t *row = json_object();
    int rc = row ? contact_json_fields(cx->s, cx->txn, ord, row)
                 : store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    for (size_t i = 0; i < t->nrefs && rc == SEGRT_OK; i++)
        rc = member_value(cx, &t->refs[i], ord, row, &vals[i]);
    subject->len = body->len = 0;
    if (rc == SEGRT_OK &&
        (template_text_render(&t->subject, vals, TPL_ESC_LINE, subject) != 0 || buf_put(subject, "", 1) ||
         template_text_render(&t->body, vals, t->html ? TPL_ESC_HTML : TPL_ESC_NONE, body) != 0 ||
         buf_put(body, "", 1)))
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK) {
        segrt_message m = { json_string_value(json_object_get(row, "id")),
                            json_string_value(json_object_get(row, "email")),
                            (const char *)subject->p, (const char *)body->p };
        rc = job->fn(job->ud, &m);
    }
    json_decref(row);
    return rc;
}

static int render_all(plan_ctx *cx, void *ud)
{
    const render_job *job = ud;
    script_template t;
    int rc = script_template_open(cx, job->template_text_name, &t);
    for (size_t i = 0; i < t.nrefs && rc == SEGRT_OK; i++) {
        if (t.refs[i].plan)
            rc = plan_eval_value(cx, t.refs[i].plan, &t.refs[i].values);
    }
    if (rc == SEGRT_OK && cx->ids.ord == NULL)
        rc = id_order_get(cx->s, cx->txn, &cx->ids);
    template_text_value *vals = calloc(t.nrefs ? t.nrefs : 1, sizeof *vals);
    buf subject = { 0 }, body = { 0 };
    if (rc == SEGRT_OK && vals == NULL)
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    const bitset *m = job->members;
    for (uint32_t j = 0; j < cx->ids.n && rc == SEGRT_OK; j++) {
        uint32_t ord = cx->ids.ord[j];
        if (ord < m->nbits && ord < cx->ncontacts && bitset_test(m, ord) &&
            bitset_test(cx->live, ord))
            rc = render_member(cx, job, &t, ord, vals, &subject, &body);
    }
    buf_free(&subject);
    buf_free(&body);
    free(vals);
    script_template_close(&t);
    return rc;
}

int segrt_template_render(segrt_script *sc, const char *segment, const char *template_text_name,
                          segrt_message_fn fn, void *ud)
{
    if (sc == NULL || segment == NULL || template_text_name == NULL || fn == NULL)
        return SEGRT_EINVAL;
    char *purpose;
    int rc = script_template_purpose(sc, template_text_name, &purpose);
    if (rc != SEGRT_OK)
        return rc;
    segrt_set *set = NULL;
    rc = segrt_segment_eval(sc, segment, &set);
    if (rc == SEGRT_OK) /* the template's purpose, over what the segment's own allows */
        rc = segrt_set_keep_purpose(sc, set, purpose);
    render_job job = { template_text_name, set ? &set->bits : NULL, fn, ud };
    if (rc == SEGRT_OK)
        rc = script_session(sc, render_all, &job);
    segrt_set_free(set);
    free(purpose);
    return rc;
}
