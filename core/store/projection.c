/*
 * projection.c — per-event-type projections (projection.h): building them
 * from the timelines, storing them, and reading them back in place.
 *
 * Layout in the "projections" table, per event type code T with events:
 *   key (T u32 big-endian, column u8) -> one array of n values, column
 *   0 ord u32, 1 ts i64, 2 amount i64, 3 category u32, 4 channel u32, 5 seq u32.
 * meta "proj_gen" holds the "ev_gen" the projections were built at.
 *
 * Large values sit on overflow pages (a page boundary plus a 16-byte header),
 * so the arrays are read straight from the map; a small value lives in a
 * leaf page, only 2-byte aligned, and is copied.
 *
 * The timelines are keyed by ordinal and sorted by ts, so one cursor pass
 * appends every event in (ord, ts) order: no sort.
 *
 * Uses: store.h, event.h (the timeline value layout), array.h, LMDB.
 */
#include "store/projection.h"

#include "store/dict.h"
#include "store/event.h"
#include "store/schema.h"
#include "util/array.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/sysmacros.h>
#endif

enum { PC_ORD, PC_TS, PC_AMOUNT, PC_CATEGORY, PC_CHANNEL, PC_SEQ, PC_COUNT };

static const size_t column_width[PC_COUNT] = { 4, 8, 8, 4, 4, 4 };

#define PROJ_GEN "proj_gen"
#define TYPE_CODE_LIMIT (1u << 20) /* a larger type code in a timeline is corruption */
#define RELEASE_EVERY ((size_t)64 << 20)

/* Memory behind an projection that projection_release frees. */
typedef struct proj_owned {
    void *mem[PC_COUNT];
} proj_owned;

/* One type's arrays while they are built. */
typedef struct proj_build {
    void *col[PC_COUNT];
    size_t n, cap;
    int seen;
} proj_build;

typedef struct proj_scan {
    segrt_store *s;
    MDB_txn *txn;
    int all;         /* every type (indexed by code in t), else only `type` in t[0] */
    uint32_t type;
    proj_build *t;
    size_t nt;
    uint64_t events; /* the "events" counter, bounding capacity hints */
} proj_scan;

static void build_free(proj_build *b)
{
    for (int c = 0; c < PC_COUNT; c++)
        free(b->col[c]);
    *b = (proj_build){ 0 };
}

static void scan_free(proj_scan *sc)
{
    for (size_t i = 0; i < sc->nt; i++)
        build_free(&sc->t[i]);
    free(sc->t);
    sc->t = NULL;
    sc->nt = 0;
}

/*
 * Room for at least want events; the arrays keep their contents. Not
 * ARRAY_RESERVE: six arrays share one capacity, the first is the type's
 * exact count (build_start), and growing by half rather than doubling keeps
 * the largest arrays a rebuild holds near their size.
 */
static int build_grow(proj_build *b, size_t want)
{
    size_t cap = b->cap ? b->cap : 16;
    while (cap < want)
        cap += cap / 2;
    for (int c = 0; c < PC_COUNT; c++) {
        void *p = realloc(b->col[c], cap * column_width[c]);
        if (p == NULL)
            return -1;
        b->col[c] = p;
    }
    b->cap = cap;
    return 0;
}

/*
 * Size a type's arrays when it is first met: its "evtype:<code>" counter is
 * exact when the store is sound, so the arrays are normally allocated once.
 */
static int build_start(proj_scan *sc, proj_build *b, uint32_t type)
{
    char name[32];
    uint64_t hint = 0;
    snprintf(name, sizeof name, "evtype:%u", type);
    if (store_counter_get(sc->s, sc->txn, name, &hint) != SEGRT_OK)
        hint = 0; /* only a hint: a bad counter is for segrt check to find */
    if (hint > sc->events)
        hint = sc->events;
    b->seen = 1;
    if (hint > 16 && build_grow(b, (size_t)hint) == 0)
        return SEGRT_OK;
    if (build_grow(b, 16) != 0)
        return store_fail(sc->s, SEGRT_ENOMEM, "out of memory building event projections");
    return SEGRT_OK;
}

/* The builder of type, or NULL when the scan does not collect it. */
static int build_of(proj_scan *sc, uint32_t type, uint32_t ord, proj_build **out)
{
    *out = NULL;
    if (!sc->all) {
        if (type != sc->type)
            return SEGRT_OK;
        *out = &sc->t[0];
    } else {
        if (type >= TYPE_CODE_LIMIT)
            return store_fail(sc->s, SEGRT_ECORRUPT,
                              "events of contact %u have an impossible type code %u", ord, type);
        if (ARRAY_RESERVE_ZERO(sc->t, sc->nt, (size_t)type + 1) != 0)
            return store_fail(sc->s, SEGRT_ENOMEM, "out of memory building event projections");
        *out = &sc->t[type];
    }
    if (!(*out)->seen)
        return build_start(sc, *out, type);
    return SEGRT_OK;
}

/* Append the events of one timeline value (event.h layout), read in place. */
static int scan_timeline(proj_scan *sc, uint32_t ord, const MDB_val *v)
{
    const unsigned char *p = v->mv_data;
    uint32_t n, heaplen;
    if (v->mv_size < 8)
        return store_fail(sc->s, SEGRT_ECORRUPT, "events of contact %u are corrupt", ord);
    memcpy(&n, p, 4);
    memcpy(&heaplen, p + 4, 4);
    if ((uint64_t)n * sizeof(event_rec) + heaplen + 8 != v->mv_size)
        return store_fail(sc->s, SEGRT_ECORRUPT, "events of contact %u are corrupt", ord);
    p += 8;
    for (uint32_t i = 0; i < n; i++, p += sizeof(event_rec)) {
        uint32_t type;
        memcpy(&type, p + offsetof(event_rec, type), sizeof type);
        proj_build *b;
        int rc = build_of(sc, type, ord, &b);
        if (rc != SEGRT_OK)
            return rc;
        if (b == NULL)
            continue;
        if (b->n == b->cap && build_grow(b, b->n + 1) != 0)
            return store_fail(sc->s, SEGRT_ENOMEM, "out of memory building event projections");
        size_t k = b->n++;
        ((uint32_t *)b->col[PC_ORD])[k] = ord;
        memcpy((int64_t *)b->col[PC_TS] + k, p + offsetof(event_rec, ts), 8);
        memcpy((int64_t *)b->col[PC_AMOUNT] + k, p + offsetof(event_rec, amount), 8);
        memcpy((uint32_t *)b->col[PC_CATEGORY] + k, p + offsetof(event_rec, category), 4);
        memcpy((uint32_t *)b->col[PC_CHANNEL] + k, p + offsetof(event_rec, channel), 4);
        ((uint32_t *)b->col[PC_SEQ])[k] = i;
    }
    return SEGRT_OK;
}

/*
 * The pages of the map a scan has read. The map is a shared, read-only file
 * mapping (the store does not use MDB_WRITEMAP; pages a write transaction
 * changes live in the heap), so dropping them from the process only costs a
 * fault if they are read again: their bytes stay in the page cache. Without
 * this a pass over every timeline leaves the whole events table resident.
 *
 * LMDB does not say where the map is (me_mapaddr is only set for
 * MDB_FIXEDMAP), so it is found in /proc/self/maps by the data file's device
 * and inode; elsewhere nothing is released.
 */
typedef struct map_pages {
    void *base;
    size_t len, read;
} map_pages;

static void map_pages_init(segrt_store *s, map_pages *m)
{
    *m = (map_pages){ 0 };
#ifdef __linux__
    unsigned flags = 0;
    mdb_filehandle_t fd;
    struct stat st;
    if (mdb_env_get_flags(s->env, &flags) != 0 || (flags & MDB_WRITEMAP) ||
        mdb_env_get_fd(s->env, &fd) != 0 || fstat(fd, &st) != 0)
        return;
    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL)
        return;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        unsigned long long lo, hi, off, ino;
        unsigned maj, mnr;
        if (sscanf(line, "%llx-%llx %*s %llx %x:%x %llu", &lo, &hi, &off, &maj, &mnr, &ino) != 6)
            continue;
        if (ino == (unsigned long long)st.st_ino && maj == major(st.st_dev) &&
            mnr == minor(st.st_dev) && off == 0 && hi > lo) {
            m->base = (void *)(uintptr_t)lo;
            m->len = (size_t)(hi - lo);
            break;
        }
    }
    fclose(f);
#else
    (void)s;
#endif
}

/* Drop every page of the map from the process. */
static void map_pages_drop(map_pages *m)
{
    if (m->base)
        madvise(m->base, m->len, MADV_DONTNEED);
    m->read = 0;
}

/* Count bytes read from the map; every RELEASE_EVERY bytes drop what is resident. */
static void map_pages_read(map_pages *m, size_t bytes)
{
    m->read += bytes;
    if (m->read >= RELEASE_EVERY)
        map_pages_drop(m);
}

/* A pass over the timelines: what it collects, and the map pages it has read. */
typedef struct events_pass {
    proj_scan *sc;
    map_pages pages;
} events_pass;

static int scan_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    events_pass *e = ud;
    uint32_t ord;
    (void)txn;
    int rc = store_ord_decode(s, k, "an events key", &ord);
    if (rc == SEGRT_OK)
        rc = scan_timeline(e->sc, ord, v);
    if (rc == SEGRT_OK)
        map_pages_read(&e->pages, v->mv_size);
    return rc;
}

/* One pass over every timeline of txn, collecting what sc asks for. */
static int scan_events(proj_scan *sc)
{
    segrt_store *s = sc->s;
    int rc = store_counter_get(s, sc->txn, "events", &sc->events);
    if (rc != SEGRT_OK)
        return rc;
    if (!sc->all) {
        sc->t = calloc(1, sizeof *sc->t);
        if (sc->t == NULL)
            return store_fail(s, SEGRT_ENOMEM, "out of memory building event projections");
        sc->nt = 1;
    }
    events_pass e = { .sc = sc };
    map_pages_init(s, &e.pages);
    map_pages_drop(&e.pages); /* what the caller read before counts too */
    rc = store_scan(s, sc->txn, DB_EVENTS, NULL, 0, "reading events for projections", scan_one,
                    &e);
    map_pages_drop(&e.pages);
    return rc;
}

/* ------------------------------------------------------------ freshness */

/*
 * Fresh: proj_gen was written at the current ev_gen. A store that never had
 * projections is fresh while it has no events (nothing to project).
 */
static int proj_fresh(segrt_store *s, MDB_txn *txn, int *fresh, uint64_t *ev_gen)
{
    *fresh = 0;
    int rc = store_counter_get(s, txn, EV_GEN_COUNTER, ev_gen);
    if (rc != SEGRT_OK)
        return rc;
    MDB_val k = { strlen(PROJ_GEN), (void *)PROJ_GEN }, v;
    int mrc = mdb_get(txn, s->dbi[DB_META], &k, &v);
    if (mrc == MDB_NOTFOUND) {
        MDB_stat st;
        mrc = mdb_stat(txn, s->dbi[DB_EVENTS], &st);
        if (mrc != 0)
            return store_mdb_fail(s, mrc, "reading the events table");
        *fresh = st.ms_entries == 0;
        return SEGRT_OK;
    }
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "reading " PROJ_GEN);
    uint64_t gen;
    if (v.mv_size != sizeof gen)
        return store_fail(s, SEGRT_ECORRUPT, "counter " PROJ_GEN " has a bad size");
    memcpy(&gen, v.mv_data, sizeof gen);
    *fresh = gen == *ev_gen;
    return SEGRT_OK;
}

/* ------------------------------------------------------------ reading */

static void proj_key(unsigned char key[5], uint32_t type, int col)
{
    key[0] = (unsigned char)(type >> 24);
    key[1] = (unsigned char)(type >> 16);
    key[2] = (unsigned char)(type >> 8);
    key[3] = (unsigned char)type;
    key[4] = (unsigned char)col;
}

void projection_release(projection *p)
{
    if (p == NULL)
        return;
    proj_owned *o = p->owned;
    if (o) {
        for (int c = 0; c < PC_COUNT; c++)
            free(o->mem[c]);
        free(o);
    }
    *p = (projection){ 0 };
}

static void set_arrays(projection *out, void *const col[PC_COUNT])
{
    out->ord = col[PC_ORD];
    out->ts = col[PC_TS];
    out->amount = col[PC_AMOUNT];
    out->category = col[PC_CATEGORY];
    out->channel = col[PC_CHANNEL];
    out->seq = col[PC_SEQ];
}

/* The stored arrays of type; copies the misaligned ones into owned memory. */
static int get_stored(segrt_store *s, MDB_txn *txn, uint32_t type, projection *out)
{
    MDB_val v[PC_COUNT];
    void *col[PC_COUNT] = { 0 };
    size_t n = 0;
    int found = 0;
    for (int c = 0; c < PC_COUNT; c++) {
        unsigned char key[5];
        proj_key(key, type, c);
        MDB_val k = { sizeof key, key };
        int rc = store_get(s, txn, DB_PROJ, &k, &v[c], "reading an event projection");
        if (rc == SEGRT_OK)
            found |= 1 << c;
        else if (rc == SEGRT_ENOTFOUND)
            v[c] = (MDB_val){ 0, NULL };
        else
            return rc;
    }
    if (found == 0)
        return SEGRT_OK; /* no events of this type */
    n = v[PC_ORD].mv_size / column_width[PC_ORD];
    for (int c = 0; c < PC_COUNT; c++) {
        if (!(found & (1 << c)) || v[c].mv_size != n * column_width[c] || n == 0)
            return store_fail(s, SEGRT_ECORRUPT,
                              "the projection of event type %u is corrupt (column %d)", type, c);
    }
    proj_owned *o = NULL;
    for (int c = 0; c < PC_COUNT; c++) {
        col[c] = v[c].mv_data;
        if ((uintptr_t)col[c] % column_width[c] == 0)
            continue;
        if (o == NULL && (o = calloc(1, sizeof *o)) == NULL)
            goto nomem;
        if ((o->mem[c] = malloc(v[c].mv_size)) == NULL)
            goto nomem;
        memcpy(o->mem[c], v[c].mv_data, v[c].mv_size);
        col[c] = o->mem[c];
    }
    out->n = n;
    set_arrays(out, col);
    out->owned = o;
    return SEGRT_OK;
nomem:
    out->owned = o;
    projection_release(out);
    return store_fail(s, SEGRT_ENOMEM, "out of memory copying an event projection");
}

/* Build one type's projection in memory from the timelines. */
static int get_built(segrt_store *s, MDB_txn *txn, uint32_t type, projection *out)
{
    proj_scan sc = { .s = s, .txn = txn, .all = 0, .type = type };
    int rc = scan_events(&sc);
    if (rc == SEGRT_OK && sc.t[0].n > 0) {
        proj_owned *o = malloc(sizeof *o);
        if (o == NULL) {
            rc = store_fail(s, SEGRT_ENOMEM, "out of memory building an event projection");
        } else {
            memcpy(o->mem, sc.t[0].col, sizeof o->mem);
            out->n = sc.t[0].n;
            set_arrays(out, sc.t[0].col);
            out->owned = o;
            sc.t[0] = (proj_build){ 0 };
        }
    }
    scan_free(&sc);
    return rc;
}

int projection_get(segrt_store *s, MDB_txn *txn, uint32_t type, projection *out)
{
    *out = (projection){ 0 };
    int fresh;
    uint64_t ev_gen;
    int rc = proj_fresh(s, txn, &fresh, &ev_gen);
    if (rc != SEGRT_OK)
        return rc;
    rc = fresh ? get_stored(s, txn, type, out) : get_built(s, txn, type, out);
    if (rc == SEGRT_OK && out->n == 0) {
        /* Empty but not NULL, so that memcpy(dst, p.ts, 0) and the like are defined. */
        static const int64_t none[1];
        void *const empty[PC_COUNT] = { (void *)none, (void *)none, (void *)none,
                                        (void *)none, (void *)none, (void *)none };
        set_arrays(out, empty);
    }
    return rc;
}

/* ------------------------------------------------------------ writing */

/*
 * Write the arrays of one type, freeing each once it is in the transaction:
 * the dirty pages grow as the built arrays shrink.
 */
static int write_type(segrt_store *s, MDB_txn *txn, uint32_t type, proj_build *b)
{
    for (int c = 0; c < PC_COUNT; c++) {
        unsigned char key[5];
        proj_key(key, type, c);
        MDB_val k = { sizeof key, key }, v = { b->n * column_width[c], NULL };
        if (v.mv_size > UINT32_MAX)
            return store_fail(s, SEGRT_EINVAL, "event type %u has too many events to project (%zu)",
                              type, b->n);
        int mrc = mdb_put(txn, s->dbi[DB_PROJ], &k, &v, MDB_RESERVE | MDB_APPEND);
        if (mrc != 0)
            return store_mdb_fail(s, mrc, "writing an event projection");
        memcpy(v.mv_data, b->col[c], v.mv_size);
        free(b->col[c]);
        b->col[c] = NULL;
    }
    return SEGRT_OK;
}

int projection_refresh(segrt_store *s, MDB_txn *txn)
{
    int fresh;
    uint64_t ev_gen;
    int rc = proj_fresh(s, txn, &fresh, &ev_gen);
    if (rc != SEGRT_OK || fresh)
        return rc;
    proj_scan sc = { .s = s, .txn = txn, .all = 1 };
    rc = scan_events(&sc);
    if (rc == SEGRT_OK) {
        int mrc = mdb_drop(txn, s->dbi[DB_PROJ], 0);
        if (mrc != 0)
            rc = store_mdb_fail(s, mrc, "clearing the event projections");
    }
    for (size_t t = 0; t < sc.nt && rc == SEGRT_OK; t++) {
        if (sc.t[t].n > 0)
            rc = write_type(s, txn, (uint32_t)t, &sc.t[t]);
        build_free(&sc.t[t]);
    }
    scan_free(&sc);
    if (rc == SEGRT_OK)
        rc = store_counter_set(s, txn, PROJ_GEN, ev_gen);
    return rc;
}

int projection_update(segrt_store *s)
{
    return store_write_step(s, projection_refresh);
}

/* ------------------------------------------------------------ checking */

/* A type's name for messages ("?" when the dictionary lacks it). */
static const char *type_name(segrt_store *s, MDB_txn *txn, uint32_t type, char *out, size_t n)
{
    MDB_val v;
    if (dict_string(s, txn, FIELD_EV_TYPE, type, &v) == SEGRT_OK)
        snprintf(out, n, "%.*s", (int)(v.mv_size < 64 ? v.mv_size : 64), (const char *)v.mv_data);
    else
        snprintf(out, n, "?");
    return out;
}

static int verify_type(segrt_store *s, MDB_txn *txn, uint32_t type, const proj_build *b)
{
    char name[80];
    projection p;
    int rc = get_stored(s, txn, type, &p);
    if (rc != SEGRT_OK)
        return rc;
    if (p.n != b->n) {
        rc = store_fail(s, SEGRT_ECORRUPT,
                        "check: the projection of event type %u (%s) holds %zu events, the "
                        "timelines %zu", type, type_name(s, txn, type, name, sizeof name), p.n,
                        b->n);
        goto done;
    }
    for (size_t i = 1; i < p.n; i++) {
        if (p.ord[i] < p.ord[i - 1] || (p.ord[i] == p.ord[i - 1] && p.ts[i] < p.ts[i - 1])) {
            rc = store_fail(s, SEGRT_ECORRUPT,
                            "check: the projection of event type %u (%s) is not sorted by "
                            "(contact, ts) at event %zu", type,
                            type_name(s, txn, type, name, sizeof name), i);
            goto done;
        }
    }
    const void *stored[PC_COUNT] = { p.ord, p.ts, p.amount, p.category, p.channel, p.seq };
    for (int c = 0; c < PC_COUNT && p.n > 0; c++) {
        if (memcmp(stored[c], b->col[c], p.n * column_width[c]) != 0) {
            rc = store_fail(s, SEGRT_ECORRUPT,
                            "check: the projection of event type %u (%s) differs from its "
                            "timelines (column %d)", type,
                            type_name(s, txn, type, name, sizeof name), c);
            goto done;
        }
    }
done:
    projection_release(&p);
    return rc;
}

/* A stored key names a type the timelines have (those of the scan ud), with a known column. */
static int verify_key(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    const proj_scan *sc = ud;
    const unsigned char *p = k->mv_data;
    (void)v;
    if (k->mv_size != 5 || p[4] >= PC_COUNT)
        return store_fail(s, SEGRT_ECORRUPT, "check: the projections table has a bad key");
    uint32_t type = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    if (type < sc->nt && sc->t[type].n != 0)
        return SEGRT_OK;
    char name[80];
    return store_fail(s, SEGRT_ECORRUPT,
                      "check: the projections hold event type %u (%s), which no timeline has",
                      type, type_name(s, txn, type, name, sizeof name));
}

int projection_verify(segrt_store *s, MDB_txn *txn)
{
    int fresh;
    uint64_t ev_gen;
    int rc = proj_fresh(s, txn, &fresh, &ev_gen);
    if (rc != SEGRT_OK || !fresh)
        return rc;
    proj_scan sc = { .s = s, .txn = txn, .all = 1 };
    map_pages pages;
    rc = scan_events(&sc);
    map_pages_init(s, &pages);
    for (size_t t = 0; t < sc.nt && rc == SEGRT_OK; t++) {
        if (sc.t[t].n == 0)
            continue;
        rc = verify_type(s, txn, (uint32_t)t, &sc.t[t]);
        for (int c = 0; c < PC_COUNT; c++) { /* keep n: verify_key reads it */
            free(sc.t[t].col[c]);
            sc.t[t].col[c] = NULL;
        }
        map_pages_drop(&pages); /* the stored arrays just compared */
    }
    if (rc == SEGRT_OK) /* every stored key names a type the timelines have */
        rc = store_scan(s, txn, DB_PROJ, NULL, 0, "check", verify_key, &sc);
    scan_free(&sc);
    return rc;
}
