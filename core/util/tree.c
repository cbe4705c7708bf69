/*
 * tree.c — trees of plain values (tree.h): nodes, strings and the arrays of
 * tables carved from the blocks of their tree_doc, all freed at once.
 * Uses: libc.
 */
#include "util/tree.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE (16 * 1024)

typedef struct block {
    struct block *next;
    size_t used, size;
    alignas(max_align_t) unsigned char data[];
} block;

struct tree_doc {
    block *blocks; /* the newest first: allocations come from its free end */
};

tree_doc *tree_doc_new(void)
{
    return calloc(1, sizeof(tree_doc));
}

void tree_doc_free(tree_doc *d)
{
    if (d == NULL)
        return;
    for (block *b = d->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(d);
}

/* n bytes aligned for any object, zeroed; NULL when out of memory. */
static void *doc_alloc(tree_doc *d, size_t n)
{
    size_t align = alignof(max_align_t);
    n = (n + align - 1) / align * align;
    block *b = d->blocks;
    if (b == NULL || b->size - b->used < n) {
        size_t size = n > BLOCK_SIZE ? n : BLOCK_SIZE;
        if ((b = malloc(sizeof *b + size)) == NULL)
            return NULL;
        *b = (block){ .next = d->blocks, .size = size };
        d->blocks = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    return memset(p, 0, n);
}

/*
 * The array v of n elements (of size bytes, capacity *cap) with room for one
 * more: v itself, or a larger copy (the old one stays in the doc). NULL: no memory.
 */
static void *grow(tree_doc *d, void *v, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return v;
    size_t want = *cap ? *cap * 2 : 4;
    void *p = doc_alloc(d, want * size);
    if (p == NULL)
        return NULL;
    if (n)
        memcpy(p, v, n * size);
    *cap = want;
    return p;
}

tree *tree_new(tree_doc *d, tree_kind kind)
{
    tree *t = doc_alloc(d, sizeof *t);
    if (t)
        t->kind = kind;
    return t;
}

tree *tree_new_number(tree_doc *d, double v)
{
    tree *t = tree_new(d, TREE_FLOAT);
    if (t) {
        t->numeric = 1;
        t->number = v;
    }
    return t;
}

int tree_set_text(tree_doc *d, tree *t, const char *s, size_t len)
{
    char *copy = doc_alloc(d, len + 1);
    if (copy == NULL)
        return -1;
    if (len)
        memcpy(copy, s, len);
    t->text = copy;
    t->len = len;
    return 0;
}

/* Byte order of keys; a key that is a prefix of another comes first. */
static int key_cmp(const char *a, size_t na, const char *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    return c ? c : (na > nb) - (na < nb);
}

/* The position of key in t's fields, or where it would go (*found 0). */
static size_t field_at(const tree *t, const char *key, size_t len, int *found)
{
    size_t lo = 0, hi = t->nfields;
    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(t->fields[mid].key, t->fields[mid].len, key, len);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int tree_put(tree_doc *d, tree *t, const char *key, size_t len, const tree *v)
{
    int found;
    size_t at = field_at(t, key, len, &found);
    if (found) {
        t->fields[at].value = v;
        return 0;
    }
    char *copy = doc_alloc(d, len + 1);
    tree_field *fields = copy ? grow(d, t->fields, t->nfields, &t->fields_cap, sizeof *fields) : NULL;
    if (fields == NULL)
        return -1;
    t->fields = fields;
    if (len)
        memcpy(copy, key, len);
    memmove(t->fields + at + 1, t->fields + at, (t->nfields - at) * sizeof *t->fields);
    t->fields[at] = (tree_field){ copy, len, v };
    t->nfields++;
    return 0;
}

int tree_push(tree_doc *d, tree *t, const tree *v)
{
    const tree **items = grow(d, t->items, t->nitems, &t->items_cap, sizeof *items);
    if (items == NULL)
        return -1;
    t->items = items;
    t->items[t->nitems++] = v;
    return 0;
}

/* ------------------------------------------------------------ reading */

const tree *tree_get(const tree *t, const char *key)
{
    return tree_get_len(t, key, strlen(key));
}

const tree *tree_get_len(const tree *t, const char *key, size_t len)
{
    if (t == NULL || t->kind != TREE_TABLE)
        return NULL;
    int found;
    size_t at = field_at(t, key, len, &found);
    return found ? t->fields[at].value : NULL;
}

size_t tree_count(const tree *t)
{
    return t && t->kind == TREE_TABLE ? t->nitems : 0;
}

const tree *tree_item(const tree *t, size_t i)
{
    return i < tree_count(t) ? t->items[i] : NULL;
}

const char *tree_tostring(const tree *t)
{
    if (t == NULL)
        return NULL;
    return t->kind == TREE_STRING || t->kind == TREE_INTEGER || t->kind == TREE_FLOAT ? t->text
                                                                                      : NULL;
}

const char *tree_get_string(const tree *t, const char *key)
{
    return tree_tostring(tree_get(t, key));
}

int tree_tonumber(const tree *t, double *v)
{
    if (t == NULL || !t->numeric)
        return 0;
    *v = t->number;
    return 1;
}

int tree_tointeger(const tree *t, int64_t *v)
{
    if (t == NULL || !t->integral)
        return 0;
    *v = t->integer;
    return 1;
}

int tree_toboolean(const tree *t)
{
    return t && t->kind != TREE_NIL && !(t->kind == TREE_BOOLEAN && !t->boolean);
}

const char *tree_typename(const tree *t)
{
    static const char *const names[] = { "nil", "boolean", "number", "number", "string",
                                         "table", "function" };
    if (t == NULL)
        return "nil";
    if (t->kind == TREE_OTHER)
        return t->text ? t->text : "userdata";
    return t->kind == TREE_DEEP || t->kind == TREE_CYCLE ? "table" : names[t->kind];
}
