-- models/churn.lua — churn by logistic regression: models.propensity
-- (which see for the options, outputs and `segrt score`) with the default
-- name "churn", horizon seg.days(90) and calibrate = false (its p is the
-- logistic of the printed coefficients).
--
--   local churn = require "models.churn"
--   local p = churn.define {
--     name = "churn", horizon = seg.days(90),
--     label = seg.E.purchase:within(seg.days(90)):none(),  -- no purchase after the cut-off
--     features = { seg.E.purchase:count(), seg.E.purchase:sum "amount",
--                  seg.E.login:within(seg.days(30)):count(), seg.F.income },
--   }
--   seg.segment "likely_to_churn" { where = p:gt(0.7) & seg.E.purchase:exists() }
--
-- The score <name>.p is the probability of the label.
local seg = require "segrt"
local propensity = require "models.propensity"

local churn = {}

function churn.define(opts)
  local p = propensity.fit("churn", opts, { name = "churn", horizon = seg.days(90),
                                           calibrate = false })
  return p -- not a tail call: errors point at the caller's line
end

return churn
