/*
 * script_deps.c — segrt_script_segment_deps(): what a segment's rule reads,
 * from its definition in the script's catalog: contact fields (not the
 * attributes an event filter reads), event types,
 * other segments (seg.member, the entries before it in an exclusive group,
 * a split's population) and scores, each named once, in the order the rule
 * names them. For listing segments (segrt segments) and reviewing them.
 *
 * Uses: script.h (the catalog), catalog.h, tree.h.
 */
#include "lua/script.h"

#include "plan/catalog.h"

#include <string.h>

#define MAX_DEPS 256 /* a rule naming more lists the first ones */

typedef struct deps {
    const char *kind[MAX_DEPS], *name[MAX_DEPS];
    size_t n;
} deps;

static void add(deps *d, const char *kind, const char *name)
{
    if (name == NULL || *name == '\0' || d->n == MAX_DEPS)
        return;
    for (size_t i = 0; i < d->n; i++) {
        if (strcmp(d->kind[i], kind) == 0 && strcmp(d->name[i], name) == 0)
            return;
    }
    d->kind[d->n] = kind;
    d->name[d->n++] = name;
}

/* Every node of rule t: a field, an events node, a member or score reference. */
static void walk(deps *d, const tree *t, int depth)
{
    if (t == NULL || t->kind != TREE_TABLE || depth > 200)
        return;
    const char *k = tree_get_string(t, "k");
    if (k && strcmp(k, "field") == 0)
        add(d, "field", tree_get_string(t, "name"));
    else if (k && strcmp(k, "events") == 0)
        add(d, "event", tree_get_string(t, "type"));
    else if (k && strcmp(k, "member") == 0)
        add(d, "segment", tree_get_string(t, "name"));
    else if (k && strcmp(k, "score") == 0)
        add(d, "score", tree_get_string(t, "name"));
    int events = k && strcmp(k, "events") == 0;
    for (uint32_t i = 0; i < t->nfields; i++) {
        const char *key = t->fields[i].key;
        /* an events node's pred reads the event's attributes, not contact fields */
        if (strcmp(key, "loc") != 0 && !(events && strcmp(key, "pred") == 0))
            walk(d, t->fields[i].value, depth + 1);
    }
    for (uint32_t i = 0; i < t->nitems; i++)
        walk(d, t->items[i], depth + 1);
}

/* A group member reads the entries before it: named segments, or inline rules. */
static void walk_group(deps *d, const catalog *cat, const tree *def)
{
    int64_t rank = 0;
    tree_tointeger(tree_get(def, "rank"), &rank);
    const tree *list = tree_get(cat->groups, tree_get_string(def, "group"));
    for (size_t j = 0; rank > 0 && j < (size_t)rank && j < tree_count(list); j++) {
        const tree *entry = tree_item(list, j);
        if (entry && entry->kind == TREE_TABLE)
            walk(d, tree_get(entry, "where"), 0);
        else
            add(d, "segment", tree_tostring(entry));
    }
}

int segrt_script_segment_deps(segrt_script *sc, const char *segment, segrt_dep_fn fn, void *ud)
{
    if (sc == NULL || segment == NULL || fn == NULL)
        return SEGRT_EINVAL;
    const catalog *cat;
    int rc = script_catalog(sc, &cat);
    if (rc != SEGRT_OK)
        return rc;
    const tree *def = catalog_segment(cat, segment);
    if (def == NULL)
        return store_fail(script_store(sc), SEGRT_ENOTFOUND, "the script defines no segment '%s'",
                          segment);
    deps d = { .n = 0 };
    if (tree_get(def, "group"))
        walk_group(&d, cat, def);
    else
        walk(&d, tree_get(def, "where"), 0);
    for (size_t i = 0; i < d.n && rc == SEGRT_OK; i++)
        rc = fn(ud, d.kind[i], d.name[i]);
    return rc;
}
