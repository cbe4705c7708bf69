/*
 * tree.h — a tree of plain values: nil, booleans, numbers, strings, and
 * tables with string keys and a list part, plus a marker where a function
 * was. It is how the layers below the Lua one read what a script defined
 * (core/lua/script_tree.c copies the seg module's tables into trees) and
 * how a model records what it fitted.
 *
 * A tree_doc owns its nodes and strings: every tree and string read from it
 * is borrowed until tree_doc_free. A node may be shared by several parents
 * (a tree is a DAG). Read with the accessors; build with tree_new, tree_put
 * and tree_push. Uses: nothing but libc.
 */
#ifndef SEGRT_TREE_H
#define SEGRT_TREE_H

#include <stddef.h>
#include <stdint.h>

typedef enum tree_kind {
    TREE_NIL,
    TREE_BOOLEAN,
    TREE_INTEGER,
    TREE_FLOAT,
    TREE_STRING,
    TREE_TABLE,
    TREE_FUNCTION, /* a function the script engine keeps: the tree only says one is there */
    TREE_OTHER,    /* another engine value (userdata, ...): text names its type */
    TREE_DEEP,     /* a table left out: it lies deeper than the copy goes */
    TREE_CYCLE,    /* a table left out: it contains itself (met again while being copied) */
} tree_kind;

typedef struct tree tree;

typedef struct tree_field {
    const char *key; /* NUL-terminated (len bytes, which may hold a NUL) */
    size_t len;
    const tree *value;
} tree_field;

/* Kept small (72 bytes): a script's definitions are thousands of nodes, and
 * every page a cold process touches costs a fault. */
struct tree {
    tree_kind kind;
    unsigned char boolean;  /* TREE_BOOLEAN */
    unsigned char numeric;  /* a number, or a string that reads as one (as the engine reads it) */
    unsigned char integral; /* numeric with an exact integer value: integer holds it */
    int64_t integer;
    double number;     /* numeric: its value */
    const char *text;  /* STRING: its bytes; a copied number: as the engine writes it;
                          OTHER: its type. NUL-terminated; NULL when none */
    size_t len;
    tree_field *fields; /* TABLE: the string keys, in byte order */
    uint32_t nfields, fields_cap;
    const tree **items; /* TABLE: the values at 1..nitems */
    uint32_t nitems, items_cap;
};

typedef struct tree_doc tree_doc;

/* ------------------------------------------------------------ reading */

/* The value of t's string key, or NULL (t NULL or not a table, or no such key). */
const tree *tree_get(const tree *t, const char *key);
/* The value of t's key key[0..len), or NULL. */
const tree *tree_get_len(const tree *t, const char *key, size_t len);
/* How many values t's list part holds (0 for anything but a table). */
size_t tree_count(const tree *t);
/* The value at position i (from 0) of t's list part, or NULL past its end. */
const tree *tree_item(const tree *t, size_t i);
/* The string, or a copied number as text (as lua_tostring), else NULL. */
const char *tree_tostring(const tree *t);
/* tree_tostring(tree_get(t, key)). */
const char *tree_get_string(const tree *t, const char *key);
/* 1 and *v when t is numeric (as lua_tonumberx), else 0. */
int tree_tonumber(const tree *t, double *v);
/* 1 and *v when t is numeric with an integer value (as lua_tointegerx), else 0. */
int tree_tointeger(const tree *t, int64_t *v);
/* 0 for NULL, nil and false; 1 for anything else (as lua_toboolean). */
int tree_toboolean(const tree *t);
/* "nil", "boolean", "number", "string", "table", "function", or an engine type's name. */
const char *tree_typename(const tree *t);

/* ------------------------------------------------------------ building */

tree_doc *tree_doc_new(void);   /* NULL: no memory */
void tree_doc_free(tree_doc *d); /* accepts NULL */
/* A new node of kind (zero otherwise), or NULL: no memory. */
tree *tree_new(tree_doc *d, tree_kind kind);
/* A new TREE_FLOAT node of value v (no text), or NULL. */
tree *tree_new_number(tree_doc *d, double v);
/* A copy of s[0..len) as t's text. -1: no memory. */
int tree_set_text(tree_doc *d, tree *t, const char *s, size_t len);
/* Set table t's key (copied) to v, replacing an earlier value. -1: no memory. */
int tree_put(tree_doc *d, tree *t, const char *key, size_t len, const tree *v);
/*
 * As tree_put, with a key that d already holds and that stays as it is (the
 * text of a string node of d), so a key met in many tables is stored once.
 */
int tree_put_held(tree_doc *d, tree *t, const char *key, size_t len, const tree *v);
/* Room in table t for nfields string keys and nitems list values in all (exactly, when
 * the counts are known before filling it). -1: no memory. */
int tree_reserve(tree_doc *d, tree *t, size_t nfields, size_t nitems);
/* Append v to table t's list part. -1: no memory. */
int tree_push(tree_doc *d, tree *t, const tree *v);

#endif
