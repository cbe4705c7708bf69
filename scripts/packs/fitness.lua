-- packs/fitness.lua — gym: new members, yoga 3+ classes last month, churn risk
--
-- Needs card_scan events (a visit), class_attended events whose category
-- names the class, and sms_marketing consent records (the come-back text).
local seg = require "segrt"
local E, days = seg.E, seg.days

seg.pack {
  name = "fitness", version = "1.0",
  description = "new members, yoga 3+ classes last month, churn risk",
  requires = { events = { "card_scan", "class_attended" } },
  purposes = { "sms_marketing" },
}

seg.segment "new_members" {
  description = "first card scan in the last 30 days",
  where = E.card_scan:first():within(days(30)),
}
seg.segment "yoga_3_last_month" {
  description = "3 or more yoga classes in the last 30 days",
  where = E.class_attended:where{ category = "yoga" }:within(days(30)):count():ge(3),
}
seg.segment "churn_risk" {
  description = "a member whose last card scan is more than 30 days old",
  where = E.card_scan:last():older_than(days(30)),
}
seg.segment "churn_risk_sms" {
  description = "churn risk, and marketing texts are allowed: a come-back SMS",
  where = seg.member "churn_risk",
  purpose = "sms_marketing",
}
