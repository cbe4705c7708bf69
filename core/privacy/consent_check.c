/*
 * consent_check.c — who passes the consent check of a purpose at NOW
 * (consent_check.h, SPEC §5): the record in force is granted, not expired,
 * of an accepted legal basis (default consent and legitimate_interest) and,
 * with max_age, not stale; a script's seg.consent can change the bases and
 * max_age and add a check(c, rec) function run on the contacts that pass
 * the rest (a callback here).
 *
 * Uses: consent.h, dict.h, schema.h, store.h (store_scan over the consents
 * table), tree.h.
 */
#include "privacy/consent_check.h"

#include "store/consent.h"
#include "store/dict.h"
#include "store/schema.h"
#include "util/value.h"

#include <string.h>

/* The purposes that record an objection to all direct marketing. */
static int read_objections(segrt_store *s, MDB_txn *txn, consent_check_rule *r)
{
    int rc = dict_find(s, txn, FIELD_CS_PURPOSE, "direct_marketing", 16, &r->direct_marketing);
    return rc == SEGRT_OK ? dict_find(s, txn, FIELD_CS_PURPOSE, "objection", 9, &r->objection) : rc;
}

/*
 * Art. 21: a contact objects to all direct marketing when the record in force
 * for the purpose "direct_marketing" is withdrawn or denied, or one for
 * "objection" is granted (the objection stands). Withdrawing one channel
 * (sms_marketing) only ends that channel, through its own check.
 */
static int objects(const consent_check_rule *r, const consent_list *l, int64_t now)
{
    const consent_rec *dm = r->direct_marketing ? consent_in_force(l, r->direct_marketing, now) : NULL;
    const consent_rec *ob = r->objection ? consent_in_force(l, r->objection, now) : NULL;
    return (dm && dm->status != CS_GRANTED) || (ob && ob->status == CS_GRANTED);
}

/* The bases of a definition's list: a bit each; an unknown name is an error. */
static int read_bases(segrt_store *s, const char *purpose, const char *loc, const tree *bases,
                      unsigned *out)
{
    *out = 0;
    for (size_t i = 0; i < tree_count(bases) && tree_item(bases, i)->kind != TREE_NIL; i++) {
        const tree *item = tree_item(bases, i);
        const char *name = tree_tostring(item);
        int b = name ? consent_basis_parse(name, item->len) : 0;
        if (b == 0)
            return store_fail(s, SEGRT_ELUA, "%s: consent '%s': unknown legal basis '%s'",
                              loc ? loc : "?", purpose, name ? name : "?");
        *out |= 1u << b;
    }
    return SEGRT_OK;
}

int consent_check_rule_read(segrt_store *s, MDB_txn *txn, const char *purpose, const tree *def,
                            consent_check_rule *r)
{
    *r = (consent_check_rule){ .bases = 1u << CS_CONSENT | 1u << CS_LEGITIMATE_INTEREST };
    int rc = SEGRT_OK;
    if (def && def->kind == TREE_TABLE) {
        const char *loc = tree_get_string(def, "loc");
        const tree *bases = tree_get(def, "bases"), *max_age = tree_get(def, "max_age");
        if (bases && bases->kind == TREE_TABLE)
            rc = read_bases(s, purpose, loc, bases, &r->bases);
        double secs;
        if (rc == SEGRT_OK && max_age && !tree_tonumber(tree_get(max_age, "secs"), &secs))
            rc = store_fail(s, SEGRT_ELUA, "%s: consent '%s': max_age takes a duration such as "
                            "seg.days(365)", loc ? loc : "?", purpose);
        if (max_age && !tree_tointeger(tree_get(max_age, "secs"), &r->max_age))
            r->max_age = 0;
        const tree *check = tree_get(def, "check");
        r->has_check = check && check->kind == TREE_FUNCTION;
        r->marketing = tree_toboolean(tree_get(def, "marketing"));
    }
    if (rc == SEGRT_OK && r->marketing)
        rc = read_objections(s, txn, r);
    if (rc == SEGRT_OK)
        rc = dict_find(s, txn, FIELD_CS_PURPOSE, purpose, strlen(purpose), &r->code);
    return rc;
}

const char *consent_why_text(consent_why w)
{
    static const char *const text[CW_N] = {
        "passes", "no record", "withdrawn or denied", "expired", "legal basis not accepted",
        "older than max_age", "objects to direct marketing", "refused by the check function",
    };
    return w < CW_N ? text[w] : "?";
}

/* Why the record in force rec passes or fails the rule's own terms. */
static consent_why why_record(const consent_check_rule *r, const consent_rec *rec, int64_t now)
{
    if (rec == NULL)
        return CW_NO_RECORD;
    if (rec->status != CS_GRANTED)
        return CW_REFUSED;
    if (rec->expires != VALUE_MISSING && rec->expires <= now)
        return CW_EXPIRED;
    if (!(r->bases >> rec->basis & 1))
        return CW_BASIS;
    if (r->max_age != 0 && rec->ts < now - r->max_age)
        return CW_TOO_OLD;
    return CW_PASS;
}

/* Why contact ord with history l passes or fails: a consent_why, or an error (< 0). */
static int why_list(int64_t now, const consent_check_rule *r, uint32_t ord, const consent_list *l,
                    consent_check_fn check, void *ud)
{
    const consent_rec *rec = consent_in_force(l, r->code, now);
    consent_why w = why_record(r, rec, now);
    if (w == CW_PASS && r->marketing && objects(r, l, now))
        w = CW_OBJECTION;
    if (w != CW_PASS || !r->has_check)
        return (int)w;
    int keep = check(ud, rec, ord);
    return keep < 0 ? keep : keep ? CW_PASS : CW_CHECK;
}

/* The check of one contact's decoded history; 1 pass, 0 not, <0 error. */
static int check_list(int64_t now, const consent_check_rule *r, uint32_t ord,
                      const consent_list *l, consent_check_fn check, void *ud)
{
    int w = why_list(now, r, ord, l, check, ud);
    return w < 0 ? w : w == CW_PASS;
}

/* Contact ord's history v (a consents value) decoded into l, which it replaces. */
static int decode_history(segrt_store *s, uint32_t ord, const MDB_val *v, consent_list *l)
{
    l->n = 0;
    if (consent_list_decode(l, v->mv_data, v->mv_size) != 0)
        return store_fail(s, SEGRT_ECORRUPT, "consents of contact %u are corrupt", ord);
    return SEGRT_OK;
}

/* The contact of a consents key (scans: inlined, once per history). */
static inline int key_ord(segrt_store *s, const MDB_val *k, uint32_t *ord)
{
    if (k->mv_size != sizeof *ord)
        return store_fail(s, SEGRT_ECORRUPT, "a consents key has a bad size");
    memcpy(ord, k->mv_data, sizeof *ord);
    return SEGRT_OK;
}

/* The check of one contact's history (a consents value); 1 pass, 0 not, <0 error. */
static int check_one(segrt_store *s, int64_t now, const consent_check_rule *r, uint32_t ord,
                     const MDB_val *v, consent_list *l, consent_check_fn check, void *ud)
{
    int rc = decode_history(s, ord, v, l);
    return rc == SEGRT_OK ? check_list(now, r, ord, l, check, ud) : rc;
}

/* Whether the record in force for purpose (a code, 0: nobody has one) refuses: withdrawn or denied. */
static int refuses(const consent_list *l, uint32_t purpose, int64_t now)
{
    const consent_rec *r = purpose ? consent_in_force(l, purpose, now) : NULL;
    return r && r->status != CS_GRANTED;
}

/* What keeps a contact from profiling: an objection, or its profiling record refusing. */
static int unprofiled(const consent_check_rule *r, uint32_t profiling, const consent_list *l,
                      int64_t now)
{
    return objects(r, l, now) || refuses(l, profiling, now);
}

/* The codes consent_check_unprofiled reads: the objection purposes and "profiling". */
static int read_unprofiled(segrt_store *s, MDB_txn *txn, consent_check_rule *r,
                           uint32_t *profiling)
{
    int rc = read_objections(s, txn, r);
    return rc == SEGRT_OK ? dict_find(s, txn, FIELD_CS_PURPOSE, "profiling", 9, profiling) : rc;
}

/* A pass over every consent history (consent_check_unprofiled). */
typedef struct unprofiled_scan {
    consent_check_rule rule;
    uint32_t profiling;
    int64_t now;
    consent_list l;
    bitset *out;
} unprofiled_scan;

static int note_unprofiled(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                           const MDB_val *v)
{
    (void)txn;
    unprofiled_scan *o = ud;
    uint32_t ord = 0;
    int rc = key_ord(s, k, &ord);
    if (rc == SEGRT_OK)
        rc = decode_history(s, ord, v, &o->l);
    if (rc == SEGRT_OK && ord < o->out->nbits && unprofiled(&o->rule, o->profiling, &o->l, o->now))
        bitset_set(o->out, ord);
    return rc;
}

int consent_check_unprofiled(segrt_store *s, MDB_txn *txn, int64_t now, uint32_t ncontacts,
                             bitset *out)
{
    unprofiled_scan o = { .rule = { .marketing = 1 }, .now = now, .out = out };
    int rc = read_unprofiled(s, txn, &o.rule, &o.profiling);
    if (rc == SEGRT_OK && bitset_init(out, ncontacts) != 0)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    if (rc != SEGRT_OK || (o.rule.direct_marketing == 0 && o.rule.objection == 0 && !o.profiling))
        return rc; /* nobody has recorded an objection or a profiling refusal */
    rc = store_scan(s, txn, DB_CONSENTS, NULL, 0, "reading consents", note_unprofiled, &o);
    consent_list_free(&o.l);
    if (rc != SEGRT_OK)
        bitset_free(out);
    return rc;
}

/* One contact's consent histories (cleared when it has none). */
static int read_history(segrt_store *s, MDB_txn *txn, uint32_t ord, consent_list *l, int *found)
{
    MDB_val key = store_ord_key(&ord), v;
    int mrc = mdb_get(txn, s->dbi[DB_CONSENTS], &key, &v);
    l->n = 0;
    *found = mrc == 0;
    if (mrc != 0 && mrc != MDB_NOTFOUND)
        return store_mdb_fail(s, mrc, "reading consents");
    return mrc == 0 ? decode_history(s, ord, &v, l) : SEGRT_OK;
}

int consent_check_unprofiled_one(segrt_store *s, MDB_txn *txn, int64_t now, uint32_t ord)
{
    consent_check_rule rule = { .marketing = 1 };
    uint32_t profiling = 0;
    consent_list l = { 0 };
    int found = 0, rc = read_unprofiled(s, txn, &rule, &profiling);
    if (rc == SEGRT_OK && (rule.direct_marketing || rule.objection || profiling))
        rc = read_history(s, txn, ord, &l, &found);
    if (rc == SEGRT_OK)
        rc = found && unprofiled(&rule, profiling, &l, now);
    consent_list_free(&l);
    return rc;
}

int consent_check_passes(segrt_store *s, MDB_txn *txn, int64_t now, const consent_check_rule *r,
                         uint32_t ord, consent_check_fn check, void *ud)
{
    consent_list l = { 0 };
    int found = 0, rc = SEGRT_OK;
    if (r->code)
        rc = read_history(s, txn, ord, &l, &found);
    if (rc == SEGRT_OK && found)
        rc = check_list(now, r, ord, &l, check, ud);
    consent_list_free(&l);
    return rc;
}

/* A small set: each member's history looked up. */
static int filter_by_lookup(segrt_store *s, MDB_txn *txn, int64_t now,
                            const consent_check_rule *r, bitset *bits, consent_check_fn check,
                            void *ud)
{
    consent_list l = { 0 };
    int rc = SEGRT_OK;
    for (uint32_t ord = bitset_next(bits, 0); rc == SEGRT_OK && ord < bits->nbits;
         ord = bitset_next(bits, ord + 1)) {
        MDB_val key = store_ord_key(&ord), v;
        int pass = 0, mrc = mdb_get(txn, s->dbi[DB_CONSENTS], &key, &v);
        if (mrc != 0 && mrc != MDB_NOTFOUND)
            rc = store_mdb_fail(s, mrc, "reading consents");
        else if (mrc == 0)
            pass = check_one(s, now, r, ord, &v, &l, check, ud);
        if (pass < 0)
            rc = pass;
        else if (!pass)
            bitset_clear_bit(bits, ord);
    }
    consent_list_free(&l);
    return rc;
}

/*
 * A large set: all histories read in key order (filter_scan_one); the
 * members passing go to keep, which becomes the set, so a member without a
 * history is dropped without being looked for.
 */
typedef struct filter_scan {
    int64_t now;
    const consent_check_rule *r;
    const bitset *bits;
    uint32_t last;  /* the highest member: the scan stops after it */
    bitset keep;
    consent_list l;
    consent_check_fn check;
    void *ud;
} filter_scan;

#define FILTER_SCAN_DONE 1 /* a positive code ending the scan early: past the last member */

static int filter_scan_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k,
                           const MDB_val *v)
{
    (void)txn;
    filter_scan *f = ud;
    uint32_t ord = 0;
    int rc = key_ord(s, k, &ord);
    if (rc != SEGRT_OK)
        return rc;
    if (ord > f->last)
        return FILTER_SCAN_DONE;
    if (!(f->bits->w[ord >> 6] >> (ord & 63) & 1)) /* ord <= last < nbits */
        return SEGRT_OK;
    rc = decode_history(s, ord, v, &f->l);
    if (rc != SEGRT_OK)
        return rc;
    int pass = check_list(f->now, f->r, ord, &f->l, f->check, f->ud);
    if (pass > 0)
        bitset_set(&f->keep, ord);
    return pass < 0 ? pass : SEGRT_OK;
}

typedef struct why_scan {
    int64_t now;
    const consent_check_rule *r;
    uint32_t ncontacts;
    uint8_t *why;
    consent_list l;
    consent_check_fn check;
    void *ud;
} why_scan;

static int why_scan_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    (void)txn;
    why_scan *w = ud;
    uint32_t ord = 0;
    int rc = key_ord(s, k, &ord);
    if (rc == SEGRT_OK && ord < w->ncontacts)
        rc = decode_history(s, ord, v, &w->l);
    if (rc != SEGRT_OK || ord >= w->ncontacts)
        return rc;
    int why = why_list(w->now, w->r, ord, &w->l, w->check, w->ud);
    if (why < 0)
        return why;
    w->why[ord] = (uint8_t)why;
    return SEGRT_OK;
}

int consent_check_why_all(segrt_store *s, MDB_txn *txn, int64_t now, const consent_check_rule *r,
                          uint32_t ncontacts, uint8_t *why, consent_check_fn check, void *ud)
{
    memset(why, CW_NO_RECORD, ncontacts);
    if (r->code == 0) /* nobody has a record for this purpose */
        return SEGRT_OK;
    why_scan w = { .now = now, .r = r, .ncontacts = ncontacts, .why = why, .check = check, .ud = ud };
    int rc = store_scan(s, txn, DB_CONSENTS, NULL, 0, "reading consents", why_scan_one, &w);
    consent_list_free(&w.l);
    return rc;
}

/* The highest member of a set that has one. */
static uint32_t last_member(const bitset *b)
{
    size_t i = bitset_words(b->nbits);
    while (i > 1 && b->w[i - 1] == 0)
        i--;
    return (uint32_t)((i - 1) * 64 + 63 - (size_t)__builtin_clzll(b->w[i - 1]));
}

/*
 * Keep in bits only the contacts that pass. A small set looks each contact's
 * history up; a large one reads all histories in key order.
 */
int consent_check_filter(segrt_store *s, MDB_txn *txn, int64_t now, const consent_check_rule *r,
                         bitset *bits, consent_check_fn check, void *ud)
{
    if (r->code == 0) { /* nobody has a record for this purpose */
        memset(bits->w, 0, bitset_words(bits->nbits) * sizeof *bits->w);
        return SEGRT_OK;
    }
    uint64_t n = bitset_count(bits);
    if (n <= bits->nbits / 8)
        return filter_by_lookup(s, txn, now, r, bits, check, ud);
    filter_scan f = { .now = now, .r = r, .bits = bits, .last = last_member(bits), .check = check,
                      .ud = ud };
    if (bitset_init(&f.keep, bits->nbits) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    int rc = store_scan(s, txn, DB_CONSENTS, NULL, 0, "reading consents", filter_scan_one, &f);
    consent_list_free(&f.l);
    if (rc == FILTER_SCAN_DONE)
        rc = SEGRT_OK;
    if (rc == SEGRT_OK)
        memcpy(bits->w, f.keep.w, bitset_words(bits->nbits) * sizeof *bits->w);
    bitset_free(&f.keep);
    return rc;
}
