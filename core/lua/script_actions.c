/*
 * script_actions.c — the actions a script declares (seg.on_enter,
 * seg.on_exit: a webhook per entry or exit of a segment) for hosts: checked
 * once the script has run (the segment must exist by then, else an error at
 * the declaration's line with a "did you mean") and copied out of the
 * catalog, so that what segrt_script_action() lends stays put while the
 * script lives (until its definitions are read again, as the REPL does).
 *
 * Uses: script_lua.h, catalog.h, suggest.h.
 */
#include "lua/script_lua.h"

#include "plan/catalog.h"
#include "util/suggest.h"

#include <stdlib.h>
#include <string.h>

struct script_action {
    char *segment;
    char *webhook;
    int on_enter;
};

void script_actions_free(segrt_script *sc)
{
    for (size_t i = 0; i < sc->nactions; i++) {
        free(sc->actions[i].segment);
        free(sc->actions[i].webhook);
    }
    free(sc->actions);
    sc->actions = NULL;
    sc->nactions = 0;
}

/* The action def (a registry entry) names a segment of cat; an error at its line if not. */
static int check_segment(segrt_script *sc, const catalog *cat, const tree *def)
{
    const char *segment = tree_get_string(def, "segment"), *loc = tree_get_string(def, "loc");
    const char *kind = tree_toboolean(tree_get(def, "on_enter")) ? "on_enter" : "on_exit";
    if (segment && catalog_segment_index(cat, segment) >= 0)
        return SEGRT_OK;
    const char *near = segment ? suggest_closest(segment, cat->names, cat->nseg) : NULL;
    return store_fail(sc->s, SEGRT_ELUA, "%s: seg.%s names unknown segment '%s'%s%s%s",
                      loc ? loc : "?", kind, segment ? segment : "(null)",
                      near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

int script_actions_collect(segrt_script *sc, const catalog *cat)
{
    script_actions_free(sc);
    const tree *list = tree_get(cat->registry, "actions");
    size_t n = tree_count(list);
    int rc = SEGRT_OK;
    for (size_t i = 0; i < n && rc == SEGRT_OK; i++)
        rc = check_segment(sc, cat, tree_item(list, i));
    if (rc != SEGRT_OK || n == 0)
        return rc;
    if ((sc->actions = calloc(n, sizeof *sc->actions)) == NULL)
        return store_fail(sc->s, SEGRT_ENOMEM, "out of memory loading a script");
    for (size_t i = 0; i < n; i++) {
        const tree *def = tree_item(list, i);
        struct script_action *a = &sc->actions[i];
        a->segment = strdup(tree_get_string(def, "segment"));
        a->webhook = strdup(tree_get_string(def, "webhook") ? tree_get_string(def, "webhook") : "");
        a->on_enter = tree_toboolean(tree_get(def, "on_enter"));
        sc->nactions = i + 1;
        if (a->segment == NULL || a->webhook == NULL)
            return store_fail(sc->s, SEGRT_ENOMEM, "out of memory loading a script");
    }
    return SEGRT_OK;
}

size_t segrt_script_action_count(const segrt_script *sc)
{
    return sc ? sc->nactions : 0;
}

int segrt_script_action(const segrt_script *sc, size_t i, segrt_action *out)
{
    if (out)
        *out = (segrt_action){ 0 };
    if (sc == NULL || out == NULL)
        return SEGRT_EINVAL;
    if (i >= sc->nactions)
        return SEGRT_ENOTFOUND;
    const struct script_action *a = &sc->actions[i];
    *out = (segrt_action){ .segment = a->segment, .on_enter = a->on_enter, .webhook = a->webhook };
    return SEGRT_OK;
}
