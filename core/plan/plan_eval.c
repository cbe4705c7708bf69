/*
 * plan_eval.c — evaluating plan nodes (plan.h) as loops over a frame: values
 * into int64 vectors, predicates into bitsets. Event aggregates live in
 * plan_events.c, NTILE in plan_rank.c, memoised scores in plan_memo.c,
 * A/B split arms in plan_split.c;
 * members, Lua score functions and model outputs are the hooks' (plan.h).
 */
#include "plan/plan.h"

#include "store/column.h"
#include "store/column_ints.h"
#include "store/column_scalar.h"
#include "store/dict.h"
#include "store/row.h"
#include "store/schema.h"
#include "plan/plan_extra.h"
#include "plan/plan_memo.h"
#include "plan/plan_split.h"
#include "privacy/consent_check.h"
#include "util/array.h"
#include "util/hugepage.h"
#include "util/value.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MISSING VALUE_MISSING
#define SCALE VALUE_NUMBER_SCALE
#define SECS_PER_DAY 86400

size_t plan_frame_rows(const plan_ctx *cx, frame_kind frame)
{
    return frame == FRAME_EVENTS ? cx->ev->n : cx->ncontacts;
}

void vec_free(vec *x)
{
    free(x->v);
    x->v = NULL;
}

static int vec_alloc(plan_ctx *cx, vec *x, size_t n)
{
    *x = (vec){ 0 };
    x->v = hugepage_malloc((n ? n : 1) * sizeof *x->v);
    return x->v ? SEGRT_OK : store_fail(cx->s, SEGRT_ENOMEM, "out of memory evaluating a segment");
}

static int new_bits(plan_ctx *cx, bitset *b, size_t n)
{
    return bitset_init(b, (uint32_t)n) == 0
               ? SEGRT_OK
               : store_fail(cx->s, SEGRT_ENOMEM, "out of memory evaluating a segment");
}

/* ------------------------------------------------------------ contact columns */

int64_t plan_to_domain(segrt_type t, int64_t v)
{
    if (v == MISSING)
        return MISSING;
    switch (t) {
    case SEGRT_T_INTEGER:
        if (v > INT64_MAX / SCALE || v < -(INT64_MAX / SCALE))
            return MISSING; /* beyond +-9.2e12 integers cannot be compared exactly */
        return v * SCALE;
    case SEGRT_T_DATE: return v * SECS_PER_DAY;
    default: return v;
    }
}

static uint32_t chunk_rows(const plan_ctx *cx, uint32_t ch)
{
    uint32_t base = ch * COL_CHUNK_ROWS;
    return cx->ncontacts - base < COL_CHUNK_ROWS ? cx->ncontacts - base : COL_CHUNK_ROWS;
}

/* One chunk of a scalar contact field into dst[0..rows), in the plan's domain. */
static int load_chunk(plan_ctx *cx, const pnode *p, uint32_t ch, int64_t *dst)
{
    uint32_t rows = chunk_rows(cx, ch);
    MDB_val v;
    int rc = column_chunk_get(cx->s, cx->txn, p->field, ch, 0, &v);
    if (rc == SEGRT_ENOTFOUND) {
        for (uint32_t i = 0; i < rows; i++)
            dst[i] = MISSING;
        return SEGRT_OK;
    }
    if (rc != SEGRT_OK)
        return rc;
    column_scalar c;
    if (column_scalar_of(&v, p->ftype, &c) != 0)
        return store_fail(cx->s, SEGRT_ECORRUPT, "column of '%s' has a chunk of %zu bytes",
                          p->str, v.mv_size);
    if (c.is_string) {
        for (uint32_t i = 0; i < rows; i++)
            dst[i] = column_scalar_at(&c, i);
    } else {
        column_ints_unpack(&c.ints, dst, rows);
        if (p->ftype == SEGRT_T_INTEGER || p->ftype == SEGRT_T_DATE) {
            for (uint32_t i = 0; i < rows; i++)
                dst[i] = plan_to_domain(p->ftype, dst[i]);
        }
    }
    return SEGRT_OK;
}

/*
 * Age in whole years at NOW, from birth dates in seconds: cut[k] is the last
 * birth day with age >= k, so an age is a search in a 256-entry table.
 */
enum { MAX_AGE = 255 };

static void age_cuts(int64_t now, int64_t cut[MAX_AGE + 1])
{
    int64_t y;
    unsigned m, d;
    value_civil_from_days(now >= 0 ? now / SECS_PER_DAY : -((-now + SECS_PER_DAY - 1) / SECS_PER_DAY),
                          &y, &m, &d);
    for (int k = 0; k <= MAX_AGE; k++) {
        int64_t yy = y - k;
        int leap = (yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0;
        unsigned dd = m == 2 && d == 29 && !leap ? 28 : d;
        cut[k] = value_days_from_civil(yy, m, dd) * SECS_PER_DAY;
    }
}

static void ages(const int64_t cut[MAX_AGE + 1], int64_t now, int64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t b = v[i];
        if (b == MISSING)
            continue;
        if (b > cut[0] || b <= cut[MAX_AGE]) { /* unborn or very old: the slow, exact way */
            v[i] = (int64_t)value_age_years(b / SECS_PER_DAY, now) * SCALE;
            continue;
        }
        int lo = 0; /* the largest k with cut[k] >= b, searched without branches */
        for (int step = 128; step; step >>= 1)
            lo = cut[lo + step] >= b ? lo + step : lo;
        v[i] = (int64_t)lo * SCALE;
    }
}

/* A chunk of a field or of age (from birth_date). */
static int load_chunk_value(plan_ctx *cx, const pnode *p, const int64_t *cut, uint32_t ch,
                            int64_t *dst)
{
    if (p->kind != P_AGE)
        return load_chunk(cx, p, ch, dst);
    pnode birth = *p;
    birth.ftype = SEGRT_T_DATE;
    int rc = load_chunk(cx, &birth, ch, dst);
    if (rc == SEGRT_OK)
        ages(cut, cx->now, dst, chunk_rows(cx, ch));
    return rc;
}

/* The column of a scalar contact field (or age) as a vector in the plan's domain. */
static int load_field(plan_ctx *cx, const pnode *p, vec *out)
{
    int64_t cut[MAX_AGE + 1];
    if (p->kind == P_AGE)
        age_cuts(cx->now, cut);
    int rc = vec_alloc(cx, out, cx->ncontacts);
    uint32_t nchunks = (cx->ncontacts + COL_CHUNK_ROWS - 1) / COL_CHUNK_ROWS;
    for (uint32_t ch = 0; ch < nchunks && rc == SEGRT_OK; ch++)
        rc = load_chunk_value(cx, p, cut, ch, out->v + (size_t)ch * COL_CHUNK_ROWS);
    if (rc != SEGRT_OK)
        vec_free(out);
    return rc;
}

/* F.x:updated(): the write times the contacts' rows keep for field x (row.h). */
struct updated_scan {
    const pnode *p;
    vec *out;
    uint32_t n;
    row r;
};

static int note_updated(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                        const MDB_val *v)
{
    (void)txn;
    struct updated_scan *u = ud;
    uint32_t ord;
    int rc = store_ord_decode(s, k, "a contact's key", &ord);
    if (rc != SEGRT_OK)
        return rc;
    int drc = row_decode(&u->r, v->mv_data, v->mv_size);
    if (drc != 0)
        return store_decoded(s, drc, "the fields", ord);
    const row_value *rv = row_get(&u->r, u->p->field);
    if (ord < u->n && rv && rv->at != ROW_NO_TIME)
        u->out->v[ord] = rv->at;
    return SEGRT_OK;
}

static int load_updated(plan_ctx *cx, const pnode *p, vec *out)
{
    int rc = vec_alloc(cx, out, cx->ncontacts);
    for (uint32_t i = 0; rc == SEGRT_OK && i < cx->ncontacts; i++)
        out->v[i] = MISSING;
    struct updated_scan u = { p, out, cx->ncontacts, { 0 } };
    if (rc == SEGRT_OK)
        rc = store_scan(cx->s, cx->txn, DB_CONTACTS, NULL, 0, "reading contacts", note_updated, &u);
    row_free(&u.r);
    if (rc != SEGRT_OK)
        vec_free(out);
    return rc;
}

/* ------------------------------------------------------------ event attributes */

static int eval_evattr(plan_ctx *cx, const pnode *p, vec *out)
{
    const projection *ev = cx->ev;
    int rc = vec_alloc(cx, out, ev->n);
    if (rc != SEGRT_OK || ev->n == 0)
        return rc;
    switch (p->op) {
    case EVA_EXTRA:
        if ((rc = plan_extra_column(cx, ev, p->str, p->ftype, out->v)) != SEGRT_OK)
            vec_free(out);
        return rc;
    case EVA_TS: memcpy(out->v, ev->ts, ev->n * sizeof *out->v); break;
    case EVA_AMOUNT:
        if (ev->amount)
            memcpy(out->v, ev->amount, ev->n * sizeof *out->v);
        else /* the part left the column out: no event has one */
            for (size_t i = 0; i < ev->n; i++)
                out->v[i] = MISSING;
        break;
    default: {
        const uint32_t *codes = p->op == EVA_CATEGORY ? ev->category : ev->channel;
        for (size_t i = 0; i < ev->n; i++)
            out->v[i] = codes && codes[i] ? (int64_t)codes[i] : MISSING;
    }
    }
    return SEGRT_OK;
}

/* ------------------------------------------------------------ arithmetic */

/*
 * Products and quotients always involve one operand in micro-units (a number)
 * or two in the same unit (duration / duration), so one rescaling fits all:
 * a * b / SCALE and a * SCALE / b. Division by zero is missing.
 */
int64_t plan_arith(int op, int64_t a, int64_t b)
{
    if (a == MISSING || b == MISSING)
        return MISSING;
    __int128 r;
    switch (op) {
    case '+': r = (__int128)a + b; break;
    case '-': r = (__int128)a - b; break;
    case '*': r = (__int128)a * b / SCALE; break;
    case 'm': return a < b ? a : b;
    case 'M': return a > b ? a : b;
    default:
        if (b == 0)
            return MISSING;
        r = (__int128)a * SCALE / b;
        break;
    }
    if (r > INT64_MAX || r <= INT64_MIN)
        return MISSING;
    return (int64_t)r;
}

static int eval_arith(plan_ctx *cx, const pnode *p, vec *out)
{
    vec a, b;
    int rc = plan_eval_value(cx, p->a, &a);
    if (rc != SEGRT_OK)
        return rc;
    rc = plan_eval_value(cx, p->b, &b);
    if (rc != SEGRT_OK) {
        vec_free(&a);
        return rc;
    }
    if (a.is_const && b.is_const) {
        *out = (vec){ .is_const = 1, .k = plan_arith(p->op, a.k, b.k) };
        return SEGRT_OK;
    }
    size_t n = plan_frame_rows(cx, p->frame);
    rc = vec_alloc(cx, out, n);
    for (size_t i = 0; i < n && rc == SEGRT_OK; i++)
        out->v[i] = plan_arith(p->op, vec_at(&a, i), vec_at(&b, i));
    vec_free(&a);
    vec_free(&b);
    return rc;
}

int64_t plan_floor(int64_t x)
{
    if (x == MISSING)
        return MISSING;
    int64_t r = x % SCALE;
    return x - (r < 0 ? r + SCALE : r);
}

static int eval_floor(plan_ctx *cx, const pnode *p, vec *out)
{
    int rc = plan_eval_value(cx, p->a, out);
    if (rc != SEGRT_OK)
        return rc;
    size_t n = out->is_const ? 1 : plan_frame_rows(cx, p->frame);
    int64_t *v = out->is_const ? &out->k : out->v;
    for (size_t i = 0; i < n; i++)
        v[i] = plan_floor(v[i]);
    return SEGRT_OK;
}

/*
 * A profiling model or score (p->op): computed with cx->live narrowed to the
 * contacts profiling may score (no objection, Art. 21(2); no refused
 * profiling record; consent when the purpose accepts only consent), so fits
 * and NTILE ranks leave the others out, and missing for the others.
 */
int plan_profiling_live(plan_ctx *cx, const bitset **out)
{
    int rc = SEGRT_OK;
    if (cx->profiling_live.w == NULL)
        rc = cx->hooks->profiling(cx, &cx->profiling_live);
    *out = &cx->profiling_live;
    return rc;
}

static int profiling_value(plan_ctx *cx, const pnode *p, vec *out)
{
    const bitset *outer = cx->live;
    int rc = plan_profiling_live(cx, &cx->live);
    if (rc != SEGRT_OK) {
        cx->live = outer;
        return rc;
    }
    rc = p->kind == P_MODEL ? cx->hooks->model_output(cx, p, out) : plan_memo_score(cx, p, out);
    cx->live = outer;
    if (rc == SEGRT_OK && out->is_const) { /* spread the constant: contacts differ */
        int64_t k = out->k;
        rc = vec_alloc(cx, out, cx->ncontacts);
        for (uint32_t i = 0; rc == SEGRT_OK && i < cx->ncontacts; i++)
            out->v[i] = k;
    }
    for (uint32_t i = 0; rc == SEGRT_OK && i < cx->ncontacts; i++) {
        if (!bitset_test(&cx->profiling_live, i))
            out->v[i] = MISSING;
    }
    return rc;
}

int plan_eval_value(plan_ctx *cx, const pnode *p, vec *out)
{
    *out = (vec){ 0 };
    switch (p->kind) {
    case P_CONST: *out = (vec){ .is_const = 1, .k = p->k }; return SEGRT_OK;
    case P_FIELD: return load_field(cx, p, out);
    case P_AGE: return load_field(cx, p, out);
    case P_UPDATED: return load_updated(cx, p, out);
    case P_EVATTR: return eval_evattr(cx, p, out);
    case P_ARITH: return eval_arith(cx, p, out);
    case P_FLOOR: return eval_floor(cx, p, out);
    case P_AGG: return plan_eval_agg(cx, p, out);
    case P_NTILE: return plan_eval_ntile(cx, p, out);
    case P_SCORE_FN: return cx->hooks->score_fn(cx, p, out);
    case P_MODEL:
    case P_SCORE: {
        if (p->op)
            return profiling_value(cx, p, out);
        return p->kind == P_MODEL ? cx->hooks->model_output(cx, p, out)
                                  : plan_memo_score(cx, p, out);
    }
    default: return plan_fail(cx, p->loc, "internal error: not a value");
    }
}

/* ------------------------------------------------------------ string predicates */

static int cmp_holds(int op, int c)
{
    switch (op) {
    case CMP_EQ: return c == 0;
    case CMP_NE: return c != 0;
    case CMP_LT: return c < 0;
    case CMP_LE: return c <= 0;
    case CMP_GT: return c > 0;
    default: return c >= 0;
    }
}

static int strcmp_n(const MDB_val *v, const char *s)
{
    size_t n = strlen(s), m = v->mv_size < n ? v->mv_size : n;
    int c = memcmp(v->mv_data, s, m);
    return c ? c : (v->mv_size > n) - (v->mv_size < n);
}

int plan_string_holds(const pnode *p, const MDB_val *v)
{
    switch (p->kind) {
    case P_CMP: return cmp_holds(p->op, strcmp_n(v, p->b->str));
    case P_BETWEEN: return strcmp_n(v, p->b->str) >= 0 && strcmp_n(v, p->c->str) <= 0;
    default: /* P_ONE_OF */
        for (size_t i = 0; i < p->n; i++) {
            if (strcmp_n(v, p->list[i]->str) == 0)
                return 1;
        }
        return 0;
    }
}

static int table_add(void *ud, uint32_t code, const MDB_val *v)
{
    code_table *t = ud;
    size_t cap = t->cap;
    /* the table stays below 2^32 entries (cap is 32 bits): code UINT32_MAX cannot be held */
    if (code == UINT32_MAX || ARRAY_RESERVE_ZERO(t->ok, cap, (size_t)code + 1) != 0)
        return SEGRT_ENOMEM;
    t->cap = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
    t->ok[code] = (unsigned char)plan_string_holds(t->p, v);
    t->known = code >= t->known ? code + 1 : t->known;
    return 0;
}

int plan_code_table(plan_ctx *cx, const pnode *p, code_table *t)
{
    *t = (code_table){ .p = p };
    int rc = dict_foreach(cx->s, cx->txn, p->a->dict, table_add, t);
    if (rc == SEGRT_ENOMEM)
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory evaluating a segment");
    if (rc != SEGRT_OK) {
        free(t->ok);
        return rc;
    }
    uint32_t hits = 0;
    for (uint32_t code = 1; code < t->cap; code++) {
        if (t->ok[code]) {
            hits++;
            t->single = code;
        }
    }
    if (hits != 1)
        t->single = 0;
    return SEGRT_OK;
}

/* ------------------------------------------------------------ predicates over values */

/*
 * The rows' results as bits: 64 rows at a time, each row's 0 or 1 first
 * into a byte (a loop the compiler vectorises), then 8 bytes into 8 bits by
 * one multiply (the bytes' bits land in distinct places of the top byte).
 */
static inline uint64_t bits_of_bytes(const uint8_t r[64])
{
    uint64_t bits = 0;
    for (int k = 0; k < 8; k++) {
        uint64_t x;
        memcpy(&x, r + 8 * k, sizeof x);
        bits |= (x * UINT64_C(0x0102040810204080) >> 56) << (8 * k);
    }
    return bits;
}

/* words from cond over x = v[0..n) (of type x_t), 64 rows a word; rows past n are 0. */
#define ROWS_TO_BITS(x_t, cond)                                                               \
    for (size_t w = 0; w * 64 < n; w++) {                                                     \
        uint8_t r[64] = { 0 };                                                                \
        size_t m = n - w * 64 < 64 ? n - w * 64 : 64;                                         \
        for (size_t i = 0; i < m; i++) {                                                      \
            x_t x = v[w * 64 + i];                                                            \
            r[i] = (uint8_t)(cond);                                                           \
        }                                                                                     \
        words[w] = bits_of_bytes(r);                                                          \
    }

/* One tight loop per operator against a constant, so the compiler can vectorise it. */
#define PRED_LOOP(cond) ROWS_TO_BITS(int64_t, (x != MISSING) & (cond))

static int in_list(const pnode *p, int64_t x)
{
    for (size_t j = 0; j < p->n; j++) {
        if (x == p->list[j]->k)
            return 1;
    }
    return 0;
}

/*
 * The scans are built twice, for AVX2 and for any x86-64, and the loader
 * picks one (an ifunc). Not under ThreadSanitizer: an ifunc's resolver runs
 * while the loader relocates, before the TSan runtime is up, and crashes.
 */
#if defined(__SANITIZE_THREAD__)
#define SCAN_CLONES
#else
#define SCAN_CLONES __attribute__((target_clones("avx2", "default")))
#endif

/*
 * A predicate with constant operands (kb, kc) over values v[0..n) into
 * words (n is a multiple of 64 except at the end of the frame).
 */
SCAN_CLONES
static void pred_block(const pnode *p, const code_table *t, int64_t kb, int64_t kc,
                       const int64_t *v, size_t n, uint64_t *words)
{
    if (p->kind == P_PRESENT && p->op) {
        PRED_LOOP(1);
    } else if (p->kind == P_PRESENT) {
        ROWS_TO_BITS(int64_t, x == MISSING);
    } else if (t) {
        PRED_LOOP((uint64_t)x < t->cap && t->ok[x]);
    } else if (p->kind == P_ONE_OF) {
        PRED_LOOP(in_list(p, x));
    } else if (kb == MISSING || (p->kind == P_BETWEEN && kc == MISSING)) {
        for (size_t w = 0; w * 64 < n; w++)
            words[w] = 0;
    } else if (p->kind == P_BETWEEN) {
        PRED_LOOP(x >= kb && x <= kc);
    } else {
        switch (p->op) {
        case CMP_EQ: PRED_LOOP(x == kb); break;
        case CMP_NE: PRED_LOOP(x != kb); break;
        case CMP_LT: PRED_LOOP(x < kb); break;
        case CMP_LE: PRED_LOOP(x <= kb); break;
        case CMP_GT: PRED_LOOP(x > kb); break;
        default: PRED_LOOP(x >= kb); break;
        }
    }
}

int plan_pred_holds(const pnode *p, const code_table *t, int64_t x, int64_t b, int64_t c)
{
    uint64_t word;
    pred_block(p, t, b, c, &x, 1, &word);
    return (int)(word & 1);
}

static int num_holds(int op, int64_t x, int64_t y)
{
    if (x == MISSING || y == MISSING)
        return 0;
    return cmp_holds(op, (x > y) - (x < y));
}

/* Both sides vary per row: the general loop. */
static void pred_rows(const pnode *p, const vec *a, const vec *b, const vec *c, size_t n,
                      bitset *out)
{
    for (size_t i = 0; i < n; i++) {
        int64_t x = vec_at(a, i);
        int hit = p->kind == P_CMP ? num_holds(p->op, x, vec_at(b, i))
                                   : num_holds(CMP_GE, x, vec_at(b, i)) &&
                                         num_holds(CMP_LE, x, vec_at(c, i));
        if (hit)
            bitset_set(out, (uint32_t)i);
    }
}

/*
 * A predicate over a string column's codes, read in place (code 0 is
 * missing), of a wide chunk (u32 codes: pred_codes) or a narrow one (a byte
 * each: pred_codes8). One matching code (the usual :eq) is a plain comparison.
 */
#define PRED_CODES(name, code_t)                                                             \
    SCAN_CLONES static void name(                                                            \
        const pnode *p, const code_table *t, const code_t *v, size_t n, uint64_t *words)     \
    {                                                                                        \
        if (p->kind == P_PRESENT && p->op) { /* t is NULL for :present and :missing */      \
            ROWS_TO_BITS(code_t, x != 0);                                                    \
        } else if (p->kind == P_PRESENT) {                                                   \
            ROWS_TO_BITS(code_t, x == 0);                                                    \
        } else if (t->single) {                                                              \
            /* 0 when the code does not fit code_t: no row of the chunk holds it */          \
            code_t code = (uint32_t)(code_t)t->single == t->single ? (code_t)t->single : 0;  \
            ROWS_TO_BITS(code_t, (x == code) & (code != 0));                                 \
        } else {                                                                             \
            ROWS_TO_BITS(code_t, x < t->cap && t->ok[x]);                                    \
        }                                                                                    \
    }
PRED_CODES(pred_codes, uint32_t)
PRED_CODES(pred_codes8, uint8_t)

/*
 * A predicate over a packed numeric chunk (column_ints.h), read in place:
 * the values it holds are the offsets lo <= x <= lo + span but except.
 */
typedef struct offset_pred {
    uint32_t lo, span, except;
} offset_pred;

#define PRED_OFFSETS(name, off_t)                                                            \
    SCAN_CLONES static void name(                                                            \
        const offset_pred *o, const off_t *v, size_t n, uint64_t *words)                     \
    {                                                                                        \
        off_t lo = (off_t)o->lo, span = (off_t)o->span, except = (off_t)o->except;           \
        ROWS_TO_BITS(off_t, ((off_t)(x - lo) <= span) & (x != except));                      \
    }
PRED_OFFSETS(pred_offsets8, uint8_t)
PRED_OFFSETS(pred_offsets16, uint16_t)
PRED_OFFSETS(pred_offsets32, uint32_t)

/*
 * The predicate q with stored constants kb, kc over the offsets of packed
 * chunk c: 1 and *o, or 0 when q holds for no value of the chunk, or -1
 * when it is not a range (one_of: decode the chunk instead).
 */
static int offset_pred_of(const pnode *q, int64_t kb, int64_t kc, const column_ints *c,
                          offset_pred *o)
{
    uint32_t lo, hi;
    *o = (offset_pred){ .except = c->missing }; /* never inside a span of values */
    if (q->kind == P_PRESENT && !q->op) { /* missing */
        *o = (offset_pred){ .lo = c->missing, .span = 0, .except = 0 };
        return 1;
    }
    if (q->kind == P_ONE_OF)
        return -1;
    int64_t from = INT64_MIN, to = INT64_MAX; /* the values kept */
    if (q->kind == P_BETWEEN) {
        if (kb == MISSING || kc == MISSING)
            return 0;
        from = kb, to = kc;
    } else if (q->kind == P_CMP) {
        if (kb == MISSING || (q->op == CMP_GT && kb == INT64_MAX))
            return 0;
        switch (q->op) {
        case CMP_EQ: from = to = kb; break;
        case CMP_NE: /* every present value but kb's offset, if the chunk can hold kb */
            if (column_ints_span(c, kb, kb, &lo, &hi))
                o->except = lo;
            break;
        case CMP_LT: to = kb - 1; break;
        case CMP_LE: to = kb; break;
        case CMP_GT: from = kb + 1; break;
        default: from = kb; break;
        }
    }
    if (!column_ints_span(c, from, to, &lo, &hi))
        return 0;
    o->lo = lo;
    o->span = hi - lo;
    return 1;
}

/* The packed chunk c against q into words; 0 when q is not a range over its offsets. */
static int pred_packed(const pnode *q, int64_t kb, int64_t kc, const column_ints *c, size_t n,
                       uint64_t *words)
{
    offset_pred o;
    int r = offset_pred_of(q, kb, kc, c, &o);
    if (r < 0 || (uintptr_t)c->p % c->width != 0)
        return 0;
    if (r == 0)
        memset(words, 0, (n + 63) / 64 * sizeof *words);
    else if (c->width == 1)
        pred_offsets8(&o, c->p, n, words);
    else if (c->width == 2)
        pred_offsets16(&o, (const uint16_t *)(const void *)c->p, n, words);
    else
        pred_offsets32(&o, (const uint32_t *)(const void *)c->p, n, words);
    return 1;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b < 0);
}

/*
 * The same predicate over stored values, which are the plan's values divided
 * by scale (integers in units, dates in days): the constants move instead of
 * every value. Returns the predicate to run; *kb, *kc are adjusted.
 */
static pnode stored_pred(const pnode *p, int64_t scale, int64_t *kb, int64_t *kc)
{
    pnode q = *p;
    if (scale == 1 || *kb == MISSING || (p->kind == P_BETWEEN && *kc == MISSING))
        return q;
    int64_t b = *kb;
    if (p->kind == P_BETWEEN) {
        *kb = -floor_div(-b, scale);
        *kc = floor_div(*kc, scale);
        return q;
    }
    switch (p->op) {
    case CMP_GE:
    case CMP_LT: *kb = -floor_div(-b, scale); break; /* ceil */
    case CMP_GT:
    case CMP_LE: *kb = floor_div(b, scale); break;
    default: /* EQ, NE */
        if (b % scale == 0) {
            *kb = b / scale;
        } else if (p->op == CMP_EQ) { /* never equal: an empty range */
            q.kind = P_BETWEEN;
            *kb = 1;
            *kc = 0;
        } else { /* always unequal: present */
            q.kind = P_PRESENT;
            q.op = 1;
        }
    }
    return q;
}

/*
 * A contact field (or age) against constants, chunk by chunk: scalar columns
 * are compared in place in the map where their layout allows it, else they
 * stream through a small buffer in the plan's domain.
 */
static int field_pred(plan_ctx *cx, const pnode *p, const code_table *t, int64_t kb, int64_t kc,
                      bitset *out)
{
    const pnode *a = p->a;
    int64_t cut[MAX_AGE + 1];
    if (a->kind == P_AGE)
        age_cuts(cx->now, cut);
    int64_t scale = a->ftype == SEGRT_T_INTEGER ? SCALE : a->ftype == SEGRT_T_DATE ? SECS_PER_DAY : 1;
    int in_place = a->kind == P_FIELD && (p->kind != P_ONE_OF || scale == 1 || t);
    int64_t sb = kb, sc = kc;
    pnode q = stored_pred(p, t ? 1 : scale, &sb, &sc);
    int64_t *chunk = NULL; /* a chunk decoded, allocated when one is first needed */
    int rc = SEGRT_OK;
    uint32_t nchunks = (cx->ncontacts + COL_CHUNK_ROWS - 1) / COL_CHUNK_ROWS;
    for (uint32_t ch = 0; ch < nchunks && rc == SEGRT_OK; ch++) {
        uint32_t rows = chunk_rows(cx, ch);
        uint64_t *words = out->w + (size_t)ch * (COL_CHUNK_ROWS / 64);
        MDB_val v = { 0, NULL };
        rc = in_place ? column_chunk_get(cx->s, cx->txn, a->field, ch, 0, &v) : SEGRT_ENOTFOUND;
        column_codes codes;
        if (rc == SEGRT_OK && a->ftype == SEGRT_T_STRING && column_codes_of(&v, &codes) == 0 &&
            (uintptr_t)v.mv_data % codes.width == 0) {
            if (codes.width == 1)
                pred_codes8(&q, t, v.mv_data, rows, words);
            else
                pred_codes(&q, t, v.mv_data, rows, words);
            continue;
        }
        column_ints ints;
        if (rc == SEGRT_OK && a->ftype != SEGRT_T_STRING && column_ints_of(&v, &ints) == 0) {
            if (ints.width == 8 && (uintptr_t)ints.p % 8 == 0) {
                pred_block(&q, t, sb, sc, (const int64_t *)(const void *)ints.p, rows, words);
                continue;
            }
            if (ints.width < 8 && pred_packed(&q, sb, sc, &ints, rows, words))
                continue;
        }
        if (rc != SEGRT_OK && rc != SEGRT_ENOTFOUND)
            break;
        if (chunk == NULL && (chunk = malloc(COL_CHUNK_ROWS * sizeof *chunk)) == NULL) {
            rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory evaluating a segment");
            break;
        }
        rc = load_chunk_value(cx, a, cut, ch, chunk); /* in the plan's domain */
        if (rc == SEGRT_OK)
            pred_block(p, t, kb, kc, chunk, rows, words);
    }
    free(chunk);
    return rc;
}

struct extra_bits {
    const pnode *p;
    bitset *out;
};

static void extra_bit(void *ud, size_t i, const char *json, size_t n)
{
    struct extra_bits *e = ud;
    if (plan_extra_string_holds(e->p, json, n))
        bitset_set(e->out, (uint32_t)i);
}

static int eval_value_pred(plan_ctx *cx, const pnode *p, bitset *out)
{
    if (plan_extra_is_string(p->a) && p->kind != P_PRESENT) { /* no dictionary: test each */
        struct extra_bits e = { p, out };
        return plan_extra_scan(cx, cx->ev, extra_bit, &e);
    }
    code_table table = { 0 }, *t = NULL;
    vec b = { .is_const = 1, .k = MISSING }, c = b;
    int rc = SEGRT_OK;
    if (p->a->type == VT_STR && p->kind != P_PRESENT) {
        rc = plan_code_table(cx, p, &table);
        t = &table;
    } else if (p->kind == P_CMP || p->kind == P_BETWEEN) {
        rc = plan_eval_value(cx, p->b, &b);
        if (rc == SEGRT_OK && p->kind == P_BETWEEN)
            rc = plan_eval_value(cx, p->c, &c);
    }
    int consts = b.is_const && c.is_const;
    if (rc == SEGRT_OK && consts && (p->a->kind == P_FIELD || p->a->kind == P_AGE)) {
        rc = field_pred(cx, p, t, b.k, c.k, out);
    } else if (rc == SEGRT_OK) {
        vec a;
        rc = plan_eval_value(cx, p->a, &a);
        size_t n = plan_frame_rows(cx, p->frame);
        if (rc == SEGRT_OK && a.is_const && consts) { /* a constant predicate */
            uint64_t one;
            pred_block(p, t, b.k, c.k, &a.k, 1, &one);
            if (one)
                bitset_not(out);
        } else if (rc == SEGRT_OK && consts)
            pred_block(p, t, b.k, c.k, a.v, n, out->w);
        else if (rc == SEGRT_OK)
            pred_rows(p, &a, &b, &c, n, out);
        vec_free(&a);
    }
    vec_free(&b);
    vec_free(&c);
    free(table.ok);
    return rc;
}

/* ------------------------------------------------------------ string sets */

typedef struct set_codes {
    plan_ctx *cx;
    uint16_t field;
    bitset *out;
} set_codes;

static int or_each_code(void *ud, uint32_t code, const MDB_val *v)
{
    (void)v;
    set_codes *sc = ud;
    return column_or_bits(sc->cx->s, sc->cx->txn, sc->field, code, sc->out);
}

static int eval_set_pred(plan_ctx *cx, const pnode *p, bitset *out)
{
    const pnode *f = p->a;
    int rc;
    if (p->kind == P_CONTAINS) {
        uint32_t code;
        rc = dict_find(cx->s, cx->txn, f->field, p->b->str, strlen(p->b->str), &code);
        if (rc == SEGRT_OK && code)
            rc = column_or_bits(cx->s, cx->txn, f->field, code, out);
    } else { /* present / missing: the contact has any value */
        set_codes sc = { cx, f->field, out };
        rc = dict_foreach(cx->s, cx->txn, f->field, or_each_code, &sc);
        if (rc == SEGRT_OK && !p->op) {
            bitset_not(out);
            bitset_and(out, cx->live);
        }
    }
    return rc;
}

/* ------------------------------------------------------------ predicates */

static int eval_logic(plan_ctx *cx, const pnode *p, bitset *out)
{
    if (p->kind == P_NOT) {
        bitset_free(out);
        int rc = plan_eval_pred(cx, p->a, out);
        if (rc == SEGRT_OK) {
            bitset_not(out);
            if (p->frame == FRAME_CONTACTS)
                bitset_and(out, cx->live);
        }
        return rc;
    }
    if (p->n == 0) { /* seg.all{} holds for everybody, seg.any{} for nobody */
        if (p->kind == P_AND) {
            bitset_not(out);
            if (p->frame == FRAME_CONTACTS)
                bitset_and(out, cx->live);
        }
        return SEGRT_OK;
    }
    bitset_free(out);
    int rc = plan_eval_pred(cx, p->list[0], out);
    for (size_t i = 1; i < p->n && rc == SEGRT_OK; i++) {
        bitset b;
        rc = plan_eval_pred(cx, p->list[i], &b);
        if (rc != SEGRT_OK)
            break;
        if (p->kind == P_AND)
            bitset_and(out, &b);
        else
            bitset_or(out, &b);
        bitset_free(&b);
    }
    return rc;
}

/* Great-circle distance (haversine, mean Earth radius 6371.0088 km) within geo[2] km. */
int plan_near_holds(const pnode *p, double lat, double lon)
{
    const double rad = M_PI / 180.0, r = 6371.0088;
    double lat0 = p->geo[0] * rad, lon0 = p->geo[1] * rad;
    double h_max = sin(fmin(p->geo[2] / (2 * r), M_PI / 2)); /* compare sin(d / 2r) */
    h_max *= h_max;
    double la = lat * rad, lo = lon * rad;
    double s1 = sin((la - lat0) / 2), s2 = sin((lo - lon0) / 2);
    return s1 * s1 + cos(la) * cos(lat0) * s2 * s2 <= h_max;
}

static int eval_near(plan_ctx *cx, const pnode *p, bitset *out)
{
    vec lat, lon;
    int rc = plan_eval_value(cx, p->a, &lat);
    if (rc != SEGRT_OK)
        return rc;
    if ((rc = plan_eval_value(cx, p->b, &lon)) != SEGRT_OK) {
        vec_free(&lat);
        return rc;
    }
    size_t n = plan_frame_rows(cx, p->frame);
    for (size_t i = 0; i < n; i++) {
        int64_t a = vec_at(&lat, i), b = vec_at(&lon, i);
        if (a != MISSING && b != MISSING &&
            plan_near_holds(p, (double)a / SCALE, (double)b / SCALE))
            bitset_set(out, (uint32_t)i);
    }
    vec_free(&lat);
    vec_free(&lon);
    return SEGRT_OK;
}

int plan_eval_pred(plan_ctx *cx, const pnode *p, bitset *out)
{
    int rc = new_bits(cx, out, plan_frame_rows(cx, p->frame));
    if (rc != SEGRT_OK)
        return rc;
    switch (p->kind) {
    case P_CMP:
    case P_BETWEEN:
    case P_ONE_OF:
    case P_PRESENT:
        rc = p->a->type == VT_SET ? eval_set_pred(cx, p, out) : eval_value_pred(cx, p, out);
        break;
    case P_CONTAINS: rc = eval_set_pred(cx, p, out); break;
    case P_AND:
    case P_OR:
    case P_NOT: rc = eval_logic(cx, p, out); break;
    case P_EXISTS: rc = plan_eval_exists(cx, p, out); break;
    case P_MEMBER: rc = cx->hooks->member(cx, p, out); break;
    case P_NEAR: rc = eval_near(cx, p, out); break;
    case P_SPLIT: rc = plan_split_eval(cx, p, out); break;
    default: rc = plan_fail(cx, p->loc, "internal error: not a predicate");
    }
    if (rc != SEGRT_OK)
        bitset_free(out);
    return rc;
}
