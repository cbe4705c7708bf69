/*
 * live.h — the state of a live session (live.c), its preparation
 * (live_plan.c) and the tags it writes (live_tags.c): per segment its
 * compiled plans, the event types that can change it and its current
 * members; the whole-store values kept from the open.
 *
 * Uses: plan.h, script.h, import.h.
 */
#ifndef SEGRT_LIVE_H
#define SEGRT_LIVE_H

#include "import/import.h"
#include "plan/plan_one.h"
#include "lua/script.h"

/* An entry of an exclusive group: a named segment, or an inline where. */
typedef struct live_entry {
    long seg;      /* -1 for an inline entry */
    pnode *where;
} live_entry;

/* Event types a segment reads, a bit per type code below 64; every bit: it may read any. */
#define READS_ALL UINT64_MAX

typedef struct live_seg {
    uint64_t reads;      /* the event types whose arrival can change it */
    pnode *where;        /* NULL: every live contact */
    const char *purpose; /* borrowed from the catalog; NULL when none */
    int has_filter;      /* a Lua filter: it may read anything */
    int has_check;       /* its purpose has a Lua consent check: it may read anything */
    const char *tag;     /* seg.tag: the tag its members carry (borrowed); NULL when none */
    long rank;           /* exclusive group member: its place, entries[0, rank) */
    live_entry *entries;
    bitset members;
} live_seg;

struct segrt_live {
    segrt_script *sc;
    segrt_store *s;
    struct catalog *cat;  /* the script's definitions as of the open */
    plan_ctx cx;          /* a read snapshot, renewed after every batch */
    uint32_t nglobal_rows; /* contacts the globals were computed for */
    plan_one_ctx one;
    live_seg *segs;
    size_t nseg;
    vec *globals;         /* whole-store values (NTILE, models, scores on them) at open */
    size_t nglobals, globals_cap;
    strmap *global_index; /* node address, or a score's name -> index into globals */
    unsigned char *state, *in; /* per segment, for the contact being evaluated */
    import_ctx *streams[SEGRT_CONSENTS + 1];
    struct touch {
        uint32_t ord;
        uint64_t reads; /* what arrived for it: event types, or READS_ALL */
    } *touched;
    size_t ntouched, touched_cap;
    int touched_oom;
    struct tag_change {   /* tags to write: a tag segment's membership changed (live_tags.c) */
        uint32_t ord;
        uint32_t seg;
        int on;
    } *tag_changes;
    size_t ntag_changes, tag_changes_cap;
    unsigned dirty;       /* kinds applied since the last flush, bit per kind */
    int restore_sync;     /* MDB_NOSYNC was set by us */
    struct live_writeback *writeback; /* writes batches' pages out beside the session; may be NULL */
};

/*
 * Inside the first evaluation (a script_session callback, ud the session):
 * every segment's members, plans, whole-store values and the event types it
 * reads.
 */
int live_prepare(plan_ctx *cx, void *ud);

/* Note that contact ord entered (on) or left tag segment seg: its tag is to be written. */
int live_tags_note(segrt_live *lv, uint32_t ord, size_t seg, int on);
/*
 * Write the noted tags in one transaction; the contacts written become
 * lv->touched (their tags changed: every segment may read them) and the
 * notes are cleared.
 */
int live_tags_write(segrt_live *lv);

#endif
