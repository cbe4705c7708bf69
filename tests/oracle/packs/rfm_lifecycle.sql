-- rfm_lifecycle.sql — SQLite twins of the segments of scripts/packs/rfm_lifecycle.lua
-- (models/rfm.lua with name "lifecycle", no window).
--
-- Conventions: ecommerce_coffee.sql. R = NTILE(5) over days since the last
-- purchase, longest first; F = NTILE(5) over the number of purchases; both
-- over every contact with a purchase, ties by id in byte order (queries.md
-- S11). The groups map (R, F) cells in the priority order of models/rfm.lua.
--
-- Consent (SPEC §5, Art. 21(2), 22): the RFM scores are profiling, so they
-- are computed over the contacts profiling may score only (_unprofiled of
-- _consent.sql: objectors and refused profiling records are left out of the
-- ranking) and missing for the others, who are in no lifecycle group.

-- name: _rfm
WITH p AS (
  SELECT contact_id, (1767225600 - max(ts)) / 86400 AS days_since, count(*) AS n
  FROM events WHERE type = 'purchase' AND contact_id IN (SELECT id FROM contacts)
    AND contact_id NOT IN ({{_unprofiled}})
  GROUP BY contact_id)
SELECT contact_id,
       ntile(5) OVER (ORDER BY days_since DESC, contact_id ASC) AS r,
       ntile(5) OVER (ORDER BY n ASC, contact_id ASC) AS f
FROM p;

-- name: lifecycle.champions
SELECT contact_id FROM ({{_rfm}})
WHERE r = 5 AND f BETWEEN 4 AND 5;

-- name: lifecycle.loyal
SELECT contact_id FROM ({{_rfm}})
WHERE r BETWEEN 3 AND 4 AND f BETWEEN 4 AND 5;

-- name: lifecycle.potential_loyalist
SELECT contact_id FROM ({{_rfm}})
WHERE r BETWEEN 4 AND 5 AND f BETWEEN 2 AND 3;

-- name: lifecycle.new
SELECT contact_id FROM ({{_rfm}})
WHERE r = 5 AND f = 1;

-- name: lifecycle.promising
SELECT contact_id FROM ({{_rfm}})
WHERE r = 4 AND f = 1;

-- name: lifecycle.need_attention
SELECT contact_id FROM ({{_rfm}})
WHERE r = 3 AND f = 3;

-- name: lifecycle.about_to_sleep
SELECT contact_id FROM ({{_rfm}})
WHERE r = 3 AND f BETWEEN 1 AND 2;

-- name: lifecycle.at_risk
SELECT contact_id FROM ({{_rfm}})
WHERE r BETWEEN 1 AND 2 AND f BETWEEN 3 AND 4;

-- name: lifecycle.cant_lose_them
SELECT contact_id FROM ({{_rfm}})
WHERE r BETWEEN 1 AND 2 AND f = 5;

-- name: lifecycle.hibernating
SELECT contact_id FROM ({{_rfm}})
WHERE r BETWEEN 1 AND 2 AND f BETWEEN 1 AND 2;
