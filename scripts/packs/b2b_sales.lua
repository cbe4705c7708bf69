-- packs/b2b_sales.lua — B2B: lost on price 1-2 years ago, firmographic tiers, technographic
--
-- Needs the contact fields status, loss_reason, last_contacted_at,
-- company_size, industry and interests, and email_marketing consent records
-- (the new offer goes by email). Technographic: the demo data has no
-- technology field, so "uses technology" reads interests; point it at your
-- own field (e.g. F.technologies:contains "salesforce").
local seg = require "segrt"
local F, days = seg.F, seg.days

seg.pack {
  name = "b2b_sales", version = "1.0",
  description = "lost on price 1-2 years ago, firmographic tiers, technographic",
  requires = { fields = { "status", "loss_reason", last_contacted_at = "timestamp",
                          company_size = "integer", "industry", interests = "set" } },
  purposes = { "email_marketing" },
}

seg.segment "lost_on_price_1_2y" {
  description = "lost on price, last contacted between 1 and 2 years ago: worth a new offer",
  where = F.status:eq "lost" & F.loss_reason:eq "price_too_high"
        & F.last_contacted_at:between(seg.ago(days(730)), seg.ago(days(365))),
}
seg.segment "lost_on_price_emailable" {
  description = "lost on price 1-2 years ago, and marketing email is allowed: the new offer",
  where = seg.member "lost_on_price_1_2y",
  purpose = "email_marketing",
}

seg.exclusive "company_tier" {
  { "enterprise", where = F.company_size:ge(1000), description = "1,000 employees or more" },
  { "mid_market", where = F.company_size:ge(100), description = "100 to 999 employees" },
  { "small", where = F.company_size:present(), description = "fewer than 100 employees" },
}

seg.segment "it_services_enterprise" {
  description = "IT services companies of 1,000 employees or more",
  where = F.industry:eq "it_services" & F.company_size:ge(1000),
}

seg.segment "uses_technology" {
  description = "technographic: works with technology (interests)",
  where = F.company_size:present() & F.interests:contains "tech",
}
