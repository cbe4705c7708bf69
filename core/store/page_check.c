/*
 * page_check.c — store_page_check (page_check.h): every B-tree page of the
 * store's data file checked before anything walks it through LMDB, whose
 * assertions abort, and whose reads of a damaged page can fault, on pages a
 * disk or a copy damaged.
 *
 * The file is read through a map of its own, by LMDB's documented on-disk
 * format (version 1, liblmdb 0.9): two meta pages, the newer naming the last
 * page in use and the roots of the free-page table and the main table, whose
 * leaves name the other tables. Each page reached from a root must lie in
 * the file, name its own number, be a branch or a leaf (or an overflow page
 * where a leaf's big value points), have its node offsets and sizes inside
 * it, keep its leaves at the table's depth and be reached once; a free-page
 * list's page numbers must lie in the file. segrt uses no duplicate-sorted
 * tables, so a node naming a sub-page or sub-table outside the main table
 * is damage too.
 *
 * The snapshot is the caller's read transaction's: its pages stay as they
 * are while it is open, whatever writers do meanwhile.
 *
 * Uses: store.h (the directory, errors).
 */
#include "store/page_check.h"

#include "store/flag.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* LMDB's on-disk layout (mdb.c: MDB_page, MDB_meta, MDB_db, MDB_node). */
#define PAGEHDRSZ 16u
#define NODESIZE 8u
#define META_MAGIC 0xBEEFC0DEu
#define P_BRANCH 0x01u
#define P_LEAF 0x02u
#define P_OVERFLOW 0x04u
#define F_BIGDATA 0x01u
#define F_SUBDATA 0x02u
#define F_DUPDATA 0x04u
#define DB_SIZE 48u
#define MAX_DEPTH 32u
#define NO_PAGE UINT64_MAX

typedef struct walk {
    segrt_store *s;
    const unsigned char *map;
    uint64_t npages, psize;
    unsigned char *seen;  /* a bit per page */
    const char *table;    /* the table being walked, for messages */
    int shallow;          /* the main table only: of the others, their roots' headers */
} walk;

static uint16_t u16(const unsigned char *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint32_t u32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint64_t u64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static int damaged(walk *w, uint64_t pgno, const char *what)
{
    return store_fail(w->s, SEGRT_ECORRUPT, "check: %s/data.mdb, table '%s', page %" PRIu64
                      ": %s", w->s->dir, w->table, pgno, what);
}

/* Page pgno, once: NULL (damage reported) when it is outside the file or seen before. */
static const unsigned char *page(walk *w, uint64_t pgno, int *rc)
{
    if (pgno < 2 || pgno >= w->npages) {
        *rc = damaged(w, pgno, "a page number outside the file");
        return NULL;
    }
    if (w->seen[pgno >> 3] >> (pgno & 7) & 1) {
        *rc = damaged(w, pgno, "a page reached twice");
        return NULL;
    }
    w->seen[pgno >> 3] |= (unsigned char)(1u << (pgno & 7));
    const unsigned char *p = w->map + pgno * w->psize;
    if (u64(p) != pgno) {
        *rc = damaged(w, pgno, "a page that names another page number");
        return NULL;
    }
    return p;
}

/* The overflow pages of a leaf's big value of size bytes, starting at pgno. */
static int overflow(walk *w, uint64_t pgno, uint64_t size)
{
    int rc = SEGRT_OK;
    const unsigned char *p = page(w, pgno, &rc);
    if (p == NULL)
        return rc;
    uint32_t count = u32(p + 12); /* mp_pages, over mp_lower and mp_upper */
    if (!(u16(p + 10) & P_OVERFLOW) || count == 0 || pgno + count > w->npages ||
        size > (uint64_t)count * w->psize - PAGEHDRSZ)
        return damaged(w, pgno, "an overflow page that does not hold its value");
    for (uint64_t k = pgno + 1; k < pgno + count; k++) /* the rest of the run is taken too */
        w->seen[k >> 3] |= (unsigned char)(1u << (k & 7));
    return SEGRT_OK;
}

static int tree(walk *w, uint64_t pgno, unsigned level, unsigned depth, int main_table,
                int free_table);

/* A table's record (MDB_db) at d: its root, walked when it has one. */
static int table_root(walk *w, const unsigned char *d, int main_table, int free_table)
{
    uint16_t depth = u16(d + 6);
    uint64_t root = u64(d + 40);
    if (root == NO_PAGE)
        return depth == 0 ? SEGRT_OK : damaged(w, 0, "an empty table with a depth");
    if (depth == 0 || depth > MAX_DEPTH)
        return damaged(w, root, "a table depth out of range");
    return tree(w, root, 1, depth, main_table, free_table);
}

/* A table's root page, when it has one: in the file, naming itself, a branch or a leaf. */
static int root_header(walk *w, const unsigned char *d)
{
    uint64_t root = u64(d + 40);
    int rc = SEGRT_OK;
    const unsigned char *p = root == NO_PAGE ? NULL : page(w, root, &rc);
    if (p && u16(p + 10) != P_BRANCH && u16(p + 10) != P_LEAF)
        rc = damaged(w, root, "a table root that is neither a branch nor a leaf");
    return rc;
}

/* One leaf node's value: a big value's pages, a named table, or a free-page list. */
static int leaf_value(walk *w, uint64_t pgno, const unsigned char *node, uint32_t room,
                      int main_table, int free_table)
{
    uint16_t flags = u16(node + 4), ksize = u16(node + 6);
    uint64_t dsize = (uint64_t)u16(node) | (uint64_t)u16(node + 2) << 16;
    if (flags & F_DUPDATA || (flags & F_SUBDATA && !main_table) || flags & ~(F_BIGDATA | F_SUBDATA))
        return damaged(w, pgno, "a node with flags this store never writes");
    if (flags & F_BIGDATA) {
        if (NODESIZE + ksize + 8u > room)
            return damaged(w, pgno, "a node running past its page");
        return overflow(w, u64(node + NODESIZE + ksize), dsize);
    }
    if (NODESIZE + ksize + dsize > room)
        return damaged(w, pgno, "a node running past its page");
    const unsigned char *data = node + NODESIZE + ksize;
    if (flags & F_SUBDATA) {
        if (dsize != DB_SIZE)
            return damaged(w, pgno, "a table record of the wrong size");
        const char *outer = w->table;
        char name[64];
        snprintf(name, sizeof name, "%.*s", ksize < 60 ? (int)ksize : 60, (const char *)node + NODESIZE);
        w->table = name;
        int rc = w->shallow ? root_header(w, data) : table_root(w, data, 0, 0);
        w->table = rc == SEGRT_OK ? outer : w->table; /* a message names the inner table */
        return rc;
    }
    if (free_table) { /* a list of free page numbers: its length, then the numbers */
        uint64_t n = dsize >= 8 ? u64(data) : 0;
        if (dsize < 8 || dsize != (n + 1) * 8)
            return damaged(w, pgno, "a free-page list of the wrong size");
        for (uint64_t i = 1; i <= n; i++) {
            if (u64(data + i * 8) >= w->npages)
                return damaged(w, pgno, "a free-page list naming a page outside the file");
        }
    }
    return SEGRT_OK;
}

static int tree(walk *w, uint64_t pgno, unsigned level, unsigned depth, int main_table,
                int free_table)
{
    int rc = SEGRT_OK;
    const unsigned char *p = page(w, pgno, &rc);
    if (p == NULL)
        return rc;
    uint16_t flags = u16(p + 10), lower = u16(p + 12), upper = u16(p + 14);
    int leaf = flags == P_LEAF;
    if ((flags != P_BRANCH && !leaf) || leaf != (level == depth))
        return damaged(w, pgno, "neither the branch nor the leaf its place in the tree needs");
    if (lower < PAGEHDRSZ || lower > upper || upper > w->psize || (lower - PAGEHDRSZ) % 2 ||
        lower == PAGEHDRSZ)
        return damaged(w, pgno, "a page header with its bounds out of order");
    unsigned n = (lower - PAGEHDRSZ) / 2;
    for (unsigned i = 0; i < n && rc == SEGRT_OK; i++) {
        uint16_t off = u16(p + PAGEHDRSZ + 2 * i);
        if (off < upper || off > w->psize - NODESIZE)
            return damaged(w, pgno, "a node offset outside the page's nodes");
        const unsigned char *node = p + off;
        uint32_t room = (uint32_t)(w->psize - off);
        if (leaf) {
            rc = leaf_value(w, pgno, node, room, main_table, free_table);
        } else {
            if (NODESIZE + u16(node + 6) > room)
                return damaged(w, pgno, "a node running past its page");
            uint64_t child = (uint64_t)u16(node) | (uint64_t)u16(node + 2) << 16 |
                             (uint64_t)u16(node + 4) << 32;
            rc = tree(w, child, level + 1, depth, main_table, free_table);
        }
    }
    return rc;
}

/* The meta page of snapshot txnid (of the two, the one with LMDB's magic and that id), or NULL. */
static const unsigned char *snapshot_meta(const unsigned char *map, uint64_t size, uint64_t txnid,
                                          uint64_t *psize)
{
    if (size < 2 * PAGEHDRSZ + 136 || u32(map + PAGEHDRSZ) != META_MAGIC)
        return NULL;
    *psize = u32(map + PAGEHDRSZ + 24); /* mm_dbs[FREE_DBI].md_pad holds the page size */
    if (*psize < 512 || *psize > 65536 || (*psize & (*psize - 1)) || size < 2 * *psize)
        return NULL;
    for (int i = 0; i < 2; i++) {
        const unsigned char *m = map + (uint64_t)i * *psize;
        if (u32(m + PAGEHDRSZ) == META_MAGIC && u64(m + PAGEHDRSZ + 128) == txnid)
            return m;
    }
    return NULL;
}

/* The walk of txn's snapshot: all of it, or (shallow) the main table and the other tables' roots. */
static int check_snapshot(segrt_store *s, MDB_txn *txn, int shallow)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/data.mdb", s->dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        return store_fail(s, SEGRT_EIO, "check: cannot read %s: %s", path, strerror(err));
    }
    uint64_t size = (uint64_t)st.st_size;
    void *map = size ? mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
    close(fd);
    if (map == MAP_FAILED)
        return store_fail(s, SEGRT_EIO, "check: cannot map %s: %s", path, strerror(errno));
    walk w = { .s = s, .map = map, .table = "(free pages)", .shallow = shallow };
    const unsigned char *meta = snapshot_meta(map, size, (uint64_t)mdb_txn_id(txn), &w.psize);
    int rc = SEGRT_OK;
    if (meta == NULL)
        rc = store_fail(s, SEGRT_ECORRUPT, "check: %s has no valid meta page of the snapshot "
                        "being checked", path);
    if (rc == SEGRT_OK) {
        w.npages = u64(meta + PAGEHDRSZ + 120) + 1; /* mm_last_pg + 1 */
        if (w.npages * w.psize > size || w.npages < 2)
            rc = store_fail(s, SEGRT_ECORRUPT, "check: %s ends before its last page", path);
    }
    if (rc == SEGRT_OK && (w.seen = calloc(w.npages / 8 + 1, 1)) == NULL)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK && !shallow)
        rc = table_root(&w, meta + PAGEHDRSZ + 24, 0, 1);
    if (rc == SEGRT_OK) {
        w.table = "(main)";
        rc = table_root(&w, meta + PAGEHDRSZ + 24 + DB_SIZE, 1, 0);
    }
    free(w.seen);
    munmap(map, size);
    return rc;
}

int store_page_check(segrt_store *s, MDB_txn *txn)
{
    return check_snapshot(s, txn, 0);
}

int store_page_check_tables(segrt_store *s, MDB_txn *txn)
{
    return check_snapshot(s, txn, 1);
}

/* Not through store_read, whose failures store_page_diagnose looks at. */
int store_pages_sound(segrt_store *s)
{
    MDB_txn *txn;
    int mrc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "reading the store");
    int rc = store_page_check(s, txn);
    mdb_txn_abort(txn);
    return store_flag_finding(s, rc);
}

int store_page_diagnose(segrt_store *s, int rc)
{
    int mrc = s->last_mdb_rc;
    /* What LMDB answers when it met a damaged page but did not assert: a value or an
       overflow run of an absurd size, a page number past the end, a page of the wrong kind. */
    if (rc == SEGRT_OK || !(mrc == MDB_CORRUPTED || mrc == MDB_PAGE_NOTFOUND ||
                            mrc == MDB_BAD_VALSIZE || mrc == ENOMEM))
        return rc;
    char first[sizeof s->errmsg];
    snprintf(first, sizeof first, "%s", s->errmsg);
    if (store_pages_sound(s) == SEGRT_ECORRUPT)
        return SEGRT_ECORRUPT;
    s->last_mdb_rc = mrc;
    return store_fail(s, rc, "%s", first); /* sound pages: the first failure stands */
}
