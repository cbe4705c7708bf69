-- extra_segments.lua — segments that combine the seg language's operators,
-- each with a SQL twin of the same name in extra_segments.sql (SQLite, over
-- the schema of ../shared/bench/anchors/load_sqlite.sh). tests/cli/test_oracle.sh
-- checks that segrt and SQLite return identical member sets on
-- gen_crm.py --contacts 20000 --seed 7 at NOW = 2026-01-01T00:00:00Z.
--
-- The decimal constants of X07–X09 are amounts and purchase sums that occur in
-- that data set; X09's bounds are sums that binary floats get wrong
-- (c0012396: 1020.46 summed as doubles is 1020.4599999999999).
local seg = require "segrt"
local F, E, days = seg.F, seg.E, seg.days

seg.segment "X01_coffee_lovers_pl" {
  where = F.country:eq "PL" & F.interests:contains "coffee"
        & E.purchase:where{ category = { "coffee_beans", "ground_coffee" } }
                    :within(days(90)):count():ge(2),
}

seg.segment "X02_spent_over_monthly_income" {
  where = E.purchase:within(days(365)):sum "amount" :gt(F.income / 12),
}

-- Missing values: a comparison with a missing value is false, so its
-- negation is true (industry or company_size missing passes the ~(...)).
seg.segment "X03_nested_bool" {
  where = (F.region:one_of{ "mazowieckie", "Cluj", "Sofia-grad" } | F.urban:eq "rural")
        & ~(F.industry:eq "retail" | F.company_size:lt(10))
        & ~(F.status:eq "lost" | F.plan:eq "none"),
}

seg.segment "X04_all_any" {
  where = seg.all{
    F.gender:eq "f",
    F.age:between(30, 45),
    seg.any{ F.interests:contains "yoga", F.interests:contains "spa",
             F.tags:contains "high_value" },
  },
}

seg.segment "X05_app_only_buyers" {
  where = E.purchase:where{ channel = "app" }:count():ge(3)
        & E.purchase:where{ channel = { "web", "store" } }:none(),
}

seg.segment "X06_high_aov" {
  where = E.purchase:count():ge(3) & E.purchase:avg "amount" :gt(150),
}

seg.segment "X07_max_min_amount" {
  where = E.purchase:max "amount" :ge(1000) & E.purchase:min "amount" :le(12.59),
}

seg.segment "X08_exact_amount_window" {
  where = E.purchase:where(F.amount:between(18.73, 19.56)):count():ge(2),
}

seg.segment "X09_exact_sum" {
  where = E.purchase:sum "amount" :between(1020.46, 1378.93)
        | E.purchase:sum "amount" :eq(29.92),
}

seg.segment "X10_new_customers" {
  where = E.purchase:first():within(days(180))
        & F.created_at:after(seg.time "2025-01-01T00:00:00Z"),
}

seg.segment "X11_lapsed_users" {
  where = F.plan:ne "none" & E.login:exists()
        & E.login:last():older_than(days(60))
        & F.last_contacted_at:before(seg.ago(days(30))),
}

seg.segment "X12_long_tenure" {
  where = ((E.purchase:last() - E.purchase:first()) / days(1)):ge(365),
}

seg.segment "X13_days_since_30_60" {
  where = seg.floor((seg.now() - E.purchase:last()) / days(1)):between(30, 60),
}

seg.segment "X14_clicky" {
  where = E.email_open:count():ge(5)
        & (E.email_click:count() * 4):ge(E.email_open:count()),
}

seg.segment "X15_pricing_no_purchase" {
  where = E.page_view:where{ category = "pricing" }:within(days(30)):count():ge(2)
        & ~E.purchase:within(days(30)):exists(),
}

-- & binds tighter than | in Lua 5.4: (a & b) | (c & d).
seg.segment "X16_present_missing" {
  where = F.industry:present() & F.company_size:missing()
        | F.loss_reason:present() & F.interests:missing(),
}

seg.segment "X17_black_friday_2024_only" {
  where = F.tags:contains "black_friday_2024" & ~F.tags:contains "black_friday_2025"
        & E.purchase:where(F.ts:between(seg.time "2024-11-20T00:00:00Z",
                                        seg.time "2024-12-05T00:00:00Z")):exists(),
}

seg.segment "X18_member_refs" {
  where = seg.member "X01_coffee_lovers_pl"
        | seg.member "X06_high_aov" & F.country:eq "RO",
}

seg.segment "X19_openers_emailable" {
  where = E.email_open:within(days(90)):count():ge(3),
  purpose = "email_marketing",
}

-- Membership of a segment with a purpose includes its consent check.
seg.segment "X20_member_of_purpose" {
  where = seg.member "X19_openers_emailable" & F.language:one_of{ "ro", "hu" },
}

-- Priority tiers: tier.silver = silver minus gold, tier.bronze = the rest.
seg.segment "gold" { where = E.purchase:sum "amount" :gt(2000) }
seg.segment "silver" {
  where = E.purchase:sum "amount" :gt(500) | E.purchase:count():ge(5),
}
seg.segment "bronze" { where = E.purchase:exists() }
seg.exclusive "tier" { "gold", "silver", "bronze" }

-- Two consecutive purchases (oldest first) of the same category.
seg.segment "X22_repeat_category" {
  where = E.purchase:count():ge(2),
  filter = function(c)
    local prev
    for e in c:events "purchase" do
      if e.category == prev then return true end
      prev = e.category
    end
    return false
  end,
}

seg.segment "X23_filter_fields" {
  where = F.status:eq "customer",
  filter = function(c)
    return c.industry == nil and c.income % 7 == 0
        or c.city == "Kraków" and c.plan ~= "none"
  end,
}

seg.segment "X24_filter_store_amounts" {
  where = F.country:eq "BG" & E.purchase:exists(),
  filter = function(c)
    local n = 0
    for e in c:events "purchase" do
      if e.channel == "store" and e.amount > 100 then n = n + 1 end
    end
    return n >= 2
  end,
}

-- Top decile of Polish buyers by lifetime spend.
seg.segment "X25_top_decile_pl" {
  where = seg.ntile(E.purchase:sum "amount", 10,
                    { desc = true, among = F.country:eq "PL" }):eq(1),
}

-- Upper half by e-mail opens among plan holders (count 0 is present), and the
-- latest third by last login (a timestamp ntile; no login = missing).
seg.segment "X26_ntile_mix" {
  where = seg.ntile(E.email_open:count(), 4, { among = F.plan:ne "none" }):ge(3)
        & seg.ntile(E.login:last(), 3):eq(3),
}

seg.segment "X27_cold_leads" {
  where = F.last_contacted_at:between(seg.ago(days(400)), seg.ago(days(200)))
        & F.status:one_of{ "lead", "opportunity" }
        & E.email_click:within(days(60)):none(),
}

seg.segment "X28_geo_box" {
  where = F.lat:between(49.5, 51.0) & F.lon:gt(19.5) & F.urban:eq "urban",
}

seg.segment "X29_gym_regular_no_mind_body" {
  where = E.class_attended:within(days(30)):count():ge(4)
        & E.card_scan:within(days(7)):exists()
        & E.class_attended:where{ category = { "yoga", "pilates" } }:none(),
}

seg.segment "X30_veg_not_both_under_30" {
  where = (F.interests:contains "vegan" | F.interests:contains "vegetarian")
        & ~(F.interests:contains "vegan" & F.interests:contains "vegetarian")
        & F.age:lt(30),
}

seg.consent "sms_marketing" { bases = { "consent" }, max_age = days(365) }

seg.segment "X31_sms_ro" {
  where = F.country:eq "RO",
  purpose = "sms_marketing",
}

seg.segment "X32_recent_app_views" {
  where = E.page_view:where(F.ts:after(seg.time "2025-12-24T00:00:00Z")
                            & F.channel:eq "app"):count():ge(2),
}

seg.segment "X33_outlier_order" {
  where = E.purchase:max "amount" :gt(E.purchase:avg "amount" * 5),
}

seg.segment "X34_beans_after_grinder" {
  where = E.purchase:where{ category = "coffee_beans" }:last()
        :after(E.purchase:where{ category = "grinder" }:last()),
}

seg.segment "X35_not_emailable_any" {
  where = ~(E.email_open:exists() | E.email_click:exists())
        & F.language:ne "en" & F.occupation:one_of{ "retired", "teacher" },
}
