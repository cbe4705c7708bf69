/*
 * catalog.h — what a script defines, without Lua: the registry of the seg
 * module (scripts/segrt.lua: segments, by_name, scores, groups, consents,
 * models, templates) as trees (util/tree.h), the segments' names in
 * definition order, and the outputs of the models computed in C. The Lua
 * layer copies it (lua/script_catalog.c) and the models layer names the
 * outputs (model.c); plans, models, live sessions and templates read it.
 *
 * Everything a catalog holds is borrowed until catalog_free.
 * Uses: tree.h, strmap.h.
 */
#ifndef SEGRT_CATALOG_H
#define SEGRT_CATALOG_H

#include "util/strmap.h"
#include "util/tree.h"

#include <stddef.h>

typedef struct catalog {
    tree_doc *doc;            /* owns the trees */
    const tree *registry;     /* the seg module's registry table */
    const tree *segments;     /* segment definitions, in definition order */
    const tree *by_name, *scores, *groups, *consents, *models, *templates, *template_order;
    const char **names;       /* the segments' names, in definition order ("" when unnamed) */
    size_t nseg;
    strmap *outputs;          /* "model.output" of each model computed in C */
} catalog;

/* A catalog of the registry tree reg (owned by doc, which the catalog takes). NULL: no memory. */
catalog *catalog_new(tree_doc *doc, const tree *reg);
void catalog_free(catalog *cat); /* accepts NULL */

/* Index of segment name in definition order, or -1. */
long catalog_segment_index(const catalog *cat, const char *name);
/* The definition of segment, score, model, consent purpose or template name, or NULL. */
const tree *catalog_segment(const catalog *cat, const char *name);
const tree *catalog_score(const catalog *cat, const char *name);
const tree *catalog_model(const catalog *cat, const char *name);
const tree *catalog_consent(const catalog *cat, const char *purpose);
const tree *catalog_template(const catalog *cat, const char *name);
/* Record that name ("model.output") is an output of a model computed in C. -1: no memory. */
int catalog_add_output(catalog *cat, const char *name);
/* Whether name is "model.output" of a model computed in C. */
int catalog_is_output(const catalog *cat, const char *name);
/*
 * Whether score name is profiling (Art. 21(2)): marked so itself, or
 * belonging to a model marked so (its "model." prefix).
 */
int catalog_is_profiling(const catalog *cat, const char *name);

#endif
