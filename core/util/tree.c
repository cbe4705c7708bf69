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

/* n bytes aligned to align (a power of two), zeroed; NULL when out of memory. */
static void *doc_alloc(tree_doc *d, size_t n, size_t align)
{
    block *b = d->blocks;
    size_t at = b ? (b->used + align - 1) & ~(align - 1) : 0;
    if (b == NULL || at > b->size || b->size - at < n) {
        size_t size = n > BLOCK_SIZE ? n : BLOCK_SIZE;
        if ((b = malloc(sizeof *b + size)) == NULL)
            return NULL;
        *b = (block){ .next = d->blocks, .size = size }; /* data is aligned for anything */
        d->blocks = b;
        at = 0;
    }
    void *p = b->data + at;
    b->used = at + n;
    return memset(p, 0, n);
}

/* A NUL-terminated copy of s[0..len), with no padding before it. */
static char *doc_text(tree_doc *d, const char *s, size_t len)
{
    char *copy = doc_alloc(d, len + 1, 1);
    if (copy && len)
        memcpy(copy, s, len);
    return copy;
}

/*
 * The array v of n elements (of size bytes, aligned to align, capacity *cap)
 * with room for want elements: v itself, or a larger copy (the old one stays
 * in the doc). NULL: no memory.
 */
static void *reserve(tree_doc *d, void *v, uint32_t n, uint32_t *cap, size_t want, size_t size,
                     size_t align)
{
    if (want <= *cap)
        return v;
    if (want > UINT32_MAX)
        return NULL;
    void *p = doc_alloc(d, want * size, align);
    if (p == NULL)
        return NULL;
    if (n)
        memcpy(p, v, (size_t)n * size);
    *cap = (uint32_t)want;
    return p;
}

/* As reserve, for one more element, doubling the capacity. */
static void *grow(tree_doc *d, void *v, uint32_t n, uint32_t *cap, size_t size, size_t align)
{
    if (n < *cap)
        return v;
    return reserve(d, v, n, cap, *cap ? (size_t)*cap * 2 : 4, size, align);
}

int tree_reserve(tree_doc *d, tree *t, size_t nfields, size_t nitems)
{
    if (nfields > t->fields_cap) {
        tree_field *fields = reserve(d, t->fields, t->nfields, &t->fields_cap, nfields,
                                     sizeof *fields, alignof(tree_field));
        if (fields == NULL)
            return -1;
        t->fields = fields;
    }
    if (nitems > t->items_cap) {
        const tree **items = reserve(d, t->items, t->nitems, &t->items_cap, nitems,
                                     sizeof *items, alignof(const tree *));
        if (items == NULL)
            return -1;
        t->items = items;
    }
    return 0;
}

tree *tree_new(tree_doc *d, tree_kind kind)
{
    tree *t = doc_alloc(d, sizeof *t, alignof(tree));
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
    char *copy = doc_text(d, s, len);
    if (copy == NULL)
        return -1;
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

/* Set table t's key to v; a new key is copied into d unless held says d holds it. */
static int put(tree_doc *d, tree *t, const char *key, size_t len, const tree *v, int held)
{
    int found;
    uint32_t at = (uint32_t)field_at(t, key, len, &found);
    if (found) {
        t->fields[at].value = v;
        return 0;
    }
    if (!held && (key = doc_text(d, key, len)) == NULL)
        return -1;
    tree_field *fields = grow(d, t->fields, t->nfields, &t->fields_cap, sizeof *fields,
                              alignof(tree_field));
    if (fields == NULL)
        return -1;
    t->fields = fields;
    memmove(t->fields + at + 1, t->fields + at, (t->nfields - at) * sizeof *t->fields);
    t->fields[at] = (tree_field){ key, len, v };
    t->nfields++;
    return 0;
}

int tree_put(tree_doc *d, tree *t, const char *key, size_t len, const tree *v)
{
    return put(d, t, key, len, v, 0);
}

int tree_put_held(tree_doc *d, tree *t, const char *key, size_t len, const tree *v)
{
    return put(d, t, key, len, v, 1);
}

int tree_push(tree_doc *d, tree *t, const tree *v)
{
    const tree **items = grow(d, t->items, t->nitems, &t->items_cap, sizeof *items,
                              alignof(const tree *));
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
