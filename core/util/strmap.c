/*
 * strmap.c — byte-string -> uint32 hash map (see strmap.h).
 *
 * Robin Hood open addressing with linear probing over a power-of-two table,
 * grown to twice its size before the load passes 70%. Each slot keeps the
 * key's full 64-bit hash, so probes compare hashes and lengths and reach
 * memcmp almost only on a real match. A slot's probe distance is derived
 * from its hash and index, never stored. Deletion shifts the following
 * cluster back one slot (no tombstones), which keeps the Robin Hood order
 * and so the early exit of unsuccessful lookups.
 *
 * Keys are copied into a chunked arena: blocks are added, never moved or
 * reallocated, so a key's bytes stay put for the life of the map. A deleted
 * key's bytes are reclaimed only by strmap_free. The table and full-size
 * blocks ask for transparent huge pages, as 1M-key maps are TLB-bound.
 *
 * Uses: libxxhash (XXH3_64bits), madvise where MADV_HUGEPAGE exists.
 */
#include "util/strmap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xxhash.h>

#define MIN_SLOTS 16
#define HUGE_PAGE ((size_t)2 << 20)
#define MIN_BLOCK ((size_t)1024) /* arena block sizes, header included */
#define MAX_BLOCK HUGE_PAGE

struct slot {
    uint64_t hash;
    const char *key; /* NULL marks an empty slot */
    uint32_t len;
    uint32_t value;
};

struct block {
    struct block *next;
    size_t used, size;
    char data[];
};

struct strmap {
    struct slot *slots;
    size_t mask; /* slot count - 1 */
    size_t count;
    struct block *arena; /* the block being filled, then older ones */
    size_t next_block;   /* size of the next block, doubling to MAX_BLOCK */
};

strmap *strmap_new(void)
{
    strmap *m = calloc(1, sizeof *m);

    if (m == NULL)
        return NULL;
    m->slots = calloc(MIN_SLOTS, sizeof *m->slots);
    if (m->slots == NULL) {
        free(m);
        return NULL;
    }
    m->mask = MIN_SLOTS - 1;
    m->next_block = MIN_BLOCK;
    return m;
}

void strmap_free(strmap *m)
{
    if (m == NULL)
        return;
    while (m->arena != NULL) {
        struct block *b = m->arena;
        m->arena = b->next;
        free(b);
    }
    free(m->slots);
    free(m);
}

size_t strmap_count(const strmap *m)
{
    return m->count;
}

/* How far slot i sits from the home slot of its key. */
static size_t probe_dist(const strmap *m, size_t i)
{
    return (i - (size_t)m->slots[i].hash) & m->mask;
}

/* Index of the key's slot, or -1. Stops at the first slot closer to its own
 * home than the key would be: Robin Hood order puts the key before it. */
static ptrdiff_t find(const strmap *m, uint64_t h, const char *key, size_t n)
{
    size_t i = (size_t)h & m->mask;

    for (size_t dist = 0;; dist++) {
        const struct slot *s = &m->slots[i];
        if (s->key == NULL || probe_dist(m, i) < dist)
            return -1;
        if (s->hash == h && s->len == n && (n == 0 || memcmp(s->key, key, n) == 0))
            return (ptrdiff_t)i;
        i = (i + 1) & m->mask;
    }
}

/* Robin Hood insertion of a key known to be absent: take the slot of any
 * entry nearer its home than we are, and carry that entry on instead. */
static void place(strmap *m, struct slot in)
{
    size_t i = (size_t)in.hash & m->mask;

    for (size_t dist = 0;; dist++) {
        struct slot *s = &m->slots[i];
        if (s->key == NULL) {
            *s = in;
            return;
        }
        size_t d = probe_dist(m, i);
        if (d < dist) {
            struct slot out = *s;
            *s = in;
            in = out;
            dist = d;
        }
        i = (i + 1) & m->mask;
    }
}

/*
 * malloc for the table and arena blocks. A big map is probed at random, so
 * TLB misses dominate its lookups: ask Linux for transparent huge pages
 * (a hint; without THP or elsewhere this is plain memory).
 */
static void *alloc_big(size_t bytes)
{
#ifdef MADV_HUGEPAGE
    if (bytes >= HUGE_PAGE) {
        if (bytes > SIZE_MAX - HUGE_PAGE)
            return NULL;
        size_t rounded = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
        void *p = aligned_alloc(HUGE_PAGE, rounded);
        if (p != NULL)
            madvise(p, rounded, MADV_HUGEPAGE);
        return p;
    }
#endif
    return malloc(bytes);
}

/* Makes the table slots wide (a power of two). On failure the old table is untouched. */
static int resize(strmap *m, size_t slots_n)
{
    size_t old_n = m->mask + 1;
    struct slot *old = m->slots;

    if (slots_n > SIZE_MAX / sizeof *old)
        return -1;
    struct slot *slots = alloc_big(slots_n * sizeof *slots);
    if (slots == NULL)
        return -1;
    memset(slots, 0, slots_n * sizeof *slots);
    m->slots = slots;
    m->mask = slots_n - 1;
    for (size_t i = 0; i < old_n; i++) {
        if (old[i].key != NULL)
            place(m, old[i]);
    }
    free(old);
    return 0;
}

/* Whether n keys load a table of slots_n slots past 70%. */
static int too_full(size_t n, size_t slots_n)
{
    return n > slots_n / 10 * 7 + slots_n % 10 * 7 / 10;
}

int strmap_reserve(strmap *m, size_t n)
{
    size_t slots_n = m->mask + 1;
    while (too_full(n, slots_n)) {
        if (slots_n > SIZE_MAX / 2 / sizeof(struct slot))
            return -1;
        slots_n *= 2;
    }
    return slots_n == m->mask + 1 ? 0 : resize(m, slots_n);
}

/* Copies key into the arena; NULL when out of memory. Never returns NULL
 * for n == 0 on success: an empty key still needs a non-NULL slot key. */
static const char *arena_copy(strmap *m, const char *key, size_t n)
{
    struct block *b = m->arena;

    if (b == NULL || b->size - b->used < n) {
        if (n > SIZE_MAX - sizeof *b)
            return NULL;
        size_t bytes = sizeof *b + n > m->next_block ? sizeof *b + n : m->next_block;
        b = alloc_big(bytes);
        if (b == NULL)
            return NULL;
        b->next = m->arena;
        b->used = 0;
        b->size = bytes - sizeof *b;
        m->arena = b;
        if (m->next_block < MAX_BLOCK)
            m->next_block *= 2;
    }
    char *p = b->data + b->used;
    if (n != 0)
        memcpy(p, key, n);
    b->used += n;
    return p;
}

uint64_t strmap_hash(const char *key, size_t n)
{
    return XXH3_64bits(key, n);
}

void strmap_prefetch(const strmap *m, uint64_t hash)
{
    __builtin_prefetch(&m->slots[(size_t)hash & m->mask]);
}

void strmap_prefetch_key(const strmap *m, uint64_t hash)
{
    const struct slot *s = &m->slots[(size_t)hash & m->mask];
    if (s->hash == hash && s->key != NULL)
        __builtin_prefetch(s->key);
}

int strmap_put_hashed(strmap *m, uint64_t h, const char *key, size_t n, uint32_t value)
{
    if (n > UINT32_MAX)
        return -1;
    ptrdiff_t i = find(m, h, key, n);
    if (i >= 0) {
        m->slots[i].value = value;
        return 0;
    }
    if (too_full(m->count + 1, m->mask + 1) && strmap_reserve(m, m->count + 1) != 0)
        return -1;
    const char *copy = arena_copy(m, key, n);
    if (copy == NULL)
        return -1;
    place(m, (struct slot){ .hash = h, .key = copy, .len = (uint32_t)n, .value = value });
    m->count++;
    return 0;
}

int strmap_put(strmap *m, const char *key, size_t n, uint32_t value)
{
    if (n > UINT32_MAX) /* refused before its bytes are read */
        return -1;
    return strmap_put_hashed(m, XXH3_64bits(key, n), key, n, value);
}

int strmap_get_hashed(const strmap *m, uint64_t h, const char *key, size_t n, uint32_t *value)
{
    if (n > UINT32_MAX)
        return 0;
    ptrdiff_t i = find(m, h, key, n);
    if (i < 0)
        return 0;
    *value = m->slots[i].value;
    return 1;
}

int strmap_get(const strmap *m, const char *key, size_t n, uint32_t *value)
{
    if (n > UINT32_MAX)
        return 0;
    return strmap_get_hashed(m, XXH3_64bits(key, n), key, n, value);
}

/* Backward-shift deletion: pull each following entry that is not at its
 * home one slot back, then empty the last slot moved from. */
int strmap_del(strmap *m, const char *key, size_t n)
{
    if (n > UINT32_MAX)
        return 0;
    ptrdiff_t found = find(m, XXH3_64bits(key, n), key, n);
    if (found < 0)
        return 0;
    size_t i = (size_t)found;
    size_t next = (i + 1) & m->mask;
    while (m->slots[next].key != NULL && probe_dist(m, next) != 0) {
        m->slots[i] = m->slots[next];
        i = next;
        next = (i + 1) & m->mask;
    }
    m->slots[i].key = NULL;
    m->count--;
    return 1;
}
