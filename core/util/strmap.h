/*
 * strmap.h — an open-addressing hash map from byte strings to uint32, with
 * keys copied into an arena. Used for the in-memory id, email and dictionary
 * indexes of an import. Uses: libxxhash.
 */
#ifndef SEGRT_STRMAP_H
#define SEGRT_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct strmap strmap;

strmap *strmap_new(void);
void strmap_free(strmap *m);               /* accepts NULL */
/* Insert or replace; key is copied, the caller's bytes are only read during
 * the call. 0 on success, -1 when out of memory or n > UINT32_MAX; on -1
 * the map is unchanged. */
int strmap_put(strmap *m, const char *key, size_t n, uint32_t value);
/* 1 and *value when found, 0 when not. */
int strmap_get(const strmap *m, const char *key, size_t n, uint32_t *value);
/*
 * The same with the key's hash given: h must be strmap_hash(key, n). A
 * thread that reads ahead can hash the keys the map's thread will look up.
 */
uint64_t strmap_hash(const char *key, size_t n);
int strmap_put_hashed(strmap *m, uint64_t h, const char *key, size_t n, uint32_t value);
int strmap_get_hashed(const strmap *m, uint64_t h, const char *key, size_t n, uint32_t *value);
/*
 * Start loading the table's memory where a key of hash h is, for a lookup a
 * little later: in a map too big for the caches, lookups done one after the
 * other each wait for memory, those prefetched a few keys ahead overlap.
 */
void strmap_prefetch(const strmap *m, uint64_t h);
/* The same for the key's bytes, when the key sits in its home slot (read now: prefetch its
 * slot first). */
void strmap_prefetch_key(const strmap *m, uint64_t h);
/* Make room for n keys in all, so that the table does not grow before; 0 or -1 (no memory). */
int strmap_reserve(strmap *m, size_t n);
/*
 * The same without waiting: a thread allocates and zeroes the bigger table,
 * and an arena block for the new keys at the mean length of those so far,
 * while the map goes on in its table (growing it as it fills). The first
 * put after they are ready, or strmap_reserve, moves the map to them; a
 * table it has outgrown meanwhile is dropped. 0, or -1 when the
 * table would not fit in memory; when no thread starts, it reserves as
 * strmap_reserve. The map is still used by one thread at a time.
 */
int strmap_reserve_ahead(strmap *m, size_t n);
/* Remove a key; 1 when it was there. */
int strmap_del(strmap *m, const char *key, size_t n);
size_t strmap_count(const strmap *m);

#endif
