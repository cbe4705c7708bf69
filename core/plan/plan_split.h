/*
 * plan_split.h — A/B split arms (seg.split, P_SPLIT): a contact's bucket in
 * a split is a stable hash of the split's name and the contact's external
 * id, and an arm holds the buckets [lo, hi) of 0..99. Evaluated over every
 * contact at once (walking the id index, the buckets memoised per split for
 * the evaluation) or for one contact (the live path, plan_one.c).
 *
 * Uses: plan.h.
 */
#ifndef SEGRT_PLAN_SPLIT_H
#define SEGRT_PLAN_SPLIT_H

#include "plan/plan.h"

#include <stddef.h>
#include <stdint.h>

#define PLAN_SPLIT_BUCKETS 100

/*
 * The hash of contact id in split name: XXH64 (seed 0) of the bytes name ":"
 * id; its bucket (0..99) is the hash modulo 100. The same as ClickHouse's
 * xxHash64(concat(name, ':', id)) % 100, which compiled segments use.
 */
uint64_t plan_split_hash(const char *name, size_t namelen, const char *id, size_t idlen);
uint32_t plan_split_bucket(const char *name, size_t namelen, const char *id, size_t idlen);
/* P_SPLIT p over the contacts frame: bits of the contacts whose bucket is in [p->op, p->k). */
int plan_split_eval(plan_ctx *cx, const pnode *p, bitset *out);
/* P_SPLIT p for contact ord alone: whether its bucket is in [p->op, p->k), into *holds. */
int plan_split_one(plan_ctx *cx, const pnode *p, uint32_t ord, int *holds);

#endif
