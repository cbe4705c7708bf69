/*
 * dedupe.c — finding duplicate contacts (dedupe.h).
 *
 * One pass over the contact records computes each contact's key; the
 * normalised or folded text of a dictionary code is computed once per code
 * (a phone number depends on the contact's country, so it is read each
 * time). A hash map from key to slot groups the contacts; the members of the
 * slots with two or more are ranked by the survivor rule (created_at from the
 * row, the number of events from the timeline's header), ties by id.
 *
 * Uses: row.h, dict.h, schema.h, strmap.h, email.h, phone.h, name_fold.h,
 * value.h, array.h.
 */
#include "dedupe/dedupe.h"

#include "store/dict.h"
#include "store/event.h"
#include "util/array.h"
#include "util/email.h"
#include "util/name_fold.h"
#include "util/phone.h"
#include "store/row.h"
#include "store/schema.h"
#include "util/strmap.h"
#include "util/value.h"

#include <stdlib.h>
#include <string.h>

const char *dedupe_by_name(int by)
{
    switch (by) {
    case SEGRT_DEDUPE_EMAIL: return "email";
    case SEGRT_DEDUPE_PHONE: return "phone";
    case SEGRT_DEDUPE_NAME_CITY: return "name_city";
    }
    return NULL;
}

/* ------------------------------------------------------------ per-code text */

/* Derive the key text of a value into out: 0, -1 out of memory, -2 no key. */
typedef int (*derive_fn)(const char *p, size_t n, buf *out);

static int derive_email(const char *p, size_t n, buf *out)
{
    if (email_normalize(p, n, out) != 0)
        return -1;
    return out->len ? 0 : -2;
}

static int derive_name(const char *p, size_t n, buf *out)
{
    int rc = name_fold(p, n, out);
    return rc == 0 && out->len == 0 ? -2 : rc;
}

/* The derived text of each code of one string field, computed once. */
typedef struct code_text {
    uint16_t field;
    derive_fn derive;
    uint32_t *off; /* per code: offset + 1 in text; 0 not yet computed; UINT32_MAX no key */
    uint32_t *len;
    size_t cap;
    buf text;
} code_text;

static void code_text_free(code_text *ct)
{
    free(ct->off);
    free(ct->len);
    buf_free(&ct->text);
}

/* *text (NULL when the code gives no key) and *len of code, borrowed until the next call. */
static int code_text_get(segrt_store *s, MDB_txn *txn, code_text *ct, uint32_t code, buf *tmp,
                         const char **text, size_t *len)
{
    *text = NULL;
    size_t len_cap = ct->cap; /* off and len share cap: grow len first */
    if (ARRAY_RESERVE(ct->len, len_cap, (size_t)code + 1) != 0 ||
        ARRAY_RESERVE_ZERO(ct->off, ct->cap, (size_t)code + 1) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory finding duplicates");
    if (ct->off[code] == 0) {
        MDB_val v;
        int rc = dict_string(s, txn, ct->field, code, &v);
        if (rc != SEGRT_OK)
            return rc;
        int drc = ct->derive(v.mv_data, v.mv_size, tmp);
        if (drc == -1 || (drc == 0 && (ct->text.len >= UINT32_MAX - 1 ||
                                       buf_put(&ct->text, tmp->p, tmp->len) != 0)))
            return store_fail(s, SEGRT_ENOMEM, "out of memory finding duplicates");
        ct->off[code] = drc == 0 ? (uint32_t)(ct->text.len - tmp->len) + 1 : UINT32_MAX;
        ct->len[code] = drc == 0 ? (uint32_t)tmp->len : 0;
    }
    if (ct->off[code] != UINT32_MAX) {
        *text = (const char *)ct->text.p + ct->off[code] - 1;
        *len = ct->len[code];
    }
    return SEGRT_OK;
}

/* ------------------------------------------------------------ keys */

typedef struct finder {
    segrt_store *s;
    MDB_txn *txn;
    int by;
    const field_def *f[3]; /* email | phone, country | first_name, last_name, city */
    code_text ct[3];
    dup_unreadable_fn unreadable;
    void *ud;
    buf key, tmp;
    strmap *slots;        /* key -> slot */
    buf keys;             /* slot keys, NUL-terminated, back to back */
    uint32_t *key_at;     /* per slot: offset in keys */
    uint32_t nslots;
    size_t slots_cap;
    uint32_t *pair_slot, *pair_ord; /* one pair per contact with a key */
    size_t npairs, pairs_cap;
    row rec;              /* scratch: the record being keyed */
} finder;

static const field_def *string_field(const struct schema *sc, const char *name)
{
    const field_def *f = schema_find(sc, name, strlen(name));
    return f && f->type == SEGRT_T_STRING ? f : NULL;
}

static int resolve_fields(finder *fd)
{
    static const char *const names[][3] = {
        [SEGRT_DEDUPE_EMAIL] = { "email", NULL, NULL },
        [SEGRT_DEDUPE_PHONE] = { "phone", "country", NULL },
        [SEGRT_DEDUPE_NAME_CITY] = { "first_name", "last_name", "city" },
    };
    for (int i = 0; i < 3 && names[fd->by][i]; i++) {
        fd->f[i] = string_field(fd->s->schema, names[fd->by][i]);
        if (fd->f[i] == NULL && !(fd->by == SEGRT_DEDUPE_PHONE && i == 1))
            return store_fail(fd->s, SEGRT_EINVAL,
                              "the store has no string field '%s' to compare contacts by %s",
                              names[fd->by][i], dedupe_by_name(fd->by));
        fd->ct[i] = (code_text){ .field = fd->f[i] ? fd->f[i]->id : 0,
                                 .derive = fd->by == SEGRT_DEDUPE_EMAIL ? derive_email
                                                                        : derive_name };
    }
    return SEGRT_OK;
}

/* The code of field f in r, 0 when it has none. */
static uint32_t code_of(const row *r, const field_def *f)
{
    const row_value *v = f ? row_get(r, f->id) : NULL;
    return v && !v->is_set ? (uint32_t)v->v : 0;
}

/* The contact's phone key into fd->key; *has 0 when the number gives none. */
static int phone_key(finder *fd, const row *r, int *has)
{
    uint32_t pc = code_of(r, fd->f[0]), cc = code_of(r, fd->f[1]);
    MDB_val phone, country = { 0, NULL };
    *has = 0;
    if (pc == 0)
        return SEGRT_OK;
    int rc = dict_string(fd->s, fd->txn, fd->f[0]->id, pc, &phone);
    if (rc == SEGRT_OK && cc)
        rc = dict_string(fd->s, fd->txn, fd->f[1]->id, cc, &country);
    if (rc != SEGRT_OK)
        return rc;
    char e164[PHONE_E164_MAX];
    const char *why = phone_e164(phone.mv_data, phone.mv_size, country.mv_data, country.mv_size,
                                 e164);
    if (why == NULL) {
        *has = 1;
        return buf_put(&fd->key, e164, strlen(e164)) ? SEGRT_ENOMEM : SEGRT_OK;
    }
    if (fd->unreadable == NULL)
        return SEGRT_OK;
    /* NUL-terminated copies for the callback, in the scratch buffer. */
    fd->tmp.len = 0;
    if (buf_put(&fd->tmp, r->id, r->idlen) || buf_put(&fd->tmp, "", 1) ||
        buf_put(&fd->tmp, phone.mv_data, phone.mv_size) || buf_put(&fd->tmp, "", 1))
        return SEGRT_ENOMEM;
    const char *id = (const char *)fd->tmp.p;
    return fd->unreadable(fd->ud, id, id + r->idlen + 1, why);
}

/* The contact's key into fd->key; *has 0 when it has none. */
static int key_of(finder *fd, const row *r, int *has)
{
    fd->key.len = 0;
    *has = 0;
    if (fd->by == SEGRT_DEDUPE_PHONE)
        return phone_key(fd, r, has);
    int nparts = fd->by == SEGRT_DEDUPE_EMAIL ? 1 : 3;
    for (int i = 0; i < nparts; i++) {
        uint32_t code = code_of(r, fd->f[i]);
        const char *text;
        size_t len;
        if (code == 0)
            return SEGRT_OK;
        int rc = code_text_get(fd->s, fd->txn, &fd->ct[i], code, &fd->tmp, &text, &len);
        if (rc != SEGRT_OK || text == NULL)
            return rc;
        /* "first last|city": a name split differently between the two fields is the same. */
        if ((i == 1 && buf_put(&fd->key, " ", 1)) || (i == 2 && buf_put(&fd->key, "|", 1)) ||
            buf_put(&fd->key, text, len))
            return SEGRT_ENOMEM;
    }
    *has = 1;
    return SEGRT_OK;
}

static int add_pair(finder *fd, uint32_t ord)
{
    uint32_t slot;
    if (!strmap_get(fd->slots, (const char *)fd->key.p, fd->key.len, &slot)) {
        if (ARRAY_RESERVE(fd->key_at, fd->slots_cap, (size_t)fd->nslots + 1) != 0)
            return SEGRT_ENOMEM;
        slot = fd->nslots;
        if (fd->keys.len > UINT32_MAX - fd->key.len - 1 ||
            strmap_put(fd->slots, (const char *)fd->key.p, fd->key.len, slot) != 0)
            return SEGRT_ENOMEM;
        fd->key_at[fd->nslots++] = (uint32_t)fd->keys.len;
        if (buf_put(&fd->keys, fd->key.p, fd->key.len) || buf_put(&fd->keys, "", 1))
            return SEGRT_ENOMEM;
    }
    size_t ord_cap = fd->pairs_cap; /* pair_slot and pair_ord share pairs_cap */
    if (ARRAY_RESERVE(fd->pair_ord, ord_cap, fd->npairs + 1) != 0 ||
        ARRAY_RESERVE(fd->pair_slot, fd->pairs_cap, fd->npairs + 1) != 0)
        return SEGRT_ENOMEM;
    fd->pair_slot[fd->npairs] = slot;
    fd->pair_ord[fd->npairs++] = ord;
    return SEGRT_OK;
}

static int key_contact(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                       const MDB_val *v)
{
    finder *fd = ud;
    uint32_t ord;
    int has = 0, rc;
    (void)txn;
    memcpy(&ord, k->mv_data, sizeof ord);
    int drc = row_decode(&fd->rec, v->mv_data, v->mv_size);
    if (drc != 0)
        rc = drc == -2 ? SEGRT_ENOMEM
                       : store_fail(s, SEGRT_ECORRUPT, "contact %u has a corrupt record", ord);
    else
        rc = key_of(fd, &fd->rec, &has);
    if (rc == SEGRT_OK && has)
        rc = add_pair(fd, ord);
    return rc == SEGRT_ENOMEM ? store_fail(s, rc, "out of memory finding duplicates") : rc;
}

/* Key every live contact (one pass over the records). */
static int scan(finder *fd)
{
    int rc = store_scan(fd->s, fd->txn, DB_CONTACTS, NULL, 0, "reading contacts", key_contact,
                        fd);
    row_free(&fd->rec);
    return rc;
}

/* ------------------------------------------------------------ survivors */

typedef struct member {
    uint32_t ord;
    int64_t created; /* VALUE_MISSING when unknown */
    uint32_t events;
    char *id;
} member;

static int by_rule(const void *pa, const void *pb, void *ud)
{
    const member *a = pa, *b = pb;
    int rule = *(const int *)ud;
    if (rule == SEGRT_SURVIVOR_MOST_EVENTS && a->events != b->events)
        return a->events > b->events ? -1 : 1;
    if (rule != SEGRT_SURVIVOR_MOST_EVENTS && a->created != b->created) {
        if (a->created == VALUE_MISSING || b->created == VALUE_MISSING)
            return a->created == VALUE_MISSING ? 1 : -1; /* unknown comes last */
        int older = a->created < b->created;
        return (rule == SEGRT_SURVIVOR_OLDEST) == older ? -1 : 1;
    }
    return strcmp(a->id, b->id);
}

/* What the rule reads of contact ord: its id, created_at, number of events. */
static int read_member(segrt_store *s, MDB_txn *txn, uint32_t ord, member *m)
{
    const field_def *created = schema_find(s->schema, "created_at", 10);
    MDB_val k = store_ord_key(&ord), v;
    row r = { 0 };
    *m = (member){ .ord = ord, .created = VALUE_MISSING };
    int rc = store_row_get(s, txn, ord, &r);
    if (rc != SEGRT_OK) {
        row_free(&r);
        return rc;
    }
    const row_value *cv = created ? row_get(&r, created->id) : NULL;
    if (cv && (created->type == SEGRT_T_TIMESTAMP || created->type == SEGRT_T_DATE))
        m->created = created->type == SEGRT_T_DATE ? cv->v * 86400 : cv->v;
    m->id = strndup(r.id, r.idlen);
    row_free(&r);
    if (m->id == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory finding duplicates");
    int mrc = mdb_get(txn, s->dbi[DB_EVENTS], &k, &v);
    if (mrc == 0)
        return store_decoded(s, event_list_count(v.mv_data, v.mv_size, &m->events), "events", ord);
    return mrc == MDB_NOTFOUND ? SEGRT_OK : store_mdb_fail(s, mrc, "reading events");
}

/* ------------------------------------------------------------ groups */

static const char *slot_key(const finder *fd, uint32_t slot)
{
    return (const char *)fd->keys.p + fd->key_at[slot];
}

static int by_key(const void *pa, const void *pb, void *ud)
{
    const finder *fd = ud;
    return strcmp(slot_key(fd, *(const uint32_t *)pa), slot_key(fd, *(const uint32_t *)pb));
}

void dedupe_groups_free(dedupe_groups *g)
{
    if (g->g) {
        for (size_t i = 0; i < g->n; i++) {
            for (size_t k = 0; k < g->g[i].n; k++)
                free((char *)g->g[i].ids[k]);
            free((void *)g->g[i].ids);
            free((void *)g->g[i].ord);
            free((char *)g->g[i].key);
        }
    }
    free(g->g);
    *g = (dedupe_groups){ 0 };
}

/* Group i of out: the members of slot, ranked. */
static int make_group(finder *fd, uint32_t slot, const uint32_t *ords, size_t n, int rule,
                      dedupe_group *g)
{
    member *m = calloc(n, sizeof *m);
    uint32_t *ord = malloc(n * sizeof *ord);
    const char **ids = calloc(n, sizeof *ids);
    char *key = strdup(slot_key(fd, slot));
    int rc = m && ord && ids && key ? SEGRT_OK
                                    : store_fail(fd->s, SEGRT_ENOMEM, "out of memory");
    for (size_t i = 0; i < n && rc == SEGRT_OK; i++)
        rc = read_member(fd->s, fd->txn, ords[i], &m[i]);
    if (rc == SEGRT_OK) {
        qsort_r(m, n, sizeof *m, by_rule, &rule);
        for (size_t i = 0; i < n; i++) {
            ord[i] = m[i].ord;
            ids[i] = m[i].id;
            m[i].id = NULL;
        }
        *g = (dedupe_group){ key, n, ord, ids };
    } else {
        for (size_t i = 0; m && i < n; i++)
            free(m[i].id);
        free(ord);
        free(ids);
        free(key);
    }
    free(m);
    return rc;
}

/* The slots with two or more contacts, as groups in key order. */
static int collect(finder *fd, int rule, dedupe_groups *out)
{
    uint32_t *count = calloc((size_t)fd->nslots + 1, sizeof *count);
    uint32_t *start = calloc((size_t)fd->nslots + 1, sizeof *start);
    uint32_t *ords = malloc((fd->npairs + 1) * sizeof *ords);
    uint32_t *dup = malloc(((size_t)fd->nslots + 1) * sizeof *dup);
    size_t ndup = 0;
    int rc = count && start && ords && dup ? SEGRT_OK
                                           : store_fail(fd->s, SEGRT_ENOMEM, "out of memory");
    for (size_t i = 0; rc == SEGRT_OK && i < fd->npairs; i++)
        count[fd->pair_slot[i]]++;
    for (uint32_t sl = 0; rc == SEGRT_OK && sl < fd->nslots; sl++) {
        start[sl + 1] = start[sl] + count[sl];
        if (count[sl] >= 2)
            dup[ndup++] = sl;
        count[sl] = 0;
    }
    for (size_t i = 0; rc == SEGRT_OK && i < fd->npairs; i++) {
        uint32_t sl = fd->pair_slot[i];
        ords[start[sl] + count[sl]++] = fd->pair_ord[i];
    }
    if (rc == SEGRT_OK && ndup) {
        qsort_r(dup, ndup, sizeof *dup, by_key, fd);
        out->g = calloc(ndup, sizeof *out->g);
        if (out->g == NULL)
            rc = store_fail(fd->s, SEGRT_ENOMEM, "out of memory");
    }
    for (size_t i = 0; rc == SEGRT_OK && i < ndup; i++) {
        uint32_t sl = dup[i];
        rc = make_group(fd, sl, ords + start[sl], count[sl], rule, &out->g[i]);
        out->n += rc == SEGRT_OK;
    }
    free(count);
    free(start);
    free(ords);
    free(dup);
    return rc;
}

int dedupe_find(segrt_store *s, MDB_txn *txn, int by, int rule, dup_unreadable_fn unreadable,
                void *ud, dedupe_groups *out)
{
    *out = (dedupe_groups){ 0 };
    if (dedupe_by_name(by) == NULL)
        return store_fail(s, SEGRT_EINVAL, "unknown key %d to compare contacts by", by);
    if (rule < SEGRT_SURVIVOR_OLDEST || rule > SEGRT_SURVIVOR_MOST_EVENTS)
        return store_fail(s, SEGRT_EINVAL, "unknown survivor rule %d", rule);
    finder fd = { .s = s, .txn = txn, .by = by, .unreadable = unreadable, .ud = ud };
    int rc = resolve_fields(&fd);
    if (rc == SEGRT_OK && (fd.slots = strmap_new()) == NULL)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK)
        rc = scan(&fd);
    if (rc == SEGRT_OK)
        rc = collect(&fd, rule, out);
    if (rc != SEGRT_OK)
        dedupe_groups_free(out);
    for (int i = 0; i < 3; i++)
        code_text_free(&fd.ct[i]);
    buf_free(&fd.key);
    buf_free(&fd.tmp);
    buf_free(&fd.keys);
    strmap_free(fd.slots);
    free(fd.key_at);
    free(fd.pair_slot);
    free(fd.pair_ord);
    return rc;
}
