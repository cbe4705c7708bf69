-- models/churn.lua — churn (or any propensity) by logistic regression:
-- trained at a past cut-off NOW - horizon on features given as value
-- expressions, with a label given as a predicate at NOW, then scored on the
-- features at NOW.
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
-- The score <name>.p is the probability of the label. `segrt score SCRIPT
-- churn` prints the holdout AUC and the coefficients (in feature order).
local seg = require "segrt"

local churn = {}

function churn.define(opts)
  local name = opts.name or "churn"
  if type(opts.features) ~= "table" or #opts.features == 0 then
    error("churn.define: give features = { value, ... }", 2)
  end
  if opts.label == nil then error("churn.define: give label = <predicate at NOW>", 2) end
  local horizon = opts.horizon or seg.days(90)
  seg.model(name) { kind = "logreg", profiling = true, features = opts.features, label = opts.label,
                    horizon_days = horizon.secs / 86400, holdout = opts.holdout or 0.2,
                    seed = opts.seed or 1, lambda = opts.lambda, scores = { name .. ".p" } }
  return seg.S[name].p
end

return churn
