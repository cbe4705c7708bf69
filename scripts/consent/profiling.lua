-- consent/profiling.lua — the consent check of the purpose "profiling",
-- loaded before every script (a script's own seg.consent "profiling" { ... }
-- replaces it).
--
-- SPEC §5 defaults (granted, not expired, consent or legitimate interest).
-- Profiling models and scores (profiling = true; the shipped models) never
-- score a contact whose profiling record in force is withdrawn or denied, nor
-- one who objects to direct marketing (GDPR Art. 21(2)); with bases =
-- { "consent" } only contacts who pass this check are scored. The others
-- get missing scores and are left out of fits and NTILE ranks.
local seg = require "segrt"

seg.consent "profiling" {
  bases = { "consent", "legitimate_interest" },
}
