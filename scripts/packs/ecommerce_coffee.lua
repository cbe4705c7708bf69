-- packs/ecommerce_coffee.lua — coffee shop: subscribers, bean buyers, upsell, VIPs, lapsed, new
--
-- Segments for a coffee shop selling beans, ground coffee, grinders,
-- machines and subscriptions online.
--
--   segrt run --db DIR ecommerce_coffee
--
-- Needs purchase events with a category and an amount, and
-- email_marketing consent records (the upsell goes by email).
local seg = require "segrt"
local E, days = seg.E, seg.days

seg.pack {
  name = "ecommerce_coffee", version = "1.0",
  description = "coffee shop: subscribers, bean buyers, upsell, VIPs, lapsed, new vs returning",
  requires = { events = { "purchase" } },
  purposes = { "email_marketing" },
}

local purchases = E.purchase

seg.segment "subscribers" {
  description = "bought a subscription in the last 45 days",
  where = purchases:where{ category = "subscription" }:within(days(45)):exists(),
}
seg.segment "bean_buyers_60d" {
  description = "bought coffee beans in the last 60 days",
  where = purchases:where{ category = "coffee_beans" }:within(days(60)):exists(),
}
seg.segment "accessory_no_coffee" {
  description = "bought a grinder or machine but never coffee: an upsell",
  where = purchases:where{ category = { "grinder", "espresso_machine" } }:exists()
        & ~purchases:where{ category = { "coffee_beans", "ground_coffee" } }:exists(),
}
seg.segment "vip" {
  description = "spent more than 5,000 in all",
  where = purchases:sum "amount" :gt(5000),
}
seg.segment "inactive_90d" {
  description = "bought before, but nothing in the last 90 days",
  where = purchases:exists() & purchases:last():older_than(days(90)),
}
seg.exclusive "customer_age" {
  { "new", where = purchases:count():eq(1), description = "one purchase so far" },
  { "returning", where = purchases:count():ge(2), description = "came back at least once" },
}
seg.segment "upsell_emailable" {
  description = "the accessory-without-coffee upsell, to whom marketing email is allowed",
  where = seg.member "accessory_no_coffee",
  purpose = "email_marketing",
}
