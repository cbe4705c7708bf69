/*
 * column_ints.c — the wide and packed forms of a numeric column's chunk.
 *
 * Uses: column.h (chunk geometry), value.h (VALUE_MISSING).
 */
#include "store/column_ints.h"

/* The offset of VALUE_MISSING in a packed width: all ones. */
static uint32_t missing_of(size_t width)
{
    return width == 4 ? UINT32_MAX : (uint32_t)((1u << (8 * width)) - 1);
}

int column_ints_of(const MDB_val *v, column_ints *out)
{
    *out = (column_ints){ .p = v->mv_data, .width = 8 };
    if (v->mv_size == (size_t)COL_CHUNK_ROWS * 8)
        return 0;
    for (size_t w = 1; w <= 4; w *= 2) {
        if (v->mv_size != COLUMN_INTS_HEADER + (size_t)COL_CHUNK_ROWS * w)
            continue;
        memcpy(&out->base, v->mv_data, sizeof out->base);
        memcpy(&out->step, (const unsigned char *)v->mv_data + 8, sizeof out->step);
        out->p += COLUMN_INTS_HEADER;
        out->width = w;
        out->missing = missing_of(w);
        return out->step ? 0 : -1;
    }
    return -1;
}

void column_ints_unpack(const column_ints *c, int64_t *dst, uint32_t n)
{
    if (c->width == 8) {
        memcpy(dst, c->p, (size_t)n * sizeof *dst);
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        dst[i] = column_int_at(c, i);
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

int column_ints_choose(const int64_t *wide, column_ints *form)
{
    int64_t min = INT64_MAX, max = INT64_MIN;
    for (uint32_t i = 0; i < COL_CHUNK_ROWS; i++) {
        int64_t x = wide[i];
        if (x == VALUE_MISSING)
            continue;
        min = x < min ? x : min;
        max = x > max ? x : max;
    }
    uint64_t step = 0; /* the distances' greatest common divisor; 0 while they are all 0 */
    for (uint32_t i = 0; i < COL_CHUNK_ROWS && step != 1 && min <= max; i++) {
        if (wide[i] != VALUE_MISSING)
            step = gcd(step, (uint64_t)wide[i] - (uint64_t)min);
    }
    step = step ? step : 1;
    uint64_t range = min <= max ? ((uint64_t)max - (uint64_t)min) / step : 0;
    for (size_t w = 1; w <= 4; w *= 2) {
        if (range < missing_of(w)) {
            *form = (column_ints){ .width = w, .base = min <= max ? min : 0, .step = step,
                                   .missing = missing_of(w) };
            return 1;
        }
    }
    return 0;
}

size_t column_ints_size(const column_ints *form)
{
    return COLUMN_INTS_HEADER + (size_t)COL_CHUNK_ROWS * form->width;
}

/* The offset of x in form. */
static uint32_t offset_of(const column_ints *form, int64_t x)
{
    if (x == VALUE_MISSING)
        return form->missing;
    uint64_t d = (uint64_t)x - (uint64_t)form->base;
    return (uint32_t)(form->step == 1 ? d : d / form->step);
}

void column_ints_pack(const int64_t *wide, const column_ints *form, unsigned char *out)
{
    memcpy(out, &form->base, sizeof form->base);
    memcpy(out + 8, &form->step, sizeof form->step);
    unsigned char *p = out + COLUMN_INTS_HEADER;
    for (uint32_t i = 0; i < COL_CHUNK_ROWS; i++) {
        uint32_t off = offset_of(form, wide[i]);
        if (form->width == 4) {
            memcpy(p + (size_t)i * 4, &off, sizeof off);
        } else if (form->width == 2) {
            uint16_t o16 = (uint16_t)off;
            memcpy(p + (size_t)i * 2, &o16, sizeof o16);
        } else {
            p[i] = (unsigned char)off;
        }
    }
}

int column_ints_span(const column_ints *c, int64_t lo, int64_t hi, uint32_t *olo, uint32_t *ohi)
{
    __int128 dlo = (__int128)lo - c->base, dhi = (__int128)hi - c->base, step = c->step;
    if (lo > hi || dhi < 0)
        return 0;
    __int128 first = dlo <= 0 ? 0 : (dlo + step - 1) / step, last = dhi / step;
    if (last > (__int128)c->missing - 1)
        last = (__int128)c->missing - 1;
    if (first > last)
        return 0;
    *olo = (uint32_t)first;
    *ohi = (uint32_t)last;
    return 1;
}
