-- packs/food_delivery.lua — food delivery: vegans, vegetarians, cuisine lovers, repeat orderers
--
-- Needs the set field interests, purchase events (an order) and
-- personalization consent records (the dish picks).
local seg = require "segrt"
local F, E, days = seg.F, seg.E, seg.days

seg.pack {
  name = "food_delivery", version = "1.0",
  description = "vegans, vegetarians, cuisine lovers, repeat orderers",
  requires = { fields = { interests = "set" }, events = { "purchase" } },
  purposes = { "personalization" },
}

seg.exclusive "diet" {
  { "vegan", where = F.interests:contains "vegan", description = "eats vegan" },
  { "vegetarian", where = F.interests:contains "vegetarian", description = "vegetarian, not vegan" },
}
seg.segment "cuisine_lovers" {
  description = "interested in cooking and ordered at least 3 times",
  where = F.interests:contains "cooking" & E.purchase:count():ge(3),
}
seg.segment "repeat_orderers" {
  description = "3 or more orders in the last 90 days",
  where = E.purchase:within(days(90)):count():ge(3),
}
seg.segment "cuisine_picks" {
  description = "cuisine lovers who allow personalisation: dishes picked for their taste",
  where = seg.member "cuisine_lovers",
  purpose = "personalization",
}
