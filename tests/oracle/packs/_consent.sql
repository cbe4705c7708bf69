-- _consent.sql — consent at NOW in SQL (SPEC §5, core/store/consent.c,
-- core/privacy/consent_check.c, scripts/consent/), parts the pack twins use as
-- {{_name}} (sqlite_oracle.py --parts). NOW = 2026-01-01T00:00:00Z = 1767225600.
--
-- The record in force of a (contact, purpose): the latest with ts <= NOW; on
-- a ts tie a record that is not granted wins, then among granted ones the
-- earliest expiry (none = never, so it loses), then the one imported last.
-- A contact passes a purpose's check when that record is granted, not
-- expired (expires_at empty or > NOW) and of a basis the purpose accepts
-- (the shipped checks all accept consent and legitimate_interest). For a
-- marketing purpose (email_marketing, sms_marketing) a contact who objects to
-- direct marketing (Art. 21) fails too: the record in force for
-- "direct_marketing" is not granted, or the one for "objection" is granted.

-- name: _in_force
SELECT contact_id, purpose, status, legal_basis, expires_at FROM (
  SELECT k.contact_id, k.purpose, k.status, k.legal_basis, k.expires_at,
         row_number() OVER (
           PARTITION BY k.contact_id, k.purpose
           ORDER BY k.ts DESC, (k.status = 'granted') ASC,
                    CASE WHEN k.status = 'granted'
                         THEN coalesce(k.expires_at, 9223372036854775807) END ASC,
                    k.rowid DESC) AS pick
  FROM consents k
  WHERE k.ts <= 1767225600)
WHERE pick = 1;

-- name: _objectors
SELECT DISTINCT contact_id FROM ({{_in_force}})
WHERE (purpose = 'direct_marketing' AND status <> 'granted')
   OR (purpose = 'objection' AND status = 'granted');

-- name: _unprofiled
-- who profiling may not score (Art. 21(2), 22): objectors, and contacts whose
-- profiling record in force is withdrawn or denied
SELECT contact_id FROM ({{_objectors}})
UNION
SELECT contact_id FROM ({{_in_force}}) WHERE purpose = 'profiling' AND status <> 'granted';

-- name: _granted
-- granted, unexpired, on a basis the shipped checks accept; purpose is a column
SELECT contact_id, purpose FROM ({{_in_force}})
WHERE status = 'granted' AND (expires_at IS NULL OR expires_at > 1767225600)
  AND legal_basis IN ('consent', 'legitimate_interest');

-- name: _email_marketing
SELECT contact_id FROM ({{_granted}})
WHERE purpose = 'email_marketing' AND contact_id NOT IN ({{_objectors}});

-- name: _sms_marketing
SELECT contact_id FROM ({{_granted}})
WHERE purpose = 'sms_marketing' AND contact_id NOT IN ({{_objectors}});

-- name: _personalization
-- not a marketing purpose: objections do not apply
SELECT contact_id FROM ({{_granted}}) WHERE purpose = 'personalization';
