/*
 * consent_report.c — segrt_consent_summary_foreach(): per purpose, how many contacts
 * have a record, and how many have a grant in force at NOW (status granted,
 * not expired); segrt_consent_report_foreach(): per purpose, the records in force at
 * NOW by status and legal basis, expired, stale and expiring grants.
 *
 * Uses: consent.h, dict.h, schema.h, value.h, array.h.
 */
#include "store/consent.h"
#include "store/dict.h"
#include "store/schema.h"
#include "util/array.h"
#include "util/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A pass over every contact's consent history, each decoded into l and given to count. */
typedef struct history_pass {
    consent_list l;
    int (*count)(segrt_store *s, void *ctx, const consent_list *l);
    void *ctx;
} history_pass;

static int count_one(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    history_pass *p = ud;
    (void)txn;
    (void)k;
    p->l.n = 0;
    int drc = consent_list_decode(&p->l, v->mv_data, v->mv_size);
    if (drc != 0)
        return drc == -2 ? store_fail(s, SEGRT_ENOMEM, "out of memory")
                         : store_fail(s, SEGRT_ECORRUPT, "a consent history is corrupt");
    return p->count(s, p->ctx, &p->l);
}

static int count_histories(segrt_store *s, MDB_txn *txn,
                           int (*count)(segrt_store *s, void *ctx, const consent_list *l),
                           void *ctx)
{
    history_pass p = { { 0 }, count, ctx };
    int rc = store_scan(s, txn, DB_CONSENTS, NULL, 0, "reading consents", count_one, &p);
    consent_list_free(&p.l);
    return rc;
}

/* ------------------------------------------------------------ segrt_consent_summary_foreach */

typedef struct purpose_count {
    uint64_t with_record, granted;
} purpose_count;

typedef struct summary_ctx {
    purpose_count *pc; /* indexed by purpose code */
    size_t npc;
    int (*fn)(void *ud, const char *purpose, uint64_t with_record, uint64_t granted);
    void *ud;
} summary_ctx;

/* Count one contact's history: a record per purpose, a grant in force. */
static int tally(segrt_store *s, void *ctx, const consent_list *l)
{
    summary_ctx *x = ctx;
    for (size_t i = 0; i < l->n; i++) {
        uint32_t p = l->recs[i].purpose;
        int first = 1;
        for (size_t j = 0; j < i && first; j++)
            first = l->recs[j].purpose != p;
        if (!first)
            continue;
        if (ARRAY_RESERVE_ZERO(x->pc, x->npc, (size_t)p + 1) != 0)
            return store_fail(s, SEGRT_ENOMEM, "out of memory");
        x->pc[p].with_record++;
        const consent_rec *r = consent_in_force(l, p, s->now);
        if (r && r->status == CS_GRANTED && (r->expires == VALUE_MISSING || r->expires > s->now))
            x->pc[p].granted++;
    }
    return SEGRT_OK;
}

static int summary_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    summary_ctx *x = ud;
    int rc = count_histories(s, txn, tally, x);
    for (size_t p = 1; rc == SEGRT_OK && p < x->npc; p++) {
        MDB_val name;
        char text[256];
        if (x->pc[p].with_record == 0 ||
            dict_string(s, txn, FIELD_CS_PURPOSE, (uint32_t)p, &name))
            continue;
        snprintf(text, sizeof text, "%.*s", (int)name.mv_size, (const char *)name.mv_data);
        rc = x->fn(x->ud, text, x->pc[p].with_record, x->pc[p].granted);
    }
    return rc;
}

int segrt_consent_summary_foreach(segrt_store *s,
                                  int (*fn)(void *ud, const char *purpose, uint64_t with_record,
                                            uint64_t granted),
                                  void *ud)
{
    summary_ctx x = { .fn = fn, .ud = ud };
    int rc = store_read(s, summary_in, &x);
    free(x.pc);
    return rc;
}

/* ------------------------------------------------------------ segrt_consent_report_foreach */

typedef struct report_ctx {
    int64_t max_age;
    segrt_consent_tally *t; /* indexed by purpose code */
    size_t nt;
    int (*fn)(void *ud, const segrt_consent_tally *t);
    void *ud;
} report_ctx;

/* Count the records in force of one contact's history. */
static int report_tally(segrt_store *s, void *ctx, const consent_list *l)
{
    report_ctx *x = ctx;
    int64_t now = s->now;
    for (size_t i = 0; i < l->n; i++) {
        uint32_t p = l->recs[i].purpose;
        int first = 1;
        for (size_t j = 0; j < i && first; j++)
            first = l->recs[j].purpose != p;
        const consent_rec *r = first ? consent_in_force(l, p, now) : NULL;
        if (r == NULL)
            continue;
        if (ARRAY_RESERVE_ZERO(x->t, x->nt, (size_t)p + 1) != 0)
            return store_fail(s, SEGRT_ENOMEM, "out of memory");
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

/* Tally every history, then call fn per purpose in name order. */
static int report_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    report_ctx *x = ud;
    named_tally *names = NULL;
    size_t nnames = 0;
    int rc = count_histories(s, txn, report_tally, x);
    if (rc == SEGRT_OK && x->nt > 0 && (names = calloc(x->nt, sizeof *names)) == NULL)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    for (size_t p = 1; rc == SEGRT_OK && p < x->nt; p++) {
        MDB_val name;
        if (x->t[p].contacts == 0)
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
        x->t[names[i].code].purpose = names[i].name;
        rc = x->fn(x->ud, &x->t[names[i].code]);
    }
    free(names);
    return rc;
}

int segrt_consent_report_foreach(segrt_store *s, int64_t max_age,
                                 int (*fn)(void *ud, const segrt_consent_tally *t), void *ud)
{
    report_ctx x = { .max_age = max_age, .fn = fn, .ud = ud };
    int rc = store_read(s, report_in, &x);
    free(x.t);
    return rc;
}
