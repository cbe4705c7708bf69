-- split_segments.sql — SQLite twins of the splits in split_segments.lua.
--
-- split_bucket(name, id) is xxh64(name || ':' || id) % 100 (tests/oracle/xxh64.py,
-- registered by sqlite_oracle.py); arms take consecutive bucket ranges in
-- byte order of their names. NOW = 2026-01-01T00:00:00Z = 1767225600.

-- name: exp.A
SELECT id FROM contacts WHERE split_bucket('exp', id) < 50;

-- name: exp.B
SELECT id FROM contacts WHERE split_bucket('exp', id) >= 50 AND split_bucket('exp', id) < 80;

-- name: exp.C
SELECT id FROM contacts WHERE split_bucket('exp', id) >= 80;

-- name: pl
SELECT id FROM contacts WHERE country = 'PL';

-- name: pl_test.control
SELECT id FROM ({{pl}}) WHERE split_bucket('pl_test', id) < 10;

-- name: pl_test.treat
SELECT id FROM ({{pl}}) WHERE split_bucket('pl_test', id) >= 10 AND split_bucket('pl_test', id) < 55;

-- name: _buyers
SELECT DISTINCT contact_id AS id FROM events
WHERE type = 'purchase' AND ts >= 1767225600 - 90 * 86400;

-- name: buyers.x
SELECT id FROM ({{_buyers}}) WHERE split_bucket('buyers', id) < 25;

-- name: buyers.y
SELECT id FROM ({{_buyers}}) WHERE split_bucket('buyers', id) >= 25 AND split_bucket('buyers', id) < 50;

-- name: exp_a_pl
SELECT id FROM ({{exp.A}}) WHERE id IN ({{pl}});

-- name: not_control
SELECT id FROM ({{pl}}) WHERE id NOT IN ({{pl_test.control}});
