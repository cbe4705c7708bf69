-- models/clv.lua — customer lifetime value in money: the purchases a
-- BG/NBD model expects in each of the next `months` (30 days each) times the
-- spend a Gamma-Gamma model expects per purchase, each month discounted by
-- (1 + discount)^i (as lifetimes' customer_lifetime_value), to the cent.
--
--   local bgnbd = require("models.bgnbd").define { name = "buys" }
--   local spend = require("models.gamma_gamma").define { name = "spend" }
--   local clv = require("models.clv").define { name = "clv", bgnbd = bgnbd, spend = spend,
--                                               months = 12, discount = 0.01 }
--   seg.segment "most_valuable" { where = clv.value:gt(500) }
--
-- The summary (event, unit, obs_end) is the BG/NBD model's.
local seg = require "segrt"

local clv = {}

function clv.define(opts)
  opts = opts or {}
  local name = opts.name or "clv_value"
  local function model_name(x, what)
    if type(x) == "table" and x.model then return x.model end
    if type(x) == "string" then return x end
    error("models.clv: " .. what .. " takes the model (what models." .. what .. ".define returns)", 3)
  end
  seg.model(name) { kind = "clv", profiling = true, bgnbd = model_name(opts.bgnbd, "bgnbd"),
                    spend = model_name(opts.spend, "gamma_gamma"), months = opts.months or 12,
                    discount = opts.discount or 0.01, scores = { name .. ".value" } }
  return { value = seg.S[name].value, model = name }
end

return clv
