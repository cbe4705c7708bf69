/*
 * import_consents.c — consent rows: validation, then, per contact, records
 * appended to the stored history unless an identical record is held.
 *
 * Uses: import.h, consent.h.
 */
#include "import/import.h"

#include "store/restriction.h"

#include <string.h>

#include "util/value.h"

/* import.c knows every consent column: any other is an error. */
int import_consents_column(import_ctx *c, import_col *col)
{
    return store_fail(c->s, SEGRT_EINVAL,
                      "%s: unknown consent column '%s' (expected contact_id, purpose, status, "
                      "legal_basis, ts, expires_at, source)", c->file, col->name);
}

/* An enumerated cell: 0 when absent (allowed unless required). */
static int enum_cell(import_ctx *c, enum col_role role, const char *name, int required,
                     int (*parse)(const char *, size_t), const char *choices, uint8_t *out)
{
    long i = c->role_col[role];
    *out = 0;
    if (i < 0 || c->cells[i].state == CELL_ABSENT || c->cells[i].state == CELL_EMPTY)
        return required ? import_reject(c, "%s is missing", name) : SEGRT_OK;
    const cell *cl = &c->cells[i];
    int v = cl->state == CELL_TEXT ? parse(cl->p, cl->n) : 0;
    if (v == 0)
        return import_reject(c, "%s '%s' is not one of %s", name,
                             cl->state == CELL_TEXT ? import_quote(c, cl->p, cl->n) : "[list]",
                             choices);
    *out = (uint8_t)v;
    return SEGRT_OK;
}

int import_consents_row(import_ctx *c)
{
    const long *col = c->role_col;
    uint32_t ord;
    consent_rec r = { 0 };
    int rc = import_contact_of_row(c, &ord);
    if (rc == SEGRT_OK)
        rc = enum_cell(c, ROLE_CS_STATUS, "status", 1, consent_status_parse,
                       "granted, withdrawn, denied", &r.status);
    if (rc == SEGRT_OK)
        rc = enum_cell(c, ROLE_CS_BASIS, "legal_basis", 0, consent_basis_parse,
                       "consent, legitimate_interest, contract, legal_obligation, "
                       "vital_interest, public_task", &r.basis);
    if (rc == SEGRT_OK)
        rc = import_time_cell(c, col[ROLE_CS_TS], 1, &r.ts);
    if (rc == SEGRT_OK)
        rc = import_time_cell(c, col[ROLE_CS_EXPIRES], 0, &r.expires);
    if (rc != SEGRT_OK)
        return rc;
    long pi = col[ROLE_CS_PURPOSE];
    rc = import_name_cell(c, pi, "purpose", "purpose name");
    if (rc == SEGRT_OK)
        rc = import_code_cell(c, pi, &c->cs_dicts[0], FIELD_CS_PURPOSE, 1, &r.purpose);
    if (rc == SEGRT_OK)
        rc = import_code_cell(c, col[ROLE_CS_SOURCE], &c->cs_dicts[1], FIELD_CS_SOURCE, 0,
                              &r.source);
    const cell *pc = &c->cells[pi];
    int restricts = rc == SEGRT_OK && pc->n == strlen(RESTRICTION_PURPOSE) &&
                    memcmp(pc->p, RESTRICTION_PURPOSE, pc->n) == 0;
    if (restricts)
        rc = import_txn(c);
    if (restricts && rc == SEGRT_OK)
        rc = restriction_note(c->s, c->txn, ord); /* evaluations look this contact up */
    if (rc != SEGRT_OK)
        return rc;
    uint32_t at = (uint32_t)c->css.n;
    if (consent_list_push(&c->css, &r) != 0)
        return store_fail(c->s, SEGRT_ENOMEM, "out of memory buffering consents");
    return import_pend(c, ord, at);
}

/* import_merge_fn: append the batch's records of one contact to its history (w: scratch). */
static int merge_contact(import_ctx *c, size_t from, size_t to, void *ud)
{
    consent_list *w = ud;
    segrt_store *s = c->s;
    uint32_t ord = c->pend[from].ord;
    w->n = 0;
    int rc = consent_list_read(s, c->txn, ord, w);
    if (rc != SEGRT_OK)
        return rc;
    uint64_t added_total = 0;
    for (size_t i = from; i < to; i++) {
        int added;
        if (consent_list_add(w, &c->css.recs[c->pend[i].at], &added) != 0)
            return store_fail(s, SEGRT_ENOMEM, "out of memory merging consents");
        added_total += (uint64_t)added;
    }
    if (added_total == 0)
        return SEGRT_OK;
    if (consent_list_encode(w, &c->enc) != 0)
        return store_fail(s, SEGRT_ENOMEM, "out of memory merging consents");
    MDB_val k = store_ord_key(&ord), v = { c->enc.len, c->enc.p };
    int mrc = mdb_put(c->txn, s->dbi[DB_CONSENTS], &k, &v, 0);
    if (mrc != 0)
        return store_mdb_fail(s, mrc, "writing consents");
    c->delta_consents += (int64_t)added_total;
    c->batch_inserted += added_total;
    return SEGRT_OK;
}

int import_consents_finish(import_ctx *c)
{
    consent_list w = { 0 };
    int rc = import_merge_pending(c, merge_contact, &w);
    consent_list_free(&w);
    return rc;
}
