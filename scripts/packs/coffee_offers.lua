-- packs/coffee_offers.lua — coffee shop offers: likely bean buyers, likely e-mail responders
--
-- Who to send an offer to, by propensity (models.propensity: a logistic
-- regression learnt from what contacts did in the 30 days after
-- NOW - 30 days, calibrated into a probability): the tenth most likely to
-- buy coffee beans in the next 30 days, and the tenth most likely to answer
-- a marketing e-mail. `segrt score --db DIR coffee_offers beans_30d` shows
-- how well each model ranks (AUC, top-decile lift) and that its
-- probabilities are calibrated (Brier score, reliability table).
--
--   segrt run --db DIR coffee_offers
--
-- Needs purchase events with a category, email_click events and
-- email_marketing consent records. A fitted model is a population-level
-- score, like the RFM quintiles: a live session (segrt serve) keeps the
-- fit it opened with. On a store too small for a label to both hold and
-- not hold among the training contacts, the model stays untrained and its
-- segment is empty.
local seg = require "segrt"
local E, days = seg.E, seg.days
local propensity = require "models.propensity"

seg.pack {
  name = "coffee_offers", version = "1.0",
  description = "coffee shop offers: likely bean buyers, likely e-mail responders",
  requires = { events = { "purchase", "email_click" } },
  purposes = { "email_marketing" },
}

local purchases = E.purchase
local beans = purchases:where{ category = "coffee_beans" }

-- The tenth of the scored contacts (those who may be profiled) with the
-- highest probability; ties by id.
local function top_tenth(p) return seg.ntile(p, 10, { desc = true }):eq(1) end

local beans_30d = propensity.define {
  name = "beans_30d",
  label = beans:within(days(30)):exists(),
  features = { beans:within(days(30)):count(), beans:within(days(90)):count(),
               beans:within(days(365)):count(), purchases:within(days(90)):count(),
               E.email_click:within(days(30)):count(), E.page_view:within(days(30)):count() },
}
seg.segment "likely_bean_buyers_30d" {
  description = "the tenth most likely to buy coffee beans in the next 30 days",
  where = top_tenth(beans_30d),
}

-- "Likely to answer a discount e-mail": the e-mail events carry no campaign
-- or offer, so the label is the closest the data holds: a click on any
-- marketing e-mail in the 30 days.
local email_30d = propensity.define {
  name = "email_click_30d",
  label = E.email_click:within(days(30)):exists(),
  features = { E.email_click:within(days(30)):count(), E.email_click:within(days(90)):count(),
               E.email_open:within(days(30)):count(), E.email_open:within(days(90)):count(),
               purchases:within(days(90)):count(), E.page_view:within(days(30)):count() },
}
seg.segment "likely_email_responders" {
  description = "the tenth most likely to click a marketing e-mail in the next 30 days, "
             .. "to whom marketing e-mail is allowed",
  where = top_tenth(email_30d),
  purpose = "email_marketing",
}
