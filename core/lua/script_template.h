/*
 * script_template.h — the message templates of a script (seg.template in
 * scripts/segrt.lua), compiled: subject and body parsed, and the names in
 * their placeholders resolved, in this order, to one of the template's
 * values, the contact's id, a contact field, or a score or model output,
 * each value compiled to a plan whose type must suit the placeholder's
 * format. Loading a script checks every template this way (and its purpose,
 * and the Art. 9 rule); output/template.c renders them.
 *
 * Uses: plan.h, template_text.h.
 */
#ifndef SEGRT_SCRIPT_TEMPLATE_H
#define SEGRT_SCRIPT_TEMPLATE_H

#include "plan/plan.h"
#include "util/template_text.h"

/* What a placeholder name stands for. */
typedef enum script_template_ref_kind { REF_ID, REF_SET, REF_PLAN } script_template_ref_kind;

typedef struct script_template_ref {
    const char *name;            /* borrowed from the first part that names it */
    script_template_ref_kind kind;
    const char *node;            /* "field" or "score" for a name of the store or script,
                                    NULL for the template's own value */
    template_text_kind tkind;    /* what its values are */
    pnode *plan;                 /* REF_PLAN */
    vec values;                  /* REF_PLAN when rendering: per contact ordinal */
    const char **items;          /* REF_SET when rendering: one member's items */
    size_t items_cap;
} script_template_ref;

typedef struct script_template {
    const char *name, *purpose, *loc; /* borrowed from the session's catalog */
    const tree *values;               /* its own values */
    int html;
    template_text subject, body;
    script_template_ref *refs;
    size_t nrefs, refs_cap;
} script_template;

/*
 * Inside a session: template name parsed and resolved into t (close it
 * even on failure). SEGRT_ENOTFOUND with a hint when the script has none of
 * that name; SEGRT_ELUA naming the template's line for a bad placeholder.
 */
int script_template_open(plan_ctx *cx, const char *name, script_template *t);
void script_template_close(script_template *t);
/* The purpose of template name (a copy: free it); SEGRT_ENOTFOUND with a hint when there is none. */
int script_template_purpose(segrt_script *sc, const char *name, char **purpose);
/*
 * Check every template the script defines against the store: the text
 * parses, each placeholder names a field, score or value whose type suits
 * its format, the purpose is known, and no Art. 9 field is read without an
 * explicit-consent purpose. SEGRT_ELUA naming the script line otherwise.
 */
int script_template_check_all(segrt_script *sc);

#endif
