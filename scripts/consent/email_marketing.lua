-- consent/email_marketing.lua — the consent check of the purpose
-- "email_marketing", loaded before every script (a script's own
-- seg.consent "email_marketing" { ... } replaces it for that script).
--
-- SPEC §5 defaults: the record in force at NOW is granted, not expired, and
-- its legal basis is consent or legitimate interest. A marketing purpose: a
-- contact who objects to direct marketing (GDPR Art. 21) — a record in force
-- for "direct_marketing" that is withdrawn or denied, or a granted
-- "objection" record — is left out of every marketing segment.
-- To make old consent stale, add e.g. max_age = seg.days(730).
local seg = require "segrt"

seg.consent "email_marketing" {
  bases = { "consent", "legitimate_interest" },
  marketing = true,
}
