/*
 * consent_write.c — consent records one at a time: segrt_consent_append()
 * (a record at NOW plus its audit entry, in one write transaction) and
 * segrt_consent_history_foreach() (a contact's records in order, each flagged when
 * it is the one in force). Also the public names of statuses and bases.
 *
 * An appended record is stored exactly as an imported one (consent.h): the
 * purpose and source are interned in the FIELD_CS_* dictionaries, an
 * identical record is not added twice, and the "consents" and "write_gen"
 * counters move as an import batch moves them.
 *
 * Uses: consent.h, dict.h, schema.h, audit.h, restriction.h, value.h.
 */
#include "store/audit.h"
#include "store/consent.h"
#include "store/dict.h"
#include "store/restriction.h"
#include "store/schema.h"
#include "util/value.h"

#include <stdio.h>
#include <string.h>

_Static_assert((int)SEGRT_CONSENT_GRANTED == (int)CS_GRANTED &&
                   (int)SEGRT_CONSENT_DENIED == (int)CS_DENIED,
               "public consent statuses follow consent.h");
_Static_assert((int)SEGRT_BASIS_NONE == (int)CS_BASIS_NONE &&
                   (int)SEGRT_BASIS_PUBLIC_TASK == (int)CS_PUBLIC_TASK,
               "public legal bases follow consent.h");
_Static_assert(VALUE_MISSING == INT64_MIN, "no expiry is INT64_MIN in the API");

const char *segrt_consent_status_name(int status)
{
    return status >= CS_GRANTED && status <= CS_DENIED ? consent_status_name(status) : NULL;
}

const char *segrt_legal_basis_name(int basis)
{
    return consent_basis_name(basis);
}

/* ------------------------------------------------------------ append */

struct append_args {
    const char *id, *purpose, *source, *actor;
    consent_rec rec;   /* status, basis, expires and ts set; codes filled in the txn */
};

/* The code of str in a consent dictionary, adding it when new. */
static int intern(segrt_store *s, MDB_txn *txn, uint16_t field, const char *str,
                  uint32_t *code)
{
    dict_map *d = NULL;
    int rc = dict_map_load(s, txn, field, &d);
    if (rc == SEGRT_OK)
        rc = dict_intern(s, txn, d, str, strlen(str), code);
    dict_map_free(d);
    return rc;
}

static int append_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    struct append_args *a = ud;
    uint32_t ord;
    consent_list l = { 0 };
    buf enc = { 0 };
    int rc = store_ord_of(s, txn, a->id, &ord);
    if (rc == SEGRT_OK)
        rc = intern(s, txn, FIELD_CS_PURPOSE, a->purpose, &a->rec.purpose);
    a->rec.source = 0;
    if (rc == SEGRT_OK && a->source && *a->source)
        rc = intern(s, txn, FIELD_CS_SOURCE, a->source, &a->rec.source);
    if (rc != SEGRT_OK)
        goto done;
    rc = consent_list_read(s, txn, ord, &l);
    if (rc != SEGRT_OK)
        goto done;
    int added;
    if (consent_list_add(&l, &a->rec, &added) != 0) {
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory adding a consent record");
        goto done;
    }
    if (!added)
        goto done; /* held already: no change, nothing to audit */
    if (consent_list_encode(&l, &enc) != 0) {
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory adding a consent record");
        goto done;
    }
    MDB_val k = store_ord_key(&ord), v = { enc.len, enc.p };
    int mrc = mdb_put(txn, s->dbi[DB_CONSENTS], &k, &v, 0);
    if (mrc != 0) {
        rc = store_mdb_fail(s, mrc, "writing consents");
        goto done;
    }
    rc = store_counter_add(s, txn, "consents", 1);
    if (rc == SEGRT_OK)
        rc = store_counter_add(s, txn, "write_gen", 1);
    if (rc == SEGRT_OK && strcmp(a->purpose, RESTRICTION_PURPOSE) == 0)
        rc = restriction_note(s, txn, ord); /* evaluations look this contact up */
    if (rc == SEGRT_OK) {
        /* Purpose names are [A-Za-z0-9_] (checked before): no personal data. */
        char detail[160];
        snprintf(detail, sizeof detail, "%s %s", a->purpose, consent_status_name(a->rec.status));
        rc = audit_append(s, txn, a->actor, "consent", ord, detail);
    }
done:
    buf_free(&enc);
    consent_list_free(&l);
    return rc;
}

int segrt_consent_append(segrt_store *s, const char *id, const char *purpose,
                         const char *status, const char *basis, int64_t expires,
                         const char *source, const char *actor)
{
    struct append_args a = { .id = id, .purpose = purpose, .source = source, .actor = actor };
    if (id == NULL || *id == '\0')
        return store_fail(s, SEGRT_EINVAL, "which contact? the id is empty");
    if (purpose == NULL || !schema_valid_name(purpose, strlen(purpose)) || strlen(purpose) > 64)
        return store_fail(s, SEGRT_EINVAL,
                          "purpose '%.64s' is not a valid purpose name (letters, digits "
                          "and _, at most 64)", purpose ? purpose : "");
    int st = status ? consent_status_parse(status, strlen(status)) : 0;
    if (st == 0)
        return store_fail(s, SEGRT_EINVAL,
                          "status '%.64s' is not one of granted, withdrawn, denied",
                          status ? status : "");
    const char *b = basis ? basis : "consent";
    int bs = consent_basis_parse(b, strlen(b));
    if (bs == 0)
        return store_fail(s, SEGRT_EINVAL,
                          "legal basis '%.64s' is not one of consent, "
                          "legitimate_interest, contract, legal_obligation, vital_interest, "
                          "public_task", b);
    if (expires != VALUE_MISSING && expires <= s->now) {
        char t[21], n[21];
        segrt_time_format(expires, t);
        segrt_time_format(s->now, n);
        return store_fail(s, SEGRT_EINVAL,
                          "the expiry %s is not after the record's time (NOW, %s)", t,
                          n);
    }
    a.rec = (consent_rec){ .ts = s->now, .expires = expires, .status = (uint8_t)st,
                      .basis = (uint8_t)bs };
    int rc = store_write(s, append_txn, &a);
    return rc == SEGRT_OK ? store_sync(s) : rc;
}

/* ------------------------------------------------------------ history */

/* A dictionary string copied into out (NUL-terminated); NULL for code 0. */
static const char *dict_text(segrt_store *s, MDB_txn *txn, uint16_t field, uint32_t code,
                             char *out, size_t n)
{
    MDB_val v;
    if (code == 0)
        return NULL;
    if (dict_string(s, txn, field, code, &v) != SEGRT_OK)
        snprintf(out, n, "?");
    else
        snprintf(out, n, "%.*s", (int)(v.mv_size < n ? v.mv_size : n - 1),
                 (const char *)v.mv_data);
    return out;
}

struct history_args {
    const char *id;
    int (*fn)(void *ud, const segrt_consent_record *r);
    void *ud;
};

static int history_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    const struct history_args *a = ud;
    uint32_t ord;
    consent_list l = { 0 };
    int rc = store_ord_of(s, txn, a->id, &ord);
    if (rc == SEGRT_OK)
        rc = consent_list_read(s, txn, ord, &l);
    for (size_t i = 0; i < l.n && rc == SEGRT_OK; i++) {
        const consent_rec *r = &l.recs[i];
        char purpose[256], source[256];
        segrt_consent_record out = {
            .purpose = dict_text(s, txn, FIELD_CS_PURPOSE, r->purpose, purpose, sizeof purpose),
            .status = consent_status_name(r->status),
            .basis = consent_basis_name(r->basis),
            .ts = r->ts,
            .expires = r->expires,
            .source = dict_text(s, txn, FIELD_CS_SOURCE, r->source, source, sizeof source),
            .in_force = consent_in_force(&l, r->purpose, s->now) == r,
        };
        if (out.purpose == NULL)
            out.purpose = "?";
        rc = a->fn(a->ud, &out);
    }
    consent_list_free(&l);
    return rc;
}

int segrt_consent_history_foreach(segrt_store *s, const char *id,
                                  int (*fn)(void *ud, const segrt_consent_record *r), void *ud)
{
    struct history_args a = { id, fn, ud };
    return store_read(s, history_in, &a);
}
