local seg = require "segrt"
local F, E, S, days = seg.F, seg.E, seg.S, seg.days
seg.segment "rich" { where = F.income:gt(1000) & F.city:one_of { "Kraków", "Cluj" } }
seg.segment "no_income" { where = F.income:missing() | F.tags:contains "new" }
seg.segment "buyers" { where = E.purchase:within(days(365)):sum "amount" :ge(3) & E.email_open:none() }
seg.segment "beans" { where = E.purchase:where { category = "beans" }:exists(), purpose = "email_marketing" }
seg.score "spend" { expr = E.purchase:sum "amount" * 2 + seg.floor(F.income / 7) }
seg.segment "top" { where = seg.ntile(S.spend, 2):eq(2) & ~seg.member "rich" }
seg.exclusive "tiers" { { "a", where = F.age:ge(40) }, { "b", where = F.birth_date:present() }, "buyers" }
seg.template "hi" { purpose = "email_marketing", subject = "Hi {email|there}", body = "{city} {spend:money(lei)}", values = { spend = S.spend } }
