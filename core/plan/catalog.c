/*
 * catalog.c — a script's definitions as trees (catalog.h): the shortcuts
 * into the registry, the segments' names, and lookups by name.
 * Uses: tree.h, strmap.h.
 */
#include "plan/catalog.h"

#include <stdlib.h>
#include <string.h>

catalog *catalog_new(tree_doc *doc, const tree *reg)
{
    catalog *cat = calloc(1, sizeof *cat);
    if (cat == NULL) {
        tree_doc_free(doc);
        return NULL;
    }
    *cat = (catalog){
        .doc = doc,
        .registry = reg,
        .segments = tree_get(reg, "segments"),
        .by_name = tree_get(reg, "by_name"),
        .scores = tree_get(reg, "scores"),
        .groups = tree_get(reg, "groups"),
        .consents = tree_get(reg, "consents"),
        .models = tree_get(reg, "models"),
        .templates = tree_get(reg, "templates"),
        .template_order = tree_get(reg, "template_order"),
        .nseg = tree_count(tree_get(reg, "segments")),
        .outputs = strmap_new(),
    };
    cat->names = calloc(cat->nseg ? cat->nseg : 1, sizeof *cat->names);
    if (cat->names == NULL || cat->outputs == NULL) {
        catalog_free(cat);
        return NULL;
    }
    for (size_t i = 0; i < cat->nseg; i++) {
        const char *name = tree_get_string(tree_item(cat->segments, i), "name");
        cat->names[i] = name ? name : "";
    }
    return cat;
}

void catalog_free(catalog *cat)
{
    if (cat == NULL)
        return;
    free(cat->names);
    strmap_free(cat->outputs);
    tree_doc_free(cat->doc);
    free(cat);
}

long catalog_segment_index(const catalog *cat, const char *name)
{
    for (size_t i = 0; i < cat->nseg; i++) {
        if (strcmp(cat->names[i], name) == 0)
            return (long)i;
    }
    return -1;
}

const tree *catalog_segment(const catalog *cat, const char *name)
{
    return tree_get(cat->by_name, name);
}

const tree *catalog_score(const catalog *cat, const char *name)
{
    return tree_get(cat->scores, name);
}

const tree *catalog_model(const catalog *cat, const char *name)
{
    return tree_get(cat->models, name);
}

const tree *catalog_consent(const catalog *cat, const char *purpose)
{
    return tree_get(cat->consents, purpose);
}

const tree *catalog_template(const catalog *cat, const char *name)
{
    return tree_get(cat->templates, name);
}

int catalog_add_output(catalog *cat, const char *name)
{
    return strmap_put(cat->outputs, name, strlen(name), 1);
}

int catalog_is_output(const catalog *cat, const char *name)
{
    uint32_t v;
    return strmap_get(cat->outputs, name, strlen(name), &v);
}

int catalog_is_profiling(const catalog *cat, const char *name)
{
    if (tree_toboolean(tree_get(catalog_score(cat, name), "profiling")))
        return 1;
    const char *dot = strrchr(name, '.');
    const tree *model = dot ? tree_get_len(cat->models, name, (size_t)(dot - name)) : NULL;
    return tree_toboolean(tree_get(model, "profiling"));
}
