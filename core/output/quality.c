/*
 * quality.c — segrt_quality_report(): how current and plausible a store's
 * data is. Per contact field: how many contacts have a value, how old the
 * values are (median and 90th percentile of the time since each was last
 * written; row.h keeps the times), and how many stored values break the
 * built-in rules imports enforce now (a birth date after NOW or before
 * 1900, a negative income, an e-mail that is no addr-spec, a phone number
 * that is none of its RO, PL or BG contact's country). Then the likely
 * duplicates by the dedupe keys (a normalised e-mail, an E.164 phone number
 * another contact has too) and the consents in force that are stale or
 * expired, per purpose.
 *
 * Uses: row.h, schema.h, dict.h, field_rule.h, email.h, phone.h, strmap.h,
 * segrt_consent_report_foreach.
 */
#include "store/column.h"
#include "store/dict.h"
#include "store/row.h"
#include "store/schema.h"
#include "util/email.h"
#include "util/field_rule.h"
#include "util/phone.h"
#include "util/strmap.h"
#include "util/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECS_PER_DAY 86400
#define AGE_DAYS 36600       /* ages are counted by day up to a hundred years; older ones there */
#define STALE_DAYS 730       /* a grant older than this counts as stale */

typedef struct field_stats {
    uint64_t filled, timed, implausible;
    uint32_t *age;           /* per age in days, AGE_DAYS + 1 buckets */
} field_stats;

typedef struct quality {
    uint16_t max_field;
    const field_def *email, *phone, *country; /* the fields the checks below read, or NULL */
    field_stats *f;          /* by field id */
    int64_t now, today;
    uint64_t contacts;
    strmap *emails, *phones; /* normalised value -> how many contacts */
    uint64_t dup_email, dup_phone;
    row r;
    buf norm;
} quality;

/* A string field's value of the row, as bytes (borrowed until txn ends). */
static int text_of(segrt_store *s, MDB_txn *txn, uint16_t field, const row_value *v, MDB_val *out)
{
    *out = (MDB_val){ 0, NULL };
    int rc = dict_string(s, txn, field, (uint32_t)v->v, out);
    return rc == SEGRT_ENOTFOUND ? SEGRT_OK : rc;
}

/* Count a key (e-mail, phone) in m; *dup grows by 2 the first time a key repeats, then by 1. */
static int count_key(strmap *m, const char *k, size_t n, uint64_t *dup)
{
    uint32_t c = 0;
    strmap_get(m, k, n, &c);
    *dup += c == 1 ? 2 : c > 1;
    return strmap_put(m, k, n, c + 1);
}

static int note_row(segrt_store *s, MDB_txn *txn, void *ud, const MDB_val *k, const MDB_val *v)
{
    quality *q = ud;
    uint32_t ord;
    int rc = store_ord_decode(s, k, "a contact's key", &ord);
    int drc = rc == SEGRT_OK ? row_decode(&q->r, v->mv_data, v->mv_size) : 0;
    if (rc == SEGRT_OK && drc != 0)
        rc = store_decoded(s, drc, "the fields", ord);
    q->contacts++;
    MDB_val country = { 0, NULL };
    const row_value *cv = q->country ? row_get(&q->r, q->country->id) : NULL;
    if (rc == SEGRT_OK && cv)
        rc = text_of(s, txn, q->country->id, cv, &country);
    for (size_t i = 0; i < q->r.n && rc == SEGRT_OK; i++) {
        const row_value *rv = &q->r.vals[i];
        const field_def *f = schema_by_id(s->schema, rv->field);
        if (f == NULL || rv->field > q->max_field)
            continue;
        field_stats *st = &q->f[rv->field];
        st->filled++;
        if (rv->at != ROW_NO_TIME) {
            int64_t days = (q->now - rv->at) / SECS_PER_DAY;
            st->age[days < 0 ? 0 : days > AGE_DAYS ? AGE_DAYS : days]++;
            st->timed++;
        }
        MDB_val t;
        if (f->type != SEGRT_T_STRING) {
            st->implausible += field_rule_builtin(f->name, f->type, rv->v, q->today) != NULL;
        } else if (f == q->email && (rc = text_of(s, txn, f->id, rv, &t)) == SEGRT_OK) {
            if (email_normalize(t.mv_data, t.mv_size, &q->norm) != 0)
                return store_fail(s, SEGRT_ENOMEM, "out of memory");
            st->implausible += !email_plausible((const char *)q->norm.p, q->norm.len);
            if (count_key(q->emails, (const char *)q->norm.p, q->norm.len, &q->dup_email) != 0)
                return store_fail(s, SEGRT_ENOMEM, "out of memory");
        } else if (f == q->phone && (rc = text_of(s, txn, f->id, rv, &t)) == SEGRT_OK) {
            char e164[PHONE_E164_MAX];
            const char *why = phone_e164(t.mv_data, t.mv_size, country.mv_data, country.mv_size,
                                         e164);
            st->implausible += why && phone_plan_known(country.mv_data, country.mv_size);
            if (why == NULL && count_key(q->phones, e164, strlen(e164), &q->dup_phone) != 0)
                return store_fail(s, SEGRT_ENOMEM, "out of memory");
        }
    }
    return rc;
}

/* The age in days below which a share p (0..1) of the timed values lie. */
static long age_at(const field_stats *st, double p)
{
    uint64_t want = (uint64_t)(p * (double)st->timed), seen = 0;
    for (long d = 0; d <= AGE_DAYS; d++) {
        seen += st->age[d];
        if (seen > want)
            return d;
    }
    return AGE_DAYS;
}

static int print_consents(void *ud, const segrt_consent_tally *t)
{
    FILE *f = ud;
    if (t->stale || t->expired)
        fprintf(f, "  %-24s %8llu stale (granted over %d days ago), %llu expired, of %llu\n",
                t->purpose, (unsigned long long)t->stale, STALE_DAYS,
                (unsigned long long)t->expired, (unsigned long long)t->contacts);
    return 0;
}

static void print_fields(const quality *q, const struct schema *sc, FILE *f)
{
    fprintf(f, "%-22s %-9s %9s %7s %11s %11s %11s\n", "field", "type", "filled", "share",
            "median age", "p90 age", "implausible");
    for (size_t i = 0; i < sc->n; i++) {
        const field_def *d = &sc->fields[i];
        const field_stats *st = &q->f[d->id];
        char med[16] = "-", p90[16] = "-";
        if (st->timed) {
            snprintf(med, sizeof med, "%ldd", age_at(st, 0.5));
            snprintf(p90, sizeof p90, "%ldd", age_at(st, 0.9));
        }
        fprintf(f, "%-22s %-9s %9llu %6.1f%% %11s %11s %11llu\n", d->name,
                segrt_type_name(d->type), (unsigned long long)st->filled,
                q->contacts ? 100.0 * (double)st->filled / (double)q->contacts : 0.0, med, p90,
                (unsigned long long)st->implausible);
    }
}

/* The string field called name, or NULL. */
static const field_def *string_field(segrt_store *s, const char *name)
{
    const field_def *f = schema_find(s->schema, name, strlen(name));
    return f && f->type == SEGRT_T_STRING ? f : NULL;
}

static int quality_scan(segrt_store *s, MDB_txn *txn, void *ud)
{
    quality *q = ud;
    int rc = schema_load_txn(s, txn);
    for (size_t i = 0; rc == SEGRT_OK && i < s->schema->n; i++)
        q->max_field = s->schema->fields[i].id > q->max_field ? s->schema->fields[i].id
                                                              : q->max_field;
    q->f = rc == SEGRT_OK ? calloc((size_t)q->max_field + 1, sizeof *q->f) : NULL;
    q->email = rc == SEGRT_OK ? string_field(s, "email") : NULL; /* once, not per row */
    q->phone = rc == SEGRT_OK ? string_field(s, "phone") : NULL;
    q->country = rc == SEGRT_OK ? string_field(s, "country") : NULL;
    if (rc == SEGRT_OK && q->f == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    for (size_t i = 0; rc == SEGRT_OK && i < s->schema->n; i++) {
        field_stats *st = &q->f[s->schema->fields[i].id];
        if ((st->age = calloc(AGE_DAYS + 1, sizeof *st->age)) == NULL)
            rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    }
    if (rc == SEGRT_OK)
        rc = store_scan(s, txn, DB_CONTACTS, NULL, 0, "reading contacts", note_row, q);
    return rc;
}

int segrt_quality_report(segrt_store *s, char **text)
{
    if (text)
        *text = NULL;
    if (s == NULL || text == NULL)
        return SEGRT_EINVAL;
    quality q = { .now = segrt_store_now(s), .emails = strmap_new(), .phones = strmap_new() };
    q.today = q.now / SECS_PER_DAY - (q.now % SECS_PER_DAY < 0);
    int rc = q.emails && q.phones ? store_read(s, quality_scan, &q)
                                  : store_fail(s, SEGRT_ENOMEM, "out of memory");
    size_t len;
    FILE *f = rc == SEGRT_OK ? open_memstream(text, &len) : NULL;
    if (rc == SEGRT_OK && f == NULL)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK) {
        char now[21];
        segrt_time_format(q.now, now);
        fprintf(f, "data quality at %s: %llu contacts\n\n", now, (unsigned long long)q.contacts);
        print_fields(&q, s->schema, f);
        fprintf(f, "\nlikely duplicates: %llu contacts share an e-mail address with another, "
                   "%llu a phone number (segrt dedupe --by email, --by phone)\n",
                (unsigned long long)q.dup_email, (unsigned long long)q.dup_phone);
        fprintf(f, "\nconsents in force that are stale or expired:\n");
        rc = segrt_consent_report_foreach(s, (int64_t)STALE_DAYS * SECS_PER_DAY, print_consents,
                                          f);
        fclose(f);
    }
    for (uint32_t i = 0; q.f && i <= q.max_field; i++)
        free(q.f[i].age);
    free(q.f);
    strmap_free(q.emails);
    strmap_free(q.phones);
    row_free(&q.r);
    buf_free(&q.norm);
    if (rc != SEGRT_OK && text) {
        free(*text);
        *text = NULL;
    }
    return rc;
}
