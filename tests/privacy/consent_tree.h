/*
 * consent_tree.h — seg.consent definitions built as trees without Lua, for
 * the unit tests of consent_check.c and consent_reach.c: a node, a key of
 * a table, and a definition { loc = "s.lua:7", bases = {...}, marketing }.
 *
 * Header-only (static inline); include after <cmocka.h> and its prerequisites.
 */
#ifndef SEGRT_TEST_CONSENT_TREE_H
#define SEGRT_TEST_CONSENT_TREE_H

#include "util/tree.h"

#include <string.h>

static inline tree *ct_node(tree_doc *d, tree_kind kind, const char *text)
{
    tree *t = tree_new(d, kind);
    assert_non_null(t);
    if (text)
        assert_int_equal(tree_set_text(d, t, text, strlen(text)), 0);
    return t;
}

static inline void ct_put(tree_doc *d, tree *t, const char *key, const tree *v)
{
    assert_int_equal(tree_put(d, t, key, strlen(key), v), 0);
}

/* A definition { loc = "s.lua:7", bases = { bases... } (NULL: none), marketing = m }. */
static inline tree *ct_definition(tree_doc *d, const char *const *bases, int marketing)
{
    tree *def = ct_node(d, TREE_TABLE, NULL);
    ct_put(d, def, "loc", ct_node(d, TREE_STRING, "s.lua:7"));
    if (bases) {
        tree *list = ct_node(d, TREE_TABLE, NULL);
        for (; *bases; bases++)
            assert_int_equal(tree_push(d, list, ct_node(d, TREE_STRING, *bases)), 0);
        ct_put(d, def, "bases", list);
    }
    if (marketing) {
        tree *yes = ct_node(d, TREE_BOOLEAN, NULL);
        yes->boolean = 1;
        ct_put(d, def, "marketing", yes);
    }
    return def;
}

#endif
