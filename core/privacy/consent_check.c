/*
 * consent_check.c — who passes the consent check of a purpose at NOW
 * (consent_check.h, SPEC §5): the record in force is granted, not expired,
 * of an accepted legal basis (default consent and legitimate_interest) and,
 * with max_age, not stale; a script's seg.consent can change the bases and
 * max_age and add a check(c, rec) function run on the contacts that pass
 * the rest (a callback here).
 *
 * Uses: consent.h, dict.h, schema.h (the consents table), tree.h.
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

static int passes(const consent_check_rule *r, const consent_rec *rec, int64_t now)
{
    return rec && rec->status == CS_GRANTED && (rec->expires == VALUE_MISSING || rec->expires > now) &&
           (r->bases >> rec->basis & 1) && (r->max_age == 0 || rec->ts >= now - r->max_age);
}

/* The check of one contact's decoded history; 1 pass, 0 not, <0 error. */
static int check_list(int64_t now, const consent_check_rule *r, uint32_t ord,
                      const consent_list *l, consent_check_fn check, void *ud)
{
    const consent_rec *rec = consent_in_force(l, r->code, now);
    if (!passes(r, rec, now) || (r->marketing && objects(r, l, now)))
        return 0;
    return r->has_check ? check(ud, rec, ord) : 1;
}

/* The check of one contact's history (a consents value); 1 pass, 0 not, <0 error. */
static int check_one(segrt_store *s, int64_t now, const consent_check_rule *r, uint32_t ord,
                     const MDB_val *v, consent_list *l, consent_check_fn check, void *ud)
{
    l->n = 0;
    if (consent_list_decode(l, v->mv_data, v->mv_size) != 0)
        return store_fail(s, SEGRT_ECORRUPT, "consents of contact %u are corrupt", ord);
    return check_list(now, r, ord, l, check, ud);
}

int consent_check_objectors(segrt_store *s, MDB_txn *txn, int64_t now, uint32_t ncontacts,
                            bitset *out)
{
    consent_check_rule rule = { .marketing = 1 };
    int rc = read_objections(s, txn, &rule);
    if (rc == SEGRT_OK && bitset_init(out, ncontacts) != 0)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    if (rc != SEGRT_OK || (rule.direct_marketing == 0 && rule.objection == 0))
        return rc; /* nobody has recorded an objection */
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, s->dbi[DB_CONSENTS], &cur);
    if (mrc != 0) {
        bitset_free(out);
        return store_mdb_fail(s, mrc, "reading consents");
    }
    consent_list l = { 0 };
    MDB_val k, v;
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0 && rc == SEGRT_OK;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        uint32_t ord;
        memcpy(&ord, k.mv_data, sizeof ord);
        l.n = 0;
        if (consent_list_decode(&l, v.mv_data, v.mv_size) != 0)
            rc = store_fail(s, SEGRT_ECORRUPT, "consents of contact %u are corrupt", ord);
        else if (ord < ncontacts && objects(&rule, &l, now))
            bitset_set(out, ord);
    }
    mdb_cursor_close(cur);
    consent_list_free(&l);
    if (rc == SEGRT_OK && mrc != 0 && mrc != MDB_NOTFOUND)
        rc = store_mdb_fail(s, mrc, "reading consents");
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
    if (mrc == 0 && consent_list_decode(l, v.mv_data, v.mv_size) != 0)
        return store_fail(s, SEGRT_ECORRUPT, "consents of contact %u are corrupt", ord);
    return SEGRT_OK;
}

int consent_check_objects(segrt_store *s, MDB_txn *txn, int64_t now, uint32_t ord)
{
    consent_check_rule rule = { .marketing = 1 };
    consent_list l = { 0 };
    int found = 0, rc = read_objections(s, txn, &rule);
    if (rc == SEGRT_OK && (rule.direct_marketing || rule.objection))
        rc = read_history(s, txn, ord, &l, &found);
    if (rc == SEGRT_OK)
        rc = found && objects(&rule, &l, now);
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
    consent_list l = { 0 };
    MDB_cursor *cur = NULL;
    int rc = SEGRT_OK, mrc = 0, scan = bitset_count(bits) > bits->nbits / 8;
    if (scan && (mrc = mdb_cursor_open(txn, s->dbi[DB_CONSENTS], &cur)) != 0)
        rc = store_mdb_fail(s, mrc, "reading consents");
    MDB_val k, v;
    uint32_t ord = bitset_next(bits, 0);
    if (cur)
        mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (rc == SEGRT_OK && ord < bits->nbits) {
        int pass = 0;
        if (cur) { /* advance the cursor to ord */
            uint32_t at = UINT32_MAX;
            while (mrc == 0 && (memcpy(&at, k.mv_data, sizeof at), at < ord))
                mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            if (mrc != 0 && mrc != MDB_NOTFOUND)
                rc = store_mdb_fail(s, mrc, "reading consents");
            else if (mrc == 0 && at == ord)
                pass = check_one(s, now, r, ord, &v, &l, check, ud);
        } else {
            MDB_val key = store_ord_key(&ord);
            mrc = mdb_get(txn, s->dbi[DB_CONSENTS], &key, &v);
            if (mrc != 0 && mrc != MDB_NOTFOUND)
                rc = store_mdb_fail(s, mrc, "reading consents");
            else if (mrc == 0)
                pass = check_one(s, now, r, ord, &v, &l, check, ud);
        }
        if (pass < 0)
            rc = pass;
        else if (!pass)
            bitset_clear_bit(bits, ord);
        ord = bitset_next(bits, ord + 1);
    }
    if (cur)
        mdb_cursor_close(cur);
    consent_list_free(&l);
    return rc;
}
