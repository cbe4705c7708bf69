/*
 * profile_reach.c — profile_reach_build (profile.h): per channel, how many
 * of a segment's members pass its consent check at NOW
 * (script_consent_reach: the script's seg.consent, else the defaults).
 *
 * The channels are those segrt report shows (report_reach.c): the purposes
 * the store has records of, the script's seg.consent definitions and the
 * purposes its segments name (a template's purpose must be one of the
 * first two to load), by name, less those that grant no channel:
 * profiling, direct_marketing (an objection to it suppresses every
 * marketing channel), objection and restriction (a contact's requests under
 * Art. 21 and 18).
 *
 * Uses: script.h (consent checks), catalog.h, dict.h, schema.h, restriction.h.
 */
#include "output/profile.h"

#include "lua/script.h"
#include "plan/catalog.h"
#include "store/dict.h"
#include "store/restriction.h"
#include "store/schema.h"
#include "util/array.h"

#include <stdlib.h>
#include <string.h>

typedef struct channels {
    char **v;
    size_t n, cap;
} channels;

static int is_channel(const char *name, size_t len)
{
    static const char *const not_channels[] = { "profiling", "direct_marketing", "objection",
                                                 RESTRICTION_PURPOSE };
    for (size_t i = 0; i < sizeof not_channels / sizeof not_channels[0]; i++) {
        if (len == strlen(not_channels[i]) && memcmp(name, not_channels[i], len) == 0)
            return 0;
    }
    return len > 0;
}

/* Add a purpose (len bytes) unless it is there or is no channel; 0, or -1 when out of memory. */
static int add(channels *l, const char *name, size_t len)
{
    if (name == NULL || !is_channel(name, len))
        return 0;
    for (size_t i = 0; i < l->n; i++) {
        if (strlen(l->v[i]) == len && memcmp(l->v[i], name, len) == 0)
            return 0;
    }
    if (ARRAY_RESERVE(l->v, l->cap, l->n + 1) != 0 || (l->v[l->n] = strndup(name, len)) == NULL)
        return -1;
    l->n++;
    return 0;
}

static int add_text(channels *l, const char *name)
{
    return name ? add(l, name, strlen(name)) : 0;
}

static int add_recorded(void *ud, uint32_t code, const MDB_val *v)
{
    (void)code;
    return add(ud, v->mv_data, v->mv_size) ? SEGRT_ENOMEM : SEGRT_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The channels, by name. */
static int find_channels(plan_ctx *cx, channels *l)
{
    const catalog *cat = cx->cat;
    const tree *defs = cat->consents;
    int rc = dict_foreach(cx->s, cx->txn, FIELD_CS_PURPOSE, add_recorded, l);
    for (size_t i = 0; rc == SEGRT_OK && defs && i < defs->nfields; i++)
        rc = add(l, defs->fields[i].key, defs->fields[i].len) ? SEGRT_ENOMEM : SEGRT_OK;
    for (size_t i = 0; rc == SEGRT_OK && i < cat->nseg; i++) {
        const tree *def = catalog_segment(cat, cat->names[i]);
        rc = add_text(l, tree_get_string(def, "purpose")) ? SEGRT_ENOMEM : SEGRT_OK;
    }
    if (rc == SEGRT_ENOMEM)
        return store_fail(cx->s, rc, "out of memory");
    if (rc == SEGRT_OK && l->n > 1)
        qsort(l->v, l->n, sizeof *l->v, by_name);
    return rc;
}

int profile_reach_build(plan_ctx *cx, segrt_profile *p, const bitset *members)
{
    channels l = { 0 };
    int rc = find_channels(cx, &l);
    if (rc == SEGRT_OK && (p->reach = calloc(l.n ? l.n : 1, sizeof *p->reach)) == NULL)
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    for (size_t i = 0; rc == SEGRT_OK && i < l.n; i++) {
        p->reach[i].purpose = l.v[i];
        l.v[i] = NULL;
        p->nreach++;
        rc = script_consent_reach(cx, p->reach[i].purpose, members, &p->reach[i].reached);
    }
    for (size_t i = 0; i < l.n; i++)
        free(l.v[i]);
    free(l.v);
    return rc;
}
