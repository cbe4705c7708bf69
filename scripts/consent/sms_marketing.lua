-- consent/sms_marketing.lua — the consent check of the purpose
-- "sms_marketing", loaded before every script (a script's own
-- seg.consent "sms_marketing" { ... } replaces it).
--
-- SPEC §5 defaults (granted, not expired, consent or legitimate interest);
-- a marketing purpose, so objections to direct marketing apply (see
-- email_marketing.lua).
local seg = require "segrt"

seg.consent "sms_marketing" {
  bases = { "consent", "legitimate_interest" },
  marketing = true,
}
