-- campaign.lua — a win-back e-mail campaign: lapsed buyers by language, and
-- one message template per language, personalised per contact (first name,
-- date and category of the last order, money spent). On the demo store:
--
--   segrt demo
--   segrt render --format csv examples/campaign.lua lapsed_ro winback_ro > winback_ro.csv
--   segrt run examples/campaign.lua        # store who is in; later, for the mail tool:
--   segrt changes --since-run 1 examples/campaign.lua lapsed_ro
--
-- Only contacts whose email_marketing consent is in force get a message.
local seg = require "segrt"
local F, E, days = seg.F, seg.E, seg.days

seg.segment "lapsed" {
  description = "Bought before, but nothing in the last 90 days",
  where = E.purchase:exists() & E.purchase:last():older_than(days(90)),
}
seg.segment "lapsed_ro" { where = seg.member "lapsed" & F.language:eq "ro" }
seg.segment "lapsed_pl" { where = seg.member "lapsed" & F.language:eq "pl" }

local last_order = {
  last_order = E.purchase:last(),
  last_category = E.purchase:last "category",
  spent = E.purchase:sum "amount",
}

seg.template "winback_ro" {
  purpose = "email_marketing",
  format = "html",
  subject = "{first_name|Bună ziua}, ne e dor de tine",
  body = [[<p>Dragă {first_name|client},</p>
<p>ultima ta comandă, din {last_order:date(%d.%m.%Y)}, a fost din gama {last_category|noastră};
până acum ai cumpărat de {spent:money(lei)}.</p>
<p>Revino săptămâna aceasta: ai 15% reducere.</p>]],
  values = last_order,
}

seg.template "winback_pl" {
  purpose = "email_marketing",
  format = "html",
  subject = "{first_name|Dzień dobry}, tęsknimy za Tobą",
  body = [[<p>{first_name|Drogi Kliencie},</p>
<p>Twoje ostatnie zamówienie z {last_order:date(%d.%m.%Y)} było z kategorii {last_category|naszej oferty};
łącznie kupiłeś u nas za {spent:money(zł)}.</p>
<p>Wróć w tym tygodniu: 15% rabatu.</p>]],
  values = last_order,
}
