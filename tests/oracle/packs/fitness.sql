-- fitness.sql — SQLite twins of the segments of scripts/packs/fitness.lua.
-- Conventions: ecommerce_coffee.sql. Segments with a purpose keep the contacts
-- passing its consent check: _consent.sql.

-- name: new_members
-- first():within(30 days): the earliest card scan is at or after NOW - 30 d
SELECT c.id FROM contacts c
WHERE (SELECT min(e.ts) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'card_scan') >= 1767225600 - 30 * 86400;

-- name: yoga_3_last_month
SELECT c.id FROM contacts c
WHERE (SELECT count(*) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'class_attended' AND e.category = 'yoga'
         AND e.ts >= 1767225600 - 30 * 86400) >= 3;

-- name: churn_risk
-- no card scan at all: last() is missing and the comparison false
SELECT c.id FROM contacts c
WHERE (SELECT max(e.ts) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'card_scan') < 1767225600 - 30 * 86400;

-- name: churn_risk_sms
SELECT c.id FROM contacts c
WHERE c.id IN ({{churn_risk}}) AND c.id IN ({{_sms_marketing}});
