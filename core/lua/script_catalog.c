/*
 * script_catalog.c — the catalog of a script (plan/catalog.h): its seg
 * module's registry copied out of Lua (script_tree.c), with the outputs of
 * its C models named (models/model.h). Evaluations share one copy, taken
 * again when Lua may have changed the definitions since.
 *
 * Uses: script.h, script_tree.h, catalog.h, model.h.
 */
#include "lua/script_lua.h"

#include "lua/script_tree.h"
#include "models/model.h"
#include "plan/catalog.h"

int script_catalog_take(segrt_script *sc, catalog **out)
{
    *out = NULL;
    tree_doc *doc = tree_doc_new();
    const tree *reg = NULL;
    int rc = doc ? SEGRT_OK : SEGRT_ENOMEM;
    if (rc == SEGRT_OK) {
        lua_rawgeti(sc->L, LUA_REGISTRYINDEX, sc->registry_ref); /* registry */
        rc = script_tree_copy(sc->L, -1, doc, &reg);
        lua_pop(sc->L, 1);
    }
    catalog *cat = NULL;
    if (rc == SEGRT_OK)
        cat = catalog_new(doc, reg); /* takes doc */
    else
        tree_doc_free(doc);
    if (cat && model_catalog_outputs(cat) != 0) {
        catalog_free(cat);
        cat = NULL;
    }
    if (cat == NULL)
        return store_fail(sc->s, SEGRT_ENOMEM, "out of memory reading the script's definitions");
    *out = cat;
    return SEGRT_OK;
}

int script_catalog(segrt_script *sc, const catalog **out)
{
    if (sc->cat == NULL || sc->cat_stale) {
        catalog *cat;
        int rc = script_catalog_take(sc, &cat);
        if (rc != SEGRT_OK)
            return rc;
        catalog_free(sc->cat);
        sc->cat = cat;
        sc->cat_stale = 0;
    }
    *out = sc->cat;
    return SEGRT_OK;
}
