/*
 * sql_consent.c — the consent check of a purpose at NOW as SQL (sql.h),
 * rendered from the rule privacy/consent_check.c applies: per contact the
 * record in force (the latest with ts <= NOW; on a tie one not granted,
 * then the earliest expiry, then the one imported last: consents.seq)
 * must be granted, not expired, of an accepted legal basis and, with
 * max_age, recent enough; a marketing purpose also needs no objection
 * (Art. 21). Who profiling may score, as script_profiling.c decides it.
 * A purpose whose definition has a check function is refused.
 *
 * Uses: sql.h, consent_check.h, consent.h (basis names), catalog.h.
 */
#include "output/sql.h"

#include "plan/catalog.h"
#include "privacy/consent_check.h"
#include "store/consent.h"

#include <stdio.h>
#include <string.h>

/* The CTE of each contact's record in force for purpose: id, status, legal_basis, ts, expires_at. */
static void in_force(sql_ctx *r, const char *purpose, char name[16])
{
    buf b = { 0 };
    if (r->d->no_windows) /* the greatest (ts, not granted, earliest expiry, seq) */
        /* (no NULL inside the tuple: 18.16 mangles them in aggregate states) */
        sql_put(r, &b, "SELECT id, tupleElement(rec, 1) AS status, tupleElement(rec, 2) AS "
                "legal_basis, toDateTime(tupleElement(rec, 3), 'UTC') AS ts, "
                "if(tupleElement(rec, 4) < 0, CAST(NULL AS Nullable(DateTime)), "
                "toDateTime(tupleElement(rec, 4), 'UTC')) AS expires_at FROM ("
                "SELECT contact_id AS id, argMax(tuple(status, ifNull(legal_basis, ''), "
                "toInt64(toUnixTimestamp(ts)), ifNull(toInt64(toUnixTimestamp(expires_at)), -1)), "
                "tuple(ts, status <> 'granted', if(status = 'granted', -toInt64(ifNull("
                "toUnixTimestamp(expires_at), 4294967295)), 0), seq)) AS rec FROM consents AS x "
                "WHERE purpose = ");
    else
        sql_put(r, &b, "SELECT contact_id AS id, status, legal_basis, ts, expires_at FROM ("
                "SELECT x.*, ROW_NUMBER() OVER (PARTITION BY contact_id ORDER BY ts DESC, "
                "CASE WHEN status = 'granted' THEN 1 ELSE 0 END, "
                "CASE WHEN status = 'granted' THEN expires_at END NULLS LAST, seq DESC) AS rn "
                "FROM consents AS x WHERE purpose = ");
    sql_string(r, &b, purpose, strlen(purpose));
    sql_put(r, &b, " AND ts <= ");
    sql_timestamp(r, &b, r->cx->now);
    sql_put(r, &b, "%s", r->d->no_windows ? " GROUP BY contact_id)" : ") y WHERE rn = 1");
    sql_cte(r, &b, name);
    buf_free(&b);
}

/* The CTE of the contacts objecting to all direct marketing (consent_check.c's objects()). */
static void objectors(sql_ctx *r, char name[16])
{
    char dm[16], ob[16];
    in_force(r, "direct_marketing", dm);
    in_force(r, "objection", ob);
    buf b = { 0 };
    sql_put(r, &b, "SELECT id FROM %s WHERE status <> 'granted' UNION ALL "
            "SELECT id FROM %s WHERE status = 'granted'", sql_table(r, dm), sql_table(r, ob));
    sql_cte(r, &b, name);
    buf_free(&b);
}

/* The rule of purpose as the script defines it; SEGRT_OK or an error noted on r. */
static int rule_of(sql_ctx *r, const char *purpose, consent_check_rule *rule)
{
    const tree *def = catalog_consent(r->cx->cat, purpose);
    int rc = consent_check_rule_read(r->cx->s, r->cx->txn, purpose, def, rule);
    if (rc != SEGRT_OK && r->rc == SEGRT_OK)
        r->rc = rc;
    if (rc == SEGRT_OK && rule->has_check) {
        char what[200];
        snprintf(what, sizeof what, "the check function of consent purpose '%s'", purpose);
        sql_refuse(r, tree_get_string(def, "loc"), what);
    }
    return r->rc;
}

void sql_consent_passes(sql_ctx *r, const char *purpose, char name[16])
{
    consent_check_rule rule;
    char rec[16];
    name[0] = '\0';
    if (rule_of(r, purpose, &rule) != SEGRT_OK)
        return;
    in_force(r, purpose, rec);
    buf b = { 0 };
    sql_put(r, &b, "SELECT id FROM %s WHERE status = 'granted' AND (expires_at IS NULL OR "
            "expires_at > ", sql_table(r, rec));
    sql_timestamp(r, &b, r->cx->now);
    sql_put(r, &b, ") AND legal_basis IN (");
    int n = 0;
    for (int basis = CS_CONSENT; basis <= CS_PUBLIC_TASK; basis++) {
        if (rule.bases >> basis & 1)
            sql_put(r, &b, "%s'%s'", n++ ? ", " : "", consent_basis_name(basis));
    }
    sql_put(r, &b, n ? ")" : "NULL)");
    if (rule.max_age) {
        sql_put(r, &b, " AND ts >= ");
        sql_timestamp(r, &b, r->cx->now - rule.max_age);
    }
    if (rule.marketing) {
        char obj[16];
        objectors(r, obj);
        sql_put(r, &b, " AND id %sNOT IN (SELECT id FROM %s)", r->d->global, sql_table(r, obj));
    }
    sql_cte(r, &b, name);
    buf_free(&b);
}

void sql_consent_profiling(sql_ctx *r, char name[16])
{
    consent_check_rule rule;
    char obj[16], prof[16], pass[16] = "";
    name[0] = '\0';
    if (rule_of(r, "profiling", &rule) != SEGRT_OK)
        return;
    objectors(r, obj);
    in_force(r, "profiling", prof);
    if (rule.bases == 1u << CS_CONSENT) /* explicit consent only: who passes the purpose */
        sql_consent_passes(r, "profiling", pass);
    buf b = { 0 };
    const char *g = r->d->global;
    sql_put(r, &b, "SELECT c.id FROM contacts AS c WHERE c.id %sNOT IN (SELECT id FROM %s) AND "
            "c.id %sNOT IN (SELECT id FROM %s WHERE status <> 'granted')", g, sql_table(r, obj), g,
            sql_table(r, prof));
    if (pass[0])
        sql_put(r, &b, " AND c.id %sIN (SELECT id FROM %s)", g, sql_table(r, pass));
    sql_cte(r, &b, name);
    buf_free(&b);
}
