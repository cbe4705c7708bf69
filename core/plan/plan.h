/*
 * plan.h — compiled segment plans (DESIGN "Plans").
 *
 * The Lua layer (scripts/segrt.lua) builds an expression tree once; the
 * compiler (plan_compile.c) checks it against the store's schema and event
 * types and turns it into a tree of pnodes; the evaluator (plan_eval.c,
 * plan_events.c, plan_rank.c) runs each node as a tight loop over a frame:
 *   contacts  one row per contact ordinal, values read from the columns
 *   events    one row per event of a type, values read from its projection
 * A value node yields an int64 vector over the frame (VALUE_MISSING when
 * absent); a predicate yields a bitset over the frame (missing -> false).
 *
 * Value domains (all int64): numbers in micro-units (integers are scaled),
 * times and durations in seconds (dates become midnight UTC), booleans 0/1,
 * strings as dictionary codes of node->dict.
 */
#ifndef SEGRT_PLAN_H
#define SEGRT_PLAN_H

#include "util/bitset.h"
#include "store/id_order.h"
#include "store/projection.h"
#include "store/store.h"
#include "util/tree.h"

typedef enum vtype { VT_NUM = 1, VT_TIME, VT_DUR, VT_STR, VT_BOOL, VT_SET, VT_PRED } vtype;

typedef enum frame_kind { FRAME_CONTACTS, FRAME_EVENTS } frame_kind;

typedef enum pkind {
    /* values */
    P_CONST,   /* k, or str for a string constant */
    P_FIELD,   /* contact field (field, ftype) */
    P_AGE,     /* whole years since birth_date (field) at NOW */
    P_UPDATED, /* when the contact's value of field was last written (a: the field) */
    P_EVATTR,  /* event attribute (op = ev_attr) in the events frame */
    P_ARITH,   /* a op b */
    P_FLOOR,
    P_AGG,     /* aggregate op over events: see struct ev_sel */
    P_NTILE,   /* op order_op over a: ntiles, desc, b = among (optional) */
    P_SCORE_FN,/* the Lua function of score str, run per contact */
    P_MODEL,   /* output str ("model.output") of a model computed in C (model.c) */
    P_SCORE,   /* score str with expression a: evaluated once per evaluation, then reused */
               /* (P_MODEL, P_SCORE: op 1 = a profiling score: computed over the contacts
                * profiling may score, missing for the others; plan_hooks.profiling) */
    /* predicates */
    P_CMP,     /* a op b */
    P_BETWEEN, /* lo <= a <= hi: a, b = lo, c = hi */
    P_ONE_OF,  /* a in list */
    P_PRESENT, /* op: 1 present, 0 missing */
    P_CONTAINS,/* set field a contains string constant b */
    P_AND,
    P_OR,
    P_NOT,
    P_EXISTS,  /* op: 1 exists, 0 none — over an event selection */
    P_MEMBER,  /* name */
    P_NEAR,    /* a, b (latitude, longitude) within geo[2] km of (geo[0], geo[1]) */
    P_SPLIT,   /* the contact's bucket in split str lies in [op, k) (plan_split.h) */
} pkind;

enum cmp_op { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };
enum agg_op { AGG_COUNT, AGG_SUM, AGG_AVG, AGG_MIN, AGG_MAX, AGG_DECAYED /* k = half-life */,
              AGG_FIRST_OF, AGG_LAST_OF /* the attribute of the earliest / latest event */ };
enum order_op { ORDER_NTILE, ORDER_RANK, ORDER_PERCENTILE };
/* EVA_EXTRA: an extra attribute (plan_extra.h), its path in str and its type in ftype. */
enum ev_attr { EVA_TS, EVA_AMOUNT, EVA_CATEGORY, EVA_CHANNEL, EVA_EXTRA };

typedef struct pnode pnode;

/* The events an aggregate reads: one type, an optional predicate and window. */
typedef struct ev_sel {
    uint32_t type;   /* FIELD_EV_TYPE code */
    pnode *where;    /* predicate over the events frame, or NULL */
    pnode *window;   /* duration (ts >= NOW - window), or NULL */
    int attr;        /* ev_attr aggregated (sum/avg/min/max, first/last of); EVA_EXTRA:
                      * the node's str and ftype */
} ev_sel;

struct pnode {
    pkind kind;
    vtype type;
    frame_kind frame;
    int op;
    char *loc;          /* "file:line" of the script */
    int64_t k;
    char *str;          /* string constant, member or score name */
    uint16_t field;     /* contact field id */
    segrt_type ftype;
    uint16_t dict;      /* dictionary of a VT_STR value */
    pnode *a, *b, *c;
    pnode **list;
    size_t n;
    ev_sel ev;
    int64_t ntiles;
    int desc;
    double geo[3];
};

/* A value vector over a frame: a constant, or n values (owned). */
typedef struct vec {
    int64_t *v;
    int64_t k;
    int is_const;
} vec;

typedef struct plan_ctx plan_ctx;
struct catalog;
struct plan_memo;

/* A hook's answer for node p: a bitset over the contacts (out is new), or values (vec). */
typedef int (*plan_member_fn)(plan_ctx *cx, const pnode *p, bitset *out);
typedef int (*plan_values_fn)(plan_ctx *cx, const pnode *p, vec *out);

/*
 * What the layers above evaluate for a plan, once per node (not per row):
 * another segment's members (P_MEMBER), a Lua score function's values over
 * the live contacts (P_SCORE_FN), a C model's output (P_MODEL), and who
 * profiling may score (the profiling purpose's consent definition). Filled by
 * the Lua layer (script_eval.c); they read their state from plan_ctx.ud.
 */
typedef struct plan_hooks {
    plan_member_fn member;
    plan_values_fn score_fn;
    plan_values_fn model_output;
    /* the contacts of cx->live profiling may score at NOW, into out (new) */
    int (*profiling)(plan_ctx *cx, bitset *out);
} plan_hooks;

/* What an evaluation reads: one snapshot, NOW, and the frame being scanned. */
struct plan_ctx {
    segrt_store *s;
    MDB_txn *txn;
    const struct catalog *cat; /* the script's scores, segments and models (compiling) */
    const plan_hooks *hooks;
    void *ud;                  /* for the hooks (the Lua layer's script) */
    struct plan_memo *memo;    /* scores and model outputs of the evaluation (plan_memo.h) */
    int64_t now;
    int64_t session_now; /* NOW of the evaluation; memos hold only values computed at it */
    uint32_t ncontacts;  /* ordinals 0 .. ncontacts-1 */
    const bitset *live;
    const projection *ev;   /* the events frame, when frame == FRAME_EVENTS */
    id_order ids;        /* ordinals in byte order of their ids (read on first use) */
    bitset profiling_live; /* the live contacts profiling may score (computed on first use) */
    /*
     * Compiling at load (script_check_segments): a rule naming what the store
     * has not seen yet with nothing close to it (an event type, an extra
     * attribute, the tags field a seg.tag rule makes) sets unseen, and is
     * checked when it is evaluated, as before.
     */
    int checking, unseen;
};

static inline int64_t vec_at(const vec *x, size_t i)
{
    return x->is_const ? x->k : x->v[i];
}

/* Compile the predicate tree t for a frame. NULL on error (reported on s). */
pnode *plan_compile(plan_ctx *cx, const tree *t, frame_kind frame);
/* Compile a value expression (a number, time, duration, string or boolean per contact). */
pnode *plan_compile_value(plan_ctx *cx, const tree *t);
/* Compile the value node { k = kind, name = name, loc = loc }, e.g. a score by name. */
pnode *plan_compile_name(plan_ctx *cx, const char *kind, const char *name, const char *loc);
void plan_free(pnode *p);

/* Evaluate a predicate node into out (a new bitset over the frame). */
int plan_eval_pred(plan_ctx *cx, const pnode *p, bitset *out);
/* Evaluate a value node into out (owned by the caller: vec_free). */
int plan_eval_value(plan_ctx *cx, const pnode *p, vec *out);
void vec_free(vec *x);
/* Rows in the current frame. */
size_t plan_frame_rows(const plan_ctx *cx, frame_kind frame);

/* For each code of a dictionary, whether its string satisfies a string predicate. */
typedef struct code_table {
    const pnode *p;
    unsigned char *ok; /* ok[code] for codes below cap (free() it) */
    uint32_t cap;      /* 32 bits: the loops then know a code below it is not VALUE_MISSING */
    uint32_t single;   /* the only code that holds, when exactly one does; else 0 */
    uint32_t known;    /* 1 + the highest code of the dictionary when built */
} code_table;
/* The code table of string predicate p over the dictionary as of cx->txn. */
int plan_code_table(plan_ctx *cx, const pnode *p, code_table *t);
/*
 * Whether value predicate p (P_CMP, P_BETWEEN, P_ONE_OF, P_PRESENT) holds for
 * x with operands b and c (t: its code table when x is a string code) — the
 * same test the vectorised loops make, for one row.
 */
int plan_pred_holds(const pnode *p, const code_table *t, int64_t x, int64_t b, int64_t c);
/*
 * The live contacts profiling may score at NOW (plan_hooks.profiling, once
 * per evaluation): profiling models and scores are computed with cx->live
 * set to it, and are missing for the other contacts.
 */
int plan_profiling_live(plan_ctx *cx, const bitset **out);
/* Whether string predicate p (P_CMP, P_BETWEEN, P_ONE_OF) holds for the string v. */
int plan_string_holds(const pnode *p, const MDB_val *v);
/* Round down to a whole number (micro-units); missing stays missing. */
int64_t plan_floor(int64_t x);
/* A stored column value of type t in the plan's domain (integers scaled, dates in seconds). */
int64_t plan_to_domain(segrt_type t, int64_t v);
/* Whether (lat, lon) in degrees is within P_NEAR node p's radius of its point. */
int plan_near_holds(const pnode *p, double lat, double lon);

/* a op b ('+' '-' '*' '/') in the plan's domains; missing in, missing out. */
int64_t plan_arith(int op, int64_t a, int64_t b);

/* Event aggregates (plan_events.c). */
int plan_eval_agg(plan_ctx *cx, const pnode *p, vec *out);
int plan_eval_exists(plan_ctx *cx, const pnode *p, bitset *out);

/* NTILE (plan_rank.c). */
int plan_eval_ntile(plan_ctx *cx, const pnode *p, vec *out);

/* Failure at a script location (code SEGRT_ELUA). */
int plan_fail(plan_ctx *cx, const char *loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
