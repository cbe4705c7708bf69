/*
 * schema.h — the contact fields of a store: names, types, field ids.
 *
 * Field ids index columns and dictionaries. User fields get ids from 1 in
 * declaration order; ids from FIELD_INTERNAL up name the dictionaries of
 * event types, event attributes and consent purposes/sources.
 */
#ifndef SEGRT_SCHEMA_H
#define SEGRT_SCHEMA_H

#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

enum {
    FIELD_LIVE = 0, /* the live-contacts bitset column */
    FIELD_INTERNAL = 0xFF00,
    FIELD_EV_TYPE = FIELD_INTERNAL,
    FIELD_EV_CATEGORY,
    FIELD_EV_CHANNEL,
    FIELD_CS_PURPOSE,
    FIELD_CS_SOURCE,
    /* the bitset column of contacts with a restriction record, in force or not (restriction.h) */
    FIELD_RESTRICTION = 0xFF10
};

typedef struct field_def {
    uint16_t id;
    segrt_type type;
    char *name;
} field_def;

struct schema {
    field_def *fields; /* declaration order */
    size_t n, cap;
};

/* (Re)load the schema from a transaction (or a fresh read txn when txn is NULL). */
int schema_load_txn(segrt_store *s, MDB_txn *txn);
int schema_load(segrt_store *s);
void schema_free(struct schema *sc);
/* The field called name[0..n), or NULL. */
const field_def *schema_find(const struct schema *sc, const char *name, size_t n);
/* The field with this id, or NULL. */
const field_def *schema_by_id(const struct schema *sc, uint16_t id);
/* Add a field in txn and to the cache; *out points into the cache. */
int schema_add(segrt_store *s, MDB_txn *txn, const char *name, size_t n, segrt_type type,
               const field_def **out);
/* The type of a well-known field of the bench data set, or 0. */
segrt_type schema_builtin_type(const char *name, size_t n);
/* Whether name is a valid field name: [A-Za-z_][A-Za-z0-9_]*, at most 64 bytes. */
int schema_valid_name(const char *name, size_t n);

#endif
