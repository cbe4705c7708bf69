-- bench_segments.lua — the twelve anchor segments S1–S12 of
-- ../shared/bench/queries.md in the seg language.
--
-- Run with NOW fixed to the anchors' reference time:
--   segrt count --db /tmp/crm1m/segrt.db --now 2026-01-01T00:00:00Z \
--       examples/bench_segments.lua S11_rfm_champions
local seg = require "segrt"
local F, E, days = seg.F, seg.E, seg.days

-- Σ purchase amounts > 5000.00 (exact decimals); no purchases: sum missing, not a member.
local vip = E.purchase:sum "amount" :gt(5000)

seg.segment "S1_vip" {
  description = "Lifetime purchases over 5000",
  where = vip,
}

seg.segment "S2_mazowieckie_big_purchase" {
  description = "Mazowieckie, one purchase over 5000 in the last 180 days",
  -- amount and window apply to the same purchase
  where = F.region:eq "mazowieckie"
        & E.purchase:where(F.amount:gt(5000)):within(days(180)):exists(),
}

seg.segment "S3_inactive_customers_90d" {
  description = "Customers whose latest purchase is older than 90 days",
  where = E.purchase:last():older_than(days(90)),
}

seg.segment "S4_bean_buyers_60d" {
  description = "Bought coffee beans in the last 60 days",
  where = E.purchase:where{ category = "coffee_beans" }:within(days(60)):exists(),
}

seg.segment "S5_accessory_no_coffee" {
  description = "Bought a grinder or espresso machine but never coffee",
  where = E.purchase:where{ category = { "grinder", "espresso_machine" } }:exists()
        & ~E.purchase:where{ category = { "coffee_beans", "ground_coffee" } }:exists(),
}

seg.segment "S6_saas_inactive_45d" {
  description = "Basic or pro plan, no login in the last 45 days",
  where = F.plan:one_of{ "basic", "pro" } & E.login:within(days(45)):none(),
}

seg.segment "S7_yoga_3_last_30d" {
  description = "Three or more yoga classes in the last 30 days",
  where = E.class_attended:where{ category = "yoga" }:within(days(30)):count():ge(3),
}

seg.segment "S8_gym_churn_risk" {
  description = "Gym members with no card scan for 30 days",
  where = E.card_scan:last():older_than(days(30)),
}

seg.segment "S9_lost_on_price" {
  description = "Lost on price, last contacted one to two years ago",
  where = F.status:eq "lost" & F.loss_reason:eq "price_too_high"
        & F.last_contacted_at:between(seg.ago(days(730)), seg.ago(days(365))),
}

seg.segment "S10_young_families" {
  description = "Married, 25 to 35 years old, income 20000 to 60000",
  where = F.age:between(25, 35) & F.marital_status:eq "married"
        & F.income:between(20000, 60000),
}

-- S11: RFM quintiles over the population P of contacts with a purchase. Each
-- ntile is NTILE(5) in its own order, ties by contact id ascending.
--   R: whole days since the latest purchase, descending (longest inactive = 1);
--      missing outside P, so P is implied.
--   F: number of purchases; count() is 0 (not missing) outside P, hence `among`.
--   M: exact sum of amounts; missing outside P.
local has_purchase = E.purchase:exists()
local days_since = seg.floor((seg.now() - E.purchase:last()) / days(1))
local R = seg.ntile(days_since, 5, { desc = true })
local Fq = seg.ntile(E.purchase:count(), 5, { among = has_purchase })
local M = seg.ntile(E.purchase:sum "amount", 5)

seg.segment "S11_rfm_champions" {
  description = "RFM champions: R, F and M quintiles all 4 or 5",
  where = R:ge(4) & Fq:ge(4) & M:ge(4),
}

seg.segment "S12_vip_emailable" {
  description = "VIPs whose e-mail marketing consent is in force",
  where = vip,
  purpose = "email_marketing",
}
