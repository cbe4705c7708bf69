-- packs/rfm_lifecycle.lua — RFM quintiles and the ten named lifecycle groups
--
-- The RFM named groups (models/rfm.lua) as one exclusive lifecycle group:
-- lifecycle.champions ... lifecycle.hibernating.
--
--   segrt run --db DIR rfm_lifecycle
--   segrt score --db DIR rfm_lifecycle lifecycle
--
-- Needs purchase events with an amount.
local seg = require "segrt"

seg.pack {
  name = "rfm_lifecycle", version = "1.0",
  description = "RFM quintiles and the ten named lifecycle groups",
  requires = { events = { "purchase" } },
}

require("models.rfm").define { name = "lifecycle" }
