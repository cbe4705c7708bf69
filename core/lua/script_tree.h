/*
 * script_tree.h — copying Lua values into trees (util/tree.h), so that the
 * layers below this one read what a script built without a Lua state.
 */
#ifndef SEGRT_SCRIPT_TREE_H
#define SEGRT_SCRIPT_TREE_H

#include "util/tree.h"

#include <lua.h>

/* Tables are copied down to this depth; a deeper one becomes a TREE_DEEP node. */
#define SCRIPT_TREE_MAX_DEPTH 600

/*
 * Copy the value at idx of L into doc as *out. Tables are read raw (no
 * metamethods): their string keys and their list part 1..#t; other keys are
 * left out. A table met twice is copied once and shared; one met again while
 * it is being copied becomes a TREE_CYCLE node. Functions become
 * TREE_FUNCTION markers (the function stays in the state). Numbers keep
 * their Lua text, and strings that Lua reads as numbers their value.
 * Runs protected: SEGRT_OK, or SEGRT_ENOMEM (from Lua or from doc).
 */
int script_tree_copy(lua_State *L, int idx, tree_doc *doc, const tree **out);

#endif
