-- consent/personalization.lua — the consent check of the purpose
-- "personalization", loaded before every script (a script's own
-- seg.consent "personalization" { ... } replaces it).
--
-- SPEC §5 defaults: granted, not expired, consent or legitimate interest.
-- (Contract is not accepted by default: tailoring a service the contact did
-- not ask for is not necessary for a contract. Add "contract" to bases for
-- personalisation that is part of the service.)
local seg = require "segrt"

seg.consent "personalization" {
  bases = { "consent", "legitimate_interest" },
}
