/*
 * channels.c — the channels of channels.h: the purposes the store has
 * records of, the script's seg.consent definitions and the purposes its
 * segments name (a template's purpose must be one of the first two to
 * load), by name, less those that grant no channel: profiling,
 * direct_marketing (an objection to it suppresses every marketing channel),
 * objection and restriction (a contact's requests under Art. 21 and 18).
 *
 * Uses: catalog.h, dict.h, schema.h, restriction.h, array.h.
 */
#include "output/channels.h"

#include "plan/catalog.h"
#include "store/dict.h"
#include "store/restriction.h"
#include "store/schema.h"
#include "util/array.h"

#include <stdlib.h>
#include <string.h>

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
static int add(channel_list *l, const char *name, size_t len)
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

static int add_recorded(void *ud, uint32_t code, const MDB_val *v)
{
    (void)code;
    return add(ud, v->mv_data, v->mv_size) ? SEGRT_ENOMEM : SEGRT_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int channels_find(plan_ctx *cx, channel_list *out)
{
    const catalog *cat = cx->cat;
    const tree *defs = cat->consents;
    int rc = dict_foreach(cx->s, cx->txn, FIELD_CS_PURPOSE, add_recorded, out);
    for (size_t i = 0; rc == SEGRT_OK && defs && i < defs->nfields; i++)
        rc = add(out, defs->fields[i].key, defs->fields[i].len) ? SEGRT_ENOMEM : SEGRT_OK;
    for (size_t i = 0; rc == SEGRT_OK && i < cat->nseg; i++) {
        const char *p = tree_get_string(catalog_segment(cat, cat->names[i]), "purpose");
        rc = p && add(out, p, strlen(p)) ? SEGRT_ENOMEM : SEGRT_OK;
    }
    if (rc == SEGRT_ENOMEM)
        return store_fail(cx->s, rc, "out of memory");
    if (rc == SEGRT_OK && out->n > 1)
        qsort(out->v, out->n, sizeof *out->v, by_name);
    return rc;
}

long channels_index(const channel_list *l, const char *purpose)
{
    for (size_t i = 0; purpose && i < l->n; i++) {
        if (strcmp(l->v[i], purpose) == 0)
            return (long)i;
    }
    return -1;
}

void channels_free(channel_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    *l = (channel_list){ 0 };
}
