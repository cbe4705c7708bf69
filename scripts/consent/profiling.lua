-- consent/profiling.lua — the consent check of the purpose "profiling",
-- loaded before every script (a script's own seg.consent "profiling" { ... }
-- replaces it).
--
-- SPEC §5 defaults (granted, not expired, consent or legitimate interest).
-- Profiling scores (the shipped models) are also withheld from contacts who
-- object to direct marketing (GDPR Art. 21(2)).
local seg = require "segrt"

seg.consent "profiling" {
  bases = { "consent", "legitimate_interest" },
}
