/*
 * consent_report.c — segrt_consent_summary_foreach(): per purpose, how many contacts
 * have a record, and how many have a grant in force at NOW (status granted,
 * not expired); segrt_consent_report_foreach(): per purpose, the records in force at
 * NOW by status and legal basis, expired, stale and expiring grants.
 *
 * Uses: consent.h, dict.h, schema.h, value.h.
 */
#include "store/consent.h"
#include "store/dict.h"
#include "store/schema.h"
#include "util/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct purpose_count {
    uint64_t with_record, granted;
} purpose_count;

static int tally(segrt_store *s, const consent_list *l, purpose_count **pc, size_t *npc)
{
    for (size_t i = 0; i < l->n; i++) {
        uint32_t p = l->recs[i].purpose;
        int first = 1;
        for (size_t j = 0; j < i && first; j++)
            first = l->recs[j].purpose != p;
        if (!first)
            continue;
        if (p >= *npc) {
            size_t n = p * 2 + 8;
            purpose_count *g = realloc(*pc, n * sizeof *g);
            if (g == NULL)
                return store_fail(s, SEGRT_ENOMEM, "out of memory");
            memset(g + *npc, 0, (n - *npc) * sizeof *g);
            *pc = g;
            *npc = n;
        }
        (*pc)[p].with_record++;
        const consent_rec *r = consent_in_force(l, p, s->now);
        if (r && r->status == CS_GRANTED && (r->expires == VALUE_MISSING || r->expires > s->now))
            (*pc)[p].granted++;
    }
    return SEGRT_OK;
}

int segrt_consent_summary_foreach(segrt_store *s,
                                  int (*fn)(void *ud, const char *purpose, uint64_t with_record,
                                            uint64_t granted),
                                  void *ud)
{
    MDB_txn *txn;
    int rc = store_txn_begin(s, MDB_RDONLY, &txn);
    if (rc != SEGRT_OK)
        return rc;
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, s->dbi[DB_CONSENTS], &cur);
    if (mrc != 0) {
        mdb_txn_abort(txn);
        return store_mdb_fail(s, mrc, "reading consents");
    }
    purpose_count *pc = NULL;
    size_t npc = 0;
    consent_list l = { 0 };
    MDB_val k, v;
    mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (mrc == 0 && rc == SEGRT_OK) {
        l.n = 0;
        if (consent_list_decode(&l, v.mv_data, v.mv_size) != 0)
            rc = store_fail(s, SEGRT_ECORRUPT, "a consent history is corrupt");
        else
            rc = tally(s, &l, &pc, &npc);
        mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    consent_list_free(&l);
    if (rc == SEGRT_OK && mrc != MDB_NOTFOUND)
        rc = store_mdb_fail(s, mrc, "reading consents");
    for (size_t p = 1; rc == SEGRT_OK && p < npc; p++) {
        MDB_val name;
        char text[256];
        if (pc[p].with_record == 0 || dict_string(s, txn, FIELD_CS_PURPOSE, (uint32_t)p, &name))
            continue;
        snprintf(text, sizeof text, "%.*s", (int)name.mv_size, (const char *)name.mv_data);
        rc = fn(ud, text, pc[p].with_record, pc[p].granted);
    }
    free(pc);
    mdb_txn_abort(txn);
    return rc;
}

/* ------------------------------------------------------------ segrt_consent_report_foreach */

typedef struct report_ctx {
    segrt_store *s;
    int64_t max_age;
    segrt_consent_tally *t; /* indexed by purpose code */
    size_t nt;
} report_ctx;

/* Count the records in force of one contact's history. */
static int report_tally(report_ctx *x, const consent_list *l)
{
    int64_t now = x->s->now;
    for (size_t i = 0; i < l->n; i++) {
        uint32_t p = l->recs[i].purpose;
        int first = 1;
        for (size_t j = 0; j < i && first; j++)
            first = l->recs[j].purpose != p;
        const consent_rec *r = first ? consent_in_force(l, p, now) : NULL;
        if (r == NULL)
            continue;
        if (p >= x->nt) {
            size_t n = (size_t)p * 2 + 8;
            segrt_consent_tally *g = realloc(x->t, n * sizeof *g);
            if (g == NULL)
                return store_fail(x->s, SEGRT_ENOMEM, "out of memory");
            memset(g + x->nt, 0, (n - x->nt) * sizeof *g);
            x->t = g;
            x->nt = n;
        }
        segrt_consent_tally *t = &x->t[p];
        t->contacts++;
        if (r->status < SEGRT_CONSENT_STATUS_COUNT)
            t->status[r->status]++;
        if (r->basis < SEGRT_BASIS_COUNT)
            t->basis[r->basis]++;
        if (r->status != CS_GRANTED)
            continue;
        if (r->expires != VALUE_MISSING && r->expires <= now)
            t->expired++;
        else if (r->expires != VALUE_MISSING &&
                 r->expires <= now + (int64_t)SEGRT_CONSENT_EXPIRING_DAYS * 86400)
            t->expiring++;
        if ((r->expires == VALUE_MISSING || r->expires > now) && x->max_age > 0 &&
            r->ts < now - x->max_age)
            t->stale++;
    }
    return SEGRT_OK;
}

typedef struct named_tally {
    char name[256];
    size_t code;
} named_tally;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const named_tally *)a)->name, ((const named_tally *)b)->name);
}

int segrt_consent_report_foreach(segrt_store *s, int64_t max_age,
                                 int (*fn)(void *ud, const segrt_consent_tally *t), void *ud)
{
    MDB_txn *txn;
    MDB_cursor *cur = NULL;
    report_ctx x = { .s = s, .max_age = max_age };
    consent_list l = { 0 };
    named_tally *names = NULL;
    size_t nnames = 0;
    int rc = store_txn_begin(s, MDB_RDONLY, &txn);
    if (rc != SEGRT_OK)
        return rc;
    int mrc = mdb_cursor_open(txn, s->dbi[DB_CONSENTS], &cur);
    MDB_val k, v;
    if (mrc == 0)
        mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (mrc == 0 && rc == SEGRT_OK) {
        l.n = 0;
        int drc = consent_list_decode(&l, v.mv_data, v.mv_size);
        if (drc != 0)
            rc = drc == -2 ? store_fail(s, SEGRT_ENOMEM, "out of memory")
                           : store_fail(s, SEGRT_ECORRUPT, "a consent history is corrupt");
        else
            rc = report_tally(&x, &l);
        if (rc == SEGRT_OK)
            mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    if (rc == SEGRT_OK && mrc != MDB_NOTFOUND)
        rc = store_mdb_fail(s, mrc, "reading consents");
    if (rc == SEGRT_OK && x.nt > 0 && (names = calloc(x.nt, sizeof *names)) == NULL)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    for (size_t p = 1; rc == SEGRT_OK && p < x.nt; p++) {
        MDB_val name;
        if (x.t[p].contacts == 0)
            continue;
        rc = dict_string(s, txn, FIELD_CS_PURPOSE, (uint32_t)p, &name);
        if (rc == SEGRT_ENOTFOUND)
            rc = store_fail(s, SEGRT_ECORRUPT, "consent purpose %zu has no name", p);
        if (rc != SEGRT_OK)
            break;
        snprintf(names[nnames].name, sizeof names[nnames].name, "%.*s",
                 (int)(name.mv_size < 255 ? name.mv_size : 255), (const char *)name.mv_data);
        names[nnames++].code = p;
    }
    if (nnames > 1)
        qsort(names, nnames, sizeof *names, by_name);
    for (size_t i = 0; rc == SEGRT_OK && i < nnames; i++) {
        x.t[names[i].code].purpose = names[i].name;
        rc = fn(ud, &x.t[names[i].code]);
    }
    free(names);
    free(x.t);
    consent_list_free(&l);
    if (cur)
        mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return rc;
}
