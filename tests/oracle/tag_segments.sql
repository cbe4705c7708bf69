-- tag_segments.sql — SQLite twins of the tag rules in tag_segments.lua.
-- NOW = 2026-01-01T00:00:00Z = 1767225600; a day = 86400 s; amounts in cents.

-- name: high_value
SELECT contact_id FROM events
WHERE type = 'purchase' AND ts >= 1767225600 - 365 * 86400 AND amount_cents IS NOT NULL
GROUP BY contact_id HAVING sum(amount_cents) > 200000;

-- name: pl_newsletter
SELECT id FROM contacts
WHERE country = 'PL' AND instr(';' || tags || ';', ';newsletter;') > 0;
