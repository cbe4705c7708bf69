-- ecommerce_coffee.sql — SQLite twins of the segments of scripts/packs/ecommerce_coffee.lua.
--
-- Conventions as in ../extra_segments.sql: the schema of ../sqlite_oracle.py
-- (timestamps INTEGER unix seconds, amount_cents INTEGER cents, empty cells
-- NULL), NOW = 2026-01-01T00:00:00Z = 1767225600, a day = 86400 s; one
-- "-- name: <segment>" block per segment, `{{name}}` = an earlier block.
-- Events :within(d) keep ts >= NOW - d; :older_than(d) is < NOW - d.
-- Segments with a purpose keep the contacts passing its consent check, as
-- _consent.sql (the parts {{_email_marketing}}, ...) defines it.

-- name: subscribers
SELECT c.id FROM contacts c
WHERE EXISTS (SELECT 1 FROM events e
              WHERE e.contact_id = c.id AND e.type = 'purchase' AND e.category = 'subscription'
                AND e.ts >= 1767225600 - 45 * 86400);

-- name: bean_buyers_60d
SELECT c.id FROM contacts c
WHERE EXISTS (SELECT 1 FROM events e
              WHERE e.contact_id = c.id AND e.type = 'purchase' AND e.category = 'coffee_beans'
                AND e.ts >= 1767225600 - 60 * 86400);

-- name: accessory_no_coffee
SELECT c.id FROM contacts c
WHERE EXISTS (SELECT 1 FROM events e
              WHERE e.contact_id = c.id AND e.type = 'purchase'
                AND e.category IN ('grinder', 'espresso_machine'))
  AND NOT EXISTS (SELECT 1 FROM events e
                  WHERE e.contact_id = c.id AND e.type = 'purchase'
                    AND e.category IN ('coffee_beans', 'ground_coffee'));

-- name: vip
-- sum > 5000  <=>  sum_cents > 500000; no amount at all: missing, not a member
SELECT c.id FROM contacts c
WHERE (SELECT sum(e.amount_cents) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'purchase') > 500000;

-- name: inactive_90d
SELECT c.id FROM contacts c
WHERE (SELECT max(e.ts) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'purchase') < 1767225600 - 90 * 86400;

-- name: customer_age.new
SELECT c.id FROM contacts c
WHERE (SELECT count(*) FROM events e WHERE e.contact_id = c.id AND e.type = 'purchase') = 1;

-- name: customer_age.returning
SELECT c.id FROM contacts c
WHERE (SELECT count(*) FROM events e WHERE e.contact_id = c.id AND e.type = 'purchase') >= 2
  AND c.id NOT IN ({{customer_age.new}});

-- name: upsell_emailable
SELECT c.id FROM contacts c
WHERE c.id IN ({{accessory_no_coffee}}) AND c.id IN ({{_email_marketing}});
