/*
 * segset.h — the public segrt_set: a bitset over contact ordinals.
 */
#ifndef SEGRT_SEGSET_H
#define SEGRT_SEGSET_H

#include "util/bitset.h"
#include "segrt.h"

struct segrt_set {
    bitset bits;
};

/* A set owning b (b is emptied). NULL when out of memory. */
segrt_set *segset_wrap(bitset *b);

#endif
