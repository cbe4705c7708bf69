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
/* Remove a key; 1 when it was there. */
int strmap_del(strmap *m, const char *key, size_t n);
size_t strmap_count(const strmap *m);

#endif
