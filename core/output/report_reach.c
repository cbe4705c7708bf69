/*
 * report_reach.c — who a segment report's segments can be reached through
 * (report.h): per channel, a consent purpose, how many members pass its
 * check at NOW and, of the others, why not (consent_why); per message
 * template of the script, its recipients in each segment after its
 * purpose's check, and the suppressed by reason.
 *
 * The channels are the purposes the store has records of, the script's
 * seg.consent definitions and the purposes its segments and templates name,
 * less those that grant no channel: profiling, direct_marketing (an
 * objection to it suppresses every marketing channel), objection and
 * restriction. Each purpose's check runs once over all contacts
 * (script_consent_why); a segment's counts are read off its members.
 *
 * Uses: script.h (consent checks), catalog.h, dict.h, consent_check.h.
 */
#include "output/report.h"

#include "lua/script.h"
#include "plan/catalog.h"
#include "store/dict.h"
#include "store/schema.h"
#include "util/array.h"

#include <stdlib.h>
#include <string.h>

static int is_channel(const char *purpose)
{
    static const char *const not_channels[] = { "profiling", "direct_marketing", "objection",
                                                 "restriction" };
    for (size_t i = 0; i < sizeof not_channels / sizeof not_channels[0]; i++) {
        if (strcmp(purpose, not_channels[i]) == 0)
            return 0;
    }
    return *purpose != '\0';
}

/* The index of purpose among r's channels, or -1. */
long report_channel_index(const segrt_report *r, const char *purpose)
{
    for (size_t i = 0; purpose && i < r->nchannels; i++) {
        if (strcmp(r->channels[i], purpose) == 0)
            return (long)i;
    }
    return -1;
}

/* Add purpose (n bytes) to the channels unless it is there or is no channel. 0, or -1: no memory. */
static int add_channel(segrt_report *r, const char *purpose, size_t n)
{
    char *name = strndup(purpose, n);
    if (name == NULL)
        return -1;
    if (!is_channel(name) || report_channel_index(r, name) >= 0) {
        free(name);
        return 0;
    }
    if (ARRAY_RESERVE(r->channels, r->channels_cap, r->nchannels + 1) != 0) {
        free(name);
        return -1;
    }
    r->channels[r->nchannels++] = name;
    return 0;
}

static int add_recorded(void *ud, uint32_t code, const MDB_val *v)
{
    (void)code;
    return add_channel(ud, v->mv_data, v->mv_size) == 0 ? 0 : SEGRT_ENOMEM;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

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
        if (t->name == NULL || t->purpose == NULL || add_channel(r, purpose, strlen(purpose)) != 0)
            return -1;
    }
    return 0;
}

/* The channels, sorted by name; the templates. */
static int find_channels(plan_ctx *cx, segrt_report *r)
{
    const tree *consents = cx->cat->consents;
    int rc = dict_foreach(cx->s, cx->txn, FIELD_CS_PURPOSE, add_recorded, r);
    if (rc == SEGRT_ENOMEM)
        return store_fail(cx->s, rc, "out of memory");
    for (size_t i = 0; rc == SEGRT_OK && consents && i < consents->nfields; i++) {
        if (add_channel(r, consents->fields[i].key, consents->fields[i].len) != 0)
            rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    }
    for (size_t i = 0; rc == SEGRT_OK && i < r->nseg; i++) {
        const char *p = r->seg[i].purpose;
        if (p && add_channel(r, p, strlen(p)) != 0)
            rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    }
    if (rc == SEGRT_OK && find_templates(cx, r) != 0)
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK && r->nchannels)
        qsort(r->channels, r->nchannels, sizeof *r->channels, by_name);
    return rc;
}

int report_reach_build(plan_ctx *cx, segrt_report *r, const bitset *const *sets)
{
    int rc = find_channels(cx, r);
    uint8_t *why = rc == SEGRT_OK ? malloc(cx->ncontacts ? cx->ncontacts : 1) : NULL;
    if (rc == SEGRT_OK && why == NULL)
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    for (size_t i = 0; rc == SEGRT_OK && i < r->nseg; i++) {
        r->seg[i].why = calloc(r->nchannels ? r->nchannels : 1, sizeof *r->seg[i].why);
        if (r->seg[i].why == NULL)
            rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    }
    for (size_t c = 0; rc == SEGRT_OK && c < r->nchannels; c++) {
        rc = script_consent_why(cx, r->channels[c], why);
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
    for (size_t i = 0; i < r->nchannels; i++)
        free(r->channels[i]);
    free(r->channels);
    for (size_t i = 0; i < r->ntemplates; i++) {
        free(r->templates[i].name);
        free(r->templates[i].purpose);
    }
    free(r->templates);
    for (size_t i = 0; r->seg && i < r->nseg; i++)
        free(r->seg[i].why);
}
