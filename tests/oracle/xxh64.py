"""xxh64.py — XXH64 (seed 0 by default) in pure Python, for the SQLite twins of
A/B splits: a split's bucket is xxh64(name + ':' + id) % 100 (core/plan/plan_split.h).
Written from the XXH64 specification (github.com/Cyan4973/xxHash, doc/xxhash_spec.md),
independently of libxxhash, which the C side uses; the tests check the two agree."""
import struct

P1, P2, P3 = 11400714785074694791, 14029467366897019727, 1609587929392839161
P4, P5 = 9650029242287828579, 2870177450012600261
MASK = (1 << 64) - 1


def _rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & MASK


def _round(acc, lane):
    return (_rotl((acc + lane * P2) & MASK, 31) * P1) & MASK


def _merge(acc, val):
    return ((acc ^ _round(0, val)) * P1 + P4) & MASK


def xxh64(data, seed=0):
    """The 64-bit XXH64 hash of bytes data."""
    n, i = len(data), 0
    if n >= 32:
        v = [(seed + P1 + P2) & MASK, (seed + P2) & MASK, seed, (seed - P1) & MASK]
        while i + 32 <= n:
            lanes = struct.unpack_from('<4Q', data, i)
            v = [_round(a, lane) for a, lane in zip(v, lanes)]
            i += 32
        h = (_rotl(v[0], 1) + _rotl(v[1], 7) + _rotl(v[2], 12) + _rotl(v[3], 18)) & MASK
        for a in v:
            h = _merge(h, a)
    else:
        h = (seed + P5) & MASK
    h = (h + n) & MASK
    while i + 8 <= n:
        h ^= _round(0, struct.unpack_from('<Q', data, i)[0])
        h = (_rotl(h, 27) * P1 + P4) & MASK
        i += 8
    if i + 4 <= n:
        h ^= (struct.unpack_from('<I', data, i)[0] * P1) & MASK
        h = (_rotl(h, 23) * P2 + P3) & MASK
        i += 4
    while i < n:
        h ^= (data[i] * P5) & MASK
        h = (_rotl(h, 11) * P1) & MASK
        i += 1
    h ^= h >> 33
    h = (h * P2) & MASK
    h ^= h >> 29
    h = (h * P3) & MASK
    return h ^ (h >> 32)


def split_bucket(name, contact_id):
    """The bucket (0..99) of a contact in split name, as segrt and ClickHouse compute it."""
    return xxh64((name + ':' + contact_id).encode('utf-8')) % 100


if __name__ == '__main__':
    # The specification's value for the empty input (seed 0).
    assert xxh64(b'') == 0xEF46DB3751D8E999, hex(xxh64(b''))
    import sys
    for s in sys.argv[1:]:
        print('%s %016x %d' % (s, xxh64(s.encode('utf-8')), xxh64(s.encode('utf-8')) % 100))
