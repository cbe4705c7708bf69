/*
 * dict.h — string dictionaries: each string field (and each event or consent
 * attribute) interns its values to dense codes from 1; code 0 is "missing".
 *
 * On disk: dict (field u16, code u32) big-endian -> bytes. In memory, during
 * a write, a dict_map holds string -> code for one field.
 */
#ifndef SEGRT_DICT_H
#define SEGRT_DICT_H

#include "store/store.h"
#include "util/strmap.h"

typedef struct dict_map {
    uint16_t field;
    uint32_t next; /* next free code */
    strmap *map;
    int not_last;  /* a later field's entries follow this one's: new codes cannot append */
} dict_map;

/* Load every entry of a field's dictionary. */
int dict_map_load(segrt_store *s, MDB_txn *txn, uint16_t field, dict_map **out);
void dict_map_free(dict_map *d);
/* The code of str, adding it to the dictionary when new. */
int dict_intern(segrt_store *s, MDB_txn *txn, dict_map *d, const char *str, size_t n,
                uint32_t *code);
/* The same with str's hash known: h must be strmap_hash(str, n). */
int dict_intern_hashed(segrt_store *s, MDB_txn *txn, dict_map *d, uint64_t h, const char *str,
                       size_t n, uint32_t *code);
/* The string of a code, borrowed until txn ends; SEGRT_ENOTFOUND if absent. */
int dict_string(segrt_store *s, MDB_txn *txn, uint16_t field, uint32_t code, MDB_val *out);
/* What dict_foreach calls for an entry: its code and string v (borrowed until txn ends). */
typedef int (*dict_entry_fn)(void *ud, uint32_t code, const MDB_val *v);
/* Call fn for each entry of a field in code order; a non-zero return stops and is returned. */
int dict_foreach(segrt_store *s, MDB_txn *txn, uint16_t field, dict_entry_fn fn, void *ud);
/* Remove a code (after its last user was erased). */
int dict_remove(segrt_store *s, MDB_txn *txn, uint16_t field, uint32_t code);
/* Find the code of str without adding it (linear scan of the field). 0 when absent. */
int dict_find(segrt_store *s, MDB_txn *txn, uint16_t field, const char *str, size_t n,
              uint32_t *code);

#endif
