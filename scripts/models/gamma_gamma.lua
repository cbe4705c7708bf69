-- models/gamma_gamma.lua — customer value in money: the Gamma-Gamma model
-- of spend per transaction (Fader, Hardie & Lee 2005), fitted by maximum
-- likelihood in C over the repeat buyers (as the lifetimes package does).
--
--   local spend = require("models.gamma_gamma").define { name = "spend" }
--   seg.segment "big_tickets" { where = spend.expected_spend:gt(80) }
--
-- Settings as models.bgnbd: event (default "purchase"), unit (default
-- seg.days(7)), obs_end (default NOW). Output per contact with a purchase:
--   expected_spend  the expected value of its transactions: a mix of the
--                   population mean and its own mean repeat value, weighted
--                   by how many repeat transactions it has
-- `segrt score SCRIPT spend` prints p, q, gamma and the log-likelihood.
local seg = require "segrt"

local gamma_gamma = {}

function gamma_gamma.define(opts)
  opts = opts or {}
  local name = opts.name or "spend"
  local unit = opts.unit or seg.days(7)
  seg.model(name) { kind = "gammagamma", profiling = true, event = opts.event or "purchase",
                    unit_days = unit.secs / 86400, obs_end = opts.obs_end,
                    scores = { name .. ".expected_spend" } }
  return { expected_spend = seg.S[name].expected_spend, model = name }
end

return gamma_gamma
