/*
 * segset.h — the public segrt_set: a bitset over contact ordinals.
 */
#ifndef SEGRT_SEGSET_H
#define SEGRT_SEGSET_H

#include "plan/plan.h"
#include "util/bitset.h"
#include "segrt.h"

struct segrt_set {
    bitset bits;
};

/* A set owning b (b is emptied). NULL when out of memory. */
segrt_set *segset_wrap(bitset *b);
/* Whether name is "id" or a contact field of the store. */
int segset_is_field(segrt_store *s, const char *name);
/*
 * The members of m as JSON rows (in byte order of the ids): all fields, or
 * the nfields named; field i is a score when scores[i].v is set (its values
 * by ordinal, of type types[i]).
 */
int segset_rows_foreach(segrt_store *s, const segrt_set *m, const char *const *fields,
                        size_t nfields, const vec *scores, const vtype *types, segrt_row_fn fn,
                        void *ud);

#endif
