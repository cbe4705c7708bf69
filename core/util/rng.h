/*
 * rng.h — a small seeded pseudo-random generator for the demo data, the
 * models (k-means++ seeding, holdout splits) and the tests that generate data.
 *
 * xoshiro256** (Blackman & Vigna) with its state filled by splitmix64 from a
 * 64-bit seed, so every seed, 0 included, gives a well-mixed stream. The
 * same seed gives the same sequence on every platform: only 64-bit integer
 * arithmetic, and doubles made from the top 53 bits. Not for cryptography.
 *
 * Header-only (static inline). Uses: libm (rng_normal).
 */
#ifndef SEGRT_RNG_H
#define SEGRT_RNG_H

#include <math.h>
#include <stdint.h>

typedef struct rng {
    uint64_t s[4];
} rng;

/* One step of splitmix64: advances *x and returns a mixed value. */
static inline uint64_t rng_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static inline void rng_seed(rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = rng_splitmix64(&seed);
}

static inline uint64_t rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng_rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1), a multiple of 2^-53. */
static inline double rng_uniform(rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [0, n); n > 0. Rejection sampling, so no modulo bias. */
static inline uint64_t rng_below(rng *r, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n; /* a multiple of n */
    uint64_t v;
    do
        v = rng_next(r);
    while (v >= limit);
    return v % n;
}

/* Standard normal (Box-Muller; one value a call, the second is dropped). */
static inline double rng_normal(rng *r)
{
    double u = 1.0 - rng_uniform(r); /* (0, 1]: log stays finite */
    double v = rng_uniform(r);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

#endif
