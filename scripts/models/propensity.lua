-- models/propensity.lua — the probability that a contact does something
-- within a horizon (buys beans, answers an e-mail, churns), by logistic
-- regression: trained at the cut-off NOW - horizon on features given as
-- value expressions, with the label a predicate at NOW over that horizon,
-- then scored on the features at NOW.
--
--   local beans = require("models.propensity").define {
--     name = "beans_30d", horizon = seg.days(30),
--     label = seg.E.purchase:where{ category = "coffee_beans" }:within(seg.days(30)):exists(),
--     features = { seg.E.purchase:count(), seg.E.email_click:within(seg.days(30)):count() },
--   }
--   seg.segment "likely_bean_buyers" { where = beans:gt(0.3) }
--
-- Options: name (required), label (a predicate, required), features (a
-- non-empty list of values, required), horizon (a duration, default
-- seg.days(30)), holdout (the fraction of contacts kept out of training to
-- measure the model, in (0, 1), default 0.2), seed (the holdout draw,
-- default 1), lambda (L2 penalty >= 0, default 1e-4), calibrate (default
-- true). The label should look only at the horizon (:within(horizon)): it
-- is evaluated at NOW for a fit whose features are taken at NOW - horizon.
--
-- Calibrated: the regression's output is mapped to p by isotonic regression
-- on the training contacts, since a linear effect on the log-odds often
-- misses the extremes (on the bench data: 1.8% predicted for the inactive
-- contacts who buy beans at 1.3%, 6% for the most active who buy at 9%).
-- The map keeps the order of the contacts, but those in one of its steps
-- tie. calibrate = false gives the regression's output itself.
--
-- Outputs: <name>.p, the probability of the label (what define returns),
-- and <name>.holdout (1 for the contacts kept out of training). `segrt score
-- SCRIPT name` prints, on the held-out contacts, the AUC, the base rate, the
-- Brier score (both also uncalibrated), the lift of the top decile and a
-- reliability table (count, mean p and observed rate per decile of p), then
-- the coefficients and the number of steps of the calibration map. A label
-- that holds for none (or all) of the training contacts leaves nothing to
-- learn: the model stays untrained, p is missing for everyone, and segrt
-- score shows trained_positives 0 (or all of trained_contacts).
--
-- models.churn is this model with its own default name and horizon, and
-- calibrate = false by default.
local seg = require "segrt"

local propensity = {}

-- The kind of a seg node: "value", "predicate", ... (its tostring is "<kind k at loc>").
local function node_kind(x)
  return type(x) == "table" and tostring(x):match("^<(%a+) ") or type(x)
end

-- Check opts and define the model; who names the caller in errors, dflt
-- holds its default name (nil: required), horizon and calibrate.
function propensity.fit(who, opts, dflt)
  local function bad(msg) error(who .. ".define: " .. msg, 4) end -- at the caller of define
  if type(opts) ~= "table" then bad("takes a table { name, label, features, ... }") end
  local name = opts.name or dflt.name
  if type(name) ~= "string" or name == "" then bad("give name = \"...\" (the model's name)") end
  if opts.label == nil then bad("give label = <a predicate at NOW over the horizon>") end
  if node_kind(opts.label) ~= "predicate" then
    bad("label must be a predicate (e.g. seg.E.purchase:within(seg.days(30)):exists()), got "
        .. node_kind(opts.label))
  end
  if type(opts.features) ~= "table" or getmetatable(opts.features) or #opts.features == 0 then
    bad("give features = { value, ... } (at least one)")
  end
  for i, f in ipairs(opts.features) do
    if node_kind(f) ~= "value" then
      bad("features[" .. i .. "] must be a value (e.g. seg.E.purchase:count()), got " .. node_kind(f))
    end
  end
  local horizon = opts.horizon or dflt.horizon
  if node_kind(horizon) ~= "value" or horizon.k ~= "dur" or not (horizon.secs > 0) then
    bad("horizon must be a positive duration such as seg.days(30)")
  end
  local holdout = opts.holdout or 0.2
  if type(holdout) ~= "number" or not (holdout > 0 and holdout < 1) then
    bad("holdout must be a fraction between 0 and 1, such as 0.2")
  end
  if opts.seed ~= nil and math.type(opts.seed) ~= "integer" then bad("seed must be an integer") end
  if opts.lambda ~= nil and (type(opts.lambda) ~= "number" or not (opts.lambda >= 0)) then
    bad("lambda must be a number >= 0")
  end
  local calibrate = opts.calibrate
  if calibrate == nil then calibrate = dflt.calibrate end
  if type(calibrate) ~= "boolean" then bad("calibrate must be true or false") end
  seg.model(name) { kind = "logreg", profiling = true, features = opts.features, label = opts.label,
                    horizon_days = horizon.secs / 86400, holdout = holdout,
                    seed = opts.seed or 1, lambda = opts.lambda, calibrate = calibrate,
                    scores = { name .. ".p" } }
  return seg.S[name].p
end

function propensity.define(opts)
  local p = propensity.fit("propensity", opts, { horizon = seg.days(30), calibrate = true })
  return p -- not a tail call: errors point at the caller's line
end

return propensity
