-- saas.sql — SQLite twins of the segments of scripts/packs/saas.lua.
-- Conventions: ecommerce_coffee.sql. Segments with a purpose keep the contacts
-- passing its consent check: _consent.sql.

-- name: trial_users
SELECT c.id FROM contacts c WHERE c.plan = 'trial';

-- name: basic_near_limits
SELECT c.id FROM contacts c
WHERE c.plan = 'basic'
  AND (SELECT count(*) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'login'
         AND e.ts >= 1767225600 - 30 * 86400) >= 5;

-- name: inactive_45d
SELECT c.id FROM contacts c
WHERE c.plan IN ('basic', 'pro')
  AND NOT EXISTS (SELECT 1 FROM events e
                  WHERE e.contact_id = c.id AND e.type = 'login'
                    AND e.ts >= 1767225600 - 45 * 86400);

-- name: upgrade_candidates
SELECT c.id FROM contacts c
WHERE c.plan = 'basic'
  AND EXISTS (SELECT 1 FROM events e
              WHERE e.contact_id = c.id AND e.type = 'page_view' AND e.category = 'pricing'
                AND e.ts >= 1767225600 - 30 * 86400);

-- name: win_back_emailable
SELECT c.id FROM contacts c
WHERE c.id IN ({{inactive_45d}}) AND c.id IN ({{_email_marketing}});
