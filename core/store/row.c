/*
 * row.c — encoding and editing of contact row records (see row.h).
 */
#include "store/row.h"

#include "util/array.h"

void row_clear(row *r)
{
    r->id = NULL;
    r->idlen = 0;
    r->n = 0;
    r->ncodes = 0;
}

void row_free(row *r)
{
    free(r->vals);
    free(r->codes);
    *r = (row){ 0 };
}

/* Where field's value is or goes: the first value at or after it. */
static size_t find(const row *r, uint16_t field)
{
    if (r->n == 0 || r->vals[r->n - 1].field < field)
        return r->n; /* an import writes a new row's fields in order: after the last */
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->vals[mid].field < field)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static row_value *slot_for(row *r, uint16_t field)
{
    size_t i = find(r, field);
    if (i < r->n && r->vals[i].field == field)
        return &r->vals[i];
    if (ARRAY_RESERVE(r->vals, r->cap, r->n + 1) != 0)
        return NULL;
    memmove(&r->vals[i + 1], &r->vals[i], (r->n - i) * sizeof *r->vals);
    r->n++;
    r->vals[i] = (row_value){ .field = field, .at = ROW_NO_TIME };
    return &r->vals[i];
}

static int add_codes(row *r, const uint32_t *set, uint32_t nset, uint32_t *off)
{
    if (ARRAY_RESERVE(r->codes, r->codes_cap, r->ncodes + nset) != 0)
        return -1;
    *off = (uint32_t)r->ncodes;
    if (nset)
        memcpy(r->codes + r->ncodes, set, nset * sizeof *set);
    r->ncodes += nset;
    return 0;
}

int row_set(row *r, uint16_t field, int64_t v, const uint32_t *set, uint32_t nset, int is_set)
{
    uint32_t off = 0;
    /* Codes first: a replaced set's old codes stay as unused space until row_clear. */
    if (is_set && add_codes(r, set, nset, &off) != 0)
        return -1;
    row_value *slot = slot_for(r, field);
    if (slot == NULL)
        return -1;
    *slot = (row_value){ .field = field, .is_set = is_set, .v = v, .nset = nset, .set_off = off,
                         .at = ROW_NO_TIME };
    return 0;
}

void row_stamp(row *r, uint16_t field, int64_t at)
{
    size_t i = find(r, field);
    if (i < r->n && r->vals[i].field == field)
        r->vals[i].at = at;
}

/* The times of the values, after them: base = the newest, then base - at + 1 each (0: none). */
static int encode_times(const row *r, buf *out)
{
    int64_t base = ROW_NO_TIME;
    for (size_t i = 0; i < r->n; i++)
        base = r->vals[i].at > base ? r->vals[i].at : base;
    if (base == ROW_NO_TIME)
        return 0;
    int rc = buf_put(out, "\1", 1) | buf_put_varint(out, zigzag(base));
    for (size_t i = 0; i < r->n; i++) {
        int64_t at = r->vals[i].at;
        rc |= buf_put_varint(out, at == ROW_NO_TIME ? 0 : (uint64_t)(base - at) + 1);
    }
    return rc;
}

static int decode_times(row *r, const unsigned char *p, const unsigned char *end)
{
    uint64_t base, d;
    if (p == end)
        return 0; /* written before values knew their times */
    if (*p++ != 1 || get_varint(&p, end, &base) != 0)
        return -1;
    int64_t b = unzigzag(base);
    for (size_t i = 0; i < r->n; i++) {
        if (get_varint(&p, end, &d) != 0)
            return -1;
        r->vals[i].at = d == 0 ? ROW_NO_TIME : b - (int64_t)(d - 1);
    }
    return p == end ? 0 : -1;
}

void row_unset(row *r, uint16_t field)
{
    size_t i = find(r, field);
    if (i < r->n && r->vals[i].field == field) {
        memmove(&r->vals[i], &r->vals[i + 1], (r->n - i - 1) * sizeof *r->vals);
        r->n--;
    }
}

const row_value *row_get(const row *r, uint16_t field)
{
    size_t i = find(r, field);
    return i < r->n && r->vals[i].field == field ? &r->vals[i] : NULL;
}

int row_encode(const row *r, buf *out)
{
    out->len = 0;
    int rc = buf_put_varint(out, r->idlen);
    rc |= buf_put(out, r->id, r->idlen);
    rc |= buf_put_varint(out, r->n);
    for (size_t i = 0; i < r->n && rc == 0; i++) {
        const row_value *v = &r->vals[i];
        rc |= buf_put_varint(out, (uint64_t)v->field << 1 | (v->is_set ? 1 : 0));
        if (!v->is_set) {
            rc |= buf_put_varint(out, zigzag(v->v));
            continue;
        }
        rc |= buf_put_varint(out, v->nset);
        for (uint32_t j = 0; j < v->nset; j++)
            rc |= buf_put_varint(out, r->codes[v->set_off + j]);
    }
    if (rc == 0)
        rc = encode_times(r, out);
    return rc ? -1 : 0;
}

int row_id(const void *data, size_t size, const char **id, size_t *idlen)
{
    const unsigned char *p = data, *end = p + size;
    uint64_t n;
    if (get_varint(&p, end, &n) != 0 || n > (uint64_t)(end - p))
        return -1;
    *id = (const char *)p;
    *idlen = (size_t)n;
    return 0;
}

int row_decode(row *r, const void *data, size_t size)
{
    const unsigned char *p = data, *end = p + size;
    uint64_t idlen, n;
    row_clear(r);
    if (get_varint(&p, end, &idlen) != 0 || idlen > (uint64_t)(end - p))
        return -1;
    r->id = (const char *)p;
    r->idlen = (size_t)idlen;
    p += idlen;
    if (get_varint(&p, end, &n) != 0)
        return -1;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t tag, v, nset;
        if (get_varint(&p, end, &tag) != 0 || (tag >> 1) > UINT16_MAX)
            return -1;
        if (!(tag & 1)) {
            if (get_varint(&p, end, &v) != 0)
                return -1;
            if (row_set(r, (uint16_t)(tag >> 1), unzigzag(v), NULL, 0, 0) != 0)
                return -2;
            continue;
        }
        if (get_varint(&p, end, &nset) != 0 || nset > (uint64_t)(end - p))
            return -1;
        uint32_t off;
        if (add_codes(r, NULL, 0, &off) != 0)
            return -2;
        for (uint64_t j = 0; j < nset; j++) {
            uint32_t code;
            if (get_varint(&p, end, &v) != 0 || v > UINT32_MAX)
                return -1;
            code = (uint32_t)v;
            if (add_codes(r, &code, 1, &(uint32_t){ 0 }) != 0)
                return -2;
        }
        row_value *slot = slot_for(r, (uint16_t)(tag >> 1));
        if (slot == NULL)
            return -2;
        *slot = (row_value){ .field = (uint16_t)(tag >> 1), .is_set = 1, .nset = (uint32_t)nset,
                             .set_off = off, .at = ROW_NO_TIME };
    }
    return decode_times(r, p, end);
}
