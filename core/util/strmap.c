/*
 * strmap.c — byte-string -> uint32 hash map (see strmap.h).
 *
 * Robin Hood open addressing with linear probing over a power-of-two table,
 * grown to twice its size before the load passes 70%. Each slot keeps 32
 * bits of the key's hash, so probes compare hashes and reach the key's bytes
 * almost only on a real match. A slot's probe distance is derived
 * from its hash and index, never stored. Deletion shifts the following
 * cluster back one slot (no tombstones), which keeps the Robin Hood order
 * and so the early exit of unsuccessful lookups.
 *
 * Keys are copied, each after its length, into a chunked arena: blocks are
 * added, never moved or reallocated, so a key's bytes stay put for the life
 * of the map. A deleted key's bytes are reclaimed only by strmap_free. The
 * table and full-size blocks ask for transparent huge pages, as 1M-key maps
 * are TLB-bound.
 *
 * strmap_reserve_ahead has a thread of its own allocate and zero the bigger
 * table (and an arena block for the keys expected), because faulting in
 * fresh pages costs more than filling them: ~2 s per GB on our machines.
 * The map keeps its table meanwhile, and moves to the new one at the first
 * put after it is ready. Only that thread touches the new memory until
 * pthread_join hands it over. It runs at idle priority (Linux's SCHED_IDLE),
 * on a core the thread that fills the map leaves free.
 *
 * Uses: libxxhash (XXH3_64bits), pthreads, madvise where MADV_HUGEPAGE exists.
 */
#include "util/strmap.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xxhash.h>

#define MIN_SLOTS 16
#define HUGE_PAGE ((size_t)2 << 20)
#define MIN_BLOCK ((size_t)1024) /* arena block sizes, header included */
#define MAX_BLOCK HUGE_PAGE

/* 16 bytes: 4 to a cache line. The hash's low 32 bits give the home slot
 * (a table has at most 2^32) and tell most other keys apart before their
 * bytes are read. A key's length is kept before its bytes (key_len). */
struct slot {
    uint32_t hash;
    uint32_t value;
    const char *key; /* NULL marks an empty slot */
};

#define LONG_KEY 0xff /* a length byte saying 4 bytes of length follow */

struct block {
    struct block *next;
    size_t used, size;
    char data[];
};

/* A bigger table and an arena block being made ready (strmap_reserve_ahead). */
struct spare {
    pthread_t thread;
    atomic_int ready;    /* the thread is done: joining it will not wait */
    size_t slots_n;      /* in: the table's size */
    size_t block_bytes;  /* in: the block's size, 0 for none */
    struct slot *slots;  /* out: the zeroed table, NULL when out of memory */
    struct block *block; /* out: the block with its pages touched, or NULL */
};

struct strmap {
    struct slot *slots;
    size_t mask; /* slot count - 1 */
    size_t count;
    struct block *arena; /* the block being filled, then older ones */
    size_t next_block;   /* size of the next block, doubling to MAX_BLOCK */
    size_t key_bytes;    /* bytes the keys take in the arena, lengths included */
    struct spare *spare; /* being made ready, or NULL */
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

static void spare_drop(strmap *m);

void strmap_free(strmap *m)
{
    if (m == NULL)
        return;
    spare_drop(m);
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

/* The length of the arena key at k; *bytes is where its bytes start. */
static size_t key_len(const char *k, const char **bytes)
{
    unsigned char b = (unsigned char)k[0];
    if (b != LONG_KEY) {
        *bytes = k + 1;
        return b;
    }
    uint32_t n;
    memcpy(&n, k + 1, sizeof n);
    *bytes = k + 1 + sizeof n;
    return n;
}

static int same_key(const char *k, const char *key, size_t n)
{
    const char *bytes;
    return key_len(k, &bytes) == n && (n == 0 || memcmp(bytes, key, n) == 0);
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
        if (s->hash == (uint32_t)h && same_key(s->key, key, n))
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

/* A zeroed table of slots_n slots, or NULL. */
static struct slot *table_new(size_t slots_n)
{
    if (slots_n > SIZE_MAX / sizeof(struct slot))
        return NULL;
    struct slot *slots = alloc_big(slots_n * sizeof *slots);
    if (slots != NULL)
        memset(slots, 0, slots_n * sizeof *slots);
    return slots;
}

/* Moves every entry into slots, a zeroed table of slots_n slots. */
static void move_to(strmap *m, struct slot *slots, size_t slots_n)
{
    size_t old_n = m->mask + 1;
    struct slot *old = m->slots;

    m->slots = slots;
    m->mask = slots_n - 1;
    for (size_t i = 0; i < old_n; i++) {
        if (old[i].key != NULL)
            place(m, old[i]);
    }
    free(old);
}

/* Makes the table slots wide (a power of two). On failure the old table is untouched. */
static int resize(strmap *m, size_t slots_n)
{
    struct slot *slots = slots_n == 0 ? NULL : table_new(slots_n);
    if (slots == NULL)
        return -1;
    move_to(m, slots, slots_n);
    return 0;
}

/* Whether n keys load a table of slots_n slots past 70%. */
static int too_full(size_t n, size_t slots_n)
{
    return n > slots_n / 10 * 7 + slots_n % 10 * 7 / 10;
}

/* The table size (a power of two, at least the current one) that n keys
 * do not load past 70%; 0 when it would not fit in memory. */
static size_t slots_for(const strmap *m, size_t n)
{
    size_t slots_n = m->mask + 1;
    while (too_full(n, slots_n)) {
        if (slots_n >= (size_t)1 << 32 || slots_n > SIZE_MAX / 2 / sizeof(struct slot))
            return 0; /* (a slot keeps 32 bits of hash) */
        slots_n *= 2;
    }
    return slots_n;
}

static void spare_take(strmap *m);

int strmap_reserve(strmap *m, size_t n)
{
    spare_take(m);
    size_t slots_n = slots_for(m, n);
    if (slots_n == 0)
        return -1;
    return slots_n == m->mask + 1 ? 0 : resize(m, slots_n);
}

static void *spare_run(void *arg)
{
    struct spare *sp = arg;
#ifdef SCHED_IDLE
    /* Only a core otherwise idle: the map's own thread has the work to do. */
    (void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &(struct sched_param){ 0 });
#endif
    sp->slots = table_new(sp->slots_n);
    if (sp->block_bytes != 0 && (sp->block = alloc_big(sp->block_bytes)) != NULL) {
        sp->block->next = NULL;
        sp->block->used = 0;
        sp->block->size = sp->block_bytes - sizeof *sp->block;
        memset(sp->block->data, 0, sp->block->size); /* (to fault its pages in here) */
    }
    atomic_store_explicit(&sp->ready, 1, memory_order_relaxed);
    return NULL;
}

int strmap_reserve_ahead(strmap *m, size_t n)
{
    spare_take(m);
    size_t slots_n = slots_for(m, n);
    if (slots_n == 0)
        return -1;
    if (slots_n == m->mask + 1)
        return 0;
    struct spare *sp = calloc(1, sizeof *sp);
    if (sp == NULL)
        return -1;
    sp->slots_n = slots_n;
    /* Room for the keys to come, at the mean length of those so far. */
    if (m->count != 0 && n > m->count && (n - m->count) <= (SIZE_MAX - sizeof(struct block)) /
                                                              (m->key_bytes / m->count + 1))
        sp->block_bytes = sizeof(struct block) + (n - m->count) * (m->key_bytes / m->count + 1);
    if (pthread_create(&sp->thread, NULL, spare_run, sp) != 0) {
        free(sp);
        return strmap_reserve(m, n);
    }
    m->spare = sp;
    return 0;
}

/* Frees the spare joined and what of it the map did not take. */
static void spare_free(strmap *m)
{
    struct spare *sp = m->spare;
    free(sp->slots);
    free(sp->block);
    free(sp);
    m->spare = NULL;
}

/* Waits for the spare being made ready, if any, and frees it. */
static void spare_drop(strmap *m)
{
    if (m->spare == NULL)
        return;
    pthread_join(m->spare->thread, NULL);
    spare_free(m);
}

/* Waits for the spare being made ready, if any, and moves to its table and
 * block. */
static void spare_take(strmap *m)
{
    struct spare *sp = m->spare;
    if (sp == NULL)
        return;
    pthread_join(sp->thread, NULL);
    if (sp->slots != NULL && sp->slots_n > m->mask + 1) {
        move_to(m, sp->slots, sp->slots_n);
        sp->slots = NULL;
    }
    if (sp->block != NULL) {
        sp->block->next = m->arena;
        m->arena = sp->block;
        sp->block = NULL;
    }
    spare_free(m);
}

/* Copies key, after its length, into the arena; NULL when out of memory
 * (n is at most UINT32_MAX). */
static const char *arena_copy(strmap *m, const char *key, size_t n)
{
    struct block *b = m->arena;
    size_t head = n < LONG_KEY ? 1 : 1 + sizeof(uint32_t), need = head + n;

    if (b == NULL || b->size - b->used < need) {
        if (need > SIZE_MAX - sizeof *b)
            return NULL;
        size_t bytes = sizeof *b + need > m->next_block ? sizeof *b + need : m->next_block;
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
    if (n < LONG_KEY) {
        p[0] = (char)n;
    } else {
        uint32_t n32 = (uint32_t)n;
        p[0] = (char)LONG_KEY;
        memcpy(p + 1, &n32, sizeof n32);
    }
    if (n != 0)
        memcpy(p + head, key, n);
    b->used += need;
    m->key_bytes += need;
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
    if (s->hash == (uint32_t)hash && s->key != NULL)
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
    if (m->spare != NULL && atomic_load_explicit(&m->spare->ready, memory_order_relaxed))
        spare_take(m);
    /* (while a spare is not ready, the table grows as it would without) */
    if (too_full(m->count + 1, m->mask + 1) && resize(m, slots_for(m, m->count + 1)) != 0)
        return -1;
    const char *copy = arena_copy(m, key, n);
    if (copy == NULL)
        return -1;
    place(m, (struct slot){ .hash = (uint32_t)h, .key = copy, .value = value });
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
