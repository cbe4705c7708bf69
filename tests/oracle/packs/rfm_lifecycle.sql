-- rfm_lifecycle.sql — SQLite twins of the segments of scripts/packs/rfm_lifecycle.lua
-- (models/rfm.lua with name "lifecycle", no window).
--
-- Conventions: ecommerce_coffee.sql. R = NTILE(5) over days since the last
-- purchase, longest first; F = NTILE(5) over the number of purchases; both
-- over every contact with a purchase, ties by id in byte order (queries.md
-- S11). The groups map (R, F) cells in the priority order of models/rfm.lua.
--
-- Consent (SPEC §5, Art. 21(2)): the RFM scores are profiling, so they are
-- missing for contacts who object to direct marketing (_objectors of
-- _consent.sql), and such contacts are in no lifecycle group. The objectors
-- do count in the ranking: scores are computed, then withheld.

-- name: _rfm
WITH p AS (
  SELECT contact_id, (1767225600 - max(ts)) / 86400 AS days_since, count(*) AS n
  FROM events WHERE type = 'purchase' AND contact_id IN (SELECT id FROM contacts)
  GROUP BY contact_id)
SELECT contact_id,
       ntile(5) OVER (ORDER BY days_since DESC, contact_id ASC) AS r,
       ntile(5) OVER (ORDER BY n ASC, contact_id ASC) AS f
FROM p;

-- name: lifecycle.champions
SELECT contact_id FROM ({{_rfm}})
WHERE r = 5 AND f BETWEEN 4 AND 5 AND contact_id NOT IN ({{_objectors}});

-- name: lifecycle.loyal
SELECT contact_id FROM ({{_rfm}})
WHERE r BETWEEN 3 AND 4 AND f BETWEEN 4 AND 5 AND contact_id NOT IN ({{_objectors}});

-- name: lifecycle.potential_loyalist
SELECT contact_id FROM ({{_rfm}})
WHERE r BETWEEN 4 AND 5 AND f BETWEEN 2 AND 3 AND contact_id NOT IN ({{_objectors}});

-- name: lifecycle.new
SELECT contact_id FROM ({{_rfm}})
WHERE r = 5 AND f = 1 AND contact_id NOT IN ({{_objectors}});

-- name: lifecycle.promising
SELECT contact_id FROM ({{_rfm}})
WHERE r = 4 AND f = 1 AND contact_id NOT IN ({{_objectors}});

-- name: lifecycle.need_attention
SELECT contact_id FROM ({{_rfm}})
WHERE r = 3 AND f = 3 AND contact_id NOT IN ({{_objectors}});

-- name: lifecycle.about_to_sleep
SELECT contact_id FROM ({{_rfm}})
WHERE r = 3 AND f BETWEEN 1 AND 2 AND contact_id NOT IN ({{_objectors}});

-- name: lifecycle.at_risk
SELECT contact_id FROM ({{_rfm}})
WHERE r BETWEEN 1 AND 2 AND f BETWEEN 3 AND 4 AND contact_id NOT IN ({{_objectors}});

-- name: lifecycle.cant_lose_them
SELECT contact_id FROM ({{_rfm}})
WHERE r BETWEEN 1 AND 2 AND f = 5 AND contact_id NOT IN ({{_objectors}});

-- name: lifecycle.hibernating
SELECT contact_id FROM ({{_rfm}})
WHERE r BETWEEN 1 AND 2 AND f BETWEEN 1 AND 2 AND contact_id NOT IN ({{_objectors}});
