/*
 * consent_report.c — segrt_consent_summary(): per purpose, how many contacts
 * have a record, and how many have a grant in force at NOW (status granted,
 * not expired).
 *
 * Uses: consent.h, dict.h, schema.h, value.h.
 */
#include "consent.h"
#include "dict.h"
#include "schema.h"
#include "value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct purpose_count {
    uint64_t with_record, granted;
} purpose_count;

static int tally(segrt_store *s, const cs_list *l, purpose_count **pc, size_t *npc)
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
        const cs_rec *r = cs_in_force(l, p, s->now);
        if (r && r->status == CS_GRANTED && (r->expires == VALUE_MISSING || r->expires > s->now))
            (*pc)[p].granted++;
    }
    return SEGRT_OK;
}

int segrt_consent_summary(segrt_store *s,
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
    cs_list l = { 0 };
    MDB_val k, v;
    mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (mrc == 0 && rc == SEGRT_OK) {
        l.n = 0;
        if (cs_list_decode(&l, v.mv_data, v.mv_size) != 0)
            rc = store_fail(s, SEGRT_ECORRUPT, "a consent history is corrupt");
        else
            rc = tally(s, &l, &pc, &npc);
        mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    cs_list_free(&l);
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
