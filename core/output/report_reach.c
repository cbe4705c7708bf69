/*
 * report_reach.c — who a segment report's segments can be reached through
 * (report.h): per channel, a consent purpose, how many members pass its
 * check at NOW and, of the others, why not (consent_why); per message
 * template of the script, its recipients in each segment after its
 * purpose's check, and the suppressed by reason.
 *
 * The channels are those of channels.h. Each purpose's check runs once over
 * all contacts (script_consent_why); a segment's counts are read off its
 * members.
 *
 * Uses: script.h (consent checks), catalog.h, channels.h, consent_check.h.
 */
#include "output/report.h"

#include "lua/script.h"
#include "plan/catalog.h"

#include <stdlib.h>
#include <string.h>

/* The templates of the script, in definition order, each with its purpose. */
static int find_templates(plan_ctx *cx, segrt_report *r)
{
    const tree *order = cx->cat->template_order;
    size_t n = order && order->kind == TREE_TABLE ? tree_count(order) : 0;
    r->templates = calloc(n ? n : 1, sizeof *r->templates);
    if (r->templates == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *name = tree_tostring(tree_item(order, i));
        const char *purpose = tree_get_string(catalog_template(cx->cat, name ? name : ""), "purpose");
        if (name == NULL || purpose == NULL)
            continue;
        report_template *t = &r->templates[r->ntemplates++];
        t->name = strdup(name);
        t->purpose = strdup(purpose);
        if (t->name == NULL || t->purpose == NULL)
            return -1;
    }
    return 0;
}

int report_reach_build(plan_ctx *cx, segrt_report *r, const bitset *const *sets)
{
    int rc = channels_find(cx, &r->channels);
    if (rc == SEGRT_OK && find_templates(cx, r) != 0)
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    uint8_t *why = rc == SEGRT_OK ? malloc(cx->ncontacts ? cx->ncontacts : 1) : NULL;
    if (rc == SEGRT_OK && why == NULL)
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    for (size_t i = 0; rc == SEGRT_OK && i < r->nseg; i++) {
        r->seg[i].why = calloc(r->channels.n ? r->channels.n : 1, sizeof *r->seg[i].why);
        if (r->seg[i].why == NULL)
            rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    }
    for (size_t c = 0; rc == SEGRT_OK && c < r->channels.n; c++) {
        rc = script_consent_why(cx, r->channels.v[c], why);
        for (size_t i = 0; rc == SEGRT_OK && i < r->nseg; i++) {
            const bitset *m = sets[i];
            for (uint32_t o = bitset_next(m, 0); o < m->nbits && o < cx->ncontacts; o = bitset_next(m, o + 1))
                r->seg[i].why[c][why[o]]++;
        }
    }
    free(why);
    return rc;
}

void report_reach_free(segrt_report *r)
{
    channels_free(&r->channels);
    for (size_t i = 0; i < r->ntemplates; i++) {
        free(r->templates[i].name);
        free(r->templates[i].purpose);
    }
    free(r->templates);
    for (size_t i = 0; r->seg && i < r->nseg; i++)
        free(r->seg[i].why);
}
