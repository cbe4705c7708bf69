-- extra_segments.sql — SQLite twins of the segments in extra_segments.lua.
--
-- Schema: ../shared/bench/anchors/load_sqlite.sh (timestamps INTEGER unix
-- seconds, events.amount_cents INTEGER cents, empty cells NULL), as rebuilt by
-- sqlite_oracle.py. NOW = 2026-01-01T00:00:00Z = 1767225600; a day = 86400 s.
-- Each block returns the member ids of one segment (one column, no duplicates).
-- Blocks are separated by "-- name: <segment>" lines; `{{name}}` stands for
-- the query of an earlier block (sqlite_oracle.py substitutes it).
--
-- Two-valued logic: in seg a comparison with a missing value is false and `~`
-- negates that, so a negated comparison of a nullable column is written
-- NOT coalesce(<comparison>, 0). Set membership (interests, tags: 'a;b;c') is
-- instr(';' || col || ';', ';v;') > 0.
-- Age at NOW (2026-01-01) from birth_date 'YYYY-MM-DD':
--   2026 - year - (substr(birth_date, 6, 5) > '01-01')

-- name: X01_coffee_lovers_pl
SELECT c.id FROM contacts c
WHERE c.country = 'PL'
  AND instr(';' || c.interests || ';', ';coffee;') > 0
  AND (SELECT count(*) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'purchase'
         AND e.category IN ('coffee_beans', 'ground_coffee')
         AND e.ts >= 1767225600 - 90 * 86400) >= 2;

-- name: X02_spent_over_monthly_income
-- sum > income / 12  <=>  12 * sum_cents > 100 * income (exact)
SELECT c.id FROM contacts c
JOIN (SELECT contact_id, sum(amount_cents) AS s FROM events
      WHERE type = 'purchase' AND ts >= 1767225600 - 365 * 86400
        AND amount_cents IS NOT NULL
      GROUP BY contact_id) p ON p.contact_id = c.id
WHERE 12 * p.s > 100 * c.income;

-- name: X03_nested_bool
SELECT c.id FROM contacts c
WHERE (c.region IN ('mazowieckie', 'Cluj', 'Sofia-grad') OR c.urban = 'rural')
  AND NOT (coalesce(c.industry = 'retail', 0) OR coalesce(c.company_size < 10, 0))
  AND NOT (coalesce(c.status = 'lost', 0) OR coalesce(c.plan = 'none', 0));

-- name: X04_all_any
SELECT c.id FROM contacts c
WHERE c.gender = 'f'
  AND 2026 - CAST(substr(c.birth_date, 1, 4) AS INTEGER)
           - (substr(c.birth_date, 6, 5) > '01-01') BETWEEN 30 AND 45
  AND (instr(';' || c.interests || ';', ';yoga;') > 0
       OR instr(';' || c.interests || ';', ';spa;') > 0
       OR instr(';' || c.tags || ';', ';high_value;') > 0);

-- name: X05_app_only_buyers
SELECT c.id FROM contacts c
WHERE (SELECT count(*) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'purchase' AND e.channel = 'app') >= 3
  AND NOT EXISTS (SELECT 1 FROM events e
                  WHERE e.contact_id = c.id AND e.type = 'purchase'
                    AND e.channel IN ('web', 'store'));

-- name: X06_high_aov
-- avg > 150  <=>  sum_cents > 15000 * (number of amounts)
SELECT c.id FROM contacts c
JOIN (SELECT contact_id, count(*) AS n, sum(amount_cents) AS s, count(amount_cents) AS na
      FROM events WHERE type = 'purchase' GROUP BY contact_id) p ON p.contact_id = c.id
WHERE p.n >= 3 AND p.na > 0 AND p.s > 15000 * p.na;

-- name: X07_max_min_amount
SELECT c.id FROM contacts c
JOIN (SELECT contact_id, max(amount_cents) AS hi, min(amount_cents) AS lo
      FROM events WHERE type = 'purchase' GROUP BY contact_id) p ON p.contact_id = c.id
WHERE p.hi >= 100000 AND p.lo <= 1259;

-- name: X08_exact_amount_window
SELECT c.id FROM contacts c
WHERE (SELECT count(*) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'purchase'
         AND e.amount_cents BETWEEN 1873 AND 1956) >= 2;

-- name: X09_exact_sum
SELECT c.id FROM contacts c
JOIN (SELECT contact_id, sum(amount_cents) AS s FROM events
      WHERE type = 'purchase' AND amount_cents IS NOT NULL
      GROUP BY contact_id) p ON p.contact_id = c.id
WHERE p.s BETWEEN 102046 AND 137893 OR p.s = 2992;

-- name: X10_new_customers
-- 2025-01-01T00:00:00Z = 1735689600
SELECT c.id FROM contacts c
JOIN (SELECT contact_id, min(ts) AS t FROM events WHERE type = 'purchase'
      GROUP BY contact_id) p ON p.contact_id = c.id
WHERE p.t >= 1767225600 - 180 * 86400 AND c.created_at > 1735689600;

-- name: X11_lapsed_users
SELECT c.id FROM contacts c
JOIN (SELECT contact_id, max(ts) AS t FROM events WHERE type = 'login'
      GROUP BY contact_id) l ON l.contact_id = c.id
WHERE c.plan <> 'none' AND l.t < 1767225600 - 60 * 86400
  AND c.last_contacted_at < 1767225600 - 30 * 86400;

-- name: X12_long_tenure
SELECT c.id FROM contacts c
JOIN (SELECT contact_id, max(ts) - min(ts) AS span FROM events WHERE type = 'purchase'
      GROUP BY contact_id) p ON p.contact_id = c.id
WHERE p.span >= 365 * 86400;

-- name: X13_days_since_30_60
SELECT c.id FROM contacts c
JOIN (SELECT contact_id, max(ts) AS t FROM events WHERE type = 'purchase'
      GROUP BY contact_id) p ON p.contact_id = c.id
WHERE (1767225600 - p.t) / 86400 BETWEEN 30 AND 60;   -- floor: both operands >= 0

-- name: X14_clicky
SELECT c.id FROM contacts c
WHERE (SELECT count(*) FROM events e WHERE e.contact_id = c.id AND e.type = 'email_open') >= 5
  AND 4 * (SELECT count(*) FROM events e WHERE e.contact_id = c.id AND e.type = 'email_click')
      >= (SELECT count(*) FROM events e WHERE e.contact_id = c.id AND e.type = 'email_open');

-- name: X15_pricing_no_purchase
SELECT c.id FROM contacts c
WHERE (SELECT count(*) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'page_view' AND e.category = 'pricing'
         AND e.ts >= 1767225600 - 30 * 86400) >= 2
  AND NOT EXISTS (SELECT 1 FROM events e
                  WHERE e.contact_id = c.id AND e.type = 'purchase'
                    AND e.ts >= 1767225600 - 30 * 86400);

-- name: X16_present_missing
SELECT c.id FROM contacts c
WHERE (c.industry IS NOT NULL AND c.company_size IS NULL)
   OR (c.loss_reason IS NOT NULL AND c.interests IS NULL);

-- name: X17_black_friday_2024_only
-- 2024-11-20T00:00:00Z = 1732060800, 2024-12-05T00:00:00Z = 1733356800
SELECT c.id FROM contacts c
WHERE instr(';' || c.tags || ';', ';black_friday_2024;') > 0
  AND NOT coalesce(instr(';' || c.tags || ';', ';black_friday_2025;') > 0, 0)
  AND EXISTS (SELECT 1 FROM events e
              WHERE e.contact_id = c.id AND e.type = 'purchase'
                AND e.ts BETWEEN 1732060800 AND 1733356800);

-- name: X18_member_refs
SELECT c.id FROM contacts c
WHERE c.id IN ({{X01_coffee_lovers_pl}})
   OR (c.id IN ({{X06_high_aov}}) AND c.country = 'RO');

-- name: X19_openers_emailable
-- consent in force: the latest email_marketing record with ts <= NOW; on a ts
-- tie a non-granted record wins, then the one imported last (highest rowid).
SELECT c.id FROM contacts c
WHERE (SELECT count(*) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'email_open'
         AND e.ts >= 1767225600 - 90 * 86400) >= 3
  AND EXISTS (
    SELECT 1 FROM (SELECT status, legal_basis, expires_at FROM consents k
                   WHERE k.contact_id = c.id AND k.purpose = 'email_marketing'
                     AND k.ts <= 1767225600
                   ORDER BY k.ts DESC, (k.status = 'granted') ASC, k.rowid DESC
                   LIMIT 1) l
    WHERE l.status = 'granted'
      AND (l.expires_at IS NULL OR l.expires_at > 1767225600)
      AND l.legal_basis IN ('consent', 'legitimate_interest'));

-- name: X20_member_of_purpose
SELECT c.id FROM contacts c
WHERE c.id IN ({{X19_openers_emailable}}) AND c.language IN ('ro', 'hu');

-- name: gold
SELECT c.id FROM contacts c
WHERE (SELECT sum(amount_cents) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'purchase') > 200000;

-- name: silver
SELECT c.id FROM contacts c
WHERE (SELECT sum(amount_cents) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'purchase') > 50000
   OR (SELECT count(*) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'purchase') >= 5;

-- name: bronze
SELECT c.id FROM contacts c
WHERE EXISTS (SELECT 1 FROM events e WHERE e.contact_id = c.id AND e.type = 'purchase');

-- name: tier.gold
SELECT c.id FROM contacts c WHERE c.id IN ({{gold}});

-- name: tier.silver
SELECT c.id FROM contacts c
WHERE c.id IN ({{silver}}) AND c.id NOT IN ({{gold}});

-- name: tier.bronze
SELECT c.id FROM contacts c
WHERE c.id IN ({{bronze}}) AND c.id NOT IN ({{gold}}) AND c.id NOT IN ({{silver}});

-- name: X22_repeat_category
-- no contact has two purchases with the same ts, so "oldest first" is total
SELECT DISTINCT contact_id FROM (
  SELECT contact_id, category,
         lag(category) OVER (PARTITION BY contact_id ORDER BY ts, rowid) AS prev
  FROM events WHERE type = 'purchase')
WHERE category = prev AND contact_id IN (SELECT id FROM contacts);

-- name: X23_filter_fields
SELECT c.id FROM contacts c
WHERE c.status = 'customer'
  AND ((c.industry IS NULL AND c.income % 7 = 0)
       OR (c.city = 'Kraków' AND c.plan <> 'none'));

-- name: X24_filter_store_amounts
SELECT c.id FROM contacts c
WHERE c.country = 'BG'
  AND (SELECT count(*) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'purchase' AND e.channel = 'store'
         AND e.amount_cents > 10000) >= 2;

-- name: X25_top_decile_pl
WITH p AS (
  SELECT e.contact_id, sum(e.amount_cents) AS m
  FROM events e JOIN contacts c ON c.id = e.contact_id
  WHERE e.type = 'purchase' AND c.country = 'PL' AND e.amount_cents IS NOT NULL
  GROUP BY e.contact_id),
q AS (SELECT contact_id, ntile(10) OVER (ORDER BY m DESC, contact_id ASC) AS t FROM p)
SELECT contact_id FROM q WHERE t = 1;

-- name: X26_ntile_mix
WITH opens AS (
  SELECT contact_id, count(*) AS n FROM events WHERE type = 'email_open'
  GROUP BY contact_id),
a AS (
  SELECT c.id, coalesce(o.n, 0) AS n
  FROM contacts c LEFT JOIN opens o ON o.contact_id = c.id
  WHERE c.plan <> 'none'),
qa AS (SELECT id, ntile(4) OVER (ORDER BY n ASC, id ASC) AS t FROM a),
b AS (
  SELECT e.contact_id AS id, max(e.ts) AS l
  FROM events e JOIN contacts c ON c.id = e.contact_id
  WHERE e.type = 'login' GROUP BY e.contact_id),
qb AS (SELECT id, ntile(3) OVER (ORDER BY l ASC, id ASC) AS t FROM b)
SELECT id FROM qa WHERE t >= 3 AND id IN (SELECT id FROM qb WHERE t = 3);

-- name: X27_cold_leads
SELECT c.id FROM contacts c
WHERE c.last_contacted_at BETWEEN 1767225600 - 400 * 86400 AND 1767225600 - 200 * 86400
  AND c.status IN ('lead', 'opportunity')
  AND NOT EXISTS (SELECT 1 FROM events e
                  WHERE e.contact_id = c.id AND e.type = 'email_click'
                    AND e.ts >= 1767225600 - 60 * 86400);

-- name: X28_geo_box
SELECT c.id FROM contacts c
WHERE c.lat BETWEEN 49.5 AND 51.0 AND c.lon > 19.5 AND c.urban = 'urban';

-- name: X29_gym_regular_no_mind_body
SELECT c.id FROM contacts c
WHERE (SELECT count(*) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'class_attended'
         AND e.ts >= 1767225600 - 30 * 86400) >= 4
  AND EXISTS (SELECT 1 FROM events e
              WHERE e.contact_id = c.id AND e.type = 'card_scan'
                AND e.ts >= 1767225600 - 7 * 86400)
  AND NOT EXISTS (SELECT 1 FROM events e
                  WHERE e.contact_id = c.id AND e.type = 'class_attended'
                    AND e.category IN ('yoga', 'pilates'));

-- name: X30_veg_not_both_under_30
SELECT c.id FROM contacts c
WHERE (instr(';' || c.interests || ';', ';vegan;') > 0
       OR instr(';' || c.interests || ';', ';vegetarian;') > 0)
  AND NOT coalesce(instr(';' || c.interests || ';', ';vegan;') > 0
                   AND instr(';' || c.interests || ';', ';vegetarian;') > 0, 0)
  AND 2026 - CAST(substr(c.birth_date, 1, 4) AS INTEGER)
           - (substr(c.birth_date, 6, 5) > '01-01') < 30;

-- name: X31_sms_ro
-- seg.consent "sms_marketing" { bases = { "consent" }, max_age = days(365) }:
-- the record in force must be granted, unexpired, on basis consent, and not
-- older than 365 days (ts >= NOW - 365 d).
SELECT c.id FROM contacts c
WHERE c.country = 'RO'
  AND EXISTS (
    SELECT 1 FROM (SELECT status, legal_basis, ts, expires_at FROM consents k
                   WHERE k.contact_id = c.id AND k.purpose = 'sms_marketing'
                     AND k.ts <= 1767225600
                   ORDER BY k.ts DESC, (k.status = 'granted') ASC, k.rowid DESC
                   LIMIT 1) l
    WHERE l.status = 'granted'
      AND (l.expires_at IS NULL OR l.expires_at > 1767225600)
      AND l.legal_basis = 'consent'
      AND l.ts >= 1767225600 - 365 * 86400);

-- name: X32_recent_app_views
-- 2025-12-24T00:00:00Z = 1766534400
SELECT c.id FROM contacts c
WHERE (SELECT count(*) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'page_view'
         AND e.ts > 1766534400 AND e.channel = 'app') >= 2;

-- name: X33_outlier_order
-- max > 5 * avg  <=>  max_cents * (number of amounts) > 5 * sum_cents
SELECT c.id FROM contacts c
JOIN (SELECT contact_id, max(amount_cents) AS hi, sum(amount_cents) AS s,
             count(amount_cents) AS na
      FROM events WHERE type = 'purchase' GROUP BY contact_id) p ON p.contact_id = c.id
WHERE p.na > 0 AND p.hi * p.na > 5 * p.s;

-- name: X34_beans_after_grinder
SELECT c.id FROM contacts c
WHERE (SELECT max(ts) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'purchase' AND e.category = 'coffee_beans')
    > (SELECT max(ts) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'purchase' AND e.category = 'grinder');

-- name: X35_not_emailable_any
SELECT c.id FROM contacts c
WHERE NOT EXISTS (SELECT 1 FROM events e
                  WHERE e.contact_id = c.id AND e.type IN ('email_open', 'email_click'))
  AND c.language <> 'en' AND c.occupation IN ('retired', 'teacher');
