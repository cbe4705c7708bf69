-- packs/saas.lua — SaaS: trial users, basic plan near its limits, inactive 45 days, upgrade candidates
--
-- Needs the contact field plan, login / page_view events (a page view's
-- category names the page, e.g. "pricing") and email_marketing consent
-- records (the win-back email). "Near its limits" is read from
-- usage: 5 or more logins in the last 30 days on the basic plan.
local seg = require "segrt"
local F, E, days = seg.F, seg.E, seg.days

seg.pack {
  name = "saas", version = "1.0",
  description = "trial users, basic plan near its limits, inactive 45 days, upgrade candidates",
  requires = { fields = { plan = "string" }, events = { "login", "page_view" } },
  purposes = { "email_marketing" },
}

seg.segment "trial_users" { description = "on the trial plan", where = F.plan:eq "trial" }
seg.segment "basic_near_limits" {
  description = "basic plan, 5 or more logins in 30 days",
  where = F.plan:eq "basic" & E.login:within(days(30)):count():ge(5),
}
seg.segment "inactive_45d" {
  description = "paying (basic or pro) but no login in 45 days",
  where = F.plan:one_of { "basic", "pro" } & E.login:within(days(45)):none(),
}
seg.segment "upgrade_candidates" {
  description = "basic plan, looked at the pricing page in the last 30 days",
  where = F.plan:eq "basic" & E.page_view:where{ category = "pricing" }:within(days(30)):exists(),
}
seg.segment "win_back_emailable" {
  description = "inactive for 45 days, and marketing email is allowed: a win-back email",
  where = seg.member "inactive_45d",
  purpose = "email_marketing",
}
